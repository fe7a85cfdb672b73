"""One requirement: the grades that meet it, leanest first at equal flux (:func:`find_substitutes`).

The result stays a pandas DataFrame rather than a dataclass: every consumer (the CLI's
text/CSV/JSON writers, the TUI's table, the BOM) works on it as a table, row filters and
``head(top)`` keep working, and the requirement travels in ``frame.attrs``. What a dataclass
would add, documented fields with units, is :data:`SUBSTITUTE_COLUMNS` (column -> meaning
and unit) and :data:`SUBSTITUTE_ATTRS`; a test checks the frame has exactly those columns.
The JSON keys of ``magnets substitute`` are :data:`SUBSTITUTE_KEYS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.errors import InputError
from magnets.physics.coercivity import fitted_coercivity_model
from magnets.rating_table import (
    _b_op_at,
    _holds_cold,
    _rate_arrays,
    default_pc,
    grade_table,
    thickness_inputs,
)
from magnets.substitution.agreement import (
    composition_check,
    composition_notes,
    route_need_wt_pct,
    thickness_notes,
)
from magnets.substitution.ranking import RANK_BY, _keys, _lex_less, default_rank_by

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

_T_TOL = 1e-9  # degC tolerance when comparing a rating with the requirement

#: Columns of the :func:`find_substitutes` table, best first, each with its meaning and unit.
SUBSTITUTE_COLUMNS: dict[str, str] = {
    "id": "grade id",
    "name": "grade display name",
    "family": "family id",
    "route": "process route",
    "t_max_C": "rated temperature at (Pc, Hd), degC",
    "limited_by": "what limits the rating: knee, curie, structural or unsafe",
    "loss_pct_at_temp": "irreversible flux loss after a trip to the required temperature, %",
    "B_op_T_at_temp": "flux density at the working point at the required temperature, T",
    "mass_factor": "magnet mass for the reference's flux, relative to the reference (kg/kg)",
    "Dy_Tb_kg_per_kg": "Dy + Tb per kg of magnet, kg/kg",
    "Dy_Tb_kg_per_kg_low": "low bound of Dy + Tb per kg of magnet, kg/kg",
    "Dy_Tb_kg_per_kg_high": "high bound of Dy + Tb per kg of magnet, kg/kg",
    "composition_basis": "where the composition comes from: sourced, derived, estimate, model",
    "route_need_kg_per_kg": "Dy + Tb the route needs at the requirement (as `tradeoff`), kg/kg",
    "plausible": "the high Dy + Tb bound is at least route_need_kg_per_kg (or not modelled)",
    "note": "why the estimate is implausible (empty when plausible)",
    "thickness": "what a GBD figure assumes about thickness (empty for other routes)",
    "controlled_kg_per_kg": "export-controlled elements per kg of magnet as of the date, kg/kg",
    "unknown_kg_per_kg": "elements of unknown control status per kg of magnet, kg/kg",
    "price_usd_per_kg": "raw-material price per kg of magnet, USD/kg (NaN: unknown)",
    "Dy_Tb_kg_equal_flux": "Dy + Tb per kg of reference magnet at equal flux, kg/kg",
    "controlled_kg_equal_flux": "controlled elements per kg of reference at equal flux, kg/kg",
    "unknown_kg_equal_flux": "unknown-status elements per kg of reference at equal flux, kg/kg",
    "price_usd_equal_flux": "raw-material price per kg of reference at equal flux, USD/kg",
    "pareto": "on the front of (higher t_max_C, leaner ranking metric)",
    "is_reference": "this row is the reference grade",
    "why": "why it answers: rating and its limit, composition basis and band, GBD thickness, "
    "export control as of the date (magnets.substitution.why)",
}
#: ``frame.attrs`` of the :func:`find_substitutes` table: the requirement it answers.
SUBSTITUTE_ATTRS: dict[str, str] = {
    "reference": "reference grade id",
    "temp_C": "required temperature, degC",
    "pc": "permeance coefficient",
    "hd_kA_m": "applied demagnetising field, kA/m",
    "cold_C": "cold end, degC (None: not checked)",
    "rank_by": "ranking metric: dy_tb, controlled or price",
    "rank_by_default": "whether rank_by was chosen by default_rank_by (none was asked for)",
    "family": "the family candidates were drawn from: a family id or 'any'",
    "family_is_reference": "whether that family is the reference's own (the default)",
    "max_loss_pct": "largest loss allowed at temp_C, % (None: the knee decides)",
    "n_qualifying": "grades that qualify (before ``top``)",
    "reference_t_max_C": "the reference's rated temperature, degC",
    "reference_B_op_T_at_temp": "the reference's working-point flux at temp_C, T",
    "reference_loss_pct_at_temp": "the reference's irreversible loss after a trip to temp_C, %",
    "thickness_mm": "magnet thickness along the magnetisation, mm (None: <= diffusion depth)",
}
#: JSON keys of ``magnets substitute`` (issue 3), in order; units in SUBSTITUTE_COLUMNS.
SUBSTITUTE_KEYS = [
    "id",
    "family",
    "route",
    "t_max_C",
    "B_op_T_at_temp",
    "mass_factor",
    "Dy_Tb_kg_per_kg",
    "Dy_Tb_kg_per_kg_low",
    "Dy_Tb_kg_per_kg_high",
    "composition_basis",
    "controlled_kg_per_kg",
    "Dy_Tb_kg_equal_flux",
    "controlled_kg_equal_flux",
    "route_need_kg_per_kg",
    "plausible",
    "note",
    "thickness",
    "pareto",
]


# ----------------------------------------------------------------------------- one requirement
def _family_filter(families: np.ndarray, family: Any, ref_family: str | None) -> np.ndarray:
    if family is None:
        return families == ref_family if ref_family is not None else np.ones(families.shape, bool)
    if str(family).casefold() == "any":
        return np.ones(families.shape, bool)
    return families == str(family)


def _check_request(
    reference: Any, temp_C: Any, rank_by: str | None, family: Any, fams: Any
) -> None:
    if reference is None and temp_C is None:
        raise InputError("expected a reference grade or --temp (or both), instead received neither")
    if rank_by is not None and rank_by not in RANK_BY:
        raise InputError(
            f"expected --rank-by one of {', '.join(RANK_BY)}, instead received {rank_by!r}"
        )
    named = fams is not None and family is not None and str(family).casefold() != "any"
    if named and str(family) not in set(fams):
        raise InputError(
            f"expected --family 'any' or one of {', '.join(sorted(set(fams)))}, "
            f"instead received {family!r}"
        )


def _requirement(
    lib: Library,
    t: pd.DataFrame,
    tmax: np.ndarray,
    cold: np.ndarray,
    holds: Callable[[float], np.ndarray],
    *,
    reference: Any,
    temp_C: Any,
    family: Any,
    pc: float,
    hd: float,
    cold_C: Any,
) -> tuple[int, float]:
    """(reference row, required temperature) from a reference, a temperature, or both."""
    ids = t.index.astype(str).to_numpy()
    fams = t["family"].to_numpy(dtype=object)
    if reference is not None:
        ref = lib.position(reference)
        if temp_C is not None:
            return ref, float(temp_C)
        if np.isnan(tmax[ref]):
            raise InputError(
                f"grade {ids[ref]} is unsafe at Pc={pc:g}, Hd={hd:g} kA/m even at its reference "
                "temperature, so it sets no requirement; give --temp"
            )
        return ref, float(tmax[ref])
    temp = float(temp_C)
    _, b_all = _b_op_at(t, temp, pc, hd)
    ok = holds(temp) & cold & _family_filter(fams, family, None)
    if not ok.any():
        raise InputError(
            f"no grade{'' if family in (None, 'any') else ' of family ' + str(family)} "
            f"holds {temp:g} degC at Pc={pc:g}, Hd={hd:g} kA/m and the cold end {cold_C} degC; "
            "lower --temp or --hd, or raise --pc"
        )
    b = np.where(ok, b_all, -np.inf)
    best = np.max(b)
    return int(np.flatnonzero(b >= best)[np.argmin(ids[b >= best])]), temp  # ties by id


def _loss_at(t: pd.DataFrame, temp: float, pc: float, hd: float) -> np.ndarray:
    """Irreversible loss (%) of every grade after a trip to ``temp`` (NaN: no rating inputs)."""
    from magnets.physics.loss import loss_for_grades

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # NaN rows expected
        return loss_for_grades(t, temp, pc=pc, hd_kA_m=hd)["loss_pct"].to_numpy(dtype=float)


def _holds_fn(
    t: pd.DataFrame, tmax: np.ndarray, pc: float, hd: float, max_loss_pct: float | None
) -> tuple[Callable[[float], np.ndarray], Callable[[float], np.ndarray]]:
    """(holds, loss_at): mask of the grades that hold a temperature (knee rating >= T, or loss
    at T <= the cap) and the loss of every grade at T, computed once per temperature."""
    from functools import lru_cache

    @lru_cache(maxsize=2)
    def loss_at(temp: float) -> np.ndarray:
        return _loss_at(t, temp, pc, hd)

    if max_loss_pct is None:
        return (lambda temp: tmax >= temp - _T_TOL), loss_at
    cap = float(max_loss_pct)
    return (lambda temp: loss_at(temp) <= cap + 1e-9), loss_at  # NaN loss never holds


def _check_max_loss(max_loss_pct: Any) -> None:
    if max_loss_pct is None:
        return
    x = float(max_loss_pct)
    if not (np.isfinite(x) and 0.0 <= x < 100.0):
        raise InputError(
            "expected --max-loss a percentage of flux, at least 0 and below 100 (e.g. 5), "
            f"instead received {max_loss_pct!r}"
        )


def _pareto(ti: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """Whether each candidate is dominated: j dominates i if t_j >= t_i and keys_j <= keys_i,
    one strictly."""
    kj = [k[None, :] for k in keys]
    ki = [k[:, None] for k in keys]
    geq = ti[None, :] >= ti[:, None] - _T_TOL
    gt = ti[None, :] > ti[:, None] + _T_TOL
    return (geq & _lex_less(kj, ki, strict=False) & (gt | _lex_less(kj, ki, strict=True))).any(
        axis=1
    )


def _substitute_frame(
    lib: Library, t: pd.DataFrame, sel: np.ndarray, cols: dict[str, Any]
) -> pd.DataFrame:
    """The result rows ``sel`` (positions in ``t``) with the columns of SUBSTITUTE_COLUMNS."""
    ids = t.index.astype(str).to_numpy()
    g = lib.grades

    def num(c: str) -> np.ndarray:
        return t[c].to_numpy(dtype=float)[sel]

    out = pd.DataFrame(
        {
            "id": ids[sel],
            "name": g["name"].to_numpy(dtype=object)[sel] if "name" in g.columns else ids[sel],
            "family": t["family"].to_numpy(dtype=object)[sel],
            "route": t["route"].to_numpy(dtype=object)[sel],
            "t_max_C": cols["t_max_C"][sel],
            "limited_by": cols["limited_by"][sel],
            "loss_pct_at_temp": cols["loss"][sel],
            "B_op_T_at_temp": cols["B"][sel],
            "mass_factor": cols["mf"][sel],
            "Dy_Tb_kg_per_kg": num("Dy_Tb_kg_per_kg"),
            "Dy_Tb_kg_per_kg_low": num("Dy_Tb_kg_per_kg_low"),
            "Dy_Tb_kg_per_kg_high": num("Dy_Tb_kg_per_kg_high"),
            "composition_basis": t["composition_basis"].to_numpy(dtype=object)[sel],
            "controlled_kg_per_kg": num("controlled_kg_per_kg"),
            "unknown_kg_per_kg": num("unknown_kg_per_kg"),
            "price_usd_per_kg": num("price_usd_per_kg"),
        }
    )
    for what in ("Dy_Tb_kg", "controlled_kg", "unknown_kg", "price_usd"):
        out[f"{what}_equal_flux"] = out[f"{what}_per_kg"] * out["mass_factor"]
    need = cols["need_wt_pct"][sel]
    out["route_need_kg_per_kg"] = need / 100.0
    out["plausible"] = cols["plausible"][sel]
    out["note"] = composition_notes(
        out["plausible"].to_numpy(), out["route"].to_numpy(), 100.0 * num("Dy_Tb_kg_per_kg_high"),
        need,
    )  # fmt: skip
    limit = fitted_coercivity_model(lib).thickness_limit_mm
    out["thickness"] = thickness_notes(out["route"].to_numpy(), cols["thickness_mm"], limit)
    return out


def _plausibility(
    lib: Library, t: pd.DataFrame, temp: float, pc: float, hd: float, thickness_mm: Any
) -> dict[str, Any]:
    """need_wt_pct (what each grade's route needs at the requirement, as ``tradeoff``) and
    plausible per grade of ``t`` (implausible estimates rank last), and the thickness."""
    route = t["route"].to_numpy(dtype=object)
    need = route_need_wt_pct(lib, route, temp, pc, hd, thickness_mm)
    high = 100.0 * t["Dy_Tb_kg_per_kg_high"].to_numpy(dtype=float)
    ok = composition_check(t["family"].to_numpy(dtype=object), route, high, need)
    return {"need_wt_pct": need, "plausible": ok, "thickness_mm": thickness_mm}


def _at_thickness(lib: Library, t: pd.DataFrame, thickness_mm: Any) -> pd.DataFrame:
    """The grade table with HcJ and beta of magnets ``thickness_mm`` thick (GBD grades lose
    the gain beyond the diffusion depth: :func:`magnets.rating_table.thickness_inputs`), so
    the rating, the cold end and the loss all see the same magnet; unchanged without one."""
    hb = thickness_inputs(lib, t, thickness_mm)
    return t if hb is None else t.assign(HcJ_kA_m=hb[0], beta=hb[1])


def _check_thickness(thickness_mm: Any) -> None:
    if thickness_mm is not None and not (np.isfinite(thickness_mm) and thickness_mm > 0):
        raise InputError(
            f"expected --thickness a finite number of mm > 0, instead received {thickness_mm}"
        )


def _ranked(
    lib: Library,
    t: pd.DataFrame,
    idx: np.ndarray,
    ref: int,
    cols: dict[str, np.ndarray],
    rank_by: str,
) -> pd.DataFrame:
    """The qualifying rows ``idx`` leanest first at equal flux, with pareto and is_reference."""
    mf = cols["mf"]
    keys = [k[idx] * mf[idx] for k in _keys(t, rank_by)]
    dominated = _pareto(cols["t_max_C"][idx], keys)
    ids = t.index.astype(str).to_numpy()
    # implausible estimates (below what their route needs here) rank after plausible ones
    order = np.lexsort([ids[idx], mf[idx], *keys[::-1], ~cols["plausible"][idx]])
    sel = idx[order]
    out = _substitute_frame(lib, t, sel, cols)
    out["pareto"] = ~dominated[order]
    out["is_reference"] = sel == ref
    return out


def _mass_factor(t: pd.DataFrame, B: np.ndarray, ref: int) -> np.ndarray:
    """Mass of each grade giving the reference's flux at equal flux: (B_ref/B) * (rho/rho_ref)."""
    rho = t["density_g_cm3"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (B[ref] / B) * (rho / rho[ref])


def _scope(family: Any, ref_family: Any, rank_by: str | None) -> dict[str, Any]:
    """The family drawn from and the ranking metric, as ``attrs`` keys (SUBSTITUTE_ATTRS)."""
    return {
        "rank_by": default_rank_by(family, ref_family) if rank_by is None else rank_by,
        "rank_by_default": rank_by is None,
        "family": str(ref_family) if family is None else str(family),
        "family_is_reference": family is None or str(family) == str(ref_family),
    }


def _route_and_br(t: pd.DataFrame, route: str | None, min_br_T: float | None) -> np.ndarray:
    """Mask of the grades on one of ``route`` (comma list) with datasheet Br >= ``min_br_T``."""
    keep = np.ones(len(t), dtype=bool)
    if route:
        routes = [r.strip() for r in str(route).split(",") if r.strip()]
        keep &= np.isin(t["route"].to_numpy(dtype=object), routes)
    if min_br_T is not None:
        keep &= t["Br_T"].to_numpy(dtype=float) >= float(min_br_T)
    return keep


def _checked_filters(
    family: Any, route: Any, max_loss_pct: Any, thickness_mm: Any
) -> tuple[str | None, str | None]:
    """--family (a family or 'any') and --route (comma list) in canonical case; a typo is an
    InputError with did-you-mean, not an empty result. --max-loss and --thickness checked."""
    from magnets.data.names import pick
    from magnets.data.schema import FAMILIES, ROUTES

    _check_max_loss(max_loss_pct)
    _check_thickness(thickness_mm)
    if family is not None:
        family = pick("--family", family, FAMILIES, extra=("any",))[0]
    if route:
        route = ",".join(pick("--route", route, ROUTES))
    return family, route


def find_substitutes(
    lib: Library,
    *,
    reference: Any = None,
    temp_C: float | None = None,
    pc: float | None = None,
    hd_kA_m: float = 0.0,
    cold_C: float | None = -40.0,
    min_br_T: float | None = None,
    family: str | None = None,
    route: str | None = None,
    max_mass_factor: float = 1.2,
    rank_by: str | None = None,
    date: dt.date | None = None,
    top: int | None = None,
    max_loss_pct: float | None = None,
    thickness_mm: float | None = None,
) -> pd.DataFrame:
    """Grades that meet a requirement, leanest first at equal flux.

    Parameters
    ----------
    reference : grade id or name. The requirement is its rating at (Pc, Hd) unless temp_C is given.
    temp_C : required temperature. Without a reference, the reference becomes the qualifying grade
        with the highest B_op at temp_C (ties by id), within ``family`` when one is given.
    pc, hd_kA_m : condition (default: the calibrated Pc, Hd = 0). The magnet sees
        Pc/(Pc+mu_rec) of Hd.
    cold_C : minimum operating temperature; candidates must hold there too.
    min_br_T : minimum datasheet Br (at T0) of a candidate.
    family : None (the reference's family), 'any', or a family id. route : a route or comma list.
    max_mass_factor : the largest mass at equal flux, relative to the reference (default 1.2).
    rank_by : 'dy_tb' (kg Dy+Tb), 'controlled' (kg export-controlled; unknown-status elements rank
        worse than controlled ones) or 'price' (USD, priced elements only), all at equal flux.
        None: ``default_rank_by`` (Dy+Tb in an NdFeB reference's family, else controlled).
    top : keep the first N rows (pareto is computed before the cut).
    max_loss_pct : when given, a grade holds the requirement when its irreversible loss after a
        trip to temp_C at (Pc, Hd) is at most this percentage, instead of its knee rating
        reaching temp_C (:func:`magnets.physics.loss.irreversible_loss`).
    thickness_mm : magnet thickness, mm: GBD gain beyond the diffusion depth is lost (None: within).

    Returns
    -------
    DataFrame, best first, with the columns of SUBSTITUTE_COLUMNS (units there); ``attrs``
    holds the requirement (SUBSTITUTE_ATTRS).
    """
    _check_request(reference, temp_C, rank_by, None, None)
    family, route = _checked_filters(family, route, max_loss_pct, thickness_mm)
    pc, hd = float(default_pc(lib, pc)), float(hd_kA_m)
    t = _at_thickness(lib, grade_table(lib, date), thickness_mm)
    fams = t["family"].to_numpy(dtype=object)
    _check_request(reference, temp_C, rank_by, family, fams)
    rating = _rate_arrays(t, pc, hd)
    tmax = np.asarray(rating.t_max_C, dtype=float)
    cold = _holds_cold(t, float(cold_C), pc, hd) if cold_C is not None else np.ones(len(t), bool)
    holds, loss_at = _holds_fn(t, tmax, pc, hd, max_loss_pct)
    ref, temp = _requirement(
        lib, t, tmax, cold, holds, reference=reference, temp_C=temp_C, family=family,
        pc=pc, hd=hd, cold_C=cold_C,
    )  # fmt: skip
    scope = _scope(family, fams[ref], rank_by)
    B = np.asarray(_b_op_at(t, temp, pc, hd)[1], dtype=float)
    mf = _mass_factor(t, B, ref)
    loss = loss_at(temp)
    qual = holds(temp) & cold & _family_filter(fams, family, fams[ref])
    qual &= np.isfinite(mf) & (mf > 0) & (mf <= float(max_mass_factor) + 1e-12)
    idx = np.flatnonzero(qual & _route_and_br(t, route, min_br_T))
    limited = np.asarray(rating.limited_by, dtype=object)
    cols = {"t_max_C": tmax, "limited_by": limited, "B": B, "mf": mf, "loss": loss}
    cols.update(_plausibility(lib, t, temp, pc, hd, thickness_mm))
    out = _ranked(lib, t, idx, ref, cols, scope["rank_by"])
    out.attrs.update(
        reference=str(t.index[ref]), temp_C=temp, pc=pc, hd_kA_m=hd, cold_C=cold_C,
        **scope, max_loss_pct=None if max_loss_pct is None else float(max_loss_pct),
        n_qualifying=len(idx), reference_t_max_C=float(tmax[ref]), thickness_mm=thickness_mm,
        reference_B_op_T_at_temp=float(B[ref]), reference_loss_pct_at_temp=float(loss[ref]),
    )  # fmt: skip
    if top is not None:
        out = out.head(int(top))
    return _with_why(lib, out.reset_index(drop=True), date)


def _with_why(lib: Library, out: pd.DataFrame, date: dt.date | None) -> pd.DataFrame:
    """``out`` with the ``why`` column (:func:`magnets.substitution.why.why`) at its
    requirement (``attrs``); computed after ``top``, for the rows shown only."""
    from magnets.substitution.why import why

    a = out.attrs
    text = why(
        lib, lib.grades.index.get_indexer(out["id"]), temp_C=a["temp_C"], pc=a["pc"],
        hd_kA_m=a["hd_kA_m"], thickness_mm=a["thickness_mm"], date=date,
        loss_pct=out["loss_pct_at_temp"].to_numpy(dtype=float), max_loss_pct=a["max_loss_pct"],
    )["why"]  # fmt: skip
    out["why"] = text.to_numpy(dtype=object) if len(out) else np.zeros(0, dtype=object)
    return out
