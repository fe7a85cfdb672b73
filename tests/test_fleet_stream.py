"""Blocked Monte Carlo (issue 13 item 4): sketches against the exact path, block-size
independence, bounded memory, and the sketch itself against np.quantile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from magnets.errors import InputError
from magnets.fleet.model import project_fleet
from magnets.fleet.result import SUMMARY_GROUPS, VALUE_COLUMNS
from magnets.fleet.sampling import SAMPLE_BLOCK, STATS, block_draws, sample_inputs
from magnets.fleet.sketch import BINS, WIDEN, Sketch
from magnets.fleet.spec import load_fleet
from magnets.fleet.stream import StreamRun, stream_bytes, stream_fleet

EXAMPLE = Path(__file__).resolve().parents[1] / "materials" / "examples" / "fleet.toml"
ELEMENT_COLUMNS = {
    "demand_t": "demand",
    "scrap_returned_t": "scrap",
    "eol_t": "eol",
    "recovered_t": "recovered",
    "primary_t": "primary",
    "surplus_scrap_t": "surplus",
}


@pytest.fixture(scope="module")
def example(lib):
    return load_fleet(EXAMPLE, lib)


@pytest.fixture(scope="module")
def pair_1000(example, lib):
    """The example's baseline and one scenario at 1,000 samples, seed 3: exact and streamed."""
    kw: dict = {"scenarios": ["gbd_shift"], "samples": 1000, "seed": 3}
    return project_fleet(example, lib, exact=True, **kw), project_fleet(example, lib, **kw)


def _bound(res, stem: str) -> np.ndarray:
    """The stated bound of every table row of one column, in table order (scenario, year,
    segment, element, stat)."""
    return np.concatenate(
        [np.transpose(getattr(res.errors[sc], stem), (2, 1, 3, 0)).ravel() for sc in res.scenarios]
    )


def test_1000_samples_agree_with_the_exact_path_within_the_stated_error(pair_1000):
    exact, fast = pair_1000
    a, b = exact.table, fast.table
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    mean = (b["stat"] == "mean").to_numpy()
    for col, stem in ELEMENT_COLUMNS.items():
        x, y = a[col].to_numpy(), b[col].to_numpy()
        # the mean is exact: sums of the same per-sample values in float64
        np.testing.assert_allclose(y[mean], x[mean], rtol=1e-9, atol=1e-9, err_msg=col)
        bound = _bound(fast, stem)
        # quantiles within the sketch's own bound (the bin width) plus float32 rounding
        slack = bound + 1e-6 * np.abs(x) + 1e-9
        assert (np.abs(y - x) <= slack).all(), col
        assert (bound[mean] == 0).all()
        # the bound is about a bin of the values' range: all 1,000 samples set the range
        lo_hi = np.ptp(x.reshape(-1, 4), axis=1).max()
        assert bound.max() <= lo_hi  # never more than the whole spread of the statistics
    # unit columns: affine in one uniform per segment, quantiles from u's sketch
    for col in ("stock_units", "inflow_units", "outflow_units"):
        np.testing.assert_allclose(b[col], a[col], rtol=2.0 / BINS, atol=1e-6, err_msg=col)
    np.testing.assert_array_equal(a["year"], b["year"])


def test_summary_agrees_with_the_exact_path_within_the_stated_error(example, lib, pair_1000):
    exact = pair_1000[0]
    run = StreamRun(example, lib, list(exact.scenarios), 1000, slice(-len(exact.years), None))
    st = stream_fleet(run, 3).finish()
    a = exact.summary.set_index(["scenario", "element", "stat"])
    for sc in exact.scenarios:
        for g, group in enumerate(SUMMARY_GROUPS):
            for k, stat in enumerate(STATS):
                want = a.loc[(sc, group, stat), list(VALUE_COLUMNS)].to_numpy(dtype=float)
                got, bound = st.summary[sc][k, g], st.summary_err[sc][k, g]
                ok = np.isnan(want) & np.isnan(got)
                ok |= np.abs(got - want) <= bound + 1e-6 * np.abs(want) + 1e-9
                assert ok.all(), (sc, group, stat, got, want, bound)
    b = pair_1000[1].summary.set_index(["scenario", "element", "stat"])
    np.testing.assert_array_equal(a["peak_year"], b["peak_year"])


def test_results_do_not_depend_on_the_sample_block(example, lib):
    """Same draws per sample whatever the block; the float32 products of a block may round
    differently in their last bit with the block's width (BLAS kernels), so means agree to
    1e-9 and quantiles within the stated bound (in practice far closer)."""
    n = 3 * SAMPLE_BLOCK + 100  # three full blocks and a short one
    runs = [
        project_fleet(example, lib, samples=n, seed=9, sample_block=k * SAMPLE_BLOCK)
        for k in (1, 2, 4)
    ]
    first = runs[0].table
    mean = (first["stat"] == "mean").to_numpy()
    for other in runs[1:]:
        for col, stem in ELEMENT_COLUMNS.items():
            x, y = first[col].to_numpy(), other.table[col].to_numpy()
            np.testing.assert_allclose(y[mean], x[mean], rtol=1e-9, atol=1e-12, err_msg=col)
            assert (np.abs(y - x) <= _bound(runs[0], stem) + 1e-6 * np.abs(x)).all(), col
        for col in ("stock_units", "inflow_units", "outflow_units"):
            np.testing.assert_allclose(other.table[col], first[col], rtol=1e-12, err_msg=col)
        np.testing.assert_allclose(
            other.summary["cumulative_primary_t"],
            runs[0].summary["cumulative_primary_t"],
            rtol=1e-4,
        )


