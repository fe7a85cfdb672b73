"""The reference rating condition, fitted to catalogue ratings.

Catalogues quote one maximum operating temperature per grade at an unstated or loosely
stated condition (often L/D = 0.7, "Pc about 2"). With Hd = 0 the ratings constrain only
the product s*(Pc + mu_rec), so we fix recoil permeability mu_rec and knee squareness s per
family first (``lib.families``, each with its source), then fit the single permeance
coefficient Pc that reproduces the ratings of the sourced sintered NdFeB grades. That Pc,
with s and mu_rec, is the default condition of ``magnets rate`` and ``substitute``.

No per-grade tuning: one Pc for the whole library. Ratings use the catalogue's MINIMUM
HcJ and the Br the source gives (typical for Arnold, minimum for most others: the
``Br_basis`` column says which), with each grade's own beta where its source gives one and
the fitted beta(HcJ0, route) of :mod:`magnets.physics.beta` otherwise.

Fit: Pc minimising the mean absolute residual (t_model - t_catalogue) over the fit set,
by a vectorised scan of Pc (grid x grades matrix) refined to 0.001.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.physics import ratings
from magnets.physics.beta import NDFEB_RATED_FAMILIES, BetaModel, fitted_beta_model

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

FIT_FAMILIES = ("ndfeb-sintered",)


@dataclass(frozen=True)
class Condition:
    """The default rating condition.

    pc : fitted permeance coefficient. hd_kA_m : applied field (0: catalogues rate at Hd = 0).
    squareness, mu_rec : pd.Series indexed by family id (from lib.families).
    residuals : DataFrame per rated grade (magnets.physics.ratings.residual_table): id, family,
        alloy, route, manufacturer, criterion, rating_basis, Br_T, Br_basis, HcJ_kA_m, alpha,
        beta_used, beta_source, squareness, mu_rec, pc_used, max_temp_C (catalogue or guideline),
        t_model_C, residual_C (model - rating), limited_by, t_at_stated_C, in_fit, group.
    median_abs_error_C, mean_abs_error_C : over the fit set. n_fit : grades in the fit set.
    """

    pc: float
    hd_kA_m: float = 0.0
    squareness: Any = field(default=None, repr=False)
    mu_rec: Any = field(default=None, repr=False)
    residuals: Any = field(default=None, repr=False)
    median_abs_error_C: float = float("nan")
    mean_abs_error_C: float = float("nan")
    n_fit: int = 0
    method: str = (
        "single Pc minimising the mean |t_model - t_catalogue| over sourced sintered NdFeB "
        "ratings, Hd = 0"
    )
    #: per family: magnets.physics.ratings.FamilyFit (reference Pc fitted on its own ratings)
    family_fits: dict[str, Any] = field(default_factory=dict, repr=False)
    #: per alloy: magnets.physics.ratings.SecantFit (secant HcJ(T) of high-temperature alloys)
    alloy_fits: dict[str, Any] = field(default_factory=dict, repr=False)

    def pc_for(self, family: str) -> float:
        """Reference Pc of ``family`` (its own fit; sintered NdFeB's where it has none)."""
        fit = self.family_fits.get(str(family))
        return float(fit.pc) if fit is not None else float(self.pc)

    def squareness_for(self, family: str) -> float:
        return float(self.squareness[family])

    def mu_rec_for(self, family: str) -> float:
        return float(self.mu_rec[family])


def rating_inputs(grades: pd.DataFrame, beta_model: BetaModel) -> pd.DataFrame:
    """Per-grade arrays the rating needs (a DataFrame indexed like grades).

    Columns: Br_T, HcJ_kA_m, alpha, beta, beta_source, mu_rec, squareness, T0_C, curie_C,
    structural_C (the grade's alloy's service limit), limit_kind (structural | oxidation),
    limit_source, density_g_cm3. beta: the grade's own, else the secant fit of its alloy
    (``alloy fit``, high-temperature Sm2Co17), else the fitted beta(HcJ0, route) or the family's.
    ``beta_model``: the library's fit (:func:`fitted_beta_model`); required.
    """

    def num(c: str) -> pd.Series:
        return (
            pd.to_numeric(grades[c], errors="coerce")
            if c in grades.columns
            else pd.Series(np.nan, index=grades.index)
        )

    own = num("beta_HcJ_pct_per_K")
    bm = beta_model
    fitted = pd.Series(
        bm.beta(
            num("HcJ_kA_m").to_numpy(), grades["route"].to_numpy(), grades["family"].to_numpy()
        ),
        index=grades.index,
    )
    alloy_beta = pd.Series(np.nan, index=grades.index)
    if "beta_model" in grades.columns:
        for alloy, fit in getattr(bm, "alloy_fits", {}).items():  # one entry per alloy (1 today)
            use = grades["beta_model"].eq("secant_vs_Br") & grades["alloy"].eq(alloy)
            alloy_beta[use] = fit.beta(num("Br_T")[use].to_numpy())
    beta = own.where(own.notna(), alloy_beta.where(alloy_beta.notna(), fitted))

    def text(c: str, default: str = "") -> Any:
        return grades[c].fillna("").astype(str) if c in grades.columns else default

    out = pd.DataFrame(
        {
            "Br_T": num("Br_T"),
            "HcJ_kA_m": num("HcJ_kA_m"),
            "alpha": num("alpha_Br_pct_per_K"),
            "beta": beta,
            "beta_source": np.where(
                own.notna(),
                "grade",
                np.where(
                    alloy_beta.notna(),
                    "alloy fit",
                    np.where(
                        fitted.isna(),
                        "none",
                        np.where(
                            grades["family"].isin(NDFEB_RATED_FAMILIES),
                            "fit",
                            "family",
                        ),
                    ),
                ),
            ),
            "mu_rec": num("mu_rec"),
            "squareness": num("squareness"),
            "T0_C": num("T0_C").fillna(20.0),
            "curie_C": num("curie_C"),
            "structural_C": num("structural_limit_C"),
            "limit_kind": text("limit_kind", "structural"),
            "limit_source": text("limit_source"),
            "density_g_cm3": num("density_g_cm3"),
        },
        index=grades.index,
    )
    return out


def fit_set_mask(grades: pd.DataFrame) -> pd.Series:
    """Grades whose catalogue rating enters the fit: sintered NdFeB, a rating, Br and HcJ, and
    a real maker (rows of manufacturer 'generic class' are class guidelines, reported but not
    fitted)."""
    # class guidelines (rating_basis 'guideline', e.g. the GBD rows whose maker prints no
    # rating) never enter a fit; the sintered NdFeB fit set is otherwise as before
    return ratings.fit_set_mask(grades) & grades["family"].isin(FIT_FAMILIES)


def fit_condition(
    grades: pd.DataFrame,
    families: pd.DataFrame | None = None,
    beta_model: BetaModel | None = None,
) -> Condition:
    """Fit the reference Pc of every family to its catalogue ratings (see module doc).

    Sintered NdFeB's Pc is ``pc`` (the tool-wide default condition); each family's own is in
    ``family_fits`` (:func:`magnets.physics.ratings.fit_family_pcs`), stated criteria are
    checked at their own Pc, and ``residuals`` lists every rated grade
    (:func:`magnets.physics.ratings.residual_table`). ``beta_model`` (required): the beta fit
    of the same library (:func:`fitted_beta_model`).
    """
    if beta_model is None:
        raise TypeError("fit_condition needs the library's beta_model (fitted_beta_model(lib))")
    inp = rating_inputs(grades, beta_model)
    cat = pd.to_numeric(grades["max_temp_C"], errors="coerce")
    rated = cat.notna() & inp["Br_T"].notna() & inp["HcJ_kA_m"].notna() & inp["beta"].notna()
    in_fit = fit_set_mask(grades) & rated
    if in_fit.sum() < 3:
        raise ValueError(
            f"expected at least 3 sintered NdFeB grades with a catalogue max_temp_C to fit Pc, "
            f"instead received {int(in_fit.sum())}"
        )
    fits = ratings.fit_family_pcs(grades, inp)
    nd = fits[ratings.NDFEB_FIT_FAMILY]
    table = ratings.residual_table(grades, inp, fits)
    extra = pd.DataFrame(
        {
            "Br_basis": grades["Br_basis"] if "Br_basis" in grades.columns else "",
            "alpha": inp["alpha"],
            "squareness": inp["squareness"],
            "mu_rec": inp["mu_rec"],
        },
        index=grades.index,
    ).reindex(table["id"].to_numpy())
    for col in extra.columns:
        table[col] = extra[col].to_numpy()
    if families is not None:
        s = pd.to_numeric(families["squareness"], errors="coerce")
        m = pd.to_numeric(families["mu_rec"], errors="coerce")
    else:
        s = inp.groupby(grades["family"])["squareness"].median()
        m = inp.groupby(grades["family"])["mu_rec"].median()
    return Condition(
        pc=nd.pc,
        hd_kA_m=0.0,
        squareness=s.rename("squareness"),
        mu_rec=m.rename("mu_rec"),
        residuals=table,
        median_abs_error_C=nd.median_abs_error_C,
        mean_abs_error_C=nd.mean_abs_error_C,
        n_fit=nd.n_fit,
        family_fits=fits,
        alloy_fits=dict(getattr(beta_model, "alloy_fits", {}) or {}),
    )


def fitted_condition(lib: Library) -> Condition:
    """The default rating condition fitted to ``lib``, memoised on ``lib``.

    A result computed from the data, not a typed constant; it lives as long as the library.
    """
    return lib.derived(
        "condition", lambda lb: fit_condition(lb.grades, lb.families, fitted_beta_model(lb))
    )


def default_condition(lib: Library) -> Condition:
    """Old name of :func:`fitted_condition`; ``lib`` is required (no built-in fallback)."""
    return fitted_condition(lib)
