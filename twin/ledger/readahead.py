"""What an ingest will need from a file and can compute before it is asked, on the other core.

Once a file is open, three things an ingest needs depend on nothing it reads later:

1. the rooms' geometry cache keys (a walk over the rooms' representation subgraphs);
2. the rooms' property and quantity sets, declared areas among them;
3. the context's (walls, slabs, doors...) cache keys: a walk over most of the file's entities,
   in chunks of :data:`CONTEXT_CHUNK` elements or more.

:class:`ReadAhead` begins them at once in a forked child
(:class:`~twin.geometry.forked.ForkedSteps`), in that order, each sent back as soon as it is
done, while this process reads the spatial structure and meshes and measures the rooms (it needs
the rooms' keys first, their properties next, the context's keys last). Whatever this process
asks for before the child has begun it, it makes itself; while it waits for the child, it makes
the context's last chunks. Not worth a fork for a few elements: then each is made here when it is
asked for, the keys sharing one hasher (:meth:`ReadAhead.get_hasher`).
"""

from __future__ import annotations

import functools

import ifcopenshell

from twin.geometry.cache import StepHasher
from twin.geometry.forked import ForkedSteps
from twin.geometry.mesher import get_element_keys
from twin.ifc.quantities import RoomProperties, read_room_properties
from twin.ifc.reader import IfcModel
from twin.ifc.steptext import StepText

#: Elements (rooms and context) from which their work ahead is worth a forked child (a fork
#: costs about 2 ms here; keys about 50 us per element, properties about 130 us per room).
FORK_MIN = 150

#: The context's keys come in about :data:`CONTEXT_CHUNKS` chunks of at least :data:`CONTEXT_CHUNK`
#: elements: small enough for this process to make some while it waits, large enough to be worth a frame.
CONTEXT_CHUNKS, CONTEXT_CHUNK = 16, 32


class ReadAhead:
    """The rooms' keys, the rooms' properties and (``context``: the elements the context stage
    will mesh) the context's keys, begun in a forked child as soon as the file is open."""

    def __init__(self, model: IfcModel, *, context: list[ifcopenshell.entity_instance] | None):
        self._model = model
        # the steps hold the hasher, not this object: no reference cycle, so what an ingest read
        # (the parsed file, its text, the hashes: hundreds of MB on a large model) is freed when
        # the ingest drops it, not whenever the garbage collector next gets to it
        get_hasher = self.get_hasher = functools.cache(lambda: StepHasher(model.file, text=StepText.read(model.path)))
        spaces = list(model.file.by_type("IfcSpace"))
        steps = [
            lambda: get_element_keys(model.file, spaces, hasher=get_hasher()),
            lambda: {space.id(): read_room_properties(space, model.units) for space in spaces},
        ]
        size = max(CONTEXT_CHUNK, -(-len(context or ()) // CONTEXT_CHUNKS))
        chunks = [context[start : start + size] for start in range(0, len(context or ()), size)]
        steps.extend((lambda chunk=chunk: get_element_keys(model.file, chunk, hasher=get_hasher())) for chunk in chunks)
        self._context_steps = range(2, 2 + len(chunks)) if context is not None else None
        self._steps = ForkedSteps(steps, fork=len(spaces) + len(context or ()) >= FORK_MIN)

    def get_room_keys(self) -> dict[int, str]:
        """Every IfcSpace's cache key (of those with a body), by step id."""
        return self._steps.get(0)

    def get_room_properties(self) -> dict[int, RoomProperties]:
        """Every IfcSpace's property and quantity sets, by step id."""
        return self._steps.get(1)

    def get_context_keys(self, elements: list[ifcopenshell.entity_instance]) -> dict[int, str]:
        """The context's keys: computed ahead if ``elements`` were given at the start, else now."""
        if self._context_steps is not None:
            return {step_id: key for step in self._context_steps for step_id, key in self._steps.get(step).items()}
        return get_element_keys(self._model.file, elements, hasher=self.get_hasher())
