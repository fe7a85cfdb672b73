"""Reading and normalising a bill of materials.

Two steps, both whole-table (no Python loop per row on the CSV and Parquet paths):

1. :func:`read_raw` reads CSV, XLSX or Parquet (chosen by content, then extension) into a
   :class:`RawBom`: the cells as an Arrow table under the original headers, and the source
   line of every record (CSV: the file line where the record starts, header = line 1, quoted
   newlines counted; XLSX: the sheet row; Parquet: record number + 1).
2. :func:`normalise` matches the columns (case, spaces and underscores ignored, common
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
import pyarrow.compute as pc

from magnets.errors import InputError, MagnetsError, UnreadableFileError
from magnets.units import KA_M_PER_KOE, KG_PER_LB

# --------------------------------------------------------------------------- fields

#: canonical field -> (dimension, aliases); aliases are compared after lower-casing and
#: dropping everything but letters and digits ("Max Temp (C)" -> "maxtemp" + unit "c").
FIELDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "part_id": (
        None,
        (
            "partid",
            "part",
            "partno",
            "partnumber",
            "partnum",
            "pn",
            "itemid",
            "item",
            "itemno",
            "itemnumber",
            "id",
        ),
    ),
    "grade": (
        None,
        ("grade", "gradeid", "magnetgrade", "material", "materialgrade", "magnetmaterial"),
    ),
    "magnet_mass": (
        "mass",
        (
            "magnetmass",
            "mass",
            "magnetmassperunit",
            "massperunit",
            "unitmass",
            "magnetweight",
            "weight",
            "magnetmasseach",
            "masseach",
            "weightperunit",
            "magnetweightperunit",
        ),
    ),
    "quantity": (
        "count",
        (
            "quantity",
            "qty",
            "count",
            "pcs",
            "pieces",
            "units",
            "number",
            "numberofunits",
            "quantityperyear",
            "qtyperassembly",
        ),
    ),
    "required_temp_C": (
        "temp",
        (
            "requiredtemp",
            "requiredtemperature",
            "maxtemp",
            "maxtemperature",
            "operatingtemp",
            "operatingtemperature",
            "maxoperatingtemp",
            "maxoperatingtemperature",
            "temp",
            "temperature",
            "requiredmaxtemp",
        ),
    ),
    "pc": (None, ("pc", "permeancecoefficient", "permeance", "loadline")),
    "hd_kA_m": (
        "field",
        (
            "hd",
            "appliedfield",
            "demagfield",
            "demagnetisingfield",
            "demagnetizingfield",
            "appliedhd",
        ),
    ),
    "cold_temp_C": (
        "temp",
        (
            "coldtemp",
            "coldtemperature",
            "mintemp",
            "mintemperature",
            "minoperatingtemp",
            "minoperatingtemperature",
            "coldendtemp",
        ),
    ),
}

#: The name each field goes by in messages and documentation.
DISPLAY = {
    "part_id": "part_id",
    "grade": "grade",
    "magnet_mass": "magnet_mass_kg",
    "quantity": "quantity",
    "required_temp_C": "required_temp_C",
    "pc": "pc",
    "hd_kA_m": "hd_kA_m",
    "cold_temp_C": "cold_temp_C",
}

#: unit key (lower case, letters/digits only) -> (scale, offset) to the SI-ish internal unit
UNITS: dict[str, dict[str, tuple[float, float]]] = {
    "mass": {
        "kg": (1.0, 0.0),
        "kgs": (1.0, 0.0),
        "kilogram": (1.0, 0.0),
        "kilograms": (1.0, 0.0),
        "g": (1e-3, 0.0),
        "gram": (1e-3, 0.0),
        "grams": (1e-3, 0.0),
        "gr": (1e-3, 0.0),
        "lb": (KG_PER_LB, 0.0),
        "lbs": (KG_PER_LB, 0.0),
    },
    # degF -> degC: (F - 32) * 5/9 = F * 5/9 - 160/9
    "temp": {
        "c": (1.0, 0.0),
        "degc": (1.0, 0.0),
        "celsius": (1.0, 0.0),
        "degreesc": (1.0, 0.0),
        "f": (5.0 / 9.0, -160.0 / 9.0),
        "degf": (5.0 / 9.0, -160.0 / 9.0),
        "fahrenheit": (5.0 / 9.0, -160.0 / 9.0),
        "degreesf": (5.0 / 9.0, -160.0 / 9.0),
    },
    "field": {"kam": (1.0, 0.0), "koe": (KA_M_PER_KOE, 0.0)},
    "count": {
        "pcs": (1.0, 0.0),
        "pc": (1.0, 0.0),
        "ea": (1.0, 0.0),
        "each": (1.0, 0.0),
        "units": (1.0, 0.0),
    },
}
UNIT_HELP = {
    "mass": "g, kg or lb",
    "temp": "degC or degF",
    "field": "kA/m or kOe",
    "count": "a plain number",
    None: "a plain number",
}
DEFAULT_UNIT = {"mass": "kg", "temp": "degC", "field": "kA/m", "count": "", None: ""}

#: problem codes per field cell
OK, MISSING, NOT_A_NUMBER, BAD_UNIT = 0, 1, 2, 3

_NUM_RE = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_CELL_RE = r"^\s*(?P<num>" + _NUM_RE + r")\s*(?P<unit>[^\d\s].*?)?\s*$"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _unit_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower().replace("°", "deg").replace("º", "deg"))


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


# --------------------------------------------------------------------------- columns


def _field_of(header: str) -> tuple[str | None, str | None]:
    """(canonical field, unit key or None) for a header, or (None, None) when it is no field.

    The unit key is not checked here (:func:`match_columns` rejects unknown units).
    """
    m = re.match(r"^(.*?)\s*[\(\[]([^\)\]]*)[\)\]]\s*$", str(header))
    bracket = None
    base = str(header)
    if m:
        base, bracket = m.group(1), m.group(2)
    key = _key(base)
    if not key:
        return None, None
    for name, (_dim, aliases) in FIELDS.items():  # exact alias first
        if key in aliases:
            return name, (_unit_key(bracket) if bracket is not None else None)
    if bracket is not None:
        return None, None
    # alias + unit suffix, longest alias first: "magnet_mass_kg", "MaxTempF", "hd_kA_m"
    cands = sorted(
        ((a, n) for n, (d, al) in FIELDS.items() if d and d != "count" for a in al),
        key=lambda t: -len(t[0]),
    )
    for alias, name in cands:
        if key.startswith(alias) and len(key) > len(alias):
            rest = key[len(alias) :]
            dim = FIELDS[name][0]
            if rest in UNITS[dim] or len(rest) <= 4:
                return name, rest
    return None, None


@dataclass
class NumericField:
    """One numeric BOM field parsed to the internal unit.

    values : float64, NaN where missing or unparsable
    problem : int8 per row, OK / MISSING / NOT_A_NUMBER / BAD_UNIT
    text : the raw cells as text (for messages), or None when the column was numeric
    """

    values: np.ndarray
    problem: np.ndarray
    text: pa.Array | None


@dataclass
class BomColumns:
    """Canonical view of a BOM: which input column feeds which field, and the parsed values.

    ``source[field]`` is the original header (or None when the column is absent);
    ``grade`` is the grade text per row (stripped, None where empty); numeric fields are
    :class:`NumericField` in kg (magnet_mass, per unit), pieces (quantity), degC
    (required_temp_C, cold_temp_C), kA/m (hd_kA_m) and dimensionless (pc).
    """

    source: dict[str, str | None]
    grade: pa.Array
    numeric: dict[str, NumericField]
    warnings: list[str]
    decimal_comma: bool = False


def _alias_rank(header: str, name: str) -> int:
    """Position of the header's alias in the field's alias list (lower = more specific)."""
    m = re.match(r"^(.*?)\s*[\(\[]([^\)\]]*)[\)\]]\s*$", str(header))
    key = _key(m.group(1) if m else header)
    aliases = FIELDS[name][1]
    for k, a in enumerate(aliases):
        if key == a or key.startswith(a):
            return k
    return len(aliases)


def match_columns(
    headers: list[str], path: str
) -> tuple[dict[str, int], dict[str, str | None], list[str]]:
    """Map canonical fields to column positions; header units per field; warnings.

    Raises InputError for an unknown unit in a header or two columns claiming one field.
    """
    found: dict[str, int] = {}
    units: dict[str, str | None] = {}
    warnings: list[str] = []
    for i, h in enumerate(headers):
        name, unit = _field_of(h)
        if name is None:
            continue
        dim = FIELDS[name][0]
        if unit is not None and unit != "":
            allowed = UNITS.get(dim, {}) if dim else {}
            if unit not in allowed:
                raise InputError(
                    f"{path}: column {h!r}: unknown unit {unit!r} for {DISPLAY[name]}; expected "
                    f"{UNIT_HELP[dim]} (e.g. rename the column to '{DISPLAY[name]}')"
                )
        if name in found:
            prev = headers[found[name]]
            r_prev, r_new = _alias_rank(prev, name), _alias_rank(h, name)
            if r_prev == r_new:
                raise InputError(
                    f"{path}: columns {prev!r} and {h!r} both read as {DISPLAY[name]}; "
                    "rename or remove one of them"
                )
            # a weaker alias (e.g. 'Material' beside 'Grade') stays an ordinary column
            keep, drop = (prev, h) if r_prev < r_new else (h, prev)
            warnings.append(
                f"{path}: column {drop!r} could also be {DISPLAY[name]}; using {keep!r} and keeping "
                f"{drop!r} as an ordinary column"
            )
            if keep == prev:
                continue
        found[name] = i
        units[name] = unit or None
    if "magnet_mass" in found and units.get("magnet_mass") is None:
        warnings.append(
            f"{path}: column {headers[found['magnet_mass']]!r} gives no unit; read as kg per unit "
            "(name it e.g. 'magnet_mass_g' or 'Mass (g)' if it is grams)"
        )
    return found, units, warnings


def _as_text(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_dictionary(arr.type):
        return arr.cast(pa.string())
    return pc.cast(arr, pa.string())


def parse_numeric(
    arr, dim: str | None, header_unit: str | None, decimal_comma: bool
) -> NumericField:
    """Parse one column of numbers with optional units in the cells.

    Numeric Arrow columns pass straight through (scaled by the header unit). Text columns
    take a fast cast; only when that fails are cells split into number and unit by a
    vectorised regular expression, and units mapped once per distinct unit.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    scale, offset = (1.0, 0.0)
    if header_unit:
        scale, offset = UNITS[dim][header_unit]
    if (
        pa.types.is_integer(arr.type)
        or pa.types.is_floating(arr.type)
        or pa.types.is_decimal(arr.type)
    ):
        vals = (
            pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
        )
        missing = np.isnan(vals)
        bad = ~missing & ~np.isfinite(vals)
        vals[bad] = np.nan
        if scale != 1.0 or offset != 0.0:
            vals = vals * scale + offset
        problem = np.where(missing, MISSING, np.where(bad, NOT_A_NUMBER, OK)).astype(np.int8)
        return NumericField(vals, problem, None)
    text = _as_text(arr)
    # fast path: plain numbers (empty cells are already null)
    try:
        work = pc.replace_substring(text, ",", ".") if decimal_comma else text
        vals = (
            pc.cast(work, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
        )
        missing = pc.is_null(text).to_numpy(zero_copy_only=False)
        cell_unit_ok = None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pc.utf8_trim_whitespace(text)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        missing = pc.is_null(text).to_numpy(zero_copy_only=False)
        vals, cell_unit_ok = _parse_with_units(text, dim, header_unit, decimal_comma)
        scale, offset = 1.0, 0.0  # already applied per cell
    vals[missing] = np.nan
    bad_num = ~missing & ~np.isfinite(vals)
    if cell_unit_ok is not None:
        bad_unit = ~missing & ~cell_unit_ok
        bad_num &= ~bad_unit
    else:
        bad_unit = np.zeros(n, dtype=bool)
    vals[bad_num | bad_unit] = np.nan
    if scale != 1.0 or offset != 0.0:
        vals = vals * scale + offset
    problem = np.full(n, OK, dtype=np.int8)
    problem[missing] = MISSING
    problem[bad_num] = NOT_A_NUMBER
    problem[bad_unit] = BAD_UNIT
    return NumericField(vals, problem, text)


def _parse_with_units(
    text: pa.Array, dim: str | None, header_unit: str | None, decimal_comma: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Values (converted) and a 'unit understood' mask for cells like '12 g', '302 F', '3,5'."""
    n = len(text)
    m = pc.extract_regex(pc.fill_null(text, ""), _CELL_RE)
    valid = pc.is_valid(m)
    num = pc.if_else(valid, m.field("num"), pa.scalar(None, pa.string()))
    if not decimal_comma:
        # "1,5" is only a number in a ';' file; elsewhere a comma is ambiguous (1,500?)
        num = pc.if_else(pc.match_substring(num, ","), pa.scalar(None, pa.string()), num)
    num = pc.replace_substring(num, ",", ".")
    vals = pc.cast(num, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
    matched = valid.to_numpy(zero_copy_only=False)
    vals[~matched] = np.nan
    unit = m.field("unit")
    unit = pc.if_else(pc.and_(valid, pc.not_equal(unit, "")), unit, pa.scalar(None, pa.string()))
    enc = (
        pc.dictionary_encode(unit).combine_chunks()
        if isinstance(unit, pa.ChunkedArray)
        else pc.dictionary_encode(unit)
    )
    dictionary = enc.dictionary.to_pylist()
    idx = enc.indices.to_numpy(zero_copy_only=False)
    has_unit = pc.is_valid(enc.indices).to_numpy(zero_copy_only=False)
    table = UNITS.get(dim, {}) if dim else {}
    default = table.get(header_unit, (1.0, 0.0)) if header_unit else (1.0, 0.0)
    # one lookup per distinct unit text, then broadcast
    d_scale = np.array(
        [table.get(_unit_key(u), (np.nan, np.nan))[0] for u in dictionary] or [np.nan]
    )
    d_off = np.array([table.get(_unit_key(u), (np.nan, np.nan))[1] for u in dictionary] or [np.nan])
    safe_idx = np.where(has_unit, idx if idx.dtype != object else 0, 0).astype(np.int64)
    scale = np.where(has_unit, d_scale[safe_idx], default[0])
    offset = np.where(has_unit, d_off[safe_idx], default[1])
    unit_ok = ~(has_unit & np.isnan(scale))
    with np.errstate(invalid="ignore"):
        out = vals * np.where(unit_ok, scale, 1.0) + np.where(unit_ok, offset, 0.0)
    del n
    return out, unit_ok


def normalise(raw: RawBom) -> BomColumns:
    """Match columns and parse every field (see :class:`BomColumns`)."""
    found, units, warnings = match_columns(raw.headers, raw.path)
    if not found:
        shown = ", ".join(repr(h) for h in raw.headers[:6]) + (
            " ..." if len(raw.headers) > 6 else ""
        )
        raise UnreadableFileError(
            f"cannot read BOM {raw.path}: it does not look like a BOM table: none of the header cells ({shown}) "
            "is a BOM column; expected a header such as 'part_id,grade,magnet_mass_kg,quantity,required_temp_C'"
        )
    if "grade" not in found:
        raise UnreadableFileError(
            f"cannot read BOM {raw.path}: no grade column among {', '.join(repr(h) for h in raw.headers[:12])}"
            f"{' ...' if len(raw.headers) > 12 else ''}; add a column 'grade' holding library grade ids "
            "(aliases: Grade, Material, Magnet grade)"
        )
    n = raw.table.num_rows
    g = raw.table.column(found["grade"])
    g = g.combine_chunks() if isinstance(g, pa.ChunkedArray) else g
    g = pc.utf8_trim_whitespace(_as_text(g))
    grade = pc.if_else(pc.equal(g, ""), pa.scalar(None, pa.string()), g)
    numeric: dict[str, NumericField] = {}
    for name in ("magnet_mass", "quantity", "required_temp_C", "pc", "hd_kA_m", "cold_temp_C"):
        if name in found:
            numeric[name] = parse_numeric(
                raw.table.column(found[name]), FIELDS[name][0], units.get(name), raw.decimal_comma
            )
        else:
            numeric[name] = NumericField(np.full(n, np.nan), np.full(n, MISSING, np.int8), None)
    source = {name: (raw.headers[found[name]] if name in found else None) for name in FIELDS}
    return BomColumns(source, grade, numeric, raw.warnings + warnings, raw.decimal_comma)
