"""`magnets bom`: evaluate a whole bill of materials in one pass."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: magnets.io.FORMATS and magnets.substitution.RANK_BY, written out so that building the
#: parser imports no pandas or pyarrow (tests/test_bom.py checks they are equal).
FORMATS = ("csv", "json", "parquet", "xlsx")
RANK_BY = ("dy_tb", "controlled", "price")

NAME = "bom"
HELP = "evaluate a bill of materials: rating per line, element kg, leaner grades, totals"
DESCRIPTION = """\
Evaluate every line of a bill of materials (CSV, XLSX or Parquet; tens of lines to millions)
against the grade library. For each line: does the specified grade hold at the part's
temperature and load line, how many kg of Nd, Pr, Dy, Tb, Sm, Gd and Co it carries, how
much of that is export-controlled as of --date, and which leaner grade would also do.

Input columns (case, spaces and underscores ignored; units in brackets or as a suffix):
  grade            library id or display name (required column)
  magnet_mass      mass of ONE magnet: magnet_mass_kg, magnet_mass_g, 'Mass (g)', 'Weight [lb]'
  quantity         magnets on the line ('Qty'); default 1
  required_temp_C  the part's maximum operating temperature ('Max Temp (C)', 'max_temp_F');
                   optional: without it only the cold end is checked
  pc               permeance coefficient of the magnet's load line (default: the calibrated
                   reference Pc, printed in the summary)
  hd_kA_m          applied demagnetising field Hd (NI / magnet length), default 0; also kOe.
                   The magnet itself sees Pc/(Pc + mu_rec) of it. A field taken from inside the
                   magnet in an FEA run is |H_op|, not Hd: convert it before using this column.
  cold_temp_C      coldest operating temperature, default -40 degC (ferrite fails cold)
  thickness_mm     magnet thickness along the magnetisation ('Thickness (mm)', 't [mm]', 'Thk',
                   'lm'; also cm, in). Grain-boundary diffusion reaches about 6 mm: a thicker
                   GBD magnet keeps only that share of its diffused HcJ gain, in its rating and
                   its suggestions (as `magnets tradeoff --thickness`). Empty or no column:
                   the magnet is assumed <= 6 mm, and GBD suggestions say so
  part_id          optional; any other column is kept unchanged
Cells may carry units too ('12 g', '302 F'). With ';' as delimiter, decimal commas are read.

