"""Benchmark `magnets bom` on a 1,000,000-line BOM against the floor for the job.

In one run:
  (a) `magnets bom big.csv -o out.csv` end to end, in a subprocess (start-up, library,
      reading, evaluation, writing), and its peak resident memory;
  (b) the floor: pyarrow reading the same input and writing a table of the output's shape
      (the very table (a) wrote, read back untimed), in this process.
Prints both times, their ratio and the peak memory. Targets (2-core machine): ratio <= 2.5,
(a) < 15 s, peak < 2 GB.

    python benchmarks/bench_bom.py            # 1,000,000 lines
    python benchmarks/bench_bom.py --rows 200000 --keep /tmp/bom_bench
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# A realistic mix: traction, e-bike, compressor, servo and sensor magnets (library ids).
GRADES = [
    "N38EH",
    "TH-N33UH",
    "N35AH",
    "HL-G45EHT",
    "TH-N42UH",
    "HL-G48UHT",
    "N45SH",
    "N42SH",
    "MR-N48SH-GBD",
    "N42",
    "TH-N38UH",
    "HGT-N48SH",
    "HGT-BN8H",
    "MA-Y30BH",
    "KJ-N45SH",
    "HL-G52SHT",
    "KJ-N40SH",
    "KJ-N45UH",
    "ARN-N42M",
    "RS-BNP-9H",
    "HZ-YXG22H",
    "HGT-BN8",
    "HZ-YX20H",
    "TH-SM2CO17-SM26H",
    "TH-Y35",
    "ARN-N38H",
    "ARN-N52",
    "TH-N30EH",
    "N38EH",
    "KJ-N48SH",
]
TEMPS = np.array([80, 100, 120, 130, 140, 150, 160, 180, 200])
PCS = np.array([0.5, 1.0, 1.5, 2.0, 3.0])
HDS = np.array([0, 50, 150])


def make_bom(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, len(GRADES), rows)
    temp = TEMPS[rng.integers(0, TEMPS.size, rows)].astype(float)
    temp_txt = pa.array(np.where(rng.random(rows) < 0.1, "", temp.astype(int).astype(str)))
    pc_txt = pa.array(
        np.where(rng.random(rows) < 0.2, "", PCS[rng.integers(0, PCS.size, rows)].astype(str))
    )
    table = pa.table(
        {
            "part_id": pa.array(np.char.add("P", np.arange(1, rows + 1).astype(str))),
            "assembly": pa.array(
                np.array(["traction motor", "e-bike hub", "compressor", "servo", "sensor"])[g % 5]
            ),
            "grade": pa.array(np.array(GRADES)[g]),
            "magnet_mass_g": np.round(rng.uniform(0.1, 40.0, rows), 2),
            "quantity": rng.integers(1, 64, rows),
            "required_temp_C": temp_txt,
            "pc": pc_txt,
            "hd_kA_m": HDS[rng.integers(0, HDS.size, rows)],
            "cold_temp_C": np.full(rows, -40),
            "notes": pa.array(
                np.array(["", "second source", '=HYPERLINK("x")', "PPAP approved"])[g % 4]
            ),
        }
    )
    pacsv.write_csv(table, str(path), pacsv.WriteOptions(quoting_style="needed"))


def floor(inp: Path, out_table: pa.Table, dest: Path) -> float:
    t0 = time.perf_counter()
    pacsv.read_csv(str(inp))
    pacsv.write_csv(out_table, str(dest))
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", metavar="DIR", default=None, help="work in DIR and keep the files")
    args = ap.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bom_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    inp, out, out_floor = work / "bom.csv", work / "out.csv", work / "floor.csv"
    t0 = time.perf_counter()
    make_bom(inp, args.rows)
    print(
        f"input: {args.rows:,} lines, {inp.stat().st_size / 1e6:.1f} MB "
        f"(made in {time.perf_counter() - t0:.1f} s)"
    )

    cmd = [
        sys.executable,
        "-m",
        "magnets",
        "bom",
        str(inp),
        "-o",
        str(out),
        "--summary",
        str(work / "summary.json"),
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    t_cli = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        print(f"magnets bom failed with exit {proc.returncode}", file=sys.stderr)
        return 1
    print(proc.stderr.splitlines()[0])

    out_table = pacsv.read_csv(str(out))  # untimed: the floor writes the same shape and content
    t_floor = min(floor(inp, out_table, out_floor) for _ in range(2))
    ratio = t_cli / t_floor
    print(
        f"output: {out_table.num_rows:,} rows x {out_table.num_columns} columns, "
        f"{out.stat().st_size / 1e6:.1f} MB"
    )
    print(f"(a) magnets bom end to end : {t_cli:6.2f} s   (target < 15 s)")
    print(f"(b) floor, pyarrow read+write: {t_floor:6.2f} s")
    print(f"ratio (a)/(b)              : {ratio:6.2f}     (target <= 2.5)")
    print(f"peak memory of (a)         : {peak_mb:6.0f} MB  (target < 2048 MB)")
    if not args.keep:
        for p in work.iterdir():
            p.unlink()
        work.rmdir()
    ok = ratio <= 2.5 and t_cli < 15 and peak_mb < 2048
    print("targets met" if ok else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
