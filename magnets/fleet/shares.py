"""World supply: production per reported element and the share-of-world denominators.

A share compares like with like: an oxide (or REO) production figure against primary
demand as oxide (kg oxide per kg element from pymatgen), a metal figure against demand as
metal. Where the library has no per-element figure the share is NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from magnets.data.chemistry import REPORTED

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns of the world-production frame (besides its ``element`` index).
WORLD_COLUMNS: tuple[str, ...] = (
    "production_t",
    "production_basis",
    "production_year",
    "oxide_formula",
)


def world_production(lib: Any) -> pd.DataFrame:
    """World production per reported element: production_t, basis ('oxide'|'metal'|'REO'|NA), year.

    Taken from ``lib.elements``; an element without a per-element figure has NaN.
    """
    import pandas as pd

    el = getattr(lib, "elements", None)
    cols = list(WORLD_COLUMNS)
    if el is None or len(el) == 0:
        frame = pd.DataFrame(index=pd.Index(REPORTED, name="element"), columns=cols)
    else:
        frame = el.reindex(index=list(REPORTED), columns=cols)
        frame.index.name = "element"
    frame["production_t"] = pd.to_numeric(frame["production_t"], errors="coerce").astype("float64")
    frame["production_basis"] = frame["production_basis"].astype("string").str.strip().str.lower()
    return frame


def oxide_factors() -> np.ndarray:
    """kg oxide per kg element for REPORTED (pymatgen), NaN for Co (not a rare earth)."""
    from magnets.data.chemistry import DEFAULT_OXIDES, oxide_factor

    return np.array([oxide_factor(el) if el in DEFAULT_OXIDES else np.nan for el in REPORTED])


def share_denominators(world: pd.DataFrame, factors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(multiplier, production) per element so that share% = 100 * primary_t * mult / production.

    Like basis: an oxide or REO figure is compared with primary demand as oxide
    (mult = oxide factor); a metal figure with primary demand as metal (mult = 1).
    NaN where there is no per-element figure or the basis is unknown.
    """
    basis = world["production_basis"].fillna("").to_numpy(dtype=object)
    prod = world["production_t"].to_numpy(dtype="float64")
    mult = np.full(len(REPORTED), np.nan)
    is_oxide = np.isin(basis, ["oxide", "reo"])
    is_metal = basis == "metal"
    mult = np.where(is_oxide, factors, mult)
    mult = np.where(is_metal, 1.0, mult)
    prod = np.where(prod > 0, prod, np.nan)
    return mult, prod


def world_metal_t(world: pd.DataFrame) -> np.ndarray:
    """World production per REPORTED element in tonnes of element (NaN without a figure)."""
    mult, prod = share_denominators(world, oxide_factors())
    return prod / mult
