"""Irreversible flux loss after a trip to temperature T and back to T0, vectorised.

Every function takes scalars, numpy arrays or pandas Series (broadcast with numpy rules)
and returns the same kind, as :mod:`magnets.physics.thermal` does. Units as there: T and
T0 in degC, Br and B in T, HcJ, H and Hd in kA/m, alpha and beta in %/K.

Model
-----
The intrinsic curve is the shape :func:`magnets.physics.thermal.demag_curves` draws,

    J(|H|) = (Br - mu0*(mu_rec - 1)*|H|) * (1 - (|H|/HcJ)^n),   J = 0 past HcJ,

with n set so that J(Hk) = 0.9*Br at the knee Hk = s*HcJ; the normal curve is
B = J - mu0*|H|. Br(T) and HcJ(T) come from :func:`~magnets.physics.thermal.br_at` and
:func:`~magnets.physics.thermal.hcj_at` (with their optional quadratic terms).

1. Before: at T0 the working point is where the normal curve meets the load line
   B = Pc*mu0*(|H| - Hd0); its flux density is B_T0_before_T.
2. At T the working point (H1, B1) is where the normal curve at T meets the load line
   B = Pc*mu0*(|H| - Hd). Leaving it, the magnet recoils along a line of slope mu0*mu_rec,
   B = Br' - mu0*mu_rec*|H| with Br' = B1 + mu0*mu_rec*H1: Br'/Br(T) is the fraction of
   the magnetisation left (0 once the point has passed HcJ, where J = 0).
3. Back at T0 the reversible (alpha) part returns: the recoil line has remanence
   (Br'/Br(T))*Br(T0); the magnet follows the lower of that line and the T0 curve, and
   meets the load line B = Pc*mu0*(|H| - Hd0) at B_T0_after_T.
4. loss_pct = 100*(B_T0_before_T - B_T0_after_T)/B_T0_before_T, clipped to [0, 100]
   (a point pushed past B = 0 by Hd0 counts as all flux lost); NaN where B_T0_before_T <= 0.

Hd0 (the field at T0 on both sides of the trip) defaults to Hd: the armature field that
is on at T is on at T0 too. Pass hd_at_t0_kA_m=0 for a part whose current is off when it
is measured cold. The same construction covers ferrite in the cold (T < T0): its HcJ falls
as it cools. Because the knee (J = 0.9*Br) sits on an already rounded curve, the model
shows a few per cent at the knee rating and a trace just below it.

The working points are found by a vectorised bisection (the curve is monotonic in |H|,
the load line rises): a fixed number of halvings for all elements at once, no loop over
grades or temperatures. Memory is O(number of elements).

References: recoil-line construction of the irreversible loss, ansys-irrev; knee at
J = 0.9*Jr, niedra1991; load line and leakage, mmpa-pmg88 (keys in materials/SOURCES.md).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from magnets.physics import thermal
from magnets.physics.thermal import _arr, _out  # the module's input/output-kind helpers

_T_PER_KA_M = thermal.MU0 * 1e3  # B[T] = mu0 * H[kA/m] * 1e3
_HALVINGS = 48  # bisection steps: a bracket of 1e4 kA/m shrinks below 1e-10 kA/m

__all__ = [
    "LossResult",
    "cold_knee_C",
    "intrinsic_j",
    "irreversible_loss",
    "loss_at_rating",
    "loss_curve",
    "working_point",
]


class LossResult(NamedTuple):
    """Irreversible loss after a trip to T (every field shaped like the broadcast inputs).

    loss_pct : % of B at T0 lost on the load line, in [0, 100]; NaN where B_T0_before_T <= 0.
    B_T0_before_T, B_T0_after_T : B at T0 on the load line (with Hd0) before and after, T.
    H_at_T_kA_m, B_at_T_T : working point at T on the curved normal curve (with Hd), kA/m and T.
    remanence_left : Br'/Br(T), the fraction of the magnetisation the trip left, 0..1.
    """

    loss_pct: Any
    B_T0_before_T: Any
    B_T0_after_T: Any
    H_at_T_kA_m: Any
    B_at_T_T: Any
    remanence_left: Any


def _j(H, br, hcj, mr, s):
    """Intrinsic curve J(|H|) of thermal.demag_curves, on plain arrays (H may be < 0)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        jlin_k = br - _T_PER_KA_M * (mr - 1.0) * s * hcj
        q = np.clip(0.9 * br / jlin_k, 0.0, 0.999)
        n = np.log1p(-q) / np.log(np.clip(s, 1e-6, 0.999999))
        u = np.clip(H / hcj, 0.0, 1.0)
        shape = 1.0 - u**n
    jlin = br - _T_PER_KA_M * (mr - 1.0) * H
    return np.where(hcj > 0, jlin * np.nan_to_num(shape), 0.0)


