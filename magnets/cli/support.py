"""Small helpers shared by the command modules: the context from arguments, dates, text tables.

Kept free of heavy imports at module level so `magnets --help` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from magnets.context import Context
    from magnets.data.library import Library


def parse_date(text: str) -> dt.date:
    """argparse type for --date YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD, instead received {text!r}"
        ) from None


def context_from_args(args: argparse.Namespace, require_clean: bool = True) -> Context:
    """The run's one context: the built-in library plus MAGNETS_LIBRARY and every --library
    folder, as of --date (today by default). Built once per command, then passed down."""
    from magnets.context import build_context

    return build_context(
        getattr(args, "library", None) or [],
        getattr(args, "date", None),
        require_clean=require_clean,
    )


def library_from_args(args: argparse.Namespace, require_clean: bool = True) -> Library:
    """The library of :func:`context_from_args` (for commands that need only the library)."""
    return context_from_args(args, require_clean).library


def _fmt(v, digits: int = 4) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if not math.isfinite(v) or abs(v) >= 1e15:  # no 300-digit integers on screen
            return f"{v:.{digits}g}"
        if v == int(v) and abs(v) < 1e6:
            return str(int(v))
        return f"{v:.{digits}g}" if abs(v) < 1e4 else f"{v:,.0f}"
    if isinstance(v, (list, tuple)):
        return " ".join(map(str, v))
    return str(v)


def format_table(
    frame: pd.DataFrame, columns: list[str] | None = None, max_width: int = 40, digits: int = 4
) -> str:
    """A plain fixed-width text table (numbers right-aligned), for terminals and logs."""
    import pandas as pd

    cols = columns or list(frame.columns)
    from magnets.outputs import printable

    cells = [[printable(_fmt(v, digits))[:max_width] for v in frame[c].tolist()] for c in cols]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in cols]
    widths = [max([len(c)] + [len(x) for x in col]) for c, col in zip(cols, cells)]
    lines = [
        "  ".join(
            c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cols, widths, numeric)
        ).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for i in range(len(frame)):
        lines.append(
            "  ".join(
                col[i].rjust(w) if n else col[i].ljust(w)
                for col, w, n in zip(cells, widths, numeric)
            ).rstrip()
        )
    return "\n".join(lines) + "\n"


def format_mapping(items: list[tuple[str, object]], digits: int = 5) -> str:
    """Two-column 'key  value' text."""
    width = max((len(k) for k, _ in items), default=0)
    return "".join(f"{k.ljust(width)}  {_fmt(v, digits)}\n" for k, v in items)


def warn(message: str) -> None:
    """One warning line on stderr (control characters from the input shown as escapes)."""
    from magnets.outputs import printable

    print(printable(f"magnets: warning: {message}"), file=sys.stderr)
