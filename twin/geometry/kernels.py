"""Which ifcopenshell geometry library meshes which element, and how each result is checked.

ifcopenshell 0.9 picks its kernel per call: ``ifcopenshell.geom.iterator(..., geometry_library=...)``
and ``create_shape(..., geometry_library=...)`` take ``"opencascade"`` (the default),
``"cgal-simple"``, ``"cgal"``, ``"manifold"`` or a ``"hybrid-<a>-<b>"`` pair. Measured on the real
files in ``../shared/ifc`` (see docs/benchmarks.md):

* ``cgal-simple`` is 10-20x faster than OpenCASCADE and agrees with it on every element it
  meshes, but it emits an *empty* shape for elements whose booleans it cannot do (walls with
  openings, half-space clippings: 3 of 82 rooms on AC11-Institute, 5-45 % of the walls);
* ``manifold`` does those openings 30-50x faster than OpenCASCADE, but gets half-space
  clippings (``IfcHalfSpaceSolid`` and subtypes) wrong (the wall comes out unclipped), so it is
  only offered elements with no half-space anywhere in their representation or their openings';
* ``manifold-bounded`` is ``manifold`` over the element with each (planar) half-space replaced
  by a bounded solid that is the same within the element's reach (:mod:`twin.geometry.halfspaces`):
  it clips right, 10-50x faster than OpenCASCADE, and is offered only elements with half-spaces
  (the walls under roofs, rooms under sloped ceilings that went to OpenCASCADE before);
* ``opencascade`` is the reference: the last resort, and what the test suite compares with.

A :class:`KernelPlan` lists, for rooms and for everything else, the libraries tried in order;
an element goes to the next one when the current one is not eligible for it, emits nothing,
emits no area, or (rooms, any kernel but the last) emits a shell that is not closed. Rooms the
fast kernel accepted are also spot-checked against the last kernel's floor area (see
:data:`ROOM_SAMPLE`); one disagreement sends every room of the call to the last kernel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import ifcopenshell
import numpy as np

from twin.geometry import halfspaces
from twin.geometry.keys import get_code_fingerprint
from twin.geometry.halfspaces import can_bound, has_half_space
from twin.geometry.triangles import get_edge_uses, has_area_above, stack_meshes, weld_vertices

DEFAULT_LIBRARY = "opencascade"
FAST_LIBRARY = "cgal-simple"
BOOLEAN_LIBRARY = "manifold"
#: ``manifold`` over the element with its half-spaces made bounded solids
#: (:func:`twin.geometry.halfspaces.bounded_half_spaces`): not an ifcopenshell library name.
BOUNDED_LIBRARY = "manifold-bounded"

#: Rooms spot-checked against the last kernel per call: every n-th fast-meshed room, at least
#: :data:`ROOM_SAMPLE_MIN`, at most :data:`ROOM_SAMPLE_MAX`.
ROOM_SAMPLE = 20
ROOM_SAMPLE_MIN = 2
ROOM_SAMPLE_MAX = 12
#: Relative floor-area disagreement that fails a spot check (the contract is 0.1 %).
ROOM_SAMPLE_REL_TOLERANCE = 5e-4


@dataclass(frozen=True)
class KernelPlan:
    """Geometry libraries tried in order, for rooms (IfcSpace) and for all other elements."""

    name: str
    rooms: tuple[str, ...]
    context: tuple[str, ...]
    check_room_sample: bool = True

    def libraries_for(self, element: ifcopenshell.entity_instance) -> tuple[str, ...]:
        return self.rooms if is_room(element) else self.context

    @property
    def fingerprint(self) -> str:
        """What the cache key needs to know about the plan: names and order (not the sampling),
        and, when it bounds half-spaces, the code that does (a mesh made by other code is not
        the same mesh)."""
        own = f"|{get_code_fingerprint(halfspaces)}" if BOUNDED_LIBRARY in self.rooms + self.context else ""
        return f"{self.name}:{','.join(self.rooms)}|{','.join(self.context)}{own}"


#: The default kernel only, as ifcopenshell does without being asked.
DEFAULT_PLAN = KernelPlan("default", (DEFAULT_LIBRARY,), (DEFAULT_LIBRARY,), check_room_sample=False)
#: Fast first, with the checks and per-element fallback described above.
FAST_PLAN = KernelPlan(
    "fast", (FAST_LIBRARY, BOUNDED_LIBRARY, DEFAULT_LIBRARY), (FAST_LIBRARY, BOOLEAN_LIBRARY, BOUNDED_LIBRARY, DEFAULT_LIBRARY),
)
#: Like :data:`FAST_PLAN` but never ``manifold``: OpenCASCADE for everything cgal-simple drops.
SAFE_PLAN = KernelPlan("safe", (FAST_LIBRARY, DEFAULT_LIBRARY), (FAST_LIBRARY, DEFAULT_LIBRARY))

PLANS = {plan.name: plan for plan in (DEFAULT_PLAN, FAST_PLAN, SAFE_PLAN)}


def get_plan(plan: KernelPlan | str | None) -> KernelPlan:
    """A plan by name (``default``, ``fast``, ``safe``); ``None`` is :data:`FAST_PLAN`."""
    if plan is None:
        return FAST_PLAN
    if isinstance(plan, KernelPlan):
        return plan
    try:
        return PLANS[plan]
    except KeyError:
        raise ValueError(f"unknown kernel plan {plan!r}; one of {sorted(PLANS)}") from None


def is_room(element: ifcopenshell.entity_instance) -> bool:
    return element.is_a("IfcSpace")


def is_eligible(library: str, file: ifcopenshell.file, element: ifcopenshell.entity_instance) -> bool:
    """Whether ``library`` may be offered ``element`` at all: ``manifold`` only what has no
    half-space, ``manifold-bounded`` only what has half-spaces it can bound."""
    if library == BOOLEAN_LIBRARY:
        return not has_half_space(file, element)
    if library == BOUNDED_LIBRARY:
        return can_bound(file, element)
    return True


def is_closed(vertices: np.ndarray, faces: np.ndarray) -> bool:
    """Every edge shared by exactly two triangles, after welding coincident vertices (1 um)."""
    return bool(are_closed([(vertices, faces)])[0])


def are_closed(meshes: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """``(k,) bool``: :func:`is_closed` of each ``(vertices (n, 3), faces (m, 3))`` mesh, all in
    one pass over their triangles (each mesh's vertices welded apart from the others')."""
    closed = np.zeros(len(meshes), dtype=bool)
    if not meshes:
        return closed
    vertices, faces, starts, owners = stack_meshes(meshes)
    if len(faces) == 0:
        return closed
    weld = weld_vertices(vertices, groups=np.repeat(np.arange(len(meshes)), np.diff(starts, append=len(vertices))))
    face_of, shared, _ = get_edge_uses(weld[faces], len(vertices), directed=False)
    edge_owners = owners[face_of]
    has_edges = np.bincount(edge_owners, minlength=len(meshes)) > 0
    open_edges = np.bincount(edge_owners, weights=shared != 2, minlength=len(meshes))
    return has_edges & (open_edges == 0)


def needs_closed_shell(is_last: bool, element) -> bool:
    """Whether :func:`get_rejection` asks a library's result for ``element`` to be closed (a
    room's, from any library but its last)."""
    return not is_last and is_room(element)


