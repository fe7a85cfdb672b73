"""Batch evaluation of a bill of materials: :func:`evaluate_bom` -> :class:`BomResult`.

One pass over the whole table. A million-line BOM holds only a few hundred distinct
(grade, Pc, Hd, required temperature, cold temperature) combinations: ratings, messages
and suggestions are computed once per combination and broadcast to the rows by index.
Row checks are masks (:mod:`magnets.bom.checks`); messages are built from a few templates
with Arrow string kernels (:mod:`magnets.bom.messages`). No Python loop runs per row (the
XLSX reader and writer excepted: openpyxl works per cell). The output columns are listed
in :mod:`magnets.bom.result`; the totals are :mod:`magnets.bom.summary`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, is_dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from magnets.bom import columns as bc
from magnets.bom import read as br
from magnets.bom.checks import ABSOLUTE_ZERO_C, DEFAULT_COLD_C, DEFAULT_HD_KA_M, field_messages
from magnets.bom.grades import GradeArrays, grade_arrays
from magnets.bom.messages import combo_messages, join_skip, null_str, where
from magnets.bom.output import (
    band_columns,
    insert_after,
    output_table,
    suggestion_band_columns,
    suggestion_columns,
)
from magnets.bom.result import (
    BELOW,
    ELEMENT_COLUMNS,
    ERROR,
    OK,
    OUTPUT_NAMES,
    RESULT_COLUMNS,
    STATUS_VALUES,
    SUGGEST_COLUMNS,
    BomResult,
    PerLine,
    Progress,
)
from magnets.bom.summary import Suggested, build_summary
from magnets.bom.write import format_for, write_result
from magnets.data.chemistry import REPORTED
from magnets.errors import InputError
from magnets.io import FORMATS, neutralise_text, spreadsheet_safe
from magnets.physics.calibration import default_condition
from magnets.substitution import RANK_BY
from magnets.substitution import substitute_many as default_substitute_many

# the names of the old flat module magnets.bom, still importable from here
__all__ = [
    "ABSOLUTE_ZERO_C",
    "DEFAULT_COLD_C",
    "DEFAULT_HD_KA_M",
    "ELEMENT_COLUMNS",
    "FORMATS",
    "OUTPUT_NAMES",
    "RANK_BY",
    "REPORTED",
    "RESULT_COLUMNS",
    "STATUS_VALUES",
    "SUGGEST_COLUMNS",
    "BomResult",
    "Progress",
    "evaluate_bom",
    "format_for",
    "neutralise_text",
    "spreadsheet_safe",
    "write_result",
]


def _indices(enc: pa.DictionaryArray) -> np.ndarray:
    """int64 dictionary indices, -1 where null (read from the buffers, no Arrow kernel)."""
    idx = enc.indices
    n = len(idx)
    width = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}[idx.type.bit_width // 8]
    out = np.frombuffer(idx.buffers()[1], dtype=width)[idx.offset : idx.offset + n].astype(np.int64)
    if idx.null_count:
        out[~idx.is_valid().to_numpy(zero_copy_only=False)] = -1
    return out


def _combo_codes(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Dense code per row for the tuple of keys (numbered by first appearance), and the
    first row of each code. Hash-based (pd.factorize), O(rows); NaN is a value of its own."""
    code: np.ndarray | None = None
    bound = 1
    for k in keys:
        c, u = pd.factorize(k, use_na_sentinel=False)
        c = c.astype(np.int64)
        if code is None:
            code, bound = c, max(len(u), 1)
            continue
        if bound * max(len(u), 1) >= 2**62:  # compress before the mixed-radix code could overflow
            code, uu = pd.factorize(code)
            code, bound = code.astype(np.int64), max(len(uu), 1)
        code = code * max(len(u), 1) + c
        bound *= max(len(u), 1)
    if code is None or code.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    code = pd.factorize(code)[0].astype(np.int64)
    # codes are numbered by first appearance: a row starts a code where the running max rises
    run = np.maximum.accumulate(code)
    new = np.empty(code.size, dtype=bool)
    new[0] = True
    new[1:] = run[1:] > run[:-1]
    return code, np.flatnonzero(new)


