"""One error tree for magnets.

Every error is also a builtin (``ValueError``, ``KeyError``, ``OSError``) so callers can
catch either. Messages follow one pattern: what was expected, then what was received,
then what would fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``magnets`` command line (mapped from exceptions in ``cli``)."""

    OK = 0
    CHECK_FAILED = 1  # only where the user asked for strictness (--strict)
    USAGE = 2  # bad usage, unreadable input, nothing could be done
    INTERRUPTED = 130


class MagnetsError(Exception):
    """Base of every error raised by magnets."""


class InputError(MagnetsError, ValueError):
    """A file or argument the user gave cannot be used."""


class DataError(MagnetsError, ValueError):
    """The data library (built-in or user) has problems."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


class UnknownGradeError(MagnetsError, KeyError):
    """A grade id or name that is not in the library."""

    def __init__(self, name: str, suggestions: list[str] | None = None):
        self.name = name
        self.suggestions = suggestions or []
        super().__init__(name)

    def __str__(self) -> str:  # KeyError would quote the whole message
        msg = f"unknown grade {self.name!r}"
        if self.suggestions:
            msg += ": did you mean " + ", ".join(self.suggestions) + "?"
        else:
            msg += " (list the grades with `magnets grades`)"
        return msg


class AmbiguousGradeError(MagnetsError, KeyError):
    """A display name that matches more than one grade."""

    def __init__(self, name: str, matches: list[str]):
        self.name = name
        self.matches = matches
        super().__init__(name)

    def __str__(self) -> str:
        return (
            f"grade name {self.name!r} is ambiguous: it matches ids "
            + ", ".join(self.matches)
            + "; give the id"
        )


class UnreadableFileError(MagnetsError, OSError):
    """A file that cannot be read at all."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a data or input file.

    ``line`` is the 1-based file line (the header being the first non-comment line)
    when the parser knows it, else None; ``column`` is the column name or None.
    """

    path: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f": column {self.column}"
        return f"{where}: {self.message}"