def intrinsic_j(H_kA_m, Br_T, HcJ_kA_m, mu_rec=1.05, squareness=0.9):
    """Intrinsic polarisation J (T) at the field magnitude |H| (kA/m), shape of demag_curves.

    Br_T and HcJ_kA_m are the values at the temperature of interest. |H| < 0 (a magnetising
    field) continues the reversible line J = Br + mu0*(mu_rec - 1)*|H|.
    """
    args = (H_kA_m, Br_T, HcJ_kA_m, mu_rec, squareness)
    return _out(_j(*(_arr(a) for a in args)), args, "J_T")


def _solve(br, hcj, mr, s, pc, hd, rec_br=None):
    """(|H|, B) where min(J, recoil line) - mu0*|H| meets B = Pc*mu0*(|H| - Hd); arrays."""
    br, hcj, mr, s, pc, hd = np.broadcast_arrays(br, hcj, mr, s, pc, hd)

    def f(H):
        J = _j(H, br, hcj, mr, s)
        if rec_br is not None:
            J = np.minimum(J, rec_br - _T_PER_KA_M * (mr - 1.0) * H)
        return J - _T_PER_KA_M * H - pc * _T_PER_KA_M * (H - hd)

    with np.errstate(divide="ignore", invalid="ignore"):
        top = br / _T_PER_KA_M + pc * hd
        h_lin = top / (pc + mr)  # the straight-line point: J <= that line, so the root is <= it
        hi = np.maximum(top / (pc + np.minimum(mr, 1.0)), 0.0)  # f(hi) <= 0 since J <= Br + ...
        lo = np.minimum(h_lin, 0.0)
    lo, hi = lo.astype(float), hi.astype(float)
    for _ in range(_HALVINGS):  # fixed count for all elements at once
        mid = 0.5 * (lo + hi)
        up = f(mid) > 0
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    H = 0.5 * (lo + hi)
    return H, pc * _T_PER_KA_M * (H - hd)


def working_point(Br_T, HcJ_kA_m, *, pc, hd_kA_m=0.0, mu_rec=1.05, squareness=0.9):
    """Working point on the curved normal curve (not the straight line of operating_point).

    Returns (H_op_kA_m, B_op_T) with |H| as a positive magnitude. Below the knee it differs
    from :func:`magnets.physics.thermal.operating_point` only by the curve's slight rounding.
    """
    args = (Br_T, HcJ_kA_m, pc, hd_kA_m, mu_rec, squareness)
    br, hcj, p, hd, mr, s = (_arr(a) for a in args)
    H, B = _solve(br, hcj, mr, s, p, hd)
    return _out(H, args, "H_op_kA_m"), _out(B, args, "B_op_T")


