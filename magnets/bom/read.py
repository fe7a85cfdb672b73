"""Reading a bill of materials into a :class:`RawBom`, before any interpretation.

Whole-table (no Python loop per row on the CSV and Parquet paths):

1. :func:`read_raw` reads CSV, XLSX or Parquet (chosen by content, then extension) into a
   :class:`RawBom`: the cells as an Arrow table under the original headers, and the source
   line of every record (CSV: the file line where the record starts, header = line 1, quoted
   newlines counted; XLSX: the sheet row; Parquet: record number + 1).
   CSV is :mod:`magnets.bom.read_csv`; XLSX and Parquet are here.
2. :func:`magnets.bom.columns.normalise` (the next step) matches the columns (case, spaces
   and underscores ignored, common aliases), parses units in headers and cells (g, kg, lb;
   degC, degF; kA/m, kOe) and returns SI arrays plus one problem code per row and field
   (:class:`~magnets.bom.columns.BomColumns`).

A file that cannot be read at all raises :class:`magnets.errors.UnreadableFileError`
(or :class:`~magnets.errors.InputError` for a header problem) naming the file, the problem
and the fix; a bad cell never raises, it becomes a row problem.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pyarrow as pa

from magnets.bom.columns import _field_of
from magnets.bom.raw import EXACT_INT, RawBom, _unique_headers, _unreadable, plain_types, sniff_kind
from magnets.bom.read_csv import read_csv
from magnets.errors import InputError, MagnetsError

__all__ = ["RawBom", "parquet_raw", "raw_from_frame", "read_raw", "sniff_kind"]


def _read_once(p: Path, path: str | os.PathLike) -> bytes | None:
    """The whole input when it can be read only once (``-`` for stdin, a pipe such as
    ``<(cat bom.csv)``, a FIFO); None for a regular file (read later, by its reader)."""
    import stat
    import sys

    try:
        if str(path) == "-":
            return sys.stdin.buffer.read()
        if stat.S_ISREG(p.stat().st_mode):
            return None
        with open(p, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise _unreadable(path, f"{exc.strerror or exc}; check the file's permissions") from None


def read_raw(path: str | os.PathLike, sheet: str | None = None) -> RawBom:
    """Read a BOM file (CSV, XLSX or Parquet) without interpreting its columns.

    ``-`` reads stdin; pipes and FIFOs are read once, whole, then parsed like a file.
    """
    p = Path(path)
    if str(path) != "-" and not p.exists():
        raise _unreadable(path, "no such file; check the path")
    if p.is_dir():
        raise _unreadable(path, "it is a folder, not a file; give a CSV, XLSX or Parquet file")
    data = _read_once(p, path)
    try:
        if data is None:
            with open(p, "rb") as fh:
                head = fh.read(8)
        else:
            head = data[:8]
    except OSError as exc:
        raise _unreadable(path, f"{exc.strerror or exc}; check the file's permissions") from None
    kind = sniff_kind(p, head)
    if kind in ("parquet", "xlsx"):
        src: Path | io.BytesIO = p if data is None else io.BytesIO(data)
        try:
            return (
                _read_parquet(src, str(path))
                if kind == "parquet"
                else _read_xlsx(src, str(path), sheet)
            )
        except MagnetsError:
            raise
        except Exception as exc:
            what = "Parquet file" if kind == "parquet" else "XLSX workbook"
            raise _unreadable(
                path,
                f"not a readable {what} ({type(exc).__name__}: {exc}); save it again or export CSV",
            ) from None
    if sheet is not None:
        raise InputError(f"--sheet {sheet!r} applies to XLSX files only; {path} is read as CSV")
    try:
        return read_csv(p, str(path), data)
    except (
        csv.Error,
        pa.ArrowException,
        UnicodeError,
    ) as exc:  # a safety net: one line, never a traceback
        raise _unreadable(
            path,
            f"the CSV parser gave up ({exc}); check the quoting and line ends, or save "
            "the file again as CSV UTF-8",
        ) from None


# ---- XLSX


def _column_array(values: list) -> pa.Array:
    """Arrow array from a column of openpyxl cell values; mixed columns become text."""
    clean = [None if (isinstance(v, str) and not v.strip()) else v for v in values]
    kinds = {type(v) for v in clean if v is not None}
    if int in kinds and any(isinstance(v, int) and abs(v) > EXACT_INT for v in clean):
        kinds.add(str)  # a 20-digit id: exact text, not a number that loses digits
    if kinds and kinds <= {int, float}:
        return pa.array(clean, pa.int64() if kinds == {int} else pa.float64())
    if kinds and len(kinds) == 1 and not kinds & {str, int}:
        try:
            return pa.array(clean)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pa.array([None if v is None else _cell_text(v) for v in clean], pa.string())


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


#: Excel's own limit on the characters in one cell.
XLSX_MAX_CELL_CHARS = 32_767
#: Most bytes a workbook may unpack to (the XML inside the zip) before it is refused: a
#: 1 MB file can hold a 1 GB string, and the reader needs several times that in memory.
XLSX_MAX_UNPACKED_BYTES = 256 * 1024 * 1024


def _check_unpacked_size(p: Path | io.BytesIO, path: str) -> None:
    """Refuse a workbook whose parts unpack past XLSX_MAX_UNPACKED_BYTES (sizes from the
    zip directory, which also bound what the reader will inflate)."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: the workbook reader says so in its own words
    finally:
        if isinstance(p, io.BytesIO):
            p.seek(0)
    if total > XLSX_MAX_UNPACKED_BYTES:
        raise _unreadable(
            path,
            f"the workbook unpacks to {total / 2**20:,.0f} MB, more than the "
            f"{XLSX_MAX_UNPACKED_BYTES / 2**20:,.0f} MB limit for XLSX input; save the sheet "
            "as CSV (no such limit) or split it into several workbooks",
        )


