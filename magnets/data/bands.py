"""Low / high element content per grade: the band an estimated composition carries.

A composition estimated from a model (``basis`` ``model`` in ``compositions.csv``) gives each
heavy rare earth a bound below and above its value, in the columns ``<El>_wt_pct_low`` and
``<El>_wt_pct_high`` of the grade table. Sourced and derived compositions, and libraries
written before the band columns existed, have no band: there low = value = high. This module
is the one place that reads those columns, so everything downstream (``substitute``, the BOM
totals) is right with or without them. No physics here: the bands are data.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: Elements whose content may carry a band in the library.
BAND_ELEMENTS = ("Dy", "Tb")


def _num(grades: pd.DataFrame, col: str) -> np.ndarray:
    if col not in grades.columns:
        return np.full(len(grades), np.nan)
    return pd.to_numeric(grades[col], errors="coerce").to_numpy(dtype=float)


def element_band_wt_pct(
    grades: pd.DataFrame, element: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, value, high) wt% of ``element`` per grade, in the order of ``grades``.

    An empty content is 0 wt%; an empty or missing bound is the value itself.
    """
    value = np.nan_to_num(_num(grades, f"{element}_wt_pct"), nan=0.0)
    low = _num(grades, f"{element}_wt_pct_low")
    high = _num(grades, f"{element}_wt_pct_high")
    return np.where(np.isnan(low), value, low), value, np.where(np.isnan(high), value, high)


def content_bands(grades: pd.DataFrame, elements: Iterable[str] = BAND_ELEMENTS) -> pd.DataFrame:
    """Per grade (indexed like ``grades``): ``<El>_wt_pct_low``, ``<El>_wt_pct``,
    ``<El>_wt_pct_high`` for each element, then ``Dy_Tb_wt_pct_low`` / ``Dy_Tb_wt_pct`` /
    ``Dy_Tb_wt_pct_high`` (the sums of the Dy and Tb bounds) and ``composition_basis``.

    wt% of the whole magnet. Without band columns every low and high equals the value.
    """
    out: dict[str, np.ndarray] = {}
    for el in dict.fromkeys([*elements, *BAND_ELEMENTS]):
        lo, mid, hi = element_band_wt_pct(grades, el)
        out.update({f"{el}_wt_pct_low": lo, f"{el}_wt_pct": mid, f"{el}_wt_pct_high": hi})
    for part in ("_low", "", "_high"):
        out[f"Dy_Tb_wt_pct{part}"] = out[f"Dy_wt_pct{part}"] + out[f"Tb_wt_pct{part}"]
    frame = pd.DataFrame(out, index=grades.index)
    basis = grades["composition_basis"] if "composition_basis" in grades.columns else ""
    frame["composition_basis"] = pd.Series(basis, index=grades.index).fillna("").astype(str)
    return frame
