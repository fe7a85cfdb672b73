"""Reading a bill of materials into a :class:`RawBom`, before any interpretation.

Whole-table (no Python loop per row on the CSV and Parquet paths):

1. :func:`read_raw` reads CSV, XLSX or Parquet (chosen by content, then extension) into a
   :class:`RawBom`: the cells as an Arrow table under the original headers, and the source
   line of every record (CSV: the file line where the record starts, header = line 1, quoted
   newlines counted; XLSX: the sheet row; Parquet: record number + 1).
2. :func:`magnets.bom.columns.normalise` (the next step) matches the columns (case, spaces and underscores ignored, common
   aliases), parses units in headers and cells (g, kg, lb; degC, degF; kA/m, kOe) and
   returns SI arrays plus one problem code per row and field (:class:`BomColumns`).

A file that cannot be read at all raises :class:`magnets.errors.UnreadableFileError`
(or :class:`~magnets.errors.InputError` for a header problem) naming the file, the problem
and the fix; a bad cell never raises, it becomes a row problem.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from magnets.bom.columns import _field_of
from magnets.errors import InputError, MagnetsError, UnreadableFileError

# --------------------------------------------------------------------------- raw reading


@dataclass
class RawBom:
    """The cells of a BOM as read, before any interpretation.

    Attributes
    ----------
    path : str
        The file as the user named it ('<frame>' for an in-memory table).
    kind : str
        'csv', 'xlsx', 'parquet' or 'frame'.
    headers : list[str]
        Original column headers, in file order (duplicates made unique with a suffix).
    table : pyarrow.Table
        The cells, one column per header (CSV cells are text, exactly as in the file).
    line : np.ndarray[int64]
        Source line of each record (see module docstring).
    row_problem : np.ndarray[object] | None
        A structural problem of a record (wrong number of fields), else None.
    decimal_comma : bool
        True when numbers use a decimal comma (a ``;``-delimited CSV).
    warnings : list[str]
        Things the user should know (Latin-1 fallback, unit-less mass column...).
    """

    path: str
    kind: str
    headers: list[str]
    table: pa.Table
    line: np.ndarray
    row_problem: np.ndarray | None = None
    decimal_comma: bool = False
    warnings: list[str] = field(default_factory=list)


def _unreadable(path, problem: str) -> UnreadableFileError:
    return UnreadableFileError(f"cannot read BOM {path}: {problem}")


def sniff_kind(path: Path, head: bytes) -> str:
    """'parquet', 'xlsx' or 'csv' from the first bytes, then from the extension."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    ext = path.suffix.lower()
    if ext in (".parquet", ".pq"):
        return "parquet"
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    return "csv"


