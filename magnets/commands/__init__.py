"""One module per `magnets` subcommand.

Each module defines ``NAME``, ``HELP``, ``DESCRIPTION``, ``add_arguments(parser)`` and
``run(args) -> int``. Module-level imports stay light; work imports what it needs in ``run``.
"""
