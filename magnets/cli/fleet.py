"""`magnets fleet`: element demand of a fleet of products, year by year, against primary supply."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from magnets.fleet.result import FleetResult

NAME = "fleet"
HELP = (
    "project Dy, Tb, Nd, Pr, Sm, Gd, Co demand of a fleet year by year"
    " (stock-flow model, scenarios)"
)
DESCRIPTION = """\
Project how many tonnes of Nd, Pr, Dy, Tb, Sm, Gd and Co a fleet of products needs each
year, how much comes back from manufacturing scrap and from scrapped units, and how the
primary demand compares with primary supply, for a baseline and scenarios (see
docs/fleet.md; an example with sources: materials/examples/fleet.toml).

The input is a TOML file: start_year, end_year, and one [[segment]] per product with
units built per year (a table by year; linear between years, flat after the last, none
before the first: list early years, their cohorts make up the stock), magnet_kg_per_unit, \
grades (library
ids and shares of magnet mass, optionally a table of mixes by year), lifetime (normal,
weibull or fixed), manufacturing_yield (finished magnet / alloy in), scrap_recycling and
recycling = { collection, recovery }. [scenario.NAME] tables replace whole fields of named
segments. Any number can be given as { low = .., high = .. }: the midpoint is used, or,
with --samples N, N uniform draws (one per segment and sample) give mean, P10, P50, P90.

Model (dynamic material-flow analysis): cohorts by build year retire following the
lifetime distribution discretised per year; stock from the survival function. Per element:
demand = units x kg x fraction of that year's grade mix / yield; scrap returned = demand x
(1 - yield) x scrap_recycling; end-of-life content follows each cohort's own mix;
recovered = end-of-life x collection x recovery; primary = demand - scrap - recovered,
0 where the returns exceed the demand (the excess is surplus_scrap_t). Oxide equivalents
via pymatgen. Shares of primary supply of the same scope and basis (materials/supply.csv,
the latest figure at or before the year): of world mine production, and of China's
separated output less the oxide it recovered from scrap (empty where there is none).

Output: one row per scenario, year, segment and element with demand_t, oxide_t,
scrap_returned_t, eol_t, recovered_t, primary_t, surplus_scrap_t,
share_of_world_primary_pct, share_of_china_output_pct, stock_units, inflow_units,
outflow_units (and stat = mean|p10|p50|p90 with --samples). In table mode
(the default on a terminal) a summary per scenario: peak and cumulative primary Dy, Tb,
Nd+Pr and Sm over the reported years and the difference from the baseline.

examples:
  magnets fleet materials/examples/fleet.toml --all-scenarios
  magnets fleet fleet.toml --scenario dy_free --samples 1000 --seed 1
  magnets fleet fleet.toml --all-scenarios -o demand.parquet --plot demand.png
  magnets fleet fleet.toml --format csv > demand.csv
  magnets fleet fleet.toml --samples 1000000 --seed 1 --engine dask -o demand.parquet