def test_sample_block_must_be_a_multiple_of_the_random_block(example, lib):
    with pytest.raises(ValueError, match="multiple"):
        project_fleet(example, lib, samples=10, seed=1, sample_block=1000)


def test_draws_depend_on_seed_and_sample_index_only():
    # samples 4096.. drawn alone equal the same samples drawn within a longer run
    u_all, t_all = block_draws(3, 2, 5, 0, 3 * SAMPLE_BLOCK)
    u_mid, t_mid = block_draws(3, 2, 5, SAMPLE_BLOCK, 2 * SAMPLE_BLOCK)
    np.testing.assert_array_equal(u_mid, u_all[:, :, SAMPLE_BLOCK : 2 * SAMPLE_BLOCK])
    np.testing.assert_array_equal(t_mid, t_all[:, SAMPLE_BLOCK : 2 * SAMPLE_BLOCK])
    # and the first n of a run are the same whatever n
    np.testing.assert_array_equal(sample_inputs(3, 50, 5), u_all[:, :, :50])


def test_samples_1e6_run_in_2_gb_not_refused_nor_killed(example, lib):
    """Defect (issue 12): --samples 1e6 on the example tried to allocate 5.7-9.5 GB, then was
    refused past 61,137 samples. In blocks the estimate no longer grows with the samples
    (measured: benchmarks/bench_fleet.py --scaling, peak RSS under /usr/bin/time -v)."""
    names = list(example.scenarios)
    rep = slice(0, None)
    small = StreamRun(example, lib, names, 1000, rep)
    big = StreamRun(example, lib, names, 1_000_000, rep)
    assert stream_bytes(small) == stream_bytes(big) < 2e9
    assert big.cells == small.cells and big.bins == BINS


def test_a_fleet_too_big_for_bounded_memory_is_refused_at_once(example, lib):
    """Issue 12: --samples must run in 2 GB or be refused at once; with blocks what still
    grows is the number of output cells (scenarios x segments x years x elements)."""
    segs = tuple(replace(s, name=f"{s.name} {i}") for i in range(400) for s in example.segments)
    big = replace(example, segments=segs, scenarios={"baseline": segs})
    with pytest.raises(InputError, match="too many"):
        project_fleet(big, lib, samples=1_000_000, seed=1)


# ---------------------------------------------------------------------- the sketch itself


def _sketch(x: np.ndarray, block: int) -> Sketch:
    sk = Sketch(len(x), BINS, x.shape[1])
    for s in range(0, x.shape[1], block):
        xb = x[:, s : s + block]
        sk.add(np.arange(len(x)), xb, xb.sum(axis=1, dtype="float64"))
    return sk


def test_sketch_quantiles_within_their_bound_of_np_quantile():
    rng = np.random.default_rng(0)
    n = 5 * SAMPLE_BLOCK
    x = np.stack(
        [
            rng.random(n) ** 4 * 100,  # skewed
            rng.normal(50, 10, n),
            np.where(rng.random(n) < 0.3, 0.0, rng.random(n)),  # 30 % exact zeros
            np.full(n, 7.25),  # constant
        ]
    ).astype("float32")
    st, err = _sketch(x, SAMPLE_BLOCK).stats()
    want = np.quantile(x.astype("float64"), (0.1, 0.5, 0.9), axis=1)
    assert (np.abs(st[1:] - want) <= err[1:] + 1e-9).all()
    np.testing.assert_allclose(st[0], x.astype("float64").mean(axis=1), rtol=1e-12)
    # a constant is exact, and 30 % zeros put P10 at exactly 0 (clipped to the minimum)
    assert (st[:, 3] == 7.25).all() and (err[:, 3] == 0).all()
    # the bound of an inner bin: (1 + 2 WIDEN) / BINS of the first block's range
    first = x[1, :SAMPLE_BLOCK]
    assert err[2, 1] <= (1 + 2 * WIDEN) * np.ptp(first) / BINS * (1 + 1e-6)


def test_sketch_merge_equals_one_pass():
    rng = np.random.default_rng(1)
    x = rng.gamma(2.0, 3.0, (6, 4 * SAMPLE_BLOCK)).astype("float32")
    one = _sketch(x, 4 * SAMPLE_BLOCK)
    half = Sketch(6, BINS, x.shape[1])
    a = x[:, : 2 * SAMPLE_BLOCK]
    half.add(np.arange(6), a, a.sum(axis=1, dtype="float64"))
    rest = Sketch(6, BINS, x.shape[1])
    rest.use_ranges(half.ranges())
    b = x[:, 2 * SAMPLE_BLOCK :]
    rest.add(np.arange(6), b, b.sum(axis=1, dtype="float64"))
    half.merge(rest)
    assert half.hist is not None and one.hist is not None
    np.testing.assert_array_equal(half.hist, one.hist)
    np.testing.assert_allclose(half.stats()[0], one.stats()[0], rtol=1e-12)


def test_sketch_samples_beyond_the_first_block_range_are_bounded_by_min_and_max():
    x = np.zeros((1, 2 * SAMPLE_BLOCK), dtype="float32")
    x[0, SAMPLE_BLOCK:] = 1000.0  # half the samples far above the first block's range
    st, err = _sketch(x, SAMPLE_BLOCK).stats()
    assert st[1, 0] == 0.0  # P10 inside the first block's range (all zeros): exact
    # P90 in the overflow bin, whose extent runs to the exact maximum: estimate and bound
    assert abs(st[3, 0] - 1000.0) <= err[3, 0] and st[3, 0] <= 1000.0
