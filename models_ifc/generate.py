"""Entry points: ``python -m models_ifc.generate [OUT_DIR]`` and the portfolio generator.

    python -m models_ifc.generate                      # the four campus files into models_ifc/
    python -m models_ifc.generate /tmp/campus          # ... into another folder
    python -m models_ifc.generate --portfolio /tmp/pf --buildings 20 [--storeys 20 --rooms-per-storey 50]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .campus import campus_buildings
from .portfolio import portfolio_building
from .writer import write_building

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
CAMPUS_FILES = ("campus_tower.ifc", "campus_annex.ifc", "campus_annex_v2.ifc", "campus_canteen.ifc")


def generate_campus(out_dir: str | Path | None = None) -> dict[str, dict[str, int]]:
    """Write the four campus IFC files; returns ``{file name: element counts}``."""
    out = Path(out_dir) if out_dir is not None else PACKAGE_DIR
    out.mkdir(parents=True, exist_ok=True)
    stats = {}
    for building in campus_buildings():
        stats[building.file_name] = write_building(building, out / building.file_name)
    return stats


def _write_portfolio_building(args: tuple[int, int, int, str]) -> tuple[str, dict[str, int]]:
    index, storeys, rooms_per_storey, out = args
    building = portfolio_building(index, storeys, rooms_per_storey)
    return building.file_name, write_building(building, Path(out) / building.file_name)


def generate_portfolio(out_dir: str | Path, *, buildings: int = 20, storeys: int = 20,
                       rooms_per_storey: int = 50, workers: int | None = None) -> dict[str, dict[str, int]]:
    """Write ``buildings`` tower-like files (own IfcProject each, one shared portfolio site).

    The defaults give 20 x 20 x 50 = 20,000 IfcSpace.  Files are independent, so
    they are written in parallel (``workers`` processes, default: CPU count, max 8);
    the output does not depend on the number of workers.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(i, storeys, rooms_per_storey, str(out)) for i in range(1, buildings + 1)]
    workers = workers or min(8, os.cpu_count() or 1, buildings)
    if workers <= 1:
        results = map(_write_portfolio_building, jobs)
        return dict(results)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(_write_portfolio_building, jobs))


def _summary(stats: dict[str, dict[str, int]], seconds: float) -> None:
    for name, counts in stats.items():
        log.info("%-24s %s", name, "  ".join(f"{k[3:]}={v}" for k, v in counts.items()))
    total = sum(c["IfcSpace"] for c in stats.values())
    log.info("%d files, %d IfcSpace in %.1f s", len(stats), total, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models_ifc.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", nargs="?", default=None, help="output folder (default: the models_ifc package)")
    parser.add_argument("--portfolio", metavar="OUT_DIR", help="write the synthetic portfolio instead")
    parser.add_argument("--buildings", type=int, default=20)
    parser.add_argument("--storeys", type=int, default=20)
    parser.add_argument("--rooms-per-storey", type=int, default=50)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    if args.portfolio:
        stats = generate_portfolio(args.portfolio, buildings=args.buildings, storeys=args.storeys,
                                   rooms_per_storey=args.rooms_per_storey, workers=args.workers)
    else:
        stats = generate_campus(args.out_dir)
    _summary(stats, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
