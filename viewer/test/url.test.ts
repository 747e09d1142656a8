import { describe, expect, it, vi } from "vitest";
import { UrlState, type ViewState, decodeViewState, encodeViewState, roundCamera } from "../src/state/url";

describe("deep links", () => {
  it("round-trips a full view", () => {
    const state: ViewState = {
      building: 3,
      storey: 12,
      room: "2C33MMMIvTxO_zEwqXk$1n",
      colour: "deviation",
      camera: { position: [10.123, 45.678, -3.21], target: [1, 2, 3] },
      tab: "map",
      plan: true,
    };
    const text = encodeViewState(state);
    expect(decodeViewState(`#${text}`)).toEqual({ ...state, camera: { position: [10.12, 45.68, -3.21], target: [1, 2, 3] } });
  });

  it("encodes a short, readable hash", () => {
    expect(encodeViewState({ building: 1, storey: 2, colour: "category" })).toBe("b=1&s=2&c=category");
    expect(encodeViewState({})).toBe("");
  });

  it("rounds the camera to centimetres without negative zero", () => {
    expect(roundCamera({ position: [0.004, -0.001, 1.006], target: [-0.0049, 2.499, 3] })).toEqual({ position: [0, 0, 1.01], target: [0, 2.5, 3] });
  });

  it("ignores invalid values", () => {
    expect(decodeViewState("b=x&s=-1&c=rainbow&cam=1,2,3")).toEqual({});
    expect(decodeViewState("?b=4")).toEqual({ building: 4 });
  });

  it("keeps GlobalIds with $ and _ intact", () => {
    const room = "3$f2p7VyLB7eox67SA_zKE";
    expect(decodeViewState(encodeViewState({ room })).room).toBe(room);
  });

  it("writes the hash with replaceState, coalescing updates", () => {
    vi.useFakeTimers();
    const location = { hash: "#b=1" } as Location;
    const history = { replaceState: vi.fn((_s: unknown, _t: string, url: string) => { location.hash = url; }) } as unknown as History;
    const url = new UrlState(location, history);
    expect(url.initial).toEqual({ building: 1 });
    url.update({ storey: 5 });
    url.update({ colour: "unit" });
    vi.advanceTimersByTime(200);
    expect(history.replaceState).toHaveBeenCalledTimes(1);
    expect(location.hash).toBe("#b=1&s=5&c=unit");
    url.update({ storey: undefined });
    url.flush();
    expect(location.hash).toBe("#b=1&c=unit");
    url.dispose();
    vi.useRealTimers();
  });
});
