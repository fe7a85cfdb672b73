"""Totals of an evaluated BOM: per element as specified and as suggested, and the largest
savings. Computed per grade (np.bincount over rows, then one small matrix product)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from magnets.bom.columns import BomColumns
from magnets.bom.grades import GradeArrays
from magnets.bom.result import STATUS_VALUES, BomSummary
from magnets.data.chemistry import REPORTED

TOP_SAVINGS = 10
#: elements whose totals the summary gives as low / mid / high (plus ``controlled``)
BAND_TOTALS = ("Dy", "Tb", "Sm", "Gd")


@dataclass
class Suggested:
    """Per-row arrays of the suggestions, for the totals and the ranking.

    has [rows]: the row has a suggestion; pos [rows]: suggested grade position (0 where none);
    total_kg [rows]: magnet kg with the suggestion (mass factor included); mass_factor [rows];
    saving_Dy_Tb_kg, saving_controlled_kg [rows]; saving_usd [rows]: NaN where a price is
    unknown (only with rank_by='price'); leaner [rows]: the suggestion is leaner (not an
    upgrade a below-rating line needs), the only kind ranked among the savings.
    """

    has: np.ndarray
    pos: np.ndarray
    total_kg: np.ndarray
    mass_factor: np.ndarray
    saving_Dy_Tb_kg: np.ndarray
    saving_controlled_kg: np.ndarray
    saving_usd: np.ndarray | None
    leaner: np.ndarray | None = None


def _totals(kg_per_grade: np.ndarray, frac: np.ndarray, ctrl_pg: np.ndarray) -> dict[str, float]:
    spec = kg_per_grade @ frac
    totals = {el: float(spec[j]) for j, el in enumerate(REPORTED)}
    totals["controlled"] = float(kg_per_grade @ ctrl_pg)
    return totals


def _band_totals(kg_per_grade: np.ndarray, grades: GradeArrays) -> dict[str, dict[str, float]]:
    """{el: {low, mid, high}} kg for BAND_TOTALS and controlled: one matrix product each."""
    frac = grades.frac
    low = grades.frac_low if grades.frac_low is not None else frac
    high = grades.frac_high if grades.frac_high is not None else frac
    lo, mid, hi = kg_per_grade @ low, kg_per_grade @ frac, kg_per_grade @ high
    out = {
        el: {"low": float(lo[j]), "mid": float(mid[j]), "high": float(hi[j])}
        for j, el in enumerate(REPORTED)
        if el in BAND_TOTALS
    }
    c_mid = grades.ctrl_kg_per_kg
    c_lo = grades.ctrl_low if grades.ctrl_low is not None else c_mid
    c_hi = grades.ctrl_high if grades.ctrl_high is not None else c_mid
    out["controlled"] = {
        "low": float(kg_per_grade @ c_lo),
        "mid": float(kg_per_grade @ c_mid),
        "high": float(kg_per_grade @ c_hi),
    }
    return out


def build_summary(
    lib: Any,
    cols: BomColumns,
    status: np.ndarray,
    gpos: np.ndarray,
    total_kg: np.ndarray,
    grades: GradeArrays,
    sug: Suggested | None,
    rank_by: str,
    date: dt.date,
    calibration: dict[str, Any],
    table: pa.Table,
) -> BomSummary:
    """The :class:`BomSummary` of one evaluation."""
    frac, ctrl_pg = grades.frac, grades.ctrl_kg_per_kg
    G = frac.shape[0]
    counts = np.bincount(status, minlength=3)
    ok = (gpos >= 0) & np.isfinite(total_kg)
    kg_per_grade = np.bincount(gpos[ok], weights=total_kg[ok], minlength=G)
    out = BomSummary(
        rows=int(status.size),
        rows_by_status={s: int(c) for s, c in zip(STATUS_VALUES, counts, strict=False)},
        totals_kg=_totals(kg_per_grade, frac, ctrl_pg),
        suggested_totals_kg=None,
        band_totals_kg={"specified": _band_totals(kg_per_grade, grades), "suggested": None},
        top_savings=[],
        rank_by=rank_by,
        library_version=getattr(lib, "version", None),
        as_of_date=date.isoformat(),
        calibration=calibration,
        column_warnings=list(cols.warnings),
    )
    if sug is None:
        return out
    swap = ok & sug.has & np.isfinite(sug.total_kg)
    keep = ok & ~swap
    kept = np.bincount(gpos[keep], weights=total_kg[keep], minlength=G)
    taken = np.bincount(sug.pos[swap], weights=sug.total_kg[swap], minlength=G)
    sug_kg = kept @ frac + taken @ frac
    sug_tot = {el: float(sug_kg[j]) for j, el in enumerate(REPORTED)}
    sug_tot["controlled"] = float(kept @ ctrl_pg + taken @ ctrl_pg)
    out.suggested_totals_kg = sug_tot
    out.band_totals_kg["suggested"] = _band_totals(kept + taken, grades)
    out.top_savings = _top_savings(cols, sug, rank_by, table)
    return out


def _top_rows(key: np.ndarray) -> np.ndarray:
    """Positions of the largest finite keys, largest first (ties in row order)."""
    k = min(TOP_SAVINGS, int(np.isfinite(key).sum()))
    if not k:
        return np.zeros(0, np.int64)
    top = np.argpartition(-key, k - 1)[:k] if key.size > k else np.arange(key.size)
    top = top[np.argsort(-key[top], kind="stable")][:k]
    return top[np.isfinite(key[top])]


def _top_savings(
    cols: BomColumns, sug: Suggested, rank_by: str, table: pa.Table
) -> list[dict[str, Any]]:
    """One dict per line among the largest savings by the ranking metric; an unknown saving
    (NaN: an unpriced element) is not ranked."""
    if rank_by == "dy_tb":
        key = sug.saving_Dy_Tb_kg
    elif rank_by == "controlled":
        key = sug.saving_controlled_kg
    else:
        assert sug.saving_usd is not None
        key = sug.saving_usd
    leaner = sug.has if sug.leaner is None else sug.has & sug.leaner
    key = np.where(leaner & np.isfinite(key), key, -np.inf)
    top = _top_rows(key)
    if not top.size:
        return []
    sub = table.take(pa.array(top)).to_pydict()
    grade_h = cols.source["grade"]
    part_h = cols.source["part_id"]
    gname = "input_" + str(grade_h) if grade_h not in sub else str(grade_h)
    items = []
    for i in range(top.size):  # at most TOP_SAVINGS lines
        item: dict[str, Any] = {"line": int(sub["line"][i])}
        if part_h is not None:
            pname = part_h if part_h in sub else "input_" + part_h
            item["part_id"] = None if sub[pname][i] is None else str(sub[pname][i])
        item["grade"] = None if sub[gname][i] is None else str(sub[gname][i])
        item["suggested_grade"] = sub["suggested_grade"][i]
        item["saving_Dy_Tb_kg"] = sub["saving_Dy_Tb_kg"][i]
        item["saving_controlled_kg"] = sub["saving_controlled_kg"][i]
        if rank_by == "price":
            item["saving_usd"] = float(key[top[i]])
        items.append(item)
    return items


def _add(parts: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(sum(p[k] for p in parts)) for k in parts[0]}


def _add_bands(parts: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {el: _add([p[el] for p in parts]) for el in parts[0]}


def _saving(item: dict[str, Any], rank_by: str) -> float:
    key = {"dy_tb": "saving_Dy_Tb_kg", "controlled": "saving_controlled_kg"}.get(
        rank_by, "saving_usd"
    )
    return float(item[key])


def merge_summaries(parts: list[BomSummary]) -> BomSummary:
    """The summary of a BOM evaluated in consecutive partitions (``--engine dask``), from
    the partitions' summaries in row order.

    Counts and kg totals are sums (equal to the one-pass totals up to the order of float
    additions); the largest savings are the largest among every partition's own top ten,
    ties in line order; the rest (ranking, library, date, calibration) is the first
    partition's, the column warnings each once.
    """
    first = parts[0]
    sug = [p.suggested_totals_kg for p in parts]
    bands = [p.band_totals_kg for p in parts]
    top = [t for p in parts for t in p.top_savings]
    top.sort(key=lambda t: (-_saving(t, first.rank_by), t["line"]))
    return BomSummary(
        rows=sum(p.rows for p in parts),
        rows_by_status={k: sum(p.rows_by_status[k] for p in parts) for k in STATUS_VALUES},
        totals_kg=_add([p.totals_kg for p in parts]),
        suggested_totals_kg=None if sug[0] is None else _add([s for s in sug if s is not None]),
        band_totals_kg={
            "specified": _add_bands([b["specified"] for b in bands]),
            "suggested": (
                None
                if bands[0]["suggested"] is None
                else _add_bands([b["suggested"] for b in bands])
            ),
        },
        top_savings=top[:TOP_SAVINGS],
        rank_by=first.rank_by,
        library_version=first.library_version,
        as_of_date=first.as_of_date,
        calibration=first.calibration,
        column_warnings=list(dict.fromkeys(w for p in parts for w in p.column_warnings)),
    )
