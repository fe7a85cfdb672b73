"""The output table of an evaluated BOM, as Arrow columns (names in :mod:`magnets.bom.result`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from magnets.bom.grades import GradeArrays
from magnets.bom.messages import FACTOR_DECIMALS, KG_DECIMALS, TEMP_DECIMALS, floats
from magnets.bom.read import RawBom
from magnets.bom.result import OUTPUT_NAMES, STATUS_VALUES
from magnets.bom.summary import Suggested
from magnets.data.chemistry import REPORTED


def _input_columns(raw: RawBom) -> dict[str, pa.Array]:
    """The line, then the input columns under their headers (``input_`` on a clash)."""
    out: dict[str, pa.Array] = {"line": pa.array(raw.line, pa.int64())}
    # only a real clash (same name, any case) is renamed: 'Tmax (°C)' is not 't_max_C'
    clash = {name.lower() for name in OUTPUT_NAMES}
    for i, h in enumerate(raw.headers):
        name = f"input_{h}" if str(h).strip().lower() in clash else h
        while name in out:
            name = f"input_{name}"
        col = raw.table.column(i)
        out[name] = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return out


def output_table(
    raw: RawBom,
    status: np.ndarray,
    message: pa.Array,
    t_max: np.ndarray,
    vals: dict[str, np.ndarray],
    gpos: np.ndarray,
    total_kg: np.ndarray,
    grades: GradeArrays,
) -> tuple[dict[str, pa.Array], dict[str, np.ndarray], np.ndarray]:
    """Columns up to controlled_kg; kg per element and controlled kg per row."""
    out = _input_columns(raw)
    out["status"] = pa.DictionaryArray.from_arrays(
        pa.array(status, pa.int8()), pa.array(STATUS_VALUES)
    )
    out["message"] = message
    out["t_max_C"] = floats(t_max, TEMP_DECIMALS)
    out["margin_C"] = floats(t_max - vals["required_temp_C"], TEMP_DECIMALS)
    known = gpos >= 0
    gsafe = np.maximum(gpos, 0)
    el_kg = {
        el: np.where(known, grades.frac[gsafe, j] * total_kg, np.nan)
        for j, el in enumerate(REPORTED)
    }
    ctrl_kg = np.where(known, grades.ctrl_kg_per_kg[gsafe] * total_kg, np.nan)
    for el in REPORTED:
        out[f"{el}_kg"] = floats(el_kg[el], KG_DECIMALS)
    out["controlled_kg"] = floats(ctrl_kg, KG_DECIMALS)
    return out, el_kg, ctrl_kg


def suggestion_columns(
    out: dict[str, pa.Array],
    grade_ids: pa.Array,
    r_sug: np.ndarray,
    mf: np.ndarray,
    sug_t_max: np.ndarray,
    total_kg: np.ndarray,
    el_kg: dict[str, np.ndarray],
    ctrl_kg: np.ndarray,
    gpos: np.ndarray,
    grades: GradeArrays,
    rank_by: str,
) -> Suggested:
    """Add the suggestion columns to ``out``; the per-row suggestions for the summary.

    ``r_sug``: suggested grade position per row (-1 none); ``mf``: its mass factor;
    ``sug_t_max``: its rated temperature, degC.
    """
    r_has = r_sug >= 0
    ssafe = np.maximum(r_sug, 0)
    s_total = total_kg * mf
    s_el = {
        el: np.where(r_has, grades.frac[ssafe, REPORTED.index(el)] * s_total, np.nan)
        for el in ("Dy", "Tb")
    }
    s_ctrl = np.where(r_has, grades.ctrl_kg_per_kg[ssafe] * s_total, np.nan)
    out["suggested_grade"] = pa.DictionaryArray.from_arrays(
        pa.array(np.where(r_has, r_sug, 0).astype(np.int32), mask=~r_has), grade_ids
    )
    out["suggested_t_max_C"] = floats(np.where(r_has, sug_t_max, np.nan), TEMP_DECIMALS)
    out["suggested_mass_factor"] = floats(mf, FACTOR_DECIMALS)
    out["suggested_Dy_kg"] = floats(s_el["Dy"], KG_DECIMALS)
    out["suggested_Tb_kg"] = floats(s_el["Tb"], KG_DECIMALS)
    out["suggested_controlled_kg"] = floats(s_ctrl, KG_DECIMALS)
    saving_dytb = el_kg["Dy"] + el_kg["Tb"] - s_el["Dy"] - s_el["Tb"]
    saving_ctrl = ctrl_kg - s_ctrl
    out["saving_Dy_Tb_kg"] = floats(saving_dytb, KG_DECIMALS)
    out["saving_controlled_kg"] = floats(saving_ctrl, KG_DECIMALS)
    saving_usd = None
    if rank_by == "price" and grades.price_usd_per_kg is not None:
        price = grades.price_usd_per_kg  # NaN where unknown: the saving is unknown too
        saving_usd = total_kg * (price[np.maximum(gpos, 0)] - mf * price[ssafe])
    return Suggested(r_has, ssafe, s_total, mf, saving_dytb, saving_ctrl, saving_usd)


def band_columns(
    out: dict[str, pa.Array], gpos: np.ndarray, total_kg: np.ndarray, grades: GradeArrays
) -> None:
    """Add the per-line bounds of the specified grade's content (BAND_COLUMNS of
    :mod:`magnets.bom.result`): Dy, Tb and controlled kg at the low and high bound."""
    known = gpos >= 0
    gsafe = np.maximum(gpos, 0)
    for el in ("Dy", "Tb"):
        j = REPORTED.index(el)
        for part, frac in (("low", grades.frac_low), ("high", grades.frac_high)):
            f = grades.frac if frac is None else frac
            out[f"{el}_kg_{part}"] = floats(
                np.where(known, f[gsafe, j] * total_kg, np.nan), KG_DECIMALS
            )
    for part, ctrl in (("low", grades.ctrl_low), ("high", grades.ctrl_high)):
        c = grades.ctrl_kg_per_kg if ctrl is None else ctrl
        out[f"controlled_kg_{part}"] = floats(
            np.where(known, c[gsafe] * total_kg, np.nan), KG_DECIMALS
        )


def suggestion_band_columns(
    out: dict[str, pa.Array],
    r_sug: np.ndarray,
    s_total: np.ndarray,
    grades: GradeArrays,
    thickness_note: pa.Array,
) -> None:
    """Add what the suggestion's composition rests on: its basis, the low and high kg of
    Dy+Tb on the line, and the thickness a GBD suggestion assumes. Null where the line has
    no suggestion. (Suggestions are plausible: :mod:`magnets.substitution.agreement`.)"""
    has = r_sug >= 0
    ssafe = np.maximum(r_sug, 0)
    dy, tb = REPORTED.index("Dy"), REPORTED.index("Tb")
    basis = grades.basis if grades.basis is not None else np.full(grades.frac.shape[0], "")
    code_of_grade, names = pd.factorize(basis.astype(str))
    codes = pa.array(np.where(has, code_of_grade[ssafe], 0).astype(np.int32), mask=~has)
    out["suggested_composition_basis"] = pa.DictionaryArray.from_arrays(
        codes, pa.array(np.asarray(names, dtype=object), pa.string())
    )
    for part, frac in (("low", grades.frac_low), ("high", grades.frac_high)):
        f = grades.frac if frac is None else frac
        kg = np.where(has, (f[ssafe, dy] + f[ssafe, tb]) * s_total, np.nan)
        out[f"suggested_Dy_Tb_kg_{part}"] = floats(kg, KG_DECIMALS)
    out["suggested_thickness"] = thickness_note


#: decimals of irreversible_loss_pct (0.001 percentage points)
LOSS_DECIMALS = 3


def insert_after(
    out: dict[str, pa.Array], after: str, name: str, values: np.ndarray
) -> dict[str, pa.Array]:
    """``out`` with the float column ``name`` placed right after ``after``."""
    col = floats(values, LOSS_DECIMALS)
    items = list(out.items())
    i = [k for k, _ in items].index(after) + 1
    return dict([*items[:i], (name, col), *items[i:]])
