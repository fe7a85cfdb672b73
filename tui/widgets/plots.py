"""Plot widgets (textual-plotext), imported only when a plot screen opens.

The widgets draw what the domain computed; they never compute physics. Colours come
from one palette so the legend Statics can match them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from textual_plotext import PlotextPlot

#: Plot colours (plotext RGB) and the Rich colours used in legends for the same series.
#: RGB so both themes and the SVG screenshots show the same hues.
PALETTE = [
    ((80, 200, 240), "#50c8f0"),
    ((230, 80, 80), "#e65050"),
    ((120, 200, 80), "#78c850"),
    ((240, 160, 40), "#f0a028"),
    ((200, 110, 220), "#c86edc"),
    ((90, 130, 250), "#5a82fa"),
    ((250, 220, 60), "#fadc3c"),
]
NEUTRAL = ((140, 140, 140), "#8c8c8c")

#: Line marker: plotext's "hd" (2x2 quadrant blocks). Braille is finer but its glyphs have
#: other widths in the fonts SVG screenshots fall back to, so lines drift off the frame there.
LINE = "hd"


def finite_pairs(
    xs: Sequence[float], ys: Sequence[float], *, y_min: float | None = None
) -> tuple[list[float], list[float]]:
    """Drop points where x or y is NaN/inf (plotext cannot draw them), or y < y_min
    (plotext draws points outside the y limits on the frame)."""
    px, py = [], []
    for x, y in zip(xs, ys, strict=False):
        if x is None or y is None:
            continue
        x, y = float(x), float(y)
        if math.isfinite(x) and math.isfinite(y) and (y_min is None or y >= y_min):
            px.append(x)
            py.append(y)
    return px, py


def cycle_panes(screen: Any) -> None:
    """Cycle a plot screen's panes: both, plot only, table only (``p`` on every plot screen).

    The screen's CSS hides a pane by the classes ``-plot-only`` and ``-table-only``."""
    if screen.has_class("-plot-only"):
        screen.set_class(False, "-plot-only")
        screen.set_class(True, "-table-only")
    elif screen.has_class("-table-only"):
        screen.set_class(False, "-table-only")
    else:
        screen.set_class(True, "-plot-only")


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