def _check_cells(values: tuple, row: int, path: str) -> None:
    for c, v in enumerate(values, start=1):
        if isinstance(v, str) and len(v) > XLSX_MAX_CELL_CHARS:
            raise _unreadable(
                path,
                f"sheet row {row}, column {c} holds {len(v):,} characters, more than Excel's "
                f"limit of {XLSX_MAX_CELL_CHARS:,} per cell; shorten the cell or save as CSV",
            )


def _read_xlsx(p: Path | io.BytesIO, path: str, sheet: str | None) -> RawBom:
    _check_unpacked_size(p, path)
    from magnets.bom.xlsx import calamine_rows

    got = calamine_rows(p, path, sheet)  # compiled, when installed; same values as below
    if got is not None:
        for r, values in zip(got[2], got[1]):
            _check_cells(values, r, path)
    title, rows, sheet_rows = got if got is not None else _openpyxl_rows(p, path, sheet)
    if not rows:
        raise _unreadable(
            path, f"sheet {title!r} is empty; expected a header row with a grade column"
        )
    # the header is the first row with a grade column among the first few (title rows above a
    # table are common in workbooks), else the first non-empty row
    h = next(
        (
            i
            for i, r in enumerate(rows[:20])
            if any(isinstance(v, str) and _field_of_quiet(v) == "grade" for v in r)
        ),
        0,
    )
    header = list(rows[h])
    while header and header[-1] is None:
        header.pop()
    ncol = len(header)
    headers = _unique_headers([("" if h is None else _cell_text(h)) for h in header])
    body = [tuple(r[:ncol]) + (None,) * (ncol - len(r)) for r in rows[h + 1 :]]
    cols = list(zip(*body)) if body else [()] * ncol
    table = pa.table({f"c{i}": _column_array(list(c)) for i, c in enumerate(cols)})
    return RawBom(path, "xlsx", headers, table, np.asarray(sheet_rows[h + 1 :], dtype=np.int64))


def _openpyxl_rows(
    p: Path | io.BytesIO, path: str, sheet: str | None
) -> tuple[str, list[tuple], list[int]]:
    """(sheet title, non-empty rows, their sheet row numbers) read by openpyxl."""
    try:
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable(
            path,
            f"not a readable XLSX workbook ({type(exc).__name__}: {exc}); "
            "save it again from the spreadsheet as .xlsx or export CSV",
        ) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise InputError(
                    f"{path} has no sheet {sheet!r}; its sheets are: {', '.join(wb.sheetnames)}"
                )
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        rows = []
        sheet_rows = []
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if values and any(
                v is not None and not (isinstance(v, str) and not v.strip()) for v in values
            ):
                _check_cells(values, r, path)
                rows.append(values)
                sheet_rows.append(r)
    finally:
        wb.close()
    return ws.title, rows, sheet_rows


def _field_of_quiet(text: str) -> str | None:
    return _field_of(text)[0]


# ---- Parquet


def _read_parquet(p: Path | io.BytesIO, path: str) -> RawBom:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(p)
    except Exception as exc:
        raise _unreadable(
            path, f"not a readable Parquet file ({exc}); write it again or export CSV"
        ) from None
    return parquet_raw(table, path)


def parquet_raw(
    table: pa.Table, path: str, first_line: int = 2, as_text: tuple[int, ...] = ()
) -> RawBom:
    """The :class:`RawBom` of Parquet records (the whole file, or the records of one
    partition whose first record is on ``first_line``; the header counts as line 1).

    ``as_text``: positions of integer columns to read as their exact text whatever this
    part holds, because another part of the same file has integers past 2**53 (so every
    partition gives the column the same type).
    """
    table = table.combine_chunks() if table.num_columns else table
    # nested or binary columns cannot go into CSV/XLSX cells: keep them as their text form
    for i, f in enumerate(table.schema):
        if (
            pa.types.is_nested(f.type)
            or pa.types.is_binary(f.type)
            or pa.types.is_large_binary(f.type)
            or pa.types.is_binary_view(f.type)
        ):
            values = table.column(
                i
            ).to_pylist()  # rare: a Python step per cell for such columns only
            table = table.set_column(
                i, f.name, pa.array([None if v is None else str(v) for v in values], pa.string())
            )
        elif i in as_text:
            table = table.set_column(i, f.name, table.column(i).cast(pa.string()))
    headers = _unique_headers(list(table.column_names))
    table = plain_types(table.rename_columns([f"c{i}" for i in range(len(headers))]))
    n = table.num_rows
    return RawBom(
        path, "parquet", headers, table, np.arange(first_line, first_line + n, dtype=np.int64)
    )


def raw_from_frame(frame, label: str = "<frame>") -> RawBom:
    """A :class:`RawBom` from an in-memory DataFrame (lines count as if row 0 were file line 2)."""
    import pandas as pd

    headers = _unique_headers([str(c) for c in frame.columns])
    arrays = {}
    for i, _c in enumerate(frame.columns):
        s = frame.iloc[:, i]
        if s.dtype == object:
            arrays[f"c{i}"] = _column_array(
                [
                    None if (v is None or (isinstance(v, float) and np.isnan(v))) else v
                    for v in s.tolist()
                ]
            )
        else:
            arrays[f"c{i}"] = pa.Array.from_pandas(
                s if not isinstance(s.dtype, pd.CategoricalDtype) else s.astype(str)
            )
    table = plain_types(pa.table(arrays)) if arrays else pa.table({})
    return RawBom(label, "frame", headers, table, np.arange(2, len(frame) + 2, dtype=np.int64))