"""

#: "table" (the summary, this command's own) and the formats of magnets.io.FORMATS that a
#: long table is written in here (xlsx is not offered). Spelled out because magnets.io loads
#: pandas, which building the parser must not; the writing itself goes through magnets.io.
FORMATS = ("table", "csv", "json", "parquet")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the fleet TOML file")
    sc = p.add_mutually_exclusive_group()
    sc.add_argument(
        "--scenario",
        metavar="NAME",
        action="append",
        default=None,
        help="run this scenario (repeatable); the baseline always runs too, for the difference",
    )
    sc.add_argument(
        "--all-scenarios",
        action="store_true",
        help="run the baseline and every scenario in the file",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default=None,
        help="write the long table here (atomically); without it the output goes to stdout",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="table (summary, default), csv, json or parquet; default from OUT's extension",
    )
    p.add_argument(
        "--samples",
        metavar="N",
        type=int,
        default=None,
        help="Monte Carlo: N uniform draws of every { low, high } input"
        " (one per segment and sample)",
    )
    p.add_argument(
        "--seed",
        metavar="S",
        type=int,
        default=None,
        help="random seed for --samples (default: drawn, and printed on stderr)",
    )
    from magnets.cli._engine import add_engine_arguments

    add_engine_arguments(p)
    p.add_argument(
        "--plot",
        metavar="PNG",
        default=None,
        help="also write a PNG of primary demand per element and year, primary supply as a line",
    )


def _format(args: argparse.Namespace) -> str:
    """--format, else from OUT's extension (csv, json, parquet, pq), else the summary table.

    An extension naming a table format this command does not write (.xlsx) is refused, so
    text never lands in a file that claims to be a workbook.
    """
    from magnets.errors import InputError

    if args.format:
        return args.format
    from magnets.io import FORMAT_BY_EXTENSION

    if args.output is None or args.output == "-":
        return "table"
    fmt = FORMAT_BY_EXTENSION.get(Path(args.output).suffix.lower().lstrip("."), "table")
    if fmt not in FORMATS:
        raise InputError(
            f"fleet cannot write {fmt} ({args.output}); name -o .csv, .json or .parquet "
            "(or any other name, e.g. .txt, for the text summary)"
        )
    return fmt


def _check_arguments(args: argparse.Namespace, fmt: str, src: Path) -> None:
    """InputError before any work: an output over the input, an output that cannot be
    written, the same file twice, bad options."""
    from magnets.errors import InputError
    from magnets.outputs import check_outputs

    check_outputs([("-o", args.output), ("--plot", args.plot)], input_path=src)
    if args.plot is not None and args.plot != "-" and Path(args.plot).suffix.lower() != ".png":
        raise InputError(f"--plot writes a PNG image: name it .png, instead received {args.plot}")
    if fmt == "parquet" and args.output is None:
        raise InputError(
            "--format parquet writes a binary file: give an output path with -o FILE.parquet"
        )
    if args.samples is not None and args.samples < 2:
        raise InputError(
            f"--samples: expected a whole number of at least 2, instead received {args.samples}"
        )
    if args.seed is not None and args.seed < 0:
        raise InputError(f"--seed: expected a whole number 0 or more, instead received {args.seed}")
    from magnets.cli._engine import check_engine_arguments

    check_engine_arguments(args)
    if args.engine == "dask" and args.samples is None:
        raise InputError(
            "--engine dask spreads the Monte Carlo sample blocks: give --samples N "
            "(without samples the run is one small deterministic projection)"
        )


def run(args: argparse.Namespace) -> int:
    from magnets.cli.support import library_from_args, warn
    from magnets.errors import ExitCode

    fmt = _format(args)
    src = Path(args.file)
    _check_arguments(args, fmt, src)

    from magnets.fleet.model import project_fleet
    from magnets.fleet.spec import BASELINE, load_fleet

    lib = library_from_args(args)
    spec = load_fleet(src, lib)
    for w in spec.warnings:
        warn(w)
    if args.all_scenarios:
        scenarios = list(spec.scenarios)
    else:
        scenarios = args.scenario or [BASELINE]
    kw = {"scenarios": scenarios, "samples": args.samples, "seed": args.seed}
    if args.engine == "dask":
        from magnets.cli._engine import engine_client

        with engine_client(args) as client:
            result = project_fleet(spec, lib, client=client, **kw)
    else:
        result = project_fleet(spec, lib, **kw)
    if args.samples is not None and args.seed is None:
        print(
            f"magnets: fleet: --samples {args.samples} drawn with seed {result.seed} "
            f"(give --seed {result.seed} to repeat)",
            file=sys.stderr,
        )

    if fmt == "table":
        text = format_summary(result)
        if args.output:
            from magnets.io import write_atomic

            write_atomic(args.output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        else:
            sys.stdout.write(text)
    else:
        result.write(args.output, fmt)
        if args.output:
            print(
                f"magnets: fleet: wrote {len(result.table):,} rows to {args.output}",
                file=sys.stderr,
            )
    if args.plot:
        from magnets.cli.fleet_plot import plot_fleet

        plot_fleet(result, args.plot)
        print(f"magnets: fleet: wrote {args.plot}", file=sys.stderr)
    return ExitCode.OK


def _num(v: float, pct: bool = False) -> str:
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if pct:
        return f"{v:.1f}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def _signed(v: float, pct: bool = False) -> str:
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if v == 0:
        return "0"
    return ("+" if v > 0 else "-") + _num(abs(v), pct)


def _summary_rows(s: pd.DataFrame, sampled: bool) -> list[dict[str, str]]:
    """One text row per scenario and element group: the mean, and P10..P90 when sampled."""
    from magnets.fleet.spec import BASELINE

    if sampled:
        mean = s[s["stat"] == "mean"].reset_index(drop=True)
        p10 = s[s["stat"] == "p10"].reset_index(drop=True)
        p90 = s[s["stat"] == "p90"].reset_index(drop=True)
    else:
        mean = p10 = p90 = s

    def rng(col: str, i: int) -> str:
        return f"[{_num(p10.loc[i, col])} .. {_num(p90.loc[i, col])}]"

    rows = []
    for i in range(len(mean)):  # a few scenarios x 4 element groups
        r = mean.loc[i]
        vs = r["scenario"] != BASELINE
        row = {
            "scenario": r["scenario"],
            "element": r["element"],
            "peak_t": _num(r["peak_primary_t"]),
            "peak_year": str(int(r["peak_year"])) if r["peak_primary_t"] != 0 else "-",
            "cumulative_t": _num(r["cumulative_primary_t"]),
            "vs_baseline_t": _signed(r["cumulative_vs_baseline_t"]) if vs else "",
            "vs_baseline_%": _signed(r["cumulative_vs_baseline_pct"], pct=True) if vs else "",
            "peak_world_primary_%": _num(r["peak_share_of_world_primary_pct"], pct=True),
            "peak_china_output_%": _num(r["peak_share_of_china_output_pct"], pct=True),
        }
        if sampled:
            row["cumulative_p10..p90"] = rng("cumulative_primary_t", i)
            if vs:
                row["vs_baseline_p10..p90"] = rng("cumulative_vs_baseline_t", i)
        rows.append(row)
    return rows


def _supply_notes(result: FleetResult, year: int) -> list[str]:
    """One line per yardstick and element group: the figure the shares of ``year`` use."""
    s = result.supply
    s = s[(s["year"] == year) & (s["element"] != "Co")]
    out = []
    for (yd, grp, fy, basis, value, src), g in s.groupby(  # a handful of figures
        ["yardstick", "figure_element", "figure_year", "basis", "value_t", "source"], sort=False
    ):
        words = "world mine" if yd == "world" else "China separated less recycled"
        els = "+".join(g["element"])
        who = grp if els == grp else f"{els} ({grp})"
        out.append(f"  {who}: {value:,.0f} t {basis}, {words}, {fy} {src}")
    return out


def format_summary(result: FleetResult) -> str:
    """Human summary: per scenario, peak and cumulative primary demand and change vs baseline."""
    import pandas as pd

    from magnets.cli.support import format_table

    spec = result.spec
    y0, y1 = int(result.years[0]), int(result.years[-1])
    mode = (
        f"Monte Carlo, {result.samples} samples (seed {result.seed}): mean [P10 .. P90]"
        if result.samples
        else "midpoints of every { low, high } input"
    )
    source = f"{spec.path}: {len(spec.segments)} segments" if spec is not None else "fleet"
    lines = [
        f"{source}, years {y0}-{y1}, {mode}",
        f"primary demand (after scrap and end-of-life returns), tonnes of element; "
        f"cumulative over {y0}-{y1}",
        "",
    ]
    frame = pd.DataFrame(_summary_rows(result.summary, bool(result.samples))).fillna("")
    text = "\n".join(lines) + "\n" + format_table(frame)
    notes = [
        "peak_world_primary_%: highest yearly primary demand / world mine production; "
        "peak_china_output_%: / China's separated output less its oxide recovered from scrap "
        "(recycling netted once). Each on the figure's basis (oxide or metal), the latest figure "
        "at or before the year, from materials/supply.csv; '-' where none. Figures used in "
        f"{y0}:",
        *_supply_notes(result, y0),
    ]
    if result.warnings:
        notes.append(f"{len(result.warnings)} warning(s) on stderr.")
    return text + "\n" + "\n".join(notes) + "\n"
