"""Floor plans and the campus map over HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from realdata import SHARED_IFC
from twin.ledger.db import open_ledger
from twin.ledger.ingest import ingest_file


def test_a_storey_plan_is_svg_with_every_active_room_by_global_id(client):
    [building] = client.get("/api/buildings").json()
    storey = client.get(f"/api/buildings/{building['id']}").json()["storey_list"][0]
    response = client.get(f"/api/storeys/{storey['id']}/plan.svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.text)
    ids = {g.get("data-global-id") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "room"}
    assert ids == {"0RoomA0101xxxxxxxxxxxx", "0RoomA0102xxxxxxxxxxxx"}
    assert root.find(".//{http://www.w3.org/2000/svg}path[@class='wall']") is not None
    assert client.get(f"/api/storeys/{storey['id']}/plan.svg", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_the_map_places_a_georeferenced_building_at_its_latitude_and_longitude(client, ledger):
    settings, _ = ledger
    engine = open_ledger(settings.database_url)
    ingest_file(SHARED_IFC / "AC20-FZK-Haus.ifc", engine=engine, assets_dir=settings.assets_dir)
    engine.dispose()
    features = client.get("/api/map.geojson").json()["features"]
    haus = next(f for f in features if f["properties"]["kind"] == "building")
    lon, lat = haus["geometry"]["coordinates"][0][0]
    assert abs(lat - 49.1004) < 0.001 and abs(lon - 8.4365) < 0.001
    campus = next(f for f in features if f["properties"]["kind"] == "campus")
    assert campus["geometry"]["coordinates"] == pytest.approx([8.4365, 49.1004], abs=1e-3)
