"""Opening IFC files: supported schemas open, every kind of bad input gets one clear error."""

from __future__ import annotations

import pytest

from realdata import SHARED_IFC, get_real_ifc_files
from ifc_factory import RoomSpec, build_model
from twin.errors import BadIfcFile, UnsupportedSchema
from twin.ifc.reader import open_ifc


def make_bad_inputs(folder):
    """The corpus of bad inputs every entry point must refuse: name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    good = build_model(folder / "good.ifc", [RoomSpec("101")])
    data = good.read_bytes()
    corpus = {
        "missing": folder / "does-not-exist.ifc",
        "empty": folder / "empty.ifc",
        "random": folder / "random.ifc",
        "html": folder / "page.ifc",
        "truncated": folder / "truncated.ifc",
        "unsupported-schema": folder / "old.ifc",
        "directory": folder / "a-folder.ifc",
        "no-project": folder / "no-project.ifc",
    }
    corpus["empty"].write_bytes(b"")
    corpus["random"].write_bytes(bytes(range(256)) * 40)
    corpus["html"].write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    corpus["truncated"].write_bytes(data[: len(data) // 2])
    corpus["unsupported-schema"].write_bytes(data.replace(b"FILE_SCHEMA(('IFC4'))", b"FILE_SCHEMA(('IFC2X_FINAL'))"))
    corpus["directory"].mkdir()
    header, _, body = data.partition(b"DATA;")
    corpus["no-project"].write_bytes(header + b"DATA;\n#1=IFCPERSON($,$,$,$,$,$,$,$);\nENDSEC;\nEND-ISO-10303-21;\n")
    return corpus


BAD_KINDS = ["missing", "empty", "random", "html", "truncated", "unsupported-schema", "directory", "no-project"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_bad_input_is_refused_with_one_clear_line_naming_the_file(tmp_path, kind):
    path = make_bad_inputs(tmp_path)[kind]
    with pytest.raises(BadIfcFile) as caught:
        open_ifc(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message


def test_an_unsupported_schema_says_which_schemas_are_read(tmp_path):
    with pytest.raises(UnsupportedSchema, match="IFC2X_FINAL.*IFC2X3, IFC4 and IFC4X3"):
        open_ifc(make_bad_inputs(tmp_path)["unsupported-schema"])


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3_ADD2"])
def test_the_three_supported_schemas_open(tmp_path, schema):
    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101")], schema=schema, with_wall=False))
    assert model.schema == schema
    assert model.project.Name == "测试项目"
    assert len(model.sha256) == 64


def test_a_millimetre_file_without_an_area_unit_has_areas_in_square_millimetres(tmp_path):
    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101")], unit="mm", area_unit=False))
    assert model.units.length == pytest.approx(0.001)
    assert model.units.area == pytest.approx(1e-6)
    assert model.units.volume == pytest.approx(1e-9)


@pytest.mark.parametrize("path", get_real_ifc_files(), ids=lambda p: p.name)
def test_every_real_file_opens_with_its_units(path):
    model = open_ifc(path)
    millimetre = path.name in {"LargeBuilding.ifc", "TallBuilding.ifc", "ManySimpleWalls.ifc", "IfcOpenHouse_IFC4.ifc"}
    assert model.units.length == pytest.approx(0.001 if millimetre else 1.0)
    # LargeBuilding declares millimetres for length but square metres for area
    if path.name == "LargeBuilding.ifc":
        assert model.units.area == pytest.approx(1.0)


def test_the_real_files_are_where_the_tests_expect_them():
    assert SHARED_IFC.is_dir()
    assert len(get_real_ifc_files()) >= 10
