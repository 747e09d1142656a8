"""One entry point for every caller (CLI and API): a report of a scope in a format, with its file
name and media type."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from twin.errors import TwinError
from twin.reports.data import ReportData, gather, report_date

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
#: At most this many floor images go into an HTML/PDF report.
MAX_IMAGES = 12


class UnknownFormat(TwinError):
    http_status = 422


@dataclass(frozen=True)
class Report:
    content: bytes
    filename: str
    media_type: str
    data: ReportData


def build_report(session: Session, *, unit_code: str | None = None, format: str = "xlsx", max_images: int = MAX_IMAGES) -> Report:
    """The report of the whole ledger (``unit_code`` None) or one unit as ``xlsx``, ``html`` or ``pdf``."""
    if format not in FORMATS:
        raise UnknownFormat(f"unknown report format {format!r}; use {', '.join(FORMATS)}")
    data = gather(session, unit_code)
    if format == "xlsx":
        from twin.reports.xlsx import render_xlsx

        content = render_xlsx(data)
    else:
        from twin.reports.html import render_html
        from twin.reports.images import render_report_images

        html = render_html(data, render_report_images(session, data, limit=max_images))
        if format == "pdf":
            from twin.reports.pdf import html_to_pdf

            content = html_to_pdf(html)
        else:
            content = html.encode("utf-8")
    filename = f"twin-report-{data.scope.slug}-{report_date(data):%Y%m%d}.{format}"
    return Report(content, filename, FORMATS[format], data)
