"""Plot widgets (textual-plotext), imported only when a plot screen opens.

The widgets draw what the domain computed; they never compute physics. Colours come
from one palette so the legend Statics can match them.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from itertools import groupby
from typing import Any, ClassVar

from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Text
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

    #: Rich style of each plotext (foreground, style, background) triple, as Rich decodes
    #: the ANSI codes plotext writes for it (None: no style).
    _run_styles: ClassVar[dict[Any, Style | str | None]] = {}

    def render(self) -> Any:
        plt = self.plt
        plt.clear_figure()
        if self._draw_fn is not None:
            try:
                self._draw_fn(plt)
            except Exception as exc:
                plt.clear_figure()
                plt.title(f"cannot draw: {exc}")
        return self._render_plot()

    def _render_plot(self) -> Any:
        """What ``PlotextPlot.render`` shows, without the ANSI round trip.

        PlotextPlot has plotext write its character matrix as one ANSI string and parses
        that back with ``Text.from_ansi``; both halves cost more than the plot itself.
        Here each row is cut into runs of equal colours straight from the matrix and every
        run gets the style Rich decodes from that run's ANSI codes, so the Text is the same.
        """
        # plotext's figure sets ``monitor`` and its build steps outside what its class
        # declares, so the figure is handled untyped here
        plot: Any = self._plot
        if plot.monitor.fast_plot:
            return super().render()
        width, height = self.size
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot.render (textual-plotext issue 5)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        plot._set_sizes()
        plot._build_matrix()
        matrix = plot.monitor.matrix
        helpers = type(matrix).set_canvas.__globals__["ut"]
        styles = self._run_styles
        lines = []
        for row in matrix.Rows[::-1]:
            markers = matrix.marker[row]
            colours = zip(matrix.fullground[row], matrix.style[row], matrix.background[row])
            line = Text()
            start = 0
            for key, run in groupby(colours):
                stop = start + len(list(run))
                try:
                    style = styles[key]
                except (KeyError, TypeError):  # TypeError: a colour given as a list
                    style = _run_style(helpers, key)
                    with contextlib.suppress(TypeError):
                        styles[key] = style
                line.append("".join(markers[start:stop]), style)
                start = stop
            lines.append(line)
        # plotext ends every row with a newline, so Text.from_ansi also decodes an empty
        # last line; it joins the lines like this
        lines.append(Text())
        return Text("\n", end="\n", style="", tab_size=8).join(lines)


def _run_style(helpers: Any, colours: tuple[Any, Any, Any]) -> Style | str | None:
    """The style Rich's ANSI decoder gives a run plotext writes with these colours."""
    codes = helpers.colors_to_ansi(*colours)
    decoded = AnsiDecoder().decode_line(codes + "x" + helpers.ansi_end)
    return decoded.spans[0].style if decoded.spans else None
