"""Dynamic stock-flow model of magnet fleets: element demand, scrap, end-of-life, world share.

Three tiers (see docs/fleet.md for the model, the discretisation and the example's sources):

1. Pure array functions, vectorised over segments x years (x samples); no Python loop over
   years or rows: :func:`interp_knots`, :func:`lifetime_tables`, :func:`cohort_matrix`,
   :func:`stock_flow`, :func:`sample_inputs`, :func:`element_flows`, :func:`sample_stats`.
2. :class:`SegmentArrays`, the whole fleet of one scenario packed into arrays
   (:func:`pack_segments` builds it from parsed TOML segments and the grade library).
3. :func:`project_fleet`, the orchestrator: every scenario, optional Monte Carlo, the
   long-form table and the summary, returned as a :class:`FleetResult`.

Shapes and units
----------------
S segments, Y model years (first year given in any ``units`` table .. ``end_year``),
N Monte Carlo samples (1 without ``--samples``), E reported elements
(:data:`magnets.data.chemistry.REPORTED`: Nd Pr Dy Tb Sm Gd Co), G grades.
Units (vehicles, MW, robots...) are counts per year; magnet masses in kg per unit;
every ``*_t`` quantity in tonnes of element (``oxide_t`` in tonnes of oxide).

Model
-----
Units built in year c enter service mid-year. A unit with lifetime L leaves in year
c + k when k - 1/2 <= L < k + 1/2, so with F the lifetime CDF (truncated at L >= 0)::

    pmf[k]  = F(k + 1/2) - F(k - 1/2),  F(-1/2) = 0     share of a cohort leaving at age k
    surv[k] = 1 - F(k + 1/2)                             share still in service at the end of age k

``surv`` is evaluated from the distribution's survival function (``ndtr(-z)``,
``exp(-(x/scale)**shape)``), not as ``1 - cumsum(pmf)``, so the mass balance
cumulative inflow - cumulative outflow = stock is a real check of the implementation.

Per segment s, year t, element e and sample n (``content`` = finished magnet mass built)::

    content  = inflow_units * kg_per_unit
    demand   = content * frac[e, mix of year t] / yield               (alloy in, per element)
    scrap    = demand * (1 - yield) * scrap_recycling                 (manufacturing scrap fed back)
    eol      = sum_c pmf[t - c] * content[c] * frac[e, mix of cohort c]
    recovered = eol * collection * recovery
    primary  = demand - scrap - recovered                             (reported as is, may be < 0)
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from magnets.data.library import Library
    from magnets.fleet.spec import FleetSpec, SegmentSpec

#: Elements reported per segment and year (same order as magnets.data.chemistry.REPORTED).
ELEMENTS: tuple[str, ...] = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")
#: Lifetime distributions and their parameters (in the order stored in SegmentArrays.life_p1/p2).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd"),
    "weibull": ("shape", "scale"),
    "fixed": ("years",),
}
DIST_CODE: dict[str, int] = {name: i for i, name in enumerate(DISTRIBUTIONS)}
#: Inputs that may be given as { low, high } and are drawn per segment per sample, in draw order.
SAMPLED_INPUTS: tuple[str, ...] = (
    "units",
    "magnet_kg_per_unit",
    "manufacturing_yield",
    "scrap_recycling",
    "collection",
    "recovery",
)
#: Statistics reported with --samples, in row order.
STATS: tuple[str, ...] = ("mean", "p10", "p50", "p90")
_QUANTILES = (0.10, 0.50, 0.90)
#: Columns of FleetResult.table, in order (``stat`` only with samples).
TABLE_COLUMNS: tuple[str, ...] = (
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
    "share_of_world_pct",
    "stock_units",
    "inflow_units",
    "outflow_units",
)
#: Element groups of the summary.
SUMMARY_GROUPS: dict[str, tuple[str, ...]] = {
    "Dy": ("Dy",),
    "Tb": ("Tb",),
    "Nd+Pr": ("Nd", "Pr"),
    "Sm": ("Sm",),
}
#: Columns of FleetResult.summary, in order (``stat`` only with samples).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario",
    "element",
    "peak_primary_t",
    "peak_year",
    "cumulative_primary_t",
    "cumulative_demand_t",
    "peak_share_of_world_pct",
    "peak_vs_baseline_t",
    "cumulative_vs_baseline_t",
    "cumulative_vs_baseline_pct",
)
BASELINE = "baseline"


# ----------------------------------------------------------------------------------------------
# tier 1: pure array functions
# ----------------------------------------------------------------------------------------------


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
    ky = np.asarray(knot_years, dtype="float64")
    kv = np.asarray(knot_values, dtype="float64")
    y = np.asarray(years, dtype="float64")
    S, K = ky.shape
    n_valid = np.isfinite(ky).sum(axis=1)  # (S,)
    # j = number of knots at or before each year: left knot j-1, right knot j
    j = (ky[:, None, :] <= y[None, :, None]).sum(axis=2)  # (S, Y)
    left = np.clip(j - 1, 0, K - 1)
    right = np.minimum(j, n_valid[:, None] - 1)
    right = np.clip(right, 0, K - 1)
    x0 = np.take_along_axis(ky, left, axis=1)
    x1 = np.take_along_axis(ky, right, axis=1)
    extra = kv.ndim - 2
    idx_shape = (S, len(y)) + (1,) * extra
    v0 = np.take_along_axis(kv, left.reshape(idx_shape), axis=1)
    v1 = np.take_along_axis(kv, right.reshape(idx_shape), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(x1 > x0, (y[None, :] - x0) / (x1 - x0), 0.0)
    w = np.clip(w, 0.0, 1.0).reshape(idx_shape)
    out = v0 + w * (v1 - v0)
    first = (j == 0).reshape(idx_shape)
    if before == "zero":
        out = np.where(first, 0.0, out)
    elif before != "flat":
        raise ValueError(f"before must be 'flat' or 'zero', instead received {before!r}")
    return out


def lifetime_tables(
    code: np.ndarray, p1: np.ndarray, p2: np.ndarray, n_ages: int
) -> tuple[np.ndarray, np.ndarray]:
    """Discretised lifetime per segment: outflow pmf and survival by age in whole years.

    Parameters
    ----------
    code : (S,) int, :data:`DIST_CODE` (0 normal, 1 weibull, 2 fixed).
    p1, p2 : (S,) float: normal (mean, sd) years; weibull (shape, scale years); fixed (years, unused).
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
    from scipy.special import ndtr

    code = np.asarray(code)[:, None]
    p1 = np.asarray(p1, dtype="float64")[:, None]
    p2 = np.asarray(p2, dtype="float64")[:, None]
    edges = np.arange(n_ages + 1, dtype="float64")[None, :] - 0.5  # -1/2, 1/2, ..., n - 1/2
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


