"""The ``twin`` command line: thin Typer commands over the library.

Errors a user can cause (a bad file, an unreachable database) print one line on stderr and exit
with status 2; logs go to stderr; machine-readable output (``--json``) goes to stdout.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from twin.config import get_settings
from twin.errors import TwinError

app = typer.Typer(help="twin: a 3D digital twin and ledger of government office space.", no_args_is_help=True)
err = Console(stderr=True)
out = Console()
log = logging.getLogger("twin")

DbOption = Annotated[Optional[str], typer.Option("--db", help="SQLAlchemy URL (default $TWIN_DATABASE_URL or sqlite:///./var/twin.db)")]

STAGE_LABELS = {"read": "读取 read", "rooms": "房间 rooms", "context": "构件 context", "assets": "模型 assets", "ledger": "台账 ledger"}


class ProgressBar(Progress):
    """rich's progress bar, redrawn by the work's own updates (at most every 0.1 s) rather than
    by a refresh thread: the ingest forks worker processes for the slow geometry kernels only
    from a single-threaded process (:mod:`twin.geometry.workers`)."""

    def __init__(self, *, disable: bool) -> None:
        super().__init__(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                         console=err, disable=disable, transient=True, auto_refresh=False)
        self._drawn = 0.0

    def show(self, task, *, description: str, done: int, total: int) -> None:
        self.update(task, description=description, completed=done, total=total)
        now = time.monotonic()
        if now - self._drawn >= 0.1 or done == total:
            self._drawn = now
            self.refresh()


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.callback()
def main(verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-v info, -vv debug).")] = 0) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, handlers=[RichHandler(console=err, show_path=False)], format="%(message)s", force=True)


def _engine(db: str | None):
    from twin.ledger.db import open_ledger

    return open_ledger(get_settings().with_database(db).database_url)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="IFC files (IFC2X3, IFC4, IFC4X3), or folders: their *.ifc files, in name order.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary per file on stdout.")] = False,
) -> None:
    """Ingest IFC models: every IfcSpace becomes a room in the ledger, with 3D assets."""
    from twin.ifc.spf import check_ifc_file, find_ifc_files, get_sha256
    from twin.ledger.report import find_unchanged

    reports = []
    try:
        paths = find_ifc_files(paths)
        schemas = {path: check_ifc_file(path) for path in paths}  # every path is checked before anything is written
        engine = _engine(db)
        digests = {path: get_sha256(path) for path in paths}
        unchanged = {path: report for path in paths
                     if (report := find_unchanged(engine, path, schema=schemas[path], sha256=digests[path])) is not None}
        if len(unchanged) < len(paths):  # the ingest (ifcopenshell, geometry, rules) is imported only for a file it must read
            from twin.ledger.ingest import ingest_file
        show_bar = err.is_terminal and not as_json
        with ProgressBar(disable=not show_bar) as bar:
            for path in paths:
                if path in unchanged:
                    reports.append(unchanged[path])
                    continue
                task = bar.add_task(f"{path.name}", total=None)

                def on_progress(stage: str, done: int, total: int, task=task, name=path.name) -> None:
                    bar.show(task, description=f"{name} · {STAGE_LABELS.get(stage, stage)}", done=done, total=total)

                reports.append(ingest_file(path, engine=engine, assets_dir=get_settings().assets_dir, progress=on_progress,
                                           sha256=digests[path]))
                bar.remove_task(task)
    except TwinError as error:
        if reports:  # the files before it are in the ledger (each its own transaction): said first
            _print_ingested(reports, as_json=as_json)
        fail(str(error))
    _print_ingested(reports, as_json=as_json)


def _print_ingested(reports: list, *, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2) + "\n")
        return
    for report in reports:
        if report.skipped:
            out.print(f"{report.path}: unchanged (version {report.version}); skipped")
            continue
        if not report.has_rooms:
            count = report.rooms_retired
            retired = f"; [yellow]{count} room{'s' if count != 1 else ''} of the version before retired[/]" if count else ""
            out.print(f"{report.path}: {report.schema}, version {report.version}: {report.buildings} buildings, {report.storeys} storeys — "
                      f"[yellow]this model has no rooms (no IfcSpace)[/]; structure ingested{retired}")
        else:
            out.print(
                f"{report.path}: {report.schema}, version {report.version}: {report.buildings} buildings, "
                f"{report.storeys} storeys, {report.rooms} rooms ({report.rooms_with_declared_area} with a declared area; "
                f"{report.rooms_added} added, {report.rooms_updated} changed, {report.rooms_retired} retired, "
                f"{report.rooms_carried} as they were), "
                f"{report.context_elements} elements, {report.failed_elements} failed, {report.seconds:.1f} s"
            )
        if report.is_replacing_every_room:
            out.print(f"  [yellow]version {report.version} keeps none of the rooms of version {report.version - 1}: were they all drawn "
                      f"again, or is this another building under the same IfcProject GlobalId ({report.project_global_id})?[/]")


@app.command()
def rooms(
    db: DbOption = None,
    building: Annotated[Optional[str], typer.Option(help="Building name or GlobalId.")] = None,
    storey: Annotated[Optional[str], typer.Option(help="Storey name or GlobalId.")] = None,
    format: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    include_retired: Annotated[bool, typer.Option("--all", help="Include retired rooms.")] = False,
) -> None:
    """List rooms with their measured and declared areas."""
    from twin.ledger.db import transaction
    from twin.ledger.rooms import ROOM_ROW_KEYS, list_rooms

    if format not in ("table", "json", "csv"):
        fail(f"unknown format {format!r}; use table, json or csv")
    try:
        with transaction(_engine(db)) as session:
            rows = list_rooms(session, building=building, storey=storey, include_retired=include_retired)
    except TwinError as error:
        fail(str(error))
    if format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=ROOM_ROW_KEYS)
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        out.print(_rooms_table(rows, width=out.width))


#: The columns of ``twin rooms`` in a terminal narrower than every column needs (about 170
#: characters), most wanted first; json and csv always have them all.
NARROW_ROOM_COLUMNS = ("number", "name", "building", "storey", "measured_area_m2", "declared_area_m2", "status")
_WIDE_TABLE = 170


def _rooms_table(rows: list[dict], *, width: int) -> Table:
    """The rooms as a table: every column where ``width`` allows, else :data:`NARROW_ROOM_COLUMNS`."""
    from twin.ledger.rooms import ROOM_ROW_KEYS

    narrow = width < _WIDE_TABLE
    keys = NARROW_ROOM_COLUMNS if narrow else ROOM_ROW_KEYS
    caption = "GlobalId, volume, height, perimeter: a wider terminal, or --format csv / json" if narrow else None
    table = Table(title=f"{len(rows)} rooms", caption=caption)
    for key in keys:
        numeric = key.endswith(("_m2", "_m3", "_m"))
        header = key.replace("_area_m2", " m²") if narrow else key
        table.add_column(header, justify="right" if numeric else "left", no_wrap=numeric or key in ("number", "status"),
                         overflow="fold")  # a long name (no spaces to wrap at, in Chinese) on more lines, not cut
    for row in rows:
        table.add_row(*("" if row[k] is None else f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k]) for k in keys))
    return table


@app.command()
def load(
    folder: Annotated[Path, typer.Argument(help="Folder of ledger CSV files (units, people, rooms, occupancy, titles).")],
    db: DbOption = None,
) -> None:
    """Load units, people, room allocation, occupancy and titles from CSV; all or nothing."""
    from twin.ledger.loader import load_ledger

    try:
        report = load_ledger(folder, engine=_engine(db))
    except TwinError as error:
        for line in str(error).split("; "):
            err.print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    out.print(f"loaded {folder}: created {report.created or 'nothing'}, updated {report.updated or 'nothing'}")


@app.command()
def migrate(db: DbOption = None) -> None:
    """Create or upgrade the database schema to the newest migration."""
    from twin.ledger.db import get_current_revision

    try:
        engine = _engine(db)
    except TwinError as error:
        fail(str(error))
    out.print(f"database at revision {get_current_revision(engine)}")




@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API (OpenAPI at /docs) and the built viewer."""
    import uvicorn

    from api.main import create_app

    try:
        application = create_app(get_settings().with_database(db))
    except TwinError as error:
        fail(str(error))
    err.print(f"twin serving on http://{host}:{port} (API docs at /docs)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def demo(
    db: Annotated[Optional[str], typer.Option("--db", help="Database to reset and fill (default: a fresh SQLite file var/demo.db).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo ledger and stop.")] = False,
) -> None:
    """A fresh demo ledger: every demo model ingested, the demo ledger loaded, then served."""
    from twin.demo import build_demo

    settings = get_settings()
    url = db or f"sqlite:///{settings.data_dir / 'demo.db'}"
    try:
        with ProgressBar(disable=not err.is_terminal) as bar:
            task = bar.add_task("demo", total=None)
            reports = build_demo(url, assets_dir=settings.assets_dir,
                                 progress=lambda stage, done, total: bar.show(task, description=f"demo · {STAGE_LABELS.get(stage, stage)}", done=done, total=total))
    except TwinError as error:
        fail(str(error))
    for report in reports:
        err.print(f"{report.path}: {report.rooms} rooms, version {report.version}")
    if not no_serve:
        serve(db=url, host=host, port=port)


