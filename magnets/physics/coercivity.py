"""Coercivity and remanence as functions of Dy and Tb content per process route, and the
temperature coefficient of HcJ as a function of HcJ0.

Three fitted models live here, each a result computed from the data library (cached per
library version), never typed-in constants:

1. **beta(HcJ0, route)**. With a constant beta, HcJ(T) reaches zero at T0 + 100/|beta|
   whatever HcJ0 is. The data say the absolute slope dHcJ/dT changes far less than HcJ0
   (Arnold: N -0.75, M -0.675, H -0.605 %/K; Mainrich N42SH -0.50; HL Tb-diffused grades
   -0.46..-0.59). We model

       dHcJ/dT = c + d*HcJ0   [kA/m/K]    <=>   beta = 100*(c/HcJ0 + d)   [%/K]

   per route group ('bulk' = bulk and dy-free; 'gbd' = gbd-dy and gbd-tb), least squares
   in beta over the sourced grades that publish beta. HcJ(T) = HcJ0*(1 + d*dT) + c*dT is
   then linear in HcJ0, which makes the inverse below closed form.

2. **HcJ0, Br0 vs Dy, Tb** per route (DESIGN.md, FACTS.md section 3):
       bulk     HcJ0 = H_base + k_Dy*Dy + k_Tb*Tb
       gbd-tb   HcJ0 = H_base + k_Dy*Dy + f(t)*min(e_Tb*Tb, cap_Tb)
       gbd-dy   HcJ0 = H_base + k_Dy*Dy_bulk + k_Tb*Tb + f(t)*min(e_Dy*Dy_diff, cap_Dy)
       dy-free  HcJ0 = H_free (+ the bulk terms if a grade holds any HREE)
       Br0 = Br_base(route) - c_Br*(Dy + Tb)
   A Tb-GBD grade's Tb is all diffused and its Dy is in the substrate (the hottest GBD grades
   diffuse Tb into a Dy-bearing substrate: the hybrid route). A Dy-GBD grade diffuses Dy up to
   saturation (Dy_diff = min(Dy, cap/e)); the rest is taken as substrate Dy. f(t) = min(1, t_lim/t) is the diffused volume fraction of
   a magnet t mm thick when diffusion reaches t_lim = 6 mm (5-8 mm, FACTS.md section 1.2).

3. Its **inverse**: the Dy and Tb wt% a route needs to rate a magnet for T at (Pc, Hd);
   NaN where the route cannot reach T.

The library's Dy/Tb contents of grades are labelled estimates (no maker publishes them),
so the HREE coefficients are fitted to estimates plus the published points of FACTS.md
section 3; docs/physics.md lists both sets of residuals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ROUTES = ("bulk", "gbd-dy", "gbd-tb", "dy-free")
NDFEB_RATED_FAMILIES = ("ndfeb-sintered", "ndfeb-hot-deformed")
_KOE = 1000.0 / (4.0 * math.pi)  # kA/m per kOe (79.577)
_T_PER_KA_M = 4e-7 * math.pi * 1e3


def _route_group(route):
    """'gbd' for gbd-dy/gbd-tb, 'bulk' for everything else (bulk, dy-free)."""
    r = np.asarray(route, dtype=object)
    return np.where(np.isin(r, ["gbd-dy", "gbd-tb"]), "gbd", "bulk")


# ============================================================================ beta(HcJ0)
@dataclass(frozen=True)
class BetaFit:
    """dHcJ/dT = c + d*HcJ0 for one route group; beta = 100*(c/HcJ0 + d) %/K.

    c_kA_m_per_K, d_per_K : fitted coefficients.
    n_points : distinct (HcJ0, beta) points used. residual_rms_pct_per_K : RMS of beta residuals.
    source : 'fit' or how the group fell back.
    """

    group: str
    c_kA_m_per_K: float
    d_per_K: float
    n_points: int
    residual_rms_pct_per_K: float
    source: str

    def beta(self, HcJ0_kA_m):
        return 100.0 * (self.c_kA_m_per_K / np.asarray(HcJ0_kA_m, dtype=float) + self.d_per_K)


@dataclass(frozen=True)
class BetaModel:
    """beta(HcJ0) per route group for NdFeB, plus a median beta per other family.

    residuals : DataFrame per sourced grade: id, family, route, group, HcJ_kA_m, beta, beta_fit, residual.
    """

    groups: dict[str, BetaFit]
    family_beta: dict[str, float]
    residuals: Any = field(repr=False, compare=False, default=None)
    family_source: dict[str, str] = field(default_factory=dict)
    #: secant HcJ(T) fits per alloy with beta_model 'secant_vs_Br' (magnets.physics.ratings)
    alloy_fits: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def beta(self, HcJ0_kA_m, route, family=None) -> np.ndarray:
        h = np.asarray(HcJ0_kA_m, dtype=float)
        grp = _route_group(route)
        out = np.where(grp == "gbd", self.groups["gbd"].beta(h), self.groups["bulk"].beta(h))
        if family is not None:
            fam = np.asarray(family, dtype=object)
            is_ndfeb = np.isin(fam, NDFEB_RATED_FAMILIES)
            fam_beta = (
                np.array([self.family_beta.get(f, np.nan) for f in np.ravel(fam)]).reshape(
                    fam.shape
                )
                if fam.ndim
                else np.array(self.family_beta.get(fam.item(), np.nan))
            )
            out = np.where(is_ndfeb, out, fam_beta)
        return out


def _ls_beta(h: np.ndarray, beta: np.ndarray) -> tuple[float, float, float]:
    """Least squares beta = 100*d + 100*c/h. Returns (c, d, rms residual)."""
    X = np.column_stack([np.full_like(h, 100.0), 100.0 / h])
    coef, *_ = np.linalg.lstsq(X, beta, rcond=None)
    d, c = float(coef[0]), float(coef[1])
    res = beta - X @ coef
    return c, d, float(np.sqrt(np.mean(res**2)))


def fit_beta(grades, families=None) -> BetaModel:
    """Fit beta(HcJ0) per route group from the grades whose source publishes beta.

    Points are (HcJ_kA_m, beta_HcJ_pct_per_K) of sintered and hot-deformed NdFeB grades,
    de-duplicated per (group, HcJ0, beta) so that a catalogue listing one class coefficient
    for ten Br variants counts once. A group with fewer than 3 distinct points keeps the
    bulk slope d and fits only its intercept c (stated in ``source``).

    Other families (SmCo, ferrite, bonded) take the median of their grades' sourced betas,
    else the mid-point of the family's beta range in ``families`` (``family_source`` says which).
    """
    import pandas as pd

    g = grades
    beta = pd.to_numeric(g["beta_HcJ_pct_per_K"], errors="coerce")
    h = pd.to_numeric(g["HcJ_kA_m"], errors="coerce")
    fam = g["family"].astype(str)
    pts = pd.DataFrame(
        {
            "id": g.index.astype(str),
            "family": fam.to_numpy(),
            "route": g["route"].astype(str).to_numpy(),
            "HcJ_kA_m": h.to_numpy(),
            "beta": beta.to_numpy(),
        }
    )
    pts["group"] = _route_group(pts["route"].to_numpy())
    ok = pts["beta"].notna() & pts["HcJ_kA_m"].gt(0)
    nd = pts[ok & pts["family"].isin(NDFEB_RATED_FAMILIES)]
    groups: dict[str, BetaFit] = {}
    uniq = nd.drop_duplicates(["group", "HcJ_kA_m", "beta"])
    bulk = uniq[uniq["group"] == "bulk"]
    if len(bulk) < 2:
        raise ValueError(
            "expected at least 2 sintered NdFeB grades with a sourced beta to fit beta(HcJ0), "
            f"instead received {len(bulk)}; add beta_HcJ_pct_per_K to grades"
        )
    c, d, rms = _ls_beta(bulk["HcJ_kA_m"].to_numpy(), bulk["beta"].to_numpy())
    groups["bulk"] = BetaFit("bulk", c, d, len(bulk), rms, "fit")
    gbd = uniq[uniq["group"] == "gbd"]
    if len(gbd) >= 3 and gbd["HcJ_kA_m"].nunique() >= 3:
        c2, d2, rms2 = _ls_beta(gbd["HcJ_kA_m"].to_numpy(), gbd["beta"].to_numpy())
        groups["gbd"] = BetaFit("gbd", c2, d2, len(gbd), rms2, "fit")
    elif len(gbd) >= 1:
        # keep the bulk slope d; fit the intercept: beta - 100 d = 100 c/h
        hh, bb = gbd["HcJ_kA_m"].to_numpy(), gbd["beta"].to_numpy()
        c2 = float(np.sum((bb - 100 * d) * (100 / hh)) / np.sum((100 / hh) ** 2))
        res = bb - 100 * (c2 / hh + d)
        groups["gbd"] = BetaFit(
            "gbd",
            c2,
            d,
            len(gbd),
            float(np.sqrt(np.mean(res**2))),
            "intercept fit, slope d shared with bulk (fewer than 3 distinct points)",
        )
    else:
        groups["gbd"] = BetaFit("gbd", c, d, 0, rms, "no sourced GBD beta: bulk fit used")
    other = pts[ok & ~pts["family"].isin(NDFEB_RATED_FAMILIES)]
    family_beta = {str(k): float(v) for k, v in other.groupby("family")["beta"].median().items()}
    family_source = dict.fromkeys(family_beta, "median of the family's sourced grade betas")
    if families is not None and {"beta_min_pct_per_K", "beta_max_pct_per_K"} <= set(
        families.columns
    ):
        lo = pd.to_numeric(families["beta_min_pct_per_K"], errors="coerce")
        hi = pd.to_numeric(families["beta_max_pct_per_K"], errors="coerce")
        for fid in families.index:
            if fid in NDFEB_RATED_FAMILIES or fid in family_beta:
                continue
            if pd.notna(lo[fid]) and pd.notna(hi[fid]):
                family_beta[str(fid)] = float((lo[fid] + hi[fid]) / 2.0)
                family_source[str(fid)] = (
                    "mid-point of the family's beta range in families.csv (no grade beta sourced)"
                )
    fitted = np.where(
        pts["group"] == "gbd",
        groups["gbd"].beta(pts["HcJ_kA_m"].to_numpy()),
        groups["bulk"].beta(pts["HcJ_kA_m"].to_numpy()),
    )
    resid = pts[ok & pts["family"].isin(NDFEB_RATED_FAMILIES)].copy()
    resid["beta_fit"] = fitted[(ok & pts["family"].isin(NDFEB_RATED_FAMILIES)).to_numpy()]
    resid["residual"] = resid["beta"] - resid["beta_fit"]
    from magnets.physics.ratings import alloy_fits_from_grades

    return BetaModel(
        groups,
        family_beta,
        resid.reset_index(drop=True),
        family_source,
        alloy_fits_from_grades(grades),
    )


def default_beta_model(lib=None) -> BetaModel:
    """The beta model fitted to ``lib`` (default: the built-in library), cached per library version."""
    if lib is None:
        from magnets.data.library import load_library

        lib = load_library()
    return _fit_beta_cached(lib)


_BETA_CACHE: dict[str, BetaModel] = {}


def _fit_beta_cached(lib) -> BetaModel:
    key = getattr(lib, "version", None)
    if key is not None and key in _BETA_CACHE:
        return _BETA_CACHE[key]
    model = fit_beta(lib.grades, getattr(lib, "families", None))
    if key is not None:
        _BETA_CACHE[key] = model
    return model


def beta_model(HcJ0_kA_m, route, family=None, *, model: BetaModel | None = None):
    """Fitted beta (%/K) for intrinsic coercivity HcJ0 (kA/m) and process route.

    Scalars, arrays or Series in (Series in -> Series out, same index). ``family`` (optional)
    switches non-NdFeB families to the median sourced beta of their family (NaN if none).
    """
    m = model if model is not None else default_beta_model()
    out = m.beta(_values(HcJ0_kA_m), _values(route), None if family is None else _values(family))
    return _like(out, HcJ0_kA_m, "beta_HcJ_pct_per_K")


def _values(x):
    return x.to_numpy() if hasattr(x, "to_numpy") else np.asarray(x)


def _like(value, ref, name=None):
    if hasattr(ref, "index") and getattr(ref, "ndim", 0) == 1:
        import pandas as pd

        return pd.Series(np.asarray(value), index=ref.index, name=name)
    v = np.asarray(value)
    return v.item() if v.ndim == 0 else v


# ============================================================================ HcJ0, Br0 vs Dy, Tb
#: Published points of FACTS.md section 3 used by the fit or shown beside it.
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
        "Mainrich 'GBD vs bulk alloyed': 0.35 wt% Tb coating, N45H -> N45UH, HcJ 17.67 -> 26.55 kOe [S]",
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
        "(Pr37Dy30Cu33)Hx dual alloy, Zhang et al. JMMM 2015: +3.2 kOe at 0.32 at% (~0.8 wt%) Dy [S/D]",
        "gb-addition-dy",
        0.8,
        0.0,
        3.2 * _KOE,
        float("nan"),
        False,
    ),
    (
        "Dy2O3 intergranular, Ma et al. Mater. Express 2016: +6.8 kOe at 4 wt% Dy2O3 (3.49 wt% Dy) [S/D]",
        "gb-addition-dy",
        3.49,
        0.0,
        6.8 * _KOE,
        float("nan"),
        False,
    ),
)
#: Tb/Dy bulk efficiency ratio: FACTS.md 3 [GK] "Tb ~1.7-2x the HcJ gain of Dy per wt%" (mid-point).
TB_OVER_DY_BULK = 1.85
#: Thickness GBD reaches through: FACTS.md 1.2 [GK] 5-8 mm; Mainrich [S] 3-6 mm per face. 6 mm used
#: (= 2 faces x 3 mm, the low end of Mainrich and inside the FACTS band).
THICKNESS_LIMIT_MM = 6.0
#: Band of the saturated GBD gain, kOe: DESIGN.md and FACTS.md 3 ([GK] 8-12 kOe; [S] +9.1 and +9.6 kOe runs).
GBD_CAP_KOE = (8.0, 12.0)
#: Highest bulk HREE: Nikkei 2012 [S] 3-10 mass % Dy in motor magnets; Kim 2011 [S] studied up to 9.77 wt%.
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


def _thickness_factor(thickness_mm, limit_mm):
    if thickness_mm is None:
        return 1.0
    t = np.asarray(thickness_mm, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isnan(t) | (t <= limit_mm), 1.0, limit_mm / t)


def _per_route(route, table: dict, default=np.nan):
    r = np.asarray(route, dtype=object)
    out = np.full(r.shape, default, dtype=float)
    for k, v in table.items():
        out = np.where(r == k, v, out)
    return out


def hcj0_br0(
    route, Dy_wt_pct, Tb_wt_pct, thickness_mm=None, *, model: CoercivityModel | None = None
):
    """HcJ0 (kA/m) and Br0 (T) at T0 for a route and whole-magnet Dy and Tb contents (wt%).

    Arrays broadcast. gbd-tb: all Tb is diffused (gain min(e*Tb, cap), Tb past saturation is
    wasted) and Dy sits in the substrate (the hybrid route of the hottest grades). gbd-dy: Dy is
    diffused up to saturation (cap/e), the rest is taken as substrate Dy at bulk efficiency. ``thickness_mm`` (optional) scales the diffused gain by the
    diffused volume fraction min(1, t_lim/t).
    """
    m = model if model is not None else default_coercivity_model()
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


def _grid_gbd(
    h_obs,
    element_wt,
    bulk_other,
    e_grid,
    cap_grid,
    k_bulk,
    h_base,
    sat_obs=(),
    gain_obs=(),
    excess_to_bulk=True,
):
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


def fit_coercivity(grades, beta_fit: BetaModel | None = None) -> CoercivityModel:
    """Fit the HcJ0/Br0 model to the library's NdFeB grades and FACTS.md section 3.

    1. bulk: least squares HcJ0 = H_base + k_Dy*(Dy + 1.85*Tb) over bulk sintered grades plus the
       published 7.4 wt% Dy alloy; k_Tb = 1.85*k_Dy (FACTS.md 3 [GK] 1.7-2x).
    2. c_Br: least squares Br = Br_base - c_Br*(Dy + Tb) over bulk grades (+ the same alloy);
       Br_base per route = mean of Br + c_Br*(Dy+Tb) over the route's grades.
    3. gbd-tb, gbd-dy: (e, cap), cap inside the 8-12 kOe band, by a vectorised least-squares grid
       over the route's grades with
       H_base, k_Dy, k_Tb fixed (substrate HREE at bulk efficiency); the two published saturated
       Tb GBD gains enter the Tb fit as observations of cap_Tb, and Mainrich's +8.9 kOe from
       0.35 wt% Tb as a gain at a known amount. Without gbd-dy grades, Dy GBD takes
       half of Tb's e and cap (FACTS.md 3 [GK] "Dy GBD ~ half of Tb's gain").
    4. dy-free: H_free = mean HcJ0 of the dy-free grades.
    Library Dy/Tb are labelled estimates (nobody publishes them); so is this fit.
    """
    import pandas as pd

    g = grades
    nd = g[g["family"].isin(NDFEB_RATED_FAMILIES)]
    num = lambda frame, c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)  # noqa: E731
    route = nd["route"].astype(str).to_numpy()
    h, br = num(nd, "HcJ_kA_m"), num(nd, "Br_T")
    dy, tb = np.nan_to_num(num(nd, "Dy_wt_pct")), np.nan_to_num(num(nd, "Tb_wt_pct"))
    pub = [p for p in PUBLISHED_POINTS if p[1] == "bulk"]
    bulk = (route == "bulk") & np.isfinite(h) & np.isfinite(br)
    x = np.concatenate([dy[bulk] + TB_OVER_DY_BULK * tb[bulk], [p[2] for p in pub]])
    y = np.concatenate([h[bulk], [p[4] for p in pub]])
    A = np.column_stack([np.ones_like(x), x])
    (h_base, k_dy), *_ = np.linalg.lstsq(A, y, rcond=None)
    k_tb = TB_OVER_DY_BULK * k_dy
    xb = np.concatenate([dy[bulk] + tb[bulk], [p[2] + p[3] for p in pub]])
    yb = np.concatenate([br[bulk], [p[5] for p in pub]])
    (br0, slope), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(xb), xb]), yb, rcond=None)
    c_br = float(-slope)
    br_base = {"bulk": float(br0)}
    for r in ("gbd-dy", "gbd-tb", "dy-free"):
        sel = (route == r) & np.isfinite(br)
        br_base[r] = (
            float(np.mean(br[sel] + c_br * (dy[sel] + tb[sel]))) if sel.any() else float(br0)
        )
    notes = {"k_Tb": f"k_Tb = {TB_OVER_DY_BULK} x k_Dy (FACTS.md 3 [GK], Tb 1.7-2x Dy per wt%)"}
    e_grid = np.arange(100.0, 5000.0 + 1e-9, 10.0)
    # DESIGN.md / FACTS.md 3: the GBD gain saturates at roughly 8-12 kOe; the cap is fitted inside that band
    cap_grid = np.arange(GBD_CAP_KOE[0] * _KOE, GBD_CAP_KOE[1] * _KOE + 1e-9, 1.0)
    sat_tb = [p[4] for p in PUBLISHED_POINTS if p[1] == "gbd-tb-saturated"]
    gain_tb = [(p[3], p[4]) for p in PUBLISHED_POINTS if p[1] == "gbd-tb-gain"]
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
        e_dy, cap_dy = e_tb / 2.0, cap_tb / 2.0
        notes["gbd-dy"] = "no gbd-dy grades: half of Tb's e and cap (FACTS.md 3 [GK])"
    free = (route == "dy-free") & np.isfinite(h)
    h_free = float(np.mean(h[free])) if free.any() else float(h_base)
    alpha = pd.to_numeric(nd["alpha_Br_pct_per_K"], errors="coerce")
    alpha_route = {
        r: float(alpha[route == r].median()) if (route == r).any() else float(alpha.median())
        for r in ROUTES
    }
    model = CoercivityModel(
        float(h_base),
        float(k_dy),
        float(k_tb),
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
    # residuals over the library's NdFeB grades
    hm, bm = hcj0_br0(route, dy, tb, model=model)
    res = pd.DataFrame(
        {
            "id": nd.index.astype(str),
            "route": route,
            "Dy_wt_pct": dy,
            "Tb_wt_pct": tb,
            "HcJ_kA_m": h,
            "HcJ_model_kA_m": hm,
            "HcJ_residual_kA_m": h - hm,
            "Br_T": br,
            "Br_model_T": bm,
            "Br_residual_T": br - bm,
        }
    )
    pubrows = []
    for src, kind, pdy, ptb, val, pbr, fitted in PUBLISHED_POINTS:
        if kind == "bulk":
            mh, mb = hcj0_br0("bulk", pdy, ptb, model=model)
            pubrows.append((src, kind, pdy, ptb, val, float(mh), pbr, float(mb), fitted))
        elif kind == "gbd-tb-saturated":
            pubrows.append((src, kind, pdy, ptb, val, cap_tb, pbr, np.nan, fitted))
        elif kind == "gbd-tb-gain":
            pubrows.append(
                (src, kind, pdy, ptb, val, float(min(e_tb * ptb, cap_tb)), pbr, np.nan, fitted)
            )
        else:
            pubrows.append(
                (src, kind, pdy, ptb, val, float(min(e_dy * pdy, cap_dy)), pbr, np.nan, fitted)
            )
    published = pd.DataFrame(
        pubrows,
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
    return CoercivityModel(
        float(h_base),
        float(k_dy),
        float(k_tb),
        c_br,
        br_base,
        h_free,
        e_tb,
        cap_tb,
        e_dy,
        cap_dy,
        alpha_route,
        residuals=res.dropna(subset=["HcJ_kA_m"]).reset_index(drop=True),
        published=published,
        notes=notes,
    )


_COERC_CACHE: dict[str, CoercivityModel] = {}


def default_coercivity_model(lib=None) -> CoercivityModel:
    """The HcJ0/Br0 model fitted to ``lib`` (default: built-in library), cached per version."""
    if lib is None:
        from magnets.data.library import load_library

        lib = load_library()
    key = getattr(lib, "version", None)
    if key is not None and key in _COERC_CACHE:
        return _COERC_CACHE[key]
    model = fit_coercivity(lib.grades)
    if key is not None:
        _COERC_CACHE[key] = model
    return model


# ============================================================================ inverse
def hree_needed(
    route,
    temp_C,
    pc,
    hd_kA_m=0.0,
    *,
    squareness=0.9,
    mu_rec=1.05,
    T0_C=20.0,
    curie_C=310.0,
    thickness_mm=None,
    model: CoercivityModel | None = None,
    beta: BetaModel | None = None,
):
    """Dy and Tb (wt%) a route needs so a magnet rates at ``temp_C`` at (Pc, Hd); NaN if not reachable.

    Arrays broadcast (e.g. routes[:, None] x temps[None, :]). Returns a dict of arrays:
    Dy_wt_pct, Tb_wt_pct, hree_wt_pct, HcJ0_kA_m, Br0_T, alpha, beta, reachable (bool).

    Closed form. With dT = T - T0, K = Pc + mu_rec and the beta model (dHcJ/dT = c + d*HcJ0):
    HcJ(T) = HcJ0*(1 + d*dT) + c*dT, and along each stage HcJ0 = h0 + hx*x, Br0 = b0 - bx*x, so
    the knee condition s*HcJ(T) >= (Br0*(1 + a*dT)/mu0 + Pc*Hd)/K is linear in x:
        A + B*x >= 0,  A = s*(h0*(1+d*dT) + c*dT) - (b0*(1+a*dT)/mu0 + Pc*Hd)/K,
                       B = s*hx*(1+d*dT) + bx*(1+a*dT)/(mu0*K)
    Stages: bulk: x = Dy in [0, 10]. gbd-tb: x = diffused Tb in [0, Tb_sat], then substrate Dy in
    [0, 10]. gbd-dy: diffused Dy in [0, Dy_sat], then substrate Dy. dy-free: no HREE; reachable or not.
    The smallest x meeting the condition in the first stage that can is the answer.
    """
    m = model if model is not None else default_coercivity_model()
    bm = beta if beta is not None else default_beta_model()
    r, T, P, Hd, s, mr, t0, tc = np.broadcast_arrays(
        np.asarray(route, dtype=object),
        *(
            np.asarray(v, dtype=float)
            for v in (temp_C, pc, hd_kA_m, squareness, mu_rec, T0_C, curie_C)
        ),
    )
    grp = _route_group(r)
    c = np.where(grp == "gbd", bm.groups["gbd"].c_kA_m_per_K, bm.groups["bulk"].c_kA_m_per_K)
    d = np.where(grp == "gbd", bm.groups["gbd"].d_per_K, bm.groups["bulk"].d_per_K)
    a = _per_route(r, m.alpha_route) / 100.0
    dT = T - t0
    K = P + mr
    f = _thickness_factor(thickness_mm, m.thickness_limit_mm) * np.ones_like(T)
    brb = _per_route(r, m.Br_base_T)
    hbase = np.where(r == "dy-free", m.H_free_kA_m, m.H_base_kA_m)
    mu = _T_PER_KA_M
    hmax = m.hree_max_wt_pct

    def solve(h0, hx, b0, bx, lo, hi):
        """x in [lo, hi] meeting A + B x >= 0 (x measured from the stage start); NaN if none."""
        A = s * (h0 * (1 + d * dT) + c * dT) - (b0 * (1 + a * dT) / mu + P * Hd) / K
        B = s * hx * (1 + d * dT) + bx * (1 + a * dT) / (mu * K)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(A >= 0, 0.0, np.where(B > 0, -A / B, np.inf))
        return np.where(x <= hi - lo + 1e-12, lo + x, np.nan)

    # stage 1 of each route
    is_tb, is_dy, is_bulk = r == "gbd-tb", r == "gbd-dy", r == "bulk"
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
    gbd = is_tb | is_dy
    use2 = gbd & np.isnan(x1)
    ok_route = np.isin(r, list(ROUTES))
    below_curie = tc > T
    tb_out = np.where(is_tb, np.where(use2, sat1, x1), 0.0)
    dy_out = np.where(
        is_tb,
        np.where(use2, x2, 0.0),
        np.where(is_dy, np.where(use2, sat1 + x2, x1), np.where(is_bulk, x1, 0.0)),
    )
    reach = ok_route & below_curie & np.where(use2, np.isfinite(x2), np.isfinite(x1))
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
    routes=ROUTES,
    temps_C=None,
    *,
    pc,
    hd_kA_m=0.0,
    squareness=0.9,
    mu_rec=1.05,
    T0_C=20.0,
    curie_C=310.0,
    thickness_mm=None,
    model=None,
    beta=None,
):
    """Rows (route x temperature): HREE needed and the resulting flux. DataFrame with columns
    route, temp_C, Dy_wt_pct, Tb_wt_pct, hree_wt_pct (NaN where not reachable), Br_T (at T0),
    Br_T_at_temp (with the route's alpha), HcJ_kA_m (at T0), reachable."""
    import pandas as pd

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
