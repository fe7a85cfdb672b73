"""Why a grade is suggested: one short line per suggestion, built here once for every face.

``magnets substitute --why``, the BOM's ``suggested_why`` column, the TUI's trade-off and BOM
detail lines all show :func:`why`. For each grade at its requirement (temperature, Pc, Hd,
thickness) it says:

* **rating**: the rated temperature at (Pc, Hd) and what limits it: the knee at that Pc,
  or a cap (the alloy's structural or oxidation limit, its Curie temperature), with the
  margin over the required temperature; with a loss cap, the loss after a trip there; then
  what the datasheet prints (a catalogue rating at a stated Pc, a maker's guideline with no
  Pc, a class guideline where the maker prints none, or no rating at all);
* **composition**: Dy+Tb (and Sm where present) in wt%, where the figure comes from
  (``composition_basis``: sourced, derived, estimate, model) and the band of an estimate;
* **thickness**: what a grain-boundary-diffused (GBD) figure assumes about thickness
  (:func:`magnets.substitution.agreement.thickness_notes`); empty for other routes;
* **control**: the export-controlled elements it holds as of the date, and those whose
  status is unknown (:mod:`magnets.data.controls`).

No new physics: the rating is :func:`magnets.rating_table._rate_arrays` on the thickness-
adjusted inputs, as ``substitute`` and the BOM rate. Everything is vectorised (numpy string
operations), so a BOM builds its texts once per distinct combination, in one pass.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.data.bands import element_band_wt_pct
from magnets.data.controls import _as_date
from magnets.physics.coercivity import fitted_coercivity_model
from magnets.rating_table import _rate_arrays, grade_table, thickness_inputs
from magnets.substitution.agreement import thickness_notes

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

#: Columns of :func:`why`, with their meaning and unit.
WHY_COLUMNS: dict[str, str] = {
    "id": "grade id",
    "t_max_C": "rated temperature at (Pc, Hd), degC (NaN: unsafe at T0)",
    "limited_by": "what limits the rating: knee, curie, structural, oxidation or unsafe",
    "margin_C": "rated temperature minus the required temperature, K",
    "rating": "the rating, its limit, the margin and the datasheet's figure, as text",
    "composition": "Dy+Tb (and Sm) wt%, basis and band, as text",
    "thickness": "what a GBD figure assumes about thickness (empty for other routes)",
    "control": "export-controlled and unknown-status elements as of the date, as text",
    "why": "rating | composition | thickness | control, the parts that apply",
}
#: What each cap of the rating is called in the text.
_CAP_TEXT = {
    "curie": "Curie cap",
    "structural": "structural cap",
    "oxidation": "oxidation cap",
}
SEP = " | "


def _fmt(fmt: str, x: Any) -> np.ndarray:
    """``fmt % x`` element-wise, as an object array of str."""
    return np.char.mod(fmt, np.asarray(x, dtype=float)).astype(object)


def _cat(*parts: Any) -> np.ndarray:
    """Element-wise string concatenation of str arrays and scalars (object arrays)."""
    out = np.asarray(parts[0], dtype=object)
    for p in parts[1:]:
        out = out + np.asarray(p, dtype=object)
    return np.asarray(out, dtype=object)


def _num(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def _datasheet(g: pd.DataFrame) -> np.ndarray:
    """What the datasheet prints as a maximum operating temperature, per grade."""
    t = _num(g["max_temp_C"])
    stated = g["max_temp_pc"] if "max_temp_pc" in g.columns else None
    pc = np.full(len(g), np.nan) if stated is None else _num(stated)
    basis = g["rating_basis"].fillna("").astype(str).to_numpy()
    crit = g["max_temp_criterion"].fillna("").astype(str).to_numpy()
    deg = _fmt("%.0f", t)
    return np.select(
        [
            basis == "guideline",
            (basis == "catalogue") & (crit == "knee_at_pc") & np.isfinite(pc),
            (basis == "catalogue") & (crit == "straight_line"),
            (basis == "catalogue") & np.isfinite(t),
        ],
        [
            _cat("class guideline ", deg, " degC (maker prints none)"),
            _cat("datasheet ", deg, " degC at Pc ", _fmt("%g", pc)),
            _cat("datasheet ", deg, " degC (straight line, Pc 0)"),
            _cat("datasheet ", deg, " degC (maker's guideline, no Pc)"),
        ],
        default="no datasheet rating",
    ).astype(object)


def _rating_text(
    t_max: np.ndarray, limited: np.ndarray, temp: np.ndarray, pc: np.ndarray, hd: np.ndarray,
    sheet: np.ndarray, loss: Any, max_loss_pct: Any,
) -> np.ndarray:  # fmt: skip
    """'rated T degC: <limit> at Pc, Hd, margin +M K on <required> degC; <datasheet>'."""
    cond = _cat("Pc ", _fmt("%g", pc), ", Hd ", _fmt("%g", hd), " kA/m")
    limit = np.full(t_max.shape, "knee at ", dtype=object)
    for label, cap in _CAP_TEXT.items():
        limit = np.where(limited == label, cap + " (knee higher) at ", limit)
    margin = _cat(", margin ", _fmt("%+.0f", t_max - temp), " K on ", _fmt("%g", temp), " degC")
    rated = _cat("rated ", _fmt("%.0f", t_max), " degC: ", limit, cond, margin)
    text = np.where(np.isnan(t_max), _cat("unsafe at ", cond, " (no rating)"), rated)
    if max_loss_pct is not None and loss is not None:
        lost = _cat(
            "; loses ", _fmt("%.2f", loss), " % after a trip to ", _fmt("%g", temp),
            " degC (cap ", f"{float(max_loss_pct):g}", " %)",
        )  # fmt: skip
        text = _cat(text, lost)
    return _cat(text, "; ", sheet)


def _composition_text(g: pd.DataFrame, t: pd.DataFrame) -> np.ndarray:
    """'Dy+Tb V wt% (basis, band L-H)' and '; Sm S wt%' where the grade holds Sm."""
    value = 100.0 * t["Dy_Tb_kg_per_kg"].to_numpy(dtype=float)
    low = 100.0 * t["Dy_Tb_kg_per_kg_low"].to_numpy(dtype=float)
    high = 100.0 * t["Dy_Tb_kg_per_kg_high"].to_numpy(dtype=float)
    basis = t["composition_basis"].fillna("").astype(str).to_numpy(dtype=object)
    banded = np.isfinite(low) & np.isfinite(high) & (high - low > 1e-9)
    band = np.where(banded, _cat(", band ", _fmt("%.2f", low), "-", _fmt("%.2f", high)), "")
    text = _cat("Dy+Tb ", _fmt("%.2f", value), " wt% (", basis, np.where(banded, band, ", no band"))
    _, sm, _ = element_band_wt_pct(g, "Sm")
    return np.where(sm > 0, _cat(text, "); Sm ", _fmt("%.1f", sm), " wt%"), _cat(text, ")"))


def _control_text(t: pd.DataFrame, date: dt.date) -> np.ndarray:
    """'export control as of D: EL.. controlled; EL.. status unknown' (or 'none controlled')."""
    ctrl = t["controlled_elements"].fillna("").astype(str).to_numpy(dtype=object)
    unknown = t["unknown_elements"].fillna("").astype(str).to_numpy(dtype=object)
    head = f"export control as of {date.isoformat()}: "
    text = np.where(ctrl != "", _cat(ctrl, " controlled"), "none controlled")
    text = np.where(unknown != "", _cat(text, "; ", unknown, " status unknown"), text)
    return _cat(head, text)


def why(
    lib: Library,
    grades: Any,
    *,
    temp_C: Any,
    pc: Any,
    hd_kA_m: Any = 0.0,
    thickness_mm: Any = None,
    date: dt.date | None = None,
    loss_pct: Any = None,
    max_loss_pct: float | None = None,
) -> pd.DataFrame:
    """Why each of ``grades`` answers its requirement, one row per entry (columns WHY_COLUMNS).

    grades : int positions in ``lib.grades`` or grade ids/names (a 1-D sequence).
    temp_C, pc, hd_kA_m, thickness_mm : the requirement per entry (scalars broadcast); a
        NaN or None thickness is a magnet diffusion reaches through (GBD text says so).
    loss_pct, max_loss_pct : with a loss cap (``substitute --max-loss``), the loss per entry
        after a trip to temp_C, % (shown in the rating text).
    date : the as-of date of the export-control status (default: today; ISO text accepted).
    """
    date = _as_date(date)  # None: today; an ISO string is accepted as everywhere else
    arr = np.asarray(grades)
    if arr.dtype.kind not in "iu":  # ids or names: the few a user asks about, looked up
        arr = np.asarray([lib.position(i) for i in arr.ravel()], dtype=np.int64)
    pos = arr.astype(np.int64).ravel()  # positions (a BOM's combinations): no lookup
    n = pos.size
    temp = np.asarray(temp_C, dtype=float) * np.ones(n)
    pcs = np.asarray(pc, dtype=float) * np.ones(n)
    hds = np.nan_to_num(np.asarray(hd_kA_m, dtype=float) * np.ones(n), nan=0.0)
    thick = None if thickness_mm is None else np.asarray(thickness_mm, dtype=float) * np.ones(n)
    table = grade_table(lib, date)
    hb = thickness_inputs(lib, table, thick, sl=pos)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # NaN rows expected
        r = _rate_arrays(table, pcs, hds, sl=pos, hcj_beta=hb)
    t_max = np.asarray(r.t_max_C, dtype=float) * np.ones(n)
    limited = np.broadcast_to(np.asarray(r.limited_by, dtype=object), (n,)).astype(object)
    g, t = lib.grades.iloc[pos], table.iloc[pos]
    loss = None if loss_pct is None else np.asarray(loss_pct, dtype=float) * np.ones(n)
    rating = _rating_text(t_max, limited, temp, pcs, hds, _datasheet(g), loss, max_loss_pct)
    limit_mm = fitted_coercivity_model(lib).thickness_limit_mm
    thickness = thickness_notes(t["route"].to_numpy(dtype=object), thick, limit_mm)
    thickness = np.where(thickness != "", _cat("GBD ", thickness), "").astype(object)
    parts = [rating, _composition_text(g, t), thickness, _control_text(t, date)]
    joined = parts[0]
    for p in parts[1:]:
        joined = np.where(p != "", _cat(joined, SEP, p), joined)
    return pd.DataFrame(
        {
            "id": t.index.astype(str).to_numpy(dtype=object),
            "t_max_C": t_max,
            "limited_by": limited,
            "margin_C": t_max - temp,
            "rating": rating,
            "composition": parts[1],
            "thickness": thickness,
            "control": parts[3],
            "why": joined,
        }
    )
