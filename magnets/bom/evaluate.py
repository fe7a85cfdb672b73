"""Batch evaluation of a bill of materials: :func:`evaluate_bom` -> :class:`BomResult`.

One pass over the whole table. A million-line BOM holds only a few hundred distinct
(grade, Pc, Hd, required temperature, cold temperature) combinations: ratings, messages
and suggestions are computed once per combination and broadcast to the rows by index.
Row checks are masks; messages are built from a few templates with Arrow string kernels.
No Python loop runs per row (the XLSX reader and writer excepted: openpyxl works per cell).

Output columns (every input row exactly once, in input order)
--------------------------------------------------------------
line                    int64   where the record starts in the source (CSV file line with the
                                header as line 1; XLSX sheet row; Parquet record number + 1)
<input columns>                 unchanged, under their original headers; a header that
                                clashes with an output name gets the prefix ``input_``
status                  category  ``ok``, ``below_rating`` or ``error``
message                 string  why, for anything but ``ok`` (empty when ok)
t_max_C                 float64 degC, rated temperature of the specified grade at the row's
                                Pc and Hd (empty when there is no rating or the row is unusable)
margin_C                float64 K, t_max_C - required_temp_C (empty without a requirement)
Nd_kg Pr_kg Dy_kg Tb_kg Sm_kg Gd_kg Co_kg
                        float64 kg of each element on the line: mass per unit x quantity x wt%
controlled_kg           float64 kg of elements under export control as of the date
suggested_grade         category  a leaner grade that meets the same requirement (empty: none)
suggested_t_max_C       float64 degC, its rating at the row's Pc and Hd
suggested_mass_factor   float64 its mass / the specified mass at equal flux
suggested_Dy_kg, suggested_Tb_kg, suggested_controlled_kg
                        float64 kg on the line with the suggested grade (mass factor included)
saving_Dy_Tb_kg         float64 (Dy_kg + Tb_kg) - (suggested_Dy_kg + suggested_Tb_kg)
saving_controlled_kg    float64 controlled_kg - suggested_controlled_kg
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from magnets.bom import read as bi
from magnets.errors import InputError

REPORTED = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")
STATUS_VALUES = ("ok", "below_rating", "error")
OK, BELOW, ERROR = 0, 1, 2
DEFAULT_HD_KA_M = 0.0
DEFAULT_COLD_C = -40.0
ABSOLUTE_ZERO_C = -273.15
RANK_BY = ("dy_tb", "controlled", "price")

ELEMENT_COLUMNS = [f"{el}_kg" for el in REPORTED]
RESULT_COLUMNS = ["status", "message", "t_max_C", "margin_C", *ELEMENT_COLUMNS, "controlled_kg"]
SUGGEST_COLUMNS = [
    "suggested_grade",
    "suggested_t_max_C",
    "suggested_mass_factor",
    "suggested_Dy_kg",
    "suggested_Tb_kg",
    "suggested_controlled_kg",
    "saving_Dy_Tb_kg",
    "saving_controlled_kg",
]
OUTPUT_NAMES = ["line", *RESULT_COLUMNS, *SUGGEST_COLUMNS]

Progress = Callable[[str, float], None]


@dataclass
class BomResult:
    """The evaluated BOM.

    Attributes
    ----------
    arrow : pyarrow.Table
        The output table (columns in the module docstring), typed: int64 line, float64
        numbers (null where empty), dictionary-encoded status and suggested_grade, text
        messages, input columns as read.
    summary : dict
        ``rows_by_status`` {status: rows}; ``totals_kg`` {element or 'controlled': kg as
        specified}; ``suggested_totals_kg`` (the same with every suggestion taken, mass
        factor included); ``top_savings`` (ten largest savings by the ranking metric, one
        dict per line); ``library_version``; ``as_of_date`` (ISO); ``calibration``
        (reference Pc used where a row gives none); ``rank_by``; ``rows``.
    warnings : list[str]
        Things the user should know (Latin-1 fallback, a mass column without unit...).
    source : str
        The input as the user named it.

    ``table`` is the same output as a pandas DataFrame; ``element_kg()`` gives kg per line
    of all seven reported elements and ``controlled``, as specified or as suggested.
    """

    arrow: pa.Table
    summary: dict
    warnings: list[str] = field(default_factory=list)
    source: str = "<frame>"
    _per_line: dict = field(default_factory=dict, repr=False)

    @cached_property
    def table(self) -> pd.DataFrame:
        """The output as a pandas DataFrame (categories for status and suggested_grade)."""
        return self.arrow.to_pandas()

    def element_kg(self, suggested: bool = False) -> pd.DataFrame:
        """kg per line of every REPORTED element and ``controlled``, as specified or, with
        ``suggested=True``, with the line's suggestion taken (mass factor included; NaN where
        the line has no suggestion). Rows in output order; computed on demand."""
        d = self._per_line
        cols = [*REPORTED, "controlled"]
        if not d:
            return pd.DataFrame(columns=cols, dtype=float)
        frac = np.column_stack([d["frac"], d["ctrl_pg"]])
        pos, kg = (d["sug_pos"], d["sug_total_kg"]) if suggested else (d["pos"], d["total_kg"])
        if pos is None:
            return pd.DataFrame(np.nan, index=range(len(d["pos"])), columns=cols)
        out = frac[np.maximum(pos, 0)] * kg[:, None]
        out[pos < 0] = np.nan
        return pd.DataFrame(out, columns=cols)


# --------------------------------------------------------------------------- helpers


def _null_str(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


def _fmt(x: np.ndarray, decimals: int = 0) -> pa.Array:
    """Numbers as short text ('150', '0.8') for messages."""
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.round(x, decimals)
    arr = pa.array(np.where(np.isfinite(r), r, x), from_pandas=True)
    return pc.cast(arr, pa.string())


def _join(*parts) -> pa.Array:
    """Element-wise concatenation of strings/arrays (null propagates)."""
    return pc.binary_join_element_wise(*parts, "")


def _join_skip(parts: list[pa.Array], sep: str, n: int) -> pa.Array:
    """Join the non-null strings of each row with ``sep`` (null where all are null).

    (pyarrow's ``binary_join_element_wise(null_handling='skip')`` returns a short array when
    a whole input is null, so this pairs them up with masks instead.)
    """
    if not parts:
        return _null_str(n)
    acc = parts[0]
    for p in parts[1:]:
        both = _join(acc, sep, p)
        acc = pc.if_else(pc.is_null(acc), p, pc.if_else(pc.is_null(p), acc, both))
    return acc


def _where(mask: np.ndarray, text) -> pa.Array:
    return pc.if_else(pa.array(mask), text, pa.scalar(None, pa.string()))


def _quote(text: pa.Array) -> pa.Array:
    return _join("'", text, "'")


def _floats(x: np.ndarray, decimals: int | None = None) -> pa.Array:
    """float64 Arrow array, NaN -> null (an empty cell), optionally rounded for output."""
    if decimals is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            r = np.round(x, decimals)
        x = np.where(np.isfinite(r), r, x)  # astronomically large values stay as they are
    return pa.array(x, type=pa.float64(), from_pandas=True)


KG_DECIMALS = 9  # 1 microgram
TEMP_DECIMALS = 2
FACTOR_DECIMALS = 4


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
    code = None
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


def _element_fractions(lib) -> np.ndarray:
    """kg of each REPORTED element per kg of magnet, [grade position x element]."""
    cols = [f"{el}_wt_pct" for el in REPORTED]
    g = lib.grades
    out = np.zeros((len(g), len(REPORTED)))
    for j, c in enumerate(cols):
        if c in g.columns:
            out[:, j] = pd.to_numeric(g[c], errors="coerce").fillna(0.0).to_numpy() / 100.0
    return out


def _price_per_kg(lib) -> np.ndarray:
    """USD per kg of magnet from element content x element price (unknown price counts 0)."""
    from magnets.data.chemistry import ELEMENTS

    g = lib.grades
    el = getattr(lib, "elements", None)
    total = np.zeros(len(g))
    if el is None or "price_usd_per_kg" not in getattr(el, "columns", []):
        return total
    price = pd.to_numeric(el["price_usd_per_kg"], errors="coerce")
    for sym in ELEMENTS:
        col = f"{sym}_wt_pct"
        if col in g.columns and sym in price.index and np.isfinite(price[sym]):
            total += (
                pd.to_numeric(g[col], errors="coerce").fillna(0.0).to_numpy()
                / 100.0
                * float(price[sym])
            )
    return total


# --------------------------------------------------------------------------- row checks


def _field_messages(
    cols: bi.BomColumns, n: int
) -> tuple[np.ndarray, list[pa.Array], dict[str, np.ndarray]]:
    """Per-row validation. Returns (row has an error, message arrays (null = none), SI values).

    Defaults: quantity 1, pc the calibrated reference (NaN here, filled later), hd 0 kA/m,
    cold -40 degC; no required temperature means no rating check.
    """
    msgs: list[pa.Array] = []
    bad = np.zeros(n, dtype=bool)
    vals: dict[str, np.ndarray] = {}

    def col(name: str) -> str:
        return cols.source[name] or bi.DISPLAY[name]

    def cell(f: bi.NumericField) -> pa.Array:
        if f.text is not None:
            return f.text
        return pc.cast(_floats(f.values), pa.string())

    def add(mask: np.ndarray, build) -> None:
        nonlocal bad
        if mask.any():
            bad |= mask
            msgs.append(_where(mask, build()))

    def number_problems(name: str, what: str, unit_help: str) -> bi.NumericField:
        f = cols.numeric[name]
        add(
            f.problem == bi.NOT_A_NUMBER,
            lambda: _join(
                what,
                " ",
                _quote(cell(f)),
                f" in column '{col(name)}' is not a number; write it as e.g. "
                + ("12,5" if cols_decimal_comma else "12.5")
                + unit_help,
            ),
        )
        add(
            f.problem == bi.BAD_UNIT,
            lambda: _join(
                what,
                " ",
                _quote(cell(f)),
                f" in column '{col(name)}' has an unknown unit; use "
                + bi.UNIT_HELP[bi.FIELDS[name][0]],
            ),
        )
        return f

    cols_decimal_comma = cols.decimal_comma
    # mass: required, positive
    f = number_problems("magnet_mass", "magnet mass", "")
    if cols.source["magnet_mass"] is None:
        add(
            np.ones(n, bool),
            lambda: pa.array(
                np.full(
                    n,
                    "no magnet mass column; add a column 'magnet_mass_kg' (or 'Mass (g)') with the mass of one magnet",
                    object,
                ),
                pa.string(),
            ),
        )
    else:
        add(
            f.problem == bi.MISSING,
            lambda: pa.array(
                np.full(
                    n,
                    f"no magnet mass; give the mass of one magnet in column '{col('magnet_mass')}'",
                    object,
                ),
                pa.string(),
            ),
        )
    with np.errstate(invalid="ignore"):
        add(
            f.values <= 0,
            lambda: _join(
                "magnet mass ",
                _quote(cell(f)),
                f" in column '{col('magnet_mass')}' must be positive (mass of one magnet)",
            ),
        )
    vals["mass_kg"] = np.where(f.values > 0, f.values, np.nan)

    f = number_problems("quantity", "quantity", "")
    q = np.where(f.problem == bi.MISSING, 1.0, f.values)
    with np.errstate(invalid="ignore"):
        add(
            q <= 0,
            lambda: _join(
                "quantity ",
                _quote(cell(f)),
                f" in column '{col('quantity')}' must be 1 or more; "
                "remove the line if the part is not fitted",
            ),
        )
    vals["quantity"] = np.where(q > 0, q, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        huge = np.isinf(vals["mass_kg"] * vals["quantity"])
    add(
        huge,
        lambda: pa.array(
            np.full(
                n,
                "magnet mass x quantity is too large to be a real part; check the "
                "units of the mass and quantity columns",
                object,
            ),
            pa.string(),
        ),
    )
    vals["mass_kg"] = np.where(huge, np.nan, vals["mass_kg"])

    f = number_problems(
        "required_temp_C", "required temperature", " (degC, or give the unit: 302 F)"
    )
    with np.errstate(invalid="ignore"):
        frozen = f.values < ABSOLUTE_ZERO_C
    add(
        frozen,
        lambda: _join(
            "required temperature ",
            _quote(cell(f)),
            " is below absolute zero; give degC (or the unit, e.g. 302 F)",
        ),
    )
    vals["required_temp_C"] = np.where(frozen, np.nan, f.values)
    req_bad = (f.problem == bi.NOT_A_NUMBER) | (f.problem == bi.BAD_UNIT) | frozen

    f = number_problems("pc", "permeance coefficient Pc", "")
    with np.errstate(invalid="ignore"):
        add(
            f.values <= 0,
            lambda: _join(
                "permeance coefficient Pc ",
                _quote(cell(f)),
                " must be positive (thin disc about 0.5, L/D 0.7 cylinder about 2); "
                "leave it empty for the calibrated default",
            ),
        )
    vals["pc"] = np.where(f.values > 0, f.values, np.nan)
    pc_bad = (f.problem == bi.NOT_A_NUMBER) | (f.problem == bi.BAD_UNIT) | (f.values <= 0)

    f = number_problems("hd_kA_m", "applied field Hd", " (kA/m, or give the unit: 5 kOe)")
    with np.errstate(invalid="ignore"):
        add(
            f.values < 0,
            lambda: _join(
                "applied field Hd ",
                _quote(cell(f)),
                " must not be negative: give the magnitude of the demagnetising field",
            ),
        )
    vals["hd_kA_m"] = np.where(
        f.problem == bi.MISSING, DEFAULT_HD_KA_M, np.where(f.values >= 0, f.values, np.nan)
    )
    hd_bad = (f.problem == bi.NOT_A_NUMBER) | (f.problem == bi.BAD_UNIT) | (f.values < 0)

    f = number_problems("cold_temp_C", "cold temperature", " (degC, or give the unit: -40 F)")
    cold = np.where(f.problem == bi.MISSING, DEFAULT_COLD_C, f.values)
    with np.errstate(invalid="ignore"):
        cold_frozen = cold < ABSOLUTE_ZERO_C
    add(
        cold_frozen,
        lambda: _join(
            "cold temperature ",
            _quote(cell(f)),
            " is below absolute zero; give degC (or the unit, e.g. -40 F)",
        ),
    )
    cold = np.where(cold_frozen, np.nan, cold)
    req = vals["required_temp_C"]
    with np.errstate(invalid="ignore"):
        swapped = cold > req
    add(
        swapped,
        lambda: _join(
            "cold temperature ",
            _fmt(cold, 1),
            " degC is above the required (maximum) temperature ",
            _fmt(req, 1),
            " degC; swap the two columns' values",
        ),
    )
    vals["cold_temp_C"] = cold
    cold_bad = (f.problem == bi.NOT_A_NUMBER) | (f.problem == bi.BAD_UNIT) | cold_frozen
    vals["conditions_ok"] = ~(req_bad | pc_bad | hd_bad | cold_bad | swapped)
    return bad, msgs, vals


# --------------------------------------------------------------------------- the orchestrator


def evaluate_bom(
    frame_or_path,
    lib,
    *,
    date: dt.date | None = None,
    rank_by: str = "dy_tb",
    suggest: bool = True,
    sheet: str | None = None,
    progress: Progress | None = None,
    substitute_many=None,
    default_pc: float | None = None,
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
    suggest : bool
        False skips the suggestion columns (``--no-suggest``).
    sheet : str, optional
        XLSX sheet (first sheet by default).
    progress : callable(stage, fraction), optional
        Called as the work advances (the CLI draws a bar from it).
    substitute_many, default_pc : optional
        Injection points for tests; by default :func:`magnets.substitution.substitute_many`
        and :func:`magnets.physics.calibration.default_condition`.

    Returns
    -------
    BomResult
    """
    if rank_by not in RANK_BY:
        raise InputError(
            f"expected --rank-by among {', '.join(RANK_BY)}, instead received {rank_by!r}"
        )
    date = date or dt.date.today()
    tick = progress or (lambda stage, frac: None)
    if isinstance(frame_or_path, bi.RawBom):
        raw = frame_or_path
    elif isinstance(frame_or_path, pd.DataFrame):
        raw = bi.raw_from_frame(frame_or_path)
    else:
        tick("reading", 0.0)
        raw = bi.read_raw(frame_or_path, sheet=sheet)
    tick("checking", 0.3)
    cols = bi.normalise(raw)
    n = raw.table.num_rows

    if substitute_many is None:
        from magnets.substitution import substitute_many
    if default_pc is None:
        from magnets.physics.calibration import default_condition

        calib = default_condition(lib)
        default_pc = float(calib.pc)
        calibration = _calibration_dict(calib)
    else:
        calibration = {"pc": float(default_pc)}

    # ---- grades, once per distinct text
    enc = pc.dictionary_encode(cols.grade)
    uniq = enc.dictionary.to_numpy(zero_copy_only=False)
    codes = _indices(enc)
    if uniq.size:
        pos_u, msg_u = lib.resolve(uniq.astype(object))
        pos_u = np.asarray(pos_u, dtype=np.int64)
    else:
        pos_u, msg_u = np.zeros(0, np.int64), np.zeros(0, object)
    gpos = np.where(codes >= 0, pos_u[np.maximum(codes, 0)] if pos_u.size else -1, -1)

    bad, msgs, vals = _field_messages(cols, n)
    grade_col = cols.source["grade"]
    no_grade = codes < 0
    if no_grade.any():
        msgs.insert(
            0,
            _where(
                no_grade,
                f"no grade; give a library grade id in column '{grade_col}' "
                "(list them with `magnets grades`)",
            ),
        )
    unknown = (codes >= 0) & (gpos < 0)
    if unknown.any():
        msg_dict = pa.array([str(m) for m in msg_u], pa.string())
        msgs.insert(0, _where(unknown, pc.take(msg_dict, pa.array(np.maximum(codes, 0)))))
    if raw.row_problem is not None:
        rp = pa.array(raw.row_problem, pa.string())
        msgs.insert(0, rp)
        bad |= pc.is_valid(rp).to_numpy(zero_copy_only=False)
    bad |= gpos < 0
    err_msg = _join_skip(msgs, "; ", n)

    # ---- ratings and suggestions, once per distinct combination
    tick("rating", 0.45)
    pc_row = np.where(np.isnan(vals["pc"]), default_pc, vals["pc"])
    usable = (gpos >= 0) & vals["conditions_ok"]
    rows_u = np.flatnonzero(usable)
    keys = [
        gpos[rows_u],
        pc_row[rows_u],
        vals["hd_kA_m"][rows_u],
        vals["required_temp_C"][rows_u],
        vals["cold_temp_C"][rows_u],
    ]
    code_u, first = _combo_codes(keys)
    combo = np.full(n, -1, dtype=np.int64)
    combo[rows_u] = code_u
    c_rows = rows_u[first]
    c_pos = gpos[c_rows]
    c_pc, c_hd = pc_row[c_rows], vals["hd_kA_m"][c_rows]
    c_req, c_cold = vals["required_temp_C"][c_rows], vals["cold_temp_C"][c_rows]
    m = c_rows.size
    if m:
        with np.errstate(
            invalid="ignore", divide="ignore", over="ignore"
        ):  # NaN ratings are expected
            sub = substitute_many(
                lib,
                c_pos.astype(np.int64),
                c_req.astype(float),
                c_pc.astype(float),
                c_hd.astype(float),
                c_cold.astype(float),
                rank_by=rank_by,
                date=date,
            )
        c_tmax = sub["t_max_C"].to_numpy(dtype=float)
        c_cold_ok = sub["holds_cold"].to_numpy(dtype=bool)
        c_sug = (
            sub["suggested_pos"].to_numpy(dtype=np.int64) if suggest else np.full(m, -1, np.int64)
        )
        c_sug_t = sub["suggested_t_max_C"].to_numpy(dtype=float)
        c_sug_mf = sub["suggested_mass_factor"].to_numpy(dtype=float)
    else:
        c_tmax = np.zeros(0)
        c_cold_ok = np.zeros(0, bool)
        c_sug = np.zeros(0, np.int64)
        c_sug_t = c_sug_mf = np.zeros(0)

    frac = _element_fractions(lib)
    from magnets.data.controls import exposure

    ctrl_pg = (
        pd.to_numeric(
            exposure(lib.grades, lib.rules, date)["controlled_kg_per_kg"], errors="coerce"
        )
        .fillna(0.0)
        .to_numpy()
    )
    if rank_by == "dy_tb":
        metric_pg = frac[:, REPORTED.index("Dy")] + frac[:, REPORTED.index("Tb")]
    elif rank_by == "controlled":
        metric_pg = ctrl_pg
    else:
        metric_pg = _price_per_kg(lib)
    # keep a suggestion only when it is leaner per the ranking metric (equal flux: x mass factor)
    has_sug = (c_sug >= 0) & np.isfinite(c_sug_mf)
    sug_safe = np.where(has_sug, c_sug, 0)
    if m:
        leaner = metric_pg[sug_safe] * c_sug_mf < metric_pg[c_pos] * (1 - 1e-9) - 1e-12
        has_sug &= leaner
    c_sug = np.where(has_sug, c_sug, -1)

    # status and message per combo
    with np.errstate(invalid="ignore"):
        too_hot = ~np.isnan(c_req) & ~(c_tmax >= c_req)  # NaN rating fails any requirement
    no_rating = np.isnan(c_tmax) & np.isnan(c_req)
    cold_fail = ~c_cold_ok
    c_status = np.where(too_hot | no_rating | cold_fail, BELOW, OK).astype(np.int8)
    c_msg = _combo_messages(
        lib, c_pos, c_pc, c_hd, c_req, c_cold, c_tmax, too_hot, no_rating, cold_fail, c_sug, c_sug_t
    )

    # ---- broadcast to rows
    tick("broadcasting", 0.6)
    has_combo = combo >= 0
    cidx = np.maximum(combo, 0)
    take = (
        (lambda a, fill=np.nan: np.where(has_combo, a[cidx], fill))
        if m
        else (lambda a, fill=np.nan: np.full(n, fill))
    )
    status = np.where(bad, ERROR, take(c_status, OK)).astype(np.int8)
    if m:
        combo_msg_rows = pc.take(c_msg, pa.array(cidx))
        combo_msg_rows = pc.if_else(
            pa.array(has_combo), combo_msg_rows, pa.scalar(None, pa.string())
        )
    else:
        combo_msg_rows = _null_str(n)
    message = pc.if_else(pa.array(bad), err_msg, combo_msg_rows)
    t_max = take(c_tmax)
    margin = t_max - vals["required_temp_C"]

    with np.errstate(over="ignore"):
        total_kg = vals["mass_kg"] * vals["quantity"]
    known = gpos >= 0
    gsafe = np.maximum(gpos, 0)
    el_kg = {}
    for j, el in enumerate(REPORTED):
        el_kg[el] = np.where(known, frac[gsafe, j] * total_kg, np.nan)
    ctrl_kg = np.where(known, ctrl_pg[gsafe] * total_kg, np.nan)

    out: dict[str, pa.Array] = {}
    out["line"] = pa.array(raw.line, pa.int64())
    clash = {bi._key(name) for name in OUTPUT_NAMES}
    for i, h in enumerate(raw.headers):
        name = f"input_{h}" if bi._key(h) in clash else h
        while name in out:
            name = f"input_{name}"
        col = raw.table.column(i)
        out[name] = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    out["status"] = pa.DictionaryArray.from_arrays(
        pa.array(status, pa.int8()), pa.array(STATUS_VALUES)
    )
    out["message"] = message
    out["t_max_C"] = _floats(t_max, TEMP_DECIMALS)
    out["margin_C"] = _floats(margin, TEMP_DECIMALS)
    for el in REPORTED:
        out[f"{el}_kg"] = _floats(el_kg[el], KG_DECIMALS)
    out["controlled_kg"] = _floats(ctrl_kg, KG_DECIMALS)

    summary_sug = None
    if suggest:
        tick("suggesting", 0.7)
        r_sug = take(c_sug, -1).astype(np.int64) if m else np.full(n, -1, np.int64)
        r_has = r_sug >= 0
        ssafe = np.maximum(r_sug, 0)
        mf = np.where(r_has, take(c_sug_mf), np.nan)
        s_total = total_kg * mf
        s_el = {
            el: np.where(r_has, frac[ssafe, REPORTED.index(el)] * s_total, np.nan)
            for el in ("Dy", "Tb")
        }
        s_ctrl = np.where(r_has, ctrl_pg[ssafe] * s_total, np.nan)
        ids = pa.array([str(x) for x in lib.grades.index], pa.string())
        out["suggested_grade"] = pa.DictionaryArray.from_arrays(
            pa.array(np.where(r_has, r_sug, 0).astype(np.int32), mask=~r_has), ids
        )
        out["suggested_t_max_C"] = _floats(np.where(r_has, take(c_sug_t), np.nan), TEMP_DECIMALS)
        out["suggested_mass_factor"] = _floats(mf, FACTOR_DECIMALS)
        out["suggested_Dy_kg"] = _floats(s_el["Dy"], KG_DECIMALS)
        out["suggested_Tb_kg"] = _floats(s_el["Tb"], KG_DECIMALS)
        out["suggested_controlled_kg"] = _floats(s_ctrl, KG_DECIMALS)
        saving_dytb = el_kg["Dy"] + el_kg["Tb"] - s_el["Dy"] - s_el["Tb"]
        saving_ctrl = ctrl_kg - s_ctrl
        out["saving_Dy_Tb_kg"] = _floats(saving_dytb, KG_DECIMALS)
        out["saving_controlled_kg"] = _floats(saving_ctrl, KG_DECIMALS)
        summary_sug = (
            r_has,
            s_ctrl,
            saving_dytb,
            saving_ctrl,
            metric_pg,
            gsafe,
            ssafe,
            s_total,
            total_kg,
            mf,
        )

    table = pa.table(out)
    tick("summarising", 0.8)
    summary = _summary(
        lib,
        cols,
        status,
        gpos,
        total_kg,
        frac,
        ctrl_pg,
        summary_sug,
        rank_by,
        date,
        calibration,
        table,
    )
    per_line = {
        "frac": frac,
        "ctrl_pg": ctrl_pg,
        "pos": gpos,
        "total_kg": total_kg,
        "sug_pos": np.where(r_has, r_sug, -1) if suggest else None,
        "sug_total_kg": s_total if suggest else None,
    }
    return BomResult(table, summary, list(cols.warnings), raw.path, per_line)


