"""An exclusive lock that processes sharing a SQLite file take while they set it up.

SQLite's own locks are ``fcntl`` record locks taken per statement; they do not order two
processes that create, convert (to WAL) or migrate the same new file at once. Two processes
turning one file into WAL together can deadlock inside SQLite, which then answers one of them
"database is locked" at once instead of waiting. An ``flock`` on the file itself, which
SQLite's locks do not see, makes them take turns.

``flock`` locks belong to an open file, not to a process: a process that holds the lock and
opens the file again to take it a second time waits for itself. Take it once, around set-up
that opens no second holder.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def hold_file_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created empty if missing: an empty file is a
    new SQLite database) until the block ends; other holders wait."""
    with open(path, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
