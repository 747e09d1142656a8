"""An admin uploads IFC models in the viewer: its rooms appear, then its building elements, and a
new version says what it changed. Against a ledger of its own (the shared one stays as other tests expect it)."""

from __future__ import annotations

from e2e_support import Page, compare_rooms, e2e_rooms
from ifc_factory import build_model

PROJECT = "0E2eUploadProject".ljust(22, "x")
BUILDING = "上传测试楼"


def upload(page: Page, path) -> str:
    """Choose ``path`` in the upload form, send it and wait for the ingest's end; the result line."""
    page.page.set_input_files("#upload-file", str(path))
    page.page.click("#upload button[type=submit]")
    page.page.wait_for_function(
        """name => { const r = document.querySelector('#upload-result');
                    return r && ['done', 'failed'].includes(r.dataset.phase) && r.textContent.includes(name); }""",
        arg=path.name, timeout=120_000)
    return page.page.inner_text("#upload-result")


def test_an_admin_uploads_a_model_sees_its_rooms_and_then_a_new_version_of_it(browser, empty_server, tmp_path):
    page = Page(browser, empty_server, empty_server.token, "upload")
    try:
        page.page.goto(empty_server.url + "/")
        page.page.click("#upload-open")  # an admin's button in the top bar
        first = upload(page, build_model(tmp_path / "office.ifc", e2e_rooms(), building_name=BUILDING, project_id=PROJECT))
        assert "第 1 版" in first and "7 间房间" in first and "新增 7" in first
        page.wait_loaded()  # the new building opened by itself
        assert page.twin("stats()")["rooms"] == 7
        assert BUILDING in page.page.inner_text("#tree")
        page.screenshot("first")

        revised = upload(page, build_model(tmp_path / "office_v2.ifc", e2e_rooms()[:-1], building_name=BUILDING, project_id=PROJECT))
        assert "第 2 版" in revised and "6 间房间" in revised and "退役 1" in revised
        page.page.wait_for_function("() => window.__twin.stats().rooms === 6", timeout=60_000)
        page.screenshot("revised")

        # the same project and building, but none of its rooms: the form asks whether it is another building
        other = upload(page, build_model(tmp_path / "other.ifc", compare_rooms(1), building_name=BUILDING, project_id=PROJECT))
        assert "第 3 版" in other and "退役 6" in other and "一间也未保留" in other
        assert "一间也未保留" not in revised

        broken = tmp_path / "broken.ifc"
        broken.write_text("not a model")
        assert "broken.ifc 未导入" in upload(page, broken)  # the API's reason, in the form
        errors = [e for e in page.errors if "422" not in e]  # the browser logs the refused upload's status
        assert errors == []
    finally:
        page.close()


def test_the_upload_button_is_an_admins_only(browser, live_server):
    page = Page(browser, live_server, live_server.viewer_token, "upload-viewer")
    try:
        page.open(f"b={live_server.building_id}")
        assert page.page.locator("#user").is_visible() and page.page.locator("#upload-open").count() == 0
    finally:
        page.close()
