"""The ``magnets`` command line: :func:`main` in :mod:`magnets.cli.entry`, and one module
per subcommand (each with NAME, HELP, DESCRIPTION, add_arguments and run), found by
:func:`magnets.cli.entry.build_parser`.
"""

from magnets.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