def _calibration_dict(calib) -> dict:
    from dataclasses import asdict, is_dataclass

    try:
        d = asdict(calib) if is_dataclass(calib) else dict(vars(calib))
    except TypeError:
        d = {}
    clean = {}
    for k, v in d.items():
        if isinstance(v, (bool, int, float, str)) or v is None:
            clean[k] = v
        elif isinstance(v, (np.floating, np.integer)):
            clean[k] = v.item()
    clean["pc"] = float(calib.pc)
    return clean


def _combo_messages(
    lib, c_pos, c_pc, c_hd, c_req, c_cold, c_tmax, too_hot, no_rating, cold_fail, c_sug, c_sug_t
) -> pa.Array:
    """Message per combination (Arrow string kernels; no loop over combinations)."""
    m = c_pos.size
    if m == 0:
        return pa.array([], pa.string())
    ids = pa.array([str(x) for x in lib.grades.index], pa.string())
    gname = pc.take(ids, pa.array(c_pos))
    where = _join(" at Pc ", _fmt(c_pc, 2), ", Hd ", _fmt(c_hd, 0), " kA/m")
    has_sug = c_sug >= 0
    sug_txt = _join(
        "; ",
        pc.take(ids, pa.array(np.maximum(c_sug, 0))),
        " would hold (rated ",
        _fmt(c_sug_t, 0),
        " degC)",
    )
    sug_txt = pc.if_else(pa.array(has_sug), sug_txt, "")
    hot = _join(
        gname,
        " is rated to ",
        _fmt(c_tmax, 0),
        " degC",
        where,
        ", below the required ",
        _fmt(c_req, 0),
        " degC: choose a grade with more coercivity or raise Pc",
        sug_txt,
    )
    hot_none = _join(
        gname,
        " has no safe temperature",
        where,
        " (past the knee even at the reference temperature): choose a grade with more "
        "coercivity or raise Pc",
        sug_txt,
    )
    hot = pc.if_else(pa.array(np.isnan(c_tmax)), hot_none, hot)
    cold = _join(
        gname,
        " demagnetises at the cold end (",
        _fmt(c_cold, 0),
        " degC)",
        where,
        ": raise Pc or choose a grade that holds in the cold",
    )
    parts = [_where(too_hot | no_rating, hot), _where(cold_fail, cold)]
    return _join_skip(parts, "; ", m)


