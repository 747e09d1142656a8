"""What an ingest will need from a file and can make before it is asked, on the other core.

Once a file is open, three things an ingest needs depend on nothing it reads later:

1. the rooms' geometry cache keys (a walk over the rooms' representation subgraphs);
2. the context stage's geometry (:func:`~twin.ledger.context.mesh_context`), in parts on a
   large model: the building elements' keys, their meshes (from the cache, or made: most of a
   first ingest's work), their storeys and the cut walls;
3. the rooms' property and quantity sets, declared areas among them.

:class:`ReadAhead` begins them at once in a forked child
(:class:`~twin.geometry.forked.ForkedSteps`), in that order, each sent back as soon as it is
done, while this process reads the spatial structure, meshes and measures the rooms and stores
them (it needs the rooms' keys first, their properties next, the context last). Whatever this
process asks for before the child has begun it, it makes itself: the properties, as a rule,
once its rooms are meshed, while the child makes the context (the longer step, better begun
early); and, once its rooms are stored, the context's parts from the last, while the child goes
on from the first, until they meet (the rooms stage is most of this process's work, the
context most of the child's: without this, one core idled while the other finished the context).

Not worth a fork for a few elements: then each is made here when it is asked for, the keys
sharing one hasher and the context this process's spatial structure (:meth:`ReadAhead.set_structure`).

The child is kept for the process's next ingest (see :mod:`twin.geometry.child`), which sends
it the file's path (:func:`send_read_ahead`) before opening the file itself: the child opens it
too, meanwhile, and makes the same steps from it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ifcopenshell

from twin.geometry.cache import GeometryCache
from twin.geometry.keys import StepHasher
from twin.geometry.child import SentJob, StepProgress, send_ahead
from twin.geometry.forked import ForkedSteps
from twin.geometry.mesher import get_context_elements, get_element_keys
from twin.ifc.quantities import RoomProperties, read_room_properties
from twin.ifc.reader import IfcModel, open_ifc
from twin.ifc.spf import get_sha256
from twin.ifc.spatial import SpatialStructure, read_spatial_structure
from twin.ifc.steptext import StepText
from twin.ledger.context import ContextMeshes, count_parts, merge_contexts, mesh_context, split_context

#: Elements (rooms and context) from which their work ahead is worth a forked child (a fork
#: and what it slows in both processes cost 10-20 ms here; properties about 70 us per room)...
FORK_MIN = 150
#: ... or context elements, in a model with rooms: the context stage is then made while this
#: process stores the rooms (measured on the real files: from 21 context elements and 4 rooms,
#: 6-20 % off a full ingest; 13 elements and 7 rooms, or no rooms, 13-16 % slower).
FORK_MIN_CONTEXT = 20

#: The child's niceness: its work (and its kernel workers') is ahead of need, this process's comes first.
CHILD_NICE = 10

_ROOM_KEYS, _CONTEXT = 0, 1  # the context's parts from 1, then the properties


class _Known:
    """What this process learns after the fork and a step made here may use (the child reads its own)."""

    structure: SpatialStructure | None = None


@dataclass(frozen=True)
class _Recipe:
    """How a kept child (:class:`~twin.geometry.forked.ForkedSteps`' ``recipe``) makes a
    read-ahead's steps itself: the file opened again (its bytes checked to be the same), the
    context's elements found again by step id."""

    path: Path
    sha256: str
    context_ids: tuple[int, ...] | None  # the context's elements by step id; None: get_context_elements'
    cache_root: Path | None

    def __call__(self) -> tuple[list[Callable[[], Any]], dict[int, StepProgress]]:
        if get_sha256(self.path) != self.sha256:  # the file changed since: nothing to make ahead
            return [], {}
        model = open_ifc(self.path, sha256=self.sha256)
        ids = self.context_ids
        context = [model.file.by_id(i) for i in ids] if ids is not None else get_context_elements(model.file)
        cache = GeometryCache(self.cache_root) if self.cache_root is not None else None
        steps, progress, _ = _make_steps(model, list(model.file.by_type("IfcSpace")), context, cache, _Known())
        return steps, progress


def _make_steps(model: IfcModel, spaces: list[ifcopenshell.entity_instance], context: list[ifcopenshell.entity_instance] | None,
                cache: GeometryCache | None, known: _Known) -> tuple[list[Callable[[], Any]], dict[int, StepProgress], Callable[[], list]]:
    """A read-ahead's steps (the ``spaces``' keys, the context's parts, the spaces' properties,
    last), each part's progress reporter by its step, and the split of the context into parts."""
    # the steps hold the hasher, not the read-ahead: no reference cycle, so what an ingest read
    # (the parsed file, its text, the hashes: hundreds of MB on a large model) is freed when
    # the ingest drops it, not whenever the garbage collector next gets to it
    get_hasher = functools.cache(lambda: StepHasher(model.file, text=StepText.read(model.path)))
    get_structure = functools.cache(lambda: known.structure or read_spatial_structure(model))
    parts = count_parts(len(context)) if context is not None else 0
    # the same parts in both processes, each split from its own reading of the structure
    get_parts = functools.cache(lambda: split_context(get_structure(), context, parts))
    reporters = [StepProgress() for _ in range(parts)]  # each part's, told whoever waits for it

    def context_part(index: int) -> ContextMeshes:
        elements = get_parts()[index]
        keys = get_element_keys(model.file, elements, hasher=get_hasher()) if cache is not None else None
        return mesh_context(model, get_structure(), elements, cache=cache, keys=keys, on_progress=reporters[index],
                            threads=1 if parts > 1 else None)

    steps = [lambda: get_element_keys(model.file, spaces, hasher=get_hasher())]
    steps += [functools.partial(context_part, index) for index in range(parts)]
    steps.append(lambda: {space.id(): read_room_properties(space, model.units) for space in spaces})
    return steps, dict(zip(range(_CONTEXT, _CONTEXT + parts), reporters)), get_parts


def send_read_ahead(path: Path, sha256: str, *, cache: GeometryCache | None) -> SentJob | None:
    """Before the file is opened here: the read-ahead of ``path`` with its context (the elements of
    :func:`~twin.geometry.mesher.get_context_elements`) sent to this process's kept child, if it
    has one, so that it opens the file meanwhile; give it to :class:`ReadAhead` as ``sent``.
    ``None``: no kept child (the read-ahead forks one)."""
    return send_ahead(_Recipe(path, sha256, None, cache.root if cache is not None else None), nice=CHILD_NICE)


class ReadAhead:
    """The rooms' keys, the rooms' properties and (``context``: the elements the context stage
    will mesh, with meshes taken from and stored in ``cache``) the context's geometry, begun in
    a forked child as soon as the file is open. The child is kept for the next ingest, which
    sends it a :class:`_Recipe` (``sent``: one sent by :func:`send_read_ahead` for this model,
    ``context`` then being :func:`~twin.geometry.mesher.get_context_elements`'); a read-ahead
    without the context forks a child of its own."""

    def __init__(self, model: IfcModel, *, context: list[ifcopenshell.entity_instance] | None,
                 cache: GeometryCache | None = None, sent: SentJob | None = None):
        known = self._known = _Known()
        spaces = list(model.file.by_type("IfcSpace"))
        steps, progress, self._get_parts = _make_steps(model, spaces, context, cache, known)
        self._progress = progress  # each context part's step -> its reporter
        self.has_context = context is not None
        self._properties = len(steps) - 1
        rooms, elements = len(spaces), len(context or ())
        fork = rooms + elements >= FORK_MIN or (rooms > 0 and elements >= FORK_MIN_CONTEXT)
        # a child kept for the context's sake: one for the rooms' keys and properties alone is not
        # worth a second reading of the file (a one-off fork shares this process's reading); a
        # job sent already carries its own
        recipe = None
        if context is not None and fork and sent is None:
            recipe = _Recipe(model.path, model.sha256, tuple(e.id() for e in context), cache.root if cache is not None else None)
        self._steps = ForkedSteps(steps, fork=fork, progress=progress, nice=CHILD_NICE, recipe=recipe, sent=sent)

    def set_structure(self, structure: SpatialStructure) -> None:
        """The spatial structure this process has read: the context's parts, if made here, use it."""
        self._known.structure = structure

    def get_room_keys(self) -> dict[int, str]:
        """Every IfcSpace's cache key (of those with a body), by step id."""
        return self._steps.get(_ROOM_KEYS)

    def get_room_properties(self) -> dict[int, RoomProperties]:
        """Every IfcSpace's property and quantity sets, by step id."""
        return self._steps.get(self._properties)

    def get_context(self, *, on_progress: Callable[[int, int], None] | None = None) -> ContextMeshes:
        """The context stage's geometry (its cached meshes not yet given a cache:
        :meth:`ContextMeshes.attach`), its parts made here from the last while the child has
        not begun them (see :mod:`twin.ledger.context`); ``on_progress(done, total)`` hears the
        meshing's progress over all parts, made in the child or here."""
        if not self.has_context:
            raise ValueError("this read-ahead was begun without the context's elements")
        heard: dict[int, tuple[int, int]] = {}
        get_parts, count = self._get_parts, len(self._progress)  # not self: the reporters keep this listener

        def hear(index: int, done: int, total: int) -> None:
            heard[index] = (done, total)
            if on_progress is None:
                return
            totals = [heard[i][1] if i in heard else None for i in range(count)]
            if None in totals:  # a part not heard from yet counts its elements (the split, made once)
                totals = [len(part) if total is None else total for total, part in zip(totals, get_parts())]
            on_progress(sum(done for done, _ in heard.values()), sum(totals))

        for index, reporter in enumerate(self._progress.values()):
            reporter.listener = functools.partial(hear, index)
            if reporter.latest is not None:
                hear(index, *reporter.latest)
        made = {step: self._steps.get(step) for step in reversed(self._progress)}
        return merge_contexts([made[step] for step in self._progress])
