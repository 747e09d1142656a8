/** Deep links: the view (building, storey, room, colour mode, camera, panel) in the URL hash. */
import { type ColourMode, isColourMode } from "../colour/modes";

export interface CameraState { position: [number, number, number]; target: [number, number, number] }

export interface ViewState {
  building?: number;
  storey?: number;
  room?: string;
  colour?: ColourMode;
  camera?: CameraState;
  /** Which side panel is open ("explorer", "map", "compare", "deviations"). */
  tab?: string;
  plan?: boolean;
}

const round = (value: number, digits = 2): number => {
  const k = 10 ** digits;
  const r = Math.round(value * k) / k;
  return Object.is(r, -0) ? 0 : r;
};

function parseInteger(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

function parseCamera(value: string | null): CameraState | undefined {
  if (!value) return undefined;
  const parts = value.split(",").map(Number);
  if (parts.length !== 6 || parts.some((n) => !Number.isFinite(n))) return undefined;
  const [px, py, pz, tx, ty, tz] = parts as [number, number, number, number, number, number];
  return { position: [px, py, pz], target: [tx, ty, tz] };
}

/** Camera rounded to centimetres, so links stay short and compare equal after a round trip. */
export function roundCamera(camera: CameraState): CameraState {
  return {
    position: camera.position.map((v) => round(v)) as CameraState["position"],
    target: camera.target.map((v) => round(v)) as CameraState["target"],
  };
}

/** "b=1&s=3&r=...&c=category&cam=x,y,z,tx,ty,tz" (no leading "#"). */
export function encodeViewState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.building !== undefined) params.set("b", String(state.building));
  if (state.storey !== undefined) params.set("s", String(state.storey));
  if (state.room) params.set("r", state.room);
  if (state.colour) params.set("c", state.colour);
  if (state.camera) {
    const { position, target } = roundCamera(state.camera);
    params.set("cam", [...position, ...target].join(","));
  }
  if (state.tab) params.set("tab", state.tab);
  if (state.plan) params.set("plan", "1");
  return params.toString();
}

export function decodeViewState(text: string): ViewState {
  const params = new URLSearchParams(text.replace(/^[#?]/, ""));
  const state: ViewState = {};
  const building = parseInteger(params.get("b"));
  if (building !== undefined) state.building = building;
  const storey = parseInteger(params.get("s"));
  if (storey !== undefined) state.storey = storey;
  const room = params.get("r");
  if (room) state.room = room;
  const colour = params.get("c");
  if (isColourMode(colour)) state.colour = colour;
  const camera = parseCamera(params.get("cam"));
  if (camera) state.camera = camera;
  const tab = params.get("tab");
  if (tab) state.tab = tab;
  if (params.get("plan") === "1") state.plan = true;
  return state;
}

/** Keeps the location hash in step with the view; writes are coalesced and never add history entries. */
export class UrlState {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private state: ViewState;

  constructor(private readonly location: Location = window.location, private readonly history: History = window.history) {
    this.state = decodeViewState(location.hash);
  }

  get initial(): ViewState {
    return { ...this.state };
  }

  update(patch: Partial<ViewState>): void {
    this.state = { ...this.state, ...patch };
    for (const key of Object.keys(this.state) as (keyof ViewState)[]) {
      if (this.state[key] === undefined) delete this.state[key];
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), 150);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const hash = `#${encodeViewState(this.state)}`;
    if (hash !== this.location.hash) this.history.replaceState(null, "", hash);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
  }
}
