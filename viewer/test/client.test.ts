import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, NetworkError, NotFoundError, type TokenStore, UnauthorisedError, buildQuery } from "../src/api/client";

class MemoryStore implements TokenStore {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  setItem(key: string, value: string): void { this.items.set(key, value); }
  removeItem(key: string): void { this.items.delete(key); }
}

const json = (body: unknown, status = 200, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });
const problem = (status: number, title: string, detail?: string) =>
  json({ type: "about:blank", title, status, detail }, status, "application/problem+json");

function client(answer: (url: string, init?: RequestInit) => Response, store = new MemoryStore()) {
  const fetch = vi.fn(async (url: string, init?: RequestInit) => answer(url, init));
  return { api: new ApiClient({ fetch, store }), fetch, store };
}

describe("ApiClient", () => {
  it("sends the bearer token from the store", async () => {
    const store = new MemoryStore();
    store.setItem("twin.token", "abc");
    const { api, fetch } = client(() => json([]), store);
    await api.campuses();
    const headers = new Headers(fetch.mock.calls[0]![1]!.headers);
    expect(headers.get("Authorization")).toBe("Bearer abc");
    expect(fetch.mock.calls[0]![0]).toBe("/api/campuses");
  });

  it("sends no Authorization header without a token", async () => {
    const { api, fetch } = client(() => json({ status: "ok", version: "1" }));
    expect(await api.health()).toEqual({ status: "ok", version: "1" });
    expect(new Headers(fetch.mock.calls[0]![1]!.headers).has("Authorization")).toBe(false);
  });

  it("logs in with the password form and keeps the token", async () => {
    const { api, fetch, store } = client(() => json({ access_token: "tok", token_type: "bearer", role: "viewer", username: "u" }));
    const token = await api.login("u", "p w");
    expect(token.role).toBe("viewer");
    const init = fetch.mock.calls[0]![1]!;
    expect(init.method).toBe("POST");
    expect(String(init.body)).toBe("grant_type=password&username=u&password=p+w");
    expect(store.getItem("twin.token")).toBe("tok");
    expect(api.authenticated).toBe(true);
    api.logout();
    expect(store.getItem("twin.token")).toBeNull();
  });

  it("turns problem+json into typed errors", async () => {
    const { api } = client(() => problem(422, "Invalid request", "sort is wrong"));
    const error = await api.rooms({ sort: "bad" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, title: "Invalid request", detail: "sort is wrong", message: "Invalid request: sort is wrong" });
  });

  it("raises NotFoundError on 404", async () => {
    const { api } = client(() => problem(404, "NotFound", "no storey 9"));
    await expect(api.planSvg(9)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("emits 'unauthorised' on 401 and throws UnauthorisedError", async () => {
    const { api } = client(() => problem(401, "NotAuthenticated", "log in first"));
    const seen = vi.fn();
    api.addEventListener("unauthorised", seen);
    await expect(api.me()).rejects.toBeInstanceOf(UnauthorisedError);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("keeps the status line of a non-JSON error", async () => {
    const { api } = client(() => new Response("boom", { status: 500, statusText: "Internal Server Error" }));
    await expect(api.health()).rejects.toMatchObject({ status: 500, title: "Internal Server Error" });
  });

  it("wraps network failures", async () => {
    const api = new ApiClient({ fetch: () => Promise.reject(new TypeError("offline")), store: null });
    await expect(api.health()).rejects.toBeInstanceOf(NetworkError);
  });

  it("builds queries without empty values and pages through rooms", async () => {
    expect(buildQuery({ a: 1, b: undefined, c: "", d: null, e: "x y" })).toBe("?a=1&e=x+y");
    const pages = [{ items: Array(1000).fill({}), total: 1500 }, { items: Array(500).fill({}), total: 1500 }];
    const { api, fetch } = client(() => json(pages.shift()));
    expect((await api.allRooms({ building_id: 2 })).length).toBe(1500);
    expect(fetch.mock.calls.map((c) => c[0])).toEqual([
      "/api/rooms?building_id=2&offset=0&limit=1000",
      "/api/rooms?building_id=2&offset=1000&limit=1000",
    ]);
  });

  it("counts GLB bytes", async () => {
    const { api } = client(() => new Response(new Uint8Array(10), { status: 200 }));
    await api.storeyGlb(1);
    expect(api.bytesReceived).toBe(10);
  });
  it("lists warnings with filters, acknowledges with PATCH and posts finder needs as JSON", async () => {
    const { api, fetch } = client((url, init) => {
      if (url.startsWith("/api/warnings?")) return json({ items: [], total: 0 });
      if (url === "/api/warnings/5") return json({ id: 5, status: JSON.parse(String(init?.body)).status });
      return json({ required_m2: 18, people: 2, candidates: [] });
    });
    await api.warnings({ status: "active", severity: "critical", rule: undefined, limit: 200 });
    expect(fetch.mock.calls[0]![0]).toBe("/api/warnings?status=active&severity=critical&limit=200");
    expect((await api.setWarningStatus(5, "acknowledged")).status).toBe("acknowledged");
    const patch = fetch.mock.calls[1]![1]!;
    expect(patch.method).toBe("PATCH");
    expect(new Headers(patch.headers).get("Content-Type")).toBe("application/json");
    await api.finder({ ranks: { 处级以下: 2 }, level: "provincial", building_id: 1 });
    const post = fetch.mock.calls[2]!;
    expect(post[0]).toBe("/api/finder");
    expect(post[1]!.method).toBe("POST");
    expect(JSON.parse(String(post[1]!.body))).toEqual({ ranks: { 处级以下: 2 }, level: "provincial", building_id: 1 });
  });
});
