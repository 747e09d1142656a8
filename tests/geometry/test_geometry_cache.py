"""The geometry cache: a second pass meshes nothing, a changed body misses, files share entries."""

from __future__ import annotations

import subprocess
import sys

import ifcopenshell
import numpy as np
import pytest

import twin.geometry.mesher as mesher
from ifc_factory import RoomSpec, build_model
from twin.geometry.cache import GeometryCache
from twin.geometry.keys import ElementKeys, StepHasher, get_mesh_digest
from twin.geometry.mesher import get_context_elements, mesh_elements
from twin.ifc.steptext import StepText


@pytest.fixture
def kernel_calls(monkeypatch):
    """Elements handed to any geometry kernel, by GlobalId (a spy on the iterator and create_shape)."""
    calls: list[str] = []
    real_iterate, real_create = mesher.iterate_parallel, mesher._create_shape

    def iterate_parallel(file, elements, library, settings, processes):
        calls.extend(e.GlobalId for e in elements)
        yield from real_iterate(file, elements, library, settings, processes)

    def create_shape(settings, element):
        calls.append(element.GlobalId)
        return real_create(settings, element)

    monkeypatch.setattr(mesher, "iterate_parallel", iterate_parallel)
    monkeypatch.setattr(mesher, "_create_shape", create_shape)
    return calls


def _model(path, *rooms):
    return ifcopenshell.open(str(build_model(path, list(rooms), project_id="0" * 22)))


def _everything(file):
    return list(file.by_type("IfcSpace")) + get_context_elements(file)


def test_meshing_twice_hits_the_cache_and_calls_no_kernel(tmp_path, kernel_calls):
    file = _model(tmp_path / "a.ifc", RoomSpec("101"), RoomSpec("102", outline=[(5, 0), (9, 0), (9, 4), (5, 4)]))
    cache = GeometryCache(tmp_path / "cache")
    first = mesh_elements(file, _everything(file), cache=cache)
    assert first.cache_hits == 0 and kernel_calls
    kernel_calls.clear()
    second = mesh_elements(file, _everything(file), cache=GeometryCache(tmp_path / "cache"))  # a fresh handle: on disk
    assert kernel_calls == []
    assert second.cache_hits == len(first.meshes) == 3
    for gid, mesh in first.meshes.items():
        assert np.array_equal(second.meshes[gid].vertices, mesh.vertices)
        assert np.array_equal(second.meshes[gid].faces, mesh.faces)
        assert second.meshes[gid].step_id == mesh.step_id and second.libraries[gid] == first.libraries[gid]
        assert second.meshes[gid].digest == mesh.digest  # identified by the key it is cached under, meshed or looked up


def test_a_mesh_is_identified_by_its_cache_key_and_without_a_cache_by_its_arrays(tmp_path):
    file = _model(tmp_path / "a.ifc", RoomSpec("101"))
    space = file.by_type("IfcSpace")[0]
    cached = mesh_elements(file, [space], cache=GeometryCache(tmp_path / "cache")).meshes[space.GlobalId]
    plain = mesh_elements(file, [space]).meshes[space.GlobalId]
    assert cached.digest == "k" + mesher.get_element_keys(file, [space])[space.id()]
    assert plain.content_key is None and plain.digest == get_mesh_digest(plain.vertices, plain.faces)


def test_a_changed_representation_misses_and_nothing_else_does(tmp_path, kernel_calls):
    file = _model(tmp_path / "a.ifc", RoomSpec("101"), RoomSpec("102", outline=[(5, 0), (9, 0), (9, 4), (5, 4)]))
    cache = GeometryCache(tmp_path / "cache")
    mesh_elements(file, _everything(file), cache=cache)
    changed = file.by_type("IfcSpace")[1]
    solid = next(e for e in file.traverse(changed.Representation) if e.is_a("IfcExtrudedAreaSolid"))
    solid.Depth = solid.Depth * 2
    kernel_calls.clear()
    result = mesh_elements(file, _everything(file), cache=cache)
    assert kernel_calls == [changed.GlobalId]
    assert result.cache_hits == 2
    assert result.meshes[changed.GlobalId].vertices[:, 2].max() == pytest.approx(6.0)