def _summary(
    lib, cols, status, gpos, total_kg, frac, ctrl_pg, sug, rank_by, date, calibration, table
) -> dict:
    """Totals per element as specified and as suggested, computed per grade (np.bincount over
    rows, then one small matrix product), and the largest savings."""
    G = frac.shape[0]
    counts = np.bincount(status, minlength=3)
    ok = (gpos >= 0) & np.isfinite(total_kg)
    kg_per_grade = np.bincount(gpos[ok], weights=total_kg[ok], minlength=G)
    spec = kg_per_grade @ frac
    totals = {el: float(spec[j]) for j, el in enumerate(REPORTED)}
    totals["controlled"] = float(kg_per_grade @ ctrl_pg)
    out = {
        "rows": int(status.size),
        "rows_by_status": {s: int(c) for s, c in zip(STATUS_VALUES, counts)},
        "totals_kg": totals,
        "suggested_totals_kg": None,
        "top_savings": [],
        "rank_by": rank_by,
        "library_version": getattr(lib, "version", None),
        "as_of_date": date.isoformat(),
        "calibration": calibration,
    }
    if sug is None:
        return out
    r_has, _s_ctrl, saving_dytb, saving_ctrl, metric_pg, gsafe, ssafe, s_total, total_kg, mf = sug
    swap = ok & r_has & np.isfinite(s_total)
    keep = ok & ~swap
    kept = np.bincount(gpos[keep], weights=total_kg[keep], minlength=G)
    taken = np.bincount(ssafe[swap], weights=s_total[swap], minlength=G)
    sug_kg = kept @ frac + taken @ frac
    sug_tot = {el: float(sug_kg[j]) for j, el in enumerate(REPORTED)}
    sug_tot["controlled"] = float(kept @ ctrl_pg + taken @ ctrl_pg)
    out["suggested_totals_kg"] = sug_tot
    if rank_by == "dy_tb":
        key = saving_dytb
    elif rank_by == "controlled":
        key = saving_ctrl
    else:
        key = total_kg * (metric_pg[gsafe] - mf * metric_pg[ssafe])
    key = np.where(r_has & np.isfinite(key), key, -np.inf)
    k = min(10, int(np.isfinite(key).sum()))
    if k:
        top = np.argpartition(-key, k - 1)[:k] if key.size > k else np.arange(key.size)
        top = top[np.argsort(-key[top], kind="stable")][:k]
        top = top[np.isfinite(key[top])]
        sub = table.take(pa.array(top)).to_pydict()
        grade_h = cols.source["grade"]
        part_h = cols.source["part_id"]
        gname = "input_" + grade_h if grade_h not in sub else grade_h
        for i in range(top.size):
            item = {"line": int(sub["line"][i])}
            if part_h is not None:
                pname = part_h if part_h in sub else "input_" + part_h
                item["part_id"] = None if sub[pname][i] is None else str(sub[pname][i])
            item["grade"] = None if sub[gname][i] is None else str(sub[gname][i])
            item["suggested_grade"] = sub["suggested_grade"][i]
            item["saving_Dy_Tb_kg"] = sub["saving_Dy_Tb_kg"][i]
            item["saving_controlled_kg"] = sub["saving_controlled_kg"][i]
            if rank_by == "price":
                item["saving_usd"] = float(key[top[i]])
            out["top_savings"].append(item)
    return out


