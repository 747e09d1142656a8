"""Geometry cache keys: what an element's mesh is made of, hashed, not its file or id.

An element's key hashes the STEP subgraphs its mesh depends on: each entity's text with its
``#ids`` blanked, followed by the hashes of what they point to, in order (a Merkle hash, so
renumbering a file changes nothing). The text is the file's own where :class:`~twin.ifc.steptext.StepText`
has it, else ifcopenshell's serialisation:

* its ``Representation`` (every representation, item, profile, mapped item, context);
* its ``ObjectPlacement`` chain (meshes are in world coordinates);
* each opening's and projection's representation and placement;
* its IFC class, the file's schema and units, the iterator settings, the kernel plan and the
  ifcopenshell version.

A new version of a model therefore re-meshes only the elements whose geometry or position
changed, identical elements in two files share one entry, and an unchanged file re-meshes
nothing (the store: :mod:`twin.geometry.cache`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from types import ModuleType

import ifcopenshell
import numpy as np

from twin.ifc.steptext import StepText

try:  # the walk in C (setup.py builds it where a compiler is at hand): the same digests, faster
    from twin.geometry import _stephash
except ImportError:  # pragma: no cover - an install without the compiled part
    _stephash = None

#: Bump when the key recipe or the stored format (:mod:`twin.geometry.cache`) changes: every key changes with it.
CACHE_FORMAT = 3

_TOKEN = re.compile(rb"'(?:[^']|'')*'|#(\d+)")
_REF = re.compile(rb"(#\d+)")


class StepHasher:
    """Merkle hashes of a file's entities (``#ids`` normalised away), memoised per instance:
    one hasher can serve every stage of an ingest. ``text``: the file's own entity text (else
    each entity is serialised by ifcopenshell, several times slower).

    Entities are named by their references as the file writes them (``b"#12"``), so the walk
    converts no ids: an ingest hashes tens of thousands of entities, and each step counts.
    With ``text``, the walk runs in C (:mod:`twin.geometry._stephash`, about 5 us an entity
    less) where it is built and ``native``; it fills the same memo with the same digests, and
    leaves an entity that is not one plain line of the text to the walk here."""

    def __init__(self, file: ifcopenshell.file, *, text: StepText | None = None, native: bool = True):
        self.file = file
        self.text = text
        self._memo: dict[bytes, bytes] = {}
        index = text.get_index() if text is not None and native and _stephash is not None else None
        self._native = functools.partial(_stephash.hash_ref, *index, self._memo) if index is not None else None

    def __call__(self, entity: ifcopenshell.entity_instance | None) -> str:
        return self.hash_ref(_ref_of(entity))

    def hash_ref(self, ref: bytes | None) -> str:
        """:meth:`__call__` of the entity a reference names (``b"#12"``; ``None``: none)."""
        return "-" if ref is None else self._hash_ref(ref).hex()

    def _hash_ref(self, ref: bytes) -> bytes:
        memo = self._memo
        known = memo.get(ref)
        if known is not None:
            return known
        if self._native is not None and (known := self._native(ref)) is not None:
            return known
        # Iterative post-order walk (placement chains and boolean trees can be deep); each
        # entity's text is read and parsed once. An entity that points nowhere (points,
        # directions: most of a file) is hashed as it is read.
        parsed: dict[bytes, tuple[bytes, list[bytes]]] = {}
        stack = [ref]
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                continue
            entry = parsed.get(current)
            if entry is None:
                body = self._get_body(current)
                if b"#" not in body:
                    memo[current] = hashlib.blake2b(body, digest_size=16).digest()
                    stack.pop()
                    continue
                entry = parsed[current] = _parse(body)
                pending = [r for r in entry[1] if r not in memo and r != current]
                if pending:
                    stack.extend(pending)
                    continue
            skeleton, refs = entry
            try:
                children = b",".join([b"@" if r == current else memo[r] for r in refs])
            except KeyError:  # come back to before its references were hashed: one of them leads back to it
                raise ValueError(f"reference cycle through {current.decode()}") from None
            memo[current] = hashlib.blake2b(skeleton + b"|" + children, digest_size=16).digest()
            stack.pop()
        return memo[ref]

    @functools.cached_property
    def features(self) -> dict[int, list[tuple[str, ifcopenshell.entity_instance]]]:
        """Element step id -> its openings (``o``) and projections (``p``), read from the
        relationships once per file (asking each element for its inverses costs more)."""
        features: dict[int, list[tuple[str, ifcopenshell.entity_instance]]] = {}
        for rel in self.file.by_type("IfcRelVoidsElement"):
            features.setdefault(rel.RelatingBuildingElement.id(), []).append(("o", rel.RelatedOpeningElement))
        for rel in self.file.by_type("IfcRelProjectsElement"):
            features.setdefault(rel.RelatingElement.id(), []).append(("p", rel.RelatedFeatureElement))
        return features

    def _get_body(self, ref: bytes) -> bytes:
        body = self.text.get_body_of(ref) if self.text is not None else None
        if body is None:
            text = self.file.by_id(int(ref[1:])).to_string()
            body = text[text.index("=") + 1 :].rstrip(";").encode()
        return body


def _parse(body: bytes) -> tuple[bytes, list[bytes]]:
    """An entity's text with every ``#id`` blanked to ``#``, and the references in order."""
    if b"'" not in body:  # no string literal that could hold a '#': split at the references
        parts = _REF.split(body)  # text, ref, text, ref, ..., text
        return b"#".join(parts[0::2]), parts[1::2]
    refs = [b"#" + r for r in _TOKEN.findall(body) if r]
    return _TOKEN.sub(lambda m: m.group(0) if m.group(1) is None else b"#", body), refs


