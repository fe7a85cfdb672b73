"""Br(T) and HcJ(T) per grade (linear, quadratic or tabulated) and ratings where not linear.

:mod:`magnets.physics.thermal` has the closed forms for linear and quadratic coefficients.
This module adds what a source's curve needs and what the loss model reuses:

* :class:`TempModel` holds one row per grade (numpy arrays, broadcast together): Br0, HcJ0 at
  T0, the linear coefficients alpha and beta (%/K), optional quadratic terms alpha2 and beta2
  (%/K^2) and optional tabulated curves (ratio of the value at T to the value at T0 against T,
  per grade, NaN-padded to a common number of knots). ``br(T)`` and ``hcj(T)`` evaluate every
  grade at once, at one temperature per grade or on a (grades x temperatures) grid.
* :func:`rated_temperature_model` gives the highest T >= T0 with s*HcJ(T) >= |H_op(T)|: the
  closed form of ``thermal.rated_temperature`` for rows without a table, and a vectorised
  scan plus bisection (no Python loop over grades) for rows with one.

A tabulated curve holds only inside its knots: above its last knot the value is unknown (NaN)
and a rating never extends past it (``limited_by`` = ``table``). No source read so far gives a
table of HcJ(T) for a library grade (docs/physics.md, section 1), so the built-in grades use
the linear or secant forms; the tables are for user libraries and for the loss model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from magnets.physics import thermal

_T_PER_KA_M = thermal.MU0 * 1e3  # B[T] = mu0[T per kA/m] * H[kA/m]

__all__ = ["TempModel", "interp_rows", "rated_temperature_model"]


def interp_rows(x, xp, fp):
    """Linear interpolation per row: ``x`` (n,) or (n, m), knots ``xp`` and values ``fp`` (n, k).

    Knots ascend along each row and may end in NaN padding. Outside a row's knots the result
    is NaN (no extrapolation). Vectorised with one searchsorted over offset rows.
    """
    xp = np.atleast_2d(np.asarray(xp, dtype=float))
    fp = np.atleast_2d(np.asarray(fp, dtype=float))
    x = np.asarray(x, dtype=float)
    squeeze = x.ndim == 1
    xx = x[:, None] if squeeze else x
    n, k = xp.shape
    xx = np.broadcast_to(xx, (n, xx.shape[1]))
    valid = ~np.isnan(xp)
    lo = np.where(valid, xp, np.inf).min(axis=1)
    hi = np.where(valid, xp, -np.inf).max(axis=1)
    # pad each row with its last knot and value (forward fill), so every index is usable
    last = np.maximum(valid.sum(axis=1) - 1, 0)
    idx = np.minimum(np.arange(k)[None, :], last[:, None])
    rows = np.arange(n)[:, None]
    xq, fq = xp[rows, idx], fp[rows, idx]
    # put each row on its own stretch of the real line so one searchsorted serves all rows
    span = 4.0 * float(np.nanmax(np.abs(xp))) + 1.0 if valid.any() else 1.0
    off = np.arange(n)[:, None] * span
    j = np.searchsorted((xq + off).ravel(), (xx + off).ravel(), side="right").reshape(xx.shape)
    j = np.clip(j - np.arange(n)[:, None] * k, 1, max(k - 1, 1))
    x0, x1 = xq[rows, j - 1], xq[rows, np.minimum(j, k - 1)]
    f0, f1 = fq[rows, j - 1], fq[rows, np.minimum(j, k - 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(x1 > x0, (xx - x0) / (x1 - x0), 0.0)
        y = f0 + w * (f1 - f0)
    inside = (xx >= lo[:, None]) & (xx <= hi[:, None])
    y = np.where(inside, y, np.nan)
    return y[:, 0] if squeeze else y


@dataclass(frozen=True)
class TempModel:
    """Temperature dependence of Br and HcJ for n grades (arrays of shape (n,)).

    alpha2/beta2: quadratic terms in %/K^2 (NaN or None: 0). br_table/hcj_table: None or a
    pair (temps_C, ratio) of (n, k) arrays, NaN rows/padding where a grade has no table; a row
    with a table uses it instead of its coefficients.
    """

    Br0_T: Any
    HcJ0_kA_m: Any
    alpha: Any
    beta: Any
    T0_C: Any = 20.0
    curie_C: Any = np.inf
    alpha2: Any = None
    beta2: Any = None
    br_table: tuple[Any, Any] | None = None
    hcj_table: tuple[Any, Any] | None = None

    def _n(self) -> int:
        return int(np.broadcast(np.asarray(self.Br0_T), np.asarray(self.HcJ0_kA_m)).size)

    def _factor(self, c1, c2, table, temp_C):
        n = self._n()
        t = np.asarray(temp_C, dtype=float)
        grid = t.ndim == 2
        t0 = np.broadcast_to(np.asarray(self.T0_C, dtype=float), (n,))
        dT = t - (t0[:, None] if grid else t0)
        c1 = np.broadcast_to(np.asarray(c1, dtype=float), (n,))
        c2 = np.zeros(n) if c2 is None else np.nan_to_num(np.broadcast_to(c2, (n,)).astype(float))
        if grid:
            c1, c2 = c1[:, None], c2[:, None]
        f = 1.0 + c1 / 100.0 * dT + c2 / 100.0 * dT * dT
        if table is not None:
            temps, ratio = (np.atleast_2d(np.asarray(a, dtype=float)) for a in table)
            has = ~np.all(np.isnan(temps), axis=1)
            tab = interp_rows(np.broadcast_to(t, dT.shape), temps, ratio)
            f = np.where(has[:, None] if grid else has, tab, f)
        f = np.maximum(f, 0.0)  # NaN (outside a table) stays NaN
        curie = np.broadcast_to(np.asarray(self.curie_C, dtype=float), (n,))
        curie = np.where(np.isnan(curie), np.inf, curie)
        return np.where(t >= (curie[:, None] if grid else curie), 0.0, f)

    def br(self, temp_C):
        """Br in T at temp_C: shape (n,) for one temperature per grade, (n, m) for a grid."""
        f = self._factor(self.alpha, self.alpha2, self.br_table, temp_C)
        br0 = np.broadcast_to(np.asarray(self.Br0_T, dtype=float), (self._n(),))
        return (br0[:, None] if f.ndim == 2 else br0) * f

    def hcj(self, temp_C):
        """HcJ in kA/m at temp_C, shapes as :meth:`br`."""
        f = self._factor(self.beta, self.beta2, self.hcj_table, temp_C)
        h0 = np.broadcast_to(np.asarray(self.HcJ0_kA_m, dtype=float), (self._n(),))
        return (h0[:, None] if f.ndim == 2 else h0) * f

    def knee_margin(self, temp_C, *, pc, hd_kA_m=0.0, mu_rec=1.05, squareness=0.9):
        """s*HcJ(T) - |H_op(T)| in kA/m (>= 0: the magnet holds), shapes as :meth:`br`."""
        br, hcj = self.br(temp_C), self.hcj(temp_C)
        n = self._n()
        pc, hd, mr, s = (
            np.broadcast_to(np.asarray(v, dtype=float), (n,))
            for v in (pc, hd_kA_m, mu_rec, squareness)
        )
        if br.ndim == 2:
            pc, hd, mr, s = pc[:, None], hd[:, None], mr[:, None], s[:, None]
        h_op = (br / _T_PER_KA_M + pc * hd) / (pc + mr)
        return s * hcj - h_op

    @property
    def has_table(self) -> np.ndarray:
        n = self._n()
        out = np.zeros(n, dtype=bool)
        for table in (self.br_table, self.hcj_table):
            if table is not None:
                temps = np.atleast_2d(np.asarray(table[0], dtype=float))
                out |= ~np.all(np.isnan(temps), axis=1)
        return out


def _scan_and_bisect(model: TempModel, cond: dict, t_lo, t_hi, step_C: float, tol_C: float):
    """Highest T in [t_lo, t_hi] before the margin first turns negative (or NaN), per row."""
    n = t_lo.size
    m = int(np.ceil(np.nanmax(t_hi - t_lo) / step_C)) + 1
    grid = t_lo[:, None] + step_C * np.arange(m)[None, :]
    grid = np.minimum(grid, t_hi[:, None])
    ok = model.knee_margin(grid, **cond) >= 0  # NaN compares False: unknown counts as failing
    first_bad = np.where(ok.all(axis=1), m, np.argmin(ok, axis=1))
    rows = np.arange(n)
    good = grid[rows, np.maximum(first_bad - 1, 0)]
    bad = grid[rows, np.minimum(first_bad, m - 1)]
    done = first_bad >= m
    lo, hi = good.copy(), bad.copy()
    while np.any(~done & (hi - lo > tol_C)):
        mid = 0.5 * (lo + hi)
        holds = model.knee_margin(mid, **cond) >= 0
        lo = np.where(~done & holds, mid, lo)
        hi = np.where(~done & ~holds, mid, hi)
    return np.where(done, t_hi, lo), done


def _tabulated_ratings(model: TempModel, b: dict, tab: np.ndarray, step_C: float, tol_C: float):
    """Rated temperature and limit of the rows with a table: scan, then bisect (see below)."""
    cond = {k: b[k] for k in ("pc", "hd_kA_m", "mu_rec", "squareness")}
    t0 = b["T0_C"]
    last = np.full(len(tab), np.inf)
    for table in (model.br_table, model.hcj_table):
        if table is not None:
            temps = np.atleast_2d(np.asarray(table[0], dtype=float))
            has = ~np.all(np.isnan(temps), axis=1)
            last = np.where(
                has,
                np.minimum(last, np.nanmax(np.where(has[:, None], temps, -np.inf), axis=1)),
                last,
            )
    curie = np.where(np.isnan(b["curie_C"]), np.inf, b["curie_C"])
    struct = np.where(np.isnan(b["structural_C"]), np.inf, b["structural_C"])
    cap = np.minimum(np.minimum(curie, struct), last)
    cap = np.where(np.isfinite(cap), cap, t0 + 2000.0)
    cap = np.where(tab, cap, t0)  # rows without a table keep their closed form: no scan
    m0 = model.knee_margin(t0, **cond)
    t_num, reached = _scan_and_bisect(model, cond, t0, np.maximum(cap, t0), step_C, tol_C)
    lab = np.where(
        ~reached,
        "knee",
        np.where(cap == curie, "curie", np.where(cap == struct, "structural", "table")),
    )
    lab = np.where(~(m0 >= 0), "unsafe", lab)
    t_num = np.where(~(m0 >= 0), np.nan, t_num)
    return t_num, lab


def rated_temperature_model(
    model: TempModel,
    *,
    pc,
    hd_kA_m=0.0,
    mu_rec=1.05,
    squareness=0.9,
    structural_C=np.inf,
    step_C: float = 1.0,
    tol_C: float = 0.01,
):
    """Rated temperature per grade of ``model`` (a :class:`thermal.RatingResult`).

    Rows without a table use the closed form of ``thermal.rated_temperature`` (linear or
    quadratic). Rows with a table: a scan from T0 in ``step_C`` steps up to the lowest of
    Curie, structural limit and the table's last knot, then bisection to ``tol_C``; the
    first crossing counts (a margin that dips below zero and recovers rates at the dip).
    ``limited_by`` is ``knee``, ``curie``, ``structural``, ``table`` or ``unsafe``.
    """
    n = model._n()
    b = {
        k: np.broadcast_to(np.asarray(v, dtype=float), (n,))
        for k, v in {
            "pc": pc,
            "hd_kA_m": hd_kA_m,
            "mu_rec": mu_rec,
            "squareness": squareness,
            "structural_C": structural_C,
            "T0_C": model.T0_C,
            "curie_C": model.curie_C,
        }.items()
    }
    closed = thermal.rated_temperature(
        model.Br0_T,
        model.HcJ0_kA_m,
        model.alpha,
        model.beta,
        pc=b["pc"],
        hd_kA_m=b["hd_kA_m"],
        mu_rec=b["mu_rec"],
        squareness=b["squareness"],
        T0_C=b["T0_C"],
        curie_C=b["curie_C"],
        structural_C=b["structural_C"],
        alpha2=model.alpha2,
        beta2=model.beta2,
    )
    t_max = np.array(closed.t_max_C, dtype=float, ndmin=1).copy()
    limited = np.array(closed.limited_by, dtype=object, ndmin=1).copy()
    tab = model.has_table
    if tab.any():
        t_num, lab = _tabulated_ratings(model, b, tab, step_C, tol_C)
        t_max = np.where(tab, t_num, t_max)
        limited = np.where(tab, lab.astype(object), limited)
    br_t = model.br(np.where(np.isnan(t_max), b["T0_C"], t_max))
    h_op = (br_t / _T_PER_KA_M + b["pc"] * b["hd_kA_m"]) / (b["pc"] + b["mu_rec"])
    return thermal.RatingResult(t_max, limited, h_op, br_t - _T_PER_KA_M * b["mu_rec"] * h_op)
