"""Driving the app headless: shared by the TUI tests and ``scripts/screenshots.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from textual.pilot import Pilot

    from .app import MagnetsApp


async def ready(app: MagnetsApp, pilot: Pilot[None]) -> None:
    """Wait until the library worker (and any screen workers) finished and screens redrew."""
    for _ in range(400):  # the loader starts after the first frame
        if app.session is not None or app.load_error is not None:
            break
        await pilot.pause(0.02)
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
