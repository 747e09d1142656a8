"""This process's memory as the kernel counts it (Linux ``/proc``).

The ingest job process is replaced when it keeps too much after a job (:mod:`twin.ledger.jobs`),
and the memory benchmark reports an ingest's peak (``bench/ingest_memory.py``); both read it here.
"""

from __future__ import annotations

from pathlib import Path


def get_resident_mib(field: str = "VmRSS") -> float:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in MiB, from
    /proc (``ru_maxrss`` would carry the peak of the process this one was started from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")
