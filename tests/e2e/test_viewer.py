"""The viewer in headless Chromium against a live API: load, search, colour, plan, deep links, map, login.

Each test saves screenshots to test-artifacts/e2e/<test>-<state>.png.
"""

from __future__ import annotations

import re

import pytest

from e2e_support import ARTIFACTS
from pixels import colour_stats, decode_png, difference

SELECTED = (0xFF, 0xD4, 0x00)


def room_by_number(live, number: str) -> dict:
    items = live.get(f"/api/rooms?q={number}")["items"]
    return next(item for item in items if item["number"] == number)


def artifact(viewer_page, state: str):
    return ARTIFACTS / f"{viewer_page.name}-{state}.png"


def test_page_loads_without_console_errors(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    stats = viewer_page.twin("stats()")
    viewer_page.screenshot("loaded")
    total_rooms = live_server.get(f"/api/rooms?building_id={live_server.building_id}&limit=1")["total"]
    assert stats["storeysLoaded"] == len(live_server.storeys)
    assert stats["rooms"] == total_rooms
    assert 0 < stats["calls"] <= 3 * len(live_server.storeys), "at most 3 draw calls per storey"
    assert stats["bytes"] > 0
    assert viewer_page.page.locator("#legend li").count() >= 3
    assert viewer_page.errors == []


def test_search_selects_room_and_card_matches_api(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    room = room_by_number(live_server, "E-104")
    viewer_page.page.fill("#search", "E-104")
    viewer_page.page.click(f'.search-result[data-global-id="{room["global_id"]}"]')
    card = viewer_page.page.locator(f'#room-card[data-global-id="{room["global_id"]}"]')
    card.wait_for()
    viewer_page.wait_idle()
    viewer_page.screenshot("selected")
    assert viewer_page.twin("selected()") == room["global_id"]
    assert float(card.locator('[data-field="measured"]').get_attribute("data-value")) == pytest.approx(room["measured_area_m2"])
    assert float(card.locator('[data-field="declared"]').get_attribute("data-value")) == pytest.approx(room["declared_area_m2"])
    assert f'{room["measured_area_m2"]:.2f}' in card.locator('[data-field="measured"]').inner_text()
    assert card.locator('[data-field="number"]').inner_text() == "E-104"
    painted = viewer_page.twin(f'paintedColour("{room["global_id"]}")')
    assert tuple(painted.to_bytes(3, "big")) == SELECTED
    assert viewer_page.errors == []


def test_colour_mode_changes_rendered_pixels(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}&c=category")
    canvas = viewer_page.page.locator("canvas.viewer-canvas")
    before = decode_png(viewer_page.page, canvas.screenshot(path=str(artifact(viewer_page, "category"))))
    viewer_page.page.select_option("#colour-mode", "deviation")
    viewer_page.wait_idle()
    after = decode_png(viewer_page.page, canvas.screenshot(path=str(artifact(viewer_page, "deviation"))))
    stats_before, stats_after = colour_stats(before), colour_stats(after)
    changed = difference(before, after)
    assert changed > 0.02, f"only {changed:.2%} of pixels changed ({stats_before} -> {stats_after})"
    assert stats_before["mean"] != stats_after["mean"]
    # the model has rooms declared 10 % above and below measured: red and blue must appear
    assert stats_after["reddish"] > stats_before["reddish"] or stats_after["bluish"] > stats_before["bluish"]
    assert viewer_page.page.locator("#legend .gradient").count() == 1
    assert "c=deviation" in viewer_page.page.evaluate("location.hash")


def test_plan_click_selects_room_in_3d(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    viewer_page.page.click('#toolbar button[data-tool="plan"]')
    plan_room = viewer_page.page.locator("#plan g.room[data-global-id]").first
    try:
        plan_room.wait_for(timeout=20_000)
    except Exception:
        if viewer_page.page.locator("#plan .unavailable").count():
            pytest.xfail("GET /api/storeys/{id}/plan.svg is not available from the API yet")
        raise
    global_id = plan_room.get_attribute("data-global-id")
    plan_room.click()
    viewer_page.page.wait_for_function(f"() => window.__twin.selected() === {global_id!r}")
    viewer_page.wait_idle()
    viewer_page.screenshot("plan-selected")
    assert viewer_page.twin(f"paintedColour({global_id!r})") == 0xFFD400
    assert viewer_page.page.locator(f'#room-card[data-global-id="{global_id}"]').is_visible()
    assert "selected" in (viewer_page.page.locator(f'#plan g.room[data-global-id="{global_id}"]').get_attribute("class") or "")
    # and back: a room picked in 3D is the one marked in the plan
    other = viewer_page.page.locator("#plan g.room[data-global-id]").nth(1).get_attribute("data-global-id")
    point = viewer_page.twin(f"screenOf({other!r})")
    viewer_page.page.mouse.click(point["x"], point["y"])
    viewer_page.page.wait_for_function(f"() => document.querySelector('#plan g.room.selected')?.dataset.globalId === {other!r}")
    viewer_page.wait_idle()
    viewer_page.screenshot("picked-in-3d")
    assert viewer_page.errors == []


def test_click_in_3d_picks_the_room(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    room = room_by_number(live_server, "E-202")  # upper storey: nothing above it
    point = viewer_page.twin(f'screenOf("{room["global_id"]}")')
    viewer_page.page.mouse.click(point["x"], point["y"])
    viewer_page.page.wait_for_function(f'() => window.__twin.selected() === "{room["global_id"]}"', timeout=10_000)
    viewer_page.wait_idle()
    viewer_page.screenshot("picked")
    assert viewer_page.page.locator('#room-card [data-field="number"]').inner_text() == "E-202"


def test_deep_link_restores_the_view(viewer_page, live_server):
    room = room_by_number(live_server, "E-201")
    storey = room["storey_id"]
    camera = "31.5,22.25,18,10,3.5,-5"
    link = f"b={live_server.building_id}&s={storey}&r={room['global_id']}&c=deviation&cam={camera}"
    viewer_page.open(link)
    viewer_page.page.locator(f'#room-card[data-global-id="{room["global_id"]}"]').wait_for()
    viewer_page.wait_idle()
    viewer_page.screenshot("restored")
    state = viewer_page.twin("state()")
    assert state["building"] == live_server.building_id
    assert state["storey"] == storey
    assert state["colour"] == "deviation"
    assert viewer_page.twin("selected()") == room["global_id"]
    assert viewer_page.page.input_value("#colour-mode") == "deviation"
    expected = [float(v) for v in camera.split(",")]
    assert state["camera"]["position"] + state["camera"]["target"] == pytest.approx(expected, abs=0.02)
    # the URL keeps following the view: a new colour mode is written back and survives a reload
    viewer_page.page.select_option("#colour-mode", "use_status")
    viewer_page.page.wait_for_function("() => location.hash.includes('c=use_status')")
    hash_ = viewer_page.page.evaluate("location.hash")
    assert re.search(r"cam=[-\d.,]+", hash_)
    viewer_page.page.reload()
    viewer_page.wait_loaded()
    assert viewer_page.twin("state()")["colour"] == "use_status"
    assert viewer_page.twin("selected()") == room["global_id"]
    assert viewer_page.errors == []


def test_map_click_opens_building(viewer_page, live_server):
    viewer_page.open()
    viewer_page.page.click('.tabs button[data-tab="map"]')
    building = viewer_page.page.locator(f'#map path.building[data-building-id="{live_server.building_id}"]')
    # the e2e model is located (e2e_support.locate): its campus and building are drawn once the map has loaded
    # (counted at once, a loaded machine found neither yet, and the test passed as an expected failure)
    viewer_page.page.wait_for_selector("#map g.campus circle", timeout=15_000)
    viewer_page.page.locator("#map g.campus circle").first.click()
    building.wait_for(state="attached", timeout=15_000)
    viewer_page.screenshot("map")
    building.click(force=True)
    viewer_page.page.wait_for_function(f"() => window.__twin.state().building === {live_server.building_id}")
    viewer_page.wait_loaded()
    assert viewer_page.errors == []


def test_login_form_when_the_api_answers_401(browser, live_server):
    if live_server.token is None:
        pytest.skip("the API has no authentication yet (POST /api/auth/token is 404)")
    from e2e_support import VIEWER_PASSWORD, VIEWER_USER, Page

    page = Page(browser, live_server, None, "test_login")
    try:
        page.page.goto(live_server.url + "/")
        page.page.locator("#login-username").wait_for()
        page.screenshot("form")
        page.page.fill("#login-username", VIEWER_USER)
        page.page.fill("#login-password", VIEWER_PASSWORD)
        page.page.click('#login button[type="submit"]')
        page.wait_loaded()
        page.screenshot("logged-in")
        assert page.page.locator("#login").is_hidden()
        assert page.page.evaluate("sessionStorage.getItem('twin.token')")
        assert VIEWER_USER in page.page.inner_text("#user")
        # a 401 before logging in is expected; nothing else may go wrong
        assert [e for e in page.errors if "401" not in e] == []
    finally:
        page.close()


def test_english_toggle(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    assert viewer_page.page.inner_text('#toolbar button[data-tool="xray"]') == "透视"
    viewer_page.page.click("#lang-toggle")
    assert viewer_page.page.inner_text('#toolbar button[data-tool="xray"]') == "X-ray"
    viewer_page.screenshot("english")


FINDER = 0xFF00FF
ADDED = 0x1A9641


def test_warnings_panel_click_selects_the_room(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    page = viewer_page.page
    badge = page.locator('.tabs button[data-tab="warnings"] .tab-badge')
    badge.wait_for(timeout=20_000)
    active = live_server.get("/api/warnings?status=active&limit=1000")
    assert int(badge.get_attribute("data-count")) == active["total"] > 0
    page.click('.tabs button[data-tab="warnings"]')
    item = page.locator(f'#warning-list li.warning[data-room-global-id="{live_server.occupied_room}"]').first
    item.wait_for(timeout=20_000)
    assert page.locator("#warning-list li.warning .sev-badge").count() == len(active["items"])
    # room numbers are resolved for the listed warnings
    page.wait_for_function(f"""() => [...document.querySelectorAll('#warning-list li.warning[data-room-global-id="{live_server.occupied_room}"] .w-room')]
        .every((n) => n.textContent.includes('E-201'))""", timeout=20_000)
    viewer_page.screenshot("list")
    item.locator(".w-title").click()
    page.wait_for_function(f"() => window.__twin.selected() === {live_server.occupied_room!r}", timeout=20_000)
    page.locator(f'#room-card[data-global-id="{live_server.occupied_room}"]').wait_for()
    viewer_page.wait_idle()
    viewer_page.screenshot("jumped")
    assert viewer_page.twin(f"paintedColour({live_server.occupied_room!r})") == 0xFFD400
    point = viewer_page.twin(f"screenOf({live_server.occupied_room!r})")
    box = page.locator("canvas.viewer-canvas").bounding_box()
    assert box["x"] <= point["x"] <= box["x"] + box["width"] and box["y"] <= point["y"] <= box["y"] + box["height"], "the camera flew to the room"
    # the admin may acknowledge; the warning stays listed, marked acknowledged
    warning_id = item.get_attribute("data-warning-id")
    item.locator('button[data-action="ack"]').click()
    page.locator(f'#warning-list li.warning.acknowledged[data-warning-id="{warning_id}"]').wait_for()
    page.locator(f'#warning-list li.warning[data-warning-id="{warning_id}"] button[data-action="reopen"]').click()
    page.locator(f'#warning-list li.warning:not(.acknowledged)[data-warning-id="{warning_id}"]').wait_for()
    # severity filter is applied by the API
    page.select_option('#warnings select[name="severity"]', "critical")
    page.wait_for_function("() => [...document.querySelectorAll('#warning-list li.warning')].every((n) => n.classList.contains('severity-critical'))")
    assert viewer_page.errors == []


def test_finder_highlights_candidate_rooms(viewer_page, live_server):
    viewer_page.open(f"b={live_server.building_id}")
    page = viewer_page.page
    canvas = page.locator("canvas.viewer-canvas")
    page.click('.tabs button[data-tab="finder"]')
    page.fill('#finder-form input[data-rank="处级以下"]', "2")
    page.select_option('#finder-form select[name="scope"]', "building")
    with page.expect_response(lambda r: r.url.endswith("/api/finder") and r.request.method == "POST") as answer:
        page.click('#finder-form button[type="submit"]')
    request = answer.value.request.post_data_json
    assert request["ranks"] == {"处级以下": 2} and request["building_id"] == live_server.building_id and request["level"] == "provincial"
    result = answer.value.json()
    assert result["candidates"], result
    first = page.locator("#finder-results li[data-candidate]").first
    first.wait_for()
    assert page.locator("#finder-results li[data-candidate]").count() == len(result["candidates"])
    before = decode_png(page, canvas.screenshot())
    first.click()
    rooms = [r["global_id"] for r in result["candidates"][0]["rooms"]]
    page.wait_for_function(f"() => window.__twin.highlighted().length === {len(rooms)}")
    viewer_page.wait_idle()
    after = decode_png(page, canvas.screenshot(path=str(artifact(viewer_page, "highlighted"))))
    assert sorted(viewer_page.twin("highlighted()")) == sorted(rooms)
    for gid in rooms:
        assert viewer_page.twin(f"paintedColour({gid!r})") == FINDER
    others = [r["global_id"] for r in live_server.get(f"/api/rooms?building_id={live_server.building_id}&limit=100")["items"] if r["global_id"] not in rooms]
    assert all(viewer_page.twin(f"paintedColour({gid!r})") != FINDER for gid in others), "only the candidate's rooms are highlighted"

    def magenta(image):
        r, g, b = (image[..., i].astype(int) for i in range(3))
        return float(((r > 150) & (b > 150) & (g < 110)).mean())

    assert magenta(before) < 0.001 and magenta(after) > 0.005, (magenta(before), magenta(after))
    assert page.locator('#legend [data-overlay="finder"]').count() == 1
    # leaving the finder tab takes the highlight away
    page.click('.tabs button[data-tab="explorer"]')
    page.wait_for_function("() => window.__twin.highlighted().length === 0")
    assert viewer_page.errors == []


def test_compare_shows_added_and_removed_rooms(viewer_page, live_server):
    viewer_page.open(f"b={live_server.compare_building_id}&tab=compare")
    page = viewer_page.page
    result = page.locator("#compare-result")
    result.wait_for(timeout=20_000)
    viewer_page.wait_idle()
    added = "0E2eCmpR104".ljust(22, "x")
    removed = "0E2eCmpR103".ljust(22, "x")
    assert result.get_attribute("data-from") == "1" and result.get_attribute("data-to") == "2"
    assert page.locator(f'#compare-result ul.added li[data-global-id="{added}"]').inner_text().startswith("C-104")
    assert page.locator(f'#compare-result ul.removed li[data-global-id="{removed}"]').inner_text().startswith("C-103")
    assert page.locator("#compare-result ul.added li").count() == 1
    assert page.locator("#compare-result ul.removed li").count() == 1
    page.wait_for_function(f"() => window.__twin.highlighted().includes({added!r})")
    viewer_page.wait_idle()
    viewer_page.screenshot("compare")
    assert viewer_page.twin(f"paintedColour({added!r})") == ADDED
    unchanged = "0E2eCmpR101".ljust(22, "x")
    assert viewer_page.twin(f"paintedColour({unchanged!r})") not in (ADDED, None)
    assert page.locator('#legend [data-overlay="added"] .count').inner_text() == "1"
    # the deviation table below lists this building's rooms only
    page.locator("#deviations tbody tr").first.wait_for()
    numbers = page.locator("#deviations tbody tr td:first-child").all_inner_texts()
    assert numbers and all(n.startswith("C-") for n in numbers), numbers
    # a click on the added room selects it in 3D
    page.click(f'#compare-result ul.added li[data-global-id="{added}"]')
    page.wait_for_function(f"() => window.__twin.selected() === {added!r}")
    assert viewer_page.errors == []


def test_viewer_role_sees_no_personal_names(browser, live_server):
    from e2e_support import PERSON, Page

    admin_card = live_server.get(f"/api/rooms/{live_server.occupied_room}")
    assert any(o.get("name") == PERSON["name"] for o in admin_card["occupants"]), "the seeded occupant is there for the admin"
    page = Page(browser, live_server, live_server.viewer_token, "test_viewer_role")
    try:
        page.open(f"b={live_server.building_id}&r={live_server.occupied_room}")
        card = page.page.locator(f'#room-card[data-global-id="{live_server.occupied_room}"]')
        card.wait_for()
        page.page.locator("#room-card .occupants").wait_for()
        page.page.click('.tabs button[data-tab="warnings"]')
        page.page.locator("#warning-list li.warning").first.wait_for(timeout=20_000)
        page.wait_idle()
        page.screenshot("card-and-warnings")
        assert page.page.locator('.tabs button[data-tab="finder"]').count() == 0, "the finder is not offered to the viewer role"
        texts = [page.page.inner_text("body"), page.page.evaluate("document.title"), page.page.evaluate("location.href")]
        for secret in (PERSON["name"], PERSON["code"], PERSON["title"]):
            assert all(secret not in text for text in texts), f"{secret!r} is on the page of a viewer"
        page.page.click("#lang-toggle")
        page.page.locator("#room-card .occupants").wait_for()
        page.screenshot("english")
        assert PERSON["name"] not in page.page.inner_text("body")
        assert page.errors == []
    finally:
        page.close()
