"""Exports of any room search: CSV (UTF-8 with BOM, opens in Excel) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from twin.ledger.rooms import RoomSearch, search_rooms

#: Exported columns: (key, Chinese header, English header).
COLUMNS = (
    ("global_id", "GlobalId", "GlobalId"),
    ("building", "建筑物", "Building"),
    ("storey", "楼层", "Storey"),
    ("number", "房间号", "Number"),
    ("name", "房间名称", "Name"),
    ("category", "类别", "Category"),
    ("unit_name", "使用单位", "Using unit"),
    ("use_status", "使用状态", "Use status"),
    ("measured_area_m2", "实测面积(m²)", "Measured area (m2)"),
    ("declared_area_m2", "申报面积(m²)", "Declared area (m2)"),
    ("declared_area_source", "申报来源", "Declared source"),
    ("deviation_pct", "偏差(%)", "Deviation (%)"),
    ("volume_m3", "体积(m³)", "Volume (m3)"),
    ("height_m", "净高(m)", "Height (m)"),
    ("status", "状态", "Status"),
)

EXPORT_LIMIT = 200_000


def _all_rows(session: Session, search: RoomSearch) -> list[dict]:
    rows, _ = search_rooms(session.connection(), replace(search, offset=0, limit=EXPORT_LIMIT))
    return rows


def rooms_to_csv(session: Session, search: RoomSearch) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{zh} {en}" if zh != en else zh for _, zh, en in COLUMNS])
    for row in _all_rows(session, search):
        writer.writerow(["" if row.get(key) is None else row.get(key) for key, _, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rooms_to_xlsx(session: Session, search: RoomSearch) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "房间 Rooms"
    sheet.append([zh for _, zh, _ in COLUMNS])
    sheet.append([en for _, _, en in COLUMNS])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = Font(bold=True)
    for row in _all_rows(session, search):
        sheet.append([row.get(key) for key, _, _ in COLUMNS])
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{sheet.cell(row=2, column=len(COLUMNS)).column_letter}{sheet.max_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
