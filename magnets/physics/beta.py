"""The temperature coefficient of HcJ as a function of HcJ0 and route: beta(HcJ0, route).

A result fitted to the data library, never a typed-in constant. With a constant beta,
HcJ(T) reaches zero at T0 + 100/|beta| whatever HcJ0 is. The data say the absolute slope
dHcJ/dT changes far less than HcJ0 (Arnold: N -0.75, M -0.675, H -0.605 %/K; Mainrich
N42SH -0.50; HL Tb-diffused grades -0.46..-0.59). We model

    dHcJ/dT = c + d*HcJ0   [kA/m/K]    <=>   beta = 100*(c/HcJ0 + d)   [%/K]

per route group ('bulk' = bulk and dy-free; 'gbd' = gbd-dy and gbd-tb), least squares in
beta over the sourced grades that publish beta. HcJ(T) = HcJ0*(1 + d*dT) + c*dT is then
linear in HcJ0, which makes the inverse of :mod:`magnets.physics.hree` closed form.

:func:`fitted_beta_model` gives the model of one library, memoised on that library;
:func:`effective_beta` picks, per grade, its own beta or the fitted one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.physics.ratings import alloy_fits_from_grades

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

NDFEB_RATED_FAMILIES = ("ndfeb-sintered", "ndfeb-hot-deformed")


def route_group(route: Any) -> np.ndarray:
    """'gbd' for gbd-dy/gbd-tb, 'bulk' for everything else (bulk, dy-free)."""
    r = np.asarray(route, dtype=object)
    return np.where(np.isin(r, ["gbd-dy", "gbd-tb"]), "gbd", "bulk")


_route_group = route_group  # the name the coercivity module used


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

    def beta(self, HcJ0_kA_m: Any) -> Any:
        return 100.0 * (self.c_kA_m_per_K / np.asarray(HcJ0_kA_m, dtype=float) + self.d_per_K)


@dataclass(frozen=True)
class BetaModel:
    """beta(HcJ0) per route group for NdFeB, plus a median beta per other family.

    residuals : DataFrame per sourced grade: id, family, route, group, HcJ_kA_m, beta,
        beta_fit, residual.
    """

    groups: dict[str, BetaFit]
    family_beta: dict[str, float]
    residuals: Any = field(repr=False, compare=False, default=None)
    family_source: dict[str, str] = field(default_factory=dict)
    #: secant HcJ(T) fits per alloy with beta_model 'secant_vs_Br' (magnets.physics.ratings)
    alloy_fits: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def beta(self, HcJ0_kA_m: Any, route: Any, family: Any = None) -> np.ndarray:
        h = np.asarray(HcJ0_kA_m, dtype=float)
        grp = route_group(route)
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


def _beta_points(grades: pd.DataFrame) -> pd.DataFrame:
    """(id, family, route, group, HcJ_kA_m, beta) per grade, beta as the source gives it."""
    pts = pd.DataFrame(
        {
            "id": grades.index.astype(str),
            "family": grades["family"].astype(str).to_numpy(),
            "route": grades["route"].astype(str).to_numpy(),
            "HcJ_kA_m": pd.to_numeric(grades["HcJ_kA_m"], errors="coerce").to_numpy(),
            "beta": pd.to_numeric(grades["beta_HcJ_pct_per_K"], errors="coerce").to_numpy(),
        }
    )
    pts["group"] = route_group(pts["route"].to_numpy())
    return pts


def _fit_groups(nd: pd.DataFrame) -> dict[str, BetaFit]:
    """The bulk fit, and the GBD fit (or its fallback) from NdFeB points."""
    uniq = nd.drop_duplicates(["group", "HcJ_kA_m", "beta"])
    bulk = uniq[uniq["group"] == "bulk"]
    if len(bulk) < 2:
        raise ValueError(
            "expected at least 2 sintered NdFeB grades with a sourced beta to fit beta(HcJ0), "
            f"instead received {len(bulk)}; add beta_HcJ_pct_per_K to grades"
        )
    c, d, rms = _ls_beta(bulk["HcJ_kA_m"].to_numpy(), bulk["beta"].to_numpy())
    groups = {"bulk": BetaFit("bulk", c, d, len(bulk), rms, "fit")}
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
    return groups


def _family_betas(
    other: pd.DataFrame, families: pd.DataFrame | None
) -> tuple[dict[str, float], dict[str, str]]:
    """Median sourced beta per non-NdFeB family, else the mid-point of its families.csv range."""
    family_beta = {str(k): float(v) for k, v in other.groupby("family")["beta"].median().items()}
    family_source = dict.fromkeys(family_beta, "median of the family's sourced grade betas")
    if families is None or not {"beta_min_pct_per_K", "beta_max_pct_per_K"} <= set(
        families.columns
    ):
        return family_beta, family_source
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
    return family_beta, family_source


def fit_beta(grades: pd.DataFrame, families: pd.DataFrame | None = None) -> BetaModel:
    """Fit beta(HcJ0) per route group from the grades whose source publishes beta.

    Points are (HcJ_kA_m, beta_HcJ_pct_per_K) of sintered and hot-deformed NdFeB grades,
    de-duplicated per (group, HcJ0, beta) so that a catalogue listing one class coefficient
    for ten Br variants counts once. A group with fewer than 3 distinct points keeps the
    bulk slope d and fits only its intercept c (stated in ``source``).

    Other families (SmCo, ferrite, bonded) take the median of their grades' sourced betas,
    else the mid-point of the family's beta range in ``families`` (``family_source`` says which).
    """
    pts = _beta_points(grades)
    ok = pts["beta"].notna() & pts["HcJ_kA_m"].gt(0)
    is_nd = pts["family"].isin(NDFEB_RATED_FAMILIES)
    groups = _fit_groups(pts[ok & is_nd])
    family_beta, family_source = _family_betas(pts[ok & ~is_nd], families)
    fitted = np.where(
        pts["group"] == "gbd",
        groups["gbd"].beta(pts["HcJ_kA_m"].to_numpy()),
        groups["bulk"].beta(pts["HcJ_kA_m"].to_numpy()),
    )
    resid = pts[ok & is_nd].copy()
    resid["beta_fit"] = fitted[(ok & is_nd).to_numpy()]
    resid["residual"] = resid["beta"] - resid["beta_fit"]
    return BetaModel(
        groups,
        family_beta,
        resid.reset_index(drop=True),
        family_source,
        alloy_fits_from_grades(grades),
    )


def fitted_beta_model(lib: Library) -> BetaModel:
    """The beta model fitted to ``lib``, memoised on ``lib`` (it lives as long as the library)."""
    return lib.derived("beta_model", lambda lb: fit_beta(lb.grades, lb.families))


def default_beta_model(lib: Library) -> BetaModel:
    """Old name of :func:`fitted_beta_model`; ``lib`` is required (no built-in fallback)."""
    return fitted_beta_model(lib)


def _values(x: Any) -> np.ndarray:
    return x.to_numpy() if hasattr(x, "to_numpy") else np.asarray(x)


def _like(value: Any, ref: Any, name: str | None = None) -> Any:
    if hasattr(ref, "index") and getattr(ref, "ndim", 0) == 1:
        return pd.Series(np.asarray(value), index=ref.index, name=name)
    v = np.asarray(value)
    return v.item() if v.ndim == 0 else v


def beta_model(HcJ0_kA_m: Any, route: Any, family: Any = None, *, model: BetaModel) -> Any:
    """Fitted beta (%/K) for intrinsic coercivity HcJ0 (kA/m) and process route.

    Scalars, arrays or Series in (Series in -> Series out, same index). ``family`` (optional)
    switches non-NdFeB families to the median sourced beta of their family (NaN if none).
    ``model``: the library's fit (:func:`fitted_beta_model`); required, nothing is loaded here.
    """
    out = model.beta(
        _values(HcJ0_kA_m), _values(route), None if family is None else _values(family)
    )
    return _like(out, HcJ0_kA_m, "beta_HcJ_pct_per_K")


def effective_beta(grades: pd.DataFrame, model: BetaModel) -> pd.Series:
    """beta (%/K) per grade: the grade's own where its source gives one, else the fitted
    beta(HcJ0, route) for sintered/hot-deformed NdFeB, else the family's value (median of its
    sourced grade betas, or the mid-point of its beta range in families.csv).

    Parameters
    ----------
    grades : DataFrame with HcJ_kA_m, route, family, beta_HcJ_pct_per_K (library schema).
    model : the library's :class:`BetaModel` (:func:`fitted_beta_model`).

    Returns
    -------
    pd.Series of float, indexed like grades, name 'beta_HcJ_pct_per_K'.
    """
    own = pd.to_numeric(grades["beta_HcJ_pct_per_K"], errors="coerce")
    fitted = beta_model(
        grades["HcJ_kA_m"].astype(float), grades["route"], grades["family"], model=model
    )
    return own.where(own.notna(), fitted).rename("beta_HcJ_pct_per_K")
