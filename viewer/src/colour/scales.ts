/** Pure colour arithmetic: RGB as 0xRRGGBB integers, linear interpolation, the deviation scale. */

export type Rgb = [number, number, number];

export const NO_DATA = 0x9e9e9e;

/** Diverging scale (ColorBrewer RdBu ends) for declared-vs-measured deviation in percent. */
export const DEVIATION_DOMAIN = { min: -20, max: 20 } as const;
export const DEVIATION_LOW = 0x2166ac; // declared below measured
export const DEVIATION_MID = 0xf7f7f7;
export const DEVIATION_HIGH = 0xb2182b; // declared above measured

export function toRgb(hex: number): Rgb {
  return [(hex >> 16) & 0xff, (hex >> 8) & 0xff, hex & 0xff];
}

export function fromRgb([r, g, b]: Rgb): number {
  const c = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return (c(r) << 16) | (c(g) << 8) | c(b);
}

export function toCss(hex: number): string {
  return `#${hex.toString(16).padStart(6, "0")}`;
}

export function parseCss(css: string): number {
  const m = /^#?([0-9a-f]{6})$/i.exec(css.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${css}`);
  return parseInt(m[1]!, 16);
}

/** Interpolate between two colours, t in [0, 1] (clamped). */
export function lerpColour(a: number, b: number, t: number): number {
  const k = Math.max(0, Math.min(1, t));
  const ca = toRgb(a);
  const cb = toRgb(b);
  return fromRgb([ca[0] + (cb[0] - ca[0]) * k, ca[1] + (cb[1] - ca[1]) * k, ca[2] + (cb[2] - ca[2]) * k]);
}

/** Colour of a deviation in percent: blue below, white at 0, red above, clamped at ±20 %, grey for none. */
export function deviationColour(pct: number | null | undefined): number {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return NO_DATA;
  const { min, max } = DEVIATION_DOMAIN;
  if (pct <= 0) return lerpColour(DEVIATION_MID, DEVIATION_LOW, pct / min);
  return lerpColour(DEVIATION_MID, DEVIATION_HIGH, pct / max);
}

/** Stops for drawing the deviation legend as a gradient. */
export function deviationStops(count = 9): { pct: number; colour: number }[] {
  const { min, max } = DEVIATION_DOMAIN;
  return Array.from({ length: count }, (_, i) => {
    const pct = min + ((max - min) * i) / (count - 1);
    return { pct, colour: deviationColour(pct) };
  });
}

/** Lighten (amount > 0) towards white or darken (< 0) towards black. */
export function shade(hex: number, amount: number): number {
  return amount >= 0 ? lerpColour(hex, 0xffffff, amount) : lerpColour(hex, 0x000000, -amount);
}
