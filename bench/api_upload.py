"""Uploads through the API against ``twin ingest``: does an uploaded model ingest as fast?

The service runs each upload's ingest in a job process of its own (:class:`twin.ledger.jobs.IngestRunner`),
so that it may fork its kernel workers and read-ahead child as ``twin ingest`` does. Per round,
in a new SQLite ledger:

* ``upload``: the service (``create_app`` under a test client, its job process started), then
  each file posted to ``/api/models``; the time is the job row's, from its creation (the file
  received and checked) to its end; ``rooms in ledger`` is the ingest's own stage figure;
* ``twin ingest``: the same files in the same order, ingested by ``ingest_file`` in a fresh
  process with no thread but its own, as the command runs them.

campus_annex_v2.ifc follows campus_annex.ifc (a new version, its geometry cache warm). Medians of
``--repeat`` rounds. Prints Markdown and, with ``--write``, replaces the section between
``<!-- bench:upload:begin/end -->`` in docs/benchmarks.md.
Usage: ``python bench/api_upload.py [--repeat N] [--write]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILES = [
    ROOT / "models_ifc" / "campus_annex.ifc", ROOT / "models_ifc" / "campus_annex_v2.ifc", ROOT / "models_ifc" / "campus_tower.ifc",
    ROOT.parent / "shared" / "ifc" / "AC20-FZK-Haus.ifc", ROOT.parent / "shared" / "ifc" / "AC11-Institute-Var-2-IFC.ifc",
]
PASSWORD = "bench-upload-1"


def time_uploads(files: list[Path]) -> dict[str, tuple[float, float]]:
    """``{file name: (seconds, rooms in ledger)}`` of each file uploaded in turn to a new service."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from twin.auth import create_user
    from twin.config import Settings
    from twin.ledger.db import open_ledger, transaction

    times = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/twin.db"
        engine = open_ledger(url)
        with transaction(engine) as session:
            create_user(session, "admin", PASSWORD, role="admin")
        engine.dispose()
        app = create_app(Settings(database_url=url, data_dir=Path(folder), assets_dir=Path(folder) / "assets"))
        with TestClient(app) as client:
            token = client.post("/api/auth/token", data={"username": "admin", "password": PASSWORD}).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            app.state.jobs.call(int).result()  # the job process is up (started with the service)
            for path in files:
                status_url = client.post("/api/models", files={"file": (path.name, path.read_bytes())}).json()["status_url"]
                while (job := client.get(status_url).json())["status"] not in ("done", "failed"):
                    time.sleep(0.05)
                if job["status"] != "done":
                    raise RuntimeError(f"{path.name}: {job['error']}")
                seconds = (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["created_at"])).total_seconds()
                times[path.name] = (seconds, job["result"]["stages"]["rooms_in_ledger"])
    return times


def time_cli(files: list[Path]) -> dict[str, tuple[float, float]]:
    """The same, ingested in this process as ``twin ingest`` would (it must have no other thread)."""
    from twin.ledger.db import open_ledger
    from twin.ledger.ingest import ingest_file

    times = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = open_ledger(f"sqlite:///{folder}/twin.db")
        for path in files:
            started = time.perf_counter()
            report = ingest_file(path, engine=engine, assets_dir=Path(folder) / "assets")
            times[path.name] = (time.perf_counter() - started, report.stages["rooms_in_ledger"])
    return times


def in_child(kind: str) -> dict[str, tuple[float, float]]:
    from ingest import run_json  # bench/ingest.py

    return run_json([sys.executable, __file__, "--child", kind])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--child", choices=("upload", "cli"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps((time_uploads if args.child == "upload" else time_cli)(FILES)))
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import write_section  # bench/ingest.py

    runs = {"upload": [], "cli": []}
    for _ in range(args.repeat):  # interleaved, so a slow moment of the machine hits both alike
        for kind in runs:
            runs[kind].append(in_child(kind))
    rows, ratios = [], []
    for path in FILES:
        upload = [statistics.median(run[path.name][i] for run in runs["upload"]) for i in (0, 1)]
        cli = [statistics.median(run[path.name][i] for run in runs["cli"]) for i in (0, 1)]
        ratios.append(upload[0] / cli[0])
        rows.append(f"| {path.name} | {upload[1]:.2f} | {upload[0]:.2f} | {cli[1]:.2f} | {cli[0]:.2f} | {ratios[-1]:.2f} |")
    body = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on this machine, medians of {args.repeat} rounds (see the script's docstring), in seconds.",
        "",
        "| file | upload: rooms in ledger | upload: done | twin ingest: rooms in ledger | twin ingest: done | upload / twin ingest |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
    ])
    print(body)
    if args.write:
        write_section("upload", "Uploads through the API against twin ingest (issue 7, bench/api_upload.py)", body)


if __name__ == "__main__":
    main()
