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
       gbd-tb   HcJ0 = H_base + k_Dy*Dy + k_Tb*Tb_bulk + f(t)*min(e_Tb*Tb_diff, cap_Tb)
       gbd-dy   HcJ0 = H_base + k_Dy*Dy_bulk + k_Tb*Tb + f(t)*min(e_Dy*Dy_diff, cap_Dy)
       dy-free  HcJ0 = H_free (+ the bulk terms if a grade holds any HREE)
       Br0 = Br_base(route) - c_Br*(Dy + Tb)
   The diffused amount is what reaches saturation (X_diff = min(X, cap/e)); the rest of
   the element is in the substrate (the hottest GBD grades diffuse Tb into a Dy-bearing
   substrate: the hybrid route). f(t) = min(1, t_lim/t) is the diffused volume fraction of
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

    def beta(self, HcJ0_kA_m, route, family=None) -> np.ndarray:
        h = np.asarray(HcJ0_kA_m, dtype=float)
        grp = _route_group(route)
        out = np.where(grp == "gbd", self.groups["gbd"].beta(h), self.groups["bulk"].beta(h))
        if family is not None:
            fam = np.asarray(family, dtype=object)
            is_ndfeb = np.isin(fam, NDFEB_RATED_FAMILIES)
            fam_beta = np.array([self.family_beta.get(f, np.nan) for f in np.ravel(fam)]).reshape(fam.shape) \
                if fam.ndim else np.array(self.family_beta.get(fam.item(), np.nan))
            out = np.where(is_ndfeb, out, fam_beta)
        return out


def _ls_beta(h: np.ndarray, beta: np.ndarray) -> tuple[float, float, float]:
    """Least squares beta = 100*d + 100*c/h. Returns (c, d, rms residual)."""
    X = np.column_stack([np.full_like(h, 100.0), 100.0 / h])
    coef, *_ = np.linalg.lstsq(X, beta, rcond=None)
    d, c = float(coef[0]), float(coef[1])
    res = beta - X @ coef
    return c, d, float(np.sqrt(np.mean(res ** 2)))


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
    pts = pd.DataFrame({"id": g.index.astype(str), "family": fam.to_numpy(), "route": g["route"].astype(str).to_numpy(),
                        "HcJ_kA_m": h.to_numpy(), "beta": beta.to_numpy()})
    pts["group"] = _route_group(pts["route"].to_numpy())
    ok = pts["beta"].notna() & pts["HcJ_kA_m"].gt(0)
    nd = pts[ok & pts["family"].isin(NDFEB_RATED_FAMILIES)]
    groups: dict[str, BetaFit] = {}
    uniq = nd.drop_duplicates(["group", "HcJ_kA_m", "beta"])
    bulk = uniq[uniq["group"] == "bulk"]
    if len(bulk) < 2:
        raise ValueError("expected at least 2 sintered NdFeB grades with a sourced beta to fit beta(HcJ0), "
                         f"instead received {len(bulk)}; add beta_HcJ_pct_per_K to grades")
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
        groups["gbd"] = BetaFit("gbd", c2, d, len(gbd), float(np.sqrt(np.mean(res ** 2))),
                                "intercept fit, slope d shared with bulk (fewer than 3 distinct points)")
    else:
        groups["gbd"] = BetaFit("gbd", c, d, 0, rms, "no sourced GBD beta: bulk fit used")
    other = pts[ok & ~pts["family"].isin(NDFEB_RATED_FAMILIES)]
    family_beta = {str(k): float(v) for k, v in other.groupby("family")["beta"].median().items()}
    family_source = {k: "median of the family's sourced grade betas" for k in family_beta}
    if families is not None and {"beta_min_pct_per_K", "beta_max_pct_per_K"} <= set(families.columns):
        lo = pd.to_numeric(families["beta_min_pct_per_K"], errors="coerce")
        hi = pd.to_numeric(families["beta_max_pct_per_K"], errors="coerce")
        for fid in families.index:
            if fid in NDFEB_RATED_FAMILIES or fid in family_beta:
                continue
            if pd.notna(lo[fid]) and pd.notna(hi[fid]):
                family_beta[str(fid)] = float((lo[fid] + hi[fid]) / 2.0)
                family_source[str(fid)] = "mid-point of the family's beta range in families.csv (no grade beta sourced)"
    fitted = np.where(pts["group"] == "gbd", groups["gbd"].beta(pts["HcJ_kA_m"].to_numpy()),
                      groups["bulk"].beta(pts["HcJ_kA_m"].to_numpy()))
    resid = pts[ok & pts["family"].isin(NDFEB_RATED_FAMILIES)].copy()
    resid["beta_fit"] = fitted[(ok & pts["family"].isin(NDFEB_RATED_FAMILIES)).to_numpy()]
    resid["residual"] = resid["beta"] - resid["beta_fit"]
    return BetaModel(groups, family_beta, resid.reset_index(drop=True), family_source)


def default_beta_model(lib=None) -> BetaModel:
    """The beta model fitted to ``lib`` (default: the built-in library), cached per library version."""
    if lib is None:
        from magnets.library import load_library

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
