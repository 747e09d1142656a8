"""The report as one self-contained HTML page: inline CSS, inline SVG charts, floor images as
base64 PNG, bilingual tables (Chinese first, English below). Prints to A4 landscape (the PDF is
this page printed by headless Chromium, see :mod:`twin.reports.pdf`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape

from twin.reports.charts import bar_chart
from twin.reports.data import ReportData, RoomRow
from twin.reports.images import COLOURS, FloorImage
from twin.reports.labels import (
    AREA_KEY_LABELS, COMPLIANCE_LABELS, DEVIATION_LABELS, SEVERITY_LABELS, SEVERITY_ORDER, USE_STATUS_LABELS,
    WARNING_STATUS_LABELS, rule_title,
)

CSS = """
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; color: #1d2b3a;
       margin: 0 auto; max-width: 1400px; padding: 16px; font-size: 12px; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; border-bottom: 2px solid #4a6d99; padding-bottom: 2px; margin: 22px 0 8px; break-after: avoid; }
h2 .en, th .en, .card .en, figcaption .en { color: #5a6b7e; font-weight: normal; }
h2 .en { font-size: 13px; margin-left: 6px; }
.meta { color: #5a6b7e; margin: 0 0 8px; }
.note { color: #a0522d; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; }
.card { border: 1px solid #c9d5e3; border-radius: 4px; padding: 6px 10px; min-width: 150px; break-inside: avoid; }
.card .v { font-size: 20px; font-weight: bold; }
.card .en { display: block; font-size: 11px; }
.card.bad .v { color: #c0392b; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.charts svg { max-width: 100%; height: auto; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { background: #dce8f7; text-align: left; vertical-align: bottom; padding: 3px 5px; border-bottom: 1px solid #4a6d99; }
th .en { display: block; font-size: 10px; }
td { padding: 2px 5px; border-bottom: 1px solid #e4e9ef; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.over td, td.over { color: #c0392b; font-weight: bold; }
.sev-critical { color: #c0392b; font-weight: bold; } .sev-warning { color: #b9770e; } .sev-info { color: #5a6b7e; }
figure { margin: 8px 0 16px; break-inside: avoid; }
figure img { max-width: 100%; border: 1px solid #c9d5e3; }
figcaption { margin-top: 2px; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border: 1px solid #999; }
.empty { color: #5a6b7e; font-style: italic; }
"""

#: Legend of the floor images: class -> (zh, en).
LEGEND = {"over": ("超标", "over standard"), "within": ("未超标", "within standard"), "vacant": ("空置", "vacant"),
          "other": ("其他房间", "other rooms"), "other_unit": ("其他单位", "other units")}


def _t(value) -> str:
    return "" if value is None else escape(str(value))


def _m2(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}%" if value else "0.0%"


def _bi(table: dict, key) -> str:
    zh, en = table.get(key, (str(key), str(key)))
    return f"{escape(zh)} <span class=\"en\">{escape(en)}</span>"


def _rule(rule: str) -> str:
    zh, en = rule_title(rule)
    return f"{escape(zh)} <span class=\"en\">{escape(en)}</span>"


def h2(zh: str, en: str, anchor: str) -> str:
    return f'<h2 id="{anchor}">{escape(zh)}<span class="en">{escape(en)}</span></h2>'


def table(headers: Sequence[tuple[str, str, bool]], rows: Iterable[tuple[Sequence[str], str]], *, empty: str = "无 none") -> str:
    """Headers (zh, en, numeric?) and rows of already-escaped cells with a row class."""
    body = []
    for cells, cls in rows:
        tds = "".join(f'<td class="n">{c}</td>' if numeric else f"<td>{c}</td>" for c, (_, _, numeric) in zip(cells, headers))
        body.append(f'<tr class="{cls}">{tds}</tr>' if cls else f"<tr>{tds}</tr>")
    if not body:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f'<th>{escape(zh)}<span class="en">{escape(en)}</span></th>' for zh, en, _ in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cards(data: ReportData) -> str:
    s = data.summary
    items = [
        ("房间数", "rooms", f"{s.rooms}", False), ("实测使用面积 m²", "measured usable area m²", f"{s.measured_m2:,.2f}", False),
        ("申报面积 m²", "declared area m²", f"{s.declared_m2:,.2f}", False),
        ("超标办公室", "over-standard offices", f"{s.compliance.get('over', 0)}", s.compliance.get("over", 0) > 0),
        ("超标人员", "people over standard", f"{s.people_over} / {s.people_checked}", s.people_over > 0),
        ("超标面积合计 m²", "total over m²", f"{s.over_m2:,.2f}", s.over_m2 > 0),
        ("超核定面积单位", "units over approved", f"{s.units_over} / {s.units}", s.units_over > 0),
        ("未解除预警", "active warnings", " · ".join(f"{escape(SEVERITY_LABELS[k][0])} {s.warnings_by_severity.get(k, 0)}"
                                                   for k in SEVERITY_ORDER), s.warnings_by_severity.get("critical", 0) > 0),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card{" bad" if bad else ""}"><div class="v">{value}</div>{escape(zh)}<span class="en">{escape(en)}</span></div>'
        for zh, en, value, bad in items) + "</div>"


def _charts(data: ReportData) -> str:
    charts = []
    if data.categories:
        charts.append(bar_chart("按类别实测面积 Measured area by category",
                                [f"{c.zh} {c.en}" for c in data.categories], [("实测 measured", [c.measured_m2 for c in data.categories])]))
    if data.kinds:
        charts.append(bar_chart("申报与实测面积 Declared vs measured",
                                [f"{k.zh} {k.en}" for k in data.kinds],
                                [("申报 declared", [k.declared_m2 for k in data.kinds]),
                                 ("实测 measured", [k.measured_of_declared_m2 for k in data.kinds])]))
    if data.units:
        charts.append(bar_chart("核定与实际使用面积 Approved vs actual usable area",
                                [f"{u.code} {u.name}" for u in data.units],
                                [("核定 approved", [u.approved["usable"] for u in data.units]),
                                 ("实际 actual", [u.actual["usable"] for u in data.units])], colours=("#59a14f", "#e15759")))
    deviation = data.summary.deviation
    charts.append(bar_chart("申报与实测偏差类别 Declared vs measured classes",
                            [f"{zh} {en}" for zh, en in (DEVIATION_LABELS[k] for k in deviation)],
                            [("房间 rooms", list(deviation.values()))], unit="间 rooms", colours=("#76b7b2",)))
    return '<div class="charts">' + "".join(charts) + "</div>"


def _units(data: ReportData) -> str:
    headers = [("单位", "Unit", False), ("参照级别", "Reference level", False), ("编制数", "Posts", True), ("K", "usable/building", True)]
    headers += [(f"核定{AREA_KEY_LABELS[k][0]} m²", f"approved {AREA_KEY_LABELS[k][1]}", True) for k in ("office", "usable")]
    headers += [(f"实际{AREA_KEY_LABELS[k][0]} m²", f"actual {AREA_KEY_LABELS[k][1]}", True) for k in ("office", "service", "plant", "usable")]
    headers += [("超出 m²", "over m²", True), ("超出比例", "over %", True)]
    rows = [([f"{_t(u.code)} {_t(u.name)}", _t(u.reference_level), str(u.posts), f"{u.k:.2f}", _m2(u.approved["office"]),
              _m2(u.approved["usable"]), _m2(u.actual["office"]), _m2(u.actual["service"]), _m2(u.actual["plant"]),
              _m2(u.actual["usable"]), _m2(u.over_m2), _pct(u.over_pct)], "over" if u.is_over else "") for u in data.units]
    return table(headers, rows)


def _people(data: ReportData) -> str:
    headers = [("人员编号", "Code", False), ("姓名", "Name", False), ("职务", "Title", False), ("单位", "Unit", False),
               ("职级", "Rank", False), ("标准面积 m²", "Limit m²", True), ("使用面积 m²", "Area m²", True),
               ("超出面积 m²", "Over m²", True), ("超出比例", "Over %", True), ("房间", "Rooms", False)]
    rows = [([_t(p.code), _t(p.name), _t(p.title), _t(p.unit_name), _t(p.rank), _m2(p.limit_m2), _m2(p.area_m2), _m2(p.over_m2),
              _pct(p.over_pct), _t("、".join(p.rooms))], "over") for p in data.people_over]
    return table(headers, rows, empty="没有超标人员 nobody is over standard")


def _images(images: Sequence[FloorImage], unit_scope: bool) -> str:
    if not images:
        return '<p class="empty">没有可绘制的楼层 no storey to draw</p>'
    keys = ["over", "within", "vacant", "other"] + (["other_unit"] if unit_scope else [])
    legend = '<div class="legend">' + "".join(
        f'<span><i style="background:rgb{COLOURS[k]}"></i>{escape(LEGEND[k][0])} <span class="en">{escape(LEGEND[k][1])}</span></span>'
        for k in keys) + "</div>"
    figures = []
    for image in images:
        source = base64.b64encode(image.png).decode("ascii")
        over = "、".join(image.over_rooms) or "无 none"
        figures.append(
            f'<figure data-storey-id="{image.storey_id}"><img alt="{_t(image.building)} {_t(image.storey)}" width="{image.width}" '
            f'src="data:image/png;base64,{source}"><figcaption>{_t(image.building)} {_t(image.storey)} — 超标办公室 '
            f'<span class="en">over-standard offices</span>: {_t(over)}</figcaption></figure>')
    return legend + "".join(figures)


def _warnings(data: ReportData) -> str:
    s = data.summary
    headers = [("规则", "Rule", False)] + [(SEVERITY_LABELS[k][0], SEVERITY_LABELS[k][1], True) for k in SEVERITY_ORDER]
    counts = table(headers, [([_rule(r)] + [str(by.get(k, 0) or "") for k in SEVERITY_ORDER], "")
                             for r, by in s.warnings_by_rule.items()], empty="没有未解除的预警 no active warnings")
    headers = [("级别", "Severity", False), ("规则", "Rule", False), ("状态", "Status", False), ("房间", "Room", False),
               ("单位", "Unit", False), ("内容", "Message", False)]
    rows = [([f'<span class="sev-{_t(w.severity)}">{_bi(SEVERITY_LABELS, w.severity)}</span>', _rule(w.rule),
              _bi(WARNING_STATUS_LABELS, w.status), _t(w.room_number), _t(w.unit_code),
              f'{_t(w.message)}<br><span class="en">{_t(w.message_en)}</span>' if w.message_en else _t(w.message)], "")
            for w in data.warnings]
    return counts + (table(headers, rows) if rows else "")


def _room_cells(r: RoomRow) -> list[str]:
    return [_t(r.building), _t(r.storey), _t(r.number), _t(r.name), _t(r.unit_code), _m2(r.measured_m2), _m2(r.declared_m2),
            _m2(r.diff_m2), _pct(r.diff_pct), _bi(DEVIATION_LABELS, r.deviation_class)]


ROOM_HEADERS = [("建筑", "Building", False), ("楼层", "Storey", False), ("房间号", "Number", False), ("名称", "Name", False),
                ("单位", "Unit", False), ("实测面积 m²", "Measured m²", True), ("申报面积 m²", "Declared m²", True),
                ("差值 m²", "Difference m²", True), ("偏差", "Difference %", True), ("偏差类别", "Class", False)]


def _deviations(data: ReportData) -> str:
    rooms = sorted((r for r in data.rooms if r.deviation_class in ("over_5", "within_5")),
                   key=lambda r: (-abs(r.diff_pct or 0.0), r.building, r.number or ""))
    counts = " · ".join(f"{_bi(DEVIATION_LABELS, k)}: {n}" for k, n in data.summary.deviation.items())
    return f"<p>{counts}</p>" + table(ROOM_HEADERS, [(_room_cells(r), "over" if r.deviation_class == "over_5" else "") for r in rooms],
                                      empty="没有偏差超过 1% 的房间 no room differs by more than 1 %")


def _rooms(data: ReportData) -> str:
    headers = [("建筑", "Building", False), ("楼层", "Storey", False), ("房间号", "Number", False), ("名称", "Name", False),
               ("类别", "Category", False), ("单位", "Unit", False), ("使用状态", "Use status", False), ("超标情况", "Compliance", False),
               ("实测面积 m²", "Measured m²", True), ("申报面积 m²", "Declared m²", True), ("使用人", "Occupants", False)]
    rows = [([_t(r.building), _t(r.storey), _t(r.number), _t(r.name), f'{_t(r.category_zh)} <span class="en">{_t(r.category_en)}</span>',
              _t(r.unit_code), _bi(USE_STATUS_LABELS, r.use_status), _bi(COMPLIANCE_LABELS, r.compliance), _m2(r.measured_m2),
              _m2(r.declared_m2), _t("、".join(r.occupants))], "over" if r.compliance == "over" else "") for r in data.rooms]
    return table(headers, rows)


def render_html(data: ReportData, images: Sequence[FloorImage] = ()) -> str:
    """The whole report as one HTML document (UTF-8, no external resources)."""
    zh, en = data.scope.title
    generated = data.generated_at.astimezone().strftime("%Y-%m-%d %H:%M")
    standard = data.standard
    note = "" if standard["verified"] else ' · <span class="note">标准数据未核实 figures not verified against the official text</span>'
    sections = [
        h2("概要", "Summary", "summary"), _cards(data), _charts(data),
        h2("单位核定面积", "Units: approved vs actual", "units"), _units(data),
        h2("超标人员", "People over standard", "people"), _people(data),
        h2("楼层图", "Floor images", "floors"), _images(images, not data.scope.is_campus),
        h2("预警", "Warnings", "warnings"), _warnings(data),
        h2("面积偏差", "Declared vs measured", "deviations"), _deviations(data),
        h2("房间清单", "Rooms", "rooms"), _rooms(data),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>办公用房报告 Office-space report — {escape(zh)} · {escape(en)}</title><style>{CSS}</style></head><body>"
        f"<h1>办公用房报告 <span class=\"en\">Office-space report</span> — {escape(zh)} · {escape(en)}</h1>"
        f'<p class="meta">生成时间 Generated {escape(generated)} · 标准 Standard {_t(standard["name"])}（{_t(standard["document"])}）'
        f' · 面积口径 Area basis: {_t(standard["basis"])}{note}</p>'
        + "".join(sections) + "</body></html>\n"
    )