def get_rejection(library: str, is_last: bool, element, vertices: np.ndarray, faces: np.ndarray, *,
                  closed: bool | None = None) -> str | None:
    """Why a library's result for an element is not kept (``None``: keep it). ``closed``: the
    shell's :func:`is_closed`, when the caller found it already (for many meshes at once)."""
    from twin.tolerances import DEGENERATE_TRIANGLE_AREA_M2

    if len(faces) == 0:
        return f"{library}: no triangles"
    if not has_area_above(vertices, faces, DEGENERATE_TRIANGLE_AREA_M2):
        return f"{library}: no triangles with an area"
    if needs_closed_shell(is_last, element) and not (is_closed(vertices, faces) if closed is None else closed):
        return f"{library}: room shell is not closed"
    return None


def get_room_sample(global_ids: list[str]) -> list[str]:
    """The deterministic spot-check sample of fast-meshed rooms (sorted GlobalIds, every n-th)."""
    ordered = sorted(global_ids)
    if not ordered:
        return []
    wanted = min(len(ordered), max(ROOM_SAMPLE_MIN, min(ROOM_SAMPLE_MAX, -(-len(ordered) // ROOM_SAMPLE))))
    step = len(ordered) / wanted
    return [ordered[int(i * step)] for i in range(wanted)]


def settings_fingerprint(settings) -> str:
    """The iterator settings that shape a mesh, as a short string for cache keys."""
    names = ("use-world-coords", "weld-vertices", "mesher-linear-deflection", "mesher-angular-deflection")
    values = []
    for name in names:
        try:
            values.append(f"{name}={settings.get(name)}")
        except Exception:  # a setting this version does not have
            continue
    return hashlib.blake2b(";".join(values).encode(), digest_size=8).hexdigest()
