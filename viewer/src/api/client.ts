/** The one place that talks HTTP to the twin API: bearer token, problem+json errors, 401 events. */
import type {
  Building, Campus, Comparison, DeviationSummary, FeatureCollection, FinderRequest, FinderResult, Health, Job, Me, ModelVersion, RoomCard,
  RoomPage, RoomQuery, Storey, Token, UnitCompliance, Warning, WarningPage, WarningQuery, WarningStatus,
} from "./types";

/** An error answer of the API (application/problem+json, or anything else non-2xx). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null = null,
    readonly url = "",
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = "ApiError";
  }
}

/** 401: the request needs a (valid) token. */
export class UnauthorisedError extends ApiError {
  override name = "UnauthorisedError";
}

/** 404: the resource, or the endpoint itself, does not exist (yet). */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}

/** The network failed before any answer came. */
export class NetworkError extends Error {
  override name = "NetworkError";
}

/** Where the token lives; sessionStorage in the browser, a Map in tests. */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: FetchLike;
  store?: TokenStore | null;
}

const TOKEN_KEY = "twin.token";

type Query = Record<string, string | number | boolean | null | undefined>;

export function buildQuery(params: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function toError(response: Response, url: string): Promise<ApiError> {
  let title = response.statusText || `HTTP ${response.status}`;
  let detail: string | null = null;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const body = (await response.json()) as { title?: unknown; detail?: unknown };
      if (typeof body.title === "string") title = body.title;
      if (typeof body.detail === "string") detail = body.detail;
    } catch {
      /* a broken error body keeps the status line */
    }
  }
  const Kind = response.status === 401 ? UnauthorisedError : response.status === 404 ? NotFoundError : ApiError;
  return new Kind(response.status, title, detail, url);
}

/** Every request of the viewer goes through one instance of this class. */
export class ApiClient extends EventTarget {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly store: TokenStore | null;
  private token: string | null;
  /** Bytes of GLB geometry received (for the load benchmark). */
  bytesReceived = 0;

  constructor(options: ApiClientOptions = {}) {
    super();
    this.baseUrl = (options.baseUrl ?? "").replace(/\/$/, "");
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.store = options.store === undefined ? (typeof sessionStorage === "undefined" ? null : sessionStorage) : options.store;
    this.token = this.store?.getItem(TOKEN_KEY) ?? null;
  }

  get authenticated(): boolean {
    return this.token !== null;
  }

  setToken(token: string | null): void {
    this.token = token;
    if (token === null) this.store?.removeItem(TOKEN_KEY);
    else this.store?.setItem(TOKEN_KEY, token);
  }

  /** Low level: one request; non-2xx answers become typed errors, 401 also fires "unauthorised". */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    const headers = new Headers(init.headers);
    if (this.token && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${this.token}`);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, headers });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : String(error));
    }
    if (response.ok || response.status === 304) return response;
    const error = await toError(response, url);
    if (error instanceof UnauthorisedError) this.dispatchEvent(new CustomEvent("unauthorised", { detail: error }));
    throw error;
  }

  async json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.request(path, { ...init, headers: { Accept: "application/json", ...(init?.headers ?? {}) } });
    return (await response.json()) as T;
  }

  async text(path: string): Promise<string> {
    return (await this.request(path)).text();
  }

  async binary(path: string): Promise<ArrayBuffer> {
    const buffer = await (await this.request(path)).arrayBuffer();
    this.bytesReceived += buffer.byteLength;
    return buffer;
  }

  // --- auth -------------------------------------------------------------------------------------
  async login(username: string, password: string): Promise<Token> {
    const body = new URLSearchParams({ grant_type: "password", username, password });
    const token = await this.json<Token>("/api/auth/token", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    this.setToken(token.access_token);
    return token;
  }

  logout(): void {
    this.setToken(null);
  }

  me(): Promise<Me> { return this.json<Me>("/api/me"); }

  // --- read -------------------------------------------------------------------------------------
  health(): Promise<Health> { return this.json<Health>("/api/health"); }
  campuses(): Promise<Campus[]> { return this.json<Campus[]>("/api/campuses"); }
  buildings(campusId?: number): Promise<Building[]> { return this.json<Building[]>(`/api/buildings${buildQuery({ campus_id: campusId })}`); }
  building(id: number): Promise<Building> { return this.json<Building>(`/api/buildings/${id}`); }
  storey(id: number): Promise<Storey> { return this.json<Storey>(`/api/storeys/${id}`); }
  storeys(buildingId: number): Promise<Storey[]> { return this.json<Storey[]>(`/api/buildings/${buildingId}/storeys`); }
  rooms(query: RoomQuery = {}): Promise<RoomPage> { return this.json<RoomPage>(`/api/rooms${buildQuery({ ...query })}`); }
  room(globalId: string): Promise<RoomCard> { return this.json<RoomCard>(`/api/rooms/${encodeURIComponent(globalId)}`); }
  storeyGlb(storeyId: number): Promise<ArrayBuffer> { return this.binary(`/api/storeys/${storeyId}/model.glb`); }
  planSvg(storeyId: number): Promise<string> { return this.text(`/api/storeys/${storeyId}/plan.svg`); }
  map(): Promise<FeatureCollection> { return this.json<FeatureCollection>("/api/map.geojson"); }
  versions(modelId: number): Promise<ModelVersion[]> { return this.json<ModelVersion[]>(`/api/models/${modelId}/versions`); }
  compare(modelId: number, from?: number, to?: number): Promise<Comparison> {
    return this.json<Comparison>(`/api/models/${modelId}/compare${buildQuery({ from_version: from, to_version: to })}`);
  }

  // --- models -----------------------------------------------------------------------------------
  /** Upload an IFC file (admin): checked at once, ingested in the background; poll {@link job}. */
  uploadModel(file: Blob, filename: string): Promise<{ job_id: number; status_url: string }> {
    const body = new FormData();
    body.append("file", file, filename);
    return this.json("/api/models", { method: "POST", body });
  }
  job(id: number): Promise<Job> { return this.json<Job>(`/api/jobs/${id}`); }

  // --- compliance -------------------------------------------------------------------------------
  warnings(query: WarningQuery = {}): Promise<WarningPage> { return this.json<WarningPage>(`/api/warnings${buildQuery({ ...query })}`); }
  setWarningStatus(id: number, status: Exclude<WarningStatus, "resolved">): Promise<Warning> {
    return this.sendJson<Warning>("PATCH", `/api/warnings/${id}`, { status });
  }
  refreshWarnings(): Promise<{ opened: number; still_open: number; resolved: number }> { return this.sendJson("POST", "/api/warnings/refresh", {}); }
  finder(request: FinderRequest): Promise<FinderResult> { return this.sendJson<FinderResult>("POST", "/api/finder", request); }
  complianceUnits(): Promise<UnitCompliance[]> { return this.json<UnitCompliance[]>("/api/compliance/units"); }
  deviationSummary(buildingId?: number): Promise<DeviationSummary> {
    return this.json<DeviationSummary>(`/api/compliance/deviations${buildQuery({ building_id: buildingId })}`);
  }

  /** A JSON body sent with `method`, the JSON answer back. */
  sendJson<T>(method: string, path: string, body: unknown): Promise<T> {
    return this.json<T>(path, { method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  }

  /** Every room of a query, page by page (the API caps a page at 1000). */
  async allRooms(query: RoomQuery): Promise<RoomPage["items"]> {
    const items: RoomPage["items"] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.rooms({ ...query, offset, limit: 1000 });
      items.push(...page.items);
      if (page.items.length < 1000 || items.length >= page.total) return items;
    }
  }
}
