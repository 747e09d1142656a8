"""The ``twin`` command line as a person uses it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realdata import SHARED_IFC
from dbstate import dump_database
from ifc.test_reader import BAD_KINDS, make_bad_inputs
from ifc_factory import RoomSpec, build_model
from twin.cli import app
from twin.ledger.db import open_ledger
from twin.ledger.rooms import ROOM_ROW_KEYS

runner = CliRunner()


def twin(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_ingest_json_reports_each_file(twin_env, tmp_path):
    model = build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("102", outline=[(5, 0), (9, 0), (9, 4), (5, 4)])])
    result = twin("ingest", model, "--json")
    assert result.exit_code == 0, result.stderr
    [summary] = json.loads(result.stdout)
    for key in ("schema", "sha256", "buildings", "storeys", "rooms", "rooms_with_declared_area", "failed_elements", "skipped", "seconds"):
        assert key in summary
    assert (summary["schema"], summary["rooms"], summary["skipped"]) == ("IFC4", 2, False)
    again = json.loads(twin("ingest", model, "--json").stdout)
    assert again[0]["skipped"] is True


def test_ingest_hashes_each_file_once(twin_env, tmp_path, monkeypatch):
    from twin.ifc import spf
    from twin.ledger import ingest, report

    model = build_model(tmp_path / "m.ifc", [RoomSpec("101")])
    hashed, get_sha256 = [], spf.get_sha256

    def counted(path):
        hashed.append(path)
        return get_sha256(path)

    for module in (spf, ingest, report):
        monkeypatch.setattr(module, "get_sha256", counted)
    assert twin("ingest", model).exit_code == 0
    assert len(hashed) == 1  # to see whether it is in the ledger, and then to store it
    assert twin("ingest", model).exit_code == 0 and len(hashed) == 2  # unchanged: seen, skipped


def test_ingest_of_files_already_in_the_ledger_says_so_without_loading_the_ingest(twin_env, tmp_path):
    """A fresh ``twin ingest`` of unchanged files imports no ifcopenshell, geometry or rules
    (a third less time): only the file checks, its sha256 and one query."""
    import subprocess
    import sys

    model = build_model(tmp_path / "m.ifc", [RoomSpec("101")])
    assert twin("ingest", model).exit_code == 0
    probe = ("import sys\nfrom typer.testing import CliRunner\nfrom twin.cli import app\n"
             "result = CliRunner().invoke(app, ['ingest', sys.argv[1], '--json'])\n"
             "print(result.stdout)\nprint(sorted(m for m in ('ifcopenshell', 'twin.ledger.ingest', 'shapely') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe, str(model)], capture_output=True, text=True, check=True, timeout=120).stdout
    report, _, imported = out.strip().rpartition("\n")
    assert json.loads(report)[0]["skipped"] is True
    assert imported == "[]"  # none of them imported


def test_rooms_lists_exactly_the_documented_keys_as_json_and_csv(twin_env, tmp_path):
    twin("ingest", build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("201", storey=1)]))
    rows = json.loads(twin("rooms", "--format", "json").stdout)
    assert [set(r) for r in rows] == [set(ROOM_ROW_KEYS)] * 2
    assert {r["number"]: r["storey"] for r in rows} == {"101": "1F", "201": "2F"}
    assert rows[0]["measured_area_m2"] == pytest.approx(20.0)
    only = json.loads(twin("rooms", "--format", "json", "--storey", "2F").stdout)
    assert [r["number"] for r in only] == ["201"]
    table = list(csv.DictReader(io.StringIO(twin("rooms", "--format", "csv").stdout)))
    assert tuple(table[0]) == ROOM_ROW_KEYS and len(table) == 2
    assert "2 rooms" in twin("rooms").stdout


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_prints_one_line_exits_2_and_leaves_the_database_alone(twin_env, tmp_path, sqlite_url, kind):
    twin("ingest", build_model(tmp_path / "m.ifc", [RoomSpec("101")]))
    before = dump_database(open_ledger(sqlite_url))
    result = twin("ingest", make_bad_inputs(tmp_path / "bad")[kind])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.stderr
    assert dump_database(open_ledger(sqlite_url)) == before


def test_one_bad_file_among_good_ones_ingests_nothing(twin_env, tmp_path, sqlite_url):
    good = build_model(tmp_path / "m.ifc", [RoomSpec("101")])
    result = twin("ingest", good, tmp_path / "missing.ifc")
    assert result.exit_code == 2
    assert json.loads(twin("rooms", "--format", "json").stdout) == []


def test_a_folder_ingests_its_ifc_files_at_any_depth_in_name_order(twin_env, tmp_path):
    folder = tmp_path / "bureau"
    build_model(folder / "annex.ifc", [RoomSpec("101")], project_id="0" * 21 + "annex")
    build_model(folder / "annex_v2.ifc", [RoomSpec("101"), RoomSpec("102", outline=[(5, 0), (9, 0), (9, 4), (5, 4)])],
                project_id="0" * 21 + "annex")
    (folder / "tower").mkdir()
    build_model(folder / "tower" / "TOWER.IFC", [RoomSpec("201")], building_name="塔楼", project_id="2" * 22)
    build_model(folder / ".trash" / "old.ifc", [RoomSpec("301")], building_name="旧楼", project_id="3" * 22)  # hidden: left out
    (folder / "notes.txt").write_text("not a model")
    result = twin("ingest", folder, "--json")
    assert result.exit_code == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [Path(r["path"]).relative_to(folder).as_posix() for r in reports] == ["annex.ifc", "annex_v2.ifc", "tower/TOWER.IFC"]
    assert [r["version"] for r in reports] == [1, 2, 1]  # the revision after its model
    assert sorted(r["number"] for r in json.loads(twin("rooms", "--format", "json").stdout)) == ["101", "102", "201"]


def test_a_folder_without_ifc_files_is_one_clear_error(twin_env, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("")
    result = twin("ingest", tmp_path / "empty")
    assert result.exit_code == 2 and "holds no IFC file" in result.stderr and result.stdout == ""


def test_a_file_that_fails_midway_stops_the_run_and_what_came_before_it_is_reported(twin_env, tmp_path):
    """Each file is its own transaction: those before the failure are in the ledger, and the
    user is told so, not only of the failure."""
    good = build_model(tmp_path / "a_good.ifc", [RoomSpec("101", global_id="2a" + "0" * 20)])
    clash = build_model(tmp_path / "b_clash.ifc", [RoomSpec("201", global_id="2a" + "0" * 20)], project_id="1" * 22, building_name="乙楼")
    after = build_model(tmp_path / "c_after.ifc", [RoomSpec("301")], project_id="3" * 22, building_name="丙楼")
    result = twin("ingest", good, clash, after, "--json")
    assert result.exit_code == 2 and "room GlobalId 2a" in result.stderr and "already belongs to another model" in result.stderr
    assert [Path(r["path"]).name for r in json.loads(result.stdout)] == ["a_good.ifc"]
    assert [r["number"] for r in json.loads(twin("rooms", "--format", "json").stdout)] == ["101"]
    text = twin("ingest", good, clash)
    assert text.exit_code == 2 and "a_good.ifc" in text.stdout and "unchanged (version 1)" in text.stdout


def test_rooms_as_a_table_fit_an_80_column_terminal_and_show_everything_in_a_wide_one(twin_env, tmp_path):
    from rich.console import Console

    from twin.cli import _rooms_table

    twin("ingest", build_model(tmp_path / "m.ifc", [RoomSpec("B-0101", long_name="工作人员办公室"),
                                                     RoomSpec("B-0102", outline=[(5, 0), (9, 0), (9, 4), (5, 4)])]))
    rows = json.loads(twin("rooms", "--format", "json").stdout)

    def shown(width: int) -> str:
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(_rooms_table(rows, width=width))
        return console.export_text()

    narrow = shown(80)
    assert all(len(line) <= 80 for line in narrow.splitlines())
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in narrow.splitlines() if line.startswith("│")]
    assert "".join(c[1] for c in cells if c[0] in ("B-0101", "")) == "工作人员办公室"  # folded onto more lines, whole
    assert ["B-0101", "20.00", "20.00"] == [cells[0][0], cells[0][4], cells[0][5]]
    assert "16.00" in narrow and "--format csv / json" in narrow  # where the rest is
    wide = shown(200)
    assert all(row["global_id"] in wide for row in rows) and "perimeter_m" in wide and "--format" not in wide


def test_a_model_without_rooms_says_so(twin_env):
    result = twin("ingest", SHARED_IFC / "IfcOpenHouse_IFC4.ifc")
    assert result.exit_code == 0
    assert "no rooms" in result.stdout


def test_a_version_without_rooms_says_it_retired_the_rooms_of_the_one_before(twin_env, tmp_path):
    """Three real Revit exports here share one IfcProject GlobalId (and building and storeys): to
    the ledger they are versions of one model, so a later one without rooms retires the earlier
    one's. The user is told, not only that the file has no rooms."""
    assert twin("ingest", SHARED_IFC / "LargeBuilding.ifc").exit_code == 0
    result = twin("ingest", SHARED_IFC / "ManySimpleWalls.ifc")
    assert result.exit_code == 0
    said = " ".join(result.stdout.split())
    assert "version 2" in said and "no rooms" in said and "8 rooms of the version before retired" in said
    assert "keeps none of the rooms of version 1" in said and "2nxdYR2RHCDBiKJulbA_QU" in said


