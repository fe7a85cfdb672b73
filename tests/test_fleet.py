"""Fleet stock-flow model: discretisation, mass balance, hand results, recycling, Monte Carlo."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from magnets.data.chemistry import REPORTED as ELEMENTS
from magnets.fleet.arrays import SegmentArrays
from magnets.fleet.cohort import cohort_matrix, interp_knots, lifetime_tables, stock_flow
from magnets.fleet.flows import element_flows
from magnets.fleet.model import project_arrays, project_fleet
from magnets.fleet.sampling import STATS, sample_inputs
from magnets.fleet.spec import FleetSpec, SegmentSpec

DY = ELEMENTS.index("Dy")


def seg(
    name="s",
    units=((2000,), (1000.0,), (1000.0,)),
    kg=1.0,
    mix=None,
    life=("fixed", 12.0, 0.0),
    yld=(1.0, 1.0),
    scrap=(0.0, 0.0),
    coll=(0.0, 0.0),
    rec=(0.0, 0.0),
) -> SegmentSpec:
    kg_lo, kg_hi = (kg, kg) if not isinstance(kg, tuple) else kg
    return SegmentSpec(
        name=name,
        unit="unit",
        units_years=units[0],
        units_low=units[1],
        units_high=units[2],
        kg_years=(0,),
        kg_low=(kg_lo,),
        kg_high=(kg_hi,),
        mix_years=(0,),
        mixes=(mix or {"N45SH": 1.0},),
        lifetime=life,
        yield_low=yld[0],
        yield_high=yld[1],
        scrap_low=scrap[0],
        scrap_high=scrap[1],
        collection_low=coll[0],
        collection_high=coll[1],
        recovery_low=rec[0],
        recovery_high=rec[1],
    )


def spec_of(*segments: SegmentSpec, start=2000, end=2040) -> FleetSpec:
    return FleetSpec(
        path="<test>",
        start_year=start,
        end_year=end,
        segments=tuple(segments),
        scenarios={"baseline": tuple(segments)},
    )


def frac(lib, grade: str, el: str) -> float:
    return float(lib.grades.loc[grade, f"{el}_wt_pct"]) / 100.0


# ------------------------------------------------------------------ discretisation


def test_interp_knots_zero_before_linear_between_flat_after():
    ky = np.array([[2010.0, 2020.0, np.inf]])
    kv = np.array([[100.0, 300.0, 300.0]])
    years = np.arange(2008, 2024)
    out = interp_knots(ky, kv, years, before="zero")[0]
    # hand: 0 before 2010; 100 + 20/yr between; 300 from 2020 on
    assert out[years == 2009][0] == 0.0
    assert out[years == 2010][0] == 100.0
    assert out[years == 2015][0] == pytest.approx(200.0)
    assert out[years == 2023][0] == 300.0
    flat = interp_knots(ky, kv, years, before="flat")[0]
    assert flat[0] == 100.0


def test_fixed_lifetime_retires_in_its_year():
    pmf, surv = lifetime_tables(np.array([2]), np.array([12.0]), np.array([0.0]), 30)
    # hand: a 12-year unit built mid-year c leaves in year c + 12
    assert pmf[0, 12] == 1.0 and pmf[0].sum() == 1.0
    assert surv[0, 11] == 1.0 and surv[0, 12] == 0.0


def test_weibull_pmf_is_difference_of_the_cdf():
    shape, scale = 2.5, 17.0
    pmf, surv = lifetime_tables(np.array([1]), np.array([shape]), np.array([scale]), 40)

    def cdf(x):  # Weibull CDF, written out by hand
        return 1.0 - math.exp(-((max(x, 0.0) / scale) ** shape))

    for k in (0, 5, 17, 30):
        lo = 0.0 if k == 0 else cdf(k - 0.5)
        assert pmf[0, k] == pytest.approx(cdf(k + 0.5) - lo, rel=1e-12)
        assert surv[0, k] == pytest.approx(1.0 - cdf(k + 0.5), rel=1e-12)


def test_normal_is_truncated_at_zero_and_survival_matches_pmf():
    # sd large enough that the untruncated normal would put 10 % below age 0
    pmf, surv = lifetime_tables(np.array([0]), np.array([5.0]), np.array([3.9]), 80)
    assert pmf[0].sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(pmf >= 0)
    # survival computed from the survival function equals 1 - cumulative pmf
    np.testing.assert_allclose(surv[0], 1.0 - np.cumsum(pmf[0]), atol=1e-14)


def test_cohort_matrix_is_lower_triangular_toeplitz():
    m = cohort_matrix(np.array([[0.5, 0.3, 0.2]]))
    np.testing.assert_array_equal(m[0], [[0.5, 0, 0], [0.3, 0.5, 0], [0.2, 0.3, 0.5]])


# ------------------------------------------------------------------ mass balance


@pytest.mark.parametrize(
    "code,p1,p2", [(0, 15.0, 4.0), (0, 6.0, 5.0), (1, 2.5, 17.0), (2, 12.0, 0.0)]
)
def test_mass_balance_units(code, p1, p2):
    rng = np.random.default_rng(3)
    Y = 70
    inflow = rng.uniform(0, 1e6, size=(1, Y))
    pmf, surv = lifetime_tables(np.array([code]), np.array([p1]), np.array([p2]), Y)
    out, stock = stock_flow(inflow, cohort_matrix(pmf), cohort_matrix(surv))
    lhs = np.cumsum(inflow, axis=1) - np.cumsum(out, axis=1)
    # cumulative inflow - cumulative outflow = stock (stock from the survival function)
    np.testing.assert_allclose(lhs, stock, rtol=1e-9, atol=1e-9 * inflow.max())


def test_mass_balance_elements_through_project_arrays(lib):
    """Element balance on the production path: cumulative content built - cumulative
    end-of-life = content in stock (computed independently from the survival matrix)."""
    s = seg(
        units=((1990, 2010, 2030), (1e5, 3e6, 2e6), (1e5, 3e6, 2e6)),
        kg=1.5,
        mix=None,
        life=("normal", 14.0, 5.0),
    )
    s = replace(
        s, mix_years=(2000, 2020), mixes=({"N45SH": 1.0}, {"N45SH-GBD": 0.6, "HL-G48UH": 0.4})
    )
    spec = spec_of(s, start=1990, end=2060)
    from magnets.fleet.arrays import model_years, pack_segments

    years = model_years(spec)
    arr = pack_segments(spec.segments, lib, years)
    u = sample_inputs(1, None, None)
    proj = project_arrays(arr, u, slice(0, len(years)), workers=1)
    content_in = arr.units_low[0, :, None] * arr.kg_low[0, :, None] * arr.frac[0] * 1e-3  # (Y, E) t
    _, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, len(years))
    in_stock = cohort_matrix(surv)[0] @ content_in
    lhs = np.cumsum(content_in, axis=0) - np.cumsum(proj.eol[0, 0], axis=0)
    np.testing.assert_allclose(lhs, in_stock, rtol=1e-9, atol=1e-9 * content_in.max())
    # unit columns balance as well
    st, inf, out = proj.stock_units[0, 0], proj.inflow_units[0, 0], proj.outflow_units[0, 0]
    np.testing.assert_allclose(np.cumsum(inf) - np.cumsum(out), st, rtol=1e-9)


# ------------------------------------------------------------------ hand results


def test_constant_inflow_fixed_lifetime_against_hand(lib):
    # 1000 units a year from 2000, each lives exactly 12 years
    spec = spec_of(
        seg(units=((2000,), (1000.0,), (1000.0,)), life=("fixed", 12.0, 0.0)), start=2000, end=2030
    )
    res = project_fleet(spec, lib)
    t = res.table[res.table["element"] == "Nd"].set_index("year")
    years = np.arange(2000, 2031)
    # hand: stock = 1000 * min(years since 2000 + 1, 12); outflow = 1000 from 2012 on
    np.testing.assert_allclose(
        t.loc[years, "stock_units"], 1000.0 * np.minimum(years - 2000 + 1, 12)
    )
    np.testing.assert_allclose(t.loc[years, "outflow_units"], np.where(years >= 2012, 1000.0, 0.0))
    np.testing.assert_allclose(t.loc[years, "inflow_units"], 1000.0)


def test_dy_demand_of_one_segment(lib):
    units, kg, yld = 2.0e6, 1.6, 0.8
    spec = spec_of(
        seg(units=((2020,), (units,), (units,)), kg=kg, mix={"N45SH": 1.0}, yld=(yld, yld)),
        start=2025,
        end=2026,
    )
    res = project_fleet(spec, lib)
    dy = res.table[(res.table["element"] == "Dy") & (res.table["year"] == 2025)]
    # hand: units x kg x Dy fraction / yield, in tonnes
    expected = units * kg * frac(lib, "N45SH", "Dy") / yld / 1000.0
    assert dy["demand_t"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert expected > 0  # N45SH holds Dy in the library (bulk-alloyed SH class)


def test_mix_by_year_is_interpolated(lib):
    s = replace(
        seg(units=((2020,), (1e6,), (1e6,))),
        mix_years=(2020, 2030),
        mixes=({"N45SH": 1.0}, {"N45SH-GBD": 1.0}),
    )
    res = project_fleet(spec_of(s, start=2025, end=2025), lib)
    dy = res.table[res.table["element"] == "Dy"]["demand_t"].iloc[0]
    # hand: halfway through, half the magnet mass is N45SH
    assert dy == pytest.approx(1e6 * 1.0 * 0.5 * frac(lib, "N45SH", "Dy") / 1000.0, rel=1e-12)


def test_scrap_and_recycling_reduce_primary_by_exactly_the_returns(lib):
    base = seg(
        units=((2000, 2020), (1e5, 2e6), (1e5, 2e6)),
        kg=1.2,
        life=("normal", 10.0, 3.0),
        yld=(0.75, 0.75),
    )
    with_returns = replace(
        base,
        scrap_low=0.6,
        scrap_high=0.6,
        collection_low=0.3,
        collection_high=0.3,
        recovery_low=0.9,
        recovery_high=0.9,
    )
    a = project_fleet(spec_of(base, start=2000, end=2040), lib).table
    b = project_fleet(spec_of(with_returns, start=2000, end=2040), lib).table
    np.testing.assert_allclose(a["demand_t"], b["demand_t"], rtol=1e-12)  # demand unchanged
    np.testing.assert_allclose(
        a["primary_t"] - b["primary_t"],
        b["scrap_returned_t"] + b["recovered_t"],
        rtol=1e-9,
        atol=1e-9,
    )
    # scrap returned = demand x (1 - yield) x scrap_recycling; recovered = eol x collection x recovery
    np.testing.assert_allclose(b["scrap_returned_t"], b["demand_t"] * 0.25 * 0.6, rtol=1e-12)
    np.testing.assert_allclose(b["recovered_t"], b["eol_t"] * 0.3 * 0.9, rtol=1e-12)
    assert (b["recovered_t"] > 0).any() and (b["scrap_returned_t"] > 0).any()


def test_end_of_life_follows_the_cohorts_own_mix(lib):
    # built only in 2000 with N45SH; mix switches to Dy-free later; fixed 10-year life
    s = replace(
        seg(units=((2000, 2001), (1000.0, 0.0), (1000.0, 0.0)), life=("fixed", 10.0, 0.0)),
        mix_years=(2000, 2001),
        mixes=({"N45SH": 1.0}, {"N45SH-GBD": 1.0}),
    )
    t = project_fleet(spec_of(s, start=2000, end=2012), lib).table
    eol = t[(t["element"] == "Dy") & (t["year"] == 2010)]["eol_t"].iloc[0]
    # hand: the 2000 cohort (1000 units x 1 kg of N45SH) retires in 2010 with its Dy
    assert eol == pytest.approx(1000 * frac(lib, "N45SH", "Dy") / 1000.0, rel=1e-12)


def test_oxide_and_shares_of_primary_supply_of_the_same_scope(lib):
    """share_of_world_pct divided by China's separated output, recycled oxide included, as if
    it were world mine production (issue 10): each share now names its denominator."""
    from magnets.data.chemistry import oxide_factor

    spec = spec_of(seg(units=((2020,), (1e6,), (1e6,))), start=2023, end=2025)
    t = project_fleet(spec, lib).table.set_index(["year", "element"])
    dy23, dy25 = t.loc[(2023, "Dy")], t.loc[(2025, "Dy")]
    assert dy23["oxide_t"] == pytest.approx(dy23["primary_t"] * oxide_factor("Dy"), rel=1e-12)
    assert np.isnan(t.loc[(2023, "Co"), "oxide_t"])  # not a rare earth: no oxide equivalent
    # world: JRC 3,126 t Dy2O3 (2021, supply.csv), the latest world figure at or before 2023
    assert dy23["share_of_world_primary_pct"] == pytest.approx(
        100 * dy23["oxide_t"] / 3126, rel=1e-12
    )
    # China: 2023 Dy2O3 3,125 t (3,500 / 1.12) less 888 t recycled = 2,237 t; 2025 uses 2024's
    # 3,500 - 710 = 2,790 t (supply.csv, Argus), never the separated figure with scrap in it
    assert dy23["share_of_china_output_pct"] == pytest.approx(
        100 * dy23["oxide_t"] / 2237, rel=1e-12
    )
    assert dy25["share_of_china_output_pct"] == pytest.approx(
        100 * dy25["oxide_t"] / 2790, rel=1e-12
    )
    # no world Tb figure; Nd only has China's PrNd oxide, from 2024 on:
    # Nd2O3 / (106,000 - 26,504 = 79,496 t PrNd oxide)
    assert np.isnan(t.loc[(2024, "Tb"), "share_of_world_primary_pct"])
    assert np.isnan(t.loc[(2023, "Nd"), "share_of_china_output_pct"])
    nd = t.loc[(2024, "Nd")]
    assert nd["share_of_china_output_pct"] == pytest.approx(
        100 * nd["primary_t"] * oxide_factor("Nd") / 79496, rel=1e-12
    )


def test_negative_primary_was_reported_and_netted_off_cumulative_totals(lib):
    """Defect: primary_t went negative when scrap and end-of-life returns exceeded demand,
    and the summary's cumulative total netted those years off. Built 1000 t of N45SH a year
    until 2010, nothing after; fixed 5-year life, everything collected and recovered."""
    s = seg(
        units=((2000, 2010, 2011), (1e6, 1e6, 0.0), (1e6, 1e6, 0.0)),
        life=("fixed", 5.0, 0.0),
        coll=(1.0, 1.0),
        rec=(1.0, 1.0),
    )
    res = project_fleet(spec_of(s, start=2005, end=2016), lib)
    dy = res.table[res.table["element"] == "Dy"].set_index("year")
    f = frac(lib, "N45SH", "Dy")
    # 2005-2010: 1000 t of magnet built and 1000 t retired and recovered: primary 0, no surplus
    assert dy.loc[2008, "primary_t"] == pytest.approx(0.0, abs=1e-9)
    # 2011-2015: nothing built (the 2011 knot is 0), 1000 t (cohorts 2006-2010) retired and
    # recovered: demand - returns = -1000 f, reported as primary 0 and surplus 1000 f
    assert dy.loc[2013, "primary_t"] == 0.0
    assert dy.loc[2013, "surplus_scrap_t"] == pytest.approx(1000 * f, rel=1e-12)
    # the summary sums what is reported: surplus years add 0, they do not subtract
    s_dy = res.summary.set_index("element").loc["Dy"]
    assert s_dy["cumulative_primary_t"] == pytest.approx(dy["primary_t"].sum(), rel=1e-12)
    assert s_dy["cumulative_primary_t"] == pytest.approx(dy.loc[2005:2010, "primary_t"].sum())
    # five surplus years (2011-2015) of 1000 f each
    assert s_dy["cumulative_surplus_scrap_t"] == pytest.approx(5 * 1000 * f, rel=1e-12)


def test_clip_is_per_sample_so_the_mean_is_of_what_is_reported(lib):
    # as above with recovery drawn in [0, 1]: in 2013 (nothing built) every sample's
    # demand - returns is -1000 f x u <= 0, so primary is 0 in every sample and the surplus
    # mean is 1000 f x mean(u) over the recovery draws (the 6th sampled input)
    s = seg(
        units=((2000, 2010, 2011), (1e6, 1e6, 0.0), (1e6, 1e6, 0.0)),
        life=("fixed", 5.0, 0.0),
        coll=(1.0, 1.0),
        rec=(0.0, 1.0),
    )
    from tests.test_fleet_bands import unbanded

    lib = unbanded(lib)  # content at its value in every sample: only recovery is drawn
    res = project_fleet(spec_of(s, start=2008, end=2016), lib, samples=400, seed=2)
    dy = res.table[(res.table["element"] == "Dy")].pivot_table(
        index="year", columns="stat", values=["primary_t", "surplus_scrap_t"], observed=True
    )
    assert (dy["primary_t"] >= 0).all().all() and (dy["surplus_scrap_t"] >= 0).all().all()
    assert (dy.loc[2013, "primary_t"] == 0.0).all()
    u_rec = sample_inputs(1, 400, 2)[5, 0]
    f = frac(lib, "N45SH", "Dy")
    assert dy.loc[2013, ("surplus_scrap_t", "mean")] == pytest.approx(
        1000 * f * u_rec.mean(), rel=1e-6
    )
    # 2008: demand 1000 f, returns 1000 f x u: primary (1 - u) x 1000 f, never clipped
    assert dy.loc[2008, ("primary_t", "mean")] == pytest.approx(
        1000 * f * (1 - u_rec.mean()), rel=1e-5
    )


def test_table_columns_exactly(lib):
    res = project_fleet(spec_of(seg()), lib)
    assert list(res.table.columns) == [
        "scenario",
        "year",
        "segment",
        "element",
        "demand_t",
        "oxide_t",
        "scrap_returned_t",
        "eol_t",
        "recovered_t",
        "primary_t",
        "surplus_scrap_t",
        "demand_low_t",
        "demand_high_t",
        "primary_low_t",
        "primary_high_t",
        "share_of_world_primary_pct",
        "share_of_china_output_pct",
        "stock_units",
        "inflow_units",
        "outflow_units",
    ]
    assert len(res.table) == 41 * 1 * len(ELEMENTS)  # years x segments x elements


# ------------------------------------------------------------------ Monte Carlo


def test_midpoints_without_samples(lib):
    s = seg(units=((2000,), (800.0,), (1200.0,)), kg=(1.0, 3.0))
    t = project_fleet(spec_of(s, start=2005, end=2005), lib).table
    dy = t[t["element"] == "Dy"].iloc[0]
    # hand: midpoints 1000 units x 2 kg
    assert dy["demand_t"] == pytest.approx(
        1000 * 2.0 * frac(lib, "N45SH", "Dy") / 1000.0, rel=1e-12
    )
    assert dy["inflow_units"] == 1000.0


def test_samples_agree_with_dense_reference(lib):
    """The fast path (series x coefficients, float32 sort) against the plain per-sample
    computation with np.quantile: two routes, same statistics."""
    s1 = seg(
        name="a",
        units=((1995, 2015), (1e4, 1e6), (2e4, 3e6)),
        kg=(0.5, 2.0),
        life=("normal", 12.0, 3.0),
        yld=(0.6, 0.9),
        scrap=(0.2, 0.8),
        coll=(0.0, 0.4),
        rec=(0.7, 0.95),
    )
    s1 = replace(
        s1, mix_years=(2000, 2020), mixes=({"N45SH": 0.5, "HL-G48UH": 0.5}, {"N45SH-GBD": 1.0})
    )
    s2 = seg(
        name="b",
        units=((2000,), (5e3,), (5e3,)),
        kg=2.0,
        life=("weibull", 3.0, 20.0),
        mix={"TH-SM2CO17-SM30": 1.0} if "TH-SM2CO17-SM30" in lib.grades.index else None,
    )
    spec = spec_of(s1, s2, start=2010, end=2040)
    from magnets.fleet.arrays import model_years, pack_segments

    years = model_years(spec)
    arr: SegmentArrays = pack_segments(spec.segments, lib, years)
    u = sample_inputs(2, 400, 11)
    rep = slice(int(2010 - years[0]), len(years))
    fast = project_arrays(arr, u, rep, chunk=1, workers=2)
    pmf, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, len(years))
    f = element_flows(arr, slice(0, 2), u, cohort_matrix(pmf), cohort_matrix(surv))

    def ref(x):
        x = x[:, rep]
        return np.concatenate([x.mean(axis=-1)[None], np.quantile(x, (0.1, 0.5, 0.9), axis=-1)])

    for name in ("demand", "scrap", "eol", "recovered", "primary", "surplus"):
        want = np.moveaxis(ref(f.dense(name)), 0, 0)  # (4, S, Yr, E)
        got = getattr(fast, name)
        scale = np.abs(want).max() + 1e-30
        np.testing.assert_allclose(got, want, atol=2e-6 * scale, err_msg=name)
    for name in ("stock_units", "inflow_units", "outflow_units"):
        want = ref(getattr(f, name))
        np.testing.assert_allclose(getattr(fast, name), want, rtol=1e-9, atol=1e-6, err_msg=name)


def test_samples_table_has_stat_column_and_ordered_quantiles(lib):
    s = seg(units=((2000,), (800.0,), (1200.0,)), kg=(1.0, 3.0), yld=(0.7, 0.8))
    res = project_fleet(spec_of(s, start=2010, end=2012), lib, samples=500, seed=4)
    t = res.table
    assert list(t.columns[:5]) == ["scenario", "year", "segment", "element", "stat"]
    assert list(t["stat"].cat.categories) == list(STATS)
    dy = t[t["element"] == "Dy"].pivot_table(
        index="year", columns="stat", values="demand_t", observed=True
    )
    assert (dy["p10"] < dy["p50"]).all() and (dy["p50"] < dy["p90"]).all()
    # same seed, same numbers
    again = project_fleet(spec_of(s, start=2010, end=2012), lib, samples=500, seed=4).table
    np.testing.assert_array_equal(t["primary_t"], again["primary_t"])


def test_scenarios_pair_samples_and_differences(lib):
    base = seg(units=((2000,), (1e5,), (2e5,)), kg=(1.0, 2.0))
    shift = replace(base, mix_years=(0,), mixes=({"N45SH-GBD": 1.0},))
    spec = FleetSpec(
        path="<t>",
        start_year=2005,
        end_year=2010,
        segments=(base,),
        scenarios={"baseline": (base,), "gbd": (shift,)},
    )
    res = project_fleet(spec, lib, scenarios=["gbd"], samples=200, seed=3)
    assert res.scenarios == ("baseline", "gbd")
    s = res.summary.set_index(["scenario", "element", "stat"])
    # all Dy removed: the difference is minus the baseline's cumulative Dy, sample by sample
    assert s.loc[("gbd", "Dy", "mean"), "cumulative_vs_baseline_t"] == pytest.approx(
        -s.loc[("baseline", "Dy", "mean"), "cumulative_primary_t"], rel=1e-9
    )
    assert s.loc[("gbd", "Dy", "mean"), "cumulative_vs_baseline_pct"] == pytest.approx(-100.0)
    assert s.loc[("gbd", "Tb", "mean"), "cumulative_primary_t"] > 0


def test_unknown_scenario_is_an_input_error(lib):
    from magnets.errors import InputError

    with pytest.raises(InputError, match="unknown scenario 'nope'"):
        project_fleet(spec_of(seg()), lib, scenarios=["nope"])