Output: every input row once, in order, with `line` (its line in the file), your columns,
then status (ok / below_rating / error), message, t_max_C, margin_C, irreversible_loss_pct, <El>_kg,
controlled_kg and the suggestion columns (see docs/bom.md): each suggestion with its
suggestion_kind (leaner; upgrade, when the specified grade fails and nothing leaner holds:
the family's grade needing the least magnet; none), its composition_basis, its Dy+Tb kg
at the low and high bound of its composition and its thickness assumption, and
suggested_why: why it answers (its rating and what limits it, basis and band, thickness,
export control as of --date; what `substitute --why` prints). A grade whose estimate is
below what its route needs there, by the model `magnets tradeoff` prints, is never
suggested. --bands adds the
specified grade's Dy, Tb and controlled kg at the low and high bound per line; the summary
always gives Dy, Tb, Sm, Gd and controlled totals as low / mid / high. A bad line becomes an
error row with a message saying how to fix it; the rest is still evaluated. A file that cannot be
read at all gives one error line and exit 2, and no output file is created or changed.

Exit codes: 0 evaluated (whatever the statuses); 1 with --strict when any line is not ok;
2 unreadable input or bad usage.

examples:
  magnets bom materials/examples/bom.csv
  magnets bom parts.xlsx --sheet Magnets -o evaluated.xlsx --summary summary.json
  magnets bom parts.csv --rank-by controlled --date 2026-12-01 -o out.parquet
  magnets bom parts.csv --strict > /dev/null   # exit 1 if any line fails
  magnets bom materials/examples/bom.csv --explain-columns
  magnets bom parts.csv --bands -o out.csv      # per-line low/high content columns
  magnets bom parts.csv --engine dask -o evaluated.parquet   # a folder of part files
  magnets bom parts.csv --engine dask --scheduler tcp://10.0.0.5:8786 -o out.csv

--engine dask evaluates the same way, partition by partition, on a Dask cluster (docs/scale.md):
Parquet input is read by the workers along its row groups, other input is read here first.
It writes one CSV (equal to the in-process file) or a folder of Parquet parts.
"""

_COLUMN_HINT = (
    "a BOM gives each line's {what} in a column ({col}), not as an option; "
    "`magnets bom FILE --explain-columns` shows how each column is read"
)
#: A misspelled option that names a per-line field gets a pointer to its column instead.
OPTION_HINTS = {
    key: _COLUMN_HINT.format(what=what, col=col)
    for keys, what, col in [
        (("temp", "tmax", "max_temp", "required"), "maximum temperature", "required_temp_C"),
        (("cold", "tmin", "min_temp"), "coldest temperature", "cold_temp_C"),
        (("qty", "quantity", "count"), "number of magnets", "quantity"),
        (("mass", "weight"), "magnet mass", "magnet_mass_kg"),
        (("pc", "permeance"), "permeance coefficient", "pc"),
        (("hd", "field"), "applied field", "hd_kA_m"),
        (("thick", "lm"), "magnet thickness", "thickness_mm"),
    ]
    for key in keys
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file", metavar="FILE", help="the BOM: .csv (any of , ; tab |), .xlsx or .parquet"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default=None,
        help="write here (atomically); without it CSV or JSON goes to stdout",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: from OUT's extension, else csv)",
    )
    p.add_argument(
        "--sheet", metavar="NAME", default=None, help="XLSX sheet to read (default: the first)"
    )
    p.add_argument(
        "--rank-by",
        choices=RANK_BY,
        default="dy_tb",
        help="what 'leaner' means for suggestions: kg Dy+Tb (default), kg export-controlled, price",
    )
    p.add_argument("--no-suggest", action="store_true", help="leave out the suggestion columns")
    p.add_argument(
        "--bands",
        action="store_true",
        help="add per-line low/high columns (Dy_kg_low ... controlled_kg_high) from the band "
        "of each grade's estimated composition",
    )
    p.add_argument(
        "--summary",
        metavar="SUMMARY.json",
        default=None,
        help="also write the summary as JSON (rows_by_status, totals_kg, suggested_totals_kg, "
        "band_totals_kg, top_savings, library_version, as_of_date, calibration)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any line is not ok")
    from magnets.cli._engine import add_engine_arguments

    add_engine_arguments(p)
    p.add_argument(
        "--partition-rows",
        metavar="N",
        type=int,
        default=500_000,
        help="with --engine dask: records per partition (default 500000, about 1 GB per worker)",
    )
    p.add_argument(
        "--explain-columns",
        action="store_true",
        help="print how each input column is read (field, unit, output name) and stop",
    )


class _Progress:
    """A rich.progress bar on stderr for large inputs on a terminal; a no-op otherwise.

    Called as ``progress(stage, fraction)`` by the evaluation and the writer; rich is
    imported only when the bar is shown.
    """

    def __init__(self, enabled: bool):
        self._bar: Any = None
        self._task: Any = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        self._bar = Progress(
            BarColumn(bar_width=30),
            TaskProgressColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,  # the bar disappears when done; the summary follows
        )
        self._task = self._bar.add_task("reading", total=1.0)
        self._bar.start()

    def __call__(self, stage: str, frac: float) -> None:
        if self._bar is None:
            return
        self._bar.update(self._task, completed=max(0.0, min(1.0, frac)), description=stage)
        if stage == "done":
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


LARGE_INPUT_BYTES = 5_000_000  # about 100,000 lines


def run(args: argparse.Namespace) -> int:
    from magnets.bom.write import format_for
    from magnets.errors import InputError

    src = Path(args.file)
    if args.explain_columns:
        from magnets.bom.explain import explain_columns, format_explanation
        from magnets.outputs import printable

        sys.stdout.write(printable(format_explanation(explain_columns(src, args.sheet))))
        return 0
    from magnets.cli._engine import check_engine_arguments

    check_engine_arguments(args)
    if getattr(args, "engine", "inprocess") == "dask":
        return _run_dask(args, src)
    fmt = format_for(args.output, args.format)
    if args.output is None and fmt in ("parquet", "xlsx"):
        raise InputError(
            f"--format {fmt} writes a binary file: give an output path with -o FILE.{fmt}"
        )
    from magnets.outputs import check_outputs

    check_outputs([("-o", args.output), ("--summary", args.summary)], input_path=src)
    try:
        size = src.stat().st_size
    except OSError:
        size = 0
    bar = _Progress(size >= LARGE_INPUT_BYTES and sys.stderr.isatty())
    try:
        return _evaluate_and_write(args, src, fmt, bar)
    finally:
        bar.close()


def _evaluate_and_write(args: argparse.Namespace, src: Path, fmt: str, bar: _Progress) -> int:
    from magnets.bom.evaluate import evaluate_bom, write_result
    from magnets.cli.support import library_from_args, warn
    from magnets.errors import ExitCode, InputError

    lib = library_from_args(args)
    result = evaluate_bom(
        src,
        lib,
        date=args.date,
        rank_by=args.rank_by,
        suggest=not args.no_suggest,
        sheet=args.sheet,
        progress=bar,
        bands=getattr(args, "bands", False),
    )
    for w in result.warnings:
        warn(w)
    try:
        for note in write_result(result, args.output, fmt, progress=bar):
            warn(note)
        if args.summary:
            from magnets.io import dumps_json, write_atomic

            text = dumps_json(result.summary) + "\n"
            write_atomic(args.summary, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise InputError(
            f"cannot write {'stdout' if args.output is None else args.output}: "
            f"{exc.strerror or exc}; check the folder and free space"
        ) from None
    from magnets.outputs import printable

    sys.stderr.write(printable(format_summary(result.summary, src)))
    if args.strict and result.summary["rows_by_status"]["ok"] != result.summary["rows"]:
        return ExitCode.CHECK_FAILED
    return ExitCode.OK


def _run_dask(args: argparse.Namespace, src: Path) -> int:
    """``--engine dask``: the same evaluation on a Dask cluster (magnets.bom.dask_engine)."""
    from magnets.bom.dask_engine import dask_format, evaluate_bom_dask
    from magnets.cli._engine import engine_client
    from magnets.cli.support import library_from_args, warn
    from magnets.errors import ExitCode
    from magnets.outputs import check_outputs, printable

    fmt = dask_format(args.output, args.format)
    outputs = [("--summary", args.summary)] + ([("-o", args.output)] if fmt == "csv" else [])
    check_outputs(outputs, input_path=src)
    lib = library_from_args(args)
    with engine_client(args) as client:
        result = evaluate_bom_dask(
            src,
            lib,
            client,
            args.output,
            fmt,
            date=args.date,
            rank_by=args.rank_by,
            suggest=not args.no_suggest,
            bands=getattr(args, "bands", False),
            sheet=args.sheet,
            partition_rows=args.partition_rows,
        )
    for w in result.warnings:
        warn(w)
    if args.summary:
        from magnets.io import dumps_json, write_atomic

        text = dumps_json(result.summary) + "\n"
        write_atomic(args.summary, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    sys.stderr.write(printable(format_summary(result.summary, src)))
    if args.strict and result.summary["rows_by_status"]["ok"] != result.summary["rows"]:
        return ExitCode.CHECK_FAILED
    return ExitCode.OK


def _kg(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.6g}" if abs(v) < 1e6 else f"{v:,.0f}"


def _band_lines(bands: Mapping[str, Any] | None) -> list[str]:
    """low / mid / high totals per element, specified (and suggested)."""
    if not bands or not bands.get("specified"):
        return []
    spec, sug = bands["specified"], bands.get("suggested")

    def three(d: Mapping[str, float]) -> str:
        return f"{_kg(d['low'])} / {_kg(d['mid'])} / {_kg(d['high'])}"

    out = ["  kg low / mid / high (band of the estimated compositions):"]
    for k, d in spec.items():
        out.append(f"    {k:<11}{three(d):>32}" + (f"  suggested {three(sug[k])}" if sug else ""))
    return out


def format_summary(s: Mapping[str, Any], src: object) -> str:
    """The stderr summary: rows by status, element totals, the largest savings."""
    by = s["rows_by_status"]
    head = (
        f"{src}: {s['rows']} rows: {by['ok']} ok, {by['below_rating']} below_rating, "
        f"{by['error']} error "
        f"(library {s['library_version']}, controls as of {s['as_of_date']}, "
        f"default Pc {s['calibration'].get('pc', float('nan')):.3g})"
    )
    lines = [head]
    sug = s.get("suggested_totals_kg")
    cells = [_kg(v) for v in [*s["totals_kg"].values(), *(sug or {}).values()]]
    w = max(13, *(len(x) for x in cells)) + 1  # a wide number never runs into its neighbour
    lines.append(f"  {'kg':<11}{'specified':>{w}}" + (f"{'suggested':>{w}}" if sug else ""))
    for k, v in s["totals_kg"].items():
        lines.append(f"  {k:<11}{_kg(v):>{w}}" + (f"{_kg(sug[k]):>{w}}" if sug else ""))
    lines.extend(_band_lines(s.get("band_totals_kg")))
    top = s.get("top_savings") or []
    if top:
        metric = {"dy_tb": "kg Dy+Tb", "controlled": "kg controlled", "price": "USD"}[s["rank_by"]]
        lines.append(f"  largest savings ({metric}):")
        for t in top:
            who = f"line {t['line']}" + (f" ({t['part_id']})" if t.get("part_id") else "")
            val = (
                t.get("saving_usd")
                if s["rank_by"] == "price"
                else (
                    t["saving_controlled_kg"]
                    if s["rank_by"] == "controlled"
                    else t["saving_Dy_Tb_kg"]
                )
            )
            lines.append(f"    {who}: {t['grade']} -> {t['suggested_grade']}  {_kg(val)}")
    return "\n".join(lines) + "\n"
