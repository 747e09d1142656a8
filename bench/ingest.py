"""Ingest speed, side by side in one run: web-ifc, ifcopenshell's bare iterator and twin's stages.

For each file (the real models in ../shared/ifc and the demo campus), on this machine:

* ``web-ifc rooms`` / ``web-ifc all``: ``node bench/webifc/time.mjs`` — read + open + IFCSPACE
  meshes / all meshes (StreamAllMeshes), every geometry's arrays copied out (web-ifc pinned in
  bench/webifc/package.json; run ``npm ci`` there first);
* ``iterator``: ifcopenshell.open + the default-kernel iterator over the same elements twin
  meshes (the issue-2 baseline);
* ``kernel floor``: ifcopenshell.open + cgal-simple over the rooms / over everything, no Python
  per element: the least an ingest on ifcopenshell's geometry can take;
* ``rooms in ledger``: check + sha256 + open + rooms read, meshed, measured and stored in a SQLite
  ledger warmed up by an ingest of another file and of a new version of it, as a running
  service's is (web-ifc is timed warmed up too), until the rooms' transaction commits (every
  reader sees them then; the report's ``rooms_in_ledger`` stage); and until the call returns,
  after the geometry cache is written for the next version and the statistics refreshed; the
  same into a ledger just created; and into a warm ledger in the local PostgreSQL (a private
  schema, dropped after), the deployment's database;
* ``ingest``: the full ``twin`` ingest (context, GLB assets, ledger) into a warm ledger,
  geometry cache cold for the file;
* ``again``: the same file again (skipped by sha256);
* ``1 vs 2 processes``: the context meshing alone, ``threads=1`` against ``threads=2``;
* the campus annex, then ``campus_annex_v2.ifc`` (one storey renovated) into the same ledger
  with the cache warm from the first, in pairs, in a fresh process (as ``twin ingest`` runs):
  after a dozen ingests this long process ran the same pairs 10-20 % slower (a larger heap for
  the garbage collector to walk), and the short v2 ingest felt it most; then the same pairs into
  a copy of ``bench/api_load.py``'s 20,000-room portfolio ledger (built once under var/), where
  what scales with the ledger (the warnings refresh) shows.

Each file is measured in a fresh process of its own (``--measure``), its warm-ups included.
Medians of ``--repeat`` runs. Prints Markdown and, with ``--write``, replaces the sections between
``<!-- bench:ingest:begin/end -->`` and ``<!-- bench:speed:begin/end -->`` in docs/benchmarks.md.
Usage: ``python bench/ingest.py [FILES...] [--write] [--repeat N]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.geom

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from twin.geometry.mesher import get_context_elements, has_body, make_settings, mesh_elements  # noqa: E402

from pgschema import is_postgres_available, private_schema  # noqa: E402  (tests/pgschema.py)
from twin.ledger.db import open_ledger  # noqa: E402
from twin.ledger.ingest import ingest_file  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
SECTIONS = {
    "ingest": ("<!-- bench:ingest:begin -->", "<!-- bench:ingest:end -->"),
    "speed": ("<!-- bench:speed:begin -->", "<!-- bench:speed:end -->"),
    "memory": ("<!-- bench:memory:begin -->", "<!-- bench:memory:end -->"),  # bench/ingest_memory.py
    "upload": ("<!-- bench:upload:begin -->", "<!-- bench:upload:end -->"),  # bench/api_upload.py
    "timeline": ("<!-- bench:timeline:begin -->", "<!-- bench:timeline:end -->"),  # bench/timeline.py
}
WEBIFC = ROOT / "bench" / "webifc"
CAMPUS = [ROOT / "models_ifc" / f"campus_{name}.ifc" for name in ("tower", "annex", "canteen")]
ANNEX, ANNEX_V2 = ROOT / "models_ifc" / "campus_annex.ifc", ROOT / "models_ifc" / "campus_annex_v2.ifc"
#: What warms a ledger up before a file is timed: a small real model with rooms, another if that is the one timed.
WARM_UP = [ROOT.parent / "shared" / "ifc" / name for name in ("revit_quantities.ifc", "3rooms_Heater_AirTerminal_Table_with_SB.ifc")]


def run_json(command: list[str]):
    """Run ``command`` (a fresh process) and read the JSON of the last line it prints."""
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def time_webifc(files: list[Path], repeat: int) -> dict:
    if not (WEBIFC / "node_modules" / "web-ifc").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEBIFC, check=True)
    data = run_json(["node", str(WEBIFC / "time.mjs"), "--repeat", str(repeat), *map(str, files)])
    return {Path(path).name: value for path, value in data["files"].items()} | {"_version": data["version"]}


def time_iterator(path: Path, *, rooms_only: bool = False, library: str | None = None, threads: int | None = None) -> float:
    """Seconds for ifcopenshell.open + one iterator over the rooms (and, unless ``rooms_only``,
    the context elements) with ``library`` (the default kernel when ``None``), touching every
    buffer and doing nothing else per element."""
    started = time.perf_counter()
    file = ifcopenshell.open(str(path))
    elements = [e for e in [*file.by_type("IfcSpace"), *([] if rooms_only else get_context_elements(file))] if has_body(e)]
    if elements:
        kernel = {"geometry_library": library} if library else {}
        iterator = ifcopenshell.geom.iterator(make_settings(), file, threads or multiprocessing.cpu_count(), include=elements, **kernel)
        if iterator.initialize():
            while True:
                geometry = iterator.get().geometry
                _ = (geometry.verts_buffer, geometry.faces_buffer)
                if not iterator.next():
                    break
    return time.perf_counter() - started


def time_bare_iterator(path: Path) -> float:
    """The issue-2 baseline: open + the default-kernel iterator over spaces and context elements."""
    return time_iterator(path)


def time_kernel_floor(path: Path, *, rooms_only: bool) -> float:
    """Open + cgal-simple (the fastest library) over the rooms, or over rooms and context, in
    one thread with no Python work per element: what no ifcopenshell ingest can beat
    (cgal-simple's dropped booleans are not redone, so it is an under-estimate)."""
    return time_iterator(path, rooms_only=rooms_only, library="cgal-simple", threads=1)


def make_revision(path: Path, folder: Path) -> Path:
    """A new version of a model file: its first room (by GlobalId) renamed, its last removed."""
    file = ifcopenshell.open(str(path))
    spaces = sorted(file.by_type("IfcSpace"), key=lambda space: space.GlobalId)
    spaces[0].LongName = f"{spaces[0].LongName or ''} (revised)"
    ifcopenshell.api.run("root.remove_product", file, product=spaces[-1])
    revised = folder / f"{path.stem}-revised.ifc"
    file.write(str(revised))
    return revised


def open_warm_ledger(folder: str, path: Path, *, url: str | None = None):
    """A new ledger that has taken an ingest of another file and of a new version of it, as a
    running service's has: its engine's statements compiled for both (SQLAlchemy caches them
    per engine; a service compiles them once) and its geometry cache created (web-ifc is timed
    warmed up too). Nothing of ``path`` is in it. ``url``: the database (default: a SQLite file
    in ``folder``)."""
    engine = open_ledger(url or f"sqlite:///{folder}/twin.db")
    warm_up = WARM_UP[0] if WARM_UP[0].name != path.name else WARM_UP[1]
    for version in (warm_up, make_revision(warm_up, Path(folder))):
        ingest_file(version, engine=engine, assets_dir=Path(folder) / "assets")
    return engine


@contextlib.contextmanager
def postgres_schema() -> Iterator[str | None]:
    """A private schema in the local PostgreSQL (tests/pgschema.py), or ``None`` when it cannot be reached."""
    if not is_postgres_available():
        yield None
        return
    with private_schema("bench") as url:
        yield url


def time_rooms_in_ledger(path: Path, *, warm: bool = True, postgres: bool = False) -> tuple[float, float] | None:
    """The rooms stage of an ingest, as a user waits for it: check, sha256, open, rooms meshed
    and measured, room GLBs written, rooms stored and warnings evaluated (geometry cache cold
    for this file): (until the rooms' transaction commits, until the call returns). ``warm=False``:
    into a ledger just created, its engine cold. ``postgres``: into the local PostgreSQL, the
    deployment's database (``None`` if it cannot be reached)."""
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        url = stack.enter_context(postgres_schema()) if postgres else None
        if postgres and url is None:
            return None
        engine = open_warm_ledger(folder, path, url=url) if warm else open_ledger(f"sqlite:///{folder}/twin.db")
        started = time.perf_counter()
        report = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets", with_context=False)
        seconds = time.perf_counter() - started
        engine.dispose()
    return report.stages["rooms_in_ledger"], seconds


def time_ingest(path: Path) -> tuple[float, float, object]:
    """(full ingest into a warm ledger, the same file again, its report)."""
    with tempfile.TemporaryDirectory() as folder:
        engine = open_warm_ledger(folder, path)
        started = time.perf_counter()
        report = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets")
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets")
        second = time.perf_counter() - started
        assert again.skipped
        engine.dispose()
    return first, second, report


def time_context_processes(path: Path, threads: int) -> float:
    file = ifcopenshell.open(str(path))
    elements = get_context_elements(file)
    started = time.perf_counter()
    mesh_elements(file, elements, threads=threads)
    return time.perf_counter() - started


def time_new_version(repeat: int, *, base: Path | None = None, first: Path = ANNEX, second: Path | None = ANNEX_V2) -> tuple[float, float, float, int, int]:
    """(first ingest of ``first``, ingest of ``second`` with the cache warm, median of the
    second/first ratios of each pair, the second's cache hits, the second's elements meshed).
    ``second=None``: a revision of ``first`` (:func:`make_revision`). Each pair runs back to back,
    so a slow moment of the shared machine hits both of a pair alike. ``base``: a ledger file
    each pair starts from (a copy; else a new ledger warmed up with another file)."""
    firsts, seconds, hits, meshed = [], [], 0, 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            if base is not None:
                shutil.copy(base, Path(folder) / "twin.db")
            engine = open_warm_ledger(folder, first)
            later = second or make_revision(first, Path(folder))
            started = time.perf_counter()
            ingest_file(first, engine=engine, assets_dir=Path(folder) / "assets")
            firsts.append(time.perf_counter() - started)
            started = time.perf_counter()
            report = ingest_file(later, engine=engine, assets_dir=Path(folder) / "assets")
            seconds.append(time.perf_counter() - started)
            assert not report.skipped and report.version == 2
            hits, meshed = report.meshing["cache_hits"], report.meshing["meshed"]
            engine.dispose()
    ratio = statistics.median(second / first for first, second in zip(firsts, seconds))
    return statistics.median(firsts), statistics.median(seconds), ratio, hits, meshed


def new_version_pairs(pairs: int, *, base: Path | None = None, first: Path = ANNEX, second: Path | None = ANNEX_V2) -> tuple[float, float, float, int, int]:
    """:func:`time_new_version` in a fresh process, as ``twin ingest`` runs."""
    command = [sys.executable, __file__, "--new-version", str(pairs), "--first", str(first), "--second", str(second or "revision"),
               *(["--base-ledger", str(base)] if base else [])]
    return run_json(command)


def build_portfolio_ledger() -> Path:
    """The 20,000-room portfolio ledger of ``bench/api_load.py`` (built once, under var/)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from api_load import WORK, build_ledger

    build_ledger(20)
    return WORK / "twin.db"


def measure_file(path: Path, repeat: int) -> dict:
    """Every twin and ifcopenshell figure of one file (medians of ``repeat`` runs), as JSON. Run
    in a fresh process per file (``--measure``): after the real files, one long process ran the
    campus's full ingests up to twice as slow, its heap grown (ifcopenshell keeps about 3 MB per
    MB of every file it parsed; see twin.ledger.jobs) and the machine's memory with it."""
    bare = statistics.median(time_bare_iterator(path) for _ in range(repeat))
    warm_runs = [time_rooms_in_ledger(path) for _ in range(repeat)]
    rooms, rooms_returned = statistics.median(r[0] for r in warm_runs), statistics.median(r[1] for r in warm_runs)
    rooms_cold = statistics.median(time_rooms_in_ledger(path, warm=False)[0] for _ in range(repeat))
    pg_runs = [time_rooms_in_ledger(path, postgres=True) for _ in range(repeat)]
    rooms_pg = statistics.median(r[0] for r in pg_runs) if None not in pg_runs else None
    floor_rooms = statistics.median(time_kernel_floor(path, rooms_only=True) for _ in range(repeat))
    floor_all = statistics.median(time_kernel_floor(path, rooms_only=False) for _ in range(repeat))
    runs = [time_ingest(path) for _ in range(repeat)]
    report = runs[0][2]
    return {
        "bare": bare, "rooms": rooms, "rooms_returned": rooms_returned, "rooms_cold": rooms_cold, "rooms_pg": rooms_pg, "floor_rooms": floor_rooms, "floor_all": floor_all,
        "ingest_runs": [r[0] for r in runs], "ours": statistics.median(r[0] for r in runs), "again": statistics.median(r[1] for r in runs),
        "rooms_in_full": statistics.median(r[2].stages["rooms_in_ledger"] for r in runs),
        "one": statistics.median(time_context_processes(path, 1) for _ in range(repeat)),
        "two": statistics.median(time_context_processes(path, 2) for _ in range(repeat)),
        "report": {"rooms": report.rooms, "context_elements": report.context_elements, "failed_elements": report.failed_elements,
                   "meshing": report.meshing},
    }


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def spread(values: list[float]) -> str:
    return f"{(max(values) - min(values)) / statistics.median(values) * 100:.0f} %"


