"""`magnets bom --engine dask`: the in-process evaluation, partition by partition, on a
Dask cluster (:func:`evaluate_bom_dask`).

1. **Partitions** (:mod:`magnets.bom.partitions`): Parquet along its row groups, read by
   the workers; anything else read whole by the in-process reader, then cut. Every
   partition keeps the source line of each record.
2. **Evaluation.** Each partition is evaluated by :func:`magnets.bom.evaluate.evaluate_bom`,
   the function of the in-process path. The library is sent once to every worker, with
   what is fitted to it (the calibrated condition), so no worker fits it again.
3. **Output.** Parquet: a folder of ``part-NNNNNN.parquet`` files in row order, written by
   the workers into a temporary folder beside the target, renamed into place at the end.
   CSV: one file (or stdout); each partition's spreadsheet-safe bytes, the header in the
   first, are written in order through the atomic writer, so the file is the in-process
   file byte for byte. At most IN_FLIGHT_PER_THREAD partitions per worker thread are in
   flight: memory is bounded by the partition size, not by the input.
4. **Summary.** The partitions' summaries, merged (:func:`magnets.bom.summary.merge_summaries`).

Not dask.dataframe's own read_parquet/to_parquet: their partitions go through pandas, where
a nullable integer becomes a float and text loses its Arrow type, and the output would no
longer equal the in-process output row for row.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from magnets.bom.partitions import PARTITION_ROWS, ParquetPart, plan_parts
from magnets.bom.read import RawBom
from magnets.bom.result import BomSummary, Progress
from magnets.bom.summary import merge_summaries
from magnets.errors import InputError

#: Partitions in flight per worker thread (one running, one queued).
IN_FLIGHT_PER_THREAD = 2
#: Output formats of the Dask engine.
DASK_FORMATS = ("csv", "parquet")
#: The file name of partition i in a Parquet output folder (row order = name order).
PART_NAME = "part-{:06d}.parquet"
_PART_RE = re.compile(r"part-\d{6}\.parquet")


@dataclass(frozen=True)
class Options:
    """What every partition is evaluated with (as :func:`evaluate_bom` takes it)."""

    date: dt.date
    rank_by: str = "dy_tb"
    suggest: bool = True
    bands: bool = False


@dataclass
class PartOut:
    """What a worker sends back: the partition's summary and warnings, and its CSV bytes
    (None for Parquet output, which the worker wrote itself)."""

    index: int
    summary: BomSummary
    warnings: list[str]
    csv: bytes | None = None


@dataclass
class DaskBomResult:
    """The merged summary, the warnings (each once), and the number of partitions."""

    summary: BomSummary
    warnings: list[str] = field(default_factory=list)
    partitions: int = 0


def dask_format(path: str | None, fmt: str | None) -> str:
    """'csv' or 'parquet' for ``--engine dask``: ``fmt`` when given; else csv for stdout or
    a ``.csv`` path, parquet (a folder) for a ``.parquet``/``.pq`` path, an existing
    folder or a name without extension."""
    if fmt is None and path is not None and str(path) != "-":
        p = Path(path)
        ext = p.suffix.lower()
        if ext == ".csv":
            fmt = "csv"
        elif p.is_dir() or ext in (".parquet", ".pq", ""):
            fmt = "parquet"
        else:
            fmt = ext.lstrip(".")
    fmt = (fmt or "csv").lower()
    if fmt not in DASK_FORMATS:
        raise InputError(
            f"--engine dask writes csv (one file) or parquet (a folder of parts), not {fmt}; "
            "use --engine inprocess for json or xlsx"
        )
    if fmt == "parquet" and (path is None or str(path) == "-"):
        raise InputError("--engine dask writes Parquet as a folder: give it with -o FOLDER")
    return fmt


def evaluate_part(
    index: int,
    part: ParquetPart | RawBom,
    lib: Any,
    opts: Options,
    folder: str | None,
) -> PartOut:
    """Evaluate one partition (on a worker): write it into ``folder`` as Parquet, or
    return its CSV bytes when ``folder`` is None (the header in partition 0 only)."""
    from magnets.bom.evaluate import evaluate_bom

    raw = part.load() if isinstance(part, ParquetPart) else part
    r = evaluate_bom(
        raw, lib, date=opts.date, rank_by=opts.rank_by, suggest=opts.suggest, bands=opts.bands
    )
    out = PartOut(index, r.summary, list(r.warnings))
    if folder is not None:
        import pyarrow.parquet as pq

        pq.write_table(r.arrow, os.path.join(folder, PART_NAME.format(index)))
    else:
        from magnets.bom.write import csv_part

        out.csv = csv_part(r.arrow, include_header=index == 0).to_pybytes()
    return out


def _in_order(
    client: Any, parts: list[Any], lib: Any, opts: Options, folder: str | None
) -> Iterator[PartOut]:
    """Every partition's PartOut in row order, with a bounded number in flight."""
    window = IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))
    lib_f = client.scatter(lib, broadcast=True, hash=False)

    def submit(i: int) -> Any:
        part = parts[i]
        if isinstance(part, RawBom):  # data of the driver's: sent straight to a worker
            part = client.scatter(part, hash=False)
        return client.submit(evaluate_part, i, part, lib_f, opts, folder, pure=False)

    pending: deque[Any] = deque(submit(i) for i in range(min(window, len(parts))))
    nxt = len(pending)
    try:
        while pending:
            fut = pending.popleft()
            out = fut.result()
            fut.release()
            if nxt < len(parts):
                pending.append(submit(nxt))
                nxt += 1
            yield out
    finally:
        if pending:
            client.cancel(list(pending))


