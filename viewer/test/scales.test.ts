import { describe, expect, it } from "vitest";
import { CATEGORY_COLOURS, categoryColour, complianceColour, hashKey, qualitativeColour, useStatusColour } from "../src/colour/palette";
import { colourFor, legendEntries, legendKey } from "../src/colour/modes";
import { NO_DATA, deviationColour, deviationStops, fromRgb, lerpColour, parseCss, toCss, toRgb } from "../src/colour/scales";

describe("deviation scale", () => {
  it("has exact colours at -20, 0 and +20 %", () => {
    expect(toCss(deviationColour(-20))).toBe("#2166ac");
    expect(toCss(deviationColour(0))).toBe("#f7f7f7");
    expect(toCss(deviationColour(20))).toBe("#b2182b");
  });

  it("clamps beyond ±20 %", () => {
    expect(deviationColour(-75)).toBe(deviationColour(-20));
    expect(deviationColour(300)).toBe(deviationColour(20));
  });

  it("is grey for no declared value", () => {
    expect(deviationColour(null)).toBe(NO_DATA);
    expect(deviationColour(undefined)).toBe(NO_DATA);
    expect(deviationColour(Number.NaN)).toBe(NO_DATA);
    expect(toCss(NO_DATA)).toBe("#9e9e9e");
  });

  it("interpolates halfway at ±10 %", () => {
    expect(toCss(deviationColour(10))).toBe(toCss(lerpColour(0xf7f7f7, 0xb2182b, 0.5)));
    expect(toCss(deviationColour(-10))).toBe("#8cafd2");
  });

  it("gets redder as the deviation grows", () => {
    const reds = [0, 5, 10, 15, 20].map((p) => toRgb(deviationColour(p)));
    for (let i = 1; i < reds.length; i += 1) expect(reds[i]![1]).toBeLessThan(reds[i - 1]![1]);
  });

  it("gives legend stops from -20 to +20", () => {
    const stops = deviationStops(5);
    expect(stops.map((s) => s.pct)).toEqual([-20, -10, 0, 10, 20]);
    expect(stops[2]!.colour).toBe(0xf7f7f7);
  });
});

describe("colour arithmetic", () => {
  it("round-trips hex and rgb", () => {
    expect(fromRgb(toRgb(0x12abef))).toBe(0x12abef);
    expect(parseCss("#12ABEF")).toBe(0x12abef);
    expect(toCss(0x0000ff)).toBe("#0000ff");
    expect(() => parseCss("red")).toThrow();
  });

  it("lerps and clamps t", () => {
    expect(lerpColour(0x000000, 0xffffff, 0.5)).toBe(0x808080);
    expect(lerpColour(0x000000, 0xffffff, 2)).toBe(0xffffff);
  });
});

describe("category palette", () => {
  it("colours every category of the 2014 standard distinctly", () => {
    const colours = Object.values(CATEGORY_COLOURS);
    expect(colours.length).toBe(28);
    expect(new Set(colours).size).toBe(colours.length);
    expect(categoryColour("office_leader")).toBe(0x1f4e9c);
    expect(categoryColour("meeting")).toBe(0x2e9e6a);
  });

  it("is grey without a category and stable for unknown codes", () => {
    expect(categoryColour(null)).toBe(NO_DATA);
    expect(categoryColour("lab")).toBe(categoryColour("lab"));
    expect(categoryColour("lab")).toBe(qualitativeColour("lab"));
  });

  it("has fixed colours for use status and compliance", () => {
    expect(useStatusColour("vacant")).toBe(0xf0c419);
    expect(complianceColour("over")).toBe(0xd7301f);
    expect(complianceColour("within")).toBe(0x41ab5d);
    expect(complianceColour(null)).toBe(NO_DATA);
    expect(complianceColour("nonsense")).toBe(NO_DATA);
  });

  it("hashes keys stably (FNV-1a)", () => {
    expect(hashKey("")).toBe(0x811c9dc5);
    expect(hashKey("a")).toBe(0xe40c292c);
  });
});

describe("colour modes", () => {
  const rooms = [
    { category: "meeting", deviation_pct: 0, use_status: "in_use", compliance: "within", unit_name: "办公厅" },
    { category: "meeting", deviation_pct: 25, use_status: "vacant", compliance: "over", unit_name: "财政厅" },
    { category: null, deviation_pct: null, use_status: null, compliance: null, unit_name: null },
  ];

  it("maps each mode to its scale", () => {
    expect(colourFor("category", rooms[0])).toBe(categoryColour("meeting"));
    expect(colourFor("deviation", rooms[1])).toBe(0xb2182b);
    expect(colourFor("compliance", rooms[1])).toBe(0xd7301f);
    expect(colourFor("use_status", rooms[1])).toBe(0xf0c419);
    expect(colourFor("unit", rooms[0])).toBe(qualitativeColour("办公厅"));
    expect(colourFor("unit", rooms[2])).toBe(NO_DATA);
    expect(colourFor("category", undefined)).toBe(NO_DATA);
  });

  it("gives consecutive unit ids distinct colours", () => {
    const colours = new Set(Array.from({ length: 12 }, (_, i) => colourFor("unit", { unit_id: i + 1, unit_name: `unit ${i}` })));
    expect(colours.size).toBe(12);
    expect(colourFor("unit", { unit_id: 3, unit_name: "a" })).toBe(colourFor("unit", { unit_id: 3, unit_name: "b" }));
  });

  it("falls back to the unit id for the unit key", () => {
    expect(legendKey("unit", { unit_id: 7 })).toBe("7");
    expect(legendKey("unit", { unit_id: null })).toBeNull();
  });

  it("builds legends most frequent first, no data last", () => {
    const entries = legendEntries("category", rooms);
    expect(entries.map((e) => [e.key, e.count])).toEqual([["meeting", 2], [null, 1]]);
    expect(entries[1]!.colour).toBe(NO_DATA);
  });
});
