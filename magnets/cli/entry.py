"""The `magnets` command line.

Bare ``magnets`` opens the terminal explorer; subcommands do batch work and never import
Textual. stdout carries data only; errors go to stderr as one line ``magnets: error: ...``.
Exit codes (:class:`magnets.errors.ExitCode`): 0 ok, 1 a check failed under --strict,
2 bad usage or unreadable input, 130 interrupted. Exceptions map to codes here only.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import NoReturn

from magnets import __version__
from magnets.cli.support import parse_date
from magnets.errors import ExitCode, MagnetsError

#: Order in `magnets --help`; modules found but not listed come after.
ORDER = ["tui", "grades", "show", "rate", "pc", "tradeoff", "substitute", "bom", "fleet", "data"]

EPILOG = """\
examples:
  magnets                         open the terminal explorer on the built-in library
  magnets grades --family ndfeb-sintered --max-dy-tb 1 --sort max_temp_C
  magnets show N35AH              every property, element content, export-control flags
  magnets rate KYL-N42SH --pc 1   rated temperature at a permeance coefficient
  magnets substitute N38EH        leaner grades that still meet the requirement
  magnets bom parts.csv -o out.csv
  magnets fleet materials/examples/fleet.toml --all-scenarios

Every command takes --library DIR (your own grade files over the built-in ones; also the
MAGNETS_LIBRARY environment variable) and --date YYYY-MM-DD (export-control status as of
that date; today by default). `magnets COMMAND --help` explains each command.
"""


def _command_modules():
    import magnets.cli as pkg

    names = [m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    mods = []
    for name in names:
        mod = importlib.import_module(f"magnets.cli.{name}")
        if all(hasattr(mod, a) for a in ("NAME", "add_arguments", "run")):
            mods.append(mod)
    return mods


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("library and date")
    group.add_argument(
        "--library",
        metavar="DIR",
        action="append",
        default=[],
        help="a folder of your own grade files (same format as materials/), read over the "
        "built-in library; repeatable; also MAGNETS_LIBRARY",
    )
    group.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        type=parse_date,
        default=None,
        help="export-control status as of this date (default: today)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors: ``magnets: error: ...; see `magnets X --help```,
    exit 2, and a did-you-mean for a misspelled command or choice."""

    def error(self, message: str) -> NoReturn:
        import difflib
        import re

        from magnets.outputs import printable

        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:
            choices = re.findall(r"'([^']*)'", m.group(2)) or [
                c.strip() for c in m.group(2).split(",")
            ]
            near = difflib.get_close_matches(m.group(1), choices, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            message = (
                f"{message.split(': invalid choice')[0]}: unknown {m.group(1)!r}{hint} "
                f"(one of {', '.join(choices)})"
            )
        sys.stderr.write(printable(f"magnets: error: {message}; see `{self.prog} --help`") + "\n")
        sys.exit(ExitCode.USAGE)


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = _Parser(
        prog="magnets",
        description="Permanent-magnet material-substitution explorer: temperature ratings "
        "at the real load line, Dy/Tb/Sm content, leaner substitutes, BOM and fleet element "
        "demand.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"magnets {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for mod in _command_modules():
        p = sub.add_parser(
            mod.NAME,
            help=getattr(mod, "HELP", None),
            description=getattr(mod, "DESCRIPTION", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
        _common(p)
        modules[mod.NAME] = mod
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, modules = build_parser()
    if not argv:
        argv = ["tui"] if "tui" in modules else ["grades"]
    args, extra = parser.parse_known_args(argv)
    if extra:
        _unknown_arguments(parser, args, modules, extra)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        _check_numbers(parser, args)
        code = _run(modules[args.command], args)
        return int(code if code is not None else ExitCode.OK)
    except MagnetsError as exc:
        from magnets.outputs import printable

        print(printable(f"magnets: error: {exc}"), file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("magnets: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # e.g. `magnets grades | head`: stop quietly
        _drop_stdout()
        return ExitCode.OK
    except OSError as exc:  # e.g. `magnets grades > /dev/full`
        from magnets.outputs import printable

        what = f"{exc.filename}" if exc.filename else "cannot write stdout"
        _drop_stdout()
        print(printable(f"magnets: error: {what}: {exc.strerror or exc}"), file=sys.stderr)
        return ExitCode.USAGE


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    if command is None:
        return parser
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


def near_options(typed: str, options: list[str]) -> list[str]:
    """The options ``typed`` most likely meant: one it starts with (``--temperatur`` ->
    ``--temp``), else the closest spellings (``--sumary`` -> ``--summary``)."""
    import difflib

    longs = [o for o in options if o.startswith("--")]
    if typed.startswith("--"):
        prefix = sorted((o for o in longs if len(o) >= 5 and typed.startswith(o)), key=len)
        if prefix:
            return prefix[-1:]
    pool = longs if typed.startswith("--") else options
    plain = {o.lstrip("-").replace("-", "").replace("_", "").lower(): o for o in pool}
    key = typed.lstrip("-").replace("-", "").replace("_", "").lower()
    return [plain[k] for k in difflib.get_close_matches(key, list(plain), 3, 0.6)]


def _unknown_arguments(parser, args, modules, extra: list[str]) -> NoReturn:
    """One usage line for arguments no option takes, with a did-you-mean for a misspelled
    option (or the command's own hint, e.g. `bom` reads the temperature from a column)."""
    sub = _subparser(parser, args.command)
    flags = [o for o in extra if o.startswith("-") and len(o) > 1 and not _is_number(o)]
    if not flags:
        sub.error(f"unrecognized arguments: {' '.join(extra)}")
    typed = flags[0].split("=", 1)[0]
    near = near_options(typed, list(sub._option_string_actions))
    if near:
        hint = f"; did you mean {', '.join(near)}?"
    else:
        hints = getattr(modules.get(args.command), "OPTION_HINTS", {})
        key = typed.lstrip("-").replace("-", "_").lower()
        found = [h for k, h in hints.items() if key.startswith(k) or k.startswith(key)]
        hint = f"; {found[0]}" if found and len(key) >= 2 else ""
    sub.error(f"unknown option {typed}{hint}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _run(module, args: argparse.Namespace):
    """Run a command; all but the explorer write stdout through the control-character
    escaping of :func:`magnets.outputs.escaping_stdout` (a user's cell cannot drive the
    terminal), and a full disk or closed pipe shows at the final flush, not at exit."""
    import contextlib

    from magnets.outputs import escaping_stdout

    with contextlib.nullcontext() if args.command == "tui" else escaping_stdout():
        code = module.run(args)
        sys.stdout.flush()
    return code


#: Options that are temperatures (degC): none may be below absolute zero.
TEMPERATURE_DESTS = ("temp", "cold", "t_from", "t_to", "min_temp", "loss_at")
#: Highest temperature option accepted (degC): a sanity bound far above any magnet's Curie
#: point, so a typo such as 1e308 is refused instead of printed back as 309 digits.
TEMPERATURE_MAX_C = 10_000.0
#: Options that are amounts: none may be negative.
NON_NEGATIVE_DESTS = ("max_dy_tb",)


def _check_numbers(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Every number option finite; temperatures not below absolute zero; amounts not
    negative. One InputError naming the option as the user typed it."""
    import math

    from magnets.errors import InputError

    flags = {
        a.dest: a.option_strings[-1]
        for a in _subparser(parser, args.command)._actions
        if a.option_strings
    }
    for dest, value in vars(args).items():
        if not isinstance(value, float) or isinstance(value, bool):
            continue
        flag = flags.get(dest, dest)
        if not math.isfinite(value):
            raise InputError(f"expected {flag} to be a finite number, instead received {value}")
        if dest in TEMPERATURE_DESTS and value < -273.15:
            raise InputError(
                f"expected {flag} at or above absolute zero (-273.15 degC), instead received "
                f"{value}"
            )
        if dest in TEMPERATURE_DESTS and value > TEMPERATURE_MAX_C:
            raise InputError(
                f"expected {flag} at most {TEMPERATURE_MAX_C:,.0f} degC (far above any magnet's "
                f"Curie temperature), instead received {value:g}"
            )
        if dest in NON_NEGATIVE_DESTS and value < 0:
            raise InputError(f"expected {flag} of 0 or more, instead received {value}")


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the unwritten rest of its buffer does not fail at exit."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
