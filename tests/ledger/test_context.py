"""The context stage in parts: split the same everywhere, made from both ends, merged into one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
import shapely

from realdata import get_real_ifc_files
from twin.geometry.cache import GeometryCache
from twin.geometry.mesher import get_context_elements
from twin.ifc.reader import open_ifc
from twin.ifc.spatial import read_spatial_structure
from twin.ifc.spf import get_sha256
from twin.ledger import context as context_module
from twin.ledger import readahead
from twin.ledger.context import count_parts, merge_contexts, mesh_context, split_context
from twin.ledger.readahead import ReadAhead

CANTEEN = Path(__file__).resolve().parents[2] / "models_ifc" / "campus_canteen.ifc"


@pytest.fixture
def forking_allowed(monkeypatch):
    """Fork although the test process runs other threads: the children here only mesh and cut."""
    from twin.geometry import workers

    monkeypatch.setattr(workers, "_is_single_threaded", lambda: True)


@pytest.fixture(scope="module")
def canteen():
    return open_ifc(CANTEEN, sha256=get_sha256(CANTEEN))


def test_a_context_is_split_into_runs_of_about_equal_length_storey_by_storey(canteen):
    structure, elements = read_spatial_structure(canteen), get_context_elements(canteen.file)
    parts = split_context(structure, elements, 4)
    share = len(elements) / 4
    assert len(parts) == 4 and all(abs(len(part) - share) <= share / 2 for part in parts)
    assert sorted(e.id() for part in parts for e in part) == sorted(e.id() for e in elements)
    order = list(structure.storeys)
    ranks = [order.index(structure.parents.get_containing_storey(e.id())) for part in parts for e in part]
    assert ranks == sorted(ranks)  # storey by storey, across the parts
    storey_of = [structure.parents.get_containing_storey(part[-1].id()) for part in parts[:-1]]
    first_of = [structure.parents.get_containing_storey(part[0].id()) for part in parts[1:]]
    assert any(a != b for a, b in zip(storey_of, first_of))  # a storey ends near enough: cut there
    again = split_context(read_spatial_structure(canteen), get_context_elements(canteen.file), 4)
    assert [[e.id() for e in part] for part in again] == [[e.id() for e in part] for part in parts]


def test_a_context_is_made_in_parts_only_when_it_is_large():
    assert [count_parts(n) for n in (0, 39, 82, 150, 446, 2297)] == [1, 1, 2, 3, 4, 4]


def test_a_storey_whose_walls_are_cut_in_two_parts_gets_the_union_of_both_cuts(canteen):
    structure, elements = read_spatial_structure(canteen), get_context_elements(canteen.file)
    whole = mesh_context(canteen, structure, elements, cache=None)
    for count in range(2, 12):  # a split that falls among a storey's walls
        parts = [mesh_context(canteen, structure, part, cache=None) for part in split_context(structure, elements, count)]
        shared = {storey for storey in whole.plan_walls
                  if sum(not p.plan_walls.get(storey, shapely.Polygon()).is_empty for p in parts) > 1}
        if shared:
            break
    assert shared, "no split fell among a storey's walls"
    merged = merge_contexts(parts)
    assert merged.storeys == whole.storeys and merged.result.meshes.keys() == whole.result.meshes.keys()
    assert merged.result.expected == whole.result.expected and merged.result.libraries == whole.result.libraries
    for storey, walls in whole.plan_walls.items():
        got = merged.plan_walls[storey]
        assert got.area == pytest.approx(walls.area, rel=1e-3)
        assert shapely.symmetric_difference(got, walls).area < 1e-3 * walls.area
    for storey in shared:  # more than any one part's cut
        assert merged.plan_walls[storey].area > max(p.plan_walls[storey].area for p in parts if storey in p.plan_walls)


def test_the_parts_of_a_large_context_are_made_from_both_ends_and_merged_as_one_process_makes_them(
        canteen, tmp_path, forking_allowed, monkeypatch):
    monkeypatch.setattr(context_module, "CONTEXT_PART_MIN", 40)  # the canteen's 197 elements: 4 parts
    monkeypatch.setattr(readahead, "FORK_MIN", 1)
    elements = get_context_elements(canteen.file)
    log, parent = tmp_path / "parts.log", os.getpid()
    real = readahead.mesh_context

    def slow_in_the_child(model, structure, part, **kwargs):  # forked with the child: it logs there too
        if os.getpid() != parent:
            time.sleep(0.4)
        with open(log, "a") as out:
            out.write(f"{part[0].id()} {'child' if os.getpid() != parent else 'here'}\n")
        return real(model, structure, part, **kwargs)

    monkeypatch.setattr(readahead, "mesh_context", slow_in_the_child)
    cache_here, cache_there = GeometryCache(tmp_path / "here"), GeometryCache(tmp_path / "there")
    ahead = ReadAhead(canteen, context=elements, cache=cache_there)
    assert ahead._steps.is_forked
    deadline = time.monotonic() + 10
    while ahead._steps._claims[1] != 1:  # the child has begun the first part
        assert time.monotonic() < deadline, "the child never began the context"
        time.sleep(0.001)
    ahead.set_structure(read_spatial_structure(canteen))
    made_there = ahead.get_context().attach(cache_there)

    monkeypatch.setattr(readahead, "FORK_MIN", 10**9)
    monkeypatch.setattr(readahead, "FORK_MIN_CONTEXT", 10**9)
    here = ReadAhead(canteen, context=elements, cache=cache_here)
    assert not here._steps.is_forked
    here.set_structure(read_spatial_structure(canteen))
    made_here = here.get_context().attach(cache_here)

    parts = split_context(read_spatial_structure(canteen), elements, 4)
    makers = dict(line.split() for line in log.read_text().splitlines()[:4])  # the forked ingest's four parts
    assert makers[str(parts[0][0].id())] == "child" and makers[str(parts[-1][0].id())] == "here"
    assert len(makers) == 4  # each part made once
    assert made_there.storeys == made_here.storeys and made_there.result.meshes.keys() == made_here.result.meshes.keys()
    for gid, mesh in made_here.result.meshes.items():
        there = made_there.result.meshes[gid]
        assert np.array_equal(there.vertices, mesh.vertices) and np.array_equal(there.faces, mesh.faces)
    assert made_here.plan_walls.keys() == made_there.plan_walls.keys()
    assert all(shapely.equals(made_here.plan_walls[gid], made_there.plan_walls[gid]) for gid in made_here.plan_walls)
    cache_here.close()
    cache_there.close()


def test_a_context_made_in_parts_draws_the_plans_one_part_draws_on_the_real_files(tmp_path, monkeypatch):
    if not get_real_ifc_files():
        pytest.skip("real files not present")
    for path in get_real_ifc_files():
        model = open_ifc(path, sha256=get_sha256(path))
        structure, elements = read_spatial_structure(model), get_context_elements(model.file)
        whole = mesh_context(model, structure, elements, cache=None)
        merged = merge_contexts([mesh_context(model, structure, part, cache=None)
                                 for part in split_context(structure, elements, min(4, max(1, len(elements) // 10)))])
        assert merged.storeys == whole.storeys and merged.result.meshes.keys() == whole.result.meshes.keys(), path.name
        for storey, walls in whole.plan_walls.items():
            got = merged.plan_walls[storey]
            assert shapely.symmetric_difference(got, walls).area <= 1e-3 * max(walls.area, 1e-6), (path.name, storey)
