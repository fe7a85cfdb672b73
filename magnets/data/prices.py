"""The price of a grade from its element content, and when that price is unknown.

One rule for every face (substitution rankings, the BOM): a grade's raw-material price is
the sum over its elements of kg per kg times USD per kg from ``elements.csv``. An element
without a price is ignored when it is a commodity (a few USD/kg at most, against tens to
thousands for rare earths) or a trace of anything else; an unpriced rare earth, or another
unpriced element above :data:`UNPRICED_LIMIT_KG_PER_KG`, makes the price unknown (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from magnets.data.chemistry import ELEMENTS, RARE_EARTHS, element_kg_per_kg

#: Elements whose missing price is ignored in the price ranking (commodities, a few USD/kg at most,
#: against tens to thousands for rare earths).
CHEAP_ELEMENTS = frozenset(
    {"B", "C", "O", "Al", "Si", "Ti", "Fe", "Ni", "Cu", "Sr", "Ba", "Zr", "Nb"}
)
#: An unpriced non-commodity element above this share (e.g. 1 wt% Co in NdFeB passes, 50 wt% Co in
#: SmCo does not) makes the grade's price unknown; any unpriced rare earth does too.
UNPRICED_LIMIT_KG_PER_KG = 0.02


def unknown_price_mask(kg: pd.DataFrame, priced: np.ndarray) -> np.ndarray:
    """Per row of ``kg`` (grades x elements, kg/kg): whether the price is unknown.

    ``priced``: bool per column, True where the element has a price.
    """
    unpriced = (kg.to_numpy() > 0) & ~priced
    cols = np.array(kg.columns, dtype=object)
    is_re = np.isin(cols, list(RARE_EARTHS))
    cheap = np.isin(cols, list(CHEAP_ELEMENTS))
    big = kg.to_numpy() > UNPRICED_LIMIT_KG_PER_KG
    return (unpriced & (is_re[None, :] | (big & ~cheap[None, :]))).any(axis=1)


def grade_prices(grades: pd.DataFrame, elements: pd.DataFrame) -> pd.DataFrame:
    """Raw-material price per grade, indexed like ``grades``.

    Columns: ``price_usd_per_kg`` (USD per kg of magnet from the priced elements; NaN where
    the price is unknown by the rule above) and ``unpriced_elements`` (space-separated
    symbols present in the grade without a price, in atomic-number order).
    """
    kg = element_kg_per_kg(grades, list(ELEMENTS))
    price = pd.to_numeric(elements["price_usd_per_kg"], errors="coerce").reindex(kg.columns)
    priced = price.notna().to_numpy()
    unpriced = (kg.to_numpy() > 0) & ~priced
    value = np.where(
        unknown_price_mask(kg, priced),
        np.nan,
        kg.to_numpy()[:, priced] @ price.to_numpy()[priced],
    )
    cols = np.array(kg.columns, dtype=object)
    pat, inv = np.unique(unpriced, axis=0, return_inverse=True)
    names = np.array([" ".join(cols[p]) for p in pat], dtype=object)[inv.ravel()]
    return pd.DataFrame({"price_usd_per_kg": value, "unpriced_elements": names}, index=grades.index)
