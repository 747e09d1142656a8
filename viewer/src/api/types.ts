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

/** A current occupant of a room; person_code, name and title are absent for the viewer role. */
export interface Occupant {
  occupancy_id?: number;
  rank?: string | null;
  standard_m2?: number | null;
  kind?: string | null;
  since?: string | null;
  status?: string | null;
  unit_name?: string | null;
  person_code?: string | null;
  name?: string | null;
  title?: string | null;
}

export type Severity = "info" | "warning" | "critical";
export type WarningStatus = "open" | "acknowledged" | "resolved";

/** A warning of the rules engine (GET /api/warnings); messages are generic for the viewer role. */
export interface Warning {
  id: number;
  rule: string;
  title?: string | null;
  title_en?: string | null;
  severity: Severity | string;
  subject_kind?: "room" | "person" | "unit" | string | null;
  subject_key?: string | null;
  room_id?: number | null;
  room_global_id?: string | null;
  unit_id?: number | null;
  message: string;
  message_en?: string | null;
  evidence?: Record<string, unknown> | null;
  status?: WarningStatus | string;
  first_seen?: string | null;
  last_seen?: string | null;
  resolved_at?: string | null;
}

export interface WarningPage { items: Warning[]; total: number }

export interface WarningQuery {
  status?: "active" | WarningStatus;
  rule?: string;
  severity?: Severity;
  unit_id?: number;
  offset?: number;
  limit?: number;
}

export interface Inspection { at?: string | null; finding?: string | null; severity?: string | null; surveyed_area_m2?: number | null; inspector?: string | null }

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
  inspections?: Inspection[];
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
  unit_id?: number;
  compliance?: Compliance;
  sort?: string;
  offset?: number;
  limit?: number;
}

export interface Token { access_token: string; token_type: string; role?: Role; username?: string }

export interface Me { username: string; role: Role; unit_id: number | null }

export interface ModelVersion { id: number; seq: number; filename: string | null; ingested_at: string; counts: Record<string, number> | null }

/** What an ingest did (twin's IngestReport), as a finished upload job gives it. */
export interface IngestResult {
  path: string;
  version: number;
  skipped: boolean;
  buildings: number;
  storeys: number;
  rooms: number;
  rooms_added: number;
  rooms_updated: number;
  rooms_retired: number;
  rooms_carried: number;
  context_elements: number;
  failed_elements: number;
  /** It kept none of the rooms of the version before (which had some): all drawn again, or another building? */
  replaces_every_room: boolean;
}

/** An upload's background ingest (GET /api/jobs/{id}); `stage`: read, rooms, assets, ledger, context, done. */
export interface Job {
  id: number;
  status: "queued" | "running" | "done" | "failed";
  stage: string | null;
  done: number | null;
  total: number | null;
  filename: string;
  result: IngestResult | null;
  error: string | null;
}

/** A room row of a version comparison (GET /api/models/{id}/compare): no building or storey id. */
export interface CompareRow {
  global_id: string;
  number: string | null;
  name?: string | null;
  storey?: string | null;
  measured_area_m2?: number | null;
  declared_area_m2?: number | null;
  category?: string | null;
}

export interface RoomChange extends CompareRow { changes: Record<string, [unknown, unknown]> }

export interface Comparison {
  from_version?: number;
  to_version?: number;
  added: CompareRow[];
  removed: CompareRow[];
  changed: RoomChange[];
  unchanged?: number;
}

/** POST /api/finder: head counts per rank at an agency level, optionally within a building or storey. */
export interface FinderRequest {
  ranks: Record<string, number>;
  level: string;
  building_id?: number;
  storey_id?: number;
  max_rooms?: number;
  limit?: number;
}

export interface FinderRoom { global_id: string; number: string | null; name: string | null; area_m2: number; use_status: string | null }

export interface FinderCandidate { building: string | null; storey: string | null; storey_id: number; rooms: FinderRoom[]; area_m2: number; waste_m2: number }

export interface FinderResult { required_m2: number; people: number; candidates: FinderCandidate[] }

type KindAreas = Record<string, number>;

export interface UnitCompliance {
  unit_id: number;
  code: string;
  name: string;
  reference_level: string | null;
  posts: number;
  k: number;
  approved: KindAreas;
  actual: KindAreas;
  difference: Record<string, { m2: number; pct: number | null }>;
  is_over: boolean;
}

export interface DeviationSummary { within_1: number; within_5: number; over_5: number; no_declared: number; no_geometry: number }

export interface GeoFeature {
  type: "Feature";
  geometry: { type: string; coordinates: unknown } | null;
  properties: { kind?: string; id?: number; name?: string | null; [key: string]: unknown } | null;
}

export interface FeatureCollection { type: "FeatureCollection"; features: GeoFeature[] }
