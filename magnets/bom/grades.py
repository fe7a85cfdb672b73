"""Per-grade arrays the BOM multiplies rows by: element content, controlled content, price.

One row per library grade, in library order. The price is the one
:func:`magnets.substitution.grade_table` computes, so the BOM and ``magnets substitute``
agree on which prices are unknown (an unpriced rare earth, or another unpriced element above
:data:`magnets.substitution.UNPRICED_LIMIT_KG_PER_KG` that is not among
:data:`magnets.substitution.CHEAP_ELEMENTS`): NaN, never 0 USD.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from magnets.data.bands import element_band_wt_pct
from magnets.data.chemistry import REPORTED
from magnets.data.controls import element_status, exposure
from magnets.substitution import grade_table


@dataclass(frozen=True)
class GradeArrays:
    """frac [grades x REPORTED]: kg of each reported element per kg of magnet;
    ctrl_kg_per_kg [grades]: kg under export control per kg as of the date;
    price_usd_per_kg [grades]: NaN where unknown (only with rank_by='price', else None);
    rank_key [grades]: what "leaner" compares per kg (lower is leaner; an unknown price is
    +inf, ranked last as in :mod:`magnets.substitution`);
    frac_low, frac_high [grades x REPORTED]: the low and high bounds of frac
    (:mod:`magnets.data.bands`; equal to frac where a composition has no band);
    ctrl_low, ctrl_high [grades]: controlled kg per kg with the bounds;
    basis [grades]: the composition basis (sourced, derived, estimate, model);
    route [grades]: the process route."""

    frac: np.ndarray
    ctrl_kg_per_kg: np.ndarray
    price_usd_per_kg: np.ndarray | None
    rank_key: np.ndarray
    frac_low: np.ndarray | None = None
    frac_high: np.ndarray | None = None
    ctrl_low: np.ndarray | None = None
    ctrl_high: np.ndarray | None = None
    basis: np.ndarray | None = None
    route: np.ndarray | None = None


def element_fractions(lib: Any) -> np.ndarray:
    """kg of each REPORTED element per kg of magnet, [grade position x element]."""
    g = lib.grades
    out = np.zeros((len(g), len(REPORTED)))
    for j, el in enumerate(REPORTED):
        c = f"{el}_wt_pct"
        if c in g.columns:
            out[:, j] = pd.to_numeric(g[c], errors="coerce").fillna(0.0).to_numpy() / 100.0
    return out


def element_bands(lib: Any, date: dt.date) -> tuple[np.ndarray, ...]:
    """(frac_low, frac_high, controlled_low, controlled_high): the bounds of the element
    fractions [grade x REPORTED] and of controlled kg per kg [grade], as of ``date``."""
    g = lib.grades
    frac = element_fractions(lib)
    low, high = frac.copy(), frac.copy()
    status = element_status(lib.rules, date)
    ctrl_low, ctrl_high = np.zeros(len(g)), np.zeros(len(g))
    for j, el in enumerate(REPORTED):  # seven elements, not rows
        lo, _mid, hi = element_band_wt_pct(g, el)
        low[:, j], high[:, j] = lo / 100.0, hi / 100.0
        if status.get(el, "not_controlled") == "controlled":
            ctrl_low += low[:, j] - frac[:, j]
            ctrl_high += high[:, j] - frac[:, j]
    return low, high, ctrl_low, ctrl_high


def price_usd_per_kg(lib: Any, date: dt.date) -> np.ndarray:
    """USD per kg of magnet per grade, NaN where the price is unknown (substitution's rule)."""
    return grade_table(lib, date)["price_usd_per_kg"].to_numpy(dtype=float)


def grade_arrays(lib: Any, date: dt.date, rank_by: str) -> GradeArrays:
    """The per-grade arrays for one evaluation."""
    frac = element_fractions(lib)
    ctrl = exposure(lib.grades, lib.rules, date)["controlled_kg_per_kg"]
    ctrl_pg = pd.to_numeric(ctrl, errors="coerce").fillna(0.0).to_numpy()
    price = None
    if rank_by == "dy_tb":
        key = frac[:, REPORTED.index("Dy")] + frac[:, REPORTED.index("Tb")]
    elif rank_by == "controlled":
        key = ctrl_pg
    else:
        price = price_usd_per_kg(lib, date)
        key = np.nan_to_num(price, nan=np.inf)
    low, high, d_ctrl_low, d_ctrl_high = element_bands(lib, date)
    basis = (
        lib.grades["composition_basis"].fillna("").astype(str).to_numpy(dtype=object)
        if "composition_basis" in lib.grades.columns
        else np.full(len(lib.grades), "", dtype=object)
    )
    route = lib.grades["route"].fillna("").astype(str).to_numpy(dtype=object)
    return GradeArrays(
        frac,
        ctrl_pg,
        price,
        key,
        low,
        high,
        ctrl_pg + d_ctrl_low,
        ctrl_pg + d_ctrl_high,
        basis,
        route,
    )
