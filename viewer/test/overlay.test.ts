import { describe, expect, it } from "vitest";
import type { Comparison, FinderCandidate } from "../src/api/types";
import { ADDED_COLOUR, CHANGED_COLOUR, FINDER_COLOUR, compareOverlay, finderOverlay } from "../src/colour/overlay";
import { I18n } from "../src/i18n";

const t = (key: Parameters<I18n["t"]>[0]): string => `<${key}>`;
const row = (global_id: string) => ({ global_id, number: null });

describe("overlays over the colour mode", () => {
  it("paint a finder candidate's rooms in the finder colour and leave the others as they are", () => {
    const candidate: FinderCandidate = {
      building: "1号办公楼", storey: "2F", storey_id: 7, area_m2: 40, waste_m2: 2,
      rooms: ["A", "B"].map((id) => ({ global_id: id, number: null, name: null, area_m2: 20, use_status: "vacant" })),
    };
    const overlay = finderOverlay(candidate, t);
    expect([...overlay.colours]).toEqual([["A", FINDER_COLOUR], ["B", FINDER_COLOUR]]);
    expect(overlay.dimOthers).toBe(false);
    expect(overlay.entries).toEqual([{ key: "finder", colour: FINDER_COLOUR, label: "<finder.legend>", count: 2 }]);
  });

  it("paint a comparison's added and changed rooms, fade the rest, and count each in the legend", () => {
    const result: Comparison = {
      added: [row("new")], removed: [row("gone")],
      changed: [{ ...row("moved"), changes: { name: ["a", "b"] } }, { ...row("resized"), changes: { measured_area_m2: [10, 12] } }],
    };
    const overlay = compareOverlay(result, t);
    expect(Object.fromEntries(overlay.colours)).toEqual({ new: ADDED_COLOUR, moved: CHANGED_COLOUR, resized: CHANGED_COLOUR });
    expect(overlay.dimOthers).toBe(true);
    expect(overlay.entries.map((e) => [e.key, e.label, e.count])).toEqual([
      ["added", "<compare.legendAdded>", 1], ["changed", "<compare.legendChanged>", 2], ["other", "<compare.legendOther>", undefined],
    ]);
  });
});
