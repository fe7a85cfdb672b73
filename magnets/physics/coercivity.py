"""Coercivity and remanence as functions of Dy and Tb content per process route.

A model fitted to the data library (memoised on the library by
:func:`fitted_coercivity_model`), never typed-in constants (the published points below):

    bulk     HcJ0 = H_base + k_Dy*Dy + k_Tb*Tb
    gbd-tb   HcJ0 = H_base + k_Dy*Dy + f(t)*min(e_Tb*Tb, cap_Tb)
    gbd-dy   HcJ0 = H_base + k_Dy*Dy_bulk + k_Tb*Tb + f(t)*min(e_Dy*Dy_diff, cap_Dy)
    dy-free  HcJ0 = H_free (+ the bulk terms if a grade holds any HREE)
    Br0 = Br_base(route) - c_Br*(Dy + Tb)

A Tb-GBD grade's Tb is all diffused and its Dy is in the substrate (the hottest GBD grades
diffuse Tb into a Dy-bearing substrate: the hybrid route). A Dy-GBD grade diffuses Dy up to
saturation (Dy_diff = min(Dy, cap/e)); the rest is taken as substrate Dy. f(t) = min(1, t_lim/t)
is the diffused volume fraction of a magnet t mm thick when diffusion reaches t_lim = 6 mm
(5-8 mm, rule of thumb, unsourced).

The temperature coefficient beta(HcJ0, route) is fitted in :mod:`magnets.physics.beta`; the
inverse (the Dy and Tb a route needs to rate a magnet for T) is :mod:`magnets.physics.hree`.

The library's Dy/Tb contents of grades are labelled estimates (no maker publishes them),
so the HREE coefficients are fitted to estimates plus the published points below
(:data:`PUBLISHED_POINTS`); docs/physics.md lists both sets of residuals.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.physics.beta import NDFEB_RATED_FAMILIES, BetaModel
from magnets.physics.hree_estimate import DY_OVER_TB_GBD
from magnets.units import KA_M_PER_KOE

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

ROUTES = ("bulk", "gbd-dy", "gbd-tb", "dy-free")
_KOE = KA_M_PER_KOE  # kA/m per kOe (79.577), from magnets.units

#: Published points used by the fit or shown beside it.
#: kind 'bulk': a bulk-alloyed magnet (HcJ0, Br0 at a Dy content); 'gbd-tb-saturated': the
#: HcJ gain of an optimised Tb GBD run (Tb amount not stated, so it measures the cap);
#: 'gb-addition-dy': intergranular Dy additions (not diffusion): compared, not fitted.
PUBLISHED_POINTS = (
    # source, kind, Dy_wt_pct, Tb_wt_pct, HcJ_gain_or_value_kA_m, Br_T, fitted
    (
        "isc.ac alloy (Nd0.8Dy0.2)(Fe,Co,B,Nb,Ga)5.5: HcJ 27.1 kOe, Br 10.45 kG, 7.4 wt% Dy [S/D]",
        "bulk",
        7.4,
        0.0,
        27.1 * _KOE,
        1.045,
        True,
    ),
    (
        "TbF3 GBD 2 h, JMMM 2017: 12.57 -> 21.70 kOe [S]",
        "gbd-tb-saturated",
        0.0,
        float("nan"),
        (21.70 - 12.57) * _KOE,
        float("nan"),
        True,
    ),
    (
        "Tb GBD stepwise anneal, Kim et al. JALCOM 2019: 15.28 -> 24.86 kOe [S]",
        "gbd-tb-saturated",
        0.0,
        float("nan"),
        (24.86 - 15.28) * _KOE,
        float("nan"),
        True,
    ),
    (
        "Mainrich 'GBD vs bulk alloyed': 0.35 wt% Tb coating, N45H -> N45UH, "
        "HcJ 17.67 -> 26.55 kOe [S]",
        "gbd-tb-gain",
        0.0,
        0.35,
        (26.55 - 17.67) * _KOE,
        float("nan"),
        True,
    ),
    (
        "Dy69Ni31 intergranular, Liu et al. JMMM 2014: +6.25 kOe at 0.68 at% (~1.7 wt%) Dy [S/D]",
        "gb-addition-dy",
        1.7,
        0.0,
        6.25 * _KOE,
        float("nan"),
        False,
    ),
    (
        "(Pr37Dy30Cu33)Hx dual alloy, Zhang et al. JMMM 2015: "
        "+3.2 kOe at 0.32 at% (~0.8 wt%) Dy [S/D]",
        "gb-addition-dy",
        0.8,
        0.0,
        3.2 * _KOE,
        float("nan"),
        False,
    ),
    (
        "Dy2O3 intergranular, Ma et al. Mater. Express 2016: "
        "+6.8 kOe at 4 wt% Dy2O3 (3.49 wt% Dy) [S/D]",
        "gb-addition-dy",
        3.49,
        0.0,
        6.8 * _KOE,
        float("nan"),
        False,
    ),
)
#: Tb/Dy bulk efficiency ratio: unsourced rule of thumb "Tb ~1.7-2x the HcJ gain of Dy per wt%"
#: (mid-point).
TB_OVER_DY_BULK = 1.85
#: Thickness GBD reaches through: unsourced rule of thumb 5-8 mm; Mainrich [S] 3-6 mm per face.
#: 6 mm used (= 2 faces x 3 mm, the low end of Mainrich and inside the rule-of-thumb band).
THICKNESS_LIMIT_MM = 6.0
#: Band of the saturated GBD gain, kOe ([GK] 8-12 kOe; [S] +9.1 and +9.6 kOe runs).
GBD_CAP_KOE = (8.0, 12.0)
#: Highest bulk HREE: Nikkei 2012 [S] 3-10 mass % Dy in motor magnets;
#: Kim 2011 [S] studied up to 9.77 wt%.
HREE_MAX_WT_PCT = 10.0


@dataclass(frozen=True)
class CoercivityModel:
    """Fitted HcJ0/Br0 model (see the module docstring for the equations). Units: kA/m, T, wt%."""

    H_base_kA_m: float
    k_Dy_kA_m_per_wt: float
    k_Tb_kA_m_per_wt: float
    c_Br_T_per_wt: float
    Br_base_T: dict
    H_free_kA_m: float
    e_Tb_kA_m_per_wt: float
    cap_Tb_kA_m: float
    e_Dy_kA_m_per_wt: float
    cap_Dy_kA_m: float
    alpha_route: dict
    thickness_limit_mm: float = THICKNESS_LIMIT_MM
    hree_max_wt_pct: float = HREE_MAX_WT_PCT
    residuals: Any = field(default=None, repr=False, compare=False)
    published: Any = field(default=None, repr=False, compare=False)
    notes: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def sat_Tb_wt_pct(self) -> float:
        return self.cap_Tb_kA_m / self.e_Tb_kA_m_per_wt

    @property
    def sat_Dy_wt_pct(self) -> float:
        return self.cap_Dy_kA_m / self.e_Dy_kA_m_per_wt


def _thickness_factor(thickness_mm: Any, limit_mm: float) -> Any:
    if thickness_mm is None:
        return 1.0
    t = np.asarray(thickness_mm, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isnan(t) | (t <= limit_mm), 1.0, limit_mm / t)


def _per_route(route: Any, table: dict, default: float = np.nan) -> np.ndarray:
    r = np.asarray(route, dtype=object)
    out = np.full(r.shape, default, dtype=float)
    for k, v in table.items():
        out = np.where(r == k, v, out)
    return out


def hcj0_br0(
    route: Any, Dy_wt_pct: Any, Tb_wt_pct: Any, thickness_mm: Any = None, *, model: CoercivityModel
) -> tuple[Any, Any]:
    """HcJ0 (kA/m) and Br0 (T) at T0 for a route and whole-magnet Dy and Tb contents (wt%).

    Arrays broadcast. gbd-tb: all Tb is diffused (gain min(e*Tb, cap), Tb past saturation is
    wasted) and Dy sits in the substrate (the hybrid route of the hottest grades). gbd-dy: Dy is
    diffused up to saturation (cap/e), the rest is taken as substrate Dy at bulk efficiency.
    ``thickness_mm`` (optional) scales the diffused gain by the diffused volume fraction
    min(1, t_lim/t). ``model``: the library's fit (:func:`fitted_coercivity_model`).
    """
    m = model
    r = np.asarray(route, dtype=object)
    dy = np.asarray(Dy_wt_pct, dtype=float)
    tb = np.asarray(Tb_wt_pct, dtype=float)
    f = _thickness_factor(thickness_mm, m.thickness_limit_mm)
    tb_diff = np.where(
        r == "gbd-tb", tb, 0.0
    )  # a Tb-GBD grade's Tb is all diffused (excess is wasted)
    dy_diff = np.where(
        r == "gbd-dy", np.minimum(dy, m.sat_Dy_wt_pct), 0.0
    )  # Dy beyond saturation: substrate
    base = np.where(r == "dy-free", m.H_free_kA_m, m.H_base_kA_m)
    h = (
        base
        + m.k_Dy_kA_m_per_wt * (dy - dy_diff)
        + m.k_Tb_kA_m_per_wt * (tb - tb_diff)
        + f
        * (
            np.minimum(m.e_Tb_kA_m_per_wt * tb_diff, m.cap_Tb_kA_m)
            + np.minimum(m.e_Dy_kA_m_per_wt * dy_diff, m.cap_Dy_kA_m)
        )
    )
    br = _per_route(r, m.Br_base_T) - m.c_Br_T_per_wt * (dy + tb)
    return h, br


def diffusion_depth_loss_kA_m(
    route: Any, Dy_wt_pct: Any, Tb_wt_pct: Any, thickness_mm: Any, *, model: CoercivityModel
) -> np.ndarray:
    """HcJ0 (kA/m, >= 0) a magnet of a route loses when it is thicker than diffusion reaches.

    The diffused gain of :func:`hcj0_br0` scales by min(1, t_lim/t) (the limit ``tradeoff
    --thickness`` applies); this is the difference ``hcj0_br0(...)`` without a thickness minus
    ``hcj0_br0(...)`` at ``thickness_mm``. 0 for bulk and dy-free magnets, for t <= t_lim and
    where the thickness is NaN. Arrays broadcast (e.g. routes [G] x thickness [C, 1]).
    """
    h_thin, _ = hcj0_br0(route, Dy_wt_pct, Tb_wt_pct, None, model=model)
    h_thick, _ = hcj0_br0(route, Dy_wt_pct, Tb_wt_pct, thickness_mm, model=model)
    return np.maximum(np.asarray(h_thin - h_thick, dtype=float), 0.0)


def _grid_gbd(
    h_obs: np.ndarray,
    element_wt: np.ndarray,
    bulk_other: np.ndarray,
    e_grid: np.ndarray,
    cap_grid: np.ndarray,
    k_bulk: float,
    h_base: float,
    sat_obs: Any = (),
    gain_obs: Any = (),
    excess_to_bulk: bool = True,
) -> tuple[float, float]:
    """Least-squares (e, cap) over a grid, for GBD grades with one diffusing element.

    h_obs: HcJ0 of the grades; element_wt: the diffusing element's wt%; bulk_other: HcJ from
    the other (substrate) HREE. sat_obs: published saturated gains (observations of cap).
    """
    E = e_grid[:, None, None]
    Cp = cap_grid[None, :, None]
    x = element_wt[None, None, :]
    sat = Cp / E
    diff = np.minimum(x, sat) if excess_to_bulk else x
    pred = h_base + bulk_other[None, None, :] + k_bulk * (x - diff) + np.minimum(E * diff, Cp)
    sse = np.sum((pred - h_obs[None, None, :]) ** 2, axis=-1)
    for s in sat_obs:
        sse = sse + (cap_grid[None, :] - s) ** 2
    for x_pub, gain in gain_obs:  # published gain at a known whole-magnet amount
        sse = sse + (np.minimum(e_grid[:, None] * x_pub, cap_grid[None, :]) - gain) ** 2
    i, j = np.unravel_index(int(np.argmin(sse)), sse.shape)
    return float(e_grid[i]), float(cap_grid[j])


@dataclass(frozen=True)
class _NdPoints:
    """The library's rated NdFeB grades as arrays (HREE NaN read as 0)."""

    ids: np.ndarray
    route: np.ndarray
    h: np.ndarray
    br: np.ndarray
    dy: np.ndarray
    tb: np.ndarray
    alpha: pd.Series


