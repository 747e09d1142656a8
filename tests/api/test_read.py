"""Reading the ledger over HTTP: hierarchy with totals, room search, the room card, 3D assets."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from twin.ledger.db import open_ledger, transaction
from twin.ledger.models import Room


def test_health_answers_ok(client):
    assert client.get("/api/health").json()["status"] == "ok"


def test_the_hierarchy_carries_counts_and_area_totals(client):
    [campus] = client.get("/api/campuses").json()
    assert (campus["name"], campus["buildings"], campus["rooms"]) == ("测试院", 1, 3)
    assert campus["measured_area_m2"] == pytest.approx(20 + 20 + 48)
    [building] = client.get("/api/buildings", params={"campus_id": campus["id"]}).json()
    assert building["storeys"] == 2 and building["rooms"] == 3
    detail = client.get(f"/api/buildings/{building['id']}").json()
    assert [(s["name"], s["rooms"]) for s in detail["storey_list"]] == [("1F", 2), ("2F", 1)]
    assert detail["storey_list"][0]["declared_area_m2"] == pytest.approx(41.0)


def test_room_search_filters_sorts_and_pages(client):
    everything = client.get("/api/rooms").json()
    assert everything["total"] == 3 and len(everything["items"]) == 3
    assert [r["number"] for r in client.get("/api/rooms", params={"q": "办公"}).json()["items"]] == ["A-0101", "A-0102"]
    big = client.get("/api/rooms", params={"min_area": 30}).json()
    assert [r["number"] for r in big["items"]] == ["A-0201"]
    page = client.get("/api/rooms", params={"sort": "-measured_area", "limit": 1, "offset": 0}).json()
    assert page["total"] == 3 and [r["number"] for r in page["items"]] == ["A-0201"]
    deviating = client.get("/api/rooms", params={"min_deviation_pct": 4}).json()
    assert [(r["number"], r["deviation_pct"]) for r in deviating["items"]] == [("A-0101", 5.0)]


def test_the_room_card_shows_measures_declared_areas_with_sources_and_history(client):
    card = client.get("/api/rooms/0RoomA0101xxxxxxxxxxxx").json()
    assert card["measured_area_m2"] == pytest.approx(20.0) and card["declared_area_m2"] == pytest.approx(21.0)
    assert {(a["kind"], a["source"]) for a in card["declared_areas"]} == {
        ("NetFloorArea", "Qto_SpaceBaseQuantities.NetFloorArea"), ("GrossFloorArea", "Qto_SpaceBaseQuantities.GrossFloorArea")
    }
    assert [h["action"] for h in card["history"]] == ["updated", "created"]  # allocated by the ledger load, after ingest
    assert card["unit_name"] == "省发展和改革委员会"
    assert [(o["name"], o["rank"], o["standard_m2"]) for o in card["occupants"]] == [("张伟", "正处级", 18.0)]
    assert card["footprint"]["type"] == "Polygon"


def test_an_unknown_room_is_a_problem_json_404(client):
    response = client.get("/api/rooms/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "NotFound"


def test_storey_and_building_models_are_glb_with_etag_and_304_and_compressed(client):
    [building] = client.get("/api/buildings").json()
    storey = client.get(f"/api/buildings/{building['id']}").json()["storey_list"][0]
    for url in (f"/api/storeys/{storey['id']}/model.glb", f"/api/buildings/{building['id']}/model.glb"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.content[:4] == b"glTF"
        assert response.headers["content-type"] == "model/gltf-binary"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers.get("content-encoding") == "gzip"
        again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_a_page_past_the_end_still_tells_how_many_rooms_match(client):
    last = client.get("/api/rooms", params={"limit": 2, "offset": 2}).json()
    assert last["total"] == 3 and [r["number"] for r in last["items"]] == ["A-0201"]
    beyond = client.get("/api/rooms", params={"limit": 2, "offset": 10}).json()
    assert beyond == {"items": [], "total": 3}
    assert client.get("/api/rooms", params={"q": "no such room"}).json() == {"items": [], "total": 0}


def test_a_cached_room_card_is_never_stale_after_a_write_from_elsewhere(client, ledger):
    gid = "0RoomA0101xxxxxxxxxxxx"
    assert client.get(f"/api/rooms/{gid}").json()["remarks"] is None
    assert client.get(f"/api/rooms/{gid}").json()["remarks"] is None  # now from the cache
    other = open_ledger(ledger[0].database_url)  # another process: twin load, twin ingest...
    try:
        with transaction(other) as session:
            session.execute(update(Room).where(Room.global_id == gid).values(remarks="东侧漏水"))
    finally:
        other.dispose()
    assert client.get(f"/api/rooms/{gid}").json()["remarks"] == "东侧漏水"


def test_a_card_cached_for_one_role_is_not_served_to_a_role_that_sees_no_names(client, client_as):
    gid = "0RoomA0101xxxxxxxxxxxx"
    assert client.get(f"/api/rooms/{gid}").json()["occupants"][0]["name"] == "张伟"
    viewer_card = client_as("viewer").get(f"/api/rooms/{gid}")
    assert viewer_card.status_code == 200 and "张伟" not in viewer_card.text


def test_a_cached_room_search_is_never_stale_after_a_write_from_elsewhere(client, ledger):
    assert client.get("/api/rooms", params={"q": "档案室"}).json()["total"] == 0
    assert client.get("/api/rooms", params={"q": "档案室"}).json()["total"] == 0  # now from the cache
    other = open_ledger(ledger[0].database_url)
    try:
        with transaction(other) as session:
            session.execute(update(Room).where(Room.number == "A-0201").values(name="档案室"))
    finally:
        other.dispose()
    assert [r["number"] for r in client.get("/api/rooms", params={"q": "档案室"}).json()["items"]] == ["A-0201"]
