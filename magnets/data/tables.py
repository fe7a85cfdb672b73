"""Reading commented CSV files into text tables, and coercing their cells to numbers or text.

A library file is CSV with ``#`` comment lines at the top (the header documents each column).
:func:`read_commented_csv` keeps each record's real file line so that every problem can name
it; :func:`numeric` and :func:`text` turn columns into float64 or stripped text, reporting
each cell that is not a number as a :class:`~magnets.errors.Problem` (never raising).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from magnets.errors import Problem


@dataclass
class RawTable:
    """A CSV table read with its file lines: ``frame`` has a ``_line`` column."""

    path: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


#: Longest library cell read (Python's csv default); a longer one is a problem on its line.
MAX_CELL_CHARS = 131_072


def _close_open_quote(text: str, path: str) -> tuple[str, list[Problem]]:
    """Quotes pair up in order; with an odd count the last one never closes and would swallow
    every later line into one cell. It is removed (so the lines after it are read on their
    own) and reported on the line where it opens."""
    if text.count('"') % 2 == 0:
        return text, []
    at = text.rindex('"')
    line = text.count("\n", 0, at) + 1
    problem = Problem(
        path,
        line,
        None,
        'a double quote (") opens on this line and is never closed; close it (or write it '
        'twice, "", inside a quoted value); the lines after it were read on their own',
    )
    return text[:at] + text[at + 1 :], [problem]


def _records(text: str, path: str, problems: list[Problem]):
    """(first line, record) of every CSV record; a record the csv module refuses (a cell over
    :data:`MAX_CELL_CHARS`) becomes a problem on its line and reading goes on."""
    reader = csv.reader(io.StringIO(text))
    start = 1
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(
                Problem(
                    path,
                    start,
                    None,
                    f"cannot read this record ({exc}); a library cell holds at most "
                    f"{MAX_CELL_CHARS:,} characters: shorten it",
                )
            )
            start = reader.line_num + 1
            continue
        yield start, rec
        start = reader.line_num + 1


def read_commented_csv(text: str, path: str) -> RawTable:
    """Parse CSV text whose leading ``#`` lines are comments, keeping each record's file line.

    Comment lines are blanked rather than dropped so that the csv module's line counter
    stays equal to the file's line numbers (quoted fields may span lines). A quote left open
    and an over-long cell are problems on their line; the other lines are still read.
    """
    lines = text.splitlines(keepends=True)
    cleaned = ["\n" if ln.lstrip().startswith("#") else ln for ln in lines]
    body, problems = _close_open_quote("".join(cleaned), path)
    header: list[str] | None = None
    rows: list[list[str]] = []
    line_nos: list[int] = []
    for start, rec in _records(body, path, problems):
        if not rec or all(not c.strip() for c in rec):
            continue
        if header is None:
            header = [h.strip() for h in rec]
            continue
        if len(rec) != len(header):
            problems.append(
                Problem(
                    path,
                    start,
                    None,
                    f"expected {len(header)} fields as in the header, instead received {len(rec)}; "
                    "quote cells that contain commas",
                )
            )
            rec = (rec + [""] * len(header))[: len(header)]
        rows.append([c.strip() for c in rec])
        line_nos.append(start)
    if header is None:
        return RawTable(
            path,
            pd.DataFrame({"_line": pd.Series([], dtype="int64")}),
            [Problem(path, None, None, "no header row found")],
        )
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        problems.append(
            Problem(path, None, ", ".join(dup), "column appears more than once in the header")
        )
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame(columns=header, dtype=object)
    )
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame["_line"] = np.asarray(line_nos, dtype="int64")
    frame["_file"] = path
    return RawTable(path, frame, problems)


def read_path(path: Path, label: str) -> RawTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return RawTable(
            label,
            pd.DataFrame({"_line": pd.Series([], dtype="int64")}),
            [Problem(label, None, None, "file is not UTF-8 text; save it as UTF-8 CSV")],
        )
    except OSError as exc:
        return RawTable(
            label,
            pd.DataFrame({"_line": pd.Series([], dtype="int64")}),
            [Problem(label, None, None, f"cannot read file: {exc.strerror or exc}")],
        )
    return read_commented_csv(text, label)


def _to_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def numeric(raw: RawTable, columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert text columns to float64, reporting each cell that is not a number.

    The library is small (hundreds of cells per column), so plain Python per cell is
    faster here than pandas' per-column machinery.
    """
    frame = raw.frame.copy()
    problems: list[Problem] = []
    lines = frame["_line"].tolist()
    for col in columns:
        if col not in frame.columns:
            frame[col] = np.nan
            continue
        values = []
        for line, cell in zip(lines, frame[col].tolist()):
            text = "" if cell is None or cell != cell else str(cell).strip()
            if text == "":
                values.append(np.nan)
                continue
            number = _to_float(text)
            if number is None:
                problems.append(
                    Problem(
                        raw.path, int(line), col, f"expected a number, instead received {text!r}"
                    )
                )
                number = np.nan
            values.append(number)
        frame[col] = np.asarray(values, dtype="float64")
    return frame, problems


def text_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for col in columns:
        if col not in frame.columns:
            frame[col] = ""
            continue
        frame[col] = np.asarray(
            ["" if c is None or c != c else str(c).strip() for c in frame[col].tolist()],
            dtype=object,
        )
    return frame


def empty_table(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    frame["_line"] = pd.Series([], dtype="int64")
    frame["_file"] = pd.Series([], dtype=object)
    frame["_layer"] = pd.Series([], dtype="int64")
    return frame


def missing_columns(raw: RawTable, required: list[str]) -> list[Problem]:
    missing = [c for c in required if c not in raw.frame.columns]
    return [
        Problem(raw.path, None, c, "required column is missing from the header") for c in missing
    ]