def _nd_points(grades: pd.DataFrame) -> _NdPoints:
    nd = grades[grades["family"].isin(NDFEB_RATED_FAMILIES)]

    def num(c: str) -> np.ndarray:
        return pd.to_numeric(nd[c], errors="coerce").to_numpy(dtype=float)

    return _NdPoints(
        ids=np.asarray(nd.index.astype(str)),
        route=nd["route"].astype(str).to_numpy(),
        h=num("HcJ_kA_m"),
        br=num("Br_T"),
        dy=np.nan_to_num(num("Dy_wt_pct")),
        tb=np.nan_to_num(num("Tb_wt_pct")),
        alpha=pd.to_numeric(nd["alpha_Br_pct_per_K"], errors="coerce"),
    )


def _fit_bulk(p: _NdPoints) -> tuple[float, float, float, float, dict[str, float]]:
    """Steps 1-2: (H_base, k_Dy, k_Tb, c_Br, Br_base per route) from bulk grades + the alloy."""
    route, h, br, dy, tb = p.route, p.h, p.br, p.dy, p.tb
    pub = [q for q in PUBLISHED_POINTS if q[1] == "bulk"]
    bulk = (route == "bulk") & np.isfinite(h) & np.isfinite(br)
    x = np.concatenate([dy[bulk] + TB_OVER_DY_BULK * tb[bulk], [q[2] for q in pub]])
    y = np.concatenate([h[bulk], [q[4] for q in pub]])
    A = np.column_stack([np.ones_like(x), x])
    (h_base, k_dy), *_ = np.linalg.lstsq(A, y, rcond=None)
    k_tb = TB_OVER_DY_BULK * k_dy
    xb = np.concatenate([dy[bulk] + tb[bulk], [q[2] + q[3] for q in pub]])
    yb = np.concatenate([br[bulk], [q[5] for q in pub]])
    (br0, slope), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(xb), xb]), yb, rcond=None)
    c_br = float(-slope)
    br_base = {"bulk": float(br0)}
    for r in ("gbd-dy", "gbd-tb", "dy-free"):
        sel = (route == r) & np.isfinite(br)
        br_base[r] = (
            float(np.mean(br[sel] + c_br * (dy[sel] + tb[sel]))) if sel.any() else float(br0)
        )
    return float(h_base), float(k_dy), float(k_tb), c_br, br_base