def test_identical_elements_in_two_files_share_an_entry(tmp_path, kernel_calls):
    cache = GeometryCache(tmp_path / "cache")
    one = _model(tmp_path / "one.ifc", RoomSpec("101"))
    mesh_elements(one, _everything(one), cache=cache)
    stored = len(cache)
    # The same room and wall in a second file, with another room added and every #id shifted.
    two = _model(tmp_path / "two.ifc", RoomSpec("099", outline=[(10, 0), (12, 0), (12, 2), (10, 2)]), RoomSpec("101"))
    keys_one = ElementKeys(one, plan_fingerprint="p", settings_fingerprint="s")
    keys_two = ElementKeys(two, plan_fingerprint="p", settings_fingerprint="s")
    room_one = next(s for s in one.by_type("IfcSpace") if s.Name == "101")
    room_two = next(s for s in two.by_type("IfcSpace") if s.Name == "101")
    assert room_one.id() != room_two.id()
    assert keys_one(room_one) == keys_two(room_two)
    kernel_calls.clear()
    result = mesh_elements(two, two.by_type("IfcSpace"), cache=cache)
    assert kernel_calls == [next(s for s in two.by_type("IfcSpace") if s.Name == "099").GlobalId]
    assert result.cache_hits == 1
    assert len(cache) == stored + 1


def test_a_moved_element_misses(tmp_path):
    one = _model(tmp_path / "one.ifc", RoomSpec("101"))
    two = _model(tmp_path / "two.ifc", RoomSpec("101", outline=[(1, 0), (6, 0), (6, 4), (1, 4)]))
    keys = [ElementKeys(f, plan_fingerprint="p", settings_fingerprint="s")(f.by_type("IfcSpace")[0]) for f in (one, two)]
    assert keys[0] != keys[1]


def _keys_from_text(path, file):
    """Keys hashed from the file's own text, as an ingest makes them."""
    return ElementKeys(file, plan_fingerprint="p", settings_fingerprint="s", hasher=StepHasher(file, text=StepText.read(path)))


def test_keys_from_the_files_own_text_ignore_renumbering_and_see_a_move(tmp_path):
    paths = [build_model(tmp_path / "one.ifc", [RoomSpec("101")], project_id="0" * 22),
             build_model(tmp_path / "two.ifc", [RoomSpec("099", outline=[(10, 0), (12, 0), (12, 2), (10, 2)]), RoomSpec("101")], project_id="0" * 22),
             build_model(tmp_path / "moved.ifc", [RoomSpec("101", outline=[(1, 0), (6, 0), (6, 4), (1, 4)])], project_id="0" * 22)]
    files = [ifcopenshell.open(str(p)) for p in paths]
    rooms = [next(s for s in f.by_type("IfcSpace") if s.Name == "101") for f in files]
    one, two, moved = (_keys_from_text(p, f)(room) for p, f, room in zip(paths, files, rooms))
    assert rooms[0].id() != rooms[1].id()
    assert one == two
    assert one != moved


def test_step_text_takes_whole_entity_lines_only():
    text = StepText(b"ISO-10303-21;\nDATA;\n#1= IFCCARTESIANPOINT((0.,0.,0.));\r\n"
                    b"#2=IFCPROPERTYSINGLEVALUE('a;\n#3=b;',$,$,$);\n#4=IFCLABEL('it''s');\nENDSEC;\n")
    assert text.get_body(1) == b"IFCCARTESIANPOINT((0.,0.,0.))"
    assert text.get_body(2) is None  # written over two lines: left to ifcopenshell
    assert text.get_body(3) is None  # inside #2's string, and an open quote: not an entity line
    assert text.get_body(4) == b"IFCLABEL('it''s')"
    assert text.get_body_of(b"#4") == text.get_body(4) and text.get_body(5) is None and text.get_body(10**12) is None
    assert StepText(b"#1=IFCLABEL('a');\n#2=IFCLABEL('b');").get_body(2) == b"IFCLABEL('b')"  # the last line, no newline after it


def test_step_text_leaves_an_id_written_twice_to_ifcopenshell_and_reads_sparse_ids():
    twice = StepText(b"#1=IFCLABEL('a');\n#2=IFCLABEL('b');\n#2=IFCLABEL('c');\n")
    assert twice.get_body(1) == b"IFCLABEL('a')" and twice.get_body(2) is None
    sparse = StepText(b"#7=IFCLABEL('a');\n#90000000=IFCLABEL('b');\n#90000000=IFCLABEL('c');\n#12 =IFCLABEL('d');")  # no dense table
    assert sparse.get_body_of(b"#7") == b"IFCLABEL('a')" and sparse.get_body(90000000) is None and sparse.get_body(12) is None


