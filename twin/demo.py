"""The demo campus: a fresh ledger with every demo model ingested and the demo ledger loaded.

What ``make run`` runs (through ``twin demo``). The same inputs give the same ledger every time.
"""

from __future__ import annotations

import logging
from pathlib import Path

from twin.auth import create_user
from twin.ledger.db import reset_database, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.report import IngestReport
from twin.ledger.loader import load_ledger
from twin.ledger.snapshot import Progress

log = logging.getLogger(__name__)

#: Where the generated sample models and the demo ledger live. The campus is ingested, the
#: ledger loaded, then the annex's renovated second version arrives as a model update.
MODELS_DIR = Path(__file__).resolve().parents[1] / "models_ifc"
DEMO_MODELS = ("campus_tower.ifc", "campus_annex.ifc", "campus_canteen.ifc")
DEMO_UPDATES = ("campus_annex_v2.ifc",)
DEMO_LEDGER = "demo"
#: Accounts of the demo, one per role (documented in the README; never use them for real data).
DEMO_ACCOUNTS = (
    ("admin", "twin-admin", "admin", None),
    ("fgw", "twin-fgw", "unit_manager", "FGW"),
    ("inspector", "twin-inspector", "inspector", None),
    ("viewer", "twin-viewer", "viewer", None),
)


def get_demo_models(models_dir: Path = MODELS_DIR, names: tuple[str, ...] = DEMO_MODELS) -> list[Path]:
    """The demo model files that exist, in ingest order."""
    return [models_dir / name for name in names if (models_dir / name).is_file()]


def build_demo(url: str, *, assets_dir: Path, models_dir: Path = MODELS_DIR, progress: Progress | None = None) -> list[IngestReport]:
    """Reset the database at ``url`` and fill it with the demo campus; return the ingest reports."""
    engine = reset_database(url)
    try:
        reports = [ingest_file(path, engine=engine, assets_dir=assets_dir, actor="demo", progress=progress) for path in get_demo_models(models_dir)]
        if not reports:
            log.warning("no demo models in %s; run `python -m models_ifc.generate`", models_dir)
            return reports
        if (models_dir / DEMO_LEDGER).is_dir():
            load_ledger(models_dir / DEMO_LEDGER, engine=engine, actor="demo")
            with transaction(engine) as session:
                for username, password, role, unit in DEMO_ACCOUNTS:
                    create_user(session, username, password, role=role, unit_code=unit, actor="demo")
        for path in get_demo_models(models_dir, DEMO_UPDATES):
            reports.append(ingest_file(path, engine=engine, assets_dir=assets_dir, actor="demo", progress=progress))
        return reports
    finally:
        engine.dispose()
