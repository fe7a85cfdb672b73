"""Primary supply the fleet compares with: two yardsticks from ``materials/supply.csv``.

Each share compares like with like (:func:`magnets.data.supply.primary_supply`):

* ``world``: world mine production, which is primary by definition;
* ``china``: China's separated output **less** the oxide China recovered from magnet scrap in
  the same year, so a primary demand already net of recycling is never compared with a
  supply that still counts recycled oxide (recycling is netted once, on each side).

The figure is that of the latest year at or before each model year, on its own basis: an
oxide figure against primary demand as oxide (kg oxide per kg element, pymatgen), a metal
figure against primary demand as metal. An element without a figure of its own uses its
group's (Nd and Pr: the PrNd figure, each element's oxide against the group's). NaN where
a yardstick has no figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from magnets.data.chemistry import REPORTED
from magnets.data.supply import COLUMNS, PrimarySupply, group_denominator, primary_supply

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: the yardsticks, in column order, and the column naming each one's denominator
SHARE_COLUMNS: dict[str, str] = {
    "world": "share_of_world_primary_pct",
    "china": "share_of_china_output_pct",
}
#: what each yardstick's figure is, in words (column meanings, notes)
YARDSTICK_WORDS: dict[str, str] = {
    "world": "world mine production",
    "china": "China's separated output less its oxide recovered from scrap (same year)",
}


def oxide_factors() -> np.ndarray:
    """kg oxide per kg element for REPORTED (pymatgen), NaN for Co (not a rare earth)."""
    from magnets.data.chemistry import DEFAULT_OXIDES, oxide_factor

    return np.array([oxide_factor(el) if el in DEFAULT_OXIDES else np.nan for el in REPORTED])


def fleet_supply(lib: Any, years: np.ndarray) -> dict[str, PrimarySupply]:
    """Primary supply of each yardstick for REPORTED on ``years`` (from ``lib.supply``)."""
    import pandas as pd

    table = getattr(lib, "supply", None)
    if table is None or len(table) == 0:
        table = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
        table["year"] = table["year"].astype("int64")
        table["value_t"] = table["value_t"].astype("float64")
    return {y: primary_supply(table, REPORTED, np.asarray(years), y) for y in SHARE_COLUMNS}


def share_factor(ps: PrimarySupply) -> np.ndarray:
    """(E, Y) so that share % = primary_t * factor: 100 * basis multiplier / figure."""
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(ps.value_t > 0, ps.value_t, np.nan)
        return 100.0 * ps.mult[:, None] / value


def group_share(ps: PrimarySupply, members: list[int], primary: np.ndarray) -> np.ndarray:
    """Share % of an element group per year and sample: primary (Y, M, N) t of element of the
    members, as their oxides (or metal), over the group's denominator (a figure shared by
    several members, such as PrNd for Nd and Pr, counted once). NaN without a figure."""
    den = group_denominator(ps, members)  # (Y,)
    num = (primary * ps.mult[members][None, :, None]).sum(axis=1)  # (Y, N)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * num / np.where(den > 0, den, np.nan)[:, None]


def own_figure_metal_t(ps: PrimarySupply) -> np.ndarray:
    """(E, Y) the figure in tonnes of element where it is the element's own (not a group's)."""
    own = ps.group == np.asarray(ps.elements, dtype=object)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(own, ps.value_t / ps.mult[:, None], np.nan)


def supply_frame(supply: dict[str, PrimarySupply]) -> pd.DataFrame:
    """The figures used, one row per yardstick, element and model year that has one:
    yardstick, element, year, figure_element (the element or its group), figure_year, basis,
    value_t (on that basis), source."""
    import pandas as pd

    parts = []
    for name, ps in supply.items():  # two yardsticks
        e, k = np.nonzero(np.isfinite(ps.value_t))
        parts.append(
            pd.DataFrame(
                {
                    "yardstick": name,
                    "element": np.asarray(ps.elements, dtype=object)[e],
                    "year": ps.years[k],
                    "figure_element": ps.group[e, k],
                    "figure_year": ps.year[e, k],
                    "basis": ps.basis[e, k],
                    "value_t": ps.value_t[e, k],
                    "source": ps.source[e, k],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