def irreversible_loss(
    Br0_T,
    HcJ0_kA_m,
    alpha,
    beta,
    temp_C,
    *,
    pc,
    hd_kA_m=0.0,
    hd_at_t0_kA_m=None,
    mu_rec=1.05,
    squareness=0.9,
    T0_C=20.0,
    curie_C=None,
    alpha2=None,
    beta2=None,
) -> LossResult:
    """Irreversible loss of B at T0 on the load line after exposure to temp_C.

    Parameters
    ----------
    Br0_T, HcJ0_kA_m : remanence (T) and intrinsic coercivity (kA/m, the minimum) at T0.
    alpha, beta : temperature coefficients of Br and HcJ, %/K; alpha2, beta2 optional %/K^2.
    temp_C : exposure temperature(s), degC (below T0 for ferrite's cold end).
    pc : permeance coefficient. hd_kA_m : applied demagnetising field at temp_C, kA/m (the
        magnet sees Pc/(Pc + mu_rec) of it; an FEA field inside the magnet is |H_op|, not Hd).
    hd_at_t0_kA_m : the field at T0 before and after the trip (None: the same Hd).
    mu_rec, squareness : recoil permeability and Hk/HcJ. T0_C : reference temperature.
    curie_C : Curie temperature (Br and HcJ are 0 at and above it: all flux is lost).

    Returns
    -------
    LossResult(loss_pct, B_T0_before_T, B_T0_after_T, H_at_T_kA_m, B_at_T_T, remanence_left),
    each broadcast to the inputs' shape; the model is in the module docstring.
    """
    hd0_in = hd_kA_m if hd_at_t0_kA_m is None else hd_at_t0_kA_m
    args = (Br0_T, HcJ0_kA_m, alpha, beta, temp_C, pc, hd_kA_m, hd0_in, mu_rec, squareness, T0_C)
    br0, h0, a, b, T, p, hd, hd0, mr, s, t0 = (_arr(x) for x in args)
    tc = None if curie_C is None else _arr(curie_C)
    br_t = _arr(thermal.br_at(br0, a, T, t0, tc, alpha2_pct_per_K2=alpha2))
    hcj_t = _arr(thermal.hcj_at(h0, b, T, t0, tc, beta2_pct_per_K2=beta2))
    br_ref = _arr(thermal.br_at(br0, a, t0, t0, tc, alpha2_pct_per_K2=alpha2))
    hcj_ref = _arr(thermal.hcj_at(h0, b, t0, t0, tc, beta2_pct_per_K2=beta2))
    # at T: the working point and the recoil line through it
    H1, B1 = _solve(br_t, hcj_t, mr, s, p, hd)
    J1 = B1 + _T_PER_KA_M * H1
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.clip((B1 + _T_PER_KA_M * mr * H1) / br_t, 0.0, 1.0)
    left = np.where((J1 > 0) & (br_t > 0) & (hcj_t > H1), left, 0.0)
    # at T0, before and after
    _, before = _solve(br_ref, hcj_ref, mr, s, p, hd0)
    _, after = _solve(br_ref, hcj_ref, mr, s, p, hd0, rec_br=left * br_ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.clip(100.0 * (before - after) / before, 0.0, 100.0)
    pct = np.where(before > 0, pct, np.nan)
    pct = np.where(np.isnan(br_t) | np.isnan(hcj_t), np.nan, pct)  # unknown T or coefficient
    shape = np.broadcast_shapes(pct.shape, H1.shape, before.shape)
    fields = (pct, before, after, H1, B1, left)
    return LossResult(
        *(_out(np.broadcast_to(v, shape), args, n) for v, n in zip(fields, LossResult._fields))
    )


def loss_at_rating(
    Br0_T,
    HcJ0_kA_m,
    alpha,
    beta,
    *,
    pc,
    hd_kA_m=0.0,
    hd_at_t0_kA_m=None,
    mu_rec=1.05,
    squareness=0.9,
    T0_C=20.0,
    curie_C=np.inf,
    structural_C=np.inf,
    alpha2=None,
    beta2=None,
):
    """(t_max_C, loss_pct): the rated temperature at (Pc, Hd) and the loss a trip to it gives.

    The rating is :func:`magnets.physics.thermal.rated_temperature` (knee on the straight
    normal curve); the loss is :func:`irreversible_loss` there, on the rounded curve. NaN
    where there is no finite rating (unsafe at T0, or a knee that never binds and no cap).
    """
    r = thermal.rated_temperature(
        Br0_T,
        HcJ0_kA_m,
        alpha,
        beta,
        pc=pc,
        hd_kA_m=hd_kA_m,
        mu_rec=mu_rec,
        squareness=squareness,
        T0_C=T0_C,
        curie_C=curie_C,
        structural_C=structural_C,
        alpha2=alpha2,
        beta2=beta2,
    )
    t_max = _arr(r.t_max_C)
    finite = np.isfinite(t_max)
    t_eval = np.where(finite, t_max, _arr(T0_C))
    loss = irreversible_loss(
        _arr(Br0_T),
        _arr(HcJ0_kA_m),
        _arr(alpha),
        _arr(beta),
        t_eval,
        pc=_arr(pc),
        hd_kA_m=_arr(hd_kA_m),
        hd_at_t0_kA_m=None if hd_at_t0_kA_m is None else _arr(hd_at_t0_kA_m),
        mu_rec=_arr(mu_rec),
        squareness=_arr(squareness),
        T0_C=_arr(T0_C),
        curie_C=_arr(curie_C),
        alpha2=alpha2,
        beta2=beta2,
    ).loss_pct
    args = (Br0_T, HcJ0_kA_m, alpha, beta, pc, hd_kA_m, mu_rec, squareness, T0_C)
    return r.t_max_C, _out(np.where(finite, _arr(loss), np.nan), args, "loss_at_rating_pct")


def cold_knee_C(
    Br0_T,
    HcJ0_kA_m,
    alpha,
    beta,
    *,
    pc,
    hd_kA_m=0.0,
    mu_rec=1.05,
    squareness=0.9,
    T0_C=20.0,
    alpha2=None,
    beta2=None,
    lowest_C=-273.0,
):
    """Lowest temperature (degC) at which the knee still holds: the cold-end rating.

    For ferrite (beta > 0) the knee margin s*HcJ(T) - |H_op(T)| of
    :func:`magnets.physics.thermal.knee_margin` shrinks as the part cools; this is where it
    reaches 0, found by a vectorised bisection between lowest_C and T0 (so quadratic terms
    work too). -inf where the knee holds down to lowest_C; NaN where it fails at T0.
    """
    args = (Br0_T, HcJ0_kA_m, alpha, beta, pc, hd_kA_m, mu_rec, squareness, T0_C)
    br0, h0, a, b, p, hd, mr, s, t0 = np.broadcast_arrays(*(_arr(x) for x in args))

    def margin(T):
        return _arr(
            thermal.knee_margin(br0, h0, a, b, T, pc=p, hd_kA_m=hd, mu_rec=mr, squareness=s,
                                T0_C=t0, alpha2=alpha2, beta2=beta2)
        )  # fmt: skip

    lo = np.full(br0.shape, float(lowest_C))
    hi = t0.astype(float)
    holds_at_t0, holds_low = margin(hi) >= 0, margin(lo) >= 0
    for _ in range(32):  # 32 halvings of < 300 K: below 1e-7 K
        mid = 0.5 * (lo + hi)
        ok = margin(mid) >= 0
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    out = np.where(holds_low, -np.inf, hi)
    return _out(np.where(holds_at_t0, out, np.nan), args, "cold_knee_C")


def loss_for_grades(inputs, temp_C, *, pc, hd_kA_m=0.0, hd_at_t0_kA_m=None):
    """Irreversible loss of many grades at once, from their rating inputs.

    Parameters
    ----------
    inputs : DataFrame of :func:`magnets.physics.calibration.rating_inputs` (Br_T, HcJ_kA_m,
        alpha, beta, mu_rec, squareness, T0_C, curie_C; alpha2/beta2 used where present).
    temp_C, pc, hd_kA_m, hd_at_t0_kA_m : scalars or arrays broadcast against the rows.

    Returns
    -------
    DataFrame indexed like inputs: loss_pct, B_T0_before_T, B_T0_after_T (NaN where an
    input is missing).
    """
    import pandas as pd

    def col(name):
        return inputs[name].to_numpy(dtype=float) if name in inputs.columns else None

    r = irreversible_loss(
        col("Br_T"),
        col("HcJ_kA_m"),
        col("alpha"),
        col("beta"),
        np.asarray(temp_C, dtype=float),
        pc=np.asarray(pc, dtype=float),
        hd_kA_m=np.asarray(hd_kA_m, dtype=float),
        hd_at_t0_kA_m=None if hd_at_t0_kA_m is None else np.asarray(hd_at_t0_kA_m, dtype=float),
        mu_rec=col("mu_rec"),
        squareness=col("squareness"),
        T0_C=col("T0_C"),
        curie_C=np.nan_to_num(col("curie_C"), nan=np.inf),
        alpha2=col("alpha2"),
        beta2=col("beta2"),
    )
    return pd.DataFrame(
        {
            "loss_pct": np.broadcast_to(r.loss_pct, (len(inputs),)),
            "B_T0_before_T": np.broadcast_to(r.B_T0_before_T, (len(inputs),)),
            "B_T0_after_T": np.broadcast_to(r.B_T0_after_T, (len(inputs),)),
        },
        index=inputs.index,
    )


def loss_curve(row, temps_C, *, pc, hd_kA_m=0.0, hd_at_t0_kA_m=None) -> dict:
    """Loss of one grade against trip temperature, with its knee rating, for a plot.

    Parameters
    ----------
    row : one row (Series or mapping) of :func:`magnets.physics.calibration.rating_inputs`.
    temps_C : trip temperatures, degC. pc, hd_kA_m, hd_at_t0_kA_m : as :func:`irreversible_loss`.

    Returns
    -------
    dict: temps_C and loss_pct (lists), rating_C (the knee rating; the cold-side knee for
    beta > 0), cold (bool), loss_at_rating_pct.
    """

    def f(k, default=np.nan):
        v = float(row[k]) if k in row else default
        return v if v == v else default

    a4 = (f("Br_T"), f("HcJ_kA_m"), f("alpha"), f("beta"))
    kw = {"pc": pc, "hd_kA_m": hd_kA_m, "mu_rec": f("mu_rec"), "squareness": f("squareness")}
    kw["T0_C"] = f("T0_C", 20.0)
    curie, structural = f("curie_C", np.inf), f("structural_C", np.inf)
    cold = a4[3] > 0
    if cold:
        rating = float(cold_knee_C(*a4, **kw))
    else:
        rating = float(
            thermal.rated_temperature(*a4, curie_C=curie, structural_C=structural, **kw).t_max_C
        )
    kw["hd_at_t0_kA_m"] = hd_at_t0_kA_m
    temps = np.asarray(temps_C, dtype=float)
    pct = _arr(irreversible_loss(*a4, temps, curie_C=curie, **kw).loss_pct)
    at = (
        irreversible_loss(*a4, rating, curie_C=curie, **kw).loss_pct
        if np.isfinite(rating)
        else np.nan
    )
    return {
        "temps_C": temps.tolist(),
        "loss_pct": np.broadcast_to(pct, temps.shape).tolist(),
        "rating_C": rating,
        "cold": bool(cold),
        "loss_at_rating_pct": float(at),
    }