def _fit_gbd(
    p: _NdPoints, h_base: float, k_dy: float, k_tb: float, notes: dict
) -> tuple[float, float, float, float]:
    """Step 3: (e_Tb, cap_Tb, e_Dy, cap_Dy) by least-squares grids, cap in the 8-12 kOe band."""
    route, h, dy, tb = p.route, p.h, p.dy, p.tb
    e_grid = np.arange(100.0, 5000.0 + 1e-9, 10.0)
    # the GBD gain saturates at roughly 8-12 kOe ([GK]); the cap is fitted inside that band
    cap_grid = np.arange(GBD_CAP_KOE[0] * _KOE, GBD_CAP_KOE[1] * _KOE + 1e-9, 1.0)
    sat_tb = [q[4] for q in PUBLISHED_POINTS if q[1] == "gbd-tb-saturated"]
    gain_tb = [(q[3], q[4]) for q in PUBLISHED_POINTS if q[1] == "gbd-tb-gain"]
    sel = (route == "gbd-tb") & np.isfinite(h)
    e_tb, cap_tb = _grid_gbd(
        h[sel],
        tb[sel],
        k_dy * dy[sel],
        e_grid,
        cap_grid,
        k_tb,
        h_base,
        sat_tb,
        gain_tb,
        excess_to_bulk=False,
    )
    sel = (route == "gbd-dy") & np.isfinite(h)
    if sel.sum() >= 2:
        e_dy, cap_dy = _grid_gbd(h[sel], dy[sel], k_tb * tb[sel], e_grid, cap_grid, k_dy, h_base)
    else:
        f = DY_OVER_TB_GBD
        e_dy, cap_dy = e_tb * f, cap_tb * f
        notes["gbd-dy"] = (
            f"no gbd-dy grades: {f:.3f} of Tb's e and cap (DyF3 against TbF3 on one magnet "
            "[uenohara2020])"
        )
    return e_tb, cap_tb, e_dy, cap_dy


