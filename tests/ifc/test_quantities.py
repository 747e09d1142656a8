"""Declared areas are found wherever exporters put them, in m2, each with its source."""

from __future__ import annotations

import pytest

from realdata import SHARED_IFC
from ifc_factory import RoomSpec, build_model
from twin.ifc.quantities import read_room_properties
from twin.ifc.reader import open_ifc


def read_first_room(path):
    model = open_ifc(path)
    return read_room_properties(model.file.by_type("IfcSpace")[0], model.units)


def test_the_standard_quantity_set_declares_net_and_gross_area(tmp_path):
    props = read_first_room(build_model(tmp_path / "m.ifc", [RoomSpec("101", net_area=18.5)]))
    assert props.primary_declared_area.value_m2 == pytest.approx(18.5)
    assert props.primary_declared_area.source == "Qto_SpaceBaseQuantities.NetFloorArea"
    assert {a.source for a in props.declared_areas} == {"Qto_SpaceBaseQuantities.NetFloorArea", "Qto_SpaceBaseQuantities.GrossFloorArea"}


def test_a_room_without_any_set_declares_nothing(tmp_path):
    props = read_first_room(build_model(tmp_path / "m.ifc", [RoomSpec("101", qto_name=None)]))
    assert props.declared_areas == [] and props.primary_declared_area is None


def test_an_unnamed_quantity_set_still_declares_an_area(tmp_path):
    props = read_first_room(build_model(tmp_path / "n.ifc", [RoomSpec("101", qto_name="")]))
    assert props.primary_declared_area.source == "(unnamed).NetFloorArea"
    assert props.primary_declared_area.value_m2 == pytest.approx(20.0)


def test_a_vendor_area_is_used_when_no_quantity_set_exists(tmp_path):
    props = read_first_room(build_model(tmp_path / "m.ifc", [RoomSpec("101", qto_name=None, vendor_area=19.25)]))
    assert props.primary_declared_area.source == "PSet_Revit_Dimensions.Area"
    assert props.primary_declared_area.kind == "Area"
    assert props.primary_declared_area.value_m2 == pytest.approx(19.25)


def test_areas_of_a_millimetre_file_without_an_area_unit_come_out_in_square_metres(tmp_path):
    props = read_first_room(build_model(tmp_path / "m.ifc", [RoomSpec("101")], unit="mm", area_unit=False))
    assert props.primary_declared_area.value_m2 == pytest.approx(20.0)


@pytest.mark.parametrize(
    "name, source",
    [
        ("AC11-Institute-Var-2-IFC.ifc", "BaseQuantities.NetFloorArea"),
        ("ExampleHOM.ifc", "Qto_SpaceBaseQuantities.NetFloorArea"),
        ("duplex.ifc", "PSet_Revit_Dimensions.Area"),
        ("LargeBuilding.ifc", "BaseQuantities.NetFloorArea"),
        ("3rooms_Heater_AirTerminal_Table_with_SB.ifc", "Qto_SpaceBaseQuantities.NetFloorArea"),
    ],
)
def test_real_files_declare_their_areas_where_the_readme_says(name, source):
    model = open_ifc(SHARED_IFC / name)
    for space in model.file.by_type("IfcSpace"):
        props = read_room_properties(space, model.units)
        assert props.primary_declared_area is not None
        assert props.primary_declared_area.source == source
        assert 0.5 < props.primary_declared_area.value_m2 < 2000


def test_the_fzk_haus_net_area_applies_reductions_and_differs_from_gross():
    model = open_ifc(SHARED_IFC / "AC20-FZK-Haus.ifc")
    values = [read_room_properties(s, model.units).declared_areas for s in model.file.by_type("IfcSpace")]
    pairs = [({a.kind: a.value_m2 for a in v}) for v in values]
    assert any(p["NetFloorArea"] == pytest.approx(74.5, abs=0.1) and p["GrossFloorArea"] == pytest.approx(107.2, abs=0.1) for p in pairs)


def test_values_with_their_own_units_odd_values_and_other_kinds_of_property_read_as_before(tmp_path):
    """A quantity and a property in square feet, a count, a real, a boolean, an empty value and
    an enumerated property: each as the attribute-by-attribute reading gave it."""
    import ifcopenshell.api
    import ifcopenshell.guid

    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101", qto_name=None)]))
    file, space = model.file, model.file.by_type("IfcSpace")[0]
    metre2 = file.create_entity("IfcSIUnit", UnitType="AREAUNIT", Name="SQUARE_METRE")
    factor = file.create_entity("IfcMeasureWithUnit", file.create_entity("IfcAreaMeasure", 0.09290304), metre2)
    dims = file.create_entity("IfcDimensionalExponents", 2, 0, 0, 0, 0, 0, 0)
    square_foot = file.create_entity("IfcConversionBasedUnit", dims, "AREAUNIT", "square foot", factor)
    quantities = file.create_entity("IfcElementQuantity", ifcopenshell.guid.new(), Name="BaseQuantities", Quantities=[
        file.create_entity("IfcQuantityArea", "NetFloorArea", AreaValue=200.0, Unit=square_foot),
        file.create_entity("IfcQuantityCount", "Desks", CountValue=4.0),
    ])
    properties = file.create_entity("IfcPropertySet", ifcopenshell.guid.new(), Name="Pset_Ledger", HasProperties=[
        file.create_entity("IfcPropertySingleValue", "Area", NominalValue=file.create_entity("IfcAreaMeasure", 100.0), Unit=square_foot),
        file.create_entity("IfcPropertySingleValue", "Ratio", NominalValue=file.create_entity("IfcReal", 0.5)),
        file.create_entity("IfcPropertySingleValue", "Shared", NominalValue=file.create_entity("IfcBoolean", True)),
        file.create_entity("IfcPropertySingleValue", "Empty"),
        file.create_entity("IfcPropertyEnumeratedValue", "Kind", EnumerationValues=[file.create_entity("IfcLabel", "A")]),
    ])
    for definition in (quantities, properties):
        file.create_entity("IfcRelDefinesByProperties", ifcopenshell.guid.new(), RelatedObjects=[space], RelatingPropertyDefinition=definition)
    props = read_room_properties(space, model.units)
    assert props.properties["BaseQuantities"] == {"NetFloorArea": pytest.approx(200 * 0.09290304), "Desks": 4.0}
    assert props.properties["Pset_Ledger"] == {"Area": pytest.approx(9.290304), "Ratio": 0.5, "Shared": True, "Empty": None}
    assert {(a.kind, a.source) for a in props.declared_areas} == {("NetFloorArea", "BaseQuantities.NetFloorArea"), ("Area", "Pset_Ledger.Area")}
