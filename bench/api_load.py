"""API speed on the 20,000-room portfolio: room card and filtered search against /api/health.

In one run: generate the synthetic portfolio (models_ifc.generate_portfolio, 20 buildings x 20
storeys x 50 rooms), ingest it (rooms only) into a fresh SQLite ledger (cached between runs in
``var/bench-portfolio``), start ``twin serve`` in its own process, and load it with ``wrk``
(Debian's package) from another: the same connections and duration for each endpoint. Requests
per second and p99 latency go to a Markdown table; ``--write`` puts it in docs/benchmarks.md.

Targets (issue 4): room card throughput at least half of health's; p99 under 50 ms.
Usage: ``python bench/api_load.py [--duration 6] [--rounds 3] [--connections 8] [--write]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:api:begin -->", "<!-- bench:api:end -->"
WORK = ROOT / "var" / "bench-portfolio"
HEALTH = "GET /api/health"
CARD_COLD = "GET /api/rooms/{global_id} (room card, cold)"
CARD_HOT = "GET /api/rooms/{global_id} (room card, repeated)"
SEARCH_COLD = "GET /api/rooms?q=&building_id=&min_area= (search, cold)"
SEARCH = "GET /api/rooms?q=&building_id=&min_area= (search, repeated)"
#: The bench's accounts: username -> role.
ACCOUNTS = {"bench": "admin", "bench-viewer": "viewer"}
LUA = """
local paths = {}
for line in io.lines(os.getenv("TWIN_PATHS")) do paths[#paths + 1] = line end
local tokens = {}
for token in string.gmatch(os.getenv("TWIN_TOKENS"), "%S+") do tokens[#tokens + 1] = token end
local counter = 0
request = function()
  -- every path with the first token, then every path with the next: (path, token) pairs repeat last
  local token = tokens[(math.floor(counter / #paths) % #tokens) + 1]
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %d, \\"seconds\\": %f, \\"p50_ms\\": %f, \\"p99_ms\\": %f, \\"errors\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def build_ledger(buildings: int) -> tuple[str, list[str]]:
    """The portfolio ledger URL (built once) and every room's GlobalId (the cards asked for are
    drawn from the whole portfolio)."""
    from sqlalchemy import select

    from models_ifc.generate import generate_portfolio
    from twin.auth import create_user
    from twin.ledger.db import open_ledger, transaction
    from twin.ledger.ingest import ingest_file
    from twin.ledger.models import Room, User

    url = f"sqlite:///{WORK / 'twin.db'}"
    marker = WORK / f"ready-{buildings}"
    if not marker.exists():
        shutil.rmtree(WORK, ignore_errors=True)
        (WORK / "ifc").mkdir(parents=True)
        generate_portfolio(WORK / "ifc", buildings=buildings)
        engine = open_ledger(url)
        for path in sorted((WORK / "ifc").glob("*.ifc")):
            started = time.perf_counter()
            report = ingest_file(path, engine=engine, assets_dir=WORK / "assets", with_context=False)
            logging.info("%s: %d rooms in %.1f s", path.name, report.rooms, time.perf_counter() - started)
        marker.touch()
        engine.dispose()
    engine = open_ledger(url)
    with transaction(engine) as session:
        for name, role in ACCOUNTS.items():
            if session.scalar(select(User.id).where(User.username == name)) is None:
                create_user(session, name, "bench-password", role=role)
        gids = list(session.scalars(select(Room.global_id).order_by(Room.global_id)))
    engine.dispose()
    return url, gids


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_wrk(url: str, paths: list[str], tokens: list[str], *, duration: int, connections: int) -> dict:
    """Load ``url`` with ``paths`` in turn, each with the first token, then each with the next..."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "paths.txt").write_text("\n".join(paths) + "\n")
        (Path(folder) / "load.lua").write_text(LUA)
        env = {**os.environ, "TWIN_PATHS": str(Path(folder) / "paths.txt"), "TWIN_TOKENS": " ".join(tokens)}
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(Path(folder) / "load.lua"), url],
                             env=env, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=20)
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not shutil.which("wrk"):
        sys.exit("bench/api_load.py needs wrk: apt-get install wrk")
    url, gids = build_ledger(args.buildings)
    rooms = len(gids)
    port = free_port()
    env = {**os.environ, "TWIN_DATA_DIR": str(WORK), "TWIN_DATABASE_URL": url}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "twin"), "serve", "--port", str(port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # an admin's and a viewer's cards are cached apart (one shows names): two tokens make
        # twice as many distinct cold cards as there are rooms, so a fast round does not run out
        tokens = [httpx.post(f"{base}/api/auth/token", data={"username": name, "password": "bench-password"}).json()["access_token"]
                  for name in ACCOUNTS]
        auth = {"Authorization": f"Bearer {tokens[0]}"}
        rng = random.Random(7)
        buildings = [b["id"] for b in httpx.get(f"{base}/api/buildings", headers=auth).json()]
        shuffled = rng.sample(gids, len(gids))
        searches = rng.sample([  # every distinct search of this shape, shuffled
            f"/api/rooms?q=0{digit}&building_id={building}&min_area={tenths / 10}&limit=50"
            for digit in range(1, 10) for building in buildings for tenths in range(100, 400)
        ], 9 * len(buildings) * 300)
        search_paths = searches[:200]
        cold_searches = searches[200:]
        per_search_round = len(cold_searches) // args.rounds
        # (warm-up paths, measured paths per round): cold cards warm up on other rooms than they
        # measure, and each round measures rooms no earlier round asked for
        cold = [f"/api/rooms/{g}" for g in shuffled[2000:]]
        per_round = len(cold) // args.rounds
        cases = {
            HEALTH: (["/api/health"], [["/api/health"]] * args.rounds),
            CARD_COLD: ([f"/api/rooms/{g}" for g in shuffled[:2000]], [cold[i * per_round:(i + 1) * per_round] for i in range(args.rounds)]),
            CARD_HOT: ([f"/api/rooms/{g}" for g in shuffled[:500]], [[f"/api/rooms/{g}" for g in shuffled[:500]]] * args.rounds),
            SEARCH_COLD: (searches[:200], [cold_searches[i * per_search_round:(i + 1) * per_search_round] for i in range(args.rounds)]),
            SEARCH: (search_paths, [search_paths] * args.rounds),
        }
        runs: dict[str, list[dict]] = {name: [] for name in cases}
        for name, (warm, _) in cases.items():
            run_wrk(base, warm, tokens, duration=2, connections=args.connections)
        for round_ in range(args.rounds):  # rounds interleave the endpoints: a slow moment hits them all alike
            for name, (_, measured) in cases.items():
                result = run_wrk(base, measured[round_], tokens, duration=args.duration, connections=args.connections)
                per_user = name in (CARD_COLD, CARD_HOT)  # cards are cached per (room, names shown); searches are not
                result["repeats"] = result["requests"] > len(measured[round_]) * (len(tokens) if per_user else 1)
                runs[name].append(result)
                logging.info("round %d, %s: %.0f req/s, p99 %.1f ms", round_ + 1, name, result["rps"], result["p99_ms"])
        results = {name: {
            "rps": statistics.median(r["rps"] for r in rs), "p50_ms": statistics.median(r["p50_ms"] for r in rs),
            "p99_ms": max(r["p99_ms"] for r in rs), "errors": sum(r["errors"] for r in rs), "repeats": any(r["repeats"] for r in rs),
        } for name, rs in runs.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    health = results[HEALTH]["rps"]
    cold, hot, search, search_cold = results[CARD_COLD], results[CARD_HOT], results[SEARCH], results[SEARCH_COLD]
    rows = [f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {r['rps'] / health:.2f} |" for name, r in results.items()]
    verdict = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on this machine: {rooms} rooms in a SQLite ledger, one `twin serve` process "
        f"(uvicorn with httptools and uvloop), wrk with {args.connections} connections, on the same 2 cores: "
        f"{args.rounds} rounds of {args.duration} s per endpoint, interleaved, after 2 s of warm-up each; "
        "requests/s and p50 are medians of the rounds, p99 the worst round's.",
        "",
        "| endpoint | requests/s | p50 (ms) | p99 (ms) | errors | throughput vs health |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Cold: every request asks for a room's card ({per_round} rooms per round, as an admin, then as a viewer, whose "
        f"cards show no names and are cached apart) or a search ({per_search_round} per round) not asked for before"
        f"{' (**some were asked twice**)' if cold['repeats'] or search_cold['repeats'] else ''}, so nothing comes from "
        "the API's caches. Repeated: 500 rooms, or 200 searches, asked again and again, as when a building is toured; after "
        "the first request each answer comes from the cache, which keeps answers per ledger revision (any committed write "
        "anywhere makes them all stale).",
        "",
        "| target (issue 4) | measured | |",
        "|---|---|---|",
        f"| room card throughput at least half of health's, cold | {cold['rps'] / health:.2f} | {verdict(cold['rps'] / health >= 0.5)} |",
        f"| room card throughput at least half of health's, repeated | {hot['rps'] / health:.2f} | {verdict(hot['rps'] / health >= 0.5)} |",
        f"| p99 under 50 ms: card cold / repeated | {cold['p99_ms']:.1f} / {hot['p99_ms']:.1f} ms | {verdict(max(cold['p99_ms'], hot['p99_ms']) < 50)} |",
        f"| p99 under 50 ms: search cold / repeated | {search_cold['p99_ms']:.1f} / {search['p99_ms']:.1f} ms | "
        f"{verdict(max(search_cold['p99_ms'], search['p99_ms']) < 50)} |",
    ])
    print(table)
    if args.write:
        text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
        if BEGIN not in text:
            text += f"\n## API (bench/api_load.py)\n\n{BEGIN}\n{END}\n"
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")


if __name__ == "__main__":
    main()
