"""Who may do what: every endpoint against every role, and a viewer never sees a name."""

from __future__ import annotations

import json

import pytest

OWN_ROOM, OTHER_ROOM = "0RoomA0101xxxxxxxxxxxx", "0RoomA0102xxxxxxxxxxxx"
NAMES = ("张伟", "李娜")

# (method, url, body) -> expected status for anonymous, admin, unit_manager (unit FGW), inspector, viewer
READS = [
    ("GET", "/api/campuses", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/buildings", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/rooms", None, (401, 200, 200, 200, 200)),
    ("GET", f"/api/rooms/{OWN_ROOM}", None, (401, 200, 200, 200, 200)),
    ("GET", f"/api/rooms/{OTHER_ROOM}", None, (401, 200, 403, 200, 200)),
    ("GET", "/api/rooms/export.csv", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/map.geojson", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/people", None, (401, 200, 200, 200, 403)),
    ("GET", "/api/units", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/users", None, (401, 200, 403, 403, 403)),
    ("GET", "/api/models", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/me", None, (401, 200, 200, 200, 200)),
]
WRITES = [
    ("PATCH", f"/api/rooms/{OWN_ROOM}", {"remarks": "南向"}, (401, 200, 200, 403, 403)),
    ("PATCH", f"/api/rooms/{OTHER_ROOM}", {"remarks": "北向"}, (401, 200, 403, 403, 403)),
    ("PATCH", f"/api/rooms/{OWN_ROOM}", {"unit_id": 2}, (401, 200, 403, 403, 403)),
    ("POST", f"/api/rooms/{OWN_ROOM}/declared-areas", {"value_m2": 20.5, "source": "测绘报告"}, (401, 201, 201, 403, 403)),
    ("POST", f"/api/rooms/{OTHER_ROOM}/inspections", {"finding": "实测面积与台账不符", "severity": "warning"}, (401, 201, 403, 201, 403)),
    ("PUT", "/api/people/P001", {"title": "副处长"}, (401, 200, 200, 403, 403)),
    ("PUT", "/api/people/P002", {"title": "主任科员"}, (401, 200, 403, 403, 403)),
    ("PUT", "/api/units/NEW", {"name": "新单位", "admin_level": "provincial"}, (401, 200, 403, 403, 403)),
    ("POST", "/api/users", {"username": "u1", "password": "long enough pw", "role": "viewer"}, (401, 201, 403, 403, 403)),
]
ROLES = (None, "admin", "unit_manager", "inspector", "viewer")


@pytest.mark.parametrize("method, url, body, expected", READS + WRITES, ids=lambda v: v if isinstance(v, str) else None)
def test_each_role_gets_exactly_what_it_may(client_as, method, url, body, expected):
    for role, status in zip(ROLES, expected):
        response = client_as(role).request(method, url, json=body)
        assert response.status_code == status, f"{role} {method} {url}: {response.status_code} {response.text[:200]}"
        if status >= 400:
            assert response.headers["content-type"] == "application/problem+json"


def test_health_and_login_are_open_to_anonymous_requests(client_as):
    anonymous = client_as(None)
    assert anonymous.get("/api/health").status_code == 200
    assert anonymous.post("/api/auth/token", data={"username": "admin", "password": "wrong password"}).status_code == 401
    assert anonymous.get("/api/rooms").headers["www-authenticate"] == "Bearer"


def test_a_viewer_sees_rooms_and_areas_but_no_personal_names(client_as):
    viewer = client_as("viewer")
    texts = [viewer.get(url).text for url in (f"/api/rooms/{OWN_ROOM}", f"/api/rooms/{OTHER_ROOM}", "/api/rooms", "/api/rooms/export.csv")]
    card = json.loads(texts[0])
    assert card["measured_area_m2"] == pytest.approx(20.0)
    assert [(o["rank"], o["standard_m2"]) for o in card["occupants"]] == [("正处级", 18.0)]
    assert all("name" not in o for o in card["occupants"])
    for text in texts:
        assert not any(name in text for name in NAMES)
    assert any(name in client_as("inspector").get(f"/api/rooms/{OWN_ROOM}").text for name in NAMES)


def test_a_unit_manager_searches_only_its_own_units_rooms(client_as):
    rooms = client_as("unit_manager").get("/api/rooms").json()
    assert rooms["total"] == 2 and {r["unit_name"] for r in rooms["items"]} == {"省发展和改革委员会"}
    assert client_as("unit_manager").get("/api/rooms", params={"unit_id": 2}).json()["total"] == 2
