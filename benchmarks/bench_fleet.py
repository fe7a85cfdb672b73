"""Benchmark of the fleet model: 200 segments x 60 years x 1,000 Monte Carlo samples.

Run:  python benchmarks/bench_fleet.py [--segments 200] [--years 60] [--samples 1000]

Prints the wall time of :func:`magnets.fleet.project_fleet` (packing, cohort matrices, every
flow, mean/P10/P50/P90 of every column, the long table and the summary), the peak resident
memory of the process, and the speed-up over a per-year Python loop (vectorised over
segments and samples inside each year, the usual way of writing such a model) run in the
same process on a subset, per unit of work (segment x sample). The loop's results are also
checked against the vectorised ones on that subset.

Targets (issue 5): under 3 s and under 2 GB on a 2-core machine.

Scaling (issue 13):  python benchmarks/bench_fleet.py --scaling [--counts 10000,100000,1000000]
  runs ``magnets fleet materials/examples/fleet.toml --samples N`` (baseline; add
  ``--all-scenarios`` with --scaling-args) as a child process under ``/usr/bin/time -v`` for
  each N and prints its wall time, the time per sample against the smallest run (1.00 =
  linear in samples) and the child's own peak resident memory (target < 2 GB at 1e6).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np


def synthetic_spec(n_segments: int, n_years: int, lib, seed: int = 0):
    """A FleetSpec of n_segments with uncertain units/kg/yield/recycling, changing grade mixes,
    all three lifetime distributions and NdFeB and SmCo grades (a realistic worst case: the
    per-element quantities must be computed and sorted for every element present)."""
    from magnets.fleet.spec import FleetSpec, SegmentSpec

    rng = np.random.default_rng(seed)
    first = 2000
    last = first + n_years - 1
    ndfeb = [
        g
        for g in ("N45SH", "KJ-N45UH", "N38EH", "N45SH-GBD", "HL-G50UH-Tb", "HD-CISRI-2019", "N42")
        if g in lib.grades.index
    ]
    smco = [g for g in ("HZ-YX18", "TH-SM2CO17-SM30", "EEC-ZRTC18") if g in lib.grades.index]
    segs = []
    for i in range(n_segments):  # building the input, not the model
        pool = smco if (i % 10 == 9 and smco) else ndfeb
        k = rng.integers(2, 5)
        ky = tuple(sorted(rng.choice(np.arange(first, last + 1), size=k, replace=False).tolist()))
        u = rng.uniform(1e3, 1e6, size=k)
        mixes = []
        my = (first + 20, first + 35, first + 50)
        for _ in my:
            g = rng.choice(pool, size=min(3, len(pool)), replace=False)
            w = rng.dirichlet(np.ones(len(g)))
            w[-1] = 1.0 - w[:-1].sum()
            mixes.append({str(a): float(b) for a, b in zip(g, w)})
        dist = ("normal", "weibull", "fixed")[i % 3]
        life = {
            "normal": ("normal", 15.0, 4.0),
            "weibull": ("weibull", 2.5, 17.0),
            "fixed": ("fixed", 12.0, 0.0),
        }[dist]
        segs.append(
            SegmentSpec(
                name=f"segment {i:03d}",
                unit="unit",
                units_years=ky,
                units_low=tuple(0.8 * u),
                units_high=tuple(1.2 * u),
                kg_years=(0,),
                kg_low=(0.5,),
                kg_high=(2.0,),
                mix_years=my,
                mixes=tuple(mixes),
                lifetime=life,
                yield_low=0.7,
                yield_high=0.8,
                scrap_low=0.3,
                scrap_high=0.7,
                collection_low=0.05,
                collection_high=0.3,
                recovery_low=0.8,
                recovery_high=0.95,
            )
        )
    segs_t = tuple(segs)
    return FleetSpec(
        path="<synthetic>",
        start_year=first,
        end_year=last,
        segments=segs_t,
        scenarios={"baseline": segs_t},
    )


def per_year_loop(arr, u):
    """Reference: the same model written as a Python loop over years (and the cohorts still
    in service), vectorised over segments and samples inside each year, with the same
    statistics (mean, P10/P50/P90 via np.quantile) taken year by year.

    Returns the statistics of primary (4, S, Y, E) and of stock (4, S, Y).
    """
    from magnets.fleet.cohort import lifetime_tables
    from magnets.fleet.sampling import draw as _draw

    S, Y = arr.units_low.shape
    pmf, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, Y)
    inflow = _draw(arr.units_low, arr.units_high, u[0])
    kg = _draw(arr.kg_low, arr.kg_high, u[1])
    yld = _draw(arr.yield_low, arr.yield_high, u[2])
    sr = _draw(arr.scrap_low, arr.scrap_high, u[3])
    cr = _draw(arr.collection_low, arr.collection_high, u[4]) * _draw(
        arr.recovery_low, arr.recovery_high, u[5]
    )
    E, N = arr.frac.shape[2], u.shape[2]
    q = (0.1, 0.5, 0.9)

    def stats(x):
        return np.concatenate([x.mean(axis=-1)[None], np.quantile(x, q, axis=-1)])

    prim_st = np.zeros((4, S, Y, E))
    stock_st = np.zeros((4, S, Y))
    for t in range(Y):  # the per-year loop being compared against
        content = inflow[:, t] * kg[:, t] * 1e-3  # (S, N)
        demand = arr.frac[:, t, :, None] * (content / yld)[:, None, :]
        scrap = demand * ((1 - yld) * sr)[:, None, :]
        eol = np.zeros((S, E, N))
        stock = np.zeros((S, N))
        out = np.zeros((S, N))
        for c in range(t + 1):  # cohorts built so far
            eol += (
                pmf[:, t - c, None, None]
                * arr.frac[:, c, :, None]
                * (inflow[:, c] * kg[:, c] * 1e-3)[:, None, :]
            )
            stock += surv[:, t - c, None] * inflow[:, c]
            out += pmf[:, t - c, None] * inflow[:, c]
        rec = eol * cr[:, None, :]
        primary = demand - scrap - rec
        for x in (
            demand,
            scrap,
            eol,
            rec,
        ):  # the other columns' statistics, as the table needs them
            stats(x)
        prim_st[:, :, t] = stats(primary)
        stock_st[:, :, t] = stats(stock)
        stats(out)
        stats(inflow[:, t])
    return prim_st, stock_st


def _timed_child(cmd: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (GB) of one child process, from /usr/bin/time -v."""
    import re
    import subprocess

    r = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    assert wall and rss, r.stderr
    h, m, sec = wall.groups()
    return int(h or 0) * 3600 + int(m) * 60 + float(sec), int(rss.group(1)) * 1024 / 1e9


def scaling(counts: list[int], extra: list[str]) -> int:
    """Time and peak RSS of `magnets fleet` on the example per sample count."""
    import tempfile
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "materials" / "examples" / "fleet.toml"
    out = Path(tempfile.mkdtemp()) / "fleet.csv"
    base = [sys.executable, "-m", "magnets", "fleet", str(example), "--seed", "1", "-o", str(out)]
    floor, floor_rss = _timed_child([*base, *extra])  # no samples: start-up, model, table
    print(f"fleet scaling on {example.name} {' '.join(extra)} (child processes, /usr/bin/time -v)")
    print(f"  no samples (floor)  : {floor:8.2f} s   peak {floor_rss:5.2f} GB")
    first = None
    ok = True
    for n in counts:
        t, rss = _timed_child([*base, *extra, "--samples", str(n)])
        per = (t - floor) / n
        first = per if first is None else first
        print(
            f"  --samples {n:>9,} : {t:8.2f} s   {per * 1e6:8.2f} us/sample over the floor"
            f"   x{per / first:5.2f} per sample vs the first   peak {rss:5.2f} GB"
        )
        ok &= rss < 2.0
    print("  PASS (peak < 2 GB)" if ok else "  FAIL: peak over 2 GB")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--segments", type=int, default=200)
    ap.add_argument("--years", type=int, default=60)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--subset-segments", type=int, default=10)
    ap.add_argument("--subset-samples", type=int, default=200)
    ap.add_argument("--scaling", action="store_true", help="time per sample count (issue 13)")
    ap.add_argument("--counts", default="10000,100000,1000000")
    ap.add_argument("--scaling-args", default="", help="extra fleet options, e.g. --all-scenarios")
    a = ap.parse_args(argv)
    if a.scaling:
        return scaling([int(c) for c in a.counts.split(",")], a.scaling_args.split())

    from magnets.data.chemistry import REPORTED as ELEMENTS
    from magnets.data.library import load_library
    from magnets.fleet.arrays import model_years, pack_segments
    from magnets.fleet.model import project_arrays, project_fleet
    from magnets.fleet.sampling import sample_inputs

    lib = load_library()
    spec = synthetic_spec(a.segments, a.years, lib)
    project_fleet(
        spec, lib, samples=2, seed=1
    )  # warm-up: imports (scipy, pymatgen), not model time

    t0 = time.perf_counter()
    res = project_fleet(spec, lib, samples=a.samples, seed=1)
    t_vec = time.perf_counter() - t0
    peak_gb = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9
    )  # ru_maxrss in KiB on Linux
    rows = len(res.table)

    # same model, per-year loop, on a subset (first segments, fewer samples)
    sub = spec.segments[: a.subset_segments]
    years = model_years(spec)
    arr = pack_segments(sub, lib, years)
    u = sample_inputs(len(sub), a.subset_samples, 7)
    t0 = time.perf_counter()
    prim_loop, _stock_loop = per_year_loop(arr, u)
    t_loop = time.perf_counter() - t0
    t0 = time.perf_counter()
    proj = project_arrays(arr, u, slice(0, len(years)), workers=1)
    t_vec_sub = time.perf_counter() - t0
    # compare the loop's statistics of primary with the vectorised ones (same draws)
    scale = np.abs(prim_loop).max(axis=(0, 2), keepdims=True) + 1e-12  # per segment and element
    err = np.max(np.abs(prim_loop - proj.primary) / scale)

    work_full = a.segments * a.samples
    work_sub = len(sub) * a.subset_samples
    speedup = (t_loop / work_sub) / (t_vec / work_full)
    speedup_same = t_loop / t_vec_sub
    print(
        f"fleet benchmark: {a.segments} segments x {len(years)} years x {a.samples} samples x "
        f"{len(ELEMENTS)} elements, mean/P10/P50/P90, {rows:,} table rows"
    )
    print(f"  vectorised project_fleet     : {t_vec:6.2f} s   (target < 3 s)")
    print(f"  peak resident memory         : {peak_gb:6.2f} GB  (target < 2 GB)")
    print(
        f"  per-year loop, subset {len(sub)} seg x {a.subset_samples} samples: {t_loop:6.2f} s "
        f"(with statistics)"
    )
    print(
        f"  vectorised, same subset      : {t_vec_sub:6.3f} s (with statistics)"
        f" -> {speedup_same:5.1f}x"
    )
    print(f"  speed-up per segment-sample  : {speedup:6.1f}x (loop subset vs full vectorised run)")
    print(
        f"  loop vs vectorised mean/P10/P50/P90 of primary, max difference: {err:.1e} "
        "of the series' peak (float32 sort)"
    )
    ok = t_vec < 3.0 and peak_gb < 2.0
    print("  PASS" if ok else "  FAIL: over target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
