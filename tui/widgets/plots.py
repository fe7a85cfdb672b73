"""Plot widgets (textual-plotext), imported only when a plot screen opens.

The widgets draw what the domain computed; they never compute physics. Colours come
from one palette so the legend Statics can match them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from textual_plotext import PlotextPlot

#: Plot colours (plotext names) and the Rich colours used in legends for the same series.
PALETTE = [
    ("cyan+", "bright_cyan"),
    ("red+", "bright_red"),
    ("green+", "bright_green"),
    ("orange+", "dark_orange"),
    ("magenta+", "bright_magenta"),
    ("blue+", "bright_blue"),
    ("yellow+", "yellow"),
]
NEUTRAL = ("gray", "grey62")


def finite_pairs(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """Drop points where x or y is NaN/inf (plotext cannot draw them)."""
    px, py = [], []
    for x, y in zip(xs, ys, strict=False):
        if x is None or y is None:
            continue
        if math.isfinite(float(x)) and math.isfinite(float(y)):
            px.append(float(x))
            py.append(float(y))
    return px, py


class Plot(PlotextPlot):
    """A PlotextPlot that redraws from a stored spec so it survives resizes and theme changes.

    ``draw(fn)`` stores ``fn(plt)`` and calls it on every render.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._draw_fn = None

    def draw(self, fn: Any) -> None:
        self._draw_fn = fn
        self.refresh()

    def render(self) -> Any:
        plt = self.plt
        plt.clear_figure()
        if self._draw_fn is not None:
            try:
                self._draw_fn(plt)
            except Exception as exc:  # noqa: BLE001 - a bad plot must not kill the app
                plt.clear_figure()
                plt.title(f"cannot draw: {exc}")
        return super().render()
