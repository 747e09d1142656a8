"""Which elements have a body, read from the file's text, is what ifcopenshell says."""

from __future__ import annotations

import ifcopenshell
import pytest

from ifc_factory import RoomSpec, build_model
from realdata import ROOT, get_real_ifc_files
from twin.geometry.bodies import BodyRefs, has_body
from twin.ifc.steptext import StepText

CAMPUS = sorted((ROOT / "models_ifc").glob("campus_*.ifc"))


def asked_of_ifcopenshell(element) -> tuple[bytes | None, bytes] | None:
    if not has_body(element):
        return None
    placement = element.ObjectPlacement
    return (b"#%d" % placement.id() if placement is not None else None, b"#%d" % element.Representation.id())


@pytest.mark.parametrize("path", get_real_ifc_files() + CAMPUS, ids=lambda p: p.name)
def test_every_products_body_read_from_the_text_is_what_ifcopenshell_says(path):
    file = ifcopenshell.open(str(path))
    bodies = BodyRefs(file, StepText.read(path))
    products = file.by_type("IfcProduct")
    assert [bodies.get(p) for p in products] == [asked_of_ifcopenshell(p) for p in products]
    assert any(bodies.get(p) is not None for p in products)


def test_what_the_text_does_not_say_plainly_is_asked_of_ifcopenshell(tmp_path):
    path = build_model(tmp_path / "m.ifc", [RoomSpec("101")])
    file = ifcopenshell.open(str(path))
    space, wall = file.by_type("IfcSpace")[0], file.by_type("IfcWall")[0]
    wall.Representation.Representations[0].RepresentationIdentifier = "Bo\\dy"  # an escaped identifier: not read from the text
    file.write(str(path))
    text = path.read_bytes().replace(b"IFCSPACE(", b"IFCSPACE(\n")  # the space written over two lines
    file = ifcopenshell.open(str(path))
    bodies = BodyRefs(file, StepText(text))
    space, wall = file.by_id(space.id()), file.by_id(wall.id())
    assert bodies.get(space) == asked_of_ifcopenshell(space) is not None
    assert bodies.get(wall) is None and not has_body(wall)  # "Bo\dy" is not a body identifier, either way


def test_an_element_drawn_only_in_a_plan_context_has_no_body(tmp_path):
    path = build_model(tmp_path / "m.ifc", [RoomSpec("101")])
    file = ifcopenshell.open(str(path))
    wall = file.by_type("IfcWall")[0]
    plan = next(c for c in file.by_type("IfcGeometricRepresentationContext") if c.ContextType == "Plan") \
        if any(c.ContextType == "Plan" for c in file.by_type("IfcGeometricRepresentationContext")) \
        else file.createIfcGeometricRepresentationContext(None, "Plan", 2, 1e-5, file.by_type("IfcAxis2Placement3D")[0], None)
    for representation in wall.Representation.Representations:
        representation.ContextOfItems = plan
    file.write(str(path))
    file = ifcopenshell.open(str(path))
    wall = file.by_id(wall.id())
    assert BodyRefs(file, StepText.read(path)).get(wall) is None and not has_body(wall)
