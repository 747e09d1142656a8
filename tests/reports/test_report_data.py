"""The report's figures and its workbook, on SQLite and PostgreSQL, against the hand-built ledger."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from twin.errors import NotFound
from twin.ledger.db import transaction
from twin.reports.build import build_report
from twin.reports.data import gather
from twin.reports.xlsx import SHEETS, render_xlsx


def _rows(ws):
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_gathered_figures_are_the_ledgers(ledger_engine):
    with transaction(ledger_engine) as session:
        data = gather(session)
    s = data.summary
    assert (s.rooms, s.measured_m2, s.declared_m2) == (5, 105.0, 106.2)
    assert s.compliance == {"over": 1, "within": 1, "vacant": 1, None: 2}
    assert s.deviation == {"within_1": 4, "within_5": 0, "over_5": 1, "no_declared": 0, "no_geometry": 0}
    assert (s.people_checked, s.people_over, s.over_m2, s.units, s.units_over) == (3, 1, 6.0, 2, 1)
    assert s.warnings_by_severity == {"critical": 2, "warning": 2, "info": 1}
    assert s.warnings_by_rule == {"person_over_standard": {"critical": 1}, "unit_over_approved": {"critical": 1},
                                  "room_over_standard": {"warning": 1}, "declared_vs_measured": {"warning": 1},
                                  "vacant_too_long": {"info": 1}}
    [person] = data.people_over
    assert (person.name, person.rank, person.limit_m2, person.area_m2, person.over_m2, person.over_pct, person.rooms) == (
        "张伟", "正处级", 18.0, 24.0, 6.0, 33.3, ("101",))
    fgw = next(u for u in data.units if u.code == "FGW")
    assert fgw.approved == {"office": 36.0, "service": 24.0, "plant": 5.4, "usable": 65.4, "building": 100.62}
    assert (fgw.actual["office"], fgw.actual["service"], fgw.actual["plant"], fgw.actual["usable"]) == (40.0, 40.0, 9.0, 89.0)
    assert (fgw.over_m2, fgw.over_pct, fgw.is_over) == (23.6, 36.1, True)
    kinds = {k.kind: (k.rooms, k.measured_m2, k.declared_m2) for k in data.kinds}
    assert kinds == {"office": (3, 56.0, 57.0), "service": (1, 40.0, 40.2), "plant": (1, 9.0, 9.0)}
    rooms = {r.number: (r.compliance, r.deviation_class, r.diff_pct) for r in data.rooms}
    assert rooms["101"] == ("over", "within_1", 0.0) and rooms["102"] == ("within", "over_5", 6.25)
    assert [(s.name, s.rooms, s.over) for s in data.storeys] == [("1F", 4, 1), ("2F", 1, 0)]


def test_a_units_scope_holds_only_its_rooms_people_and_warnings(ledger_engine):
    with transaction(ledger_engine) as session:
        fgw, xxzx = gather(session, "FGW"), gather(session, "XXZX")
        with pytest.raises(NotFound):
            gather(session, "NOPE")
    assert sorted(r.number for r in fgw.rooms) == ["101", "102", "103", "201"]
    assert [u.code for u in fgw.units] == ["FGW"] and [p.code for p in fgw.people_over] == ["P1"]
    assert {w.rule for w in fgw.warnings} == {"person_over_standard", "unit_over_approved", "room_over_standard", "declared_vs_measured"}
    assert [r.number for r in xxzx.rooms] == ["104"] and xxzx.people_over == []
    assert [w.rule for w in xxzx.warnings] == ["vacant_too_long"]
    assert xxzx.summary.people_checked == 0 and xxzx.scope.slug == "XXZX"


def test_workbook_has_every_sheet_with_exact_figures_headers_and_charts(ledger_engine):
    with transaction(ledger_engine) as session:
        report = build_report(session, format="xlsx")
    assert report.filename.startswith("twin-report-campus-") and report.filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(report.content))
    assert tuple(workbook.sheetnames) == SHEETS

    header, people = _rows(workbook["超标人员 Over-standard people"])
    assert header[:2] == ["人员编号 Code", "姓名 Name"]
    assert [(p["姓名 Name"], p["职级 Rank"], p["标准面积 m² Limit m²"], p["使用面积 m² Area m²"], p["超出面积 m² Over m²"],
             p["超出比例 Over %"], p["房间 Rooms"]) for p in people] == [("张伟", "正处级", 18, 24, 6, pytest.approx(0.333), "101")]

    header, units = _rows(workbook["单位核定 Units"])
    fgw = next(u for u in units if u["单位代码 Code"] == "FGW")
    assert fgw["核定使用面积合计 m² Approved usable total"] == 65.4 and fgw["实际使用面积合计 m² Actual usable total"] == 89
    assert fgw["超出面积 m² Over m²"] == pytest.approx(23.6) and fgw["是否超标 Over?"].startswith("超标")

    _, deviations = _rows(workbook["面积偏差 Deviations"])
    first = deviations[0]  # sorted by the size of the difference
    assert (first["房间号 Number"], first["实测面积 m² Measured m²"], first["申报面积 m² Declared m²"], first["差值 m² Difference m²"],
            first["偏差 Difference %"]) == ("102", 16, 17, 1, pytest.approx(0.0625))
    assert first["偏差类别 Class"].startswith("偏差 > 5%") and len(deviations) == 5

    _, warnings = _rows(workbook["预警 Warnings"])
    assert len(warnings) == 5 and warnings[0]["级别 Severity"].startswith("严重")
    assert any("张伟" in w["内容 Message"] for w in warnings)

    ws = workbook["房间 Rooms"]
    _, rooms = _rows(ws)
    assert {r["房间号 Number"]: r["超标情况 Compliance"] for r in rooms}["101"].startswith("超标")
    assert {r["房间号 Number"]: r["使用人 Occupants"] for r in rooms}["102"] == "李娜、王芳"
    for sheet in SHEETS[1:]:
        ws = workbook[sheet]
        assert ws.freeze_panes is not None and ws["A1"].font.bold
    measured = next(c for c in ws[2] if c.column == 10)
    assert measured.number_format == "#,##0.00"

    summary = workbook["概要 Summary"]
    assert summary.freeze_panes == "A4" and "全部院落" in summary["A1"].value
    facts = {row[0]: row[1] for row in summary.iter_rows(min_row=5, max_row=20, max_col=2, values_only=True) if row[0]}
    assert facts["超标人员 People over standard"] == 1 and facts["超标面积合计 m² Total over-standard area m²"] == 6


def test_workbook_charts_are_native_bar_charts(ledger_engine):
    with transaction(ledger_engine) as session:
        data = gather(session)
    from twin.reports.xlsx import build_workbook

    workbook = build_workbook(data)
    summary_charts = workbook["概要 Summary"]._charts
    assert [type(c) for c in summary_charts] == [BarChart, BarChart]
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or [])) for c in summary_charts]
    assert titles[0].startswith("按类别实测面积") and titles[1].startswith("申报与实测面积")
    assert len(summary_charts[1].series) == 2  # declared and measured
    assert len(workbook["单位核定 Units"]._charts) == 1
    import zipfile

    with zipfile.ZipFile(io.BytesIO(render_xlsx(data))) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(parts) == 3 and all(b"<barChart>" in archive.read(n) for n in parts)
