"""The dynamic stock model: knot tables on a year grid, discretised lifetimes, cohort sums.

Pure array functions, vectorised over segments x years (x samples); no loop over years.
Shapes: S segments, Y model years, N samples, K knots.

Units built in year c enter service mid-year. A unit with lifetime L leaves in year
c + k when k - 1/2 <= L < k + 1/2, so with F the lifetime CDF (truncated at L >= 0)::

    pmf[k]  = F(k + 1/2) - F(k - 1/2),  F(-1/2) = 0     share of a cohort leaving at age k
    surv[k] = 1 - F(k + 1/2)                             share still in service at the end of age k

``surv`` is evaluated from the distribution's survival function (``ndtr(-z)``,
``exp(-(x/scale)**shape)``), not as ``1 - cumsum(pmf)``, so the mass balance
cumulative inflow - cumulative outflow = stock is a real check of the implementation.
``tests/test_fleet_flodym.py`` runs the same inflows through flodym's inflow-driven
dynamic stock model (see docs/fleet.md for the bounds).
"""

from __future__ import annotations

import numpy as np

#: Lifetime distributions and their parameters (in the order stored in SegmentArrays.life_p1/p2).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd"),
    "weibull": ("shape", "scale"),
    "fixed": ("years",),
}
DIST_CODE: dict[str, int] = {name: i for i, name in enumerate(DISTRIBUTIONS)}


