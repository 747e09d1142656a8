"""The STEP text of a file's entities, read straight from its bytes.

Hashing geometry by content (:mod:`twin.geometry.keys`) needs the text of thousands of
entities. Asking ifcopenshell for each (``by_id(...).to_string()``) builds a Python object and
re-serialises the entity every time; the file already holds the text, one entity per line as
every exporter we have seen writes it. :class:`StepText` indexes those lines once.

The index is two arrays by entity id (where the text after ``#<id>=`` begins and where its line
ends) beside the file's bytes, found in a few array passes over them: on a 16 MB file about a
tenth of the memory of a dict of each line's text, which an ingest holds twice (here and in
its read-ahead child) while it runs.

A line is checked only when its entity is asked for, and taken only when it is plainly one
whole entity: it starts with ``#<id>=``, ends with ``;`` and has an even number of quotes (no
string left open). For an entity written over several lines (or as ``#12 = ...``), or an id at
the start of two lines, :meth:`StepText.get_body` answers ``None`` and the caller asks
ifcopenshell. The text is the file's own (``1.`` stays ``1.``, not ``1.0``): it identifies
content within files of the same writer, which is what a cache key needs.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np

#: Digits an entity id may have (STEP files of billions of entities are not written).
_MAX_DIGITS = 10
_HASH, _EQUALS, _NEWLINE, _ZERO, _NINE = (ord(c) for c in "#=\n09")


class StepText:
    """Entity id -> the raw text after ``#<id>=`` and before the closing ``;`` (bytes)."""

    def __init__(self, data: bytes):
        self._data = data
        ids, bodies, ends = _index_entity_lines(data)
        unique, counts = np.unique(ids, return_counts=True)
        twice = unique[counts > 1]  # an id at the start of two lines: ambiguous, left to ifcopenshell
        self._rows: dict[int, tuple[int, int]] | None = None
        if len(ids) and int(ids.max()) <= 4 * len(ids) + 1024:  # ids nearly dense, as exporters number them
            begin = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
            end = np.zeros(len(begin), dtype=np.int64)
            begin[ids], end[ids] = bodies, ends
            begin[twice] = -1
            self._begin, self._end = array("q", begin.tobytes()), array("q", end.tobytes())  # a plain int per lookup
        else:  # sparse ids: a table by id would be mostly empty
            keep = ~np.isin(ids, twice)
            self._rows = dict(zip(ids[keep].tolist(), zip(bodies[keep].tolist(), ends[keep].tolist())))

    @classmethod
    def read(cls, path: str | Path) -> StepText:
        return cls(Path(path).read_bytes())

    def get_index(self) -> tuple[bytes, array, array] | None:
        """``(data, begin, end)``: the file's bytes and, by entity id, where each entity's text
        begins and where its line ends (``array('q')``; ``begin`` is -1 where there is no plain
        line), as :meth:`get_body` reads them; ``None`` where the ids are too sparse for a table."""
        return None if self._rows is not None else (self._data, self._begin, self._end)

    def get_body(self, step_id: int) -> bytes | None:
        """The entity's text (``IFCWALL('2Mx...',#5,...)``), or ``None`` if its line is not the whole entity."""
        return self.get_body_of(b"#%d" % step_id)

    def get_body_of(self, ref: bytes) -> bytes | None:
        """:meth:`get_body` of the entity a reference names as the file writes it (``b"#12"``)."""
        step_id = int(ref[1:])
        if self._rows is not None:
            begin, end = self._rows.get(step_id, (-1, 0))
        elif 0 <= step_id < len(self._begin):
            begin, end = self._begin[step_id], self._end[step_id]
        else:
            return None
        if begin < 0:
            return None
        rest = self._data[begin:end].strip()
        if rest[-1:] != b";" or rest.count(b"'") % 2:
            return None
        return rest[:-1].rstrip()


def _index_entity_lines(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(k,) int64`` arrays over the lines that begin ``#<digits>=``: the id, the offset just
    after the ``=``, and the offset of the line's end (its newline, or the end of the data)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(raw)]))
    starts, ends = starts[starts < len(raw)], ends[starts < len(raw)]
    entity = raw[starts] == _HASH
    starts, ends = starts[entity], ends[entity]
    last = len(raw) - 1  # offsets past the end read the last byte again (no copy of the data): the line is cut short there anyway
    ids = np.zeros(len(starts), dtype=np.int64)
    digits = np.zeros(len(starts), dtype=np.int64)
    reading = np.ones(len(starts), dtype=bool)
    for offset in range(1, _MAX_DIGITS + 1):
        char = raw[np.minimum(starts + offset, last)]
        reading &= (char >= _ZERO) & (char <= _NINE) & (starts + offset < ends)
        if not reading.any():
            break
        ids[reading] = ids[reading] * 10 + (char[reading] - _ZERO)
        digits += reading
    after = starts + 1 + digits  # where the "=" must be
    whole = (digits > 0) & (after < ends) & (raw[np.minimum(after, last)] == _EQUALS)
    return ids[whole], (starts + 2 + digits)[whole], ends[whole]