# --------------------------------------------------------------------------- writing

_RISKY = r"^[=+\-@\t\r]"
_NUMBER = r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$"


def _risky_first_byte(arr: pa.Array) -> np.ndarray:
    """Rows whose text starts with = + - @ tab or CR, read straight from the Arrow buffers."""
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=bool)
    _validity, offsets, data = arr.buffers()[:3]
    off_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    off = np.frombuffer(offsets, dtype=off_type)[arr.offset : arr.offset + n + 1]
    if data is None or data.size == 0:
        return np.zeros(n, dtype=bool)
    chars = np.frombuffer(data, dtype=np.uint8)
    first = chars[np.minimum(off[:-1], chars.size - 1)]
    risky = (off[1:] > off[:-1]) & np.isin(first, np.frombuffer(b"=+-@\t\r", dtype=np.uint8))
    if arr.null_count:
        risky &= arr.is_valid().to_numpy(zero_copy_only=False)
    return risky


def neutralise_text(arr: pa.Array) -> pa.Array:
    """Prefix ``'`` to text a spreadsheet would run (= + - @ tab CR first); plain numbers stay.

    The first byte of every cell is checked with numpy on the Arrow buffers; only the few
    cells that start with a trigger go through the number test.
    """
    if pa.types.is_dictionary(arr.type):
        d = neutralise_text(arr.dictionary)
        return pa.DictionaryArray.from_arrays(arr.indices, d)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr
    risky = _risky_first_byte(arr)
    idx = np.flatnonzero(risky)
    if idx.size == 0:
        return arr
    enc = arr.take(pa.array(idx)).dictionary_encode()  # test each distinct text once
    numeric = pc.take(pc.match_substring_regex(enc.dictionary, _NUMBER), enc.indices)
    numeric = numeric.to_numpy(zero_copy_only=False).astype(bool)
    risky[idx[numeric]] = False
    if not risky.any():
        return arr
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", arr, ""), arr)