def sample_inputs(n_segments: int, samples: int | None, seed: int | None) -> np.ndarray:
    """Uniform draws u in [0, 1), one per sampled input per segment per sample.

    Returns (len(SAMPLED_INPUTS), S, N); without samples a single column of 0.5, so every
    ``{ low, high }`` input takes its midpoint. The same draws are used for every scenario
    (common random numbers), so differences between scenarios are paired sample by sample.
    """
    if samples is None:
        return np.full((len(SAMPLED_INPUTS), n_segments, 1), 0.5)
    rng = np.random.default_rng(seed)
    return rng.random((len(SAMPLED_INPUTS), n_segments, samples))


def _draw(low: np.ndarray, high: np.ndarray, u: np.ndarray) -> np.ndarray:
    """low + u*(high-low); low/high (B,) or (B, Y), u (B, N) -> (B, N) or (B, Y, N)."""
    if low.ndim == 2:
        return low[:, :, None] + u[:, None, :] * (high - low)[:, :, None]
    return low[:, None] + u * (high - low)[:, None]


@dataclass(frozen=True)
class SegmentArrays:
    """One scenario's fleet packed into arrays on the model-year grid.

    Attributes
    ----------
    names : (S,) segment names.  years : (Y,) int model years.
    units_low, units_high : (S, Y) units built per year (equal where not uncertain).
    kg_low, kg_high : (S, Y) kg of finished magnet per unit.
    frac : (S, Y, E) kg element per kg magnet of the mix built that year (E = ELEMENTS).
    life_code, life_p1, life_p2 : (S,) lifetime distribution (see :func:`lifetime_tables`).
    yield_low/high, scrap_low/high, collection_low/high, recovery_low/high : (S,) shares 0..1.
    """

    names: tuple[str, ...]
    years: np.ndarray
    units_low: np.ndarray
    units_high: np.ndarray
    kg_low: np.ndarray
    kg_high: np.ndarray
    frac: np.ndarray
    life_code: np.ndarray
    life_p1: np.ndarray
    life_p2: np.ndarray
    yield_low: np.ndarray
    yield_high: np.ndarray
    scrap_low: np.ndarray
    scrap_high: np.ndarray
    collection_low: np.ndarray
    collection_high: np.ndarray
    recovery_low: np.ndarray
    recovery_high: np.ndarray

    @property
    def n_segments(self) -> int:
        return len(self.names)


@dataclass
class FlowArrays:
    """Flows of a block of B segments, tonnes or units, for every model year and sample.

    Mass quantities summed over elements are (B, Y, N): ``content`` (finished magnet built),
    ``demand_mass`` (alloy in = content / yield), ``scrap_mass`` (scrap fed back). Element
    quantities exist only for the P (segment, element) pairs where the element occurs in
    some grade the segment builds (``seg_idx``, ``el_idx``, ``frac`` (P, Y)) and are
    (P, Y, N): ``eol``, ``recovered``, ``primary``. Element demand and scrap are
    ``frac * demand_mass`` and ``frac * scrap_mass`` (the fraction does not vary by sample).
    :meth:`dense` scatters any element quantity to (B, Y, E, N).
    """

    seg_idx: np.ndarray
    el_idx: np.ndarray
    frac: np.ndarray
    content: np.ndarray
    demand_mass: np.ndarray
    scrap_mass: np.ndarray
    eol: np.ndarray
    recovered: np.ndarray
    primary: np.ndarray
    stock_units: np.ndarray
    inflow_units: np.ndarray
    outflow_units: np.ndarray

    def dense(self, name: str, n_elements: int = len(ELEMENTS)) -> np.ndarray:
        """Element quantity ``name`` (demand, scrap, eol, recovered, primary) as (B, Y, E, N)."""
        B, Y, N = self.content.shape
        out = np.zeros((B, Y, n_elements, N))
        if name in ("demand", "scrap"):
            mass = self.demand_mass if name == "demand" else self.scrap_mass
            vals = self.frac[:, :, None] * mass[self.seg_idx]
        else:
            vals = getattr(self, name)
        out[self.seg_idx, :, self.el_idx, :] = vals
        return out


