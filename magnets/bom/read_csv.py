"""CSV bills of materials into a :class:`~magnets.bom.raw.RawBom`.

pyarrow's parser reads the body on several cores, every cell as text; the source line of each
record is found with numpy on the bytes (quoted newlines counted). Files the fast parser
rejects (ragged rows, stray quotes, old Mac line ends) go through Python's csv module, which
keeps every record and flags the odd ones.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from magnets.bom.columns import _field_of
from magnets.bom.raw import RawBom, _unique_headers, _unreadable

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
    """(header start, header end (after its newline), its 1-based line, lines skipped).

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


@dataclass
class _Csv:
    """A CSV file between its header and its body."""

    path: str
    data: bytes
    headers: list[str]
    delim: str
    warnings: list[str]
    hend: int  # byte offset of the body
    body_line: int  # file line of the first byte after the header

    @property
    def names(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.headers))]

    def careful(self) -> RawBom:
        return _read_csv_careful(
            self.data, self.path, self.headers, self.delim, self.warnings, self.hend, self.body_line
        )

    def raw(self, table: pa.Table, lines: np.ndarray) -> RawBom:
        return RawBom(
            self.path, "csv", self.headers, table, lines, None, self.delim == ";", self.warnings
        )


def _load_bytes(p: Path, path: str, data: bytes | None = None) -> bytes:
    if data is None:
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise _unreadable(
                path, f"{exc.strerror or exc}; check the file's permissions"
            ) from None
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
    return data


def _header(data: bytes, path: str) -> _Csv:
    warnings: list[str] = []
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
    return _Csv(path, data, _unique_headers(header), delim, warnings, hend, hline + extra + 1)


def unclosed_quote(buf: bytes) -> int | None:
    """Byte offset of the double quote left open at the end of ``buf``, else None.

    Quotes pair up in order (a doubled quote inside a quoted value is a closing and an
    opening one), so with an odd count the last quote is the one that never closes.
    """
    quotes = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 34)
    return int(quotes[-1]) if quotes.size % 2 else None


def _close_quote(f: _Csv) -> tuple[bytes, int | None]:
    """The body with an unclosed quote removed (so the lines after it are read on their own),
    and the file line where that quote opens (None when every quote closes)."""
    body = f.data[f.hend :]
    at = unclosed_quote(body)
    if at is None:
        return body, None
    body = body[:at] + body[at + 1 :]
    f.data = f.data[: f.hend] + body
    return body, f.body_line + body.count(b"\n", 0, at)


#: The row message of the line where a quote opens and never closes.
UNCLOSED_QUOTE = (
    'a double quote (") opens on this line and is never closed, which would make the rest '
    'of the file one cell; close it (or write it twice, "", inside a quoted value); the '
    "lines after it were read on their own"
)


def _mark_line(raw: RawBom, line: int, message: str) -> RawBom:
    """Put ``message`` first in the row problem of the record that starts on ``line``."""
    hit = np.flatnonzero(raw.line == line)
    if hit.size == 0:
        raw.warnings.append(f"{raw.path}:{line}: {message}")
        return raw
    problems = (
        raw.row_problem.copy()
        if raw.row_problem is not None
        else np.full(raw.table.num_rows, None, dtype=object)
    )
    old = problems[hit[0]]
    problems[hit[0]] = message if old is None else f"{message}; {old}"
    raw.row_problem = problems
    return raw


def read_csv(p: Path, path: str, data: bytes | None = None) -> RawBom:
    """Read a CSV BOM (any of , ; tab | as delimiter; UTF-8, else Latin-1 with a warning).

    ``data``: the file's bytes when already read (a pipe or stdin can be read only once).
    """
    f = _header(_load_bytes(p, path, data), path)
    body, open_line = _close_quote(f)
    if re.search(rb"[^\r\n]", body) is None:
        table = pa.table({n: pa.array([], pa.string()) for n in f.names})
        return f.raw(table, np.zeros(0, np.int64))
    has_cr = b"\r" in body
    if has_cr and body.count(b"\r") != body.count(b"\r\n"):  # old Mac line ends
        raw = f.careful()
    else:
        raw = _read_body(f, body, has_cr)
    return raw if open_line is None else _mark_line(raw, open_line, UNCLOSED_QUOTE)


def _parse(buf: bytes, names: list[str], delim: str, multiline: bool) -> pa.Table:
    import pyarrow.csv as pacsv

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


def _trailing(body: bytes) -> int:
    """Length of the final newline(s) (looked for in the last 256 bytes)."""
    tail = body[-256:]
    return len(tail) - len(tail.rstrip(b"\r\n"))


def _read_body(f: _Csv, body: bytes, has_cr: bool) -> RawBom:
    """Fast path: parse assuming no newline inside a quoted value (pyarrow can then split the
    work across cores), and check that every non-blank body line became one record."""
    names = f.names
    trailing = _trailing(body)
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
            table = _parse(body, names, f.delim, multiline)
        except pa.ArrowInvalid as exc:
            if "utf8" in str(exc).lower() and not transcoded:
                transcoded = True
                f.data = _latin1(f.data, f.path, f.warnings, "in the body")
                f.hend = _header_span(f.data)[1]
                body = f.data[f.hend :]
                trailing = _trailing(body)
                continue
            # a record with the wrong number of fields, or a newline inside quotes across a
            # block boundary: the careful path keeps every record and flags the odd ones
            if b'"' in body and not multiline:
                multiline = True
                continue
            return f.careful()
        break
    else:
        return f.careful()
    if (
        not blank_lines
        and not multiline
        and body.count(b"\n", 0, len(body) - trailing) + 1 == table.num_rows
    ):
        return f.raw(table, np.arange(f.body_line, f.body_line + table.num_rows, dtype=np.int64))
    # blank lines or quoted newlines: find each record's first line exactly
    if not multiline and b'"' in body:
        table = _parse(body, names, f.delim, True)
    _starts, lines = _record_starts(np.frombuffer(body, dtype=np.uint8))
    lines = lines + (f.body_line - 1)
    if lines.size != table.num_rows:
        return f.careful()
    return f.raw(table, lines)


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
                    f"line has {n} fields but the header has {ncol}; check for a stray "
                    f"'{delim}' or an unquoted value containing '{delim}'"
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
