"""Whole-process wall time and peak memory of everyday commands, against floors in the same run.

    python benchmarks/bench_startup.py [--runs 5]

Each command is started as a fresh process (imports and library loading paid as a user pays
them), ``--runs`` times, interleaved with the two floors so machine noise hits all alike:

* ``python -c pass``: the interpreter alone, the floor nothing can beat;
* ``magnets --help``: the CLI's own start (argument parsing, no library).

For each command the median wall time, the ratio to each floor's median, and the peak RSS
(``ru_maxrss`` of that child, from ``os.wait4``) are printed. The library cache
(magnets/data/cache.py) is warmed first in a private folder, so the numbers are those of a
second and later run; ``--cold`` turns the cache off to show what it saves.
Targets (issue 13): <= 0.20 s wall and < 80 MB for show, rate, grades, substitute, data check.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "show": ["show", "N38EH"],
    "rate": ["rate", "N38EH", "--pc", "1"],
    "grades": ["grades", "--min-temp", "150"],
    "substitute": ["substitute", "--temp", "170", "--pc", "1", "--hd", "400"],
    "data check": ["data", "check"],
}
FLOORS = {"python -c pass": [sys.executable, "-c", "pass"]}
MAGNETS = [sys.executable, "-m", "magnets"]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {p.returncode}")
    return wall, usage.ru_maxrss / 1024.0  # Linux: KB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cold", action="store_true", help="turn the library cache off")
    a = ap.parse_args()
    env = dict(os.environ)
    env["MAGNETS_CACHE_DIR"] = tempfile.mkdtemp(prefix="magnets-bench-cache-")
    if a.cold:
        env["MAGNETS_NO_CACHE"] = "1"
    jobs = dict(FLOORS)
    jobs["magnets --help"] = [*MAGNETS, "--help"]
    jobs.update({name: [*MAGNETS, *argv] for name, argv in COMMANDS.items()})
    _run(jobs["show"], env)  # warm the cache (and the OS file cache)
    walls: dict[str, list[float]] = {k: [] for k in jobs}
    rss: dict[str, float] = {}
    for _ in range(a.runs):
        for name, argv in jobs.items():
            w, m = _run(argv, env)
            walls[name].append(w)
            rss[name] = max(rss.get(name, 0.0), m)
    med = {k: statistics.median(v) for k, v in walls.items()}
    floor, helpf = med["python -c pass"], med["magnets --help"]
    cache = "off" if a.cold else "warm"
    print(f"# {a.runs} runs each, interleaved; library cache {cache}; medians")
    print(f"{'command':<16} {'wall_s':>7} {'x python':>9} {'x --help':>9} {'peak_MB':>8}")
    for name in jobs:
        print(
            f"{name:<16} {med[name]:7.3f} {med[name] / floor:9.1f} {med[name] / helpf:9.1f} "
            f"{rss[name]:8.0f}"
        )
    print(f"# floors in this run: python -c pass {floor:.3f} s, magnets --help {helpf:.3f} s")


if __name__ == "__main__":
    main()
