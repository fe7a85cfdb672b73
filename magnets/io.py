"""Reading and writing files safely.

- ``write_atomic`` writes through a temporary file in the target folder, then renames it,
  so a crash or a bad input never leaves a half-written or clobbered output.
- Spreadsheet safety, one rule for every writer: a text cell beginning with ``= + - @``, a tab
  or a carriage return gets a leading ``'`` unless it is a plain number in either decimal
  convention ("-40", "-1.5", "-1,5", "+1.5e3"). :func:`formula_mask` decides;
  :func:`neutralise_text` / :func:`spreadsheet_safe` apply it to Arrow data and
  :func:`safe_text_cells` to a DataFrame.
- ``write_frame`` writes a DataFrame as CSV, JSON (array of records), Parquet or XLSX.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from magnets.errors import InputError
from magnets.outputs import write_atomic as write_atomic  # one writer, re-exported here

#: First characters that make a spreadsheet run a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A text cell that is just a number, with a decimal point or a decimal comma ("-40", "-1.5",
#: "-1,5", "+1.5e3"), is data, not a formula: left alone.
NUMBER_TEXT = r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$"
#: Output formats of the table writers, and the file extensions that name them.
FORMATS = ("csv", "json", "parquet", "xlsx")
FORMAT_BY_EXTENSION = {
    "csv": "csv",
    "json": "json",
    "parquet": "parquet",
    "pq": "parquet",
    "xlsx": "xlsx",
}
#: Characters an XLSX cell cannot hold (XML 1.0 forbids C0 controls other than tab, LF, CR);
#: openpyxl refuses them, so they are removed from every cell and header written to XLSX.
XLSX_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_PREFIX_BYTES = np.frombuffer("".join(FORMULA_PREFIXES).encode("ascii"), dtype=np.uint8)


def _is_text_column(s: pd.Series) -> bool:
    return (
        s.dtype == object
        or isinstance(s.dtype, pd.StringDtype)
        or str(s.dtype) in ("str", "string")
    )


def _first_byte_risky(arr: pa.Array) -> np.ndarray:
    """Rows whose text starts with a formula prefix, read straight from the Arrow buffers."""
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=bool)
    offsets, data = arr.buffers()[1:3]
    off_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    off = np.frombuffer(offsets, dtype=off_type)[arr.offset : arr.offset + n + 1].astype(np.int64)
    if data is None or data.size == 0:
        return np.zeros(n, dtype=bool)
    chars = np.frombuffer(data, dtype=np.uint8)
    first = chars[np.minimum(off[:-1], chars.size - 1)]
    risky = (off[1:] > off[:-1]) & np.isin(first, _PREFIX_BYTES)
    if arr.null_count:
        risky &= arr.is_valid().to_numpy(zero_copy_only=False)
    return risky


def formula_mask(arr: pa.Array) -> np.ndarray:
    """bool per cell of a string array: True where a spreadsheet would run it as a formula.

    The first byte of every cell is checked with numpy; only the few cells that start with a
    prefix go through the number test (once per distinct text). Null cells are never risky.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    risky = _first_byte_risky(arr)
    idx = np.flatnonzero(risky)
    if idx.size:
        enc = arr.take(pa.array(idx)).dictionary_encode()
        numeric = pc.take(pc.match_substring_regex(enc.dictionary, NUMBER_TEXT), enc.indices)
        risky[idx[numeric.to_numpy(zero_copy_only=False).astype(bool)]] = False
    return risky


def neutralise_text(arr: pa.Array) -> pa.Array:
    """Prefix ``'`` to the cells :func:`formula_mask` flags; other arrays come back as they are."""
    if pa.types.is_dictionary(arr.type):
        return pa.DictionaryArray.from_arrays(arr.indices, neutralise_text(arr.dictionary))
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr
    risky = formula_mask(arr)
    if not risky.any():
        return arr
    quote, empty = pa.scalar("'", arr.type), pa.scalar("", arr.type)  # string or large_string
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise(quote, arr, empty), arr)


#: Excel's own limit on the characters in one cell: longer text is refused, not cut.
XLSX_MAX_CELL_CHARS = 32_767


def check_xlsx_cells(table: pa.Table) -> None:
    """InputError before writing when a text cell is longer than Excel holds."""
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            longest = pc.max(pc.utf8_length(col)).as_py()
            if longest is not None and longest > XLSX_MAX_CELL_CHARS:
                raise InputError(
                    f"column {name!r} has a cell of {longest:,} characters, more than Excel's "
                    f"limit of {XLSX_MAX_CELL_CHARS:,}; write CSV or Parquet instead"
                )


def safe_names(names: list[str]) -> list[str]:
    """Column names through the same formula rule as the cells (a header is a cell too)."""
    if not names:
        return []
    risky = formula_mask(pa.array(names, type=pa.string()))
    return [f"'{n}" if r else n for n, r in zip(names, risky.tolist(), strict=True)]


def xlsx_text(arr: pa.Array) -> pa.Array:
    """A text array without the control characters XLSX cannot hold (others unchanged)."""
    if pa.types.is_dictionary(arr.type):
        return pa.DictionaryArray.from_arrays(arr.indices, xlsx_text(arr.dictionary))
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr
    return pc.replace_substring_regex(arr, XLSX_ILLEGAL, "")


