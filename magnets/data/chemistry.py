"""Chemistry through pymatgen: element and oxide mass per kg of magnet, wt% <-> at%.

No atomic mass is typed here: every mass comes from :mod:`pymatgen.core`.
Functions work on whole tables (grades x elements) at once.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

#: Elements a composition may hold, in atomic-number order (each has a ``<El>_wt_pct`` column).
ELEMENTS: tuple[str, ...] = (
    "B",
    "C",
    "O",
    "Al",
    "Si",
    "Ti",
    "Fe",
    "Co",
    "Ni",
    "Cu",
    "Ga",
    "Sr",
    "Y",
    "Zr",
    "Nb",
    "Ba",
    "La",
    "Ce",
    "Pr",
    "Nd",
    "Sm",
    "Eu",
    "Gd",
    "Tb",
    "Dy",
    "Ho",
    "Er",
    "Hf",
)
#: Elements the reports show per line, per grade and per year.
REPORTED: tuple[str, ...] = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")
#: Non-element mass in a magnet (resin of bonded magnets), also in wt%.
NON_ELEMENT_COLUMNS: tuple[str, ...] = ("binder_wt_pct",)
#: Rare-earth elements (lanthanides plus Y and Sc).
RARE_EARTHS = frozenset(
    {
        "Sc",
        "Y",
        "La",
        "Ce",
        "Pr",
        "Nd",
        "Pm",
        "Sm",
        "Eu",
        "Gd",
        "Tb",
        "Dy",
        "Ho",
        "Er",
        "Tm",
        "Yb",
        "Lu",
    }
)
#: The oxide each rare earth is traded and reported as (USGS and price conventions).
DEFAULT_OXIDES: dict[str, str] = {
    "Y": "Y2O3",
    "La": "La2O3",
    "Ce": "CeO2",
    "Pr": "Pr6O11",
    "Nd": "Nd2O3",
    "Sm": "Sm2O3",
    "Eu": "Eu2O3",
    "Gd": "Gd2O3",
    "Tb": "Tb4O7",
    "Dy": "Dy2O3",
    "Ho": "Ho2O3",
    "Er": "Er2O3",
}


def wt_column(symbol: str) -> str:
    return f"{symbol}_wt_pct"


def _pymatgen_mass(symbol: str) -> float:
    from pymatgen.core import Element

    return float(Element(symbol).atomic_mass)


def _pymatgen_oxide_factor(symbol: str, formula: str) -> float:
    from pymatgen.core import Composition

    comp = Composition(formula)
    return float(comp.weight) / (float(comp[symbol]) * _pymatgen_mass(symbol))


def pymatgen_table() -> dict[str, dict[str, float]]:
    """Every figure the library uses from pymatgen: ``mass`` (g/mol per element of
    :data:`ELEMENTS`) and ``oxide`` (kg oxide per kg element, :data:`DEFAULT_OXIDES`).
    Computed with pymatgen; :mod:`magnets.data.cache` keeps it per pymatgen version."""
    return {
        "mass": {el: _pymatgen_mass(el) for el in ELEMENTS},
        "oxide": {el: _pymatgen_oxide_factor(el, f) for el, f in DEFAULT_OXIDES.items()},
    }


@cache
def _table() -> dict[str, dict[str, float]]:
    from magnets.data.cache import chemistry_table

    return chemistry_table(pymatgen_table)


@cache
def atomic_mass(symbol: str) -> float:
    """Standard atomic mass in g/mol, from pymatgen (read from the user cache once computed)."""
    known = _table()["mass"].get(symbol)
    return float(known) if known is not None else _pymatgen_mass(symbol)


@cache
def oxide_factor(symbol: str, formula: str | None = None) -> float:
    """kg of oxide per kg of element, e.g. 1.1477 for Dy -> Dy2O3.

    ``formula`` defaults to the element's usual oxide (:data:`DEFAULT_OXIDES`).
    Computed as M(oxide) / (n_El * M(El)) with pymatgen masses.
    """
    formula = formula or DEFAULT_OXIDES.get(symbol)
    if not formula:
        raise KeyError(
            f"no oxide formula known for {symbol}; expected one of {', '.join(DEFAULT_OXIDES)}"
        )
    if formula == DEFAULT_OXIDES.get(symbol):
        return float(_table()["oxide"][symbol])
    return _pymatgen_oxide_factor(symbol, formula)


@cache
def formula_wt_pct(formula: str) -> dict[str, float]:
    """Mass fractions (wt%) of a stoichiometric formula, e.g. SrFe12O19."""
    from pymatgen.core import Composition

    comp = Composition(formula)
    return {str(el): 100.0 * float(comp.get_wt_fraction(el)) for el in comp.elements}


def present_elements(frame: pd.DataFrame) -> list[str]:
    return [el for el in ELEMENTS if wt_column(el) in frame.columns]


def element_kg_per_kg(
    grades: pd.DataFrame, elements: tuple[str, ...] | list[str] | None = None
) -> pd.DataFrame:
    """kg of each element per kg of magnet (wt% / 100), grades x elements."""
    els = list(elements) if elements is not None else present_elements(grades)
    cols = [wt_column(el) for el in els]
    out = grades.reindex(columns=cols).astype("float64").fillna(0.0) / 100.0
    out.columns = els
    return out


def oxide_kg_per_kg(
    grades: pd.DataFrame,
    elements: tuple[str, ...] | list[str] | None = None,
    oxides: dict[str, str] | None = None,
) -> pd.DataFrame:
    """kg of rare-earth oxide equivalent per kg of magnet, grades x elements (rare earths only)."""
    els = [
        el
        for el in (elements if elements is not None else present_elements(grades))
        if el in DEFAULT_OXIDES
    ]
    kg = element_kg_per_kg(grades, els)
    factors = np.array([oxide_factor(el, (oxides or {}).get(el)) for el in els])
    out = kg * factors
    out.columns = [(oxides or {}).get(el) or DEFAULT_OXIDES[el] for el in els]
    return out


def wt_to_at(wt: pd.DataFrame) -> pd.DataFrame:
    """Convert a table of wt% (columns = element symbols) to at% (rows sum to 100)."""
    masses = np.array([atomic_mass(el) for el in wt.columns])
    moles = wt.to_numpy(dtype="float64") / masses
    total = moles.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        at = np.where(total > 0, 100.0 * moles / total, np.nan)
    return pd.DataFrame(at, index=wt.index, columns=wt.columns)


def at_to_wt(at: pd.DataFrame) -> pd.DataFrame:
    """Convert a table of at% (columns = element symbols) to wt% (rows sum to 100)."""
    masses = np.array([atomic_mass(el) for el in at.columns])
    mass = at.to_numpy(dtype="float64") * masses
    total = mass.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        wt = np.where(total > 0, 100.0 * mass / total, np.nan)
    return pd.DataFrame(wt, index=at.index, columns=at.columns)


def element_at_pct(grades: pd.DataFrame) -> pd.DataFrame:
    """at% of every element in each grade (binder excluded)."""
    els = present_elements(grades)
    wt = grades[[wt_column(el) for el in els]].astype("float64").fillna(0.0)
    wt.columns = els
    return wt_to_at(wt)
