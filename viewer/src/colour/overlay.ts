/**
 * Highlights painted over the colour mode, in 3D and on the plan, with their legend entries: a finder
 * candidate's rooms in one colour no palette uses, a version comparison's added and changed rooms in two
 * (the other rooms fade).
 */
import type { Comparison, FinderCandidate } from "../api/types";
import type { MessageKey } from "../i18n";
import type { OverlayEntry } from "../panels/legend";
import { DIMMED_COLOUR } from "../scene/colouring";
import { lerpColour } from "./scales";

/** Finder candidates in 3D: a colour no palette uses. */
export const FINDER_COLOUR = 0xff00ff;
/** Version differences in 3D (the other rooms fade). */
export const ADDED_COLOUR = 0x1a9641;
export const CHANGED_COLOUR = 0xf28e2b;
/** How a faded room looks in the legend: a typical room colour, dimmed as the scene dims it. */
const FADED_SAMPLE = lerpColour(0x4a90d9, DIMMED_COLOUR, 0.8);

/** A highlight: colours by room GlobalId, whether the other rooms fade, and its legend entries. */
export interface Overlay {
  colours: Map<string, number>;
  dimOthers: boolean;
  entries: OverlayEntry[];
}

type Translate = (key: MessageKey) => string;

/** A finder candidate's rooms, in the finder colour; the others keep theirs. */
export function finderOverlay(candidate: FinderCandidate, t: Translate): Overlay {
  const colours = new Map(candidate.rooms.map((room) => [room.global_id, FINDER_COLOUR] as [string, number]));
  return { colours, dimOthers: false, entries: [{ key: "finder", colour: FINDER_COLOUR, label: t("finder.legend"), count: colours.size }] };
}

/** A comparison's added and changed rooms; the others fade. */
export function compareOverlay(result: Comparison, t: Translate): Overlay {
  const colours = new Map<string, number>();
  for (const row of result.changed) colours.set(row.global_id, CHANGED_COLOUR);
  for (const row of result.added) colours.set(row.global_id, ADDED_COLOUR);
  return {
    colours,
    dimOthers: true,
    entries: [
      { key: "added", colour: ADDED_COLOUR, label: t("compare.legendAdded"), count: result.added.length },
      { key: "changed", colour: CHANGED_COLOUR, label: t("compare.legendChanged"), count: result.changed.length },
      { key: "other", colour: FADED_SAMPLE, label: t("compare.legendOther") },
    ],
  };
}
