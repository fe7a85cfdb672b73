"""The inverse of the coercivity model: the Dy and Tb a route needs, and the trade-off table.

:func:`hree_needed` gives the Dy and Tb (wt%) a route needs so that a magnet rates at T
at (Pc, Hd), NaN where the route cannot reach T; :func:`tradeoff` lays that out over routes
x temperatures with the flux that results. Both take the library's fitted models
explicitly (:func:`magnets.physics.coercivity.fitted_coercivity_model`,
:func:`magnets.physics.beta.fitted_beta_model`); nothing is loaded here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from magnets.physics.beta import BetaModel, route_group
from magnets.physics.coercivity import (
    ROUTES,
    CoercivityModel,
    _per_route,
    _thickness_factor,
    hcj0_br0,
)
from magnets.units import T_PER_KA_M


def _solver(s: Any, d: Any, c: Any, dT: Any, a: Any, P: Any, Hd: Any, K: Any) -> Any:
    """solve(h0, hx, b0, bx, lo, hi): x in [lo, hi] meeting A + B x >= 0, NaN if none.

    x is measured from the stage start; A and B as in :func:`hree_needed`.
    """
    mu = T_PER_KA_M

    def solve(h0: Any, hx: Any, b0: Any, bx: Any, lo: Any, hi: Any) -> Any:
        # an extreme Pc or Hd overflows A or B to +-inf, which the tests below handle
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            A = s * (h0 * (1 + d * dT) + c * dT) - (b0 * (1 + a * dT) / mu + P * Hd) / K
            B = s * hx * (1 + d * dT) + bx * (1 + a * dT) / (mu * K)
            x = np.where(A >= 0, 0.0, np.where(B > 0, -A / B, np.inf))
        return np.where(x <= hi - lo + 1e-12, lo + x, np.nan)

    return solve


def _stages(
    r: np.ndarray, f: Any, hbase: Any, brb: Any, m: CoercivityModel, solve: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(Dy, Tb, stage-2 used, stage result finite) per element, before reachability masks."""
    hmax = m.hree_max_wt_pct
    is_tb, is_dy, is_bulk = r == "gbd-tb", r == "gbd-dy", r == "bulk"
    # stage 1 of each route
    sat1 = np.where(
        is_tb, m.sat_Tb_wt_pct, np.where(is_dy, m.sat_Dy_wt_pct, np.where(is_bulk, hmax, 0.0))
    )
    hx1 = np.where(
        is_tb,
        f * m.e_Tb_kA_m_per_wt,
        np.where(is_dy, f * m.e_Dy_kA_m_per_wt, np.where(is_bulk, m.k_Dy_kA_m_per_wt, 0.0)),
    )
    x1 = solve(hbase, hx1, brb, m.c_Br_T_per_wt, 0.0, sat1)
    # stage 2 (GBD routes): substrate Dy on top of the saturated diffusion
    gain_sat = f * np.where(is_tb, m.cap_Tb_kA_m, np.where(is_dy, m.cap_Dy_kA_m, 0.0))
    h2 = hbase + gain_sat
    b2 = brb - m.c_Br_T_per_wt * sat1
    x2 = solve(h2, m.k_Dy_kA_m_per_wt, b2, m.c_Br_T_per_wt, 0.0, hmax)
    use2 = (is_tb | is_dy) & np.isnan(x1)
    tb_out = np.where(is_tb, np.where(use2, sat1, x1), 0.0)
    dy_out = np.where(
        is_tb,
        np.where(use2, x2, 0.0),
        np.where(is_dy, np.where(use2, sat1 + x2, x1), np.where(is_bulk, x1, 0.0)),
    )
    found = np.where(use2, np.isfinite(x2), np.isfinite(x1))
    return dy_out, tb_out, use2, found


