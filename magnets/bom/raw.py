"""The cells of a BOM as read (:class:`RawBom`), and what every reader shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from magnets.errors import UnreadableFileError


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


#: Integers beyond 2**53 lose digits as float64: such a column is read as text (ids).
EXACT_INT = 2**53


def _plain_column(col: pa.Array) -> pa.Array:
    """A column the readers downstream handle: view and large strings as plain strings,
    integers too big for a float64 (a 20-digit id) as their exact text."""
    t = col.type
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return col.cast(pa.string())
    if pa.types.is_integer(t):
        import pyarrow.compute as pc

        lo, hi = pc.min_max(col).values()
        if lo.is_valid and (abs(int(lo.as_py())) > EXACT_INT or abs(int(hi.as_py())) > EXACT_INT):
            return col.cast(pa.string())
    return col


def plain_types(table: pa.Table) -> pa.Table:
    """:func:`_plain_column` on every column (a vectorised pass, once per column)."""
    cols = [_plain_column(c.combine_chunks()) for c in table.columns]
    return pa.table(cols, names=table.column_names)


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