@app.command()
def find(
    need: Annotated[str, typer.Argument(help="Head counts by rank, e.g. '1 正处级 + 2 副处级 + 6 处级以下'.")],
    db: DbOption = None,
    level: Annotated[str, typer.Option(help="Agency level whose standard applies.")] = "provincial",
    building: Annotated[Optional[int], typer.Option(help="Only this building (id).")] = None,
    storey: Annotated[Optional[int], typer.Option(help="Only this storey (id).")] = None,
    limit: Annotated[int, typer.Option(help="How many candidates.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """Propose vacant rooms, or adjacent groups on one storey, for a staffing need (least waste first)."""
    from twin.finder import find_rooms, parse_need
    from twin.ledger.db import transaction

    try:
        with transaction(_engine(db)) as session:
            required, candidates = find_rooms(session, parse_need(need, level=level), building_id=building, storey_id=storey, limit=limit)
    except TwinError as error:
        fail(str(error))
    if as_json:
        sys.stdout.write(json.dumps({"required_m2": required, "candidates": [c.to_dict() for c in candidates]}, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"需求 need: {need} = {required:.1f} m²")
    for column in ("#", "building", "storey", "rooms", "area m²", "waste m²"):
        table.add_column(column)
    for index, candidate in enumerate(candidates, 1):
        table.add_row(str(index), candidate.building or "", candidate.storey or "", " ".join(r["number"] or "" for r in candidate.rooms),
                      f"{candidate.area_m2:.1f}", f"{candidate.waste_m2:.1f}")
    out.print(table if candidates else "no vacant rooms fit this need")


@app.command()
def warnings(
    db: DbOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Re-evaluate every rule first (run daily, e.g. from cron).")] = False,
    rule: Annotated[Optional[str], typer.Option(help="Only this rule.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """List open warnings (预警), most severe first."""
    from sqlalchemy import select

    from twin.alerts.engine import refresh_warnings
    from twin.ledger.db import transaction
    from twin.ledger.models import Warning
    from twin.ledger.card import warning_to_dict

    try:
        with transaction(_engine(db)) as session:
            if refresh:
                report = refresh_warnings(session)
                err.print(f"{report.opened} opened, {report.still_open} still open, {report.resolved} resolved")
            query = select(Warning).where(Warning.status != "resolved").order_by(Warning.severity, Warning.rule, Warning.id)
            items = [warning_to_dict(w) for w in session.scalars(query.where(Warning.rule == rule) if rule else query)]
    except TwinError as error:
        fail(str(error))
    if as_json:
        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(items)} warnings")
    for column in ("severity", "rule", "message", "status"):
        table.add_column(column)
    for item in items:
        table.add_row(item["severity"], item["title"], item["message"], item["status"])
    out.print(table)


@app.command()
def generate(
    out: Annotated[Optional[Path], typer.Option(help="Folder to write to (default: models_ifc/ for the campus).")] = None,
    buildings: Annotated[int, typer.Option(min=1, max=1000, help="With --portfolio: how many tower-like building files.")] = 20,
    storeys: Annotated[int, typer.Option(min=1, max=200, help="With --portfolio: storeys per building.")] = 20,
    rooms_per_storey: Annotated[int, typer.Option(min=23, max=500, help="With --portfolio: rooms per storey (23 or more).")] = 50,
    portfolio: Annotated[bool, typer.Option("--portfolio", help="A large synthetic portfolio instead of the demo campus.")] = False,
) -> None:
    """Generate the sample campus IFC files, or (--portfolio) a large synthetic portfolio."""
    from models_ifc.generate import generate_campus, generate_portfolio

    if portfolio:
        if out is None:
            fail("--portfolio needs --out DIR")
        stats = generate_portfolio(out, buildings=buildings, storeys=storeys, rooms_per_storey=rooms_per_storey)
    else:
        stats = generate_campus(out)
    rooms = sum(counts.get("IfcSpace", 0) for counts in stats.values())
    err.print(f"wrote {len(stats)} files with {rooms} rooms")


user_app = typer.Typer(help="Accounts of the API.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, unit_manager, inspector or viewer.")] = "viewer",
    unit: Annotated[Optional[str], typer.Option(help="Unit code (for a unit_manager).")] = None,
    password: Annotated[Optional[str], typer.Option(help="Password (asked for when omitted; or $TWIN_PASSWORD).", envvar="TWIN_PASSWORD")] = None,
    db: DbOption = None,
) -> None:
    """Add an account (argon2-hashed password)."""
    from twin.auth import create_user
    from twin.ledger.db import transaction

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(_engine(db)) as session:
            create_user(session, username, password, role=role, unit_code=unit, actor="cli")
    except TwinError as error:
        fail(str(error))
    out.print(f"added {role} {username}")


@app.command()
def report(
    db: DbOption = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Unit code (default: the whole ledger).")] = None,
    format: Annotated[str, typer.Option("--format", help="xlsx, html or pdf.")] = "xlsx",
    out_path: Annotated[Optional[Path], typer.Option("--out", help="File, or folder (no extension), to write (default: ./twin-report-<scope>-<date>.<format>).")] = None,
) -> None:
    """A report (报告) of the whole ledger or one unit: XLSX workbook, HTML page or PDF; prints the file's path."""
    from twin.ledger.db import transaction
    from twin.reports.build import FORMATS, build_report

    if format not in FORMATS:
        fail(f"unknown format {format!r}; use {', '.join(FORMATS)}")
    path = out_path
    try:
        with transaction(_engine(db)) as session:
            result = build_report(session, unit_code=unit, format=format)
        if out_path is None:
            path = Path(result.filename)
        else:  # an existing folder, or a path without an extension, is a folder to write into
            path = out_path / result.filename if out_path.is_dir() or not out_path.suffix else out_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(result.content)
    except TwinError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write the report to {path}: {error.strerror or error}")
    sys.stdout.write(f"{path}\n")
