"""`magnets tui`: open the terminal explorer (also what bare `magnets` does)."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "tui"
HELP = "open the terminal explorer (the default with no command)"
DESCRIPTION = """\
Open the terminal explorer on the grade library.

Screens (keys 1-4 when no text field has focus; all also in the command palette, ctrl+p):
  1 Library    every grade with its rating at the current Pc and Hd; / filters, enter opens a grade
  2 Trade-off  grades that hold at a required temperature, Pc and Hd, ranked by Dy+Tb,
               export-controlled content or price; rating against Dy+Tb with the Pareto front
  3 BOM        a bill of materials evaluated line by line, with leaner substitutes and totals
  4 Fleet      primary element demand per year against world production
  ? or f1 help; ctrl+t light/dark theme; ctrl+q quits.

Hd is the applied demagnetising field (the load-line shift, NI/l_m); the magnet sees
Pc/(Pc + mu_rec) of it. A field taken from FEA *inside* the magnet is |H_op|, not Hd.

examples:
  magnets
  magnets tui --bom parts.csv --fleet fleet.toml --date 2026-12-01
  magnets tui --library ~/my-grades
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bom",
        metavar="FILE",
        type=Path,
        default=None,
        help="bill of materials to open on the BOM screen (CSV, XLSX or Parquet; "
        "default: the bundled example)",
    )
    parser.add_argument(
        "--fleet",
        metavar="FILE",
        type=Path,
        default=None,
        help="fleet TOML to open on the fleet screen (default: the bundled example)",
    )


NO_TERMINAL = (
    "the terminal explorer needs a terminal on stdin and stdout, and there is none (a script, "
    "a pipe or CI); run a command instead, e.g. `magnets grades`, `magnets bom FILE` (all: "
    "`magnets --help`)"
)


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.errors import ExitCode, InputError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(NO_TERMINAL)  # exit 2 at once: no escape codes into a file, no hang
    from magnets.tui.app import make_app

    app = make_app(
        library_dirs=getattr(args, "library", None) or None,
        bom=getattr(args, "bom", None),
        fleet=getattr(args, "fleet", None),
        date=getattr(args, "date", None),
    )
    app.run()
    return int(app.return_code or ExitCode.OK)
