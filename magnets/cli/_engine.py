"""The option pair every scalable command shares: ``--engine {inprocess,dask}`` and
``--scheduler ADDRESS``. Adding them imports nothing heavy (no dask, no pandas).

A command calls :func:`add_engine_arguments` in its ``add_arguments`` and, in ``run``,
:func:`engine_client` when ``args.engine == "dask"``.
"""

from __future__ import annotations

import argparse
from typing import Any

#: magnets.scale.ENGINES, written out so that building the parser imports nothing more
ENGINES = ("inprocess", "dask")


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--engine`` and ``--scheduler`` to a subcommand's parser, in their own group."""
    group = p.add_argument_group("engine (beyond one process: docs/scale.md)")
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="inprocess",
        help="inprocess (default) runs here; dask spreads the work over a Dask cluster, "
        "a local one unless --scheduler is given (needs pip install 'magnets[scale]')",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="with --engine dask: the address of a running Dask scheduler "
        "(e.g. tcp://10.0.0.5:8786); default: start a local cluster for this run",
    )


def check_engine_arguments(args: argparse.Namespace) -> None:
    """InputError for --scheduler without --engine dask (it would silently do nothing)."""
    from magnets.errors import InputError

    if getattr(args, "scheduler", None) and getattr(args, "engine", "inprocess") != "dask":
        raise InputError(
            "--scheduler applies to --engine dask only; add --engine dask or leave it out"
        )


def engine_client(args: argparse.Namespace) -> Any:
    """The Dask client of this run (:func:`magnets.scale.get_client`); close it when done."""
    from magnets.scale import get_client

    check_engine_arguments(args)
    return get_client(getattr(args, "scheduler", None))
