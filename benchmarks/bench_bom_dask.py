"""Benchmark `magnets bom --engine dask` on a 10,000,000-line Parquet BOM.

In one run:
  (a) writes a synthetic Parquet BOM of --lines lines (the mix of bench_bom.py), in chunks;
  (b) the in-process floor: evaluate_bom on the first --floor-lines lines of the same data
      (as their own Parquet file) and its Parquet output, in a fresh subprocess: lines/s;
  (c) the Dask engine on the whole file, on the default local cluster (one single-threaded
      worker per core, 2 GiB each), to a folder of Parquet parts: lines/s, with and
      without the cluster's start-up, and each worker's peak resident memory (VmHWM of
      the worker process, read on the worker after the job).
Targets: peak < 2 GB per worker; the throughput is printed against the floor (on a 2-core
machine two workers can at best double it).

    python benchmarks/bench_bom_dask.py                   # 10,000,000 lines
    python benchmarks/bench_bom_dask.py --lines 1000000 --floor-lines 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from bench_bom import bom_table

CHUNK = 1_000_000
AS_OF = dt.date(2025, 6, 1)

FLOOR = """
import sys, time, datetime as dt
import pyarrow.parquet as pq
from magnets.data.library import load_library
from magnets.bom.evaluate import evaluate_bom
lib = load_library()
t0 = time.perf_counter()
r = evaluate_bom(sys.argv[1], lib, date=dt.date(2025, 6, 1))
pq.write_table(r.arrow, sys.argv[2])
print(time.perf_counter() - t0)
"""


def make_parquet(path: Path, lines: int) -> None:
    writer = None
    for k, a in enumerate(range(0, lines, CHUNK)):
        t = bom_table(min(CHUNK, lines - a), seed=k + 1, first_id=a + 1)
        if writer is None:
            writer = pq.ParquetWriter(str(path), t.schema)
        writer.write_table(t)
    assert writer is not None
    writer.close()


def floor_rate(src: Path, work: Path, lines: int) -> float:
    """In-process lines/s on the first ``lines`` lines, in a fresh subprocess (library
    loading excluded)."""
    head = work / "head.parquet"
    pq.write_table(pq.ParquetFile(str(src)).read_row_groups([0]).slice(0, lines), str(head))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "-c", FLOOR, str(head), str(work / "head_out.parquet")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return lines / float(out.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--floor-lines", type=int, default=1_000_000)
    ap.add_argument("--partition-rows", type=int, default=500_000)
    ap.add_argument("--keep", metavar="DIR", default=None, help="work in DIR and keep the files")
    args = ap.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_bom_dask_"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / "big.parquet"
    t0 = time.perf_counter()
    make_parquet(src, args.lines)
    print(
        f"input: {args.lines:,} lines, {src.stat().st_size / 2**20:,.0f} MB Parquet "
        f"({time.perf_counter() - t0:.1f} s to write)"
    )
    floor = floor_rate(src, work, min(args.floor_lines, args.lines, CHUNK))
    print(
        f"in-process floor: {floor:,.0f} lines/s (evaluate_bom + Parquet write, "
        f"{min(args.floor_lines, args.lines, CHUNK):,} lines)"
    )

    from magnets.bom.dask_engine import evaluate_bom_dask
    from magnets.data.library import load_library
    from magnets.scale import get_client

    lib = load_library()
    t_start = time.perf_counter()
    with get_client() as client:
        t_ready = time.perf_counter()
        workers = len(client.nthreads())
        res = evaluate_bom_dask(
            src,
            lib,
            client,
            work / "out.parquet",
            "parquet",
            date=AS_OF,
            partition_rows=args.partition_rows,
        )
        t_done = time.perf_counter()
        peaks = client.run(_peak_mb)
    job, total = t_done - t_ready, t_done - t_start
    assert res.summary["rows"] == args.lines
    print(f"dask: {workers} workers, {res.partitions} partitions of <= {args.partition_rows:,}")
    print(
        f"  {job:.1f} s job ({args.lines / job:,.0f} lines/s, {args.lines / job / floor:.2f}x "
        f"the in-process floor); {total:.1f} s with the cluster's start-up "
        f"({args.lines / total:,.0f} lines/s, {args.lines / total / floor:.2f}x)"
    )
    for addr, mb in sorted(peaks.items()):
        print(f"  worker {addr}: peak {mb:,.0f} MB ({'ok' if mb < 2048 else 'OVER'} < 2 GB)")
    print(
        f"  driver peak {_peak_mb():,.0f} MB; rows by status {dict(res.summary['rows_by_status'])}"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
