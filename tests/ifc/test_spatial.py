"""The spatial structure: every space gets a building and a storey, by elevation where needed."""

from __future__ import annotations

import pytest

from realdata import ROOT, get_real_ifc_files
from ifc_factory import RoomSpec, build_model
from twin.ifc.reader import open_ifc
from twin.ifc import spatial
from twin.ifc.spatial import ParentIndex, _get_parent, read_spatial_structure


def storey_name(tree, space_number):
    place = next(p for p in tree.spaces.values() if p.entity.Name == space_number)
    return tree.storeys[place.storey_global_id].name, place.storey_inferred


def test_a_space_under_a_storey_keeps_that_storey(tmp_path):
    tree = read_spatial_structure(open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("201", storey=1)])))
    assert storey_name(tree, "201") == ("2F", False)


def test_a_space_directly_under_the_building_goes_on_the_storey_its_elevation_says(tmp_path):
    path = build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("201", storey=1, parent="building")])
    tree = read_spatial_structure(open_ifc(path))
    assert storey_name(tree, "201") == ("2F", True)
    assert storey_name(tree, "101") == ("1F", False)


def test_a_space_inside_another_space_goes_on_the_storey_its_elevation_says(tmp_path):
    rooms = [RoomSpec("201", storey=1), RoomSpec("201a", storey=1, parent="space:201", outline=[(1, 1), (2, 1), (2, 2), (1, 2)])]
    tree = read_spatial_structure(open_ifc(build_model(tmp_path / "m.ifc", rooms)))
    assert storey_name(tree, "201a") == ("2F", True)


def test_elevations_of_a_millimetre_file_are_in_metres(tmp_path):
    tree = read_spatial_structure(open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101")], unit="mm", storey_elevations=(0.0, 3.5))))
    assert sorted(s.elevation_m for s in tree.storeys.values()) == pytest.approx([0.0, 3.5])


@pytest.mark.parametrize("path", get_real_ifc_files(), ids=lambda p: p.name)
def test_every_space_of_every_real_file_is_placed_on_a_storey_of_a_building(path):
    model = open_ifc(path)
    tree = read_spatial_structure(model)
    assert len(tree.spaces) == len(model.file.by_type("IfcSpace"))
    for place in tree.spaces.values():
        assert place.building_global_id in tree.buildings
        assert tree.storeys[place.storey_global_id].parent_global_id == place.building_global_id


CAMPUS = sorted((ROOT / "models_ifc").glob("campus_*.ifc"))


@pytest.mark.parametrize("path", get_real_ifc_files() + CAMPUS, ids=lambda p: p.name)
def test_the_parent_index_gives_every_products_parent_as_the_library_does(path):
    import ifcopenshell

    file = ifcopenshell.open(str(path))
    index = ParentIndex(file)
    products = file.by_type("IfcProduct")
    assert products and all(index.get_parent(p) == _get_parent(p) for p in products)


def test_an_element_in_two_containers_is_asked_the_librarys_way(tmp_path, monkeypatch):
    import ifcopenshell.api

    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101", "办公室")]))
    file = model.file
    wall = file.by_type("IfcWall")[0]
    storey = file.by_type("IfcBuildingStorey")[0]
    other = ifcopenshell.api.run("root.create_entity", file, ifc_class="IfcBuildingStorey", name="夹层")
    file.create_entity("IfcRelContainedInSpatialStructure", ifcopenshell.guid.new(), RelatedElements=[wall], RelatingStructure=other)
    asked = []
    monkeypatch.setattr(spatial, "_get_parent", lambda e: asked.append(e) or storey)
    assert ParentIndex(file).get_parent(wall) == storey and asked == [wall]


@pytest.mark.parametrize("path", get_real_ifc_files() + CAMPUS, ids=lambda p: p.name)
def test_the_storey_an_element_is_plainly_contained_in_is_the_storey_its_ancestors_name(path):
    import ifcopenshell

    file = ifcopenshell.open(str(path))
    index = ParentIndex(file)
    answered = 0
    for product in file.by_type("IfcElement"):
        storey = index.get_containing_storey(product.id())
        if storey is not None:
            answered += 1
            assert storey == index.find_ancestor(product, "IfcBuildingStorey").GlobalId
    assert answered > 0


def test_an_element_in_two_containers_or_aggregated_has_no_plain_storey(tmp_path):
    import ifcopenshell.api

    file = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101", "办公室")])).file
    wall, storey = file.by_type("IfcWall")[0], file.by_type("IfcBuildingStorey")[0]
    assert ParentIndex(file).get_containing_storey(wall.id()) == storey.GlobalId
    other = ifcopenshell.api.run("root.create_entity", file, ifc_class="IfcBuildingStorey", name="夹层")
    twice = file.create_entity("IfcRelContainedInSpatialStructure", ifcopenshell.guid.new(), RelatedElements=[wall], RelatingStructure=other)
    assert ParentIndex(file).get_containing_storey(wall.id()) is None
    file.remove(twice)
    assembly = ifcopenshell.api.run("root.create_entity", file, ifc_class="IfcElementAssembly")
    file.create_entity("IfcRelAggregates", ifcopenshell.guid.new(), RelatingObject=assembly, RelatedObjects=[wall])
    assert ParentIndex(file).get_containing_storey(wall.id()) is None
