"""Reading and writing files safely.

- ``write_atomic`` writes through a temporary file in the target folder, then renames it,
  so a crash or a bad input never leaves a half-written or clobbered output.
- ``safe_text_cells`` neutralises text that a spreadsheet would run as a formula
  (cells beginning with ``= + - @``, a tab or a carriage return get a leading ``'``).
- ``write_frame`` writes a DataFrame as CSV, JSON (array of records), Parquet or XLSX.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from magnets.errors import InputError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A text cell that is just a number ("-40", "+1.5e3") is data, not a formula: left alone.
NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
FORMATS = ("csv", "json", "parquet", "xlsx")


def write_atomic(path: str | os.PathLike, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp_path)`` on a temporary file beside ``path``, then rename it over ``path``.

    If the writer raises, the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise InputError(
            f"cannot write {target}: folder {folder} does not exist; create it or choose another -o path"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return target


def _is_text_column(s: pd.Series) -> bool:
    return (
        s.dtype == object
        or isinstance(s.dtype, pd.StringDtype)
        or str(s.dtype) in ("str", "string")
    )


def safe_text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy in which text cells a spreadsheet would execute start with ``'``.

    Only text columns are touched; numbers, and text that is just a number such as "-40",
    are left alone.
    Vectorised per column (``str.startswith`` with a tuple of prefixes).
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = s.cat.categories
            if _is_text_column(pd.Series(cats)):
                cats_s = pd.Series(cats, dtype="string")
                risky = (
                    cats_s.str.startswith(FORMULA_PREFIXES) & ~cats_s.str.fullmatch(NUMBER_TEXT)
                ).fillna(False)
                risky = risky.to_numpy(dtype=bool)
                if risky.any():
                    out[col] = s.cat.rename_categories(
                        np.where(risky, "'" + cats_s, cats_s).tolist()
                    )
            continue
        if not _is_text_column(s):
            continue
        if s.dtype == object:
            is_str = s.map(type).eq(str)
            text = s.where(is_str).astype("string")
        else:
            text = s.astype("string")
        risky = (text.str.startswith(FORMULA_PREFIXES) & ~text.str.fullmatch(NUMBER_TEXT)).fillna(
            False
        )
        if risky.any():
            fixed = s.copy()
            fixed[risky] = "'" + text[risky]
            out[col] = fixed
    return out


def _json_default(v):
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


def dumps_json(obj: Any, indent: int | None = 2) -> str:
    """JSON text where NaN becomes null and numpy scalars become plain numbers."""
    return json.dumps(_nan_to_none(obj), indent=indent, default=_json_default, ensure_ascii=False)


def _nan_to_none(obj):
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
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
    """Write ``frame`` as ``fmt`` to ``path`` atomically, or to ``stream`` (stdout) when path is None.

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
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                safe_text_cells(frame).to_excel(xl, index=False, sheet_name=sheet_name)

    write_atomic(path, writer)


def format_from_path(path: str | os.PathLike | None, default: str = "csv") -> str:
    """Guess an output format from a file extension."""
    if path is None:
        return default
    ext = Path(path).suffix.lower().lstrip(".")
    return {
        "csv": "csv",
        "json": "json",
        "parquet": "parquet",
        "pq": "parquet",
        "xlsx": "xlsx",
    }.get(ext, default)
