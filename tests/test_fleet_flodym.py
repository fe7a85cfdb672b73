"""Cross-check of the cohort model against flodym's inflow-driven dynamic stock model.

flodym (the successor of ODYM, the field's library for dynamic material-flow analysis)
gets the same inflows. Given our own survival table (a LifetimeModel subclass), its stocks
and outflows equal ours to rounding; with its built-in lifetimes they differ only as
docs/fleet.md ("Cross-check with flodym") derives: the normal is not truncated at L >= 0,
a fixed half-integer lifetime leaves a year earlier, the Weibull agrees to rounding.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
from scipy.special import ndtr

from magnets.fleet.cohort import cohort_matrix, lifetime_tables, stock_flow

flodym = pytest.importorskip(
    "flodym", reason="flodym is in the test extra (pip install -e .[test])"
)
from flodym.lifetime_models import LifetimeModel  # noqa: E402

YEARS = list(range(2000, 2061))  # 61 model years
T = len(YEARS)
# segments: normal(15, 4), normal(5, 4) (truncation matters), weibull(2.5, 12),
# weibull(0.8, 6) (shape < 1), fixed 10, fixed 7.2, fixed 7.5 (a half-integer)
CODE = np.array([0, 0, 1, 1, 2, 2, 2])
P1 = np.array([15.0, 5.0, 2.5, 0.8, 10.0, 7.2, 7.5])
P2 = np.array([4.0, 4.0, 12.0, 6.0, 0.0, 0.0, 0.0])
S = len(CODE)
_t = np.arange(T)
# units built per year: a ramp with a wave, different per segment (all > 0)
INFLOW = 1e5 * (1 + _t / 10 + 0.5 * np.sin(_t / 3))[None, :] * (1 + np.arange(S)[:, None] / 7)


class OurSurvival(LifetimeModel):
    """flodym lifetime model returning magnets' own survival table surv[s, age].

    flodym asks for the survival at ages (t - c) + 1/2 (mid-year entry, end of year t);
    our ``surv[k]`` is exactly the survival at k + 1/2, so the age rounds down to k.
    """

    surv_by_age: Any  # (S, ages) from magnets.fleet.cohort.lifetime_tables
    _prm_names: ClassVar[list[str]] = []

    def _survival_by_cohort(self, ages: np.ndarray, i_c: int | slice) -> np.ndarray:
        k = np.floor(ages).astype(int)  # (years from cohort i_c on, S)
        return np.take_along_axis(np.asarray(self.surv_by_age).T, k, axis=0)


@pytest.fixture(scope="module")
def ours():
    pmf, surv = lifetime_tables(CODE, P1, P2, T)
    outflow, stock = stock_flow(INFLOW, cohort_matrix(pmf), cohort_matrix(surv))
    return surv, outflow, stock


def dims():
    return flodym.DimensionSet(
        dim_list=[
            flodym.Dimension(name="time", letter="t", items=YEARS),
            flodym.Dimension(name="segment", letter="s", items=list(range(S))),
        ]
    )


def run_flodym(lifetime_model):
    d = lifetime_model.dims
    dsm = flodym.InflowDrivenDSM(
        dims=d,
        lifetime_model=lifetime_model,
        inflow=flodym.StockArray(dims=d, values=INFLOW.T.copy()),
    )
    dsm.compute()
    return dsm.outflow.values.T, dsm.stock.values.T  # (S, T) like ours


def per_year(v, fallback):
    """A per-segment parameter as flodym's (time, segment) array (fallback where unused)."""
    return np.broadcast_to(np.where(np.isnan(v), fallback, v)[None, :], (T, S)).copy()


def only(dist, values):
    return np.where(np.equal(CODE, dist), values, np.nan)


