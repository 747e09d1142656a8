"""An exclusive lock that processes sharing a SQLite file take while they set it up.

SQLite's own locks are taken per statement; they do not order two processes that create,
convert (to WAL) or migrate the same new file at once. Two processes turning one file into WAL
together can deadlock inside SQLite, which then answers one of them "database is locked" at
once instead of waiting. An ``flock`` makes them take turns.

The lock is on a file of its own beside the database (``<name>.lock``), never on the database:
SQLite's locks are POSIX record locks, which a process loses on a file as soon as it closes
*any* descriptor of that file. Opening the database to lock it and closing it afterwards
dropped the shared lock by which this process's WAL connections tell others they are there; the
next process to close its last connection then took itself for the last one and deleted the
write-ahead log and its index, and this process went on committing into a deleted log that no
other process could read.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def get_lock_path(path: str | Path) -> Path:
    """The lock file of a database file (beside it, with ``.lock`` added to its name)."""
    return Path(f"{path}.lock")


@contextmanager
def hold_file_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``'s lock file (:func:`get_lock_path`, created if
    missing) until the block ends; other holders wait. ``path`` itself is never opened."""
    with open(get_lock_path(path), "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
