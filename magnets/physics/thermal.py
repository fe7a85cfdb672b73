"""Temperature behaviour of permanent magnets at their load line, vectorised.

Every function takes scalars, numpy arrays or pandas Series (broadcast with numpy
rules) and returns the same kind: a Python float for all-scalar input, a Series
(with the index of the first Series argument) when any argument is a Series, an
ndarray otherwise.

Symbols and units
-----------------
T, T0     degC (T0 is the datasheet's reference temperature, usually 20 degC)
Br        T, remanence;       alpha = reversible coefficient of Br, %/K
HcJ       kA/m, intrinsic coercivity (use the catalogue MINIMUM); beta = its coefficient, %/K
Pc        permeance coefficient B/(mu0*H) of the working point, dimensionless
Hd        kA/m, applied demagnetising field (armature MMF per unit magnet length, NI/l_m);
          it shifts the load line, and the magnet itself sees Pc/(Pc + mu_rec) of it.
mu_rec    recoil permeability (relative), dimensionless
s         squareness Hk/HcJ: the knee Hk is where J has fallen to 90 % of Br.

Model (see docs/physics.md for sources and the calibration)
-----------------------------------------------------------
Br(T)  = Br0  * (1 + alpha/100*(T - T0) + alpha2/100*(T - T0)**2)
HcJ(T) = HcJ0 * (1 + beta/100 *(T - T0) + beta2/100 *(T - T0)**2)
Both are clipped at zero and are zero at and above the Curie temperature.

Linear second quadrant, normal curve B = Br - mu0*mu_rec*|H|, load line
B = Pc*mu0*(|H| - Hd); they meet at

    |H_op| = (Br/mu0 + Pc*Hd) / (Pc + mu_rec),     B_op = Pc*mu0*(|H_op| - Hd)

The magnet holds (no irreversible loss) while |H_op(T)| <= Hk(T) = s*HcJ(T). The rated
temperature is the largest T >= T0 where that holds, capped by the Curie temperature
and the family's structural limit.

An FEA run that reports the field *inside* the magnet gives |H_op| directly, not Hd:
compare it with s*HcJ(T) yourself, or convert with Hd = (|H_op|*(Pc+mu_rec) - Br/mu0)/Pc.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from magnets.units import MU0
from magnets.units import T_PER_KA_M as _T_PER_KA_M  # B[T] = _T_PER_KA_M * H[kA/m]

LIMITS = ("knee", "curie", "structural", "unsafe", "oxidation")

__all__ = [
    "MU0",
    "RatingResult",
    "br_at",
    "hcj_at",
    "hd_from_internal_field",
    "holds_cold",
    "knee_margin",
    "operating_point",
    "rated_temperature",
]


# ----------------------------------------------------------------------------- input kinds
def _series_index(args: tuple[Any, ...]):
    """Index of the first pandas Series among args, else None (pandas imported lazily)."""
    for a in args:
        if (
            type(a).__module__.startswith("pandas")
            and hasattr(a, "index")
            and getattr(a, "ndim", 0) == 1
        ):
            return a.index
    return None


def _arr(x: Any) -> np.ndarray:
    """Float ndarray view of a scalar/array/Series (None -> NaN)."""
    if x is None:
        return np.array(np.nan)
    if hasattr(x, "to_numpy"):
        return np.asarray(x.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    return np.asarray(x, dtype=float)


def _is_scalar_input(args: tuple[Any, ...]) -> bool:
    return all(a is None or np.ndim(a) == 0 for a in args)


def _out(value: np.ndarray, args: tuple[Any, ...], name: str | None = None):
    """Return value as the kind of the inputs (float, ndarray or Series)."""
    idx = _series_index(args)
    if idx is not None:
        import pandas as pd

        value = np.broadcast_to(value, (len(idx),)) if np.ndim(value) == 0 else value
        return pd.Series(np.asarray(value), index=idx, name=name)
    if _is_scalar_input(args):
        v = np.asarray(value)
        return v.item() if v.ndim == 0 else v
    return np.asarray(value)


# ----------------------------------------------------------------------------- temperature
def _temp_factor(coef1, coef2, temp_C, T0_C, curie_C):
    dT = _arr(temp_C) - _arr(T0_C)
    c2 = 0.0 if coef2 is None else np.nan_to_num(_arr(coef2))
    f = 1.0 + _arr(coef1) / 100.0 * dT + c2 / 100.0 * dT * dT
    f = np.maximum(f, 0.0)
    if curie_C is not None:
        f = np.where(_arr(temp_C) >= np.nan_to_num(_arr(curie_C), nan=np.inf), 0.0, f)
    return f


def br_at(Br0_T, alpha_pct_per_K, temp_C, T0_C=20.0, curie_C=None, *, alpha2_pct_per_K2=None):
    """Remanence at temperature.

    Parameters
    ----------
    Br0_T : remanence at T0, T.
    alpha_pct_per_K : reversible temperature coefficient of Br, %/K (NdFeB about -0.12).
    temp_C, T0_C : temperature and reference temperature, degC.
    curie_C : Curie temperature, degC; Br is 0 at and above it (None: no cap).
    alpha2_pct_per_K2 : optional quadratic coefficient, %/K^2.

    Returns
    -------
    Br(T) in T, same kind as the inputs.

    Notes
    -----
    Br(T) = Br0*(1 + alpha/100*(T-T0) + alpha2/100*(T-T0)^2), clipped at 0.
    Linear coefficients are defined over the datasheet's range (typically 20-100 or
    20-150 degC); beyond it the extrapolation is approximate.
    """
    args = (Br0_T, alpha_pct_per_K, temp_C, T0_C, curie_C, alpha2_pct_per_K2)
    val = _arr(Br0_T) * _temp_factor(alpha_pct_per_K, alpha2_pct_per_K2, temp_C, T0_C, curie_C)
    return _out(val, args, "Br_T")


def hcj_at(HcJ0_kA_m, beta_pct_per_K, temp_C, T0_C=20.0, curie_C=None, *, beta2_pct_per_K2=None):
    """Intrinsic coercivity at temperature, kA/m.

    HcJ(T) = HcJ0*(1 + beta/100*(T-T0) + beta2/100*(T-T0)^2), clipped at 0, 0 above Curie.
    beta is negative for rare-earth magnets (NdFeB -0.4 to -0.8 %/K, SmCo -0.15 to -0.3)
    and positive for ferrite (+0.2 to +0.5 %/K: ferrite loses coercivity in the cold).
    """
    args = (HcJ0_kA_m, beta_pct_per_K, temp_C, T0_C, curie_C, beta2_pct_per_K2)
    val = _arr(HcJ0_kA_m) * _temp_factor(beta_pct_per_K, beta2_pct_per_K2, temp_C, T0_C, curie_C)
    return _out(val, args, "HcJ_kA_m")


# ----------------------------------------------------------------------------- load line
def _h_op(Br_T, pc, hd, mu_rec):
    return (Br_T / _T_PER_KA_M + pc * hd) / (pc + mu_rec)


def operating_point(Br_T, pc, hd_kA_m=0.0, mu_rec=1.05):
    """Working point where the normal curve meets the load line.

    Parameters
    ----------
    Br_T : remanence at the temperature of interest, T (use br_at first).
    pc : permeance coefficient, > 0.
    hd_kA_m : applied demagnetising field, kA/m (>= 0 opposes the magnet). The magnet
        sees Pc/(Pc + mu_rec) of it. An FEA field inside the magnet is |H_op|, not Hd.
    mu_rec : recoil permeability.

    Returns
    -------
    (H_op_kA_m, B_op_T): |H| at the working point as a positive magnitude (kA/m), and B (T).

    Notes
    -----
    Normal curve B = Br - mu0*mu_rec*|H|; load line B = Pc*mu0*(|H| - Hd); so
    |H_op| = (Br/mu0 + Pc*Hd)/(Pc + mu_rec) and B_op = Br - mu0*mu_rec*|H_op|
    (any magnet-design text, e.g. Campbell, Permanent Magnet Materials and their
    Application, 1994, ch. 5; docs/physics.md).
    """
    args = (Br_T, pc, hd_kA_m, mu_rec)
    br, p, h, m = (_arr(a) for a in args)
    H = _h_op(br, p, h, m)
    B = br - _T_PER_KA_M * m * H
    return _out(H, args, "H_op_kA_m"), _out(B, args, "B_op_T")


def hd_from_internal_field(H_internal_kA_m, Br_T, pc, mu_rec=1.05):
    """Applied field Hd equivalent to a field |H| found inside the magnet (e.g. by FEA).

    Hd = (|H|*(Pc + mu_rec) - Br/mu0)/Pc. Mostly useful to explain why the two differ.
    """
    args = (H_internal_kA_m, Br_T, pc, mu_rec)
    H, br, p, m = (_arr(a) for a in args)
    return _out((H * (p + m) - br / _T_PER_KA_M) / p, args, "hd_kA_m")


def knee_margin(
    Br0_T,
    HcJ0_kA_m,
    alpha,
    beta,
    temp_C,
    *,
    pc,
    hd_kA_m=0.0,
    mu_rec=1.05,
    squareness=0.9,
    T0_C=20.0,
    curie_C=None,
    alpha2=None,
    beta2=None,
):
    """s*HcJ(T) - |H_op(T)| in kA/m: >= 0 where the magnet holds at temp_C."""
    args = (Br0_T, HcJ0_kA_m, alpha, beta, temp_C, pc, hd_kA_m, mu_rec, squareness, T0_C, curie_C)
    br = _arr(
        br_at(_arr(Br0_T), _arr(alpha), _arr(temp_C), _arr(T0_C), curie_C, alpha2_pct_per_K2=alpha2)
    )
    hcj = _arr(
        hcj_at(
            _arr(HcJ0_kA_m), _arr(beta), _arr(temp_C), _arr(T0_C), curie_C, beta2_pct_per_K2=beta2
        )
    )
    m = _arr(squareness) * hcj - _h_op(br, _arr(pc), _arr(hd_kA_m), _arr(mu_rec))
    return _out(m, args, "knee_margin_kA_m")


# ----------------------------------------------------------------------------- rating
class RatingResult(NamedTuple):
    """Rated temperature of magnets at a load line.

    t_max_C : highest temperature (degC) at which |H_op| <= s*HcJ, capped by Curie and
        structural limits; NaN where the part is unsafe already at T0.
    limited_by : 'knee', 'curie', 'structural' or 'unsafe' (str array).
    H_op_kA_m : |H| at the working point at t_max (at T0 where unsafe), kA/m.
    B_op_T : B at the working point at t_max (at T0 where unsafe), T.
    """

    t_max_C: Any
    limited_by: Any
    H_op_kA_m: Any
    B_op_T: Any


def _first_positive_root(c0, c1, c2):
    """Smallest x > 0 where c0 + c1*x + c2*x^2 changes sign from >= 0 to < 0; +inf if never.

    Assumes c0 >= 0. Pure array arithmetic (np.where masks), no loops.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lin = np.where(c1 < 0, c0 / -c1, np.inf)  # c2 == 0
        disc = c1 * c1 - 4.0 * c2 * c0
        sq = np.sqrt(np.maximum(disc, 0.0))
        # numerically stable pair of roots
        q = -0.5 * (c1 + np.where(c1 >= 0, sq, -sq))
        r1 = np.where(q != 0, c0 / q, np.inf)
        r2 = np.where(c2 != 0, q / c2, np.inf)
        r1 = np.where(r1 > 0, r1, np.inf)
        r2 = np.where(r2 > 0, r2, np.inf)
        quad = np.where(disc > 0, np.minimum(r1, r2), np.inf)  # a double root only touches zero
        root = np.where(c2 == 0, lin, quad)
        # c0 == 0 exactly: fails immediately if the function then decreases
        root = np.where((c0 == 0) & ((c1 < 0) | ((c1 == 0) & (c2 < 0))), 0.0, root)
    return root


