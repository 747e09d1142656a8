"""Reports (报告) over HTTP: the workbook, HTML and PDF report of the whole ledger or one unit.

Reports name people, so viewers get none; a unit manager gets only its own unit's report (the
default scope for that role); admins and inspectors get any scope.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.security import CurrentUser
from twin.auth import Forbidden, Principal
from twin.errors import NotFound
from twin.ledger.models import Unit
from twin.reports.build import FORMATS, build_report

router = APIRouter(prefix="/api/reports", tags=["reports"])

UnitQuery = Annotated[str | None, Query(max_length=64, description="Unit code; omitted: the whole ledger (a unit manager: its own unit).")]
#: The HTML report is self-contained: no scripts, styles inline, images as data: URLs.
HTML_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _authorised_unit(session: Session, user: Principal, unit: str | None) -> str | None:
    """The unit code the caller may have a report of (``None``: the whole ledger)."""
    user.require("admin", "inspector", "unit_manager")
    if user.role != "unit_manager":
        return unit or None
    own = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    if own is None:
        raise NotFound("this unit manager's unit no longer exists")
    if unit and unit != own.code:
        raise Forbidden("a unit manager may have reports of its own unit only")
    return own.code


def _respond(session: Session, user: Principal, unit: str | None, format: str) -> Response:
    report = build_report(session, unit_code=_authorised_unit(session, user, unit), format=format)
    disposition = "attachment" if format == "xlsx" else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{report.filename}"', "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    if format == "html":
        headers["Content-Security-Policy"] = HTML_POLICY
    return Response(report.content, media_type=FORMATS[format], headers=headers)


@router.get("/summary.xlsx", response_class=Response, responses={200: {"content": {FORMATS["xlsx"]: {}}}})
def summary_xlsx(session: SessionDep, user: CurrentUser, unit: UnitQuery = None) -> Response:
    """The workbook: summary with charts, units, over-standard people, deviations, warnings, rooms."""
    return _respond(session, user, unit, "xlsx")


@router.get("/summary.html", response_class=Response, responses={200: {"content": {"text/html": {}}}})
def summary_html(session: SessionDep, user: CurrentUser, unit: UnitQuery = None) -> Response:
    """The self-contained HTML report with charts and floor images."""
    return _respond(session, user, unit, "html")


@router.get("/summary.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def summary_pdf(session: SessionDep, user: CurrentUser, unit: UnitQuery = None) -> Response:
    """The HTML report printed to PDF (needs Chromium on the server; 503 without it)."""
    return _respond(session, user, unit, "pdf")
