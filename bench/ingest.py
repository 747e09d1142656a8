"""Ingest speed: our full ingest against ifcopenshell's bare geometry iterator, per real file.

For each file, in one run on this machine:

* ``iterator``: ifcopenshell.open + the geometry iterator over the same elements twin meshes
  (rooms and context), same settings and threads, every shape's buffers touched;
* ``ingest``: ``twin`` ingest into a fresh SQLite ledger (read, mesh, measure, GLB, database);
* ``again``: the same file ingested again (unchanged: skipped by sha256).

Prints a Markdown table and, with ``--write``, replaces the ingest section of docs/benchmarks.md.
Usage: ``python bench/ingest.py [FILES...] [--write] [--repeat N]``
"""

from __future__ import annotations

import argparse
import logging
import math
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import ifcopenshell
import ifcopenshell.geom

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin.geometry.mesher import get_context_elements, has_body, make_settings  # noqa: E402
from twin.ledger.db import open_ledger  # noqa: E402
from twin.ledger.ingest import ingest_file  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:ingest:begin -->", "<!-- bench:ingest:end -->"


def time_bare_iterator(path: Path) -> tuple[float, int]:
    """Seconds for open + iterator over spaces and context elements; number of shapes."""
    started = time.perf_counter()
    file = ifcopenshell.open(str(path))
    elements = [e for e in file.by_type("IfcSpace") if has_body(e)] + get_context_elements(file)
    shapes = 0
    if elements:
        iterator = ifcopenshell.geom.iterator(make_settings(), file, multiprocessing.cpu_count(), include=elements)
        if iterator.initialize():
            while True:
                geometry = iterator.get().geometry
                _ = (geometry.verts_buffer, geometry.faces_buffer)
                shapes += 1
                if not iterator.next():
                    break
    return time.perf_counter() - started, shapes


def time_ingest(path: Path) -> tuple[float, float, object]:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_ledger(f"sqlite:///{folder}/twin.db")
        started = time.perf_counter()
        report = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets")
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets")
        second = time.perf_counter() - started
        assert again.skipped
        engine.dispose()
    return first, second, report


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the median is reported")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    files = args.files or sorted((ROOT.parent / "shared" / "ifc").glob("*.ifc"))
    rows, ratios, again_ratios = [], [], []
    for path in files:
        bare = statistics.median(time_bare_iterator(path)[0] for _ in range(args.repeat))
        runs = [time_ingest(path) for _ in range(args.repeat)]
        ours = statistics.median(r[0] for r in runs)
        again = statistics.median(r[1] for r in runs)
        report = runs[0][2]
        ratio, again_ratio = ours / bare, again / ours
        ratios.append(ratio)
        again_ratios.append(again_ratio)
        rows.append(
            f"| {path.name} | {report.rooms} | {report.context_elements} | {report.failed_elements} | "
            f"{bare:.2f} | {ours:.2f} | {ratio:.2f}x | {again * 1000:.0f} ms | {again_ratio * 100:.1f} % |"
        )
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({multiprocessing.cpu_count()} cores), "
            f"ifcopenshell {ifcopenshell.version}, median of {args.repeat} runs per file.",
            "",
            "| file | rooms | context elements | failed | bare iterator (s) | twin ingest (s) | ingest / iterator | same file again | again / ingest |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            f"| **geometric mean** | | | | | | **{geomean(ratios):.2f}x** | | **{geomean(again_ratios) * 100:.1f} %** |",
            "",
            f"Targets (issue 2): full ingest within 1.5x the bare iterator — worst file {max(ratios):.2f}x; "
            f"re-ingest of an unchanged file under 5 % of the first — worst file {max(again_ratios) * 100:.1f} %.",
        ]
    )
    print(table)
    if args.write:
        text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n## Ingest (bench/ingest.py)\n\n{BEGIN}\n{END}\n"
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")


if __name__ == "__main__":
    main()
