"""Settings, read once from the environment (``TWIN_*``) with sane embedded defaults.

* ``TWIN_DATABASE_URL``: SQLAlchemy URL; default ``sqlite:///./var/twin.db``.
* ``TWIN_DATA_DIR``: folder for the SQLite file and assets; default ``./var``.
* ``TWIN_ASSETS_DIR``: content-addressed GLB store; default ``$TWIN_DATA_DIR/assets``.
* ``TWIN_CARD_CACHE``: room cards the API keeps per ledger revision; default 20,000 (about 2 KB each).
* ``TWIN_JOB_MEMORY_MIB``: an ingest job process that keeps more resident memory than this after a
  job is replaced by a fresh one; default 1024.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the ledger and its assets live."""

    database_url: str
    data_dir: Path
    assets_dir: Path
    card_cache_entries: int = 20_000
    job_memory_mib: int = 1024

    def with_database(self, url: str | None) -> "Settings":
        """These settings with another database URL (``None`` keeps the current one)."""
        return self if url is None else replace(self, database_url=url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    data_dir = Path(os.environ.get("TWIN_DATA_DIR", "./var"))
    url = os.environ.get("TWIN_DATABASE_URL") or f"sqlite:///{data_dir / 'twin.db'}"
    assets = Path(os.environ.get("TWIN_ASSETS_DIR", str(data_dir / "assets")))
    cards = int(os.environ.get("TWIN_CARD_CACHE", "20000"))
    job_memory = int(os.environ.get("TWIN_JOB_MEMORY_MIB", "1024"))
    return Settings(database_url=url, data_dir=data_dir, assets_dir=assets, card_cache_entries=cards, job_memory_mib=job_memory)
