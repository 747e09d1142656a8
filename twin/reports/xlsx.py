"""The report as an Excel workbook (openpyxl): one sheet per table, bilingual bold headers, frozen
header rows, number formats, and native Excel bar charts on the summary sheet.

Sheets: 概要 Summary, 单位核定 Units, 超标人员 Over-standard people, 面积偏差 Deviations, 预警 Warnings,
房间 Rooms. Areas are m2 with two decimals; percentages are stored as fractions (0.25 = 25 %).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from twin.reports.data import ReportData, report_date
from twin.reports.labels import (
    AREA_KEY_LABELS, COMPLIANCE_LABELS, DEVIATION_LABELS, SEVERITY_LABELS, SEVERITY_ORDER, USE_STATUS_LABELS,
    WARNING_STATUS_LABELS, bi, label, rule_title,
)

SHEETS = ("概要 Summary", "单位核定 Units", "超标人员 Over-standard people", "面积偏差 Deviations", "预警 Warnings", "房间 Rooms")
M2 = "#,##0.00"
PCT = "0.0%"
INT = "0"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE8F7")
TITLE_FONT = Font(bold=True, size=14)
OVER_FONT = Font(color="C0392B", bold=True)
THIN = Border(bottom=Side(style="thin", color="4A6D99"))

#: A column: bilingual header, width, number format (None: text).
Column = tuple[str, float, str | None]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value / 100.0, 6)


def _naive(value: datetime | None) -> datetime | None:
    """Excel has no time zones: local wall-clock time."""
    if value is None:
        return None
    return value.astimezone().replace(tzinfo=None, microsecond=0) if value.tzinfo else value.replace(microsecond=0)


def write_table(ws: Worksheet, row: int, col: int, columns: Sequence[Column], rows: Iterable[Sequence], *,
                widths: bool = True) -> tuple[int, int]:
    """Headers at ``row`` and the rows below; returns (first data row, last data row)."""
    for j, (header, width, _) in enumerate(columns):
        cell = ws.cell(row=row, column=col + j, value=header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, THIN
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if widths:
            letter = get_column_letter(col + j)
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
    last = row
    for i, values in enumerate(rows, start=1):
        last = row + i
        for j, value in enumerate(values):
            cell = ws.cell(row=last, column=col + j, value=value)
            fmt = columns[j][2]
            if fmt and isinstance(value, (int, float)):
                cell.number_format = fmt
    return row + 1, last


def _summary(ws: Worksheet, data: ReportData) -> None:
    s = data.summary
    zh, en = data.scope.title
    ws["A1"] = bi("办公用房报告", "Office-space report") + f" — {zh} · {en}"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = f"生成时间 Generated: {_naive(data.generated_at):%Y-%m-%d %H:%M} · 标准 Standard: {data.standard['name']}（{data.standard['document']}）" + (
        "" if data.standard["verified"] else " · 标准数据未核实 figures not verified against the official text")
    facts = [
        (bi("房间数", "Rooms"), s.rooms, INT),
        (bi("实测使用面积 m²", "Measured usable area m²"), s.measured_m2, M2),
        (bi("申报面积 m²", "Declared area m²"), s.declared_m2, M2),
        (bi("超标办公室", "Over-standard offices"), s.compliance.get("over", 0), INT),
        (bi("未超标办公室", "Offices within standard"), s.compliance.get("within", 0), INT),
        (bi("空置办公室", "Vacant offices"), s.compliance.get("vacant", 0), INT),
        (bi("已核查人员", "People checked"), s.people_checked, INT),
        (bi("超标人员", "People over standard"), s.people_over, INT),
        (bi("超标面积合计 m²", "Total over-standard area m²"), s.over_m2, M2),
        (bi("单位数", "Units"), s.units, INT),
        (bi("超核定面积单位", "Units over approved area"), s.units_over, INT),
        (bi("未解除预警", "Active warnings"), s.warnings, INT),
    ] + [(bi(f"预警·{SEVERITY_LABELS[k][0]}", f"Warnings, {SEVERITY_LABELS[k][1]}"), s.warnings_by_severity.get(k, 0), INT)
         for k in SEVERITY_ORDER]
    first, _ = write_table(ws, 4, 1, [(bi("指标", "Item"), 34, None), (bi("数值", "Value"), 16, M2)],
                           [(name, value) for name, value, _ in facts])
    for i, (_, _, fmt) in enumerate(facts):
        ws.cell(row=first + i, column=2).number_format = fmt
    row = first + len(facts) + 2
    columns = [(bi("类别", "Category"), 34, None), (bi("房间数", "Rooms"), 10, INT), (bi("实测面积 m²", "Measured m²"), 14, M2),
               (bi("申报面积 m²", "Declared m²"), 14, M2), (bi("有申报房间实测 m²", "Measured, rooms declaring m²"), 16, M2)]
    ws.cell(row=row, column=1, value=bi("按类别汇总", "By category kind")).font = HEADER_FONT
    kinds_first, kinds_last = write_table(ws, row + 1, 1, columns, [
        (bi(k.zh, k.en), k.rooms, k.measured_m2, k.declared_m2, k.measured_of_declared_m2) for k in data.kinds])
    row = kinds_last + 2
    ws.cell(row=row, column=1, value=bi("按房间类别", "By room category")).font = HEADER_FONT
    cat_first, cat_last = write_table(ws, row + 1, 1, columns, [
        (bi(c.zh, c.en), c.rooms, c.measured_m2, c.declared_m2, c.measured_of_declared_m2) for c in data.categories])
    row = cat_last + 2
    ws.cell(row=row, column=1, value=bi("申报与实测偏差", "Declared vs measured classes")).font = HEADER_FONT
    write_table(ws, row + 1, 1, [(bi("偏差类别", "Class"), 34, None), (bi("房间数", "Rooms"), 10, INT)],
                [(label(DEVIATION_LABELS, k), n) for k, n in s.deviation.items()])
    ws.freeze_panes = "A4"
    if data.categories:
        chart = BarChart()
        chart.type, chart.style = "bar", 10
        chart.title = bi("按类别实测面积 m²", "Measured area by category m²")
        chart.y_axis.title, chart.x_axis.title = "m²", None
        chart.add_data(Reference(ws, min_col=3, min_row=cat_first - 1, max_row=cat_last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=cat_first, max_row=cat_last))
        chart.legend = None
        chart.height, chart.width = max(7.5, 0.55 * len(data.categories) + 3), 18  # cm
        ws.add_chart(chart, "H4")
    below = 4 + int((max(7.5, 0.55 * len(data.categories) + 3) if data.categories else 0) / 0.53) + 2  # rows are ~0.53 cm
    if data.kinds:
        chart = BarChart()
        chart.type, chart.style = "col", 10
        chart.title = bi("申报与实测面积 m²", "Declared vs measured area m²")
        chart.y_axis.title = "m²"
        chart.add_data(Reference(ws, min_col=4, max_col=5, min_row=kinds_first - 1, max_row=kinds_last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=kinds_first, max_row=kinds_last))
        chart.height, chart.width = 8, 18
        ws.add_chart(chart, f"H{below}")


def _units(ws: Worksheet, data: ReportData) -> None:
    keys = ("office", "service", "plant", "usable", "building")
    actual_keys = ("office", "service", "plant", "ancillary", "technical", "usable", "building")
    columns = ([(bi("单位代码", "Code"), 12, None), (bi("单位名称", "Name"), 30, None), (bi("参照级别", "Reference level"), 14, None),
                (bi("编制数", "Posts"), 9, INT), ("K", 7, "0.00")]
               + [(bi(f"核定{AREA_KEY_LABELS[k][0]} m²", f"Approved {AREA_KEY_LABELS[k][1]}"), 14, M2) for k in keys]
               + [(bi(f"实际{AREA_KEY_LABELS[k][0]} m²", f"Actual {AREA_KEY_LABELS[k][1]}"), 14, M2) for k in actual_keys]
               + [(bi("超出面积 m²", "Over m²"), 12, M2), (bi("超出比例", "Over %"), 10, PCT), (bi("是否超标", "Over?"), 10, None)])
    first, last = write_table(ws, 1, 1, columns, [
        (u.code, u.name, u.reference_level, u.posts, u.k, *(u.approved[k] for k in keys), *(u.actual[k] for k in actual_keys),
         u.over_m2, _pct(u.over_pct), "超标 over" if u.is_over else "否 no") for u in data.units])
    for i, unit in enumerate(data.units):
        if unit.is_over:
            ws.cell(row=first + i, column=len(columns)).font = OVER_FONT
    ws.freeze_panes = "C2"
    if data.units:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
        chart = BarChart()
        chart.type, chart.style = "col", 10
        chart.title = bi("核定与实际使用面积 m²", "Approved vs actual usable area m²")
        approved_col, actual_col = 5 + keys.index("usable") + 1, 5 + len(keys) + actual_keys.index("usable") + 1
        for column in (approved_col, actual_col):
            chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.height, chart.width = 8, 20
        ws.add_chart(chart, f"B{last + 3}")


def _people(ws: Worksheet, data: ReportData) -> None:
    columns = [(bi("人员编号", "Code"), 11, None), (bi("姓名", "Name"), 12, None), (bi("职务", "Title"), 12, None),
               (bi("单位", "Unit"), 28, None), (bi("职级", "Rank"), 12, None), (bi("标准级别", "Standard level"), 12, None),
               (bi("标准面积 m²", "Limit m²"), 11, M2), (bi("使用面积 m²", "Area m²"), 11, M2), (bi("超出面积 m²", "Over m²"), 11, M2),
               (bi("超出比例", "Over %"), 10, PCT), (bi("房间", "Rooms"), 20, None)]
    _, last = write_table(ws, 1, 1, columns, [
        (p.code, p.name, p.title, p.unit_name, p.rank, p.level, p.limit_m2, p.area_m2, p.over_m2, _pct(p.over_pct), "、".join(p.rooms))
        for p in data.people_over])
    ws.freeze_panes = "C2"
    if data.people_over:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def _deviations(ws: Worksheet, data: ReportData) -> None:
    columns = [(bi("建筑", "Building"), 16, None), (bi("楼层", "Storey"), 8, None), (bi("房间号", "Number"), 11, None),
               (bi("名称", "Name"), 18, None), (bi("单位", "Unit"), 10, None), (bi("实测面积 m²", "Measured m²"), 12, M2),
               (bi("申报面积 m²", "Declared m²"), 12, M2), (bi("申报来源", "Declared source"), 28, None),
               (bi("差值 m²", "Difference m²"), 11, M2), (bi("偏差", "Difference %"), 10, PCT), (bi("偏差类别", "Class"), 22, None)]
    rooms = sorted(data.rooms, key=lambda r: (r.diff_pct is None, -abs(r.diff_pct or 0.0), r.building, r.number or ""))
    _, last = write_table(ws, 1, 1, columns, [
        (r.building, r.storey, r.number, r.name, r.unit_code, r.measured_m2, r.declared_m2, r.declared_source, r.diff_m2,
         _pct(r.diff_pct), label(DEVIATION_LABELS, r.deviation_class)) for r in rooms])
    ws.freeze_panes = "D2"
    if rooms:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def _warnings(ws: Worksheet, data: ReportData) -> None:
    columns = [(bi("级别", "Severity"), 12, None), (bi("规则", "Rule"), 26, None), (bi("状态", "Status"), 12, None),
               (bi("对象", "Subject"), 24, None), (bi("房间", "Room"), 10, None), (bi("单位", "Unit"), 9, None),
               (bi("内容", "Message"), 60, None), ("Message (English)", 60, None), (bi("首次发现", "First seen"), 17, "yyyy-mm-dd hh:mm")]
    _, last = write_table(ws, 1, 1, columns, [
        (label(SEVERITY_LABELS, w.severity), bi(*rule_title(w.rule)), label(WARNING_STATUS_LABELS, w.status),
         f"{w.subject_kind}:{w.subject_key}", w.room_number, w.unit_code, w.message, w.message_en, _naive(w.first_seen))
        for w in data.warnings])
    for row in range(2, last + 1):
        ws.cell(row=row, column=9).number_format = "yyyy-mm-dd hh:mm"
    ws.freeze_panes = "C2"
    if data.warnings:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def _rooms(ws: Worksheet, data: ReportData) -> None:
    columns = [("GlobalId", 24, None), (bi("建筑", "Building"), 16, None), (bi("楼层", "Storey"), 8, None),
               (bi("房间号", "Number"), 11, None), (bi("名称", "Name"), 18, None), (bi("类别", "Category"), 22, None),
               (bi("单位", "Unit"), 26, None), (bi("使用状态", "Use status"), 12, None), (bi("超标情况", "Compliance"), 14, None),
               (bi("实测面积 m²", "Measured m²"), 12, M2), (bi("申报面积 m²", "Declared m²"), 12, M2),
               (bi("偏差", "Difference %"), 10, PCT), (bi("偏差类别", "Class"), 20, None), (bi("使用人", "Occupants"), 24, None)]
    _, last = write_table(ws, 1, 1, columns, [
        (r.global_id, r.building, r.storey, r.number, r.name, bi(r.category_zh, r.category_en), r.unit_name,
         label(USE_STATUS_LABELS, r.use_status), label(COMPLIANCE_LABELS, r.compliance), r.measured_m2, r.declared_m2,
         _pct(r.diff_pct), label(DEVIATION_LABELS, r.deviation_class), "、".join(r.occupants)) for r in data.rooms])
    for i, room in enumerate(data.rooms):
        if room.compliance == "over":
            ws.cell(row=2 + i, column=9).font = OVER_FONT
    ws.freeze_panes = "E2"
    if data.rooms:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def build_workbook(data: ReportData) -> Workbook:
    """The report's workbook (sheets :data:`SHEETS`)."""
    workbook = Workbook()
    writers = (_summary, _units, _people, _deviations, _warnings, _rooms)
    for index, (title, writer) in enumerate(zip(SHEETS, writers)):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = title
        writer(ws, data)
    zh, en = data.scope.title
    workbook.properties.title = f"办公用房报告 Office-space report — {zh} · {en} — {report_date(data).isoformat()}"
    workbook.properties.creator = "twin"
    return workbook


def render_xlsx(data: ReportData) -> bytes:
    """The workbook as ``.xlsx`` bytes."""
    buffer = io.BytesIO()
    build_workbook(data).save(buffer)
    return buffer.getvalue()
