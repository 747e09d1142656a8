"""Reading attributes a schema may lack, without ifcopenshell importing its EXPRESS rules."""

from __future__ import annotations

import json
import subprocess
import sys

import ifcopenshell
import ifcopenshell.api
import pytest

from realdata import ROOT, get_real_ifc_files
from twin.ifc.attributes import get_declared


def test_a_declared_attribute_is_read_and_one_the_class_lacks_gives_the_default():
    file = ifcopenshell.api.run("project.create_file", version="IFC4")
    space = file.createIfcSpace(ifcopenshell.guid.new(), Name="101", PredefinedType="INTERNAL")
    unit = file.createIfcMonetaryUnit("CNY")

    assert get_declared(space, "PredefinedType") == "INTERNAL"
    assert get_declared(space, "IsDefinedBy") == ()  # an inverse attribute
    assert get_declared(space, "InteriorOrExteriorSpace", "none") == "none"  # IFC2X3's
    assert get_declared(space, "HasOpenings") is None  # an IfcElement's
    assert get_declared(unit, "UnitType") is None
    assert get_declared(None, "UnitType", 1.0) == 1.0


_INGEST_ALL = """
import json, sys, tempfile
from pathlib import Path
from twin.ledger.db import open_ledger
from twin.ledger.ingest import ingest_file
with tempfile.TemporaryDirectory() as folder:
    engine = open_ledger(f"sqlite:///{folder}/twin.db")
    for path in sys.argv[1:]:
        ingest_file(Path(path), engine=engine, assets_dir=Path(folder) / "assets")
    engine.dispose()
print(json.dumps(sorted(name for name in sys.modules if name.startswith("ifcopenshell.express.rules"))))
"""


def test_ingesting_every_real_model_never_makes_ifcopenshell_import_its_schema_rules():
    # in a fresh process: another test may have imported them in this one
    files = [str(path) for path in get_real_ifc_files()]
    if not files:
        pytest.skip("no real IFC files in ../shared/ifc")
    done = subprocess.run([sys.executable, "-c", _INGEST_ALL, *files], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