def _knee_offset(sh, brk, m0, a, b, alpha2, beta2, t0, tc):
    """(dT to the knee, unsafe mask, quadratic Br coefficient or None) of the knee margin.

    ``sh`` = s*HcJ0 and ``brk`` = Br0/(mu0*K), both kA/m; ``m0`` the margin at T0.
    """
    m1 = (sh * b - brk * a) / 100.0
    a2 = None
    # NaN inputs (e.g. an unknown beta) count as unsafe: no rating can be given
    unsafe = ~(m0 >= 0) | ~(t0 < tc) | np.isnan(m1)
    if alpha2 is not None or beta2 is not None:
        a2 = 0.0 if alpha2 is None else np.nan_to_num(_arr(alpha2))
        b2 = 0.0 if beta2 is None else np.nan_to_num(_arr(beta2))
        m2 = (sh * b2 - brk * a2) / 100.0
        unsafe |= np.isnan(m2)
        return _first_positive_root(np.where(unsafe, 1.0, m0), m1, m2), unsafe, a2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(m1 < 0, m0 / -m1, np.inf), unsafe, a2


def _limit_labels(t_knee, tc, ts, unsafe, limit_kind):
    """What limits each rating: knee, curie, structural (or oxidation), unsafe."""
    cap = np.minimum(tc, ts)
    # small integer codes, then one gather into the label array
    code = np.where(t_knee <= cap, 0, np.where(tc <= ts, 1, 2)).astype(np.int8)
    code = np.where(unsafe, 3, code)
    limited = np.array(LIMITS, dtype=object)[code]
    if limit_kind is not None:
        kind = np.asarray(limit_kind, dtype=object)
        limited = np.where((code == 2) & (kind == "oxidation"), "oxidation", limited)
    return limited


