"""Frames through a pipe between a process and its forked child: ``(job, step index, pickled result)``.

A child (:mod:`twin.geometry.child`) sends each step's result as it has it; the process that
forked it reads them, waiting, and sees the child's end even when the pipe does not end (the
child's own children, kernel workers, hold it open after it). A kept child reads its next jobs
the same way, from a pipe of its own.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
from collections.abc import Callable
from typing import Any

HEADER = struct.Struct("<QIQ")  # job, step index, pickle length
_LIVENESS_MS = 100  # while waiting for the child, how often to ask whether it still runs

#: The pipe's capacity asked for (Linux allows up to 1 MiB unprivileged): a child's results wait
#: there, without stopping it, while this process is busy with a step of its own.
PIPE_BYTES = 1 << 20


def encode_frame(job: int, index: int, result: Any) -> bytes:
    """One frame's bytes: its header, then ``result`` pickled."""
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(job, index, len(data)) + data


def send_frame(pipe, job: int, index: int, result: Any) -> None:
    """Write one frame to ``pipe`` (a binary file) and flush it."""
    pipe.write(encode_frame(job, index, result))
    pipe.flush()


def is_readable(fd: int, *, timeout: float) -> bool:
    """Whether the pipe ``fd`` has something to read (or has ended) within ``timeout`` seconds."""
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(max(0, int(timeout * 1000))))


def _read_exactly(fd: int, size: int, *, is_alive: Callable[[], bool]) -> bytes:
    """Up to ``size`` bytes, fewer if the pipe ends or (``is_alive``) the writer is gone with
    nothing more sent. (A child's own children hold the pipe open after it, as forked kernel
    workers do: its end alone would not end the pipe.)"""
    parts, left = [], size
    poll = select.poll()  # not select(): a long-lived process may hold descriptors above its limit
    poll.register(fd, select.POLLIN)
    while left:
        if not poll.poll(_LIVENESS_MS):  # nothing yet
            if is_alive() or poll.poll(0):
                continue
            break  # the child is gone, and nothing more came
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_frame(fd: int, *, is_alive: Callable[[], bool]) -> tuple[int, int, Any] | None:
    """The next ``(job, step index, result)`` a child sent, or ``None`` when the pipe ends, the child
    is gone or a frame is cut short."""
    header = _read_exactly(fd, HEADER.size, is_alive=is_alive)
    if len(header) != HEADER.size:
        return None
    job, index, size = HEADER.unpack(header)
    data = _read_exactly(fd, size, is_alive=is_alive)
    return (job, index, pickle.loads(data)) if len(data) == size else None
