"""Shared pieces of the browser tests (imported by conftest.py and the tests).

Browser end-to-end fixtures: the built viewer, a live API over a small ingested ledger, Chromium.

* The viewer is built once (``npm ci && npm run build``) when ``viewer/dist`` is missing.
* The API runs with uvicorn in a background thread on a free port, over a temporary SQLite ledger
  filled by ingesting a small generated model (two storeys, rooms of several categories, declared
  areas that differ from the measured ones).
* Chromium is ``/usr/bin/chromium`` (or ``$TWIN_CHROMIUM``), driven by Python Playwright (sync API).
* Outside CI a missing tool (npm, Chromium, Playwright) skips these tests; with ``CI=true`` it fails.
* Screenshots of each state go to ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ifc_factory import RoomSpec, build_model

ROOT = Path(__file__).resolve().parents[2]
VIEWER = ROOT / "viewer"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("TWIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
USERNAME, PASSWORD = "e2e-admin", "e2e-admin-password"
VIEWER_USER, VIEWER_PASSWORD = "e2e-viewer", "e2e-viewer-password"


def missing(reason: str):
    """Skip for a missing tool, except in CI where it is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: tools must be present)")
    pytest.skip(reason)


def e2e_rooms() -> list[RoomSpec]:
    """Seven rooms on two storeys: several categories, deviations of -10 %, 0 and +10 % and more."""
    def box(x0, y0, x1, y1):
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]

    return [
        RoomSpec("E-101", "局长办公室", outline=box(0, 0, 6, 5), net_area=33.0, global_id="0E2eRoom101xxxxxxxxxxx"),
        RoomSpec("E-102", "科员办公室", outline=box(6, 0, 12, 5), net_area=27.0, global_id="0E2eRoom102xxxxxxxxxxx"),
        RoomSpec("E-103", "会议室", outline=box(12, 0, 20, 5), global_id="0E2eRoom103xxxxxxxxxxx"),
        RoomSpec("E-104", "档案室", outline=box(0, 5, 10, 10), net_area=60.0, global_id="0E2eRoom104xxxxxxxxxxx"),
        RoomSpec("E-105", "卫生间", outline=box(10, 5, 20, 10), net_area=40.0, global_id="0E2eRoom105xxxxxxxxxxx"),
        RoomSpec("E-201", "处长办公室", storey=1, outline=box(0, 0, 10, 10), net_area=90.0, global_id="0E2eRoom201xxxxxxxxxxx"),
        RoomSpec("E-202", "接待室", storey=1, outline=box(10, 0, 20, 10), net_area=125.0, global_id="0E2eRoom202xxxxxxxxxxx"),
    ]


COMPARE_PROJECT_ID = "0E2eCompareProject".ljust(22, "x")
COMPARE_BUILDING = "对比测试楼"
PERSON = {"code": "E2E-P001", "name": "王测试员", "title": "测试副处长", "rank": "副处级"}
UNIT = {"code": "E2E-UNIT", "name": "测试厅", "reference_level": "provincial"}


def compare_rooms(version: int) -> list[RoomSpec]:
    """A tiny model in two versions: C-103 is removed in version 2 and C-104 added."""
    def box(x0, y0, x1, y1):
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]

    rooms = [
        RoomSpec("C-101", "会议室", outline=box(0, 0, 8, 5), global_id="0E2eCmpR101".ljust(22, "x")),
        RoomSpec("C-102", "科员办公室", outline=box(8, 0, 14, 5), global_id="0E2eCmpR102".ljust(22, "x")),
    ]
    if version == 1:
        rooms.append(RoomSpec("C-103", "档案室", outline=box(0, 5, 14, 10), global_id="0E2eCmpR103".ljust(22, "x")))
    else:
        rooms.append(RoomSpec("C-104", "接待室", outline=box(0, 5, 14, 10), global_id="0E2eCmpR104".ljust(22, "x")))
    return rooms


def locate(path: Path, latitude=(23, 7, 54, 0), longitude=(113, 15, 52, 0)) -> Path:
    """Give the model's site a WGS84 position (so the map has something to draw)."""
    import ifcopenshell

    model = ifcopenshell.open(str(path))
    for site in model.by_type("IfcSite"):
        site.RefLatitude, site.RefLongitude, site.RefElevation = latitude, longitude, 10.0
    model.write(str(path))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def viewer_dist() -> Path:
    """viewer/dist, built once if missing."""
    dist = VIEWER / "dist"
    if (dist / "index.html").is_file() and os.environ.get("TWIN_E2E_REBUILD") != "1":
        return dist
    npm = shutil.which("npm")
    if npm is None:
        missing("npm is not installed: cannot build the viewer")
    if not (VIEWER / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=VIEWER, check=True)
    subprocess.run([npm, "run", "build"], cwd=VIEWER, check=True)
    return dist