def rated_temperature(
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
    curie_C=np.inf,
    structural_C=np.inf,
    alpha2=None,
    beta2=None,
    limit_kind=None,
) -> RatingResult:
    """Rated (maximum safe) temperature at permeance coefficient Pc and applied field Hd.

    Parameters
    ----------
    Br0_T : remanence at T0, T (the figure the source gives; say whether min or typ).
    HcJ0_kA_m : intrinsic coercivity at T0, kA/m (use the catalogue MINIMUM).
    alpha, beta : temperature coefficients of Br and HcJ, %/K.
    pc : permeance coefficient (> 0).
    hd_kA_m : applied demagnetising field, kA/m; the magnet sees Pc/(Pc+mu_rec) of it. An
        FEA field inside the magnet is |H_op|, not Hd.
    mu_rec : recoil permeability. squareness : s = Hk/HcJ.
    T0_C : reference temperature of Br0, HcJ0 and the coefficients.
    curie_C, structural_C : upper caps, degC (NaN or inf: none).
    alpha2, beta2 : optional quadratic coefficients, %/K^2 (closed form still: a quadratic root).
    limit_kind : what sets structural_C, per element ('structural' or 'oxidation'; empty or
        None: 'structural'); ``limited_by`` reports it where that cap wins.

    Returns
    -------
    RatingResult(t_max_C, limited_by, H_op_kA_m, B_op_T), each broadcast to the inputs' shape.

    Notes
    -----
    With dT = T - T0, K = Pc + mu_rec and linear coefficients a = alpha/100, b = beta/100,
    the knee margin is linear in dT:

        m(dT) = s*HcJ0*(1 + b*dT) - (Br0*(1 + a*dT)/mu0 + Pc*Hd)/K = m0 + m1*dT
        m0 = s*HcJ0 - (Br0/mu0 + Pc*Hd)/K,    m1 = s*HcJ0*b - Br0*a/(mu0*K)

    If m0 < 0 the part is unsafe at T0 (no rating). Otherwise
    dT_knee = m0/(-m1) where the denominator -m1 is positive, else the knee never binds
    (ferrite, with beta > 0, gets safer as it warms). t_max = min(T0 + dT_knee, Curie,
    structural). With quadratic terms m(dT) gains m2*dT^2 and dT_knee is its first
    positive root. Higher Pc normally raises t_max, but with a large Hd it can lower it:
    d|H_op|/dPc has the sign of mu_rec*Hd - Br/mu0 (docs/physics.md).
    """
    args: tuple[Any, ...] = (Br0_T, HcJ0_kA_m, alpha, beta, pc, hd_kA_m, mu_rec, squareness)
    args += (T0_C, curie_C, structural_C, alpha2, beta2)
    br0, h0, a, b, p, hd, mr, s, t0, tc, ts = (_arr(x) for x in args[:11])
    tc = np.where(np.isnan(tc), np.inf, tc)
    ts = np.where(np.isnan(ts), np.inf, ts)
    K = p + mr
    brk = br0 / (_T_PER_KA_M * K)  # kA/m: the Br part of |H_op| at T0
    sh = s * h0
    m0 = sh - brk - p * hd / K
    dt_knee, unsafe, a2 = _knee_offset(sh, brk, m0, a, b, alpha2, beta2, t0, tc)
    t_knee = t0 + dt_knee
    limited = _limit_labels(t_knee, tc, ts, unsafe, limit_kind)
    t_max = np.where(unsafe, np.nan, np.minimum(t_knee, np.minimum(tc, ts)))
    # working point at t_max (at T0 where unsafe)
    dT = np.where(unsafe, 0.0, t_max - t0)
    fa = 1.0 + a / 100.0 * dT
    if a2 is not None:
        fa = fa + a2 / 100.0 * dT * dT
    br_t = br0 * np.maximum(fa, 0.0)
    H = _h_op(br_t, p, hd, mr)
    B = br_t - _T_PER_KA_M * mr * H
    return RatingResult(
        _out(t_max, args, "t_max_C"),
        _out(limited, args, "limited_by"),
        _out(H, args, "H_op_kA_m"),
        _out(B, args, "B_op_T"),
    )