def _check_folder(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(
            f"-o {target} is a file; --engine dask writes Parquet as a folder of parts: "
            "give a folder name (it is created)"
        )
    if target.is_dir() and any(not _PART_RE.fullmatch(f.name) for f in target.iterdir()):
        raise InputError(
            f"-o {target} is a folder holding other files; give a new or empty folder, or "
            "one that holds only the part-NNNNNN.parquet files of an earlier run"
        )
    parent = target.absolute().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write -o {target}: {parent} is not a writable folder")


def _write_folder(target: Path, fill: Callable[[str], None]) -> None:
    """``fill(tmp)`` writes the parts into a new folder beside ``target``, which then takes
    the place of ``target`` (an earlier run's folder is replaced, removed last)."""
    from magnets.outputs import _sigterm_raises, _umask

    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.absolute().parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        with _sigterm_raises():  # SIGTERM: the temporary folder is removed on the way out
            fill(str(tmp))
        old = None
        if target.exists():
            old = tmp.with_name(tmp.name + ".old")
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def evaluate_bom_dask(
    src: str | os.PathLike[str],
    lib: Any,
    client: Any,
    output: str | os.PathLike[str] | None,
    fmt: str,
    *,
    date: dt.date | None = None,
    rank_by: str = "dy_tb",
    suggest: bool = True,
    bands: bool = False,
    sheet: str | None = None,
    partition_rows: int = PARTITION_ROWS,
    progress: Progress | None = None,
    stream: IO[bytes] | None = None,
) -> DaskBomResult:
    """Evaluate the BOM ``src`` on the Dask ``client`` and write it to ``output``.

    ``fmt`` 'parquet': ``output`` is a folder of part files; 'csv': one file, or
    ``stream`` (stdout's bytes by default) when ``output`` is None. The options are those
    of :func:`magnets.bom.evaluate.evaluate_bom`; ``partition_rows`` bounds the records
    of one partition. Returns the merged summary and the warnings, each once.
    """
    from magnets.bom.evaluate import _check_rank_by, evaluate_bom

    _check_rank_by(rank_by)
    if partition_rows < 1:
        raise InputError(f"--partition-rows must be 1 or more, instead received {partition_rows}")
    opts = Options(date or dt.date.today(), rank_by, suggest, bands)
    tick: Progress = progress or (lambda stage, frac: None)
    if fmt == "parquet":
        if output is None:
            raise InputError("--engine dask writes Parquet as a folder: give it with -o FOLDER")
        _check_folder(Path(output))
    tick("reading", 0.0)
    parts, empty = plan_parts(src, sheet, partition_rows)
    # the header checked before any work is sent; the library's fits made here, once
    first = evaluate_bom(empty, lib, date=opts.date, rank_by=rank_by, suggest=suggest)
    summaries: list[BomSummary] = []
    warnings = list(first.warnings)

    def consume(folder: str | None, write: Callable[[bytes], Any] | None = None) -> None:
        for out in _in_order(client, parts, lib, opts, folder):
            if write is not None and out.csv:
                write(out.csv)
            summaries.append(out.summary)
            warnings.extend(out.warnings)
            tick("evaluating", 0.05 + 0.95 * len(summaries) / len(parts))

    if fmt == "parquet":
        assert output is not None
        _write_folder(Path(output), consume)
    elif output is None:
        out_stream = stream if stream is not None else sys.stdout.buffer
        consume(None, out_stream.write)
        out_stream.flush()
    else:
        from magnets.io import write_atomic

        def write(target: Any) -> None:
            with open(target, "wb") as fh:
                consume(None, fh.write)

        write_atomic(output, write)
    tick("done", 1.0)
    return DaskBomResult(merge_summaries(summaries), list(dict.fromkeys(warnings)), len(parts))
