"""Fleet content bands: one systematic draw per route and sample, the deterministic envelope."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import numpy as np
import pytest

from magnets.fleet.arrays import content_routes, model_years, pack_segments
from magnets.fleet.cohort import cohort_matrix, lifetime_tables
from magnets.fleet.flows import element_flows
from magnets.fleet.model import project_arrays, project_fleet
from magnets.fleet.sampling import sample_content, sample_inputs
from tests.test_fleet import seg, spec_of

BAND_COLUMNS = ("Dy_wt_pct_low", "Dy_wt_pct_high", "Tb_wt_pct_low", "Tb_wt_pct_high")


def banded(lib, bands: dict[str, dict[str, float]]):
    """The library with band columns on some grades (as the model rows carry them)."""
    g = lib.grades.copy()
    for col in BAND_COLUMNS:
        if col not in g.columns:
            g[col] = np.nan
    for gid, cols in bands.items():
        for col, v in cols.items():
            g.loc[gid, col] = v
    return dataclasses.replace(lib, grades=g)


def unbanded(lib):
    """The library without band columns (as before the model rows carried them)."""
    g = lib.grades.drop(columns=[c for c in BAND_COLUMNS if c in lib.grades.columns])
    return dataclasses.replace(lib, grades=g)


def _value(lib, grade: str, el: str) -> float:
    return float(lib.grades.loc[grade, f"{el}_wt_pct"])


@pytest.fixture(scope="module")
def blib(lib):
    # bands set around each grade's own value: bulk N45SH Dy -20 % / +20 %, Dy-GBD HL-G48UH
    # -50 % / +100 %, Tb-GBD N45SH-GBD Tb -30 % / +40 % (test figures, not data)
    dy1, dy2 = _value(lib, "N45SH", "Dy"), _value(lib, "HL-G48UH", "Dy")
    tb = _value(lib, "N45SH-GBD", "Tb")
    return banded(
        lib,
        {
            "N45SH": {"Dy_wt_pct_low": 0.8 * dy1, "Dy_wt_pct_high": 1.2 * dy1},
            "HL-G48UH": {"Dy_wt_pct_low": 0.5 * dy2, "Dy_wt_pct_high": 2.0 * dy2},
            "N45SH-GBD": {"Tb_wt_pct_low": 0.7 * tb, "Tb_wt_pct_high": 1.4 * tb},
        },
    )


def test_deterministic_run_reports_the_low_high_envelope(blib):
    s = seg(mix={"N45SH": 0.5, "N45SH-GBD": 0.5})
    t = project_fleet(spec_of(s, start=2005, end=2005), blib).table.set_index("element")
    dy, tb = _value(blib, "N45SH", "Dy"), _value(blib, "N45SH-GBD", "Tb")
    # hand: 1000 units x 1 kg = 1 t of magnet, half of each grade; yield 1, no returns
    assert t.loc["Dy", "demand_t"] == pytest.approx(0.5 * dy / 100, rel=1e-12)
    assert t.loc["Dy", "demand_low_t"] == pytest.approx(0.5 * 0.8 * dy / 100, rel=1e-12)
    assert t.loc["Dy", "demand_high_t"] == pytest.approx(0.5 * 1.2 * dy / 100, rel=1e-12)
    assert t.loc["Tb", "primary_low_t"] == pytest.approx(0.5 * 0.7 * tb / 100, rel=1e-12)
    assert t.loc["Tb", "primary_high_t"] == pytest.approx(0.5 * 1.4 * tb / 100, rel=1e-12)
    # no band on Nd: low = value = high
    assert t.loc["Nd", "demand_low_t"] == t.loc["Nd", "demand_t"] == t.loc["Nd", "demand_high_t"]


def test_without_band_columns_the_envelope_is_the_value(lib):
    t = project_fleet(spec_of(seg(), start=2005, end=2005), unbanded(lib)).table
    np.testing.assert_array_equal(t["primary_low_t"], t["primary_t"])
    np.testing.assert_array_equal(t["primary_high_t"], t["primary_t"])


def test_one_draw_per_route_is_shared_by_segments_and_grades(blib):
    """Two segments of the same bulk grade move together: the P90 of their sum is the sum
    of their P90s (one draw per route and sample), and the spread matches the band."""
    a, b = seg(name="a", mix={"N45SH": 1.0}), seg(name="b", mix={"N45SH": 1.0})
    res = project_fleet(spec_of(a, b, start=2005, end=2005), blib, samples=4000, seed=5)
    t = res.table[res.table["element"] == "Dy"].set_index(["segment", "stat"])["demand_t"]
    s = res.summary.set_index(["element", "stat"])
    dy = _value(blib, "N45SH", "Dy") / 100
    # t uniform on [-1, 1]: P90 of t is 0.8, so P90 content = value + 0.8 x (1.2 - 1) x value
    assert t.loc[("a", "p90")] == pytest.approx(dy * (1 + 0.8 * 0.2), rel=5e-3)
    assert t.loc[("a", "p10")] == pytest.approx(dy * (1 - 0.8 * 0.2), rel=5e-3)
    assert t.loc[("a", "p50")] == pytest.approx(dy, rel=5e-3)  # the value is the median
    assert t.loc[("a", "p90")] == pytest.approx(t.loc[("b", "p90")], rel=1e-6)
    assert s.loc[("Dy", "p90"), "cumulative_demand_t"] == pytest.approx(
        2 * t.loc[("a", "p90")], rel=1e-5
    )


def test_routes_draw_independently(blib):
    # bulk (N45SH) and Dy-GBD (HL-G48UH) Dy in two segments: different routes, different draws
    a, b = seg(name="a", mix={"N45SH": 1.0}), seg(name="b", mix={"HL-G48UH": 1.0})
    res = project_fleet(spec_of(a, b, start=2005, end=2005), blib, samples=2000, seed=7)
    routes = content_routes(blib)
    t = sample_content(len(routes), 2000, 7)
    ra, rb = routes.index("ndfeb-sintered/bulk"), routes.index("ndfeb-sintered/gbd-dy")
    assert abs(np.corrcoef(t[ra], t[rb])[0, 1]) < 0.1
    assert res.table["demand_t"].notna().all()


def test_samples_with_bands_agree_with_dense_reference(blib):
    """Fast path (Kronecker series x coefficients) against the plain per-sample flows, with
    content draws, recycling and clipping on."""
    s1 = seg(
        name="a",
        units=((1995, 2015), (1e4, 1e6), (2e4, 3e6)),
        kg=(0.5, 2.0),
        life=("normal", 12.0, 3.0),
        yld=(0.6, 0.9),
        scrap=(0.2, 0.8),
        coll=(0.0, 0.9),
        rec=(0.7, 0.95),
    )
    s1 = replace(
        s1, mix_years=(2000, 2020), mixes=({"N45SH": 0.5, "HL-G48UH": 0.5}, {"N45SH-GBD": 1.0})
    )
    s2 = seg(name="b", units=((2000, 2010), (5e3, 0.0), (5e3, 0.0)), mix={"N45SH": 1.0})
    spec = spec_of(s1, s2, start=2010, end=2040)
    years = model_years(spec)
    routes = content_routes(blib)
    arr = pack_segments(spec.segments, blib, years, routes)
    assert set(arr.routes) == {
        "ndfeb-sintered/bulk",
        "ndfeb-sintered/gbd-dy",
        "ndfeb-sintered/gbd-tb",
    }
    u = sample_inputs(2, 400, 11)
    c = sample_content(len(routes), 400, 11)[[routes.index(r) for r in arr.routes]]
    rep = slice(int(2010 - years[0]), len(years))
    fast = project_arrays(arr, u, rep, chunk=1, workers=2, content=c)
    pmf, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, len(years))
    f = element_flows(arr, slice(0, 2), u, cohort_matrix(pmf), cohort_matrix(surv), c)

    def ref(x):
        x = x[:, rep]
        return np.concatenate([x.mean(axis=-1)[None], np.quantile(x, (0.1, 0.5, 0.9), axis=-1)])

    for name in ("demand", "scrap", "eol", "recovered", "primary", "surplus"):
        want = ref(f.dense(name))
        got = getattr(fast, name)
        scale = np.abs(want).max() + 1e-30
        np.testing.assert_allclose(got, want, atol=2e-6 * scale, err_msg=name)
    assert (f.primary >= 0).all() and f.surplus.max() > 0  # segment b retires into surplus
