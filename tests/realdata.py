"""Where the real IFC models are (``../shared/ifc``, never copied here) and whether this is CI."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_IFC = ROOT.parent / "shared" / "ifc"
IN_CI = os.environ.get("CI", "").lower() == "true"


def get_real_ifc_files() -> list[Path]:
    """Every real model in ../shared/ifc."""
    files = sorted(SHARED_IFC.glob("*.ifc"))
    if not files and IN_CI:
        raise RuntimeError(f"no real IFC files in {SHARED_IFC}")
    return files
