"""Rating criteria per grade, a reference condition per family, and the residuals that test them.

Makers state ratings in different ways (``max_temp_criterion`` in the grade tables):

* ``guideline``: no condition stated, or "depends on Pc" (most catalogues, NdFeB suffix classes);
* ``knee_at_pc``: the knee (J = 0.9 Br) is not passed at a stated Pc (``max_temp_pc``);
* ``straight_line``: the B(H) curve stays straight down to B = 0 (EEC's T_M, chen2000-tm). The
  intrinsic knee then lies beyond the field where B = 0, which is the working point at Pc = 0:
  it is ``knee_at_pc`` with Pc = 0, and there is no Pc to fit;
* ``loss_at_pc``: irreversible loss below a stated percentage at a stated Pc (checked by the
  loss model; none in the built-in library).

``rating_basis`` says where a grade's rating comes from: ``catalogue`` (the maker prints it),
``guideline`` (a class figure filled in because the maker prints none; never fitted), or
``model`` (no rating printed: the tool's own at the family's reference condition).

Per family, the reference Pc is fitted, as for sintered NdFeB, to its catalogue guideline
ratings only (one Pc per family, mean |t_model - t_catalogue|, Hd = 0; mu_rec and s fixed per
family). Sintered NdFeB keeps its fit set (every sourced catalogue rating of the family, so its
calibration is unchanged). Stated criteria are checked at their own Pc, not fitted. A catalogue
rating at or above the alloy's service limit only says the knee lies above the limit: where
the model is capped too the residual is 0 and the row is reported as ``capped``, not as a
match. Where every fitted row is capped, the fitted Pc is only a lower bound (``bound``).

High-temperature alloys whose HcJ(T) is far from the linear 20-150 C coefficient
(``beta_model = secant_vs_Br`` in alloys.csv, the EEC T-series) get the secant coefficient
from T0 to the rating: each of the alloy's grades rated by a stated criterion gives the beta
that puts its knee exactly at its rating, and a straight line in Br0 is fitted through them
(less Fe means lower Br and more coercivity near 500 C, golovnia2023). Leave-one-out
predictions say how well that line predicts a grade it was not fitted to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from magnets.physics.thermal import MU0, rated_temperature

CRITERIA = ("guideline", "knee_at_pc", "straight_line", "loss_at_pc")
RATING_BASES = ("catalogue", "guideline", "model")
NDFEB_FIT_FAMILY = "ndfeb-sintered"
CAP_LABELS = ("structural", "oxidation", "curie")
_PC_GRID = np.round(np.arange(0.05, 8.0 + 1e-9, 0.01), 6)
_T_PER_KA_M = MU0 * 1e3

__all__ = [
    "CRITERIA",
    "RATING_BASES",
    "FamilyFit",
    "SecantFit",
    "fit_family_pcs",
    "fit_secant_beta",
    "residual_table",
    "stated_pc",
]


def _text(grades: pd.DataFrame, col: str) -> pd.Series:
    if col not in grades.columns:
        return pd.Series("", index=grades.index, dtype=object)
    return grades[col].fillna("").astype(str).str.strip()


def _num(grades: pd.DataFrame, col: str) -> pd.Series:
    if col not in grades.columns:
        return pd.Series(np.nan, index=grades.index)
    return pd.to_numeric(grades[col], errors="coerce")


def stated_pc(grades: pd.DataFrame) -> pd.Series:
    """Pc at which a grade's stated criterion is checked: 0 for ``straight_line``, the stated
    ``max_temp_pc`` for ``knee_at_pc``/``loss_at_pc``, NaN for guidelines."""
    crit = _text(grades, "max_temp_criterion")
    pc = _num(grades, "max_temp_pc")
    out = np.where(
        crit.eq("straight_line"), 0.0, np.where(crit.isin(["knee_at_pc", "loss_at_pc"]), pc, np.nan)
    )
    return pd.Series(out, index=grades.index, name="stated_pc")


def _rate(inp: pd.DataFrame, pc, beta=None):
    """Closed-form rating of the rows of ``inp`` (rating_inputs columns) at Pc (Hd = 0)."""
    return rated_temperature(
        inp["Br_T"].to_numpy(),
        inp["HcJ_kA_m"].to_numpy(),
        inp["alpha"].to_numpy(),
        inp["beta"].to_numpy() if beta is None else beta,
        pc=pc,
        mu_rec=inp["mu_rec"].to_numpy(),
        squareness=inp["squareness"].to_numpy(),
        T0_C=inp["T0_C"].to_numpy(),
        curie_C=inp["curie_C"].to_numpy(),
        structural_C=inp["structural_C"].to_numpy(),
    )


# ----------------------------------------------------------------------------- secant beta
@dataclass(frozen=True)
class SecantFit:
    """beta = c0 + c1*(Br0 - Br_ref) in %/K: the secant HcJ coefficient from T0 to the rating."""

    alloy: str
    Br_ref_T: float
    c0: float
    c1: float
    points: Any = field(default=None, repr=False)

    def beta(self, Br0_T) -> np.ndarray:
        return self.c0 + self.c1 * (np.asarray(Br0_T, dtype=float) - self.Br_ref_T)


def _needed_beta(inp: pd.DataFrame, t_rated: np.ndarray, pc: np.ndarray) -> np.ndarray:
    """beta (%/K) that puts the knee exactly at t_rated at Pc (Hd = 0), linear coefficients."""
    dT = t_rated - inp["T0_C"].to_numpy()
    K = pc + inp["mu_rec"].to_numpy()
    br_t = inp["Br_T"].to_numpy() * (1.0 + inp["alpha"].to_numpy() / 100.0 * dT)
    need = br_t / (_T_PER_KA_M * K) / (inp["squareness"].to_numpy() * inp["HcJ_kA_m"].to_numpy())
    return (need - 1.0) / dT * 100.0


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    xr = float(np.mean(x))
    if len(x) < 2 or np.ptp(x) == 0:
        return xr, float(np.mean(y)), 0.0
    c1 = float(np.sum((x - xr) * (y - np.mean(y))) / np.sum((x - xr) ** 2))
    return xr, float(np.mean(y)), c1


def fit_secant_beta(grades: pd.DataFrame, inp: pd.DataFrame, alloy: str) -> SecantFit | None:
    """Fit the secant beta of ``alloy`` to its grades rated by a stated criterion (see module doc).

    Uses rows with ``alloy`` = alloy, a catalogue rating, a stated criterion (straight_line
    or knee_at_pc) and no beta of their own. Returns None with fewer than two such rows.
    ``points`` lists each row's needed beta, the fitted one, the leave-one-out one and the
    ratings they give at the stated Pc.
    """
    pc = stated_pc(grades)
    cat = _num(grades, "max_temp_C")
    own = _num(grades, "beta_HcJ_pct_per_K")
    use = (
        _text(grades, "alloy").eq(alloy)
        & _text(grades, "rating_basis").eq("catalogue")
        & pc.notna()
        & cat.notna()
        & own.isna()
    )
    if use.sum() < 2:
        return None
    sub = inp[use]
    p = pc[use].to_numpy()
    y = cat[use].to_numpy()
    need = _needed_beta(sub, y, p)
    x = sub["Br_T"].to_numpy()
    xr, c0, c1 = _line(x, need)
    fit = c0 + c1 * (x - xr)
    loo = np.empty_like(fit)
    for i in range(len(x)):  # leave-one-out over the alloy's few rated grades (2-4 rows)
        keep = np.arange(len(x)) != i
        xr_i, c0_i, c1_i = _line(x[keep], need[keep])
        loo[i] = c0_i + c1_i * (x[i] - xr_i)
    t_fit = np.asarray(_rate(sub, p, fit).t_max_C, dtype=float)
    t_loo = np.asarray(_rate(sub, p, loo).t_max_C, dtype=float)
    points = pd.DataFrame(
        {
            "id": sub.index.astype(str),
            "Br_T": x,
            "HcJ_kA_m": sub["HcJ_kA_m"].to_numpy(),
            "stated_pc": p,
            "max_temp_C": y,
            "beta_needed": need,
            "beta_fit": fit,
            "beta_loo": loo,
            "t_fit_C": t_fit,
            "t_loo_C": t_loo,
        }
    )
    return SecantFit(alloy, xr, c0, c1, points)


def alloy_fits_from_grades(grades: pd.DataFrame) -> dict[str, SecantFit]:
    """Secant fits of every alloy whose grades carry ``beta_model`` = ``secant_vs_Br``.

    ``grades`` is the loaded grade table (family defaults filled). Empty where the table has
    no such alloy (or no ``beta_model`` column, e.g. a bare reference table).
    """
    if "beta_model" not in grades.columns or "alloy" not in grades.columns:
        return {}
    inp = pd.DataFrame(
        {
            "Br_T": _num(grades, "Br_T"),
            "HcJ_kA_m": _num(grades, "HcJ_kA_m"),
            "alpha": _num(grades, "alpha_Br_pct_per_K"),
            "mu_rec": _num(grades, "mu_rec"),
            "squareness": _num(grades, "squareness"),
            "T0_C": _num(grades, "T0_C").fillna(20.0),
            "curie_C": _num(grades, "curie_C"),
            "structural_C": _num(grades, "structural_limit_C"),
        },
        index=grades.index,
    )
    alloys = grades.loc[grades["beta_model"].eq("secant_vs_Br"), "alloy"].unique()
    fits = {str(a): fit_secant_beta(grades, inp, str(a)) for a in alloys}
    return {a: f for a, f in fits.items() if f is not None}


# ----------------------------------------------------------------------------- family Pc
@dataclass(frozen=True)
class FamilyFit:
    """Reference Pc of one family, fitted on its catalogue guideline ratings (Hd = 0)."""

    family: str
    pc: float
    n_fit: int
    n_capped: int
    bound: bool
    median_abs_error_C: float
    mean_abs_error_C: float
    method: str


def fit_set_mask(grades: pd.DataFrame) -> pd.Series:
    """Rows whose catalogue rating enters their family's Pc fit.

    Sintered NdFeB: every catalogue rating of a maker (as before: its calibration is kept).
    Other families: catalogue ratings stated as guidelines (stated criteria are checked,
    not fitted).
    """
    basis = _text(grades, "rating_basis").replace("", "catalogue")  # tables without the column
    rated = _num(grades, "max_temp_C").notna() & basis.eq("catalogue")
    maker = _text(grades, "manufacturer").str.casefold()
    nd = grades["family"].eq(NDFEB_FIT_FAMILY) & ~maker.eq("generic class")
    other = ~grades["family"].eq(NDFEB_FIT_FAMILY) & _text(grades, "max_temp_criterion").isin(
        ["guideline", ""]
    )
    return rated & (nd | other)


def _objective(sub: pd.DataFrame, y: np.ndarray, pcs: np.ndarray) -> np.ndarray:
    r = rated_temperature(
        *(sub[c].to_numpy()[None, :] for c in ("Br_T", "HcJ_kA_m", "alpha", "beta")),
        pc=pcs[:, None],
        mu_rec=sub["mu_rec"].to_numpy()[None, :],
        squareness=sub["squareness"].to_numpy()[None, :],
        T0_C=sub["T0_C"].to_numpy()[None, :],
        curie_C=sub["curie_C"].to_numpy()[None, :],
        structural_C=sub["structural_C"].to_numpy()[None, :],
    )
    t = np.where(np.isnan(r.t_max_C), sub["T0_C"].to_numpy()[None, :], r.t_max_C)
    return np.mean(np.abs(t - y[None, :]), axis=1)


def _fit_pc(sub: pd.DataFrame, y: np.ndarray) -> float:
    """Pc minimising the mean |residual|: coarse grid, then 0.001 steps; smallest on ties."""
    coarse = _objective(sub, y, _PC_GRID)
    p0 = _PC_GRID[int(np.argmin(coarse))]
    fine = np.round(np.arange(max(p0 - 0.02, 0.001), p0 + 0.02 + 1e-9, 0.001), 6)
    return float(fine[int(np.argmin(_objective(sub, y, fine)))])


def fit_family_pcs(grades: pd.DataFrame, inp: pd.DataFrame) -> dict[str, FamilyFit]:
    """One reference Pc per family present in ``grades`` (see module doc).

    A family without fit rows takes sintered NdFeB's Pc (and says so in ``method``).
    """
    cat = _num(grades, "max_temp_C")
    ok = inp["Br_T"].notna() & inp["HcJ_kA_m"].notna() & inp["beta"].notna()
    mask = fit_set_mask(grades) & ok
    fits: dict[str, FamilyFit] = {}
    families = list(dict.fromkeys([NDFEB_FIT_FAMILY, *grades["family"].astype(str)]))
    for fam in families:  # one fit per family (seven families), each vectorised over Pc x grades
        m = mask & grades["family"].eq(fam)
        if m.sum() == 0:
            continue
        sub, y = inp[m], cat[m].to_numpy()
        pc = _fit_pc(sub, y)
        r = _rate(sub, pc)
        t = np.where(np.isnan(r.t_max_C), sub["T0_C"].to_numpy(), r.t_max_C)
        res = t - y
        capped = np.isin(np.asarray(r.limited_by, dtype=object), CAP_LABELS) & (y >= t - 1e-9)
        fits[fam] = FamilyFit(
            fam,
            pc,
            int(m.sum()),
            int(capped.sum()),
            bool(capped.all()),
            float(np.median(np.abs(res))),
            float(np.mean(np.abs(res))),
            "single Pc minimising the mean |t_model - t_catalogue| over the family's "
            "catalogue guideline ratings, Hd = 0"
            + (
                "; every fitted rating sits at the cap: the Pc is a lower bound"
                if capped.all()
                else ""
            ),
        )
    nd = fits.get(NDFEB_FIT_FAMILY)
    for fam in families:
        if fam not in fits and nd is not None:
            fits[fam] = FamilyFit(
                fam,
                nd.pc,
                0,
                0,
                False,
                float("nan"),
                float("nan"),
                "no catalogue ratings to fit: sintered NdFeB's reference Pc",
            )
    return fits


def residual_table(
    grades: pd.DataFrame, inp: pd.DataFrame, fits: dict[str, FamilyFit]
) -> pd.DataFrame:
    """Model against rating for every rated grade, one row each.

    ``pc_used``: the stated Pc where a criterion is stated (outside sintered NdFeB, which
    keeps its family fit and shows the stated check in ``t_at_stated_C``), else the family's
    reference Pc. ``group``: ``fit`` (in the family fit, not capped), ``capped`` (model and
    rating both at the cap), ``stated`` (checked at its stated criterion), ``guideline``
    (class guideline, not fitted), ``other``.
    """
    cat = _num(grades, "max_temp_C")
    rated = cat.notna() & inp["Br_T"].notna() & inp["HcJ_kA_m"].notna()
    g, sub, y = grades[rated], inp[rated], cat[rated].to_numpy()
    fam_pc = g["family"].map({k: f.pc for k, f in fits.items()}).to_numpy(dtype=float)
    spc = stated_pc(g).to_numpy()
    is_nd = g["family"].eq(NDFEB_FIT_FAMILY).to_numpy()
    use_stated = ~np.isnan(spc) & ~is_nd
    pc_used = np.where(use_stated, spc, fam_pc)
    r = _rate(sub, pc_used)
    t = np.asarray(r.t_max_C, dtype=float)
    lim = np.asarray(r.limited_by, dtype=object)
    kind = sub["limit_kind"].to_numpy() if "limit_kind" in sub else np.full(len(sub), "structural")
    lim = np.where((lim == "structural") & (kind != ""), kind, lim)
    t_stated = np.asarray(_rate(sub, np.where(np.isnan(spc), np.nan, spc)).t_max_C, dtype=float)
    in_fit = fit_set_mask(g).to_numpy()
    basis = _text(g, "rating_basis").to_numpy()
    capped = np.isin(lim, CAP_LABELS) & (y >= t - 1e-9)
    group = np.select(
        [basis == "guideline", use_stated, capped, in_fit],
        ["guideline", "stated", "capped", "fit"],
        default="other",
    )
    return pd.DataFrame(
        {
            "id": g.index.astype(str),
            "family": g["family"].to_numpy(),
            "alloy": _text(g, "alloy").to_numpy(),
            "route": g["route"].to_numpy(),
            "manufacturer": _text(g, "manufacturer").to_numpy(),
            "criterion": _text(g, "max_temp_criterion").to_numpy(),
            "rating_basis": basis,
            "Br_T": sub["Br_T"].to_numpy(),
            "HcJ_kA_m": sub["HcJ_kA_m"].to_numpy(),
            "beta_used": sub["beta"].to_numpy(),
            "beta_source": sub["beta_source"].to_numpy() if "beta_source" in sub else "",
            "pc_used": pc_used,
            "max_temp_C": y,
            "t_model_C": t,
            "residual_C": t - y,
            "limited_by": lim,
            "t_at_stated_C": t_stated,
            "in_fit": in_fit,
            "group": group,
        }
    )


def best_rating(grades: pd.DataFrame, inp: pd.DataFrame, family_pc) -> pd.DataFrame:
    """The rating to show per grade, by the best basis available (catalogue, guideline, model).

    ``family_pc(family) -> Pc`` gives each family's reference Pc. Columns (indexed like
    ``grades``): ``rating_C``, ``rating_basis`` (catalogue | guideline | model), ``t_model_C``
    (the model at its family's reference Pc, Hd = 0), ``pc_ref``, ``limited_by``.
    """
    fams = grades["family"].astype(str)
    pc = fams.map({f: float(family_pc(f)) for f in fams.unique()}).to_numpy(dtype=float)
    r = rated_temperature(
        inp["Br_T"].to_numpy(),
        inp["HcJ_kA_m"].to_numpy(),
        inp["alpha"].to_numpy(),
        inp["beta"].to_numpy(),
        pc=pc,
        mu_rec=inp["mu_rec"].to_numpy(),
        squareness=inp["squareness"].to_numpy(),
        T0_C=inp["T0_C"].to_numpy(),
        curie_C=inp["curie_C"].to_numpy(),
        structural_C=inp["structural_C"].to_numpy(),
        limit_kind=inp["limit_kind"].to_numpy() if "limit_kind" in inp else None,
    )
    t_model = np.asarray(r.t_max_C, dtype=float)
    cat = _num(grades, "max_temp_C").to_numpy()
    basis = _text(grades, "rating_basis").replace("", "catalogue").to_numpy(dtype=object)
    basis = np.where(np.isnan(cat), "model", basis)
    return pd.DataFrame(
        {
            "rating_C": np.where(np.isnan(cat), t_model, cat),
            "rating_basis": basis,
            "t_model_C": t_model,
            "pc_ref": pc,
            "limited_by": np.asarray(r.limited_by, dtype=object),
        },
        index=grades.index,
    )