def test_an_entity_the_text_lacks_is_hashed_from_ifcopenshell(tmp_path):
    path = build_model(tmp_path / "one.ifc", [RoomSpec("101")], project_id="0" * 22)
    file = ifcopenshell.open(str(path))
    room = file.by_type("IfcSpace")[0]
    whole = StepHasher(file, text=StepText.read(path))(room.Representation)
    lines = path.read_bytes().replace(b"IFCEXTRUDEDAREASOLID(", b"IFCEXTRUDEDAREASOLID(\n")  # one entity split over lines
    partial = StepText(lines)
    solid = next(e for e in file.traverse(room.Representation) if e.is_a("IfcExtrudedAreaSolid"))
    assert partial.get_body(solid.id()) is None
    assert StepHasher(file, text=partial)(room.Representation) == whole  # ifcopenshell wrote this file: the same text


@pytest.mark.parametrize("name", ["campus_canteen.ifc"])
def test_keys_made_from_references_read_in_the_text_are_the_keys_made_from_the_elements(name):
    from realdata import ROOT
    from twin.geometry.bodies import has_body
    from twin.geometry.mesher import get_context_elements, get_element_keys, get_plan, make_settings, settings_fingerprint

    path = ROOT / "models_ifc" / name
    file = ifcopenshell.open(str(path))
    elements = list(file.by_type("IfcSpace")) + get_context_elements(file)
    plan = get_plan(None)
    asked = ElementKeys(file, plan_fingerprint=plan.fingerprint, settings_fingerprint=settings_fingerprint(make_settings()),
                        hasher=StepHasher(file, text=StepText.read(path)))
    expected = {e.id(): asked(e) for e in elements if has_body(e)}
    assert get_element_keys(file, elements, hasher=StepHasher(file, text=StepText.read(path))) == expected and expected