@functools.lru_cache(maxsize=None)
def get_code_fingerprint(*modules: ModuleType) -> str:
    """A digest of the source of ``modules``: a cached result made by that code changes with it.
    (Read once per process: the code does not change under a running process.)"""
    digest = hashlib.blake2b(digest_size=12)
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def get_mesh_digest(vertices: np.ndarray, faces: np.ndarray) -> str:
    """A digest of one mesh's ``(n, 3)`` vertices and ``(m, 3)`` faces, exactly as they are."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (vertices, faces):
        digest.update(f"{array.dtype.str}{array.shape}".encode())  # dtype.str ("<f8"): str(dtype) is slow
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _ref_of(entity: ifcopenshell.entity_instance | None) -> bytes | None:
    """An entity's reference as a file writes it (``b"#12"``)."""
    return None if entity is None else b"#%d" % entity.id()


def _units_of(file: ifcopenshell.file) -> ifcopenshell.entity_instance | None:
    projects = file.by_type("IfcProject")
    return projects[0].UnitsInContext if projects else None


class ElementKeys:
    """Cache keys of one file's elements for one plan and settings (``hasher``: one to share
    with other calls on the same file, see :class:`StepHasher`)."""

    def __init__(self, file: ifcopenshell.file, *, plan_fingerprint: str, settings_fingerprint: str, hasher: StepHasher | None = None):
        self.hash = hasher or StepHasher(file)
        self._prefix = "|".join(
            (str(CACHE_FORMAT), ifcopenshell.version, file.schema, plan_fingerprint, settings_fingerprint, self.hash(_units_of(file)))
        )

    def __call__(self, element: ifcopenshell.entity_instance, *, refs: tuple[bytes | None, bytes] | None = None) -> str:
        """``element``'s key; ``refs``: its ``(placement, representation)`` references, when known
        (:class:`~twin.geometry.bodies.BodyRefs`): the same key, without asking the element."""
        h = self.hash
        placement, representation = refs or (_ref_of(element.ObjectPlacement), _ref_of(element.Representation))
        parts = [self._prefix, element.is_a(), h.hash_ref(representation), h.hash_ref(placement)]
        parts.extend(sorted(kind + h(feature.Representation) + h(feature.ObjectPlacement)
                            for kind, feature in h.features.get(element.id(), ())))
        return hashlib.blake2b("|".join(parts).encode(), digest_size=20).hexdigest()
