"""`magnets data check`: validate the data library and list every problem."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

NAME = "data"
HELP = "check the data library (built-in plus --library folders) and list every problem"
DESCRIPTION = """\
`magnets data check` loads the built-in library and any --library folders and prints every
problem as FILE:LINE: column COLUMN: MESSAGE, one per line, then a count on stderr.
Exit 0 when clean, 2 when there is any problem.

Checks: required columns; numbers where numbers belong; ids unique (case-insensitive) and
made of letters, digits, '-', '_', '.'; family and route names; min/typ bases;
BHmax <= Br^2/(4 mu0) within 3% (like with like); HcB <= HcJ; composition mass fractions
sum to 100 +/- 0.5 wt%; beta within the family's range; catalogue rating below the Curie
temperature; SmCo rare earths (Sm+Gd+Pr+Er) 20-40 wt%; dates in the export-control rules;
supply figures by element, year and scope (materials/supply.csv).

Then, on stderr, fleet-average sanity figures of the example fleet (baseline, 2023): the
mass-weighted Dy+Tb of all its magnets beside the market-average checkpoint (China's 2024
scrap recovery, about 1 wt%, magnets outside motors included), and its primary Dy against
the world primary Dy figure the library holds (named, with its year and basis).

examples:
  magnets data check
  magnets data check --library ~/supplier-grades
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action", choices=["check", "sources"], help="check: validate; sources: list the files read"
    )


def _fleet_lines(lib: Library) -> list[str]:
    """The sanity figures of the example fleet, or one line saying why there are none."""
    from importlib import resources
    from pathlib import Path

    from magnets.errors import DataError, InputError

    example = Path(str(resources.files("magnets.materials"))) / "examples" / "fleet.toml"
    try:
        from magnets.fleet.sanity import fleet_sanity
        from magnets.fleet.spec import load_fleet

        spec = load_fleet(example, lib)
        lines = fleet_sanity(spec, lib, 2023).lines()
    except (InputError, DataError, KeyError, ValueError) as exc:
        return [f"fleet sanity figures: not computed ({exc})"]
    return ["fleet sanity figures, example fleet (materials/examples/fleet.toml), baseline:"] + [
        "  " + line for line in lines
    ]


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli.support import context_from_args

    lib = context_from_args(args, require_clean=False).library
    if args.action == "sources":
        for path in lib.sources:
            print(path)
        return 0
    for problem in lib.problems:
        print(problem)
    for line in _fleet_lines(lib):
        print(line, file=sys.stderr)
    n = len(lib.problems)
    print(
        f"{len(lib.grades)} grades, {len(lib.compositions)} compositions, version {lib.version}: "
        + ("no problems" if n == 0 else f"{n} problem(s)"),
        file=sys.stderr,
    )
    return 0 if n == 0 else 2