def replace_section(text: str, name: str, body: str) -> str:
    begin, end = SECTIONS[name]
    if begin not in text:
        return f"{text.rstrip()}\n\n{begin}\n{body}\n{end}\n"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def write_section(name: str, heading: str, body: str) -> None:
    """Replace section ``name`` of docs/benchmarks.md with ``body`` (added under ``heading`` if missing)."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if SECTIONS[name][0] not in text:
        text = f"{text.rstrip()}\n\n## {heading}\n"
    DOC.write_text(replace_section(text, name, body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the median is reported")
    parser.add_argument("--new-version", type=int, metavar="PAIRS", help=argparse.SUPPRESS)  # the v2 pairs, in a child
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one file's figures, in a child
    parser.add_argument("--base-ledger", type=Path, help=argparse.SUPPRESS)  # ... starting from a copy of this ledger
    parser.add_argument("--first", type=Path, default=ANNEX, help=argparse.SUPPRESS)  # ... of this file
    parser.add_argument("--second", default=str(ANNEX_V2), help=argparse.SUPPRESS)  # ... then this one ("revision": made)
    args = parser.parse_args()
    if args.measure:
        logging.basicConfig(level=logging.ERROR)
        print(json.dumps(measure_file(args.measure, args.repeat)))
        return
    if args.new_version:
        second = None if args.second == "revision" else Path(args.second)
        print(json.dumps(time_new_version(args.new_version, base=args.base_ledger, first=args.first, second=second)))
        return
    logging.basicConfig(level=logging.ERROR)
    files = args.files or sorted((ROOT.parent / "shared" / "ifc").glob("*.ifc")) + CAMPUS
    load_before = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    web = time_webifc(files, args.repeat)
    old_rows, rows, proc_rows, fallback_rows = [], [], [], []
    ratios, again_ratios, room_ratios, full_ratios, proc_ratios, noise = [], [], [], [], [], []
    floor_ratios, cold_ratios, in_full_ratios, pg_ratios = [], [], [], []
    for path in files:
        w = web[path.name]
        m = run_json([sys.executable, __file__, "--measure", str(path), "--repeat", str(args.repeat)])
        bare, rooms, rooms_cold, floor_rooms, floor_all = m["bare"], m["rooms"], m["rooms_cold"], m["floor_rooms"], m["floor_all"]
        ingest_runs, ours, again, one, two = m["ingest_runs"], m["ours"], m["again"], m["one"], m["two"]
        in_full_ratios.append(m["rooms_in_full"] / w["rooms"]["seconds"])
        report = argparse.Namespace(**m["report"])
        noise.append((max(ingest_runs) - min(ingest_runs)) / ours)
        ratio, again_ratio = ours / bare, again / ours
        room_ratio, full_ratio = rooms / w["rooms"]["seconds"], ours / w["all"]["seconds"]
        floor_ratios.append((floor_rooms / w["rooms"]["seconds"], floor_all / w["all"]["seconds"]))
        cold_ratios.append(rooms_cold / w["rooms"]["seconds"])
        rooms_pg = m["rooms_pg"]
        if rooms_pg is not None:
            pg_ratios.append(rooms_pg / w["rooms"]["seconds"])
        pg_cell = f"{rooms_pg * 1000:.0f} ({pg_ratios[-1]:.1f}x)" if rooms_pg is not None else "-"
        ratios.append(ratio)
        again_ratios.append(again_ratio)
        room_ratios.append(room_ratio)
        full_ratios.append(full_ratio)
        proc_ratios.append(two / one)
        old_rows.append(
            f"| {path.name} | {report.rooms} | {report.context_elements} | {report.failed_elements} | "
            f"{bare:.2f} | {ours:.2f} | {ratio:.2f}x | {again * 1000:.0f} ms | {again_ratio * 100:.1f} % |"
        )
        rows.append(
            f"| {path.name} | {report.rooms} | {report.context_elements} | {w['rooms']['seconds'] * 1000:.1f} | "
            f"{floor_rooms * 1000:.0f} ({floor_ratios[-1][0]:.1f}x) | {rooms * 1000:.0f} ({m['rooms_returned'] * 1000:.0f}) | **{room_ratio:.1f}x** | "
            f"{rooms_cold * 1000:.0f} ({cold_ratios[-1]:.1f}x) | {pg_cell} | {m['rooms_in_full'] * 1000:.0f} ({in_full_ratios[-1]:.1f}x) | "
            f"{w['all']['seconds'] * 1000:.1f} | "
            f"{floor_all * 1000:.0f} ({floor_ratios[-1][1]:.1f}x) | {ours * 1000:.0f} | **{full_ratio:.1f}x** | {spread(ingest_runs)} |"
        )
        proc_rows.append(f"| {path.name} | {report.context_elements} | {one:.2f} | {two:.2f} | {two / one:.2f} |")
        libraries = report.meshing["by_library"]
        fell = {}
        for f in report.meshing["fallbacks"]:
            fell.setdefault(f["global_id"], (f["ifc_class"], f["kept_by"]))
        by_kind = Counter(fell.values())
        fallback_rows.append(
            f"| {path.name} | {', '.join(f'{k} {v}' for k, v in sorted(libraries.items()))} | {len(fell)} | "
            f"{'; '.join(f'{n} {cls} → {final}' for (cls, final), n in sorted(by_kind.items())) or '-'} |"
        )
        print(rows[-1], proc_rows[-1], fallback_rows[-1], sep="\n", flush=True)
    pairs = max(args.repeat, 5)
    first, second, v2_ratio, hits, meshed = new_version_pairs(pairs)
    tower = CAMPUS[0]
    tower_first, tower_second, tower_ratio, tower_hits, tower_meshed = new_version_pairs(3, first=tower, second=None)
    big = build_portfolio_ledger()
    big_first, big_second, big_ratio, _, _ = new_version_pairs(3, base=big)
    load_after = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    stamp = (
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({multiprocessing.cpu_count()} cores, shared: load average "
        f"{' '.join(load_before)} before, {' '.join(load_after)} after), ifcopenshell {ifcopenshell.version}, "
        f"web-ifc {web['_version']} (Node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}, "
        f"single-threaded, warmed up), median of {args.repeat} runs per figure. Ingest run-to-run spread (max-min)/median: "
        f"median {statistics.median(noise) * 100:.0f} %, worst {max(noise) * 100:.0f} %."
    )
    old_table = "\n".join(
        [
            stamp,
            "",
            "| file | rooms | context elements | failed | bare iterator, default kernel (s) | twin ingest (s) | ingest / iterator | same file again | again / ingest |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *old_rows,
            f"| **geometric mean** | | | | | | **{geomean(ratios):.2f}x** | | **{geomean(again_ratios) * 100:.1f} %** |",
            "",
            f"Targets (issue 2): full ingest within 1.5x the bare iterator — worst file {max(ratios):.2f}x; "
            f"re-ingest of an unchanged file under 5 % of the first — worst file {max(again_ratios) * 100:.1f} %.",
        ]
    )
    verdict = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
    speed = "\n".join(
        [
            stamp,
            "",
            "Times in ms. *Kernel floor*: ifcopenshell.open + cgal-simple over the same elements, one process, no Python per "
            "element (cgal-simple's dropped booleans not redone): the least any ingest built on ifcopenshell's geometry can take. "
            "*Rooms in ledger*: a rooms-only ingest, until its rooms' transaction commits, when every reader sees them (in "
            "brackets: until the call returns, the geometry cache written for the next version and the statistics refreshed; "
            "before 2026-12-08 the ratio was taken to the return). "
            "twin is timed into a ledger that has taken an ingest of another file and of a new version of it (its engine warm, its geometry cache cold "
            "for this file), as a running service's is (and, as a service's, with the read-ahead child its earlier ingests "
            "kept: twin.geometry.child); *new ledger*: the rooms into a ledger just created; *PostgreSQL*: into a warm ledger "
            "in the local PostgreSQL, the deployment's database (SQLite's file is the embedded default); *within a full ingest*: when "
            "the full ingest's rooms stage committed (its read-ahead child making the context meanwhile), as an upload's "
            "rooms appear.",
            "",
            "| file | rooms | context | web-ifc open + rooms | kernel floor, rooms | twin rooms in ledger (call returned) | ratio | twin rooms, new ledger | "
            "twin rooms, PostgreSQL | twin rooms, within a full ingest | web-ifc open + all | kernel floor, all | twin full ingest | ratio | ingest spread |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            f"| **geometric mean** | | | | ({geomean([r for r, _ in floor_ratios]):.1f}x) | | **{geomean(room_ratios):.1f}x** | "
            f"({geomean(cold_ratios):.1f}x) | {f'({geomean(pg_ratios):.1f}x)' if pg_ratios else '-'} | ({geomean(in_full_ratios):.1f}x) | | ({geomean([a for _, a in floor_ratios]):.1f}x) | | "
            f"**{geomean(full_ratios):.1f}x** | |",
            "",
            "| target (issue 7) | measured | |",
            "|---|---|---|",
            f"| rooms in the ledger within 5x web-ifc open + room meshes (geometric mean) | {geomean(room_ratios):.1f}x "
            f"(ifcopenshell's kernel floor alone: {geomean([r for r, _ in floor_ratios]):.1f}x) | {verdict(geomean(room_ratios) <= 5)} |",
            f"| full ingest within 3x web-ifc open + all meshes (geometric mean) | {geomean(full_ratios):.1f}x "
            f"(ifcopenshell's kernel floor alone: {geomean([a for _, a in floor_ratios]):.1f}x) | {verdict(geomean(full_ratios) <= 3)} |",
            f"| campus_annex_v2 after campus_annex, cache warm: under 25 % of the first ingest | {second:.2f} s / {first:.2f} s (medians of {pairs} pairs); median ratio {v2_ratio * 100:.0f} % ({hits} of {meshed} meshes from the cache) | {verdict(v2_ratio < 0.25)} |",
            f"| the same pair into a ledger of 20,000 rooms (bench/api_load.py's portfolio) | {big_second:.2f} s / {big_first:.2f} s (medians of 3 pairs); median ratio {big_ratio * 100:.0f} % | {verdict(big_ratio < 0.25)} |",
            f"| (not a target: the tower, then a revision of it: one room renamed, one removed) | {tower_second:.2f} s / {tower_first:.2f} s (medians of 3 pairs); median ratio {tower_ratio * 100:.0f} % ({tower_hits} of {tower_meshed} meshes from the cache) | |",
            f"| the same file again: under 5 % of its first ingest (worst file) | {max(again_ratios) * 100:.1f} % | {verdict(max(again_ratios) < 0.05)} |",
            "",
            "Context meshing alone (fast plan, no cache), one process against two worker processes:",
            "",
            "| file | context | 1 process (s) | 2 processes (s) | 2 / 1 |",
            "|---|---:|---:|---:|---:|",
            *proc_rows,
            f"| **geometric mean** | | | | **{geomean(proc_ratios):.2f}** |",
            "",
            "Which geometry library meshed what (full ingest, rooms and context), and the elements that needed a fallback:",
            "",
            "| file | meshes by library | elements with a fallback | fallbacks (class → library that kept it) |",
            "|---|---|---:|---|",
            *fallback_rows,
        ]
    )
    print(old_table, speed, sep="\n\n")
    if args.write:
        write_section("ingest", "Ingest against the bare iterator (issue 2, bench/ingest.py)", old_table)
        write_section("speed", "Ingest speed against web-ifc (issue 7, bench/ingest.py)", speed)


if __name__ == "__main__":
    main()