def test_a_version_that_keeps_none_of_the_rooms_before_it_asks_whether_it_is_another_building(twin_env):
    assert twin("ingest", SHARED_IFC / "LargeBuilding.ifc").exit_code == 0
    result = twin("ingest", SHARED_IFC / "TallBuilding.ifc", "--json")
    [report] = json.loads(result.stdout)
    assert (report["rooms_added"], report["rooms_retired"], report["replaces_every_room"]) == (3, 8, True)
    said = " ".join(twin("ingest", SHARED_IFC / "TallBuilding.ifc").stdout.split())  # the same bytes again: skipped, nothing to ask
    assert "skipped" in said and "keeps none" not in said


def test_an_unreachable_database_is_one_clear_error(twin_env, tmp_path):
    result = twin("rooms", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.exit_code == 2 and "cannot open the database" in result.stderr


def test_generate_writes_a_portfolio_and_refuses_impossible_sizes(tmp_path):
    result = twin("generate", "--portfolio", "--out", tmp_path / "pf", "--buildings", 2, "--storeys", 1, "--rooms-per-storey", 25)
    assert result.exit_code == 0 and "2 files with 50 rooms" in result.stderr
    assert sorted(p.name for p in (tmp_path / "pf").iterdir()) == ["portfolio_001.ifc", "portfolio_002.ifc"]
    assert twin("generate", "--portfolio", "--out", tmp_path / "x", "--rooms-per-storey", 5).exit_code == 2


def test_the_progress_bar_runs_no_thread_so_the_ingest_may_fork_its_kernel_workers():
    import threading

    from twin.cli import ProgressBar

    before = threading.active_count()
    with ProgressBar(disable=False) as bar:
        task = bar.add_task("model.ifc", total=None)
        bar.show(task, description="model.ifc · rooms", done=3, total=10)
        assert threading.active_count() == before