def spreadsheet_safe(table: pa.Table, xlsx: bool = False) -> pa.Table:
    """The table with every text column and every column name through
    :func:`neutralise_text`; with ``xlsx``, control characters XLSX refuses removed too."""
    cols = []
    for c in table.columns:
        c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
        cols.append(neutralise_text(xlsx_text(c) if xlsx else c))
    names = [re.sub(XLSX_ILLEGAL, "", n) for n in table.column_names] if xlsx else None
    return pa.table(cols, names=safe_names(names or table.column_names))


def _risky_series(text: pd.Series) -> np.ndarray:
    """:func:`formula_mask` of a pandas text Series (non-strings count as empty)."""
    arr = pa.array(text.astype("string"), type=pa.string(), from_pandas=True)
    return formula_mask(arr)


def safe_text_cells(frame: pd.DataFrame, xlsx: bool = False) -> pd.DataFrame:
    """Return a copy in which text cells and column names a spreadsheet would execute start
    with ``'``; with ``xlsx``, control characters XLSX refuses are removed first.

    The rule is :func:`formula_mask` (numbers in text, such as "-40" or "-1,5", stay). Only
    text and categorical-text columns are touched; vectorised per column.
    """
    out = frame.copy()
    names = [str(c) for c in out.columns]
    if xlsx:
        names = [re.sub(XLSX_ILLEGAL, "", n) for n in names]
        for col in out.columns:
            s = out[col]
            if _is_text_column(s) and not isinstance(s.dtype, pd.CategoricalDtype):
                out[col] = s.where(
                    ~s.map(type).eq(str),
                    s.astype("string").str.replace(XLSX_ILLEGAL, "", regex=True),
                )
    out.columns = safe_names(names)
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = pd.Series(s.cat.categories)
            if _is_text_column(cats):
                cats_s = cats.astype("string")
                risky = _risky_series(cats_s)
                if risky.any():
                    out[col] = s.cat.rename_categories(
                        np.where(risky, "'" + cats_s, cats_s).tolist()
                    )
            continue
        if not _is_text_column(s):
            continue
        text = s.where(s.map(type).eq(str)) if s.dtype == object else s
        text = text.astype("string")
        risky = _risky_series(text)
        if risky.any():
            fixed = s.copy()
            fixed[risky] = "'" + text[risky]
            out[col] = fixed
    return out


def _json_default(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    return str(v)


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame -> list of plain dicts with NaN/NA as None (JSON-ready)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


#: DEL and the C1 controls, which JSON encoders leave raw (they escape only U+0000-U+001F).
_JSON_RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def json_escape_controls(text: str) -> str:
    """JSON text with DEL and C1 controls written as ``\\u00XX`` (the same JSON value; no
    control character is left to reach a terminal, and stdout's escaping has nothing to do)."""
    return _JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps_json(obj: Any, indent: int | None = 2) -> str:
    """JSON text where NaN becomes null and numpy scalars become plain numbers."""
    return json_escape_controls(
        json.dumps(_nan_to_none(obj), indent=indent, default=_json_default, ensure_ascii=False)
    )


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, Mapping):  # dicts and typed results that read as mappings
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_nan_to_none(v) for v in obj]
    return obj


def write_csv_fast(frame: pd.DataFrame, path: Path) -> None:
    """CSV through pyarrow's writer (several times faster than pandas on wide tables)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pacsv.write_csv(table, str(path))


def write_frame(
    frame: pd.DataFrame,
    path: str | os.PathLike | None,
    fmt: str,
    *,
    stream: IO[str] | None = None,
    sheet_name: str = "results",
) -> None:
    """Write ``frame`` as ``fmt`` to ``path`` atomically, or to ``stream`` (stdout) without a path.

    CSV and XLSX text cells are neutralised for spreadsheets; JSON is an array of records.
    Parquet and XLSX need a path.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InputError(
            f"expected an output format among {', '.join(FORMATS)}, instead received {fmt!r}"
        )
    if path is None:
        if fmt in ("parquet", "xlsx"):
            raise InputError(
                f"--format {fmt} writes a binary file: give an output path with -o FILE.{fmt}"
            )
        out = stream or sys.stdout
        if fmt == "csv":
            safe_text_cells(frame).to_csv(out, index=False, lineterminator="\n")
        else:
            out.write(dumps_json(records(frame)))
            out.write("\n")
        return

    def writer(tmp: Path) -> None:
        if fmt == "csv":
            write_csv_fast(safe_text_cells(frame), tmp)
        elif fmt == "json":
            tmp.write_text(dumps_json(records(frame)) + "\n", encoding="utf-8")
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        elif fmt == "xlsx":
            check_xlsx_cells(pa.Table.from_pandas(frame.astype(object).astype("string")))
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                safe_text_cells(frame, xlsx=True).to_excel(xl, index=False, sheet_name=sheet_name)

    write_atomic(path, writer, binary=fmt in ("parquet", "xlsx"))


def format_from_path(path: str | os.PathLike | None, default: str = "csv") -> str:
    """Guess an output format from a file extension."""
    if path is None:
        return default
    ext = Path(path).suffix.lower().lstrip(".")
    return FORMAT_BY_EXTENSION.get(ext, default)