def hree_needed(
    route: Any,
    temp_C: Any,
    pc: Any,
    hd_kA_m: Any = 0.0,
    *,
    squareness: Any = 0.9,
    mu_rec: Any = 1.05,
    T0_C: Any = 20.0,
    curie_C: Any = 310.0,
    thickness_mm: Any = None,
    model: CoercivityModel,
    beta: BetaModel,
) -> dict[str, np.ndarray]:
    """Dy and Tb (wt%) a route needs so a magnet rates at ``temp_C`` at (Pc, Hd).

    NaN if not reachable.

    Arrays broadcast (e.g. routes[:, None] x temps[None, :]). Returns a dict of arrays:
    Dy_wt_pct, Tb_wt_pct, hree_wt_pct, HcJ0_kA_m, Br0_T, alpha, beta, reachable (bool).
    ``model`` and ``beta``: the library's fitted models (required).

    Closed form. With dT = T - T0, K = Pc + mu_rec and the beta model (dHcJ/dT = c + d*HcJ0):
    HcJ(T) = HcJ0*(1 + d*dT) + c*dT, and along each stage HcJ0 = h0 + hx*x, Br0 = b0 - bx*x, so
    the knee condition s*HcJ(T) >= (Br0*(1 + a*dT)/mu0 + Pc*Hd)/K is linear in x:
        A + B*x >= 0,  A = s*(h0*(1+d*dT) + c*dT) - (b0*(1+a*dT)/mu0 + Pc*Hd)/K,
                       B = s*hx*(1+d*dT) + bx*(1+a*dT)/(mu0*K)
    Stages: bulk: x = Dy in [0, 10]. gbd-tb: x = diffused Tb in [0, Tb_sat], then substrate Dy in
    [0, 10]. gbd-dy: diffused Dy in [0, Dy_sat], then substrate Dy. dy-free: no HREE;
    reachable or not.
    The smallest x meeting the condition in the first stage that can is the answer.
    """
    m, bm = model, beta
    r, T, P, Hd, s, mr, t0, tc = np.broadcast_arrays(
        np.asarray(route, dtype=object),
        *(
            np.asarray(v, dtype=float)
            for v in (temp_C, pc, hd_kA_m, squareness, mu_rec, T0_C, curie_C)
        ),
    )
    grp = route_group(r)
    c = np.where(grp == "gbd", bm.groups["gbd"].c_kA_m_per_K, bm.groups["bulk"].c_kA_m_per_K)
    d = np.where(grp == "gbd", bm.groups["gbd"].d_per_K, bm.groups["bulk"].d_per_K)
    a = _per_route(r, m.alpha_route) / 100.0
    dT = T - t0
    f = _thickness_factor(thickness_mm, m.thickness_limit_mm) * np.ones_like(T)
    brb = _per_route(r, m.Br_base_T)
    hbase = np.where(r == "dy-free", m.H_free_kA_m, m.H_base_kA_m)
    solve = _solver(s, d, c, dT, a, P, Hd, P + mr)
    dy_out, tb_out, _use2, found = _stages(r, f, hbase, brb, m, solve)
    reach = np.isin(r, list(ROUTES)) & (tc > T) & found
    # dy-free: stage 1 with zero range -> reachable only if the base already holds
    dy_out = np.where(reach, dy_out, np.nan)
    tb_out = np.where(reach, tb_out, np.nan)
    h0, b0 = hcj0_br0(r, np.nan_to_num(dy_out), np.nan_to_num(tb_out), thickness_mm, model=m)
    beta_v = 100.0 * (c / h0 + d)
    return {
        "Dy_wt_pct": dy_out,
        "Tb_wt_pct": tb_out,
        "hree_wt_pct": dy_out + tb_out,
        "HcJ0_kA_m": np.where(reach, h0, np.nan),
        "Br0_T": np.where(reach, b0, np.nan),
        "alpha": a * 100.0,
        "beta": np.where(reach, beta_v, np.nan),
        "reachable": reach,
    }


def tradeoff(
    routes: Iterable[str] = ROUTES,
    temps_C: Any = None,
    *,
    pc: Any,
    hd_kA_m: Any = 0.0,
    squareness: Any = 0.9,
    mu_rec: Any = 1.05,
    T0_C: float = 20.0,
    curie_C: Any = 310.0,
    thickness_mm: Any = None,
    model: CoercivityModel,
    beta: BetaModel,
) -> pd.DataFrame:
    """Rows (route x temperature): HREE needed and the resulting flux. DataFrame with columns
    route, temp_C, Dy_wt_pct, Tb_wt_pct, hree_wt_pct (NaN where not reachable), Br_T (at T0),
    Br_T_at_temp (with the route's alpha), HcJ_kA_m (at T0), reachable."""
    temps = (
        np.arange(80.0, 240.0 + 1e-9, 10.0) if temps_C is None else np.asarray(temps_C, dtype=float)
    )
    rr = np.asarray(list(routes), dtype=object)
    R, T = np.meshgrid(np.arange(rr.size), temps, indexing="ij")
    out = hree_needed(
        rr[R],
        T,
        pc,
        hd_kA_m,
        squareness=squareness,
        mu_rec=mu_rec,
        T0_C=T0_C,
        curie_C=curie_C,
        thickness_mm=thickness_mm,
        model=model,
        beta=beta,
    )
    br_t = out["Br0_T"] * (1 + out["alpha"] / 100.0 * (T - T0_C))
    return pd.DataFrame(
        {
            "route": rr[R].ravel(),
            "temp_C": T.ravel(),
            "Dy_wt_pct": out["Dy_wt_pct"].ravel(),
            "Tb_wt_pct": out["Tb_wt_pct"].ravel(),
            "hree_wt_pct": out["hree_wt_pct"].ravel(),
            "Br_T": out["Br0_T"].ravel(),
            "Br_T_at_temp": br_t.ravel(),
            "HcJ_kA_m": out["HcJ0_kA_m"].ravel(),
            "reachable": out["reachable"].ravel(),
        }
    )