def interp_knots(
    knot_years: np.ndarray, knot_values: np.ndarray, years: np.ndarray, before: str = "flat"
) -> np.ndarray:
    """Piecewise-linear interpolation of per-segment knot tables onto a common year grid.

    Parameters
    ----------
    knot_years : (S, K) float, ascending per row; unused trailing knots are ``+inf``.
    knot_values : (S, K, ...) float, values at the knots (trailing dims carried along,
        e.g. a grade mix (S, K, G)); padded knots may hold anything finite.
    years : (Y,) int or float.
    before : ``"flat"`` (the first knot's value before it) or ``"zero"`` (0 before it:
        units built start at the first year given).

    Returns
    -------
    (S, Y, ...) float: linear between knots, flat after the last knot.
    """
    if before not in ("flat", "zero"):
        raise ValueError(f"before must be 'flat' or 'zero', instead received {before!r}")
    ky = np.asarray(knot_years, dtype="float64")
    kv = np.asarray(knot_values, dtype="float64")
    y = np.asarray(years, dtype="float64")
    S, K = ky.shape
    n_valid = np.isfinite(ky).sum(axis=1)  # (S,)
    # j = number of knots at or before each year: left knot j-1, right knot j
    j = (ky[:, None, :] <= y[None, :, None]).sum(axis=2)  # (S, Y)
    left = np.clip(j - 1, 0, K - 1)
    right = np.clip(np.minimum(j, n_valid[:, None] - 1), 0, K - 1)
    x0 = np.take_along_axis(ky, left, axis=1)
    x1 = np.take_along_axis(ky, right, axis=1)
    idx_shape = (S, len(y)) + (1,) * (kv.ndim - 2)
    v0 = np.take_along_axis(kv, left.reshape(idx_shape), axis=1)
    v1 = np.take_along_axis(kv, right.reshape(idx_shape), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(x1 > x0, (y[None, :] - x0) / (x1 - x0), 0.0)
    w = np.clip(w, 0.0, 1.0).reshape(idx_shape)
    out = v0 + w * (v1 - v0)
    if before == "zero":
        out = np.where((j == 0).reshape(idx_shape), 0.0, out)
    return out


def _cdf_sf(
    code: np.ndarray, p1: np.ndarray, p2: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lifetime CDF and survival function at the age ``edges`` (S, A+1) for every segment."""
    from scipy.special import ndtr

    x = np.maximum(edges, 0.0)
    is_norm, is_weib, is_fix = code == 0, code == 1, code == 2
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # normal, truncated at 0
        sd = np.where(is_norm, p2, 1.0)
        mean = np.where(is_norm, p1, 0.0)
        z = (x - mean) / sd
        keep = ndtr(mean / sd)  # P(L >= 0) of the untruncated normal
        cdf_n = (ndtr(z) - ndtr(-mean / sd)) / keep
        sf_n = ndtr(-z) / keep
        # weibull
        shape = np.where(is_weib, p1, 1.0)
        scale = np.where(is_weib, p2, 1.0)
        r = (x / scale) ** shape
        cdf_w = -np.expm1(-r)
        sf_w = np.exp(-r)
        # fixed: retires when the lifetime falls in [k - 1/2, k + 1/2)
        years = np.where(is_fix, p1, 0.0)
        cdf_f = (edges > years).astype("float64")
        sf_f = (edges <= years).astype("float64")
    cdf = np.select([is_norm, is_weib, is_fix], [cdf_n, cdf_w, cdf_f], np.nan)
    sf = np.select([is_norm, is_weib, is_fix], [sf_n, sf_w, sf_f], np.nan)
    return cdf, sf


def lifetime_tables(
    code: np.ndarray, p1: np.ndarray, p2: np.ndarray, n_ages: int
) -> tuple[np.ndarray, np.ndarray]:
    """Discretised lifetime per segment: outflow pmf and survival by age in whole years.

    Parameters
    ----------
    code : (S,) int, :data:`DIST_CODE` (0 normal, 1 weibull, 2 fixed).
    p1, p2 : (S,) float: normal (mean, sd) years; weibull (shape, scale years);
        fixed (years, unused).
    n_ages : number of ages 0 .. n_ages-1.

    Returns
    -------
    pmf, surv : (S, n_ages) float. ``pmf[s, k]`` share of a cohort retired in its k-th year
    after the build year; ``surv[s, k]`` share still in service at the end of that year.

    Notes
    -----
    Mid-year entry: a unit with lifetime L retires at age k when k - 1/2 <= L < k + 1/2.
    ``pmf[k] = F(k + 1/2) - F(k - 1/2)`` with F the CDF truncated to L >= 0 (F(-1/2) = 0),
    ``surv[k] = S(k + 1/2)`` from the survival function itself: normal
    ``ndtr(-z) / ndtr(mean/sd)``; weibull ``exp(-(x/scale)**shape)``; fixed ``x <= years``.
    Mathematically ``surv[k] = 1 - sum(pmf[:k+1])``; numerically they agree to rounding.
    """
    edges = np.arange(n_ages + 1, dtype="float64")[None, :] - 0.5  # -1/2, 1/2, ..., n - 1/2
    cdf, sf = _cdf_sf(
        np.asarray(code)[:, None],
        np.asarray(p1, dtype="float64")[:, None],
        np.asarray(p2, dtype="float64")[:, None],
        edges,
    )
    cdf[:, 0] = 0.0  # nothing retires before it is built
    pmf = np.diff(cdf, axis=1)
    surv = sf[:, 1:]
    return pmf, surv


def cohort_matrix(by_age: np.ndarray) -> np.ndarray:
    """Lower-triangular cohort matrix ``M[s, t, c] = by_age[s, t - c]`` (0 where t < c).

    ``by_age`` is (S, Y) (pmf or survival by age); returns (S, Y, Y) so that
    ``M @ inflow[s, :, n]`` sums a quantity over cohorts c for every year t.
    """
    _S, Y = by_age.shape
    age = np.arange(Y)[:, None] - np.arange(Y)[None, :]  # (t, c)
    mask = age >= 0
    return np.where(mask[None], by_age[:, np.clip(age, 0, None)], 0.0)


def stock_flow(
    inflow: np.ndarray, out_matrix: np.ndarray, stock_matrix: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outflow and stock for inflow (S, Y) or (S, Y, N), from the cohort matrices (S, Y, Y).

    Returns (outflow, stock) with the shape of ``inflow``.
    """
    x = inflow if inflow.ndim == 3 else inflow[:, :, None]
    out = np.matmul(out_matrix, x)
    stock = np.matmul(stock_matrix, x)
    if inflow.ndim == 2:
        return out[:, :, 0], stock[:, :, 0]
    return out, stock
