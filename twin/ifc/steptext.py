"""The STEP text of a file's entities, read straight from its bytes.

Hashing geometry by content (:mod:`twin.geometry.cache`) needs the text of thousands of
entities. Asking ifcopenshell for each (``by_id(...).to_string()``) builds a Python object and
re-serialises the entity every time; the file already holds the text, one entity per line as
every exporter we have seen writes it. :class:`StepText` indexes those lines once, in one pass.

Lines are split once; a line is checked only when its entity is asked for, and taken only when
it is plainly one whole entity: it starts with ``#<id>=``, ends with ``;`` and has an even number
of quotes (no string left open). For an entity written over several lines (or as ``#12 = ...``)
:meth:`StepText.get_body` answers ``None`` and the caller asks ifcopenshell. The text is the file's own (``1.`` stays ``1.``, not ``1.0``): it identifies content
within files of the same writer, which is what a cache key needs.
"""

from __future__ import annotations

from pathlib import Path


class StepText:
    """Entity id -> the raw text after ``#<id>=`` and before the closing ``;`` (bytes)."""

    def __init__(self, data: bytes):
        # b"#12" -> the rest of its line after "="
        self._lines = {head: rest for head, equals, rest in (line.partition(b"=") for line in data.split(b"\n") if line[:1] == b"#") if equals}

    @classmethod
    def read(cls, path: str | Path) -> StepText:
        return cls(Path(path).read_bytes())

    def get_body(self, step_id: int) -> bytes | None:
        """The entity's text (``IFCWALL('2Mx...',#5,...)``), or ``None`` if its line is not the whole entity."""
        return self.get_body_of(b"#%d" % step_id)

    def get_body_of(self, ref: bytes) -> bytes | None:
        """:meth:`get_body` of the entity a reference names as the file writes it (``b"#12"``)."""
        rest = self._lines.get(ref)
        if rest is None:
            return None
        rest = rest.strip()
        if rest[-1:] != b";" or rest.count(b"'") % 2:
            return None
        return rest[:-1].rstrip()
