/** Colour modes: one function maps a room row to a colour and a legend key; legends list what is shown. */
import { categoryColour, complianceColour, unitColour, useStatusColour } from "./palette";
import { NO_DATA, deviationColour } from "./scales";

export const COLOUR_MODES = ["category", "unit", "use_status", "compliance", "deviation"] as const;
export type ColourMode = (typeof COLOUR_MODES)[number];

export function isColourMode(value: unknown): value is ColourMode {
  return typeof value === "string" && (COLOUR_MODES as readonly string[]).includes(value);
}

/** The fields of a room a colour mode reads (a subset of the API's room row). */
export interface ColourInput {
  category?: string | null;
  unit_id?: number | null;
  unit_name?: string | null;
  use_status?: string | null;
  compliance?: string | null;
  deviation_pct?: number | null;
}

/** The legend key a room falls under in a mode (null: no data). */
export function legendKey(mode: ColourMode, room: ColourInput | undefined): string | null {
  if (!room) return null;
  switch (mode) {
    case "category":
      return room.category ?? null;
    case "unit":
      return room.unit_name ?? (room.unit_id === null || room.unit_id === undefined ? null : String(room.unit_id));
    case "use_status":
      return room.use_status ?? null;
    case "compliance":
      return room.compliance ?? null;
    case "deviation":
      return room.deviation_pct === null || room.deviation_pct === undefined ? null : "value";
  }
}

export function colourFor(mode: ColourMode, room: ColourInput | undefined): number {
  if (!room) return NO_DATA;
  switch (mode) {
    case "category":
      return categoryColour(room.category);
    case "unit":
      return unitColour(room.unit_id, legendKey("unit", room));
    case "use_status":
      return useStatusColour(room.use_status);
    case "compliance":
      return complianceColour(room.compliance);
    case "deviation":
      return deviationColour(room.deviation_pct);
  }
}

export interface LegendEntry { key: string | null; colour: number; count: number }

/** Categorical legend entries of the rooms shown, most frequent first, "no data" last. */
export function legendEntries(mode: ColourMode, rooms: Iterable<ColourInput>): LegendEntry[] {
  const counts = new Map<string | null, LegendEntry>();
  for (const room of rooms) {
    const key = legendKey(mode, room);
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { key, colour: key === null ? NO_DATA : colourFor(mode, room), count: 1 });
  }
  return [...counts.values()].sort((a, b) => {
    if (a.key === null) return 1;
    if (b.key === null) return -1;
    return b.count - a.count || String(a.key).localeCompare(String(b.key));
  });
}