def element_flows(
    arr: SegmentArrays, seg: slice, u: np.ndarray, out_matrix: np.ndarray, stock_matrix: np.ndarray
) -> FlowArrays:
    """All flows of the segments ``seg`` for every model year and sample.

    ``u`` is (len(SAMPLED_INPUTS), S, N) from :func:`sample_inputs`; the cohort matrices
    (S, Y, Y) come from :func:`cohort_matrix` and are shared by all samples. End-of-life
    content is a batched matrix product over cohorts (one per segment-element pair).
    """
    uu = u[:, seg]
    inflow = _draw(arr.units_low[seg], arr.units_high[seg], uu[0])  # (B, Y, N)
    kg = _draw(arr.kg_low[seg], arr.kg_high[seg], uu[1])
    yld = _draw(arr.yield_low[seg], arr.yield_high[seg], uu[2])[:, None, :]  # (B, 1, N)
    scrap_rec = _draw(arr.scrap_low[seg], arr.scrap_high[seg], uu[3])[:, None, :]
    cr = _draw(arr.collection_low[seg], arr.collection_high[seg], uu[4]) * _draw(
        arr.recovery_low[seg], arr.recovery_high[seg], uu[5]
    )  # (B, N)
    outm, stockm = out_matrix[seg], stock_matrix[seg]

    content = inflow * kg
    content *= 1e-3  # tonnes of finished magnet built (B, Y, N)
    demand_mass = content / yld
    scrap_mass = demand_mass * ((1.0 - yld) * scrap_rec)
    net_mass = demand_mass - scrap_mass
    outflow_units, stock_units = stock_flow(inflow, outm, stockm)

    frac_b = arr.frac[seg]  # (B, Y, E)
    bi, ei = np.nonzero((frac_b > 0).any(axis=1))
    fp = frac_b[bi, :, ei]  # (P, Y)
    el_content = fp[:, :, None] * content[bi]  # (P, Y, N)
    eol = np.matmul(outm[bi], el_content)  # sum over cohorts c of pmf[t - c] * content_e[c]
    recovered = eol * cr[bi][:, None, :]
    primary = fp[:, :, None] * net_mass[bi]
    primary -= recovered
    return FlowArrays(
        bi,
        ei,
        fp,
        content,
        demand_mass,
        scrap_mass,
        eol,
        recovered,
        primary,
        stock_units,
        inflow,
        outflow_units,
    )


def sample_stats(x: np.ndarray) -> np.ndarray:
    """mean, P10, P50, P90 over the last axis (samples); returns (4, ...) float64.

    Quantiles interpolate linearly between order statistics (numpy's default method).
    The sort runs in float32 on the deviations from the float64 mean (twice as fast as a
    float64 sort); the rounding error is ~1e-7 of the spread between samples, not of the
    value, and a quantity that does not vary between samples comes out exact.
    """
    n = x.shape[-1]
    out = np.empty((len(STATS), *x.shape[:-1]))
    mean = x.mean(axis=-1)
    out[0] = mean
    if n == 1:
        out[1:] = x[..., 0]
        return out
    dev = np.empty(x.shape, dtype="float32")
    np.subtract(x, mean[..., None], out=dev, casting="unsafe")
    dev.sort(axis=-1)
    for i, q in enumerate(_QUANTILES, start=1):
        h = (n - 1) * q
        lo = math.floor(h)
        hi = min(lo + 1, n - 1)
        w = h - lo
        out[i] = mean + (dev[..., lo] * (1.0 - w) + dev[..., hi] * w)
    return out


def _stats(x: np.ndarray, varies: bool = True) -> np.ndarray:
    """(K, ...) statistics of (..., N): K = 1 (the value) for N = 1, else sample_stats.

    ``varies=False`` says the quantity is the same in every sample (no sort needed).
    """
    if x.shape[-1] == 1:
        return x[None, ..., 0]
    if not varies:
        return np.broadcast_to(x[None, ..., 0], (len(STATS), *x.shape[:-1]))
    return sample_stats(x)


# ----------------------------------------------------------------------------------------------
# tier 2/3: projection of a whole fleet
# ----------------------------------------------------------------------------------------------


@dataclass
class ProjectionArrays:
    """Statistics of one scenario on the reported years.

    Element quantities (K, S, Yr, E) and unit quantities (K, S, Yr), K = 1 without samples
    (the value at the midpoints) or 4 (STATS). ``totals`` holds every sample's primary and
    demand summed over segments, (2, Yr, E, N), for the summary.
    """

    demand: np.ndarray
    scrap: np.ndarray
    eol: np.ndarray
    recovered: np.ndarray
    primary: np.ndarray
    stock_units: np.ndarray
    inflow_units: np.ndarray
    outflow_units: np.ndarray
    totals: np.ndarray


def _affine_stats(a: np.ndarray, b: np.ndarray, qu: np.ndarray) -> np.ndarray:
    """Statistics of a + b*u for one random u per segment, without sorting.

    a, b : (B, T) intercept and slope; qu : (K, B) statistics of u per segment (K = 1: the
    value of u; K = 4: mean, P10, P50, P90). An affine map keeps the order of the samples
    (b >= 0) or reverses it (b < 0), so Q_p(a + b u) = a + b Q_p(u), or a + b Q_(1-p)(u):
    exactly what sorting would give with linear interpolation between order statistics.
    """
    if qu.shape[0] == 1:
        return (a + b * qu[0][:, None])[None]
    out = np.empty((len(STATS), *a.shape))
    out[0] = a + b * qu[0][:, None]
    neg = b < 0
    out[1] = a + b * np.where(neg, qu[3][:, None], qu[1][:, None])
    out[2] = a + b * qu[2][:, None]
    out[3] = a + b * np.where(neg, qu[1][:, None], qu[3][:, None])
    return out


