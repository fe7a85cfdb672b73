"""`magnets fleet --plot`: a PNG of primary demand per element and year (a face, matplotlib).

Everything heavy is imported inside the functions: the parser imports every module of
magnets.cli (to find the commands) and must not load numpy, pandas or matplotlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from magnets.fleet.result import FleetResult

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def _supply_line(ax: Axes, result: FleetResult, i: int) -> None:
    """Primary supply of element i (t of element, per year) as a dashed step line: world mine
    production where the library has the element's own figure, else China's primary output;
    a note instead when it is far above the demand."""
    import numpy as np

    from magnets.data.chemistry import REPORTED
    from magnets.fleet.shares import own_figure_metal_t

    el = REPORTED[i]
    found = [
        (name, words, own_figure_metal_t(result.yardsticks[name])[i])  # (Yr,) each
        for name, words in (("world", "world mine"), ("china", "China primary"))
    ]
    found = [f for f in found if np.isfinite(f[2]).any()]
    if not found:
        return
    name, words, series = found[0]
    ps = result.yardsticks[name]
    fy = sorted({int(y) for y in ps.year[i] if y > 0})
    label = f"{words} ({', '.join(map(str, fy))} figure): t {el}"
    top = max(abs(t[:, 0, :, i]).max() for t in result.total_stats.values())
    if np.nanmin(series) <= 5 * max(top, 1e-12):
        ax.step(result.years, series, where="mid", color="black", ls="--", lw=1.2, label=label)
    else:  # far above the demand: say so instead of flattening the curves
        ax.text(
            0.98,
            0.04,
            f"{label}: {np.nanmin(series):,.0f} (off scale)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
        )


def _panel(ax: Axes, result: FleetResult, i: int) -> None:
    """One element: a line per scenario (mean), P10-P90 band with samples, primary supply."""
    from matplotlib.ticker import MaxNLocator

    from magnets.data.chemistry import REPORTED

    years = result.years
    for j, sc in enumerate(result.scenarios):
        prim = result.total_stats[sc][:, 0, :, i]  # (K, Yr): mean[, P10, P50, P90]
        c = _COLOURS[j % len(_COLOURS)]
        ax.plot(years, prim[0], color=c, lw=1.8, label=sc)
        if len(prim) > 1:
            ax.fill_between(years, prim[1], prim[3], color=c, alpha=0.18, lw=0)
    el = REPORTED[i]
    _supply_line(ax, result, i)
    ax.set_title(f"{el}: primary demand", fontsize=10)
    ax.set_ylabel(f"t {el} per year", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="best")


def plot_fleet(result: FleetResult, path: str) -> None:
    """Write a PNG: primary demand (t of element, all segments) per element and year, one line
    per scenario (P10-P90 band with samples), primary supply as a dashed line where the
    library has the element's own figure (converted to tonnes of element).

    Uses matplotlib's object API with the Agg canvas (no pyplot, no global backend change).
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from magnets.data.chemistry import REPORTED
    from magnets.io import write_atomic

    shown = [
        i
        for i, _el in enumerate(REPORTED)
        if any(np.any(t[..., i] != 0) for t in result.total_stats.values())
    ]
    if not shown:
        shown = [REPORTED.index("Dy")]
    ncol = 2 if len(shown) > 1 else 1
    nrow = (len(shown) + ncol - 1) // ncol
    fig = Figure(figsize=(5.2 * ncol, 3.0 * nrow + 0.6), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    for k, i in enumerate(shown):  # a handful of panels
        _panel(fig.add_subplot(nrow, ncol, k + 1), result, i)
    band = " (lines: mean; bands: P10-P90)" if result.samples else ""
    name = Path(str(result.spec.path)).name if result.spec is not None else "fleet"
    fig.suptitle(
        f"{name}: primary demand after scrap and end-of-life returns, all segments{band}",
        fontsize=10,
    )
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png"), binary=True)
