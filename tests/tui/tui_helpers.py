"""Helpers for the TUI tests (imported by basename: tests/tui is on sys.path under pytest)."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools

from magnets.tui.pilot import ready  # noqa: F401 - re-exported for the tests

#: Export-control flags are computed as of this date in every TUI test (stable snapshots).
AS_OF = dt.date(2026, 6, 1)


def make_test_app(**kwargs):
    """Build the app the way the CLI does, with the fixed date."""
    from magnets.tui.app import make_app

    kwargs.setdefault("date", AS_OF)
    return make_app(**kwargs)


def async_test(fn):
    """Run an async test with asyncio.run (the suite has no pytest-asyncio; fixtures still work)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper
