"""Benchmark: rate 1,000,000 (grade, Pc, Hd) combinations at once, against plain Python loops.

Prints ratings per second for the vectorised closed form and for two plain Python loops over a
sample, the speed-ups, and checks that all agree:
  loop A: one call of the public function per combination (what a row-by-row script does);
  loop B: the same closed form inlined as scalar `math` (the fastest a Python loop can be).
Target (issue 3): 1e6 ratings in under 0.5 s on a 2-core machine, at least 100x the loop (A).

    python benchmarks/bench_rating.py [--n 1000000] [--sample 20000]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np


def loop_rating(br0, h0, a, b, pc, hd, mu, s, t0, tc, ts):
    """One rating in plain Python.

    The closed form of magnets.physics.thermal.rated_temperature, linear case.
    """
    mu0k = 4e-7 * math.pi * 1e3
    k = pc + mu
    brk = br0 / mu0k / k
    m0 = s * h0 - brk - pc * hd / k
    if not m0 >= 0 or not t0 < tc:
        return math.nan
    m1 = s * h0 * b / 100.0 - brk * a / 100.0
    t_knee = t0 + m0 / -m1 if m1 < 0 else math.inf
    return min(t_knee, tc, ts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from magnets.data.library import load_library
    from magnets.physics.beta import fitted_beta_model
    from magnets.physics.calibration import rating_inputs
    from magnets.physics.thermal import rated_temperature

    lib = load_library()
    inp = rating_inputs(lib.grades, fitted_beta_model(lib))
    inp = inp[inp[["Br_T", "HcJ_kA_m", "beta"]].notna().all(axis=1)]
    cols = {
        c: inp[c].to_numpy(dtype=float)
        for c in (
            "Br_T",
            "HcJ_kA_m",
            "alpha",
            "beta",
            "mu_rec",
            "squareness",
            "T0_C",
            "curie_C",
            "structural_C",
        )
    }
    rng = np.random.default_rng(0)
    g = rng.integers(0, len(inp), args.n)
    pc = rng.uniform(0.3, 5.0, args.n)
    hd = rng.uniform(0.0, 600.0, args.n)
    x = {c: v[g] for c, v in cols.items()}  # grade properties gathered per combination

    def vectorised():
        return rated_temperature(
            x["Br_T"],
            x["HcJ_kA_m"],
            x["alpha"],
            x["beta"],
            pc=pc,
            hd_kA_m=hd,
            mu_rec=x["mu_rec"],
            squareness=x["squareness"],
            T0_C=x["T0_C"],
            curie_C=x["curie_C"],
            structural_C=x["structural_C"],
        )

    vectorised()  # warm-up
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        r = vectorised()
        times.append(time.perf_counter() - t)
    t_vec = min(times)

    m = min(args.sample, args.n)
    tc = np.where(np.isnan(x["curie_C"]), math.inf, x["curie_C"])
    ts = np.where(np.isnan(x["structural_C"]), math.inf, x["structural_C"])
    columns = (
        x["Br_T"],
        x["HcJ_kA_m"],
        x["alpha"],
        x["beta"],
        pc,
        hd,
        x["mu_rec"],
        x["squareness"],
        x["T0_C"],
        tc,
        ts,
    )
    rows = list(zip(*(v[:m].tolist() for v in columns)))
    t = time.perf_counter()
    loop = [loop_rating(*row) for row in rows]
    t_loop = time.perf_counter() - t

    ma = min(m, 5000)
    t = time.perf_counter()
    loop_a = [
        rated_temperature(
            *row[:4],
            pc=row[4],
            hd_kA_m=row[5],
            mu_rec=row[6],
            squareness=row[7],
            T0_C=row[8],
            curie_C=row[9],
            structural_C=row[10],
        ).t_max_C
        for row in rows[:ma]
    ]
    t_loop_a = time.perf_counter() - t

    ok = np.allclose(
        np.asarray(loop), r.t_max_C[:m], equal_nan=True, rtol=1e-9, atol=1e-9
    ) and np.allclose(np.asarray(loop_a), r.t_max_C[:ma], equal_nan=True, rtol=1e-9, atol=1e-9)
    per_vec = t_vec / args.n
    per_loop = t_loop / m
    per_loop_a = t_loop_a / ma
    print(f"grades in library        {len(inp)}")
    print(
        f"vectorised               {args.n:,} ratings in {t_vec:.3f} s (best of {args.repeat}) "
        f"= {args.n / t_vec:,.0f} ratings/s"
    )
    print(
        f"loop A (call per row)    {ma:,} ratings in {t_loop_a:.3f} s "
        f"= {ma / t_loop_a:,.0f} ratings/s "
        f"-> speed-up {per_loop_a / per_vec:,.0f}x"
    )
    print(
        f"loop B (inlined math)    {m:,} ratings in {t_loop:.3f} s = {m / t_loop:,.0f} ratings/s "
        f"-> speed-up {per_loop / per_vec:,.0f}x"
    )
    print(f"results agree            {ok}")
    print(
        "unsafe / knee / curie / structural: "
        + " / ".join(
            str(int(np.sum(r.limited_by == k))) for k in ("unsafe", "knee", "curie", "structural")
        )
    )
    print(
        f"target                   < 0.5 s for 1e6 and >= 100x: "
        f"{'met' if t_vec < 0.5 * args.n / 1e6 and per_loop_a / per_vec >= 100 else 'NOT met'} "
        f"(against loop A; loop B is the honest floor for hand-tuned scalar Python)"
    )


if __name__ == "__main__":
    main()
