/** Shapes of the twin API's JSON (fields marked optional may be absent for a role or not yet served). */

export type Role = "admin" | "unit_manager" | "inspector" | "viewer";

export interface Health { status: string; version: string }

export interface AreaTotals {
  rooms: number;
  measured_area_m2: number | null;
  declared_area_m2: number | null;
}

export interface Campus extends AreaTotals {
  id: number;
  global_id: string;
  name: string | null;
  long_name: string | null;
  latitude: number | null;
  longitude: number | null;
  buildings: number;
}

export interface Storey extends AreaTotals {
  id: number;
  global_id: string;
  building_id: number;
  name: string | null;
  long_name: string | null;
  elevation_m: number | null;
}

export interface Building extends AreaTotals {
  id: number;
  global_id: string;
  campus_id: number;
  name: string | null;
  long_name: string | null;
  elevation_m: number | null;
  model_id: number | null;
  storeys: number;
  storey_list?: Storey[];
}

export type Compliance = "over" | "within" | "vacant";

export interface Occupant { name?: string | null; rank?: string | null; standard_m2?: number | null }

export interface Warning { rule: string; severity: string; message: string }

export interface RoomRow {
  global_id: string;
  building: string | null;
  storey: string | null;
  number: string | null;
  name: string | null;
  measured_area_m2: number | null;
  declared_area_m2: number | null;
  declared_area_source: string | null;
  volume_m3: number | null;
  height_m: number | null;
  perimeter_m: number | null;
  status: string | null;
  deviation_pct: number | null;
  category: string | null;
  use_status: string | null;
  building_id: number;
  storey_id: number | null;
  unit_id?: number | null;
  unit_name?: string | null;
  compliance?: Compliance | null;
  occupants?: Occupant[];
  warnings?: Warning[];
}

export interface DeclaredArea { kind: string; value_m2: number; source: string | null; origin: string | null }

export interface HistoryEntry { at: string; action: string; changes: Record<string, unknown> | null; actor: string | null }

export interface RoomCard extends RoomRow {
  object_type?: string | null;
  remarks?: string | null;
  footprint?: unknown;
  centroid?: [number, number, number] | null;
  bbox?: [number, number, number, number, number, number] | null;
  declared_areas?: DeclaredArea[];
  history?: HistoryEntry[];
}

export interface RoomPage { items: RoomRow[]; total: number }

export interface RoomQuery {
  q?: string;
  building_id?: number;
  storey_id?: number;
  category?: string;
  use_status?: string;
  min_area?: number;
  max_area?: number;
  min_deviation_pct?: number;
  sort?: string;
  offset?: number;
  limit?: number;
}

export interface Token { access_token: string; token_type: string; role?: Role; username?: string }

export interface Me { username: string; role: Role; unit_id: number | null }

export interface ModelVersion { id: number; seq: number; filename: string | null; ingested_at: string; counts: Record<string, number> | null }

export interface RoomChange { global_id: string; number: string | null; changes: Record<string, [unknown, unknown]> }

export interface Comparison { added: RoomRow[]; removed: RoomRow[]; changed: RoomChange[] }

export interface GeoFeature {
  type: "Feature";
  geometry: { type: string; coordinates: unknown } | null;
  properties: { kind?: string; id?: number; name?: string | null; [key: string]: unknown } | null;
}

export interface FeatureCollection { type: "FeatureCollection"; features: GeoFeature[] }
