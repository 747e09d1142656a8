import { describe, expect, it } from "vitest";
import { I18n, format } from "../src/i18n";
import { en } from "../src/i18n/en";
import { zhCN } from "../src/i18n/zh-CN";

describe("i18n", () => {
  it("defaults to Simplified Chinese and toggles to English", () => {
    const i18n = new I18n();
    expect(i18n.lang).toBe("zh-CN");
    expect(i18n.t("tools.xray")).toBe("透视");
    let changed = 0;
    i18n.addEventListener("change", () => { changed += 1; });
    i18n.toggle();
    expect(i18n.t("tools.xray")).toBe("X-ray");
    expect(changed).toBe(1);
  });

  it("has every key in both languages", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it("formats placeholders, areas, percentages and categories", () => {
    expect(format("{a} of {b}", { a: 1 })).toBe("1 of {b}");
    const i18n = new I18n("zh-CN");
    expect(i18n.area(20.876)).toBe("20.88 m²");
    expect(i18n.area(null)).toBe("—");
    expect(i18n.pct(3.14)).toBe("+3.1%");
    expect(i18n.category("meeting")).toBe("会议室");
    expect(i18n.category("unknown_code")).toBe("unknown_code");
    expect(new I18n("en").category("meeting")).toBe("Meeting room");
  });
});
