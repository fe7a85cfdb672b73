"""Benchmark `magnets bom` on a 1,000,000-line BOM against the floor for the job.

In one run:
  (a) `magnets bom big.csv -o out.csv` end to end, in a subprocess (start-up, library,
      reading, evaluation, writing), and its peak resident memory;
  (b) the floor: pyarrow reading the same input and writing a table of the output's shape
      (the very table (a) wrote, read back untimed), in this process;
  (c) the stage table: the same evaluation in this process, timed stage by stage (read,
      normalise, match, rate per distinct combination, messages, gather, write CSV) from
      the evaluation's progress calls;
  (d) XLSX against CSV: `magnets bom` on a --xlsx-rows BOM (500,000 by default) to .xlsx
      and to .csv, each end to end in a subprocess, with that input's floor.
Prints the times, the ratios and the peak memories. Targets (2-core machine): ratio (a)/(b)
<= 2.5, (a) < 15 s, peak < 1 GB; XLSX/CSV <= 10 (aim 5).

    python benchmarks/bench_bom.py            # 1,000,000 lines; XLSX on 500,000
    python benchmarks/bench_bom.py --rows 200000 --xlsx-rows 100000 --keep /tmp/bom_bench
    python benchmarks/bench_bom.py --xlsx-rows 0   # no XLSX part
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


def bom_table(rows: int, seed: int = 1, first_id: int = 1) -> pa.Table:
    """A synthetic BOM of ``rows`` lines (part ids from ``first_id``)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, len(GRADES), rows)
    temp = TEMPS[rng.integers(0, TEMPS.size, rows)].astype(float)
    temp_txt = pa.array(np.where(rng.random(rows) < 0.1, "", temp.astype(int).astype(str)))
    pc_txt = pa.array(
        np.where(rng.random(rows) < 0.2, "", PCS[rng.integers(0, PCS.size, rows)].astype(str))
    )
    return pa.table(
        {
            "part_id": pa.array(np.char.add("P", np.arange(first_id, first_id + rows).astype(str))),
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


def make_bom(path: Path, rows: int, seed: int = 1) -> None:
    table = bom_table(rows, seed)
    pacsv.write_csv(table, str(path), pacsv.WriteOptions(quoting_style="needed"))


def floor(inp: Path, out_table: pa.Table, dest: Path) -> float:
    t0 = time.perf_counter()
    pacsv.read_csv(str(inp))
    pacsv.write_csv(out_table, str(dest))
    return time.perf_counter() - t0


def run_cli(inp: Path, out: Path, work: Path) -> tuple[float, float, str]:
    """`magnets bom INP -o OUT` in a subprocess: (wall seconds, peak RSS in MB, stderr)."""
    cmd = [sys.executable, "-m", "magnets", "bom", str(inp), "-o", str(out)]
    cmd += ["--summary", str(work / "summary.json")]
    err_path = work / "stderr.txt"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the maximum
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = err_path.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"magnets bom failed with exit {proc.returncode}:\n{text}")
    return wall, usage.ru_maxrss / 1024, text  # Linux: KiB


#: progress stage -> row of the stage table (the stage runs until the next call)
STAGES = {
    "reading": "read",
    "checking": "normalise (cells, units, field messages)",
    "matching": "match grades",
    "rating": "rate per distinct combination",
    "messages": "messages per combination",
    "broadcasting": "gather to rows, suggestions, summary",
    "suggesting": "gather to rows, suggestions, summary",
    "summarising": "gather to rows, suggestions, summary",
}


def stage_table(inp: Path, dest: Path) -> list[tuple[str, float]]:
    """The evaluation in this process, timed between its progress calls, then the write."""
    from magnets.bom.evaluate import evaluate_bom, write_result
    from magnets.data.library import load_library

    lib = load_library()
    marks: list[tuple[str, float]] = []

    def record(stage: str, frac: float) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    result = evaluate_bom(inp, lib, date=dt.date(2025, 6, 1), progress=record)
    t_eval = time.perf_counter()
    write_result(result, dest, "csv")
    t_write = time.perf_counter()
    rows: dict[str, float] = {}
    ends = [t for _, t in marks[1:]] + [t_eval]
    for (stage, start), end in zip(marks, ends):
        name = STAGES.get(stage, stage)
        rows[name] = rows.get(name, 0.0) + end - start
    rows["write CSV"] = t_write - t_eval
    return list(rows.items())


def xlsx_part(work: Path, rows: int) -> bool:
    inp = work / "bom_x.csv"
    make_bom(inp, rows)
    t_csv, mb_csv, _ = run_cli(inp, work / "out_x.csv", work)
    t_xlsx, mb_xlsx, _ = run_cli(inp, work / "out_x.xlsx", work)
    out_table = pacsv.read_csv(str(work / "out_x.csv"))
    t_floor = min(floor(inp, out_table, work / "floor_x.csv") for _ in range(2))
    ratio = t_xlsx / t_csv
    print(f"\nXLSX against CSV, {rows:,} lines x {out_table.num_columns} columns:")
    print(f"  to CSV : {t_csv:6.2f} s  {mb_csv:5.0f} MB   ({t_csv / t_floor:.2f}x the floor)")
    print(f"  to XLSX: {t_xlsx:6.2f} s  {mb_xlsx:5.0f} MB   ({t_xlsx / t_floor:.2f}x the floor)")
    print(f"  floor, pyarrow read+write CSV: {t_floor:6.2f} s")
    print(f"  ratio XLSX/CSV: {ratio:6.2f}   (target <= 10, aim 5)")
    return ratio <= 10


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=500_000, help="0 skips the XLSX part")
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
    t_cli, peak_mb, err = run_cli(inp, out, work)
    print(err.splitlines()[0] if err else "")

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
    print(f"peak memory of (a)         : {peak_mb:6.0f} MB  (target < 1024 MB)")

    stages = stage_table(inp, work / "stages.csv")
    total = sum(t for _, t in stages)
    print(f"\n(c) stages, in this process (library loaded first, untimed): {total:.2f} s")
    for name, t in stages:
        print(f"  {name:<42} {t:6.2f} s  {100 * t / total:4.0f} %  {t / t_floor:5.2f}x floor")
    ok = ratio <= 2.5 and t_cli < 15 and peak_mb < 1024
    if args.xlsx_rows > 0:
        ok = xlsx_part(work, args.xlsx_rows) and ok
    if not args.keep:
        for p in work.iterdir():
            p.unlink()
        work.rmdir()
    print("targets met" if ok else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
