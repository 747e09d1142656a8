"""`twin report` writes each format; the API serves reports to admins, inspectors and a unit's own
manager, and to nobody else."""

from __future__ import annotations

import io
import warnings

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from reportledger import PASSWORD
from test_report_html_pdf import need_chromium
from twin.cli import app as cli
from twin.config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

runner = CliRunner()


@pytest.mark.parametrize("format, magic", [("xlsx", b"PK"), ("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF")])
def test_cli_writes_each_format_and_prints_its_path(report_db, tmp_path, format, magic):
    if format == "pdf":
        need_chromium()
    out = tmp_path / f"r.{format}"
    result = runner.invoke(cli, ["report", "--db", report_db, "--unit", "FGW", "--format", format, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out) and out.read_bytes().startswith(magic)


def test_cli_names_the_file_in_a_folder_and_fails_in_one_line(report_db, tmp_path):
    result = runner.invoke(cli, ["report", "--db", report_db, "--out", str(tmp_path / "reports")])
    assert result.exit_code == 0, result.stderr
    [written] = (tmp_path / "reports").iterdir()
    assert result.stdout.strip() == str(written) and written.name.startswith("twin-report-campus-")
    assert load_workbook(written).sheetnames[0] == "概要 Summary"
    for args, message in ((["--unit", "NOPE"], "no unit with code 'NOPE'"), (["--format", "doc"], "unknown format 'doc'")):
        result = runner.invoke(cli, ["report", "--db", report_db, *args, "--out", str(tmp_path / "x.xlsx")])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
        assert result.stdout == ""


@pytest.fixture(scope="module")
def api(report_db, tmp_path_factory):
    from api.main import create_app

    folder = tmp_path_factory.mktemp("api")
    application = create_app(Settings(database_url=report_db, data_dir=folder, assets_dir=folder / "assets"))
    clients = {}
    for role in ("admin", "unit_manager", "inspector", "viewer"):
        client = TestClient(application)
        token = client.post("/api/auth/token", data={"username": role, "password": PASSWORD}).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        clients[role] = client
    clients[None] = TestClient(application)
    yield clients
    for client in clients.values():
        client.close()
    application.state.engine.dispose()


# (url, expected status for anonymous, admin, unit_manager of FGW, inspector, viewer)
ACCESS = [
    ("/api/reports/summary.xlsx", (401, 200, 200, 200, 403)),
    ("/api/reports/summary.xlsx?unit=FGW", (401, 200, 200, 200, 403)),
    ("/api/reports/summary.xlsx?unit=XXZX", (401, 200, 403, 200, 403)),
    ("/api/reports/summary.html?unit=XXZX", (401, 200, 403, 200, 403)),
    ("/api/reports/summary.xlsx?unit=NOPE", (401, 404, 403, 404, 403)),
]


@pytest.mark.parametrize("url, expected", ACCESS)
def test_each_role_gets_exactly_the_reports_it_may(api, url, expected):
    for role, status in zip((None, "admin", "unit_manager", "inspector", "viewer"), expected):
        response = api[role].get(url)
        assert response.status_code == status, f"{role} {url}: {response.status_code} {response.text[:200]}"
        if status >= 400:
            assert response.headers["content-type"] == "application/problem+json"


def test_a_unit_managers_report_is_its_own_units(api):
    response = api["unit_manager"].get("/api/reports/summary.xlsx")
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"].startswith('attachment; filename="twin-report-FGW-')
    workbook = load_workbook(io.BytesIO(response.content))
    units = [row[0] for row in workbook["单位核定 Units"].iter_rows(min_row=2, values_only=True)]
    assert units == ["FGW"]


def test_html_and_pdf_come_with_their_media_types(api):
    response = api["inspector"].get("/api/reports/summary.html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"].startswith('inline; filename="twin-report-campus-')
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "data:image/png;base64," in response.text and "张伟" in response.text
    need_chromium()
    response = api["admin"].get("/api/reports/summary.pdf?unit=FGW")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
