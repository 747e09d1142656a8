"""Bilingual labels of the reports: Simplified Chinese first, English second.

Every header and code a report shows is looked up here, so the workbook, the HTML and the PDF
say the same thing. :func:`bi` joins the two languages as ``"房间号 Number"``.
"""

from __future__ import annotations

from twin.ledger.card import RULE_TITLES


def bi(zh: str, en: str) -> str:
    """``zh en`` on one line (a header or a label)."""
    return f"{zh} {en}"


#: Category kinds (twin.standards ``kind``) in report order, then rooms without a category.
KIND_LABELS: dict[str | None, tuple[str, str]] = {
    "office": ("办公室", "Offices"),
    "service": ("服务用房", "Service rooms"),
    "plant": ("设备用房", "Plant rooms"),
    "ancillary": ("附属用房", "Ancillary rooms"),
    "technical": ("技术业务用房", "Technical/business rooms"),
    "circulation": ("交通空间", "Circulation"),
    None: ("未分类", "Uncategorised"),
}

GROUP_LABELS: dict[str | None, tuple[str, str]] = {
    "basic": ("基本办公用房", "Basic office space"),
    "ancillary": ("附属用房", "Ancillary"),
    "technical": ("技术业务用房", "Technical/business"),
    "circulation": ("交通空间", "Circulation"),
    None: ("未分类", "Uncategorised"),
}

#: Declared-vs-measured classes (twin.compliance.deviation.CLASSES).
DEVIATION_LABELS: dict[str, tuple[str, str]] = {
    "within_1": ("偏差 ≤ 1%", "within 1 %"),
    "within_5": ("偏差 1%–5%", "within 5 %"),
    "over_5": ("偏差 > 5%", "over 5 %"),
    "no_declared": ("无申报面积", "nothing declared"),
    "no_geometry": ("无几何", "no geometry"),
}

SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "critical": ("严重", "critical"),
    "warning": ("警告", "warning"),
    "info": ("提示", "info"),
}
SEVERITY_ORDER = ("critical", "warning", "info")

WARNING_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("未处理", "open"),
    "acknowledged": ("已确认", "acknowledged"),
    "resolved": ("已解除", "resolved"),
}

COMPLIANCE_LABELS: dict[str | None, tuple[str, str]] = {
    "over": ("超标", "over standard"),
    "within": ("未超标", "within standard"),
    "vacant": ("空置", "vacant"),
    None: ("非办公室", "not an office"),
}

USE_STATUS_LABELS: dict[str | None, tuple[str, str]] = {
    "in_use": ("在用", "in use"),
    "vacant": ("空置", "vacant"),
    "reserve": ("预留", "reserve"),
    "repair": ("维修", "repair"),
    "lent": ("出借", "lent"),
    "leased_out": ("出租", "leased out"),
    "disposed": ("已处置", "disposed"),
    None: ("未登记", "not recorded"),
}

#: Approved-vs-actual keys of twin.compliance.unit.UnitAreaCheck.
AREA_KEY_LABELS: dict[str, tuple[str, str]] = {
    "office": ("办公室", "offices"),
    "service": ("服务用房", "service"),
    "plant": ("设备用房", "plant"),
    "ancillary": ("附属用房", "ancillary"),
    "technical": ("技术业务用房", "technical"),
    "usable": ("使用面积合计", "usable total"),
    "building": ("建筑面积", "building area"),
}


def rule_title(rule: str) -> tuple[str, str]:
    """(zh, en) title of a warning rule."""
    return RULE_TITLES.get(rule, (rule, rule))


def label(table: dict, key, *, sep: str = " ") -> str:
    """``zh en`` of ``key`` in one of the tables above (the key itself when unknown)."""
    zh, en = table.get(key, (str(key), str(key)))
    return f"{zh}{sep}{en}"