def _grade_residuals(p: _NdPoints, model: CoercivityModel) -> pd.DataFrame:
    hm, bm = hcj0_br0(p.route, p.dy, p.tb, model=model)
    res = pd.DataFrame(
        {
            "id": p.ids,
            "route": p.route,
            "Dy_wt_pct": p.dy,
            "Tb_wt_pct": p.tb,
            "HcJ_kA_m": p.h,
            "HcJ_model_kA_m": hm,
            "HcJ_residual_kA_m": p.h - hm,
            "Br_T": p.br,
            "Br_model_T": bm,
            "Br_residual_T": p.br - bm,
        }
    )
    return res.dropna(subset=["HcJ_kA_m"]).reset_index(drop=True)


def _published_residuals(m: CoercivityModel) -> pd.DataFrame:
    rows = []
    for src, kind, pdy, ptb, val, pbr, fitted in PUBLISHED_POINTS:
        if kind == "bulk":
            mh, mb = hcj0_br0("bulk", pdy, ptb, model=m)
            rows.append((src, kind, pdy, ptb, val, float(mh), pbr, float(mb), fitted))
        elif kind == "gbd-tb-saturated":
            rows.append((src, kind, pdy, ptb, val, m.cap_Tb_kA_m, pbr, np.nan, fitted))
        elif kind == "gbd-tb-gain":
            gain = float(min(m.e_Tb_kA_m_per_wt * ptb, m.cap_Tb_kA_m))
            rows.append((src, kind, pdy, ptb, val, gain, pbr, np.nan, fitted))
        else:
            gain = float(min(m.e_Dy_kA_m_per_wt * pdy, m.cap_Dy_kA_m))
            rows.append((src, kind, pdy, ptb, val, gain, pbr, np.nan, fitted))
    published = pd.DataFrame(
        rows,
        columns=[
            "source",
            "kind",
            "Dy_wt_pct",
            "Tb_wt_pct",
            "observed_kA_m",
            "model_kA_m",
            "Br_T",
            "Br_model_T",
            "fitted",
        ],
    )
    published["residual_kA_m"] = published["observed_kA_m"] - published["model_kA_m"]
    return published


