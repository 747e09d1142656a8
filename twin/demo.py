"""The demo campus: a fresh ledger with every demo model ingested and the demo ledger loaded.

What ``make run`` runs (through ``twin demo``). The same inputs give the same ledger every time.
"""

from __future__ import annotations

import logging
from pathlib import Path

from twin.ledger.db import reset_database
from twin.ledger.ingest import IngestReport, ingest_file
from twin.ledger.snapshot import Progress

log = logging.getLogger(__name__)

#: Where the generated sample models live, and the order they are ingested in (the annex's
#: renovated second version last, so the ledger holds both versions).
MODELS_DIR = Path(__file__).resolve().parents[1] / "models_ifc"
DEMO_MODELS = ("campus_tower.ifc", "campus_annex.ifc", "campus_canteen.ifc", "campus_annex_v2.ifc")


def get_demo_models(models_dir: Path = MODELS_DIR) -> list[Path]:
    """The demo model files that exist, in ingest order."""
    return [models_dir / name for name in DEMO_MODELS if (models_dir / name).is_file()]


def build_demo(url: str, *, assets_dir: Path, models_dir: Path = MODELS_DIR, progress: Progress | None = None) -> list[IngestReport]:
    """Reset the database at ``url`` and fill it with the demo campus; return the ingest reports."""
    engine = reset_database(url)
    try:
        reports = [ingest_file(path, engine=engine, assets_dir=assets_dir, actor="demo", progress=progress) for path in get_demo_models(models_dir)]
        if not reports:
            log.warning("no demo models in %s; run `python -m models_ifc.generate`", models_dir)
        return reports
    finally:
        engine.dispose()
