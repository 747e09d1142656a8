"""Where one ingest's time goes, in both of its processes: a timeline of its steps.

An ingest forks a read-ahead child (:mod:`twin.ledger.readahead`) that computes keys and
properties while this process reads and meshes; stage timings alone cannot show which of the
two waits for the other. This script wraps the ingest's main steps (in this process and, as
the child is forked with them wrapped, at the warm-up, and kept, in the child), runs the second
file of a pair into a warm ledger after the first (as ``bench/ingest.py``'s new-version pairs do), and prints every
step's start, end and length in milliseconds from the ingest's start, ``P`` for this process
and ``C`` for the child (the properties, read room by room, are summed into one line).

Usage: ``python bench/timeline.py`` (the annex, then annex v2), or
``python bench/timeline.py FIRST [SECOND]`` (no SECOND: a revision of FIRST, one room renamed
and one removed); ``--write`` puts the annex's timeline in docs/benchmarks.md. Wrapping costs a
few microseconds a step; compare lengths, not the total.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import ANNEX, ANNEX_V2, make_revision, open_warm_ledger, write_section  # noqa: E402  (bench/ingest.py)

import twin.ledger.ingest as ingest  # noqa: E402
import twin.ledger.readahead as readahead  # noqa: E402
import twin.ledger.context as context  # noqa: E402
import twin.ledger.snapshot as snapshot  # noqa: E402
import twin.ifc.steptext as steptext  # noqa: E402

#: (module or class, function name): the steps timed, as the ingest calls them.
STEPS = [
    (ingest, "check_ifc_file"), (ingest, "get_sha256"), (ingest, "open_ifc"),
    (snapshot, "get_context_elements"), (snapshot, "ReadAhead"), (snapshot, "read_spatial_structure"),
    (snapshot, "read_georeference"), (readahead.ReadAhead, "get_room_keys"), (readahead.ReadAhead, "get_room_properties"),
    (readahead.ReadAhead, "get_context"), (steptext.StepText, "read"), (readahead, "get_element_keys"),
    (readahead, "mesh_context"), (readahead, "merge_contexts"), (readahead, "read_spatial_structure"), (context, "mesh_elements"), (context, "cut_storeys"),
    (readahead, "read_room_properties"), (readahead, "open_ifc"), (snapshot, "_mesh"), (snapshot, "_read_rooms"), (snapshot, "measure_rooms"),
    (ingest, "write_snapshot_assets"), (ingest, "lock_for_ingest"), (ingest, "_apply_snapshot"), (ingest, "_check_conflicts"),
    (ingest, "_upsert_campus"), (ingest, "_sync_buildings"), (ingest, "_sync_storeys"), (ingest, "sync_rooms"),
    (ingest, "get_rooms_scope"), (ingest, "refresh_warnings"), (snapshot, "_get_outlines"), (ingest, "_store_plans"),
    (ingest, "refresh_statistics"),
]
#: Steps taken many times (room by room): summed into one line per process.
SUMMED = {"read_room_properties"}


def wrap_steps(log_fd: int) -> None:
    """Wrap every step so that each call appends ``pid start end name`` to ``log_fd`` (one
    ``os.write`` per line: lines from both processes never interleave)."""
    for owner, name in STEPS:
        function = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args, _function=function, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _function(*args, **kwargs)
            finally:
                os.write(log_fd, f"{os.getpid()} {started:.6f} {time.perf_counter():.6f} {_name}\n".encode())

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", nargs="?", type=Path, default=ANNEX)
    parser.add_argument("second", nargs="?", type=Path)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md (the annex and annex v2 only)")
    args = parser.parse_args()
    second = args.second if args.second or args.first != ANNEX else ANNEX_V2
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "timeline.log"
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        wrap_steps(log_fd)  # before the warm-up: the read-ahead child it forks, and keeps, runs them wrapped too
        engine = open_warm_ledger(folder, args.first)
        later = second or make_revision(args.first, Path(folder))
        ingest.ingest_file(args.first, engine=engine, assets_dir=Path(folder) / "assets")
        started = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in both processes
        report = ingest.ingest_file(later, engine=engine, assets_dir=Path(folder) / "assets")
        total = time.perf_counter() - started
        os.close(log_fd)
        lines = [line for line in log_path.read_text().splitlines() if float(line.split()[1]) >= started]
        engine.dispose()
    this = os.getpid()
    spans, summed = [], defaultdict(lambda: [float("inf"), 0.0, 0.0, 0])
    for line in lines:
        pid, begin, end, name = line.split()
        who, begin, end = "P" if int(pid) == this else "C", float(begin) - started, float(end) - started
        if name in SUMMED:
            entry = summed[who, name]
            entry[0], entry[1], entry[2], entry[3] = min(entry[0], begin), max(entry[1], end), entry[2] + end - begin, entry[3] + 1
        else:
            spans.append((begin, end, who, name))
    spans.extend((begin, end, who, f"{name} x{count} (sum {length * 1000:.1f} ms)") for (who, name), (begin, end, length, count) in summed.items())
    rows = [f"| {who} | {begin * 1000:.1f} | {end * 1000:.1f} | {(end - begin) * 1000:.1f} | {name} |" for begin, end, who, name in sorted(spans)]
    body = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} with `python bench/timeline.py`: {later.name} after {args.first.name} into a warm "
        f"ledger, {total * 1000:.1f} ms in all ({report.meshing['cache_hits']} of {report.meshing['meshed']} meshes from the cache). "
        "P: the ingest's process; C: its read-ahead child. Milliseconds from the ingest's start; steps nest (a transaction's "
        "parts inside it).",
        "",
        "| process | from (ms) | to (ms) | length (ms) | step |",
        "|---|---:|---:|---:|---|",
        *rows,
    ])
    print(body)
    if args.write and args.first == ANNEX and later == ANNEX_V2:
        write_section("timeline", "Where a new version's ingest spends its time (issue 7, bench/timeline.py)", body)


if __name__ == "__main__":
    main()
