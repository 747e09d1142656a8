/** Messages in zh-CN (default) and English; `t()` everywhere, never a literal UI string in code. */
import { CATEGORY_LABELS } from "./categories";
import { en } from "./en";
import { zhCN, type MessageKey } from "./zh-CN";

export type Lang = "zh-CN" | "en";
export type { MessageKey };

const DICTS: Record<Lang, Record<MessageKey, string>> = { "zh-CN": zhCN, en };
const LANG_KEY = "twin.lang";

export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The active language; fires "change" when toggled. */
export class I18n extends EventTarget {
  private current: Lang;

  constructor(lang?: Lang) {
    super();
    const saved = typeof localStorage === "undefined" ? null : localStorage.getItem(LANG_KEY);
    this.current = lang ?? (saved === "en" ? "en" : "zh-CN");
  }

  get lang(): Lang {
    return this.current;
  }

  set lang(lang: Lang) {
    if (lang === this.current) return;
    this.current = lang;
    if (typeof localStorage !== "undefined") localStorage.setItem(LANG_KEY, lang);
    if (typeof document !== "undefined") document.documentElement.lang = lang;
    this.dispatchEvent(new Event("change"));
  }

  toggle(): void {
    this.lang = this.current === "zh-CN" ? "en" : "zh-CN";
  }

  t(key: MessageKey, vars?: Record<string, string | number>): string {
    return format(DICTS[this.current][key] ?? key, vars);
  }

  /** A label for a room category code (the code itself when unknown). */
  category(code: string | null | undefined): string {
    if (!code) return this.t("legend.none");
    const label = CATEGORY_LABELS[code];
    return label ? (this.current === "en" ? label.en : label.zh) : code;
  }

  /** "12.3 m²" with the language's digits, or "—". */
  area(value: number | null | undefined): string {
    return value === null || value === undefined ? this.t("card.none") : this.t("unit.m2", { value: value.toFixed(2) });
  }

  pct(value: number | null | undefined): string {
    if (value === null || value === undefined) return this.t("card.none");
    return this.t("unit.pct", { value: `${value > 0 ? "+" : ""}${value.toFixed(1)}` });
  }

  /** The text of the active language out of a zh / en pair (either may be missing). */
  pick(zh: string | null | undefined, en: string | null | undefined): string {
    return (this.current === "en" ? en || zh : zh || en) ?? "";
  }

  /** A key that may not exist (e.g. an unknown use status): its message, or the fallback. */
  maybe(key: string, fallback: string): string {
    const dict = DICTS[this.current] as Record<string, string>;
    return dict[key] ?? fallback;
  }
}
