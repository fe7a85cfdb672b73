"""XLSX sheets of an evaluated BOM, written and read fast.

Writing. openpyxl builds a Python object per cell (about 5 microseconds a cell, 90 s for
200,000 lines x 36 columns), so the sheet is written by ``rustpy-xlsxwriter``, a compiled
(Rust) writer that takes a whole DataFrame: about 1.5 microseconds a cell on the same job,
with numbers as numbers, a bold frozen header and no Python step per cell. It was chosen over
writing the sheet XML ourselves because it already produces a valid workbook (shared styles,
freeze panes, XML escaping) that Excel and LibreOffice open; the cost of our own XML would be
owning that format. When it is not importable the old openpyxl writer runs, with the same
cell values. The text cells go through :func:`magnets.io.spreadsheet_safe` either way.

Past Excel's 1,048,576 rows a sheet, the table continues on further sheets (``bom``,
``bom 2``...), each with the header; :func:`write_xlsx` returns a note saying so.

Reading. :func:`calamine_rows` reads the cell values with ``python-calamine`` (compiled)
when it is installed; it gives up (returns None) on anything whose values could differ from
openpyxl's (dates and times, numbers past 2**53, ``_x`` escapes), and the caller then reads
the workbook with openpyxl.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa

from magnets.errors import InputError
from magnets.io import spreadsheet_safe

XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows, one is the header
SHEET = "bom"
EXACT_FLOAT = 2**53  # integers beyond this do not survive a float64 (nor an Excel cell)

Target = str | os.PathLike[str] | IO[bytes]


def sheet_names(n_rows: int) -> list[str]:
    """The sheets ``n_rows`` data rows need: ``bom``, then ``bom 2``, ``bom 3``..."""
    count = max(1, -(-n_rows // XLSX_MAX_ROWS))
    return [SHEET] + [f"{SHEET} {k}" for k in range(2, count + 1)]


def write_xlsx(table: pa.Table, target: Target) -> list[str]:
    """Write ``table`` as an XLSX workbook; returns notes for the user (a split, if any)."""
    safe = spreadsheet_safe(table, xlsx=True)
    names = sheet_names(safe.num_rows)
    parts = [safe.slice(k * XLSX_MAX_ROWS, XLSX_MAX_ROWS) for k in range(len(names))]
    try:
        _write_compiled(names, parts, target)
    except ImportError:  # rustpy-xlsxwriter not installed: the openpyxl writer, same cells
        _write_openpyxl(names, parts, target)
    if len(names) == 1:
        return []
    return [
        f"{safe.num_rows:,} rows are more than one XLSX sheet holds ({XLSX_MAX_ROWS:,} "
        f"below the header): written to {len(names)} sheets, {', '.join(names)}, each "
        "with the header; write CSV or Parquet to keep one table"
    ]


def _write_compiled(names: list[str], parts: list[pa.Table], target: Target) -> None:
    import rustpy_xlsxwriter

    sheets = [(name, _frame(part)) for name, part in zip(names, parts)]
    rustpy_xlsxwriter.write_worksheets(
        sheets,
        os.fspath(target) if isinstance(target, (str, os.PathLike)) else cast(Any, target),
        freeze_panes={"general": {"row": 1, "col": 0}},
        bold_headers=True,
    )


def _frame(part: pa.Table) -> Any:
    """A DataFrame the compiled writer takes: categories as plain text (it writes
    categorical columns as empty cells), nulls as empty cells."""
    cols = []
    for c in part.columns:
        c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
        cols.append(c.dictionary_decode() if pa.types.is_dictionary(c.type) else c)
    return pa.table(cols, names=part.column_names).to_pandas()


def _write_openpyxl(names: list[str], parts: list[pa.Table], target: Target) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for name, part in zip(names, parts):
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        header = []
        for text in part.column_names:
            cell = openpyxl.cell.WriteOnlyCell(ws, value=text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        cols = [c.to_pylist() for c in part.columns]
        for row in zip(*cols, strict=True):  # the fallback: openpyxl writes cell by cell
            ws.append(list(row))
    wb.save(target if not isinstance(target, os.PathLike) else os.fspath(target))


def calamine_rows(
    src: Path | io.BytesIO, path: str, sheet: str | None
) -> tuple[str, list[tuple], list[int]] | None:
    """(sheet title, non-empty rows, their sheet row numbers) read by python-calamine, with
    the values openpyxl's read-only mode gives; None when calamine is absent, fails, or
    meets a value it would read differently (the caller then uses openpyxl)."""
    try:
        import python_calamine
    except ImportError:
        return None
    try:
        if isinstance(src, io.BytesIO):
            wb = python_calamine.CalamineWorkbook.from_filelike(src)
            src.seek(0)
        else:
            wb = python_calamine.CalamineWorkbook.from_path(str(src))
        names = list(wb.sheet_names)
        if sheet is not None and sheet not in names:
            raise InputError(f"{path} has no sheet {sheet!r}; its sheets are: {', '.join(names)}")
        title = sheet if sheet is not None else names[0]
        values = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception:  # openpyxl reads it again and words the problem
        return None
    rows, sheet_rows = [], []
    for r, raw in enumerate(values, start=1):
        row = _openpyxl_values(raw)
        if row is None:
            return None
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
            rows.append(row)
            sheet_rows.append(r)
    return title, rows, sheet_rows


def _openpyxl_values(raw: list) -> tuple | None:
    """One calamine row as openpyxl gives it (empty cells None, whole numbers int), or None
    when a value could differ: dates and times, numbers past 2**53, ``_x`` escapes."""
    out: list[Any] = []
    for v in raw:
        if isinstance(v, bool):
            out.append(v)
        elif isinstance(v, float):
            if not math.isfinite(v) or abs(v) >= EXACT_FLOAT:
                return None
            out.append(int(v) if v.is_integer() else v)
        elif isinstance(v, int):
            if abs(v) >= EXACT_FLOAT:
                return None
            out.append(v)
        elif isinstance(v, str):
            if "_x" in v or "\r" in v:
                return None  # openpyxl leaves _x000D_ escapes as written; calamine decodes
            out.append(v if v != "" else None)
        else:
            return None  # dates, times, durations: openpyxl's types differ
    return tuple(out)