def _calibration_dict(calib: Any) -> dict[str, Any]:
    d: dict[str, Any]
    try:
        d = asdict(calib) if is_dataclass(calib) and not isinstance(calib, type) else vars(calib)
    except TypeError:
        d = {}
    clean: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, (bool, int, float, str)) or v is None:
            clean[k] = v
        elif isinstance(v, (np.floating, np.integer)):
            clean[k] = v.item()
    clean["pc"] = float(calib.pc)
    return clean


def _read(frame_or_path: Any, sheet: str | None, tick: Progress) -> br.RawBom:
    if isinstance(frame_or_path, br.RawBom):
        return frame_or_path
    if isinstance(frame_or_path, pd.DataFrame):
        return br.raw_from_frame(frame_or_path)
    tick("reading", 0.0)
    return br.read_raw(frame_or_path, sheet=sheet)


def _calibration(lib: Any, default_pc: float | None) -> tuple[float, dict[str, Any]]:
    if default_pc is not None:
        return float(default_pc), {"pc": float(default_pc)}
    calib = default_condition(lib)
    return float(calib.pc), _calibration_dict(calib)


def _grade_errors(
    lib: Any, cols: bc.BomColumns, raw: br.RawBom, bad: np.ndarray, msgs: list[pa.Array]
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Grade position per row (-1 unknown); rows in error; the error message per row."""
    enc = pc.dictionary_encode(cols.grade)
    uniq = enc.dictionary.to_numpy(zero_copy_only=False)
    codes = _indices(enc)
    if uniq.size:  # once per distinct grade text
        pos_u, msg_u = lib.resolve(uniq.astype(object))
        pos_u = np.asarray(pos_u, dtype=np.int64)
    else:
        pos_u, msg_u = np.zeros(0, np.int64), np.zeros(0, object)
    gpos = np.where(codes >= 0, pos_u[np.maximum(codes, 0)] if pos_u.size else -1, -1)
    no_grade = codes < 0
    if no_grade.any():
        text = (
            f"no grade; give a library grade id in column '{cols.source['grade']}' "
            "(list them with `magnets grades`)"
        )
        msgs.insert(0, where(no_grade, text))
    unknown = (codes >= 0) & (gpos < 0)
    if unknown.any():
        msg_dict = pa.array([str(m) for m in msg_u], pa.string())
        msgs.insert(0, where(unknown, pc.take(msg_dict, pa.array(np.maximum(codes, 0)))))
    if raw.row_problem is not None:
        rp = pa.array(raw.row_problem, pa.string())
        msgs.insert(0, rp)
        bad = bad | pc.is_valid(rp).to_numpy(zero_copy_only=False)
    bad = bad | (gpos < 0)
    return gpos, bad, join_skip(msgs, "; ", raw.table.num_rows)


def _combos(
    gpos: np.ndarray, vals: dict[str, np.ndarray], default_pc: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Combination code per row (-1: row not rated) and the conditions of each combination."""
    n = gpos.size
    pc_row = np.where(np.isnan(vals["pc"]), default_pc, vals["pc"])
    rows_u = np.flatnonzero((gpos >= 0) & vals["conditions_ok"])
    names = ("required_temp_C", "cold_temp_C", "thickness_mm")
    keys = [
        gpos[rows_u],
        pc_row[rows_u],
        vals["hd_kA_m"][rows_u],
        *(vals[k][rows_u] for k in names),
    ]
    code_u, first = _combo_codes(keys)
    combo = np.full(n, -1, dtype=np.int64)
    combo[rows_u] = code_u
    c_rows = rows_u[first]
    c = {"pos": gpos[c_rows], "pc": pc_row[c_rows], "hd_kA_m": vals["hd_kA_m"][c_rows]}
    c.update({k: vals[k][c_rows] for k in names})
    return combo, c


def _rate(
    lib: Any, c: dict[str, np.ndarray], substitute_many: Any, rank_by: str, date: dt.date
) -> None:
    """Add t_max_C, holds_cold, sug, sug_t_max_C, sug_mass_factor to the combinations."""
    m = c["pos"].size
    if not m:
        c.update(t_max_C=np.zeros(0), holds_cold=np.zeros(0, bool), sug=np.zeros(0, np.int64))
        c.update(sug_t_max_C=np.zeros(0), sug_mass_factor=np.zeros(0), loss_pct=np.zeros(0))
        c.update(req_C=np.zeros(0), kind=np.zeros(0, object))
        return
    thick = c["thickness_mm"].astype(float)
    extra = {"thickness_mm": thick} if np.isfinite(thick).any() else {}
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # NaN ratings expected
        sub = substitute_many(
            lib,
            c["pos"].astype(np.int64),
            c["required_temp_C"].astype(float),
            c["pc"].astype(float),
            c["hd_kA_m"].astype(float),
            c["cold_temp_C"].astype(float),
            rank_by=rank_by,
            date=date,
            **extra,
        )
    c["t_max_C"] = sub["t_max_C"].to_numpy(dtype=float)
    c["holds_cold"] = sub["holds_cold"].to_numpy(dtype=bool)
    c["sug"] = sub["suggested_pos"].to_numpy(dtype=np.int64)
    c["sug_t_max_C"] = sub["suggested_t_max_C"].to_numpy(dtype=float)
    c["sug_mass_factor"] = sub["suggested_mass_factor"].to_numpy(dtype=float)
    c["kind"] = sub["suggestion_kind"].to_numpy(dtype=object)
    c["req_C"] = sub["required_temp_C"].to_numpy(dtype=float)  # the rating where none given
    c["loss_pct"] = _loss(lib, c, date)


def _loss(lib: Any, c: dict[str, np.ndarray], date: dt.date) -> np.ndarray:
    """Irreversible loss (%) of each combination after a trip to its required temperature."""
    from magnets.physics.loss import loss_for_grades
    from magnets.rating_table import grade_table, thickness_inputs

    t = grade_table(lib, date)
    pos = c["pos"].astype(np.int64)
    rows = t.iloc[pos]
    hb = thickness_inputs(lib, t, c["thickness_mm"].astype(float), sl=pos)
    if hb is not None:  # GBD grades thicker than diffusion reaches (as in their rating)
        rows = rows.assign(HcJ_kA_m=hb[0], beta=hb[1])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # NaN rows expected
        frame = loss_for_grades(rows, c["required_temp_C"], pc=c["pc"], hd_kA_m=c["hd_kA_m"])
    return frame["loss_pct"].to_numpy(dtype=float)


def _judge(c: dict[str, np.ndarray], grades: GradeArrays, suggest: bool) -> dict[str, np.ndarray]:
    """Keep a suggestion when it is leaner per the ranking key (equal flux: x mass factor),
    or when it is the upgrade a below-rating line needs; status flags and the final
    suggestion kind ('leaner', 'upgrade', 'none') per combination."""
    req, tmax = c["required_temp_C"], c["t_max_C"]
    with np.errstate(invalid="ignore"):
        too_hot = ~np.isnan(req) & ~(tmax >= req)  # NaN rating fails any requirement
    no_rating = np.isnan(tmax) & np.isnan(req)
    cold_fail = ~c["holds_cold"]
    below = too_hot | no_rating | cold_fail
    c["status"] = np.where(below, BELOW, OK).astype(np.int8)
    sug = c["sug"] if suggest else np.full(c["pos"].size, -1, np.int64)
    has_sug = (sug >= 0) & np.isfinite(c["sug_mass_factor"])
    kind = c.get("kind", np.full(sug.size, "leaner", object))
    upgrade = has_sug & (kind == "upgrade") & below
    if sug.size:
        key = grades.rank_key
        sug_safe = np.where(has_sug, sug, 0)
        with np.errstate(invalid="ignore"):  # inf - inf: both prices unknown, not leaner
            leaner = key[sug_safe] * c["sug_mass_factor"] < key[c["pos"]] * (1 - 1e-9) - 1e-12
        has_sug &= (leaner & (kind != "upgrade")) | upgrade
    c["sug"] = np.where(has_sug, sug, -1)
    c["kind"] = np.where(has_sug, np.where(upgrade, "upgrade", "leaner"), "none").astype(object)
    if not suggest:  # --no-suggest: no kind, and no message about suggestions
        c["kind"] = np.full(sug.size, "", object)
    return {"too_hot": too_hot, "no_rating": no_rating, "cold_fail": cold_fail}


class _ToRows:
    """Broadcast per-combination arrays to the rows (combination code per row, -1: none)."""

    def __init__(self, combo: np.ndarray, m: int):
        self.has = combo >= 0
        self.idx = np.maximum(combo, 0)
        self.m = m
        self.n = combo.size

    def __call__(self, a: np.ndarray, fill: float = np.nan) -> np.ndarray:
        return np.where(self.has, a[self.idx], fill) if self.m else np.full(self.n, fill)

    def text(self, c_msg: pa.Array) -> pa.Array:
        if not self.m:
            return null_str(self.n)
        rows = pc.take(c_msg, pa.array(self.idx))
        return pc.if_else(pa.array(self.has), rows, pa.scalar(None, pa.string()))


def _suggest_rows(
    out: dict[str, pa.Array],
    ids: pa.Array,
    rows: _ToRows,
    c: dict[str, np.ndarray],
    total_kg: np.ndarray,
    el_kg: dict[str, np.ndarray],
    ctrl_kg: np.ndarray,
    gpos: np.ndarray,
    grades: GradeArrays,
    rank_by: str,
) -> Suggested:
    """The suggestion of each row's combination, added to ``out`` as columns."""
    r_sug = rows(c["sug"], -1).astype(np.int64)
    mf = np.where(r_sug >= 0, rows(c["sug_mass_factor"]), np.nan)
    sug_t = rows(c["sug_t_max_C"])
    sug = suggestion_columns(
        out, ids, r_sug, mf, sug_t, total_kg, el_kg, ctrl_kg, gpos, grades, rank_by
    )
    note = _thickness_text(c, rows, grades)
    suggestion_band_columns(out, r_sug, sug.total_kg, grades, note)
    kind = pc.dictionary_encode(rows.text(pa.array(c["kind"], pa.string())))
    items = list(out.items())  # suggestion_kind goes right after suggested_grade
    out.clear()
    for name, col in items:
        out[name] = col
        if name == "suggested_grade":
            out["suggestion_kind"] = kind
    sug.leaner = rows(c["kind"] == "leaner", False).astype(bool)
    return sug


def _why_text(lib: Any, c: dict[str, np.ndarray], date: dt.date) -> pa.Array:
    """Per combination: why its suggestion answers (:func:`magnets.substitution.why.why`,
    what ``substitute --why`` prints), null where there is none; once per combination."""
    from magnets.substitution.why import why

    has = c["sug"] >= 0
    text = np.full(has.size, "", dtype=object)
    if has.any():
        thick = c["thickness_mm"].astype(float)[has]
        text[has] = why(
            lib, c["sug"][has], temp_C=c["req_C"][has], pc=c["pc"].astype(float)[has],
            hd_kA_m=c["hd_kA_m"].astype(float)[has], date=date,
            thickness_mm=thick if np.isfinite(thick).any() else None,
        )["why"].to_numpy(dtype=object)  # fmt: skip
    return pa.array(text, pa.string(), mask=~has)


def _thickness_text(c: dict[str, np.ndarray], rows: _ToRows, grades: GradeArrays) -> pa.Array:
    """Per row: what the suggestion assumes about thickness (GBD grades only; null else)."""
    from magnets.physics.coercivity import THICKNESS_LIMIT_MM
    from magnets.substitution.agreement import thickness_notes

    has = c["sug"] >= 0
    routes = grades.route if grades.route is not None else np.full(grades.frac.shape[0], "")
    route = np.where(has, routes[np.maximum(c["sug"], 0)], "") if has.size else np.zeros(0, object)
    note = thickness_notes(route, c["thickness_mm"].astype(float), THICKNESS_LIMIT_MM)
    arr = pa.array(note.astype(object), pa.string(), mask=note == "")
    return rows.text(arr)


def _check_rank_by(rank_by: str) -> None:
    if rank_by not in RANK_BY:
        raise InputError(
            f"expected --rank-by among {', '.join(RANK_BY)}, instead received {rank_by!r}"
        )


def evaluate_bom(
    frame_or_path: str | os.PathLike[str] | pd.DataFrame | br.RawBom,
    lib: Any,
    *,
    date: dt.date | None = None,
    rank_by: str = "dy_tb",
    suggest: bool = True,
    sheet: str | None = None,
    progress: Progress | None = None,
    substitute_many: Any = None,
    default_pc: float | None = None,
    bands: bool = False,
) -> BomResult:
    """Evaluate every line of a BOM against the library.

    Parameters
    ----------
    frame_or_path : path-like, pandas.DataFrame or :class:`magnets.bom.read.RawBom`
        A CSV, XLSX or Parquet file, or a table already in memory (columns as in a file).
    lib : magnets.data.library.Library
    date : datetime.date, optional
        Export-control status as of this date (today by default).
    rank_by : {'dy_tb', 'controlled', 'price'}
        What "leaner" means for suggestions, and the order of ``summary['top_savings']``.
        With 'price', an unknown price (as :mod:`magnets.substitution` defines it) ranks
        last and gives an unknown saving.
    suggest : bool, False skips the suggestion columns (``--no-suggest``).
    sheet : str, optional, the XLSX sheet (first sheet by default).
    progress : callable(stage, fraction), optional
        Called as the work advances (the CLI draws a bar from it).
    bands : bool, True adds per-line low/high Dy, Tb and controlled kg (BAND_COLUMNS).
    substitute_many, default_pc : optional
        Injection points for tests; by default :func:`magnets.substitution.substitute_many`
        and :func:`magnets.physics.calibration.default_condition`.

    Returns a :class:`BomResult`: every input row once, in order, with its status.
    """
    _check_rank_by(rank_by)
    date = date or dt.date.today()
    tick: Progress = progress or (lambda stage, frac: None)
    raw = _read(frame_or_path, sheet, tick)
    tick("checking", 0.3)
    cols = bc.normalise(raw)
    substitute_many = substitute_many or default_substitute_many
    pc_default, calibration = _calibration(lib, default_pc)
    ids = pa.array([str(x) for x in lib.grades.index], pa.string())
    bad, msgs, vals = field_messages(cols, raw.table.num_rows)
    tick("matching", 0.4)
    gpos, bad, err_msg = _grade_errors(lib, cols, raw, bad, msgs)
    tick("rating", 0.45)  # ratings and suggestions, once per distinct combination
    combo, c = _combos(gpos, vals, pc_default)
    _rate(lib, c, substitute_many, rank_by, date)
    grades = grade_arrays(lib, date, rank_by)
    tick("messages", 0.55)  # texts once per distinct combination, gathered to rows below
    c_msg = combo_messages(ids, c, **_judge(c, grades, suggest))

    tick("broadcasting", 0.6)
    rows = _ToRows(combo, c["pos"].size)
    status = np.where(bad, ERROR, rows(c["status"], OK)).astype(np.int8)
    message = pc.if_else(pa.array(bad), err_msg, rows.text(c_msg))
    with np.errstate(over="ignore"):
        total_kg = vals["mass_kg"] * vals["quantity"]
    t_max = rows(c["t_max_C"])
    out, el_kg, ctrl_kg = output_table(raw, status, message, t_max, vals, gpos, total_kg, grades)
    out = insert_after(out, "margin_C", "irreversible_loss_pct", rows(c["loss_pct"]))
    if bands:
        band_columns(out, gpos, total_kg, grades)
    sug = None
    if suggest:
        tick("suggesting", 0.7)
        sug = _suggest_rows(out, ids, rows, c, total_kg, el_kg, ctrl_kg, gpos, grades, rank_by)
        out["suggested_why"] = rows.text(_why_text(lib, c, date))  # after suggested_thickness
    table = pa.table(out)
    tick("summarising", 0.8)
    summary = build_summary(
        lib, cols, status, gpos, total_kg, grades, sug, rank_by, date, calibration, table
    )
    return BomResult(
        table, summary, list(cols.warnings), raw.path, _per_line(grades, gpos, total_kg, sug)
    )


def _per_line(
    grades: GradeArrays, gpos: np.ndarray, total_kg: np.ndarray, sug: Suggested | None
) -> PerLine:
    per_line = PerLine(grades.frac, grades.ctrl_kg_per_kg, gpos, total_kg)
    if sug is not None:
        per_line.sug_pos, per_line.sug_total_kg = np.where(sug.has, sug.pos, -1), sug.total_kg
    return per_line
