"""Many requirements at once: rating, cold check and the leanest substitute per combination.

:func:`substitute_many` evaluates a (combinations x grades) matrix per quantity, so a BOM
of thousands of rows costs one pass over its distinct (grade, condition) combinations.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.rating_table import (
    _b_op_at,
    _holds_cold,
    _rate_arrays,
    default_pc,
    grade_table,
    thickness_inputs,
)
from magnets.substitution.agreement import composition_check, route_need_wt_pct
from magnets.substitution.ranking import _keys, _lex_argmin, _lex_less

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

_T_TOL = 1e-9  # degC tolerance when comparing a rating with the requirement


# ----------------------------------------------------------------------------- many requirements
def _combo_arrays(
    lib: Library, ref_pos: Any, temp_C: Any, pc: Any, hd_kA_m: Any, cold_C: Any
) -> tuple[np.ndarray, ...]:
    """(pos, temp, pcs, hds, colds) as 1-D arrays of one length; NaN Pc = calibrated, NaN Hd = 0."""
    pos = np.asarray(ref_pos, dtype=np.int64).ravel()
    C = pos.size
    temp = np.asarray(temp_C, dtype=float).ravel() * np.ones(C)
    pcs = np.asarray(pc, dtype=float).ravel() * np.ones(C)
    if np.isnan(pcs).any():  # NaN Pc = the calibrated reference Pc
        pcs = np.where(np.isnan(pcs), float(default_pc(lib, None)), pcs)
    hds = np.nan_to_num(
        np.asarray(hd_kA_m, dtype=float).ravel() * np.ones(C), nan=0.0
    )  # NaN Hd = 0
    colds = np.asarray(cold_C, dtype=float).ravel() * np.ones(C)
    return pos, temp, pcs, hds, colds


def _candidates(
    lib: Library, t: pd.DataFrame, p: np.ndarray, known: np.ndarray, req: np.ndarray,
    cond: tuple, family: str, max_mass_factor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(C, G) matrices: t_max, mass factor, meets the requirement (same family, any mass),
    within the mass cap; and the reference's B_op per combo."""
    pcs, hds, colds, thick = cond
    C, G = p.size, len(t)
    hb = thickness_inputs(lib, t, None if thick is None else thick[:, None])
    r_all = _rate_arrays(t, pcs[:, None], hds[:, None], hcj_beta=hb)
    t_all = np.asarray(r_all.t_max_C, dtype=float)
    cold_at = np.where(np.isnan(colds), 20.0, colds)[:, None]
    hold_all = (
        np.asarray(_holds_cold(t, cold_at, pcs[:, None], hds[:, None], hcj_beta=hb), dtype=bool)
        | np.isnan(colds)[:, None]
    )
    _, B_all = _b_op_at(t, req[:, None], pcs[:, None], hds[:, None])
    B_all = np.asarray(B_all, dtype=float)
    B_ref = np.where(known, B_all[np.arange(C), p], np.nan)
    rho = t["density_g_cm3"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mf = (B_ref[:, None] / B_all) * (rho[None, :] / rho[p][:, None])
    fams = t["family"].to_numpy(dtype=object)
    fam_ok = (fams[None, :] == fams[p][:, None]) if family == "same" else np.ones((C, G), bool)
    meets = (
        known[:, None]
        & (t_all >= req[:, None] - _T_TOL)
        & hold_all
        & fam_ok
        & np.isfinite(mf)
        & (mf > 0)
    )
    return t_all, mf, meets, meets & (mf <= float(max_mass_factor) + 1e-12), B_ref


def _substitute_many(
    lib: Library,
    ref_pos: Any,
    temp_C: Any,
    pc: Any,
    hd_kA_m: Any,
    cold_C: Any,
    *,
    rank_by: str = "dy_tb",
    date: dt.date | None = None,
    max_mass_factor: float = 1.2,
    family: str = "same",
    thickness_mm: Any = None,
) -> pd.DataFrame:
    """Rating, cold check and the leanest qualifying substitute per (reference, condition).

    Parameters (1-D arrays of one length C, one entry per distinct combination)
    ----------
    ref_pos : int64 row positions of the reference grades in lib.grades (-1: unknown, gives NaN/-1).
    temp_C : required temperature; NaN = no requirement: the reference's own rating at
        (pc, hd) is used.
    pc, hd_kA_m : condition per combo (the magnet sees Pc/(Pc+mu_rec) of Hd); NaN Pc = the
        calibrated reference Pc, NaN Hd = 0.
    cold_C : cold end per combo (NaN = no cold requirement).
    rank_by : 'dy_tb' | 'controlled' | 'price'. family : 'same' (the reference's family) or 'any'.
    thickness_mm : magnet thickness per combo (None or NaN: a magnet diffusion reaches through,
        <= 6 mm); GBD grades thicker than that are rated with the gain diffusion can give
        (:func:`magnets.rating_table.thickness_inputs`), the reference as well as candidates.

    Returns
    -------
    DataFrame with C rows: t_max_C (the reference's rating), limited_by, holds_cold (bool,
    reference at the cold end), ref_B_op_T (reference at the required temperature),
    required_temp_C, suggested_pos (int64, -1 when none), suggestion_kind (leaner, upgrade
    or none: :func:`_choose`),
    suggested_t_max_C, suggested_mass_factor, suggested_route_need_wt_pct (Dy+Tb the
    suggestion's route needs at the requirement, as ``tradeoff``).
    "Leaner" = strictly lower ranking metric at equal flux than the reference. A candidate whose
    high Dy+Tb bound is below what its route needs there is never suggested: its saving would
    rest on an estimate the physics rules out (:mod:`magnets.substitution.agreement`).

    Notes
    -----
    One (C x G) matrix per quantity: a few hundred combos x a few hundred grades is ~1e5 cells.
    """
    t = grade_table(lib, date)
    pos, temp, pcs, hds, colds = _combo_arrays(lib, ref_pos, temp_C, pc, hd_kA_m, cold_C)
    C = pos.size
    known = (pos >= 0) & (pos < len(t))
    p = np.where(known, pos, 0)
    thick = None if thickness_mm is None else np.asarray(thickness_mm, float).ravel() * np.ones(C)
    t_ref, lim_ref, cold_ok = _reference(lib, t, known, p, (pcs, hds, colds, thick))
    req = np.where(np.isnan(temp), t_ref, temp)
    t_all, mf, meets, qual, B_ref = _candidates(
        lib, t, p, known, req, (pcs, hds, colds, thick), family, max_mass_factor
    )
    k = _keys(t, rank_by)
    keys = [kk[None, :] * mf for kk in k]
    qual &= _lex_less(keys, [kk[p][:, None] for kk in k], strict=True)
    need, plausible = _plausible(lib, t, req, pcs, hds, thick)
    fails = known & ~((t_ref >= req - _T_TOL) & cold_ok)  # NaN rating fails
    best, kind = _choose(keys, mf, qual & plausible, meets & plausible & fails[:, None])
    has = best >= 0
    bsafe = np.where(has, best, 0)
    rows = np.arange(C)
    return pd.DataFrame(
        {
            "t_max_C": t_ref,
            "limited_by": lim_ref,
            "holds_cold": known & cold_ok,
            "ref_B_op_T": B_ref,
            "required_temp_C": req,
            "suggested_pos": best,
            "suggestion_kind": kind.astype(object),
            "suggested_t_max_C": np.where(has, t_all[rows, bsafe], np.nan),
            "suggested_mass_factor": np.where(has, mf[rows, bsafe], np.nan),
            "suggested_route_need_wt_pct": np.where(has, need[rows, bsafe], np.nan),
        }
    )


def _choose(
    keys: list[np.ndarray], mf: np.ndarray, leaner_ok: np.ndarray, upgrade_ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per combo the suggested grade position (-1 none) and its kind: the leanest qualifying
    grade ('leaner'); else, where the reference fails, the grade that meets the requirement
    with the least magnet at equal flux, no mass cap, whatever its Dy+Tb ('upgrade');
    else 'none'."""
    best = _lex_argmin([*keys, mf], leaner_ok)
    upgrade = _lex_argmin([mf, *keys], upgrade_ok)
    kind = np.where(best >= 0, "leaner", np.where(upgrade >= 0, "upgrade", "none"))
    return np.where(best >= 0, best, upgrade), kind


def _reference(
    lib: Library, t: pd.DataFrame, known: np.ndarray, p: np.ndarray, cond: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference of each combo: rating, what limits it ("" if unknown), holds cold."""
    pcs, hds, colds, thick = cond
    hb_ref = thickness_inputs(lib, t, thick, sl=p)
    r_ref = _rate_arrays(t, pcs, hds, sl=p, hcj_beta=hb_ref)
    t_ref = np.where(known, np.asarray(r_ref.t_max_C, dtype=float), np.nan)
    lim_ref = np.where(known, np.asarray(r_ref.limited_by, dtype=object), "").astype(object)
    holds = np.asarray(_holds_cold(t, colds, pcs, hds, sl=p, hcj_beta=hb_ref), dtype=bool)
    return t_ref, lim_ref, np.where(np.isnan(colds), True, holds)


def _plausible(
    lib: Library, t: pd.DataFrame, req: np.ndarray, pcs: np.ndarray, hds: np.ndarray, thick: Any
) -> tuple[np.ndarray, np.ndarray]:
    """(C, G) Dy+Tb need of each grade's route at each requirement, and plausibility."""
    route = t["route"].to_numpy(dtype=object)
    th = None if thick is None else thick[:, None]
    # the need depends on the route only: (C x routes), then spread to the grades
    routes, of_grade = np.unique(route.astype(str), return_inverse=True)
    need_r = route_need_wt_pct(
        lib, routes.astype(object)[None, :], req[:, None], pcs[:, None], hds[:, None], th
    )
    need = need_r[:, of_grade.ravel()]
    high = 100.0 * t["Dy_Tb_kg_per_kg_high"].to_numpy(dtype=float)
    fam = t["family"].to_numpy(dtype=object)
    return need, composition_check(fam[None, :], route[None, :], high[None, :], need)


def substitute_many(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """Vectorised substitution over many requirement combos (see :func:`_substitute_many`).

    NaN inputs (unknown grades, no requirement) are expected and propagate as NaN, so
    numpy's invalid/divide warnings are silenced here, at the source, and nowhere else.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _substitute_many(*args, **kwargs)


substitute_many.__doc__ = (substitute_many.__doc__ or "") + "\n" + (_substitute_many.__doc__ or "")
