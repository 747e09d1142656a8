/** Categorical palettes: room categories, use status, compliance, and stable colours for any key. */
import { NO_DATA } from "./scales";

/** One colour per category of twin/standards/office_space_2014.toml, grouped by hue family. */
export const CATEGORY_COLOURS: Readonly<Record<string, number>> = {
  // basic: offices (blues)
  office_leader: 0x1f4e9c,
  office_staff: 0x4a90d9,
  rest_room: 0x8fb8e8,
  // basic: service rooms (greens / teals)
  meeting: 0x2e9e6a,
  reception: 0x66c28f,
  archive: 0x1b7a73,
  print: 0x4fb3a9,
  confidential: 0x0f5c46,
  mail: 0x9bd3ae,
  duty: 0x7aa63a,
  clinic: 0xa8cf5a,
  network: 0x2b8c8c,
  storage: 0xb8c98a,
  boiled_water: 0x8ad0d0,
  toilet: 0xc2e0d8,
  property_staff: 0x5c8a5a,
  // basic: plant rooms (oranges / browns)
  plant_power: 0xe07b1f,
  plant_pump: 0xf2a65a,
  plant_hvac: 0xc4661f,
  plant_telecom: 0xf5c07a,
  plant_lift: 0x9c5a2b,
  // ancillary (purples)
  canteen: 0x8e5ab5,
  garage: 0x6a4c93,
  bicycle_garage: 0xb39ddb,
  guard: 0x7b1fa2,
  civil_defence: 0x4a148c,
  // technical/business rooms, circulation
  technical: 0xd6457a,
  circulation: 0xd9d4c7,
};

export const USE_STATUS_COLOURS: Readonly<Record<string, number>> = {
  in_use: 0x3a8f5c,
  vacant: 0xf0c419,
  reserve: 0x6fa8dc,
  repair: 0xe67e22,
  lent: 0x9b59b6,
  leased_out: 0xc0392b,
  disposed: 0x7f8c8d,
};

export const COMPLIANCE_COLOURS: Readonly<Record<string, number>> = {
  over: 0xd7301f,
  within: 0x41ab5d,
  vacant: 0xfdd870,
};

/** A 12-colour qualitative palette (Tableau-like) for keys with no fixed colour (units). */
export const QUALITATIVE = [
  0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0x86bcb6, 0xd37295, 0xa0cbe8,
] as const;

/** FNV-1a: a stable small hash so a key keeps its colour across sessions. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function qualitativeColour(key: string | number | null | undefined): number {
  if (key === null || key === undefined || key === "") return NO_DATA;
  return QUALITATIVE[hashKey(String(key)) % QUALITATIVE.length]!;
}

/** A using unit's colour: by id (consecutive ids never share a colour up to 12 units), else by name. */
export function unitColour(unitId: number | null | undefined, name?: string | null): number {
  if (unitId !== null && unitId !== undefined && Number.isInteger(unitId) && unitId > 0) return QUALITATIVE[(unitId - 1) % QUALITATIVE.length]!;
  return qualitativeColour(name);
}

export function categoryColour(code: string | null | undefined): number {
  if (!code) return NO_DATA;
  return CATEGORY_COLOURS[code] ?? qualitativeColour(code);
}

export function useStatusColour(status: string | null | undefined): number {
  if (!status) return NO_DATA;
  return USE_STATUS_COLOURS[status] ?? qualitativeColour(status);
}

export function complianceColour(value: string | null | undefined): number {
  if (!value) return NO_DATA;
  return COMPLIANCE_COLOURS[value] ?? NO_DATA;
}