def holds_cold(
    Br0_T,
    HcJ0_kA_m,
    alpha,
    beta,
    *,
    pc,
    hd_kA_m=0.0,
    mu_rec=1.05,
    squareness=0.9,
    cold_C=-40.0,
    T0_C=20.0,
    alpha2=None,
    beta2=None,
):
    """Whether the magnet holds (|H_op| <= s*HcJ) at the cold end, a bool per element.

    Ferrite has beta > 0: its HcJ falls in the cold while Br rises, so a ferrite part that
    is fine at 20 degC can demagnetise at -40 degC. For NdFeB/SmCo (beta < 0) the cold end
    is the easy side. With linear coefficients the margin is linear in T, so checking
    cold_C (and T0, which the rating checks) covers the whole range in between.
    NaN inputs give False.
    """
    args = (Br0_T, HcJ0_kA_m, alpha, beta, pc, hd_kA_m, mu_rec, squareness, cold_C, T0_C)
    m = _arr(
        knee_margin(
            _arr(Br0_T),
            _arr(HcJ0_kA_m),
            _arr(alpha),
            _arr(beta),
            _arr(cold_C),
            pc=_arr(pc),
            hd_kA_m=_arr(hd_kA_m),
            mu_rec=_arr(mu_rec),
            squareness=_arr(squareness),
            T0_C=_arr(T0_C),
            alpha2=alpha2,
            beta2=beta2,
        )
    )
    return _out(m >= 0, args, "holds_cold")


def __getattr__(name: str) -> Any:
    # the display curves live in magnets.physics.curves; they stay importable from here
    # (lazily, PEP 562: curves imports this module)
    if name in ("DemagCurves", "demag_curves"):
        from magnets.physics import curves

        return getattr(curves, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