@dataclass
class LiveServer:
    url: str
    settings: object
    token: str | None = None
    viewer_token: str | None = None
    building_id: int = 0
    compare_building_id: int = 0
    occupied_room: str = ""
    storeys: list[dict] = field(default_factory=list)

    def get(self, path: str, token: str | None = None) -> object:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {token or self.token}"} if (token or self.token) else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            return json.loads(body) if "json" in response.headers.get("content-type", "") else body

    def send(self, method: str, path: str, body: dict) -> object:
        """A JSON request with the admin token (for seeding the ledger through the public API)."""
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def login(self, username: str, password: str) -> str | None:
        data = urllib.parse.urlencode({"username": username, "password": password}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url + "/api/auth/token", data=data), timeout=30) as response:
                return json.loads(response.read())["access_token"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None  # the API has no authentication (yet)
            raise


def _add_users(engine) -> None:
    try:
        from twin.auth import create_user
    except ImportError:
        return
    from twin.ledger.db import transaction

    with transaction(engine) as session:
        create_user(session, USERNAME, PASSWORD, role="admin", actor="e2e")
        create_user(session, VIEWER_USER, VIEWER_PASSWORD, role="viewer", actor="e2e")


@pytest.fixture(scope="session")
def live_server(viewer_dist, tmp_path_factory) -> Iterator[LiveServer]:
    """The API (serving the built viewer at /) over a fresh ledger, on a free port."""
    from twin.ledger.ingest import ingest_file

    folder = tmp_path_factory.mktemp("e2e")
    settings, engine = _new_ledger(folder)
    ingest_file(locate(build_model(folder / "e2e.ifc", e2e_rooms(), building_name="测试办公楼")), engine=engine, assets_dir=settings.assets_dir)
    # a second, tiny building whose model has two versions (for the compare panel)
    for version in (1, 2):
        path = build_model(folder / f"compare_v{version}.ifc", compare_rooms(version), building_name=COMPARE_BUILDING, project_id=COMPARE_PROJECT_ID)
        ingest_file(path, engine=engine, assets_dir=settings.assets_dir)
    _add_users(engine)
    engine.dispose()
    with serving(settings) as live:
        yield _seeded(live)


def _new_ledger(folder: Path):
    """Settings for a SQLite ledger, its data and assets in ``folder``, and the ledger's engine."""
    from twin.config import Settings
    from twin.ledger.db import open_ledger

    settings = Settings(database_url=f"sqlite:///{folder / 'twin.db'}", data_dir=folder, assets_dir=folder / "assets")
    return settings, open_ledger(settings.database_url)


def _seeded(live: LiveServer) -> LiveServer:
    live.token = live.login(USERNAME, PASSWORD)
    live.viewer_token = live.login(VIEWER_USER, VIEWER_PASSWORD)
    buildings = live.get("/api/buildings")
    building = next(b for b in buildings if b["name"] != COMPARE_BUILDING)
    live.building_id = building["id"]
    live.compare_building_id = next(b["id"] for b in buildings if b["name"] == COMPARE_BUILDING)
    live.storeys = live.get(f"/api/buildings/{live.building_id}/storeys")
    if live.token:
        _seed_people(live)
    return live


@contextlib.contextmanager
def serving(settings) -> Iterator[LiveServer]:
    """The API with ``settings`` (serving the built viewer at /) on a free port, in a thread, until the block ends."""
    import uvicorn

    from api.main import create_app

    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            pytest.fail("the API did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


@pytest.fixture
def empty_server(viewer_dist, tmp_path) -> Iterator[LiveServer]:
    """The API over a ledger with nothing in it but an admin (who may upload models)."""
    settings, engine = _new_ledger(tmp_path)
    _add_users(engine)
    engine.dispose()
    with serving(settings) as live:
        live.token = live.login(USERNAME, PASSWORD)
        yield live


def _seed_people(live: LiveServer) -> None:
    """Through the API: a unit, one named person in the (too large) room E-201, and two vacant offices for the finder."""
    rooms = {r["number"]: r for r in live.get(f"/api/rooms?building_id={live.building_id}&limit=100")["items"]}
    unit = live.send("PUT", f"/api/units/{UNIT['code']}", {"name": UNIT["name"], "admin_level": UNIT["reference_level"], "reference_level": UNIT["reference_level"], "approved_posts": {"副处级": 1}})
    live.send("PUT", f"/api/people/{PERSON['code']}", {"name": PERSON["name"], "title": PERSON["title"], "rank": PERSON["rank"], "unit_id": unit["id"], "status": "active"})
    occupied = rooms["E-201"]["global_id"]
    live.send("PATCH", f"/api/rooms/{occupied}", {"unit_id": unit["id"], "use_status": "in_use"})
    live.send("POST", f"/api/rooms/{occupied}/occupants", {"person_code": PERSON["code"], "start_date": "2024-01-01"})
    for number in ("E-101", "E-102"):
        live.send("PATCH", f"/api/rooms/{rooms[number]['global_id']}", {"use_status": "vacant"})
    live.occupied_room = occupied


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Python playwright is not installed (pip install playwright; never `playwright install`)")
    if not Path(CHROMIUM).is_file():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A browser page on the viewer, logged in (token in sessionStorage), collecting console errors."""

    def __init__(self, browser, live: LiveServer, token: str | None, name: str):
        self.live = live
        self.name = name
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
        if token:
            self.context.add_init_script(f"sessionStorage.setItem('twin.token', {json.dumps(token)})")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self, hash_: str = "") -> None:
        self.page.goto(f"{self.live.url}/{'#' + hash_ if hash_ else ''}")
        self.wait_loaded()

    def wait_loaded(self, timeout: float = 60_000) -> None:
        self.page.wait_for_function("() => window.__twin && window.__twin.stats().done", timeout=timeout)
        self.wait_idle()

    def wait_idle(self) -> None:
        """No camera animation running and the last change drawn."""
        self.page.wait_for_function("() => window.__twin.idle()", timeout=20_000)
        self.page.wait_for_timeout(100)

    def twin(self, expression: str):
        return self.page.evaluate(f"() => window.__twin.{expression}")

    def screenshot(self, state: str) -> bytes:
        return self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{state}.png"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def viewer_page(browser, live_server, request):
    page = Page(browser, live_server, live_server.token, request.node.name)
    yield page
    page.close()