def test_own_survival_function_gives_our_stock_and_outflow(ours):
    surv, outflow, stock = ours
    f_out, f_stock = run_flodym(OurSurvival(dims=dims(), surv_by_age=surv))
    # the same survival table and the same cohort sums: equal to rounding (measured: stock
    # identical, outflow within 8e-13 relative, flodym's outflow being differences of survival)
    np.testing.assert_allclose(f_stock, stock, rtol=1e-9, atol=0)
    np.testing.assert_allclose(f_out, outflow, rtol=1e-9, atol=0)


def test_builtin_normal_differs_by_the_truncation_share(ours):
    _surv, outflow, stock = ours
    f_out, f_stock = run_flodym(
        flodym.NormalLifetime(
            dims=dims(), mean=per_year(only(0, P1), 10.0), std=per_year(only(0, P2), 1.0)
        )
    )
    for i in np.flatnonzero(CODE == 0):
        lost = ndtr(-P1[i] / P2[i])  # P(L < 0) of the untruncated normal: 8.8e-5 and 0.106
        # flodym's survival is ours times (1 - lost); the negative-lifetime share leaves in
        # the build year: stock_f = (1 - lost) stock, outflow_f = (1 - lost) outflow + lost inflow
        np.testing.assert_allclose(f_stock[i], (1 - lost) * stock[i], rtol=1e-9)
        np.testing.assert_allclose(f_out[i], (1 - lost) * outflow[i] + lost * INFLOW[i], rtol=1e-9)
        # hence the documented bound: relative stock gap = lost, outflow gap <= lost * inflow
        assert np.all(np.abs(f_stock[i] - stock[i]) <= lost * stock[i] * (1 + 1e-9))
        assert np.all(np.abs(f_out[i] - outflow[i]) <= lost * INFLOW[i] * (1 + 1e-9))


def test_builtin_weibull_agrees_to_rounding(ours):
    _surv, outflow, stock = ours
    f_out, f_stock = run_flodym(
        flodym.WeibullLifetime(
            dims=dims(),
            weibull_shape=per_year(only(1, P1), 1.0),
            weibull_scale=per_year(only(1, P2), 1.0),
        )
    )
    w = CODE == 1
    # same survival exp(-(x/scale)^shape) at the same ages (measured: stock identical,
    # outflow within 3.2e-16 of the segment's peak outflow)
    np.testing.assert_allclose(f_stock[w], stock[w], rtol=1e-12)
    peak = np.abs(outflow[w]).max(axis=1, keepdims=True)
    assert np.max(np.abs(f_out[w] - outflow[w]) / peak) < 1e-12


def test_builtin_fixed_differs_only_for_a_half_integer_lifetime(ours):
    _surv, outflow, stock = ours
    f_out, f_stock = run_flodym(flodym.FixedLifetime(dims=dims(), mean=per_year(only(2, P1), 1.0)))
    # (equal up to the order of summation over cohorts: rtol 1e-12)
    for i in (4, 5):  # 10 and 7.2 years: both leave at age round(L)
        np.testing.assert_allclose(f_stock[i], stock[i], rtol=1e-12)
        np.testing.assert_allclose(f_out[i], outflow[i], rtol=1e-12)
    # 7.5 years: ours leaves at age 8 (k - 1/2 <= L < k + 1/2), flodym at age 7 (it keeps a
    # unit while its age k + 1/2 < L): flodym's result is ours for a 7-year lifetime
    pmf7, surv7 = lifetime_tables(np.array([2]), np.array([7.0]), np.array([0.0]), T)
    out7, stock7 = stock_flow(INFLOW[6:7], cohort_matrix(pmf7), cohort_matrix(surv7))
    np.testing.assert_allclose(f_out[6], out7[0], rtol=1e-12)
    np.testing.assert_allclose(f_stock[6], stock7[0], rtol=1e-12)
    # the outflow moves one year earlier: outflow_f[t] = outflow[t + 1] (t from the age-8 year)
    np.testing.assert_allclose(f_out[6][7:-1], outflow[6][8:], rtol=1e-12)
