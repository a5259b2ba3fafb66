"""Row API speed: a filtered page of a 10M-row dataset, cityhub against Datasette on the same data.

    python benchmarks/row_api.py --rows 10000000 --datasette /path/to/venv/bin/datasette

Both servers run on 127.0.0.1 in this run, one process each, and answer the same question (rows
of one county with more than 4,000 staff, 50 per page, with the total count). The script prints the
median latency of each and requests per second with 8 concurrent clients, and their ratio.
Datasette is not a dependency of cityhub: install it in a separate virtual environment.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from ingest_csv import generate

CONCURRENCY = 8
COUNTY = "冠县"


def prepare_cityhub(csv_path: Path, data: Path) -> str:
    """Ingest the CSV into a fresh platform; returns a bearer token of an analyst."""
    code = f"""
from pathlib import Path
from datetime import timedelta
from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.pool.ingest import ingest
from cityhub.pool.warehouse import Warehouse
data = Path({str(data)!r})
settings = Settings(data_dir=data)
db = Database(settings.database_url_effective)
upgrade(db)
auth.bootstrap(db, admin_password="benchmark-admin")
system = auth.Actor.system()
spec = catalog.DatasetSpec(name="bench", title="基准", department="DSJJ")
catalog.create_dataset(db, system, spec)
ingest(db, system, Warehouse(db, data), dataset="bench", path=Path({str(csv_path)!r}),
       file_name="bench.csv")
auth.create_user(db, system, username="bench.analyst", password="benchmark-pass",
                 department_code="FGW", role=auth.Role.ANALYST)
print(auth.create_token(db, system, name="bench", lifetime=timedelta(days=1),
                        username="bench.analyst").secret)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def prepare_sqlite(data: Path, target: Path) -> None:
    """The same rows in a SQLite file for Datasette, with the index Datasette users would add."""
    files = sorted((data / "warehouse").rglob("*.parquet"))
    with sqlite3.connect(target) as db:
        first = pq.ParquetFile(files[0]).schema_arrow
        columns = ", ".join(f'"{name}"' for name in first.names)
        db.execute(f"CREATE TABLE bench ({columns})")
        marks = ", ".join("?" for _ in first.names)
        for path in files:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=100_000):
                rows = zip(*(col.to_pylist() for col in batch.columns), strict=True)
                db.executemany(f"INSERT INTO bench VALUES ({marks})", rows)
        db.execute('CREATE INDEX bench_county ON bench ("所在县区", "从业人数")')


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Start a server and wait until it answers."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"{command[0]} did not start")


def measure(url: str, headers: dict[str, str], requests: int) -> tuple[float, float]:
    """Median latency (ms) of sequential requests, and requests per second with 8 clients."""

    def one(_: int) -> float:
        started = time.perf_counter()
        with urlopen(Request(url, headers=headers), timeout=60) as response:
            response.read()
            assert response.status == 200
        return time.perf_counter() - started

    one(0)  # warm up
    latencies = [one(i) for i in range(requests)]
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(requests * 2)))
    rate = requests * 2 / (time.perf_counter() - started)
    return statistics.median(latencies) * 1000, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--datasette", default="datasette")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cityhub-rows-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "rows.csv"
    size_mb = max(1, args.rows * 134 // 1_000_000)  # ~134 bytes a row
    rows = generate(csv_path, size_mb, "utf-8")
    print(f"dataset: {rows:,} rows")
    token = prepare_cityhub(csv_path, work / "data")
    prepare_sqlite(work / "data", work / "bench.db")

    county = quote(COUNTY)
    env = os.environ | {"CITYHUB_DATA_DIR": str(work / "data"), "CITYHUB_PORT": "8765"}
    ours = serve([sys.executable, "-m", "cityhub", "serve", "--port", "8765"], env, 8765)
    try:
        url = f"http://127.0.0.1:8765/api/datasets/bench/rows?所在县区={county}&从业人数__gt=4000&_limit=50"
        url = url.replace("所在县区", quote("所在县区")).replace("从业人数", quote("从业人数"))
        ms, rate = measure(url, {"Authorization": f"Bearer {token}"}, args.requests)
    finally:
        ours.terminate()
    print(f"cityhub  row API: median {ms:6.1f} ms, {rate:7.1f} requests/s ({CONCURRENCY} clients)")

    theirs = serve(
        [args.datasette, str(work / "bench.db"), "--port", "8766"], dict(os.environ), 8766
    )
    try:
        url = (
            f"http://127.0.0.1:8766/bench/bench.json?{quote('所在县区')}={county}"
            f"&{quote('从业人数')}__gt=4000&_size=50"
        )
        ds_ms, ds_rate = measure(url, {}, args.requests)
    finally:
        theirs.terminate()
    print(f"Datasette table API: median {ds_ms:6.1f} ms, {ds_rate:7.1f} requests/s")
    print(f"ratio cityhub/Datasette requests per second = {rate / ds_rate:.2f}x")
    print(f"target: cityhub median under 100 ms -> {'met' if ms < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