def read_raw(path: str | os.PathLike, sheet: str | None = None) -> RawBom:
    """Read a BOM file (CSV, XLSX or Parquet) without interpreting its columns."""
    p = Path(path)
    if not p.exists():
        raise _unreadable(path, "no such file; check the path")
    if p.is_dir():
        raise _unreadable(path, "it is a folder, not a file; give a CSV, XLSX or Parquet file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _unreadable(path, f"{exc.strerror or exc}; check the file's permissions") from None
    kind = sniff_kind(p, head)
    if kind in ("parquet", "xlsx"):
        try:
            return (
                _read_parquet(p, str(path))
                if kind == "parquet"
                else _read_xlsx(p, str(path), sheet)
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
        return _read_csv(p, str(path))
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


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = "" if h is None else str(h).strip()
        h = h or f"column_{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}_{seen[h]}"
        seen.setdefault(h, 1)
        out.append(h)
    return out


# ---- CSV

_DELIMS = (",", ";", "\t", "|")


def _sniff_delimiter(header: str) -> str:
    best, best_n = ",", 1
    for d in _DELIMS:
        try:
            n = len(next(csv.reader(io.StringIO(header, newline=""), delimiter=d), []))
        except csv.Error:
            continue
        if n > best_n:
            best, best_n = d, n
    return best


def _record_starts(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byte offset and 1-based line of every non-empty record start in ``buf``.

    A newline ends a record when an even number of double quotes precede it (RFC 4180:
    quotes inside quoted values are doubled, so parity tracks "inside quotes").
    """
    n = buf.size
    nl = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    if quotes.size:
        outside = (np.searchsorted(quotes, nl) & 1) == 0
        term_idx = np.flatnonzero(outside)
    else:
        term_idx = np.arange(nl.size)
    starts = np.concatenate([[0], nl[term_idx] + 1]).astype(np.int64)
    lines = np.concatenate([[1], term_idx + 2]).astype(np.int64)
    keep = starts < n
    starts, lines = starts[keep], lines[keep]
    # empty records ("\n" or "\r\n" right at the start) are skipped, as the parser does
    first = buf[starts]
    nxt = buf[np.minimum(starts + 1, n - 1)]
    empty = (first == 10) | ((first == 13) & ((nxt == 10) | (starts + 1 >= n)))
    return starts[~empty], lines[~empty]


def _latin1(data: bytes, path: str, warnings: list[str], where: str) -> bytes:
    warnings.append(
        f"{path} is not UTF-8 ({where}); read it as Latin-1: re-save it as UTF-8 to be sure "
        "accented text is right"
    )
    return data.decode("latin-1").encode("utf-8")


def _header_span(data: bytes) -> tuple[int, int, int, int]:
    """(header start, header end (after its newline), its 1-based line, comment/blank lines skipped).

    Comment lines (starting with '#') and blank lines before the header are skipped. A quoted
    header cell may hold newlines: quotes are balanced before the header ends.
    """
    pos, line = 0, 1
    n = len(data)
    while pos < n:
        end = data.find(b"\n", pos)
        end = n if end < 0 else end + 1
        text = data[pos:end]
        if text.strip() and not text.startswith(b"#"):
            start, first_line = pos, line
            while text.count(b'"') % 2 and end < n:  # a newline inside a quoted header cell
                nxt = data.find(b"\n", end)
                nxt = n if nxt < 0 else nxt + 1
                line += 1
                end = nxt
                text = data[start:end]
            return start, end, first_line, line - first_line
        pos, line = end, line + 1
    return n, n, line, 0


def _read_csv(p: Path, path: str) -> RawBom:
    import pyarrow.csv as pacsv

    try:
        data = p.read_bytes()
    except OSError as exc:
        raise _unreadable(path, f"{exc.strerror or exc}; check the file's permissions") from None
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise _unreadable(
            path, "it holds binary data, not a table; give a CSV, XLSX or Parquet file"
        )
    if b"\n" not in data and b"\r" in data:  # old Mac line ends: one CR per line
        data = data.replace(b"\r", b"\n")
    if not data or data.isspace():
        raise _unreadable(
            path,
            "the file is empty; expected a header line with a grade column, then one line per part",
        )
    hstart, hend, hline, extra = _header_span(data)
    if hstart >= len(data):
        raise _unreadable(
            path, "no header line found (only comments); expected a header with a grade column"
        )
    try:
        header_text = data[hstart:hend].decode("utf-8")
    except UnicodeDecodeError:
        data = _latin1(data, path, warnings, "in the header")
        hstart, hend, hline, extra = _header_span(data)
        header_text = data[hstart:hend].decode("utf-8")
    header_text = header_text.rstrip("\r\n")
    delim = _sniff_delimiter(header_text)
    header = next(csv.reader(io.StringIO(header_text, newline=""), delimiter=delim), [])
    if len(header) == 1 and _field_of(header[0])[0] is None:
        raise _unreadable(
            path,
            "it does not look like a table: the first line has no delimiter (, ; tab |) and "
            "no grade column; expected a header such as 'part_id,grade,magnet_mass_kg,quantity'",
        )
    headers = _unique_headers(header)
    names = [f"c{i}" for i in range(len(headers))]
    body_line = hline + extra + 1  # file line of the first byte after the header
    body = data[hend:]
    if re.search(rb"[^\r\n]", body) is None:
        table = pa.table({n: pa.array([], pa.string()) for n in names})
        return RawBom(
            path, "csv", headers, table, np.zeros(0, np.int64), None, delim == ";", warnings
        )
    has_cr = b"\r" in body
    if has_cr and body.count(b"\r") != body.count(b"\r\n"):  # old Mac line ends
        return _read_csv_careful(data, path, headers, delim, warnings, hend, body_line)

    def parse(buf: bytes, multiline: bool):
        return pacsv.read_csv(
            pa.BufferReader(buf),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, quote_char='"', double_quote=True, newlines_in_values=multiline
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )

    # Fast path: parse assuming no newline inside a quoted value (pyarrow can then split the
    # work across cores), and check that every non-blank body line became one record.
    tail = body[-256:]
    trailing = len(tail) - len(tail.rstrip(b"\r\n"))  # the final newline(s)
    blank_lines = (
        trailing >= 256
        or body.startswith((b"\n", b"\r\n"))
        or body.find(b"\n\n", 0, len(body) - trailing) >= 0
        or (has_cr and body.find(b"\n\r\n", 0, len(body) - trailing) >= 0)
    )
    multiline = len(names) == 1 and b'"' in body
    transcoded = False
    for _attempt in range(3):
        try:
            table = parse(body, multiline)
        except pa.ArrowInvalid as exc:
            if "utf8" in str(exc).lower() and not transcoded:
                transcoded = True
                data = _latin1(data, path, warnings, "in the body")
                hstart, hend, hline, extra = _header_span(data)
                body = data[hend:]
                tail = body[-256:]
                trailing = len(tail) - len(tail.rstrip(b"\r\n"))
                continue
            # a record with the wrong number of fields, or a newline inside quotes across a
            # block boundary: the careful path keeps every record and flags the odd ones
            if b'"' in body and not multiline:
                multiline = True
                continue
            return _read_csv_careful(data, path, headers, delim, warnings, hend, body_line)
        break
    else:
        return _read_csv_careful(data, path, headers, delim, warnings, hend, body_line)
    if (
        not blank_lines
        and not multiline
        and body.count(b"\n", 0, len(body) - trailing) + 1 == table.num_rows
    ):
        lines = np.arange(body_line, body_line + table.num_rows, dtype=np.int64)
    else:
        # blank lines or quoted newlines: find each record's first line exactly
        if not multiline and b'"' in body:
            table = parse(body, True)
        _starts, lines = _record_starts(np.frombuffer(body, dtype=np.uint8))
        lines = lines + (body_line - 1)
        if lines.size != table.num_rows:
            return _read_csv_careful(data, path, headers, delim, warnings, hend, body_line)
    return RawBom(path, "csv", headers, table, lines, None, delim == ";", warnings)


def _read_csv_careful(
    data: bytes,
    path: str,
    headers: list[str],
    delim: str,
    warnings: list[str],
    body_start: int,
    body_line: int,
) -> RawBom:
    """Python's csv module, record by record, for files the fast parser rejects (ragged rows,
    stray quotes, old Mac line ends). Keeps every record, padding or flagging odd ones."""
    try:
        text = data[body_start:].decode("utf-8")
    except UnicodeDecodeError:
        text = data[body_start:].decode("latin-1")
        warnings.append(
            f"{path} is not UTF-8; read it as Latin-1: re-save it as UTF-8 to be sure accented "
            "text is right"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    ncol = len(headers)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[str | None] = []
    prev_end = 0
    try:
        for rec in reader:  # the slow path: one Python step per record
            start = prev_end + 1
            prev_end = reader.line_num
            if not rec:
                continue  # blank line
            n = len(rec)
            if n != ncol:
                problems.append(
                    f"line has {n} fields but the header has {ncol}; check for a stray '{delim}' or an unquoted "
                    f"value containing '{delim}'"
                    if n > ncol
                    else f"line has {n} fields but the header has {ncol}; fill the missing cells"
                )
                rec = (rec + [""] * ncol)[:ncol]
            else:
                problems.append(None)
            rows.append(rec)
            lines.append(start + body_line - 1)
    except csv.Error as exc:
        raise _unreadable(
            path, f"line {reader.line_num + body_line - 1}: {exc}; check the quoting"
        ) from None
    cols = list(zip(*rows)) if rows else [()] * ncol
    table = pa.table(
        {
            f"c{i}": pa.array([v if v != "" else None for v in col], pa.string())
            for i, col in enumerate(cols)
        }
    )
    prob = np.array(problems, dtype=object) if any(x is not None for x in problems) else None
    return RawBom(
        path, "csv", headers, table, np.asarray(lines, dtype=np.int64), prob, delim == ";", warnings
    )


# ---- XLSX


def _column_array(values: list) -> pa.Array:
    """Arrow array from a column of openpyxl cell values; mixed columns become text."""
    clean = [None if (isinstance(v, str) and not v.strip()) else v for v in values]
    kinds = {type(v) for v in clean if v is not None}
    if kinds and kinds <= {int, float}:
        return pa.array(clean, pa.int64() if kinds == {int} else pa.float64())
    if kinds and len(kinds) == 1 and not kinds & {str}:
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


def _read_xlsx(p: Path, path: str, sheet: str | None) -> RawBom:
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
                rows.append(values)
                sheet_rows.append(r)
    finally:
        wb.close()
    if not rows:
        raise _unreadable(
            path, f"sheet {ws.title!r} is empty; expected a header row with a grade column"
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


def _field_of_quiet(text: str) -> str | None:
    return _field_of(text)[0]


# ---- Parquet


def _read_parquet(p: Path, path: str) -> RawBom:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(p)
    except Exception as exc:
        raise _unreadable(
            path, f"not a readable Parquet file ({exc}); write it again or export CSV"
        ) from None
    table = table.combine_chunks() if table.num_columns else table
    # nested or binary columns cannot go into CSV/XLSX cells: keep them as their text form
    for i, f in enumerate(table.schema):
        if (
            pa.types.is_nested(f.type)
            or pa.types.is_binary(f.type)
            or pa.types.is_large_binary(f.type)
        ):
            values = table.column(
                i
            ).to_pylist()  # rare: a Python step per cell for such columns only
            table = table.set_column(
                i, f.name, pa.array([None if v is None else str(v) for v in values], pa.string())
            )
    headers = _unique_headers(list(table.column_names))
    table = table.rename_columns([f"c{i}" for i in range(len(headers))])
    return RawBom(path, "parquet", headers, table, np.arange(2, table.num_rows + 2, dtype=np.int64))


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
    table = pa.table(arrays) if arrays else pa.table({})
    return RawBom(label, "frame", headers, table, np.arange(2, len(frame) + 2, dtype=np.int64))
