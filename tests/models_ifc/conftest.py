"""Make the repository root importable so ``models_ifc`` (not an installed package) resolves
even when pytest is started from elsewhere or via the ``pytest`` entry point."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
