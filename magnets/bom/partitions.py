"""A bill of materials cut into partitions, for the Dask engine (:mod:`magnets.bom.dask_engine`).

A Parquet file is cut along its row groups (a big row group into slices) and every worker
reads its own records (:class:`ParquetPart`): the driver reads only the metadata, and the
integer columns once, to type them the same way in every partition. Any other input (CSV,
XLSX, stdin) is read whole by the in-process reader first, because Dask's byte-range
splitting of a CSV breaks quoted newlines, comment lines and line numbers; its records are
then cut into :class:`~magnets.bom.read.RawBom` partitions (:func:`split_raw`). Either way
each partition keeps the source line of every record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from magnets.bom.read import RawBom, parquet_raw, read_raw

#: Records per partition (``magnets bom --partition-rows``): about 1 GB peak in a worker.
PARTITION_ROWS = 500_000


@dataclass(frozen=True)
class ParquetPart:
    """Records [start, start + length) of row groups ``row_groups`` of a Parquet file; the
    first of them is record ``first_record`` of the file (line first_record + 2)."""

    path: str
    label: str
    row_groups: tuple[int, ...]
    start: int
    length: int
    first_record: int
    as_text: tuple[int, ...] = ()

    def load(self) -> RawBom:
        import pyarrow.parquet as pq

        table = pq.ParquetFile(self.path).read_row_groups(list(self.row_groups))
        table = table.slice(self.start, self.length)
        return parquet_raw(table, self.label, self.first_record + 2, self.as_text)


# ---- partitions


def _copy(table: pa.Table, start: int, length: int) -> pa.Table:
    """Records [start, start + length) in buffers of their own (a slice would pickle
    the whole table's buffers)."""
    return table.take(pa.array(np.arange(start, start + length, dtype=np.int64)))


def split_raw(raw: RawBom, rows: int = PARTITION_ROWS) -> list[RawBom]:
    """``raw`` cut into consecutive partitions of at most ``rows`` records, each with its
    own source lines and row problems (at least one partition, maybe empty)."""
    n = raw.table.num_rows
    parts = []
    for a in range(0, max(n, 1), rows):
        k = min(rows, n - a)
        rp = None if raw.row_problem is None else raw.row_problem[a : a + k]
        parts.append(
            RawBom(
                raw.path,
                raw.kind,
                raw.headers,
                _copy(raw.table, a, k),
                raw.line[a : a + k].copy(),
                rp,
                raw.decimal_comma,
                list(raw.warnings),
            )
        )
    return parts


def _big_int_columns(pf: Any) -> tuple[int, ...]:
    """Integer columns holding a value past 2**53 anywhere in the file (read as text by
    every partition, as the in-process reader reads them)."""
    import pyarrow.compute as pc

    from magnets.bom.raw import EXACT_INT

    schema = pf.schema_arrow
    ints = [i for i, f in enumerate(schema) if pa.types.is_integer(f.type)]
    out = []
    for i in ints:
        col = pf.read(columns=[schema.names[i]]).column(0)
        lo, hi = pc.min_max(col).values()
        if lo.is_valid and max(abs(int(lo.as_py())), abs(int(hi.as_py()))) > EXACT_INT:
            out.append(i)
    return tuple(out)


def parquet_parts(path: str, label: str, rows: int = PARTITION_ROWS) -> list[ParquetPart]:
    """Partitions of a Parquet file from its metadata: consecutive row groups joined up to
    ``rows`` records, a larger row group cut into slices of ``rows``."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    as_text = _big_int_columns(pf)
    sizes = [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)]
    parts: list[ParquetPart] = []
    group: list[int] = []
    count = first = record = 0

    def close() -> None:
        nonlocal group, count
        if group:
            parts.append(ParquetPart(path, label, tuple(group), 0, count, first, as_text))
        group, count = [], 0

    for g, size in enumerate(sizes):
        if size > rows:
            close()
            for a in range(0, size, rows):
                k = min(rows, size - a)
                parts.append(ParquetPart(path, label, (g,), a, k, record + a, as_text))
        else:
            if count + size > rows:
                close()
            if not group:
                first = record
            group.append(g)
            count += size
        record += size
    close()
    if not parts:  # no records: one empty partition, for the header and the summary
        parts.append(ParquetPart(path, label, (), 0, 0, 0, as_text))
    return parts


def plan_parts(
    src: str | os.PathLike[str], sheet: str | None, rows: int = PARTITION_ROWS
) -> tuple[list[ParquetPart] | list[RawBom], RawBom]:
    """The partitions of ``src`` and an empty RawBom of its columns (checked here, before
    any cluster starts: a header problem is one message, as in-process)."""
    p = Path(src)
    from magnets.bom.raw import _unreadable, sniff_kind

    kind = "csv"
    if str(src) != "-" and p.is_file():
        with open(p, "rb") as fh:
            kind = sniff_kind(p, fh.read(8))
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            parts = parquet_parts(str(p), str(src), rows)
            empty = parquet_raw(pq.ParquetFile(p).schema_arrow.empty_table(), str(src))
        except (OSError, pa.ArrowException) as exc:
            raise _unreadable(
                src, f"not a readable Parquet file ({exc}); write it again or export CSV"
            ) from None
        return parts, empty
    raw = read_raw(src, sheet=sheet)
    return split_raw(raw, rows), _empty(raw)


def _empty(raw: RawBom) -> RawBom:
    return RawBom(
        raw.path,
        raw.kind,
        raw.headers,
        raw.table.slice(0, 0),
        raw.line[:0],
        None,
        raw.decimal_comma,
        list(raw.warnings),
    )
