"""Writing over HTTP: validation, history, concurrent edits, uploads and exports."""

from __future__ import annotations

import io
import threading
import time

import openpyxl
import pytest
from sqlalchemy.orm.exc import StaleDataError

from api.deps import SessionDep  # module-level: the probe route's annotation is resolved from here

from ifc_factory import RoomSpec, build_model
from ifc.test_reader import make_bad_inputs

ROOM = "0RoomA0101xxxxxxxxxxxx"


def test_an_edit_is_validated_and_recorded_with_who_and_when(client):
    card = client.get(f"/api/rooms/{ROOM}").json()
    bad = client.patch(f"/api/rooms/{ROOM}", json={"use_status": "occupied", "row_version": card["row_version"]})
    assert bad.status_code == 422 and "use_status" in bad.json()["detail"]
    edited = client.patch(f"/api/rooms/{ROOM}", json={"use_status": "repair", "category": "meeting", "row_version": card["row_version"]}).json()
    assert (edited["use_status"], edited["category"], edited["row_version"]) == ("repair", "meeting", card["row_version"] + 1)
    latest = edited["history"][0]
    assert latest["action"] == "edited" and latest["actor"] == "admin"
    assert latest["changes"]["use_status"] == ["in_use", "repair"]


def test_a_write_found_stale_when_the_session_writes_is_a_409_problem(app, client_as):
    """Row-version checks that SQLAlchemy makes at the flush (two writers of one row at once)
    come out of a route's session as any stale edit does."""
    @app.patch("/api/stale-probe")
    def probe(session: SessionDep):
        raise StaleDataError("UPDATE statement on table 'room' expected to update 1 row(s); 0 were matched.")

    app.router.routes.insert(0, app.router.routes.pop())  # before the viewer's catch-all mount
    clash = client_as("admin").patch("/api/stale-probe")
    assert clash.status_code == 409 and clash.headers["content-type"] == "application/problem+json"
    assert clash.json()["title"] == "StaleRecord" and "reload and try again" in clash.json()["detail"]


def test_the_second_of_two_edits_from_the_same_version_gets_409_and_nothing_is_lost(client_as):
    first, second = client_as("admin"), client_as("unit_manager")
    version = first.get(f"/api/rooms/{ROOM}").json()["row_version"]
    assert first.patch(f"/api/rooms/{ROOM}", json={"remarks": "甲", "row_version": version}).status_code == 200
    clash = second.patch(f"/api/rooms/{ROOM}", json={"remarks": "乙", "row_version": version})
    assert clash.status_code == 409 and clash.headers["content-type"] == "application/problem+json"
    assert first.get(f"/api/rooms/{ROOM}").json()["remarks"] == "甲"


def test_concurrent_edits_in_threads_never_both_win(client_as):
    clients = [client_as("admin") for _ in range(4)]
    version = clients[0].get(f"/api/rooms/{ROOM}").json()["row_version"]
    results = []

    def edit(index):
        results.append(clients[index].patch(f"/api/rooms/{ROOM}", json={"remarks": f"r{index}", "row_version": version}).status_code)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409, 409, 409]
    card = clients[0].get(f"/api/rooms/{ROOM}").json()
    assert card["row_version"] == version + 1 and sum(h["action"] == "edited" for h in card["history"]) == 1


def test_move_out_and_in_change_occupants_and_use_status(client):
    card = client.get(f"/api/rooms/{ROOM}").json()
    occupancy = card["occupants"][0]["occupancy_id"]
    after = client.post(f"/api/occupancies/{occupancy}/end", json={"end_date": "2026-10-31"}).json()
    assert after["occupants"] == [] and after["use_status"] == "vacant"
    back = client.post(f"/api/rooms/{ROOM}/occupants", json={"person_code": "P002", "start_date": "2026-11-01"})
    assert back.status_code == 201 and [o["person_code"] for o in back.json()["occupants"]] == ["P002"]
    assert back.json()["use_status"] == "in_use"
    twice = client.post(f"/api/rooms/{ROOM}/occupants", json={"person_code": "P002", "start_date": "2026-11-02"})
    assert twice.status_code == 422


def test_a_manual_declared_area_becomes_the_primary_one(client):
    card = client.post(f"/api/rooms/{ROOM}/declared-areas", json={"value_m2": 19.5, "source": "2026年测绘报告"}).json()
    assert card["declared_area_m2"] == pytest.approx(19.5) and card["declared_area_source"] == "2026年测绘报告"
    assert {"origin": "ledger", "kind": "NetFloorArea", "value_m2": 19.5, "source": "2026年测绘报告"} in card["declared_areas"]


def test_people_and_units_are_validated_against_the_standard(client):
    assert client.put("/api/people/P009", json={"name": "赵六", "rank": "司令", "unit_id": 1}).status_code == 422
    created = client.put("/api/people/P009", json={"name": "赵六", "rank": "副处级", "unit_id": 1})
    assert created.status_code == 200 and created.json()["row_version"] == 1
    stale = client.put("/api/people/P009", json={"title": "副处长", "row_version": 7})
    assert stale.status_code == 409
    assert client.put("/api/units/X1", json={"name": "某局", "admin_level": "galactic"}).status_code == 422


def test_exports_carry_the_filtered_rooms_as_csv_and_xlsx(client):
    csv_text = client.get("/api/rooms/export.csv", params={"q": "办公"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("GlobalId,建筑物 Building") and len(csv_text.splitlines()) == 3
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/rooms/export.xlsx").content))
    rows = list(book.active.values)
    assert rows[0][3] == "房间号" and rows[1][3] == "Number" and len(rows) == 2 + 3


def wait_for(client, url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job did not finish: {job}")


def test_an_uploaded_model_is_ingested_in_the_background_with_progress(client, tmp_path):
    model = build_model(tmp_path / "annex.ifc", [RoomSpec("B-0101", "档案室", global_id="0RoomB0101xxxxxxxxxxxx")], building_name="二号楼")
    response = client.post("/api/models", files={"file": ("annex.ifc", model.read_bytes(), "application/octet-stream")})
    assert response.status_code == 202
    job = wait_for(client, response.json()["status_url"])
    assert job["status"] == "done" and job["result"]["rooms"] == 1 and job["created_by"] == "admin"
    assert client.get("/api/rooms/0RoomB0101xxxxxxxxxxxx").json()["name"] == "档案室"


@pytest.mark.parametrize("kind", ["empty", "html", "truncated", "unsupported-schema"])
def test_a_bad_upload_is_refused_with_the_same_clear_error_as_the_cli(client, tmp_path, kind):
    path = make_bad_inputs(tmp_path)[kind]
    response = client.post("/api/models", files={"file": ("x.ifc", path.read_bytes(), "application/octet-stream")})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] in ("BadIfcFile", "UnsupportedSchema")


def test_an_upload_past_the_size_limit_is_413(client, monkeypatch, tmp_path):
    monkeypatch.setenv("TWIN_MAX_UPLOAD_MB", "0.01")
    model = build_model(tmp_path / "big.ifc", [RoomSpec(f"R{i}", global_id=None) for i in range(3)])
    response = client.post("/api/models", files={"file": ("big.ifc", model.read_bytes() * 2, "application/octet-stream")})
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert not list((tmp_path / "uploads").glob("*"))  # the partial upload is removed


def test_only_an_admin_uploads(client_as, tmp_path):
    model = build_model(tmp_path / "m.ifc", [RoomSpec("X")])
    response = client_as("inspector").post("/api/models", files={"file": ("m.ifc", model.read_bytes(), "application/octet-stream")})
    assert response.status_code == 403
