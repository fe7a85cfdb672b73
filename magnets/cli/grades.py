"""`magnets grades`: list and filter the grade library."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from magnets.context import Context

NAME = "grades"
HELP = "list and filter grades (table, CSV or JSON)"
DESCRIPTION = """\
List the grades of the library with their key figures, Dy/Tb/Sm/Gd content and the
elements under export control as of --date.

Figures: Br in T, HcJ/HcB in kA/m (1 kOe = 79.58 kA/m), BHmax in kJ/m3 (1 MGOe = 7.958 kJ/m3),
max_temp_C is the maximum operating temperature as printed: by the maker for the grade
(rating_basis catalogue) or a class guideline where the maker prints none (guideline, e.g.
grain-boundary-diffused grades); max_temp_criterion says how it is stated (guideline,
knee_at_pc, straight_line). rating_C is the best basis available: that figure, else the
model's rating at the grade's family reference Pc (rating_basis model). --min-temp filters
on rating_C. Ratings are short-term knee checks under the alloy's service limit: long-term
oxidation and ageing losses are not modelled. `magnets rate` rates at your own load line.
Element contents are wt%; `composition_basis` says whether they are sourced, derived from
a stated nominal composition, or estimated (Dy/Tb content is almost never published).

examples:
  magnets grades --family ndfeb-sintered --route gbd-tb
  magnets grades --max-dy-tb 1 --min-temp 150 --sort max_temp_C
  magnets grades --search smco --format json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--family",
        help="only these families (comma-separated): ndfeb-sintered, ndfeb-hot-deformed, "
        "ndfeb-bonded, smco5, sm2co17, smco-tc, ferrite",
    )
    p.add_argument(
        "--route",
        help="only these routes (comma-separated): bulk, gbd-dy, gbd-tb, dy-free, bonded, sintered",
    )
    p.add_argument(
        "--max-dy-tb", type=float, metavar="WT_PCT", help="at most this much Dy+Tb, in wt%%"
    )
    p.add_argument(
        "--min-temp",
        type=float,
        metavar="C",
        help="rating_C at least this, in degC (catalogue, else guideline, else model)",
    )
    p.add_argument(
        "--search",
        metavar="TEXT",
        help="words in id, name, maker, family or route, or a class (gbd, tb, uh, smco); "
        "case-insensitive, every word must match",
    )
    p.add_argument("--sort", metavar="COLUMN", help="sort by this column (any JSON key), ascending")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="output format (default table)",
    )


def _ratings(ctx: Context) -> pd.DataFrame:
    """Best-basis rating per grade (catalogue, guideline, else the model at its family's Pc)."""
    from magnets.physics.calibration import rating_inputs
    from magnets.physics.ratings import best_rating

    g = ctx.library.grades
    out = best_rating(g, rating_inputs(g, ctx.beta_model), ctx.condition.pc_for)
    out["max_temp_criterion"] = g["max_temp_criterion"]
    return out


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli.support import context_from_args, format_table
    from magnets.data.catalog import TABLE_COLUMNS, filter_listing, listing, with_ratings
    from magnets.io import write_frame

    ctx = context_from_args(args)
    lib = ctx.library
    frame = filter_listing(
        with_ratings(listing(lib, ctx.date), _ratings(ctx)),
        family=args.family,
        route=args.route,
        max_dy_tb=args.max_dy_tb,
        min_temp=args.min_temp,
        search=args.search,
        sort=args.sort,
        descending=args.desc,
    )
    if args.format == "table":
        sys.stdout.write(format_table(frame, TABLE_COLUMNS, max_width=24))
        print(f"{len(frame)} of {len(lib.grades)} grades", file=sys.stderr)
    else:
        out = frame.copy()
        if args.format == "json":
            out["controlled_elements"] = out["controlled_elements"].str.split()
            out["unknown_elements"] = out["unknown_elements"].str.split()
        write_frame(out, None, args.format)
    return 0