def fit_coercivity(grades: pd.DataFrame, beta_fit: BetaModel | None = None) -> CoercivityModel:
    """Fit the HcJ0/Br0 model to the library's NdFeB grades and the published points.

    1. bulk: least squares HcJ0 = H_base + k_Dy*(Dy + 1.85*Tb) over bulk sintered grades plus the
       published 7.4 wt% Dy alloy; k_Tb = 1.85*k_Dy (unsourced rule of thumb, 1.7-2x).
    2. c_Br: least squares Br = Br_base - c_Br*(Dy + Tb) over bulk grades (+ the same alloy);
       Br_base per route = mean of Br + c_Br*(Dy+Tb) over the route's grades.
    3. gbd-tb, gbd-dy: (e, cap), cap inside the 8-12 kOe band, by a vectorised least-squares grid
       over the route's grades with
       H_base, k_Dy, k_Tb fixed (substrate HREE at bulk efficiency); the two published saturated
       Tb GBD gains enter the Tb fit as observations of cap_Tb, and Mainrich's +8.9 kOe from
       0.35 wt% Tb as a gain at a known amount. Without gbd-dy grades, Dy GBD takes
       0.563 of Tb's e and cap (the DyF3/TbF3 gain ratio on one magnet [uenohara2020]).
    4. dy-free: H_free = mean HcJ0 of the dy-free grades.
    Library Dy/Tb are labelled estimates (nobody publishes them); so is this fit.
    ``beta_fit`` is accepted for compatibility and not used.
    """
    p = _nd_points(grades)
    h_base, k_dy, k_tb, c_br, br_base = _fit_bulk(p)
    notes = {"k_Tb": f"k_Tb = {TB_OVER_DY_BULK} x k_Dy (unsourced rule of thumb, Tb 1.7-2x Dy)"}
    e_tb, cap_tb, e_dy, cap_dy = _fit_gbd(p, h_base, k_dy, k_tb, notes)
    free = (p.route == "dy-free") & np.isfinite(p.h)
    h_free = float(np.mean(p.h[free])) if free.any() else float(h_base)
    alpha_route = {
        r: float(p.alpha[p.route == r].median())
        if (p.route == r).any()
        else float(p.alpha.median())
        for r in ROUTES
    }
    model = CoercivityModel(
        h_base,
        k_dy,
        k_tb,
        c_br,
        br_base,
        h_free,
        e_tb,
        cap_tb,
        e_dy,
        cap_dy,
        alpha_route,
        notes=notes,
    )
    return replace(
        model, residuals=_grade_residuals(p, model), published=_published_residuals(model)
    )


def fitted_coercivity_model(lib: Library) -> CoercivityModel:
    """The HcJ0/Br0 model fitted to ``lib``.

    Memoised on ``lib`` (it lives as long as the library)."""
    return lib.derived("coercivity_model", lambda lb: fit_coercivity(lb.grades))


def default_coercivity_model(lib: Library) -> CoercivityModel:
    """Old name of :func:`fitted_coercivity_model`; ``lib`` is required (no built-in fallback)."""
    return fitted_coercivity_model(lib)
