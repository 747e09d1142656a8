"""The STEP text of a file's entities, read straight from its bytes.

Hashing geometry by content (:mod:`twin.geometry.cache`) needs the text of thousands of
entities. Asking ifcopenshell for each (``by_id(...).to_string()``) builds a Python object and
re-serialises the entity every time; the file already holds the text, one entity per line as
every exporter we have seen writes it. :class:`StepText` indexes those lines once, in one pass.

A line is taken only when it is plainly one whole entity: it starts with ``#<id>=``, ends with
``;`` and has an even number of quotes (no string left open). An entity written over several
lines is not indexed; :meth:`StepText.get_body` then answers ``None`` and the caller asks
ifcopenshell. The text is the file's own (``1.`` stays ``1.``, not ``1.0``): it identifies content
within files of the same writer, which is what a cache key needs.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


class StepText:
    """Entity id -> the raw text after ``#<id>=`` and before the closing ``;`` (bytes)."""

    def __init__(self, data: bytes):
        self._bodies: dict[int, bytes] = {}
        skipped = 0
        for line in data.split(b"\n"):
            if line[:1] != b"#":
                continue
            line = line.rstrip()
            equals = line.find(b"=")
            if equals > 1 and line[-1:] == b";" and line.count(b"'") % 2 == 0 and line[1:equals].strip().isdigit():
                self._bodies[int(line[1:equals])] = line[equals + 1 : -1].strip()
            else:
                skipped += 1
        if skipped:
            log.debug("%d entity lines are not whole entities; their text comes from ifcopenshell", skipped)

    @classmethod
    def read(cls, path: str | Path) -> StepText:
        return cls(Path(path).read_bytes())

    def get_body(self, step_id: int) -> bytes | None:
        """The entity's text (``IFCWALL('2Mx...',#5,...)``), or ``None`` if it was not indexed."""
        return self._bodies.get(step_id)

    def __len__(self) -> int:
        return len(self._bodies)