class _Workspace:
    """Per-thread buffers reused across blocks: fresh multi-MB arrays cost a page fault per
    4 kB page on every block, which on small VMs costs more than the arithmetic."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: str = "float64") -> np.ndarray:
        size = int(np.prod(shape))
        buf = self.buffers.get(name)
        if buf is None or buf.size < size or buf.dtype != np.dtype(dtype):
            buf = np.empty(size, dtype=dtype)
            self.buffers[name] = buf
        return buf[:size].reshape(shape)


def _linear_stats(
    X: np.ndarray, A: np.ndarray, ws: _Workspace, varies: bool, on_samples: Any = None
) -> np.ndarray:
    """Statistics over samples of Q[m, t, n] = sum_j X[m, t, j] * A[m, j, n].

    X (M, T, J) deterministic series, A (M, J, N) per-sample coefficients. The mean is exact
    (X @ mean(A)); quantiles sort the per-sample values, computed straight into a reused
    float32 buffer (one matrix product, one sort: the cheapest passes over memory).
    ``on_samples(Q)`` sees the per-sample values before the sort (for totals).
    Returns (K, M, T) float64, K = 1 for N = 1 (the value itself, computed in float64).
    """
    N = A.shape[2]
    if N == 1:
        q = np.matmul(X, A)[..., 0]
        if on_samples is not None:
            on_samples(q[..., None])
        return q[None]
    out = np.empty((len(STATS), *X.shape[:2]))
    out[0] = np.matmul(X, A.mean(axis=2)[..., None])[..., 0]
    if not varies and on_samples is None:
        out[1:] = out[0]
        return out
    buf = ws.get("samples", (*X.shape[:2], N), "float32")
    np.matmul(X.astype("float32"), A.astype("float32"), out=buf)
    if on_samples is not None:
        on_samples(buf)
    if not varies:
        out[1:] = out[0]
        return out
    buf.sort(axis=-1)
    for i, q in enumerate(_QUANTILES, start=1):
        h = (N - 1) * q
        lo = math.floor(h)
        hi = min(lo + 1, N - 1)
        w = h - lo
        out[i] = buf[..., lo] * (1.0 - w) + buf[..., hi] * w
    return out


def project_arrays(
    arr: SegmentArrays,
    u: np.ndarray,
    report: slice,
    chunk: int | None = None,
    workers: int | None = None,
    executor: ThreadPoolExecutor | None = None,
    local: threading.local | None = None,
) -> ProjectionArrays:
    """Run the model for one scenario over all segments; statistics on the reported years.

    Same model as :func:`element_flows`, arranged for speed. Every sampled input is
    ``low + u*(high - low)`` with one u per segment and sample, so units x kg expands into
    four deterministic series with per-sample coefficients (1, u, v, u*v), and every column
    is a short sum ``series @ coefficients``: the cohort matrices act on the series (never on
    N samples), means are exact products with the mean coefficients, and only the quantiles
    need the per-sample values (one float32 product and one sort per column, P10/P50/P90
    interpolated linearly between order statistics as numpy does). Stock, inflow and outflow
    are affine in u_units alone, so their quantiles follow from u's (:func:`_affine_stats`).
    With N = 1 (no samples) everything is float64. Segments run in blocks (bounded memory,
    per-thread reused buffers) on up to ``workers`` threads; the loop is over blocks of
    segments, never over years or samples. ``executor`` and ``local`` (thread-local buffers)
    may be shared between calls, e.g. across scenarios, so the buffers are reused.
    """
    S, Y = arr.units_low.shape
    E = arr.frac.shape[2]
    N = u.shape[2]
    pmf, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, Y)
    outm, stockm = cohort_matrix(pmf), cohort_matrix(surv)
    Yr = len(np.arange(Y)[report])
    K = 1 if N == 1 else len(STATS)
    res = ProjectionArrays(
        *(np.zeros((K, S, Yr, E)) for _ in range(5)),
        *(np.zeros((K, S, Yr)) for _ in range(3)),
        totals=np.zeros((2, Yr, E, N)),
    )
    present = (arr.frac > 0).any(axis=1)  # (S, E): element occurs in some grade the segment builds
    if chunk is None:  # about 2 M values per (pairs, Yr, N) buffer
        per_seg = max(1.0, present.sum(axis=1).mean()) * Yr * N
        chunk = max(1, min(S, int(2e6 // per_seg)))
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    blocks = [slice(i, min(i + chunk, S)) for i in range(0, S, chunk)]
    if N == 1:
        qu_all = u[0][None, :, 0]
    else:  # statistics of u_units per segment, for the affine unit columns
        qu_all = np.concatenate([u[0].mean(axis=1)[None], np.quantile(u[0], _QUANTILES, axis=1)])
    if local is None:
        local = threading.local()

    def run(block: slice) -> np.ndarray:
        ws = getattr(local, "ws", None)
        if ws is None:
            ws = local.ws = _Workspace()
        uu = u[:, block]
        lo_u = arr.units_low[block]
        d_u = arr.units_high[block] - lo_u
        lo_k = arr.kg_low[block]
        d_k = arr.kg_high[block] - lo_k
        yld = _draw(arr.yield_low[block], arr.yield_high[block], uu[2])  # (B, N)
        scrap_rec = _draw(arr.scrap_low[block], arr.scrap_high[block], uu[3])
        cr = _draw(arr.collection_low[block], arr.collection_high[block], uu[4]) * _draw(
            arr.recovery_low[block], arr.recovery_high[block], uu[5]
        )
        varies = bool(
            np.any(d_u != 0)
            or np.any(d_k != 0)
            or np.any(arr.yield_low[block] != arr.yield_high[block])
            or np.any(arr.scrap_low[block] != arr.scrap_high[block])
            or np.any(arr.collection_low[block] != arr.collection_high[block])
            or np.any(arr.recovery_low[block] != arr.recovery_high[block])
        )

        # units: affine in u_units
        qu = qu_all[:, block]
        U = np.stack([lo_u, d_u], axis=2)  # (B, Y, 2)
        for name, basis in (
            ("inflow_units", U),
            ("outflow_units", np.matmul(outm[block], U)),
            ("stock_units", np.matmul(stockm[block], U)),
        ):
            br = basis[:, report]
            getattr(res, name)[:, block] = _affine_stats(br[..., 0], br[..., 1], qu)

        # magnet content built: four series (t of finished magnet) x coefficients (1, u, v, uv)
        C = np.stack([lo_u * lo_k, d_u * lo_k, lo_u * d_k, d_u * d_k], axis=2) * 1e-3  # (B, Y, 4)
        a = np.stack([np.ones_like(uu[0]), uu[0], uu[1], uu[0] * uu[1]], axis=1)  # (B, 4, N)
        Cr = C[:, report]
        a_dem = a / yld[:, None, :]  # demand = content / yield
        a_scr = a_dem * ((1.0 - yld) * scrap_rec)[:, None, :]  # scrap fed back
        a_net = a_dem - a_scr  # demand - scrap
        a_rec = a * cr[:, None, :]  # recovered share of end-of-life content
        frac_r = arr.frac[block, report]  # (B, Yr, E)
        tot = np.zeros((2, Yr, E, N))

        def dem_total(q: np.ndarray) -> None:
            # (Yr, E, B) @ (Yr, B, N): element demand summed over the block's segments
            tot[1] = np.matmul(frac_r.transpose(1, 2, 0).astype(q.dtype), q.transpose(1, 0, 2))

        for name, coef, hook in (("demand", a_dem, dem_total), ("scrap", a_scr, None)):
            st = _linear_stats(Cr, coef, ws, varies, hook)  # (K, B, Yr) magnet mass
            getattr(res, name)[:, block] = st[..., None] * frac_r[None]

        # (segment, element) pairs present: end of life, recovered, primary
        bi, ei = np.nonzero(present[block])
        P = len(bi)
        if P == 0:
            return tot
        fp = arr.frac[block][bi, :, ei]  # (P, Y)
        EB = np.matmul(outm[block][bi], fp[:, :, None] * C[bi])[:, report]  # (P, Yr, 4) cohort sums
        onehot = (ei[None, :] == np.arange(E)[:, None]).astype("float32")  # (E, P)

        def prim_total(q: np.ndarray) -> None:
            flat = q.reshape(P, Yr * N)
            tot[0] = np.moveaxis((onehot.astype(flat.dtype) @ flat).reshape(E, Yr, N), 0, 1)

        X_prim = np.concatenate([fp[:, report, None] * Cr[bi], -EB], axis=2)  # (P, Yr, 8)
        A_prim = np.concatenate([a_net[bi], a_rec[bi]], axis=1)  # (P, 8, N)
        for name, X, A, hook in (
            ("eol", EB, a[bi], None),
            ("recovered", EB, a_rec[bi], None),
            ("primary", X_prim, A_prim, prim_total),
        ):
            st = _linear_stats(X, A, ws, varies, hook)  # (K, P, Yr)
            target = getattr(res, name)[:, block]
            target[:, bi, :, ei] = np.moveaxis(st, 0, 1)
        return tot

    if executor is not None and len(blocks) > 1:
        partial_totals = list(executor.map(run, blocks))
    elif workers > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            partial_totals = list(ex.map(run, blocks))
    else:
        partial_totals = [run(b) for b in blocks]
    res.totals = np.sum(partial_totals, axis=0)
    return res


def world_production(lib: Any) -> pd.DataFrame:
    """World production per reported element: production_t, basis ('oxide'|'metal'|'REO'|NA), year.

    Taken from ``lib.elements``; an element without a per-element figure has NaN.
    """
    import pandas as pd

    el = getattr(lib, "elements", None)
    cols = ["production_t", "production_basis", "production_year", "oxide_formula"]
    if el is None or len(el) == 0:
        frame = pd.DataFrame(index=pd.Index(ELEMENTS, name="element"), columns=cols)
    else:
        frame = el.reindex(index=list(ELEMENTS), columns=cols)
        frame.index.name = "element"
    frame["production_t"] = pd.to_numeric(frame["production_t"], errors="coerce").astype("float64")
    frame["production_basis"] = frame["production_basis"].astype("string").str.strip().str.lower()
    return frame


def oxide_factors() -> np.ndarray:
    """kg oxide per kg element for ELEMENTS (pymatgen), NaN for Co (not a rare earth)."""
    from magnets.data.chemistry import DEFAULT_OXIDES, oxide_factor

    return np.array([oxide_factor(el) if el in DEFAULT_OXIDES else np.nan for el in ELEMENTS])


def share_denominators(world: pd.DataFrame, factors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(multiplier, production) per element so that share% = 100 * primary_t * mult / production.

    Like basis: an oxide or REO figure is compared with primary demand as oxide
    (mult = oxide factor); a metal figure with primary demand as metal (mult = 1).
    NaN where there is no per-element figure or the basis is unknown.
    """
    basis = world["production_basis"].fillna("").to_numpy(dtype=object)
    prod = world["production_t"].to_numpy(dtype="float64")
    mult = np.full(len(ELEMENTS), np.nan)
    is_oxide = np.isin(basis, ["oxide", "reo"])
    is_metal = basis == "metal"
    mult = np.where(is_oxide, factors, mult)
    mult = np.where(is_metal, 1.0, mult)
    prod = np.where(prod > 0, prod, np.nan)
    return mult, prod