def test_processes_opening_a_new_cache_at_once_all_use_it(tmp_path):
    """As two ingests started together on a new assets folder: SQLite turning a new file into
    WAL in two processes at once can deadlock, and one of them failed with 'database is
    locked' (in about one round in ten here, before the cache's set-up took a file lock)."""
    user = ("import sys\nimport numpy as np\nfrom twin.geometry.cache import GeometryCache\n"
            "cache = GeometryCache(sys.argv[1])\nprint('ready', flush=True)\nsys.stdin.readline()\n"
            "cache.put_many([(sys.argv[2], np.zeros((3, 3)), np.array([[0, 1, 2]]), 'test')])\n"
            "print(len(cache.get_many([sys.argv[2]])))")
    for attempt in range(10):
        root = tmp_path / f"assets{attempt}"
        processes = [subprocess.Popen([sys.executable, "-c", user, str(root), f"key{i}"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(6)]
        assert [process.stdout.readline() for process in processes] == ["ready\n"] * 6
        for process in processes:  # all start at once
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [process.communicate(timeout=120) for process in processes]
        assert [(process.returncode, out.strip()) for process, (out, _) in zip(processes, results)] == [(0, "1")] * 6, results
        assert len(GeometryCache(root).get_many(f"key{i}" for i in range(6))) == 6


def test_a_cache_written_after_another_process_came_and_went_is_read_by_others(tmp_path):
    """As the ledger's (tests/ledger/test_migrations.py): the set-up lock must not drop this
    process's SQLite locks on the cache, or its later writes go into a deleted write-ahead log."""
    cache = GeometryCache(tmp_path)
    cache.put_blobs([("before", b"1")])
    visitor = "import sys\nfrom twin.geometry.cache import GeometryCache\nc = GeometryCache(sys.argv[1])\nc.get_blobs(['before'])\nc.close()"
    subprocess.run([sys.executable, "-c", visitor, str(tmp_path)], check=True, timeout=120)
    cache.put_blobs([("after", b"2")])
    reader = "import sys\nfrom twin.geometry.cache import GeometryCache\nprint(sorted(GeometryCache(sys.argv[1]).get_blobs(['before', 'after'])))"
    seen = subprocess.run([sys.executable, "-c", reader, str(tmp_path)], check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    assert seen == "['after', 'before']"


def test_a_forked_child_uses_a_connection_of_its_own_and_leaves_its_parents_alone(tmp_path, forking_allowed):
    """A read-ahead child makes the context stage with its parent's cache object; sharing the
    parent's SQLite connection across the fork, or closing it in the child, would corrupt it."""
    import os
    import time

    from twin.geometry.forked import ForkedSteps

    cache = GeometryCache(tmp_path)
    cache.put_blobs([("parent", b"1")])
    parents = cache._connect()

    def in_the_child():
        own = cache._connect() is not parents
        seen = cache.get_blobs(["parent"])
        cache.put_blobs([("child", b"2")])
        cache.close()
        return os.getpid(), sorted(seen), own

    steps = ForkedSteps([in_the_child])
    assert steps.is_forked
    while steps._claims[0] != 1:  # the child's, not made here
        time.sleep(0.001)
    pid, seen, own = steps.get(0)
    assert pid != os.getpid() and seen == ["parent"] and own
    assert cache._connect() is parents  # still open, and still this process's
    assert sorted(cache.get_blobs(["parent", "child"])) == ["child", "parent"]
    cache.put_blobs([("after", b"3")])
    reader = "import sys\nfrom twin.geometry.cache import GeometryCache\nprint(sorted(GeometryCache(sys.argv[1]).get_blobs(['child', 'after'])))"
    seen = subprocess.run([sys.executable, "-c", reader, str(tmp_path)], check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    assert seen == "['after', 'child']"


def test_held_writes_are_served_here_and_reach_the_disk_when_the_block_ends(tmp_path):
    cache, other = GeometryCache(tmp_path), GeometryCache(tmp_path)  # other: as another process sees the file
    vertices, faces = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]]), np.array([[0, 1, 2]])
    with cache.deferred_writes():
        cache.put_many([("mesh", vertices, faces, "cgal-simple")])
        cache.put_blobs([("glb", b"bytes")])
        measured = cache.remember_batch(["area"], lambda missing: [{"m2": 12.5}])
        assert other.get_libraries(["mesh"]) == {} and other.get_blobs(["glb", "area"]) == {}  # nothing written yet
        assert cache.get_libraries(["mesh"]) == {"mesh": "cgal-simple"}
        held = cache.get_many(["mesh"])["mesh"]
        assert np.array_equal(held.vertices, vertices) and held.faces.dtype == np.int64 and held.library == "cgal-simple"
        assert cache.get_blobs(["glb"]) == {"glb": b"bytes"}
        assert cache.remember_batch(["area"], lambda missing: pytest.fail("made twice")) == measured == {"area": {"m2": 12.5}}
    assert other.get_libraries(["mesh"]) == {"mesh": "cgal-simple"}
    assert np.array_equal(other.get_many(["mesh"])["mesh"].vertices, vertices)
    assert other.get_blobs(["glb"]) == {"glb": b"bytes"}
    assert other.remember_batch(["area"], lambda missing: pytest.fail("not kept")) == {"area": {"m2": 12.5}}


def test_held_writes_are_written_when_the_block_raises(tmp_path):
    cache = GeometryCache(tmp_path)
    with pytest.raises(RuntimeError), cache.deferred_writes():
        cache.put_blobs([("made", b"1")])
        raise RuntimeError("the ledger refused")
    assert GeometryCache(tmp_path).get_blobs(["made"]) == {"made": b"1"}


def test_a_forked_child_writes_at_once_while_its_parent_holds_its_writes(tmp_path, forking_allowed):
    """The read-ahead child is forked inside the ingest's held block: what it stores, its
    parent loads by key (the context's meshes), so it must not hold it in memory and exit."""
    import time

    from twin.geometry.forked import ForkedSteps

    cache = GeometryCache(tmp_path)
    with cache.deferred_writes():
        cache.put_blobs([("parent", b"1")])
        steps = ForkedSteps([lambda: (cache.put_blobs([("child", b"2")]), cache.close())])
        assert steps.is_forked
        while steps._claims[0] != 1:  # the child's, not made here
            time.sleep(0.001)
        steps.get(0)
        assert GeometryCache(tmp_path).get_blobs(["parent", "child"]) == {"child": b"2"}
    assert GeometryCache(tmp_path).get_blobs(["parent", "child"]) == {"child": b"2", "parent": b"1"}
