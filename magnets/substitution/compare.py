"""Grades side by side at one working condition: the table behind the TUI's compare screen.

For each grade: its rating at (Pc, Hd) and what limits it, its margin over the required
temperature, the working-point flux there, Dy/Tb content with the composition's basis and
low/high band (:mod:`magnets.data.bands`; the point value where a library has no band),
Sm content, the export-controlled elements as of the date, and the irreversible loss after
a trip to the required temperature (:func:`magnets.physics.loss.loss_for_grades`). No new
physics: every figure comes from the functions the CLI's ``rate``, ``show`` and ``loss`` use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from magnets.data.bands import element_band_wt_pct
from magnets.data.controls import exposure
from magnets.rating_table import rate_library

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

#: Columns of :func:`compare_grades`, in order, with their meaning and unit.
COMPARE_COLUMNS: dict[str, str] = {
    "id": "grade id",
    "name": "grade display name",
    "family": "family id",
    "route": "process route",
    "t_max_C": "rated temperature at (Pc, Hd), degC",
    "limited_by": "what limits the rating: knee, curie, structural or unsafe",
    "margin_C": "rated temperature minus the required temperature, K",
    "B_op_T_at_temp": "flux density at the working point at the required temperature, T",
    "loss_pct_at_temp": "irreversible flux loss after a trip to the required temperature, %",
    "Dy_wt_pct": "Dy content, wt%",
    "Dy_wt_pct_low": "Dy content, low end of the band, wt% (the value where no band)",
    "Dy_wt_pct_high": "Dy content, high end of the band, wt% (the value where no band)",
    "Tb_wt_pct": "Tb content, wt%",
    "Tb_wt_pct_low": "Tb content, low end of the band, wt%",
    "Tb_wt_pct_high": "Tb content, high end of the band, wt%",
    "Sm_wt_pct": "Sm content, wt%",
    "composition_basis": "sourced, derived or estimate (how the content is known)",
    "controlled_elements": "export-controlled elements as of the date (space-separated)",
    "unknown_elements": "elements whose control status is unknown as of the date",
    "temp_C": "required temperature, degC",
    "pc": "permeance coefficient",
    "hd_kA_m": "applied demagnetising field, kA/m",
}


def compare_grades(
    lib: Library,
    ids: Sequence[str],
    *,
    temp_C: float,
    pc: float,
    hd_kA_m: float = 0.0,
    date: dt.date | None = None,
) -> pd.DataFrame:
    """One row per grade of ``ids`` (in that order; names and aliases accepted) with the
    columns of :data:`COMPARE_COLUMNS`, at the required temperature ``temp_C`` and the load
    line (``pc``, ``hd_kA_m``). Unknown ids raise the library's UnknownGradeError."""
    from magnets.physics import calibration, loss
    from magnets.physics.beta import fitted_beta_model

    pos = [lib.position(g) for g in ids]
    g = lib.grades.iloc[pos]
    index = g.index.astype(str)
    rated = rate_library(lib, pc, hd_kA_m, temp_C, date=date)
    rated.index = rated.index.astype(str)
    rated = rated.loc[index]
    inputs = calibration.rating_inputs(g, fitted_beta_model(lib))
    lost = loss.loss_for_grades(inputs, temp_C, pc=pc, hd_kA_m=hd_kA_m)
    exp = exposure(g, lib.rules, date)
    out = pd.DataFrame(
        {
            "id": index,
            "name": g["name"].astype(str).to_numpy(),
            "family": g["family"].to_numpy(dtype=object),
            "route": g["route"].to_numpy(dtype=object),
            "t_max_C": rated["t_max_C"].to_numpy(dtype=float),
            "limited_by": rated["limited_by"].to_numpy(dtype=object),
            "margin_C": rated["t_max_C"].to_numpy(dtype=float) - float(temp_C),
            "B_op_T_at_temp": rated["B_op_T_at_temp"].to_numpy(dtype=float),
            "loss_pct_at_temp": lost["loss_pct"].to_numpy(dtype=float),
        },
        index=index,
    )
    for el in ("Dy", "Tb"):
        low, value, high = element_band_wt_pct(g, el)
        out[f"{el}_wt_pct"], out[f"{el}_wt_pct_low"], out[f"{el}_wt_pct_high"] = value, low, high
    out["Sm_wt_pct"] = np.nan_to_num(pd.to_numeric(g["Sm_wt_pct"], errors="coerce"), nan=0.0)
    out["composition_basis"] = g["composition_basis"].to_numpy(dtype=object)
    out["controlled_elements"] = exp["controlled_elements"].to_numpy(dtype=object)
    out["unknown_elements"] = exp["unknown_elements"].to_numpy(dtype=object)
    out["temp_C"], out["pc"], out["hd_kA_m"] = float(temp_C), float(pc), float(hd_kA_m)
    return out[list(COMPARE_COLUMNS)]
