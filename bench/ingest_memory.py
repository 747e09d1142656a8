"""Ingest memory (and time) as models grow: peak resident memory of ``twin``'s ingest per file.

Issue 7 asks for both cores used "with memory bounded on large files". ifcopenshell holds a
whole parsed file in memory, so no ingest built on it can use less than that; what this bench
shows is what an ingest needs beyond it, from the demo campus and the largest real model up to
generated buildings of 500, 4,000 and 8,000 rooms (``models_ifc.portfolio``, 2-33 MB).

Each figure comes from a fresh process (``--one``), so nothing of another file is in it:

* ``parsed file``: ``ifcopenshell.open`` alone, resident memory after it less before it;
* ``ingest peak``: the full ``twin`` ingest (rooms, context, GLB assets) into a new SQLite
  ledger: peak resident memory of the ingest process (``VmHWM``) less the same process's
  memory before (imports done); ``largest child``: the peak of its largest forked child (the
  read-ahead child, the kernel workers; ``ru_maxrss``). A forked child's resident memory counts
  the pages it still shares with its parent, so that figure overstates what a child adds;
* ``rooms in ledger`` / ``ingest``: seconds to the rooms stage's commit and to the end.

Prints Markdown and, with ``--write``, replaces ``<!-- bench:memory:begin/end -->`` in
docs/benchmarks.md. Usage: ``python bench/ingest_memory.py [--write]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REAL = [ROOT.parent / "shared" / "ifc" / "AC11-Institute-Var-2-IFC.ifc"]
CAMPUS = [ROOT / "models_ifc" / f"campus_{name}.ifc" for name in ("annex", "tower")]
#: Generated buildings: (storeys, rooms per storey).
GENERATED = [(10, 50), (40, 100), (80, 100)]


def measure_one(path: Path, *, open_only: bool) -> dict:
    """In this (fresh) process: the memory of opening ``path`` alone, or of ingesting it."""
    import ifcopenshell

    from twin.ledger.db import open_ledger
    from twin.ledger.ingest import ingest_file
    from twin.process_memory import get_resident_mib

    before = get_resident_mib()
    if open_only:
        file = ifcopenshell.open(str(path))
        return {"parsed_mib": get_resident_mib() - before, "entities": len(list(file))}
    with tempfile.TemporaryDirectory() as folder:
        engine = open_ledger(f"sqlite:///{folder}/twin.db")
        started = time.perf_counter()
        report = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets")
        seconds = time.perf_counter() - started
        engine.dispose()
    return {
        "before_mib": before,
        "peak_mib": get_resident_mib("VmHWM") - before,
        "child_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "seconds": seconds,
        "rooms_seconds": report.stages["rooms_in_ledger"],
        "rooms": report.rooms,
        "context": report.context_elements,
    }


def run_one(path: Path, *, open_only: bool) -> dict:
    """:func:`measure_one` in a fresh process."""
    from ingest import run_json  # bench/ingest.py

    return run_json([sys.executable, __file__, "--one", str(path), *(["--open-only"] if open_only else [])])


def generate(folder: Path) -> list[Path]:
    """The generated buildings of :data:`GENERATED`, written into ``folder``."""
    from models_ifc.portfolio import portfolio_building
    from models_ifc.writer import write_building

    paths = []
    for index, (storeys, rooms) in enumerate(GENERATED, start=1):
        path = folder / f"generated_{storeys}x{rooms}.ifc"
        write_building(portfolio_building(index, storeys, rooms), path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # measure this file, in this process
    parser.add_argument("--open-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        logging.basicConfig(level=logging.ERROR)
        print(json.dumps(measure_one(args.one, open_only=args.open_only)))
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import write_section  # bench/ingest.py

    rows, measured = [], []
    with tempfile.TemporaryDirectory() as folder:
        for path in [*CAMPUS, *REAL, *generate(Path(folder))]:
            size = path.stat().st_size / 1e6
            parsed, ingest = run_one(path, open_only=True), run_one(path, open_only=False)
            measured.append((path.name, size, parsed["parsed_mib"], ingest["peak_mib"]))
            rows.append(
                f"| {path.name} | {size:.1f} | {ingest['rooms']} | {ingest['context']} | {ingest['rooms_seconds']:.2f} | "
                f"{ingest['seconds']:.2f} | {parsed['parsed_mib']:.0f} | {ingest['peak_mib']:.0f} | "
                f"{ingest['peak_mib'] - parsed['parsed_mib']:.0f} | {ingest['peak_mib'] / size:.0f} | {ingest['child_peak_mib']:.0f} |"
            )
            print(rows[-1], flush=True)
    (small, small_size, _, small_peak), (large, large_size, large_parsed, large_peak) = measured[-2], measured[-1]
    body = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on this machine, each figure in a fresh process (see the script's docstring); "
        "memory in MiB, times in seconds, into a new SQLite ledger.",
        "",
        "| file | size (MB) | rooms | context | rooms in ledger (s) | ingest (s) | parsed file alone | ingest peak (beyond the process's start) | "
        "ingest peak beyond the parsed file | ingest peak per MB of file | largest child's peak (all it holds) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"From {small} to {large} ({large_size / small_size:.1f}x the bytes) the ingest's peak grew {large_peak / small_peak:.1f}x: "
        f"memory follows the file's size, about {large_peak / large_size:.0f} MiB per MB of IFC on the largest, "
        f"{large_parsed / large_peak * 100:.0f} % of it ifcopenshell's parsed file.",
    ])
    print(body)
    if args.write:
        write_section("memory", "Ingest memory as models grow (issue 7, bench/ingest_memory.py)", body)


if __name__ == "__main__":
    main()