@dataclass
class FleetResult:
    """Result of :func:`project_fleet`.

    Attributes
    ----------
    table : long-form DataFrame, one row per scenario, year, segment, element (and stat):
        ``scenario`` ``year`` ``segment`` ``element`` [``stat``: mean|p10|p50|p90 with samples]
        ``demand_t`` element in new magnets' alloy, t (= content / yield)
        ``oxide_t`` primary demand as oxide (Nd2O3, Pr6O11, Dy2O3, Tb4O7, Sm2O3, Gd2O3), t; NaN for Co
        ``scrap_returned_t`` manufacturing scrap fed back, t
        ``eol_t`` element in magnets of units retired that year, t
        ``recovered_t`` of it recovered (collection x recovery), t
        ``primary_t`` demand - scrap_returned - recovered, t (may be negative)
        ``share_of_world_pct`` primary demand / world production on the same basis, % (NaN without a figure)
        ``stock_units`` ``inflow_units`` ``outflow_units`` units in service at year end, built, retired.
    summary : per scenario (and stat) and element group (Dy, Tb, Nd+Pr, Sm):
        ``peak_primary_t`` ``peak_year`` ``cumulative_primary_t`` (over the reported years)
        ``cumulative_demand_t`` (before scrap and end-of-life returns) ``peak_share_of_world_pct``
        ``peak_vs_baseline_t`` ``cumulative_vs_baseline_t`` ``cumulative_vs_baseline_pct``
        (scenario minus baseline, paired sample by sample; NaN where baseline was not run).
    world : per element ``production_t`` ``production_basis`` ``production_year`` used for shares.
    scenarios, years (reported), samples (None = midpoints), seed (drawn when not given),
    warnings (from the input file), spec.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    world: pd.DataFrame
    scenarios: tuple[str, ...]
    years: np.ndarray
    samples: int | None
    seed: int | None
    warnings: tuple[str, ...] = ()
    spec: Any = None
    totals: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def _long_table(
    scenario_names: list[str],
    seg_names: tuple[str, ...],
    years: np.ndarray,
    proj: list[ProjectionArrays],
    factors: np.ndarray,
    mult: np.ndarray,
    prod: np.ndarray,
    with_stats: bool,
) -> pd.DataFrame:
    """Assemble the long table from per-scenario statistic arrays, without a row loop."""
    import pandas as pd

    K = len(STATS) if with_stats else 1
    S, Yr, E = len(seg_names), len(years), len(ELEMENTS)

    # target order: scenario, year, segment, element, stat -> arrays (Sc, Yr, S, E, K)
    def el_block(name: str) -> np.ndarray:
        return np.stack(
            [np.transpose(getattr(p, name), (2, 1, 3, 0)) for p in proj]
        )  # (Sc, Yr, S, E, K)

    def unit_block(name: str) -> np.ndarray:
        a = np.stack([np.transpose(getattr(p, name), (2, 1, 0)) for p in proj])  # (Sc, Yr, S, K)
        return np.broadcast_to(a[:, :, :, None, :], (len(proj), Yr, S, E, K))

    primary = el_block("primary")
    ef = factors[None, None, None, :, None]
    cols: dict[str, Any] = {}
    n = len(proj) * Yr * S * E * K
    shape = (len(proj), Yr, S, E, K)
    grid = np.indices(shape).reshape(len(shape), -1)
    cols["scenario"] = pd.Categorical.from_codes(grid[0], categories=list(scenario_names))
    cols["year"] = years.astype("int64")[grid[1]]
    cols["segment"] = pd.Categorical.from_codes(grid[2], categories=pd.Index(list(seg_names)))
    cols["element"] = pd.Categorical.from_codes(grid[3], categories=list(ELEMENTS))
    if with_stats:
        cols["stat"] = pd.Categorical.from_codes(grid[4], categories=list(STATS))
    cols["demand_t"] = el_block("demand").reshape(n)
    cols["oxide_t"] = (primary * ef).reshape(n)
    cols["scrap_returned_t"] = el_block("scrap").reshape(n)
    cols["eol_t"] = el_block("eol").reshape(n)
    cols["recovered_t"] = el_block("recovered").reshape(n)
    cols["primary_t"] = primary.reshape(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        cols["share_of_world_pct"] = (
            100.0 * primary * (mult / prod)[None, None, None, :, None]
        ).reshape(n)
    cols["stock_units"] = unit_block("stock_units").reshape(n)
    cols["inflow_units"] = unit_block("inflow_units").reshape(n)
    cols["outflow_units"] = unit_block("outflow_units").reshape(n)
    return pd.DataFrame(cols)


def _summary(
    scenario_names: list[str],
    years: np.ndarray,
    totals: dict[str, np.ndarray],
    mult: np.ndarray,
    prod: np.ndarray,
    with_stats: bool,
) -> pd.DataFrame:
    """Peak and cumulative primary demand per element group, per sample then statistics."""
    import pandas as pd

    idx = {el: i for i, el in enumerate(ELEMENTS)}
    rows: dict[str, list] = {c: [] for c in ("scenario", "element", "stat", *SUMMARY_COLUMNS[2:])}
    base = totals.get(BASELINE)
    for sc in scenario_names:  # a handful of scenarios x 4 groups: small bookkeeping loop
        tot = totals[sc]  # (2, Yr, E, N)
        for group, members in SUMMARY_GROUPS.items():
            ii = [idx[m] for m in members]
            prim = tot[0][:, ii].sum(axis=1)  # (Yr, N)
            dem = tot[1][:, ii].sum(axis=1)
            peak = prim.max(axis=0)
            cum = prim.sum(axis=0)
            cum_dem = dem.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                share_num = (tot[0][:, ii] * mult[ii][None, :, None]).sum(axis=1)
                den = prod[ii].sum() if np.all(np.isfinite(prod[ii] * mult[ii])) else np.nan
                peak_share = 100.0 * share_num.max(axis=0) / den
            if base is not None:
                bprim = base[0][:, ii].sum(axis=1)
                d_peak = peak - bprim.max(axis=0)
                d_cum = cum - bprim.sum(axis=0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    d_pct = np.where(
                        bprim.sum(axis=0) != 0, 100.0 * d_cum / bprim.sum(axis=0), np.nan
                    )
            else:
                d_peak = d_cum = d_pct = np.full_like(peak, np.nan)
            values = [peak, cum, cum_dem, peak_share, d_peak, d_cum, d_pct]
            mean_series = prim.mean(axis=1)
            peak_year = int(years[int(np.argmax(mean_series))]) if len(years) else -1
            if with_stats:
                st = [sample_stats(v[None, :])[:, 0] for v in values]  # each (4,)
                for k, stat in enumerate(STATS):
                    rows["scenario"].append(sc)
                    rows["element"].append(group)
                    rows["stat"].append(stat)
                    rows["peak_year"].append(peak_year)
                    for col, v in zip(
                        (
                            "peak_primary_t",
                            "cumulative_primary_t",
                            "cumulative_demand_t",
                            "peak_share_of_world_pct",
                            "peak_vs_baseline_t",
                            "cumulative_vs_baseline_t",
                            "cumulative_vs_baseline_pct",
                        ),
                        st,
                    ):
                        rows[col].append(float(v[k]))
            else:
                rows["scenario"].append(sc)
                rows["element"].append(group)
                rows["stat"].append("")
                rows["peak_year"].append(peak_year)
                for col, v in zip(
                    (
                        "peak_primary_t",
                        "cumulative_primary_t",
                        "cumulative_demand_t",
                        "peak_share_of_world_pct",
                        "peak_vs_baseline_t",
                        "cumulative_vs_baseline_t",
                        "cumulative_vs_baseline_pct",
                    ),
                    values,
                ):
                    rows[col].append(float(v[0]))
    frame = pd.DataFrame(rows)
    order = ["scenario", "element"] + (["stat"] if with_stats else []) + list(SUMMARY_COLUMNS[2:])
    frame = frame[order]
    if base is None:
        frame = frame.assign(
            peak_vs_baseline_t=np.nan,
            cumulative_vs_baseline_t=np.nan,
            cumulative_vs_baseline_pct=np.nan,
        )
    return frame


def pack_segments(
    segments: tuple[SegmentSpec, ...], lib: Library, years: np.ndarray
) -> SegmentArrays:
    """Pack parsed segments into arrays on the model-year grid (knot tables, grade mixes).

    The loop here runs over the few segments of an input file to lay their knot tables
    side by side; all interpolation and the mix -> element fractions step are vectorised.
    """
    S = len(segments)
    grades = sorted({g for s in segments for mix in s.mixes for g in mix})

    def knots(
        attr_years: str, attr_low: str, attr_high: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        K = max(len(getattr(s, attr_years)) for s in segments)
        ky = np.full((S, K), np.inf)
        lo = np.zeros((S, K))
        hi = np.zeros((S, K))
        for i, s in enumerate(segments):
            k = len(getattr(s, attr_years))
            ky[i, :k] = getattr(s, attr_years)
            lo[i, :k] = getattr(s, attr_low)
            hi[i, :k] = getattr(s, attr_high)
            lo[i, k:] = lo[i, k - 1]
            hi[i, k:] = hi[i, k - 1]
        return ky, lo, hi

    uy, ulo, uhi = knots("units_years", "units_low", "units_high")
    ky, klo, khi = knots("kg_years", "kg_low", "kg_high")
    K = max(len(s.mix_years) for s in segments)
    my = np.full((S, K), np.inf)
    mv = np.zeros((S, K, len(grades)))
    gpos = {g: i for i, g in enumerate(grades)}
    for i, s in enumerate(segments):
        k = len(s.mix_years)
        my[i, :k] = s.mix_years
        for j, mix in enumerate(s.mixes):
            for g, share in mix.items():
                mv[i, j, gpos[g]] = share
        mv[i, k:] = mv[i, k - 1]
    mix_y = interp_knots(my, mv, years, before="flat")  # (S, Y, G)
    if grades:
        rows = lib.grades.loc[grades]
        fr = (
            np.stack(
                [
                    rows[f"{el}_wt_pct"].to_numpy(dtype="float64")
                    if f"{el}_wt_pct" in rows.columns
                    else np.zeros(len(grades))
                    for el in ELEMENTS
                ],
                axis=1,
            )
            / 100.0
        )  # (G, E)
        fr = np.nan_to_num(fr, nan=0.0)
    else:
        fr = np.zeros((0, len(ELEMENTS)))
    frac = mix_y @ fr

    def vec(attr: str) -> np.ndarray:
        return np.array([getattr(s, attr) for s in segments], dtype="float64")

    return SegmentArrays(
        names=tuple(s.name for s in segments),
        years=np.asarray(years),
        units_low=interp_knots(uy, ulo, years, before="zero"),
        units_high=interp_knots(uy, uhi, years, before="zero"),
        kg_low=interp_knots(ky, klo, years),
        kg_high=interp_knots(ky, khi, years),
        frac=frac,
        life_code=np.array([DIST_CODE[s.lifetime[0]] for s in segments]),
        life_p1=vec("life_p1"),
        life_p2=vec("life_p2"),
        yield_low=vec("yield_low"),
        yield_high=vec("yield_high"),
        scrap_low=vec("scrap_low"),
        scrap_high=vec("scrap_high"),
        collection_low=vec("collection_low"),
        collection_high=vec("collection_high"),
        recovery_low=vec("recovery_low"),
        recovery_high=vec("recovery_high"),
    )


def model_years(spec: FleetSpec) -> np.ndarray:
    """Model-year grid: the first year given in any units table (any scenario) .. end_year."""
    first = min(
        [spec.start_year] + [min(s.units_years) for segs in spec.scenarios.values() for s in segs]
    )
    return np.arange(first, spec.end_year + 1)


def project_fleet(
    spec: FleetSpec,
    lib: Library,
    scenarios: list[str] | tuple[str, ...] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    *,
    chunk: int | None = None,
    workers: int | None = None,
) -> FleetResult:
    """Project element demand of a fleet for the chosen scenarios.

    Parameters
    ----------
    spec : parsed input (:func:`magnets.fleet.spec.load_fleet`).
    lib : grade library (element fractions, world production).
    scenarios : names to run; None = baseline only. ``baseline`` is always run as well when
        any other scenario is asked for, so the summary can show the difference.
    samples : Monte Carlo draws of every ``{ low, high }`` input (uniform, one per segment
        per sample); None = midpoints, no ``stat`` column.
    seed : random seed; drawn (and reported in ``FleetResult.seed``) when None.
    chunk, workers : segments per block and threads (performance knobs).
    """
    from magnets.errors import InputError

    names = [BASELINE] if not scenarios else list(dict.fromkeys(scenarios))
    unknown = [n for n in names if n not in spec.scenarios]
    if unknown:
        raise InputError(
            f"{spec.path}: unknown scenario {', '.join(map(repr, unknown))}; "
            f"expected one of {', '.join(spec.scenarios)}"
        )
    if BASELINE not in names:
        names = [BASELINE, *names]
    if samples is not None and samples < 2:
        raise InputError(f"--samples: expected at least 2 samples, instead received {samples}")
    if samples is not None and seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**32))
    years = model_years(spec)
    report = slice(int(spec.start_year - years[0]), len(years))
    rep_years = years[report]
    S = len(spec.segments)
    u = sample_inputs(S, samples, seed)
    proj: list[ProjectionArrays] = []
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    local = threading.local()  # per-thread buffers, reused across scenarios
    with ThreadPoolExecutor(max_workers=max(1, workers)) as ex:
        for name in names:  # scenarios: a handful
            arr = pack_segments(spec.scenarios[name], lib, years)
            proj.append(
                project_arrays(
                    arr,
                    u,
                    report,
                    chunk=chunk,
                    workers=workers,
                    executor=ex if workers > 1 else None,
                    local=local,
                )
            )
    world = world_production(lib)
    factors = oxide_factors()
    mult, prod = share_denominators(world, factors)
    with_stats = samples is not None
    seg_names = tuple(s.name for s in spec.segments)
    table = _long_table(names, seg_names, rep_years, proj, factors, mult, prod, with_stats)
    totals = {n: p.totals for n, p in zip(names, proj)}
    summary = _summary(names, rep_years, totals, mult, prod, with_stats)
    return FleetResult(
        table=table,
        summary=summary,
        world=world.reset_index(),
        scenarios=tuple(names),
        years=rep_years,
        samples=samples,
        seed=seed,
        warnings=tuple(spec.warnings),
        spec=spec,
        totals=totals,
    )


def plot_fleet(result: FleetResult, path: str) -> None:
    """Write a PNG: primary demand (t of element, all segments) per element and year, one line
    per scenario (P10-P90 band with samples), world production as a dashed line where the
    library has a per-element figure (converted to tonnes of element).

    Uses matplotlib's object API with the Agg canvas (no pyplot, no global backend change).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from magnets.io import write_atomic

    factors = oxide_factors()
    mult, prod = share_denominators(result.world.set_index("element"), factors)
    world_metal = prod / mult  # production expressed in tonnes of element
    years = result.years
    shown = [
        i
        for i, el in enumerate(ELEMENTS)
        if any(np.any(t[:, :, i] != 0) for t in result.totals.values())
    ]
    if not shown:
        shown = [ELEMENTS.index("Dy")]
    ncol = 2 if len(shown) > 1 else 1
    nrow = (len(shown) + ncol - 1) // ncol
    fig = Figure(figsize=(5.2 * ncol, 3.0 * nrow + 0.6), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    for k, i in enumerate(shown):  # a handful of panels
        ax = fig.add_subplot(nrow, ncol, k + 1)
        for j, sc in enumerate(result.scenarios):
            prim = result.totals[sc][0][:, i, :]  # (Yr, N)
            c = colours[j % len(colours)]
            ax.plot(years, prim.mean(axis=1), color=c, lw=1.8, label=sc)
            if prim.shape[1] > 1:
                lo, hi = np.quantile(prim, [0.1, 0.9], axis=1)
                ax.fill_between(years, lo, hi, color=c, alpha=0.18, lw=0)
        el = ELEMENTS[i]
        if np.isfinite(world_metal[i]):
            row = result.world.set_index("element").loc[el]
            yr = row.get("production_year")
            yr_txt = f" {int(yr)}" if yr == yr and yr is not None else ""
            label = f"world production{yr_txt}: {world_metal[i]:,.0f} t {el}"
            top = max(abs(t[0][:, i, :]).max() for t in result.totals.values())
            if world_metal[i] <= 5 * max(top, 1e-12):
                ax.axhline(world_metal[i], color="black", ls="--", lw=1.2, label=label)
            else:  # far above the demand: say so instead of flattening the curves
                ax.text(
                    0.98,
                    0.04,
                    label + " (off scale)",
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize=7,
                )
        ax.set_title(f"{el}: primary demand", fontsize=10)
        ax.set_ylabel(f"t {el} per year", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=7, loc="best")
    band = " (lines: mean; bands: P10-P90)" if result.samples else ""
    fig.suptitle(
        f"{Path(str(result.spec.path)).name if result.spec is not None else 'fleet'}: primary demand "
        f"after scrap and end-of-life returns, all segments{band}",
        fontsize=10,
    )
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png"))
