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
the fitted beta(HcJ0, route) of :mod:`magnets.physics.coercivity` otherwise.

Fit: Pc minimising the mean absolute residual (t_model - t_catalogue) over the fit set,
by a vectorised scan of Pc (grid x grades matrix) refined to 0.001.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

FIT_FAMILIES = ("ndfeb-sintered",)
_PC_GRID = np.round(np.arange(0.05, 8.0 + 1e-9, 0.01), 6)


@dataclass(frozen=True)
class Condition:
    """The default rating condition.

    pc : fitted permeance coefficient. hd_kA_m : applied field (0: catalogues rate at Hd = 0).
    squareness, mu_rec : pd.Series indexed by family id (from lib.families).
    residuals : DataFrame per rated grade: id, family, route, Br_T, Br_basis, HcJ_kA_m, alpha,
        beta_used, beta_source ('grade'|'fit'), squareness, mu_rec, max_temp_C (catalogue),
        t_model_C, residual_C (model - catalogue), limited_by, in_fit (bool).
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
    method: str = "single Pc minimising the mean |t_model - t_catalogue| over sourced sintered NdFeB ratings, Hd = 0"

    def squareness_for(self, family: str) -> float:
        return float(self.squareness[family])

    def mu_rec_for(self, family: str) -> float:
        return float(self.mu_rec[family])


def rating_inputs(grades, beta_model=None):
    """Per-grade arrays the rating needs (a DataFrame indexed like grades).

    Columns: Br_T, HcJ_kA_m, alpha, beta, beta_source, mu_rec, squareness, T0_C, curie_C,
    structural_C, density_g_cm3.
    """
    import pandas as pd

    from magnets.physics import coercivity

    def num(c):
        return (
            pd.to_numeric(grades[c], errors="coerce")
            if c in grades.columns
            else pd.Series(np.nan, index=grades.index)
        )

    own = num("beta_HcJ_pct_per_K")
    bm = beta_model if beta_model is not None else coercivity.default_beta_model()
    fitted = pd.Series(
        bm.beta(
            num("HcJ_kA_m").to_numpy(), grades["route"].to_numpy(), grades["family"].to_numpy()
        ),
        index=grades.index,
    )
    beta = own.where(own.notna(), fitted)
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
                    fitted.isna(),
                    "none",
                    np.where(
                        grades["family"].isin(coercivity.NDFEB_RATED_FAMILIES), "fit", "family"
                    ),
                ),
            ),
            "mu_rec": num("mu_rec"),
            "squareness": num("squareness"),
            "T0_C": num("T0_C").fillna(20.0),
            "curie_C": num("curie_C"),
            "structural_C": num("structural_limit_C"),
            "density_g_cm3": num("density_g_cm3"),
        },
        index=grades.index,
    )
    return out


def fit_set_mask(grades):
    """Grades whose catalogue rating enters the fit: sintered NdFeB, a rating, Br and HcJ, and
    a real maker (rows of manufacturer 'generic class' are class guidelines, reported but not fitted)."""
    from magnets.physics.ratings import fit_set_mask as family_fit_set

    # class guidelines (rating_basis 'guideline', e.g. the GBD rows whose maker prints no
    # rating) never enter a fit; the sintered NdFeB fit set is otherwise as before
    return family_fit_set(grades) & grades["family"].isin(FIT_FAMILIES)


def fit_condition(grades, families=None, beta_model=None) -> Condition:
    """Fit the single reference Pc to the catalogue ratings in ``grades`` (see module doc)."""
    import pandas as pd

    from magnets.physics.thermal import rated_temperature

    inp = rating_inputs(grades, beta_model)
    cat = pd.to_numeric(grades["max_temp_C"], errors="coerce")
    rated = cat.notna() & inp["Br_T"].notna() & inp["HcJ_kA_m"].notna() & inp["beta"].notna()
    in_fit = fit_set_mask(grades) & rated
    if in_fit.sum() < 3:
        raise ValueError(
            f"expected at least 3 sintered NdFeB grades with a catalogue max_temp_C to fit Pc, "
            f"instead received {int(in_fit.sum())}"
        )
    sub = inp[in_fit]
    y = cat[in_fit].to_numpy()

    def objective(pcs: np.ndarray) -> np.ndarray:
        r = rated_temperature(
            sub["Br_T"].to_numpy()[None, :],
            sub["HcJ_kA_m"].to_numpy()[None, :],
            sub["alpha"].to_numpy()[None, :],
            sub["beta"].to_numpy()[None, :],
            pc=pcs[:, None],
            mu_rec=sub["mu_rec"].to_numpy()[None, :],
            squareness=sub["squareness"].to_numpy()[None, :],
            T0_C=sub["T0_C"].to_numpy()[None, :],
            curie_C=sub["curie_C"].to_numpy()[None, :],
            structural_C=sub["structural_C"].to_numpy()[None, :],
        )
        t = np.where(
            np.isnan(r.t_max_C), sub["T0_C"].to_numpy()[None, :], r.t_max_C
        )  # unsafe: no better than T0
        return np.mean(np.abs(t - y[None, :]), axis=1)

    coarse = objective(_PC_GRID)
    p0 = _PC_GRID[int(np.argmin(coarse))]
    fine_grid = np.round(np.arange(max(p0 - 0.02, 0.001), p0 + 0.02 + 1e-9, 0.001), 6)
    fine = objective(fine_grid)
    pc = float(fine_grid[int(np.argmin(fine))])

    res = rated_temperature(
        inp["Br_T"],
        inp["HcJ_kA_m"],
        inp["alpha"],
        inp["beta"],
        pc=pc,
        mu_rec=inp["mu_rec"],
        squareness=inp["squareness"],
        T0_C=inp["T0_C"],
        curie_C=inp["curie_C"],
        structural_C=inp["structural_C"],
    )
    table = pd.DataFrame(
        {
            "id": grades.index.astype(str),
            "family": grades["family"].to_numpy(),
            "route": grades["route"].to_numpy(),
            "Br_T": inp["Br_T"].to_numpy(),
            "Br_basis": grades["Br_basis"].to_numpy() if "Br_basis" in grades.columns else "",
            "HcJ_kA_m": inp["HcJ_kA_m"].to_numpy(),
            "alpha": inp["alpha"].to_numpy(),
            "beta_used": inp["beta"].to_numpy(),
            "beta_source": inp["beta_source"].to_numpy(),
            "squareness": inp["squareness"].to_numpy(),
            "mu_rec": inp["mu_rec"].to_numpy(),
            "max_temp_C": cat.to_numpy(),
            "t_model_C": res.t_max_C.to_numpy(),
            "residual_C": res.t_max_C.to_numpy() - cat.to_numpy(),
            "limited_by": res.limited_by.to_numpy(),
            "in_fit": in_fit.to_numpy(),
        }
    )
    table = table[rated.to_numpy()].reset_index(drop=True)
    fit_res = table.loc[table["in_fit"], "residual_C"].to_numpy()
    fit_res = np.where(np.isnan(fit_res), -np.inf, fit_res)
    if families is not None:
        s = pd.to_numeric(families["squareness"], errors="coerce")
        m = pd.to_numeric(families["mu_rec"], errors="coerce")
    else:
        s = inp.groupby(grades["family"])["squareness"].median()
        m = inp.groupby(grades["family"])["mu_rec"].median()
    return Condition(
        pc=pc,
        hd_kA_m=0.0,
        squareness=s.rename("squareness"),
        mu_rec=m.rename("mu_rec"),
        residuals=table,
        median_abs_error_C=float(np.median(np.abs(fit_res))),
        mean_abs_error_C=float(np.mean(np.abs(fit_res))),
        n_fit=int(in_fit.sum()),
    )


_CACHE: dict[str, Condition] = {}


def default_condition(lib=None) -> Condition:
    """The default rating condition fitted to ``lib`` (default: the built-in library).

    Cached per library version: it is a result computed from the data, not a typed constant.
    """
    if lib is None:
        from magnets.data.library import load_library

        lib = load_library()
    key = getattr(lib, "version", None)
    if key is not None and key in _CACHE:
        return _CACHE[key]
    from magnets.physics import coercivity

    cond = fit_condition(
        lib.grades, getattr(lib, "families", None), coercivity.default_beta_model(lib)
    )
    if key is not None:
        _CACHE[key] = cond
    return cond