def spreadsheet_safe(table: pa.Table) -> pa.Table:
    cols = []
    for c in table.columns:
        c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
        cols.append(neutralise_text(c))
    return pa.table(cols, names=table.column_names)


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded to text (for CSV writing)."""
    cols = []
    for c in table.columns:
        if pa.types.is_dictionary(c.type):
            c = c.cast(c.type.value_type)
        cols.append(c)
    return pa.table(cols, names=table.column_names)


FORMATS = ("csv", "json", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows, one is the header


def format_for(path: str | os.PathLike | None, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InputError(
                f"expected --format among {', '.join(FORMATS)}, instead received {fmt!r}"
            )
        return fmt
    if path is None:
        return "csv"
    ext = Path(path).suffix.lower().lstrip(".")
    found = {
        "csv": "csv",
        "json": "json",
        "parquet": "parquet",
        "pq": "parquet",
        "xlsx": "xlsx",
    }.get(ext)
    if found is None:
        raise InputError(
            f"cannot tell the output format from {str(path)!r}; end it in .csv, .json, .parquet or "
            ".xlsx, or give --format"
        )
    return found


def write_result(
    result: BomResult,
    path: str | os.PathLike | None,
    fmt: str,
    *,
    stream=None,
    progress: Progress | None = None,
) -> None:
    """Write the output table as CSV, JSON (array of records), Parquet or XLSX.

    With a path the file is written atomically (temporary file, then rename); without one,
    CSV or JSON go to ``stream`` (stdout's bytes by default). CSV and XLSX text cells are
    made spreadsheet-safe.
    """
    import sys

    from magnets.io import write_atomic

    tick = progress or (lambda stage, frac: None)
    table = result.arrow
    if fmt in ("parquet", "xlsx") and path is None:
        raise InputError(
            f"--format {fmt} writes a binary file: give an output path with -o FILE.{fmt}"
        )
    if fmt == "xlsx" and table.num_rows > XLSX_MAX_ROWS:
        raise InputError(
            f"{table.num_rows} rows do not fit in one XLSX sheet (at most {XLSX_MAX_ROWS}); "
            "write CSV or Parquet instead"
        )

    def write(target) -> None:
        if fmt == "csv":
            _write_csv(table, target, tick)
        elif fmt == "json":
            _write_json(result, target)
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, str(target))
        else:
            _write_xlsx(table, target)

    if path is None:
        out = stream if stream is not None else sys.stdout.buffer
        write(out)
        out.flush()
    else:
        write_atomic(path, write)
    tick("done", 1.0)


CSV_SLICE_ROWS = 125_000


def _write_csv(table: pa.Table, target, tick: Progress) -> None:
    """CSV through pyarrow's writer. Large tables are cut into slices encoded in parallel
    threads (the encoder releases the GIL), then written in order: one pass, same bytes."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.csv as pacsv

    safe = spreadsheet_safe(table)
    n = safe.num_rows
    starts = list(range(0, n, CSV_SLICE_ROWS)) or [0]

    def encode(i: int) -> pa.Buffer:
        sink = pa.BufferOutputStream()
        opts = pacsv.WriteOptions(quoting_style="needed", include_header=(i == 0))
        pacsv.write_csv(safe.slice(starts[i], CSV_SLICE_ROWS), sink, write_options=opts)
        return sink.getvalue()

    own = isinstance(target, (str, Path))
    out = open(target, "wb") if own else target  # noqa: SIM115 (closed below; or the caller's stream)
    try:
        workers = min(len(starts), os.cpu_count() or 1, 4)
        with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
            for k, buf in enumerate(pool.map(encode, range(len(starts)))):  # in order
                out.write(memoryview(buf))
                tick("writing", 0.85 + 0.15 * (k + 1) / len(starts))
    finally:
        if own:
            out.close()


def _write_json(result: BomResult, target) -> None:
    frame = result.table
    text = frame.to_json(orient="records", double_precision=10, force_ascii=False)
    data = (text + "\n").encode("utf-8")
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def _write_xlsx(table: pa.Table, target) -> None:
    import openpyxl

    safe = spreadsheet_safe(table)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("bom")
    ws.append(safe.column_names)
    cols = [c.to_pylist() for c in safe.columns]
    for row in zip(*cols):  # openpyxl writes cell by cell
        ws.append(list(row))
    wb.save(str(target))
