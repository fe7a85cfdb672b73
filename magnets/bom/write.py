"""Writing an evaluated BOM: CSV, JSON (array of records), Parquet or XLSX.

With a path the file is written atomically (:func:`magnets.io.write_atomic`); without one,
CSV or JSON go to a byte stream (stdout by default). CSV and XLSX text cells go through the
one spreadsheet-safety rule, :func:`magnets.io.spreadsheet_safe`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from magnets.bom.result import BomResult, Progress
from magnets.errors import InputError
from magnets.io import (
    FORMAT_BY_EXTENSION,
    FORMATS,
    check_xlsx_cells,
    json_escape_controls,
    spreadsheet_safe,
    write_atomic,
)
from magnets.outputs import is_special

CSV_SLICE_ROWS = 125_000

Target = str | os.PathLike[str] | IO[bytes]


def format_for(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    """The output format: ``fmt`` when given, else from the extension of ``path`` (csv
    without a path). Raises InputError for an unknown format or extension."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InputError(
                f"expected --format among {', '.join(FORMATS)}, instead received {fmt!r}"
            )
        return fmt
    if path is None or is_special(path):  # stdout, "-", a device or FIFO: csv unless told
        return "csv"
    found = FORMAT_BY_EXTENSION.get(Path(path).suffix.lower().lstrip("."))
    if found is None:
        raise InputError(
            f"cannot tell the output format from {str(path)!r}; end it in .csv, .json, "
            ".parquet or .xlsx, or give --format"
        )
    return found


def write_result(
    result: BomResult,
    path: str | os.PathLike[str] | None,
    fmt: str,
    *,
    stream: IO[bytes] | None = None,
    progress: Progress | None = None,
) -> list[str]:
    """Write the output table as CSV, JSON (array of records), Parquet or XLSX; returns
    notes for the user (an XLSX table longer than a sheet continues on further sheets).

    With a path the file is written atomically (temporary file, then rename); without one,
    CSV or JSON go to ``stream`` (stdout's bytes by default). CSV and XLSX text cells are
    made spreadsheet-safe.
    """
    tick: Progress = progress or (lambda stage, frac: None)
    table = result.arrow
    if fmt in ("parquet", "xlsx") and path is None:
        raise InputError(
            f"--format {fmt} writes a binary file: give an output path with -o FILE.{fmt}"
        )
    if fmt == "xlsx":
        check_xlsx_cells(table)
    notes: list[str] = []

    def write(target: Target) -> None:
        if fmt == "csv":
            _write_csv(table, target, tick)
        elif fmt == "json":
            _write_json(result, target)
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, str(target))
        else:
            from magnets.bom.xlsx import write_xlsx

            notes[:] = write_xlsx(table, target)

    if path is None:
        out = stream if stream is not None else sys.stdout.buffer
        write(out)
        out.flush()
    else:
        write_atomic(path, write, binary=fmt in ("parquet", "xlsx"))
    tick("done", 1.0)
    return notes


def _write_csv(table: pa.Table, target: Target, tick: Progress) -> None:
    """CSV through pyarrow's writer. Large tables are cut into slices encoded in parallel
    threads (the encoder releases the GIL), then written in order: one pass, same bytes."""
    from concurrent.futures import ThreadPoolExecutor

    safe = spreadsheet_safe(table)
    n = safe.num_rows
    starts = list(range(0, n, CSV_SLICE_ROWS)) or [0]

    def encode(i: int) -> pa.Buffer:
        return _encode_csv(safe.slice(starts[i], CSV_SLICE_ROWS), include_header=(i == 0))

    own = isinstance(target, (str, os.PathLike))
    # a file we open (closed below), or the caller's stream
    out: Any = open(target, "wb") if isinstance(target, (str, os.PathLike)) else target  # noqa: SIM115
    try:
        workers = min(len(starts), os.cpu_count() or 1, 4)
        with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
            for k, buf in enumerate(pool.map(encode, range(len(starts)))):  # in order
                out.write(memoryview(buf))
                tick("writing", 0.85 + 0.15 * (k + 1) / len(starts))
    finally:
        if own:
            out.close()


def _encode_csv(safe: pa.Table, include_header: bool) -> pa.Buffer:
    import pyarrow.csv as pacsv

    sink = pa.BufferOutputStream()
    opts = pacsv.WriteOptions(quoting_style="needed", include_header=include_header)
    pacsv.write_csv(safe, sink, write_options=opts)
    return sink.getvalue()


def csv_part(table: pa.Table, include_header: bool) -> pa.Buffer:
    """The CSV bytes of one part of an output table, as :func:`write_result` writes them
    (spreadsheet-safe; the header only when asked): parts written one after another, the
    first with its header, are the bytes of the whole table."""
    return _encode_csv(spreadsheet_safe(table), include_header)


def _write_json(result: BomResult, target: Target) -> None:
    frame = result.table
    text = frame.to_json(orient="records", double_precision=10, force_ascii=False)
    data = (json_escape_controls(text) + "\n").encode("utf-8")
    if isinstance(target, (str, os.PathLike)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
