"""Viewer load benchmark in headless Chromium: time to the first rendered room and to the whole building.

Measures, from navigation start (performance.now() in the page):
* the first frame that shows a room, and the first frame with every storey loaded;
* draw calls and triangles of a frame of the whole building (target: <= 3 draw calls per storey);
* bytes of GLB geometry transferred, and the time to draw one frame (SwiftShader: CPU only).

Usage (prints a Markdown table):
    .venv/bin/python bench/viewer_load.py                  # serve the local ledger ($TWIN_DATA_DIR, ./var)
    .venv/bin/python bench/viewer_load.py --building 1 --runs 5
    .venv/bin/python bench/viewer_load.py --url http://127.0.0.1:8765 --username admin --password ...

Without --url it starts the API in a thread over the local ledger and mints a short-lived viewer
token with the ledger's secret key (no account is created). The viewer must be built (viewer/dist).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

FRAME_TIME_JS = """() => {
  const viewer = window.__twin.app.scene.viewer;
  const gl = viewer.renderer.getContext();
  viewer.render(); gl.finish();
  const t0 = performance.now();
  for (let i = 0; i < 10; i += 1) { viewer.render(); gl.finish(); }
  return (performance.now() - t0) / 10;
}"""


def start_local_server() -> tuple[str, str, object]:
    """The API over the local ledger on a free port, and a viewer token signed with its key."""
    import uvicorn

    from api.main import create_app
    from twin.auth import get_secret_key, issue_token
    from twin.config import get_settings

    settings = get_settings()
    app = create_app(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    token = issue_token(SimpleNamespace(username="bench", role="viewer", unit_id=None), get_secret_key(settings.data_dir), hours=1)
    return f"http://127.0.0.1:{port}", token, server


def login(url: str, username: str, password: str) -> str:
    data = urllib.parse.urlencode({"username": username, "password": password}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{url}/api/auth/token", data=data), timeout=30) as response:
        return json.loads(response.read())["access_token"]


def get(url: str, path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers), timeout=30) as response:
        return json.loads(response.read())


def run_once(playwright, chromium: str, url: str, token: str | None, building: int) -> dict:
    """One cold load: a fresh browser (empty cache, new GPU process) per run."""
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
    if token:
        context.add_init_script(f"sessionStorage.setItem('twin.token', {json.dumps(token)})")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/#b={building}")
    page.wait_for_function("() => window.__twin && window.__twin.stats().done", timeout=300_000, polling=50)
    page.wait_for_function("() => window.__twin.idle()", timeout=30_000)
    stats = page.evaluate("() => window.__twin.stats()")
    stats["frameMs"] = page.evaluate(FRAME_TIME_JS)
    stats["errors"] = errors
    context.close()
    browser.close()
    return stats


def table(rows: list[dict], building: dict) -> str:
    head = "| run | first room (ms) | whole building (ms) | storeys | rooms | draw calls / frame | calls per storey | triangles | GLB bytes | frame (ms) |"
    lines = [f"Building {building['id']} {building.get('name') or ''}: {building['storeys']} storeys, {building['rooms']} rooms", "", head, "|" + "---|" * 10]

    def line(label: str, r: dict) -> str:
        per = r["calls"] / max(1, r["storeysLoaded"])
        return (f"| {label} | {r['firstRoomAt']:.0f} | {r['allLoadedAt']:.0f} | {r['storeysLoaded']}/{r['storeysTotal']} | {r['rooms']} | "
                f"{r['calls']} | {per:.1f} | {r['triangles']} | {r['bytes']:,} | {r['frameMs']:.1f} |")

    for i, r in enumerate(rows, 1):
        lines.append(line(str(i), r))
    if len(rows) > 1:
        median = {key: statistics.median(r[key] for r in rows) for key in ("firstRoomAt", "allLoadedAt", "frameMs")}
        lines.append(line("median", {**rows[-1], **median}))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running twin API serving the viewer (default: start one over the local ledger)")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--token")
    parser.add_argument("--building", type=int, help="building id (default: the one with the most storeys)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    server = None
    if args.url:
        url = args.url.rstrip("/")
        token = args.token or (login(url, args.username, args.password) if args.username else None)
    else:
        url, token, server = start_local_server()
    buildings = get(url, "/api/buildings", token)
    if not buildings:
        print("no buildings in the ledger: ingest a model first", file=sys.stderr)
        return 2
    building = next((b for b in buildings if b["id"] == args.building), None) if args.building else max(buildings, key=lambda b: (b["storeys"], b["rooms"]))
    if building is None:
        print(f"no building {args.building}", file=sys.stderr)
        return 2
    with sync_playwright() as playwright:
        rows = [run_once(playwright, args.chromium, url, token, building["id"]) for _ in range(args.runs)]
    print(table(rows, building))
    for r in rows:
        if r["errors"]:
            print(f"\npage errors: {r['errors']}", file=sys.stderr)
    if server is not None:
        server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
