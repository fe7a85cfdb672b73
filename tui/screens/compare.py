"""Compare: up to four grades marked in the library (``space``), side by side.

At the app's working condition (required temperature, Pc, Hd): the demagnetisation curves
of every grade at that temperature overlaid with the load line and each working point, and
one row per grade with its rating and what limits it, the margin, the working-point flux,
the irreversible loss after a trip to the temperature, Dy/Tb with basis and band, Sm and the
export-controlled elements as of the date. Everything comes from
:func:`magnets.substitution.compare.compare_grades` (through ``tui/data.py``). ``e`` writes
the table as CSV, ``+``/``-`` step the temperature, ``escape`` goes back.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Static

from ..widgets.footer import MagnetsFooter
from ..widgets.frame_table import Col, FrameTable
from .base import MagnetsScreen

#: the most grades one comparison holds (the library refuses a fifth mark)
MAX_COMPARED = 4


def _band(low: Any, high: Any) -> str:
    if not (math.isfinite(float(low)) and math.isfinite(float(high))) or low == high:
        return "no band"
    return f"{float(low):.2f}–{float(high):.2f}"


COMPARE_COLUMNS = [
    Col("id", "Grade", min_width=16, style=lambda v: "bold"),
    Col("t_max_C", "Rated °C", "{:.0f}", numeric=True),
    Col("limited_by", "Limit"),
    Col("margin_C", "Margin", "{:+.0f}", numeric=True, style=lambda m: "red" if m < 0 else ""),
    Col("B_op_T_at_temp", "B op T", "{:.3f}", numeric=True),
    Col("loss_pct_at_temp", "Loss %", "{:.2f}", numeric=True),
    Col("Dy_wt_pct", "Dy wt%", "{:.2f}", numeric=True),
    Col("Dy_band", "Dy band"),
    Col("Tb_wt_pct", "Tb wt%", "{:.2f}", numeric=True),
    Col("Tb_band", "Tb band"),
    Col("Sm_wt_pct", "Sm wt%", "{:.1f}", numeric=True),
    Col("composition_basis", "Basis"),
    Col("controlled_elements", "Controlled", style=lambda v: "bold red" if v else ""),
    Col("route", "Route"),
]


class CompareScreen(MagnetsScreen):
    """Marked grades side by side at the working condition."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", key_display="esc"),
        Binding("plus,equals_sign", "temp(5)", "+5°C", key_display="+"),
        Binding("minus", "temp(-5)", "-5°C", key_display="-"),
        Binding("e", "export", "Export CSV"),
    ]

    def __init__(self, grade_ids: list[str]) -> None:
        super().__init__(id="compare")
        self.grade_ids = list(grade_ids)[:MAX_COMPARED]
        self.table: Any = None  # compare_grades' frame
        self.curves: list[dict] = []

    def compose(self) -> ComposeResult:
        from ..widgets.plots import Plot

        yield Header()
        yield Static("", id="compare-status", classes="status")
        yield FrameTable(id="compare-table", sortable=False)
        yield Plot(id="compare-curves")
        yield Static(id="compare-legend")
        yield MagnetsFooter()

    def on_mount(self) -> None:
        self.sub_title = "Compare"
        self.app.condition_changed.subscribe(self, lambda _app: self.recompute())
        self.recompute()

    def recompute(self) -> None:
        from ..data import compare_view, grade_curves

        app = self.app
        if app.session is None:
            return
        try:
            table = compare_view(
                app.session, self.grade_ids, temp_C=app.temp_C, pc=app.pc, hd_kA_m=app.hd_kA_m
            )
            curves = [
                grade_curves(app.session, g, temps_C=(app.temp_C,), pc=app.pc, hd_kA_m=app.hd_kA_m)[
                    "curves"
                ][0]
                for g in table.index
            ]
        except Exception as exc:
            self.notify(str(exc), title="Compare failed", severity="error")
            return
        self.table, self.curves = table, curves
        shown = table.assign(
            Dy_band=[
                _band(lo, hi) for lo, hi in zip(table["Dy_wt_pct_low"], table["Dy_wt_pct_high"])
            ],
            Tb_band=[
                _band(lo, hi) for lo, hi in zip(table["Tb_wt_pct_low"], table["Tb_wt_pct_high"])
            ],
        )
        self.query_one(FrameTable).show(shown, COMPARE_COLUMNS)
        self.query_one("#compare-status", Static).update(
            f"[b]{len(table)}[/] grades at [b]{app.temp_C:g}[/] °C, Pc [b]{app.pc:.2f}[/], "
            f"Hd [b]{app.hd_kA_m:g}[/] kA/m · loss: after a trip to {app.temp_C:g} °C · "
            f"controls as of {app.as_of:%Y-%m-%d} · band: the estimate's low–high"
        )
        self._draw()

    def _draw(self) -> None:
        from ..widgets.plots import NEUTRAL, PALETTE, Plot, finite_pairs

        curves, hd = self.curves, self.app.hd_kA_m
        if not curves:
            return

        def draw(plt: Any) -> None:
            hmin = min(min(c["H_kA_m"]) for c in curves)
            # the load line B = Pc*mu0*(|H| - Hd) is the same for every grade: through (-Hd, 0)
            # and the first grade's working point (the domain's), out to the end of the H axis
            c0 = curves[0]
            h_op, b_op = c0["H_op_kA_m"], c0["B_op_T"]
            if math.isfinite(h_op) and h_op > hd:
                slope = b_op / (h_op - hd)
                plt.plot([-hd, hmin], [0.0, slope * (-hmin - hd)], color=NEUTRAL[0], marker="hd")
            for i, c in enumerate(curves):
                x, y = finite_pairs(c["H_kA_m"], c["B_T"], y_min=0.0)
                plt.plot(x, y, color=PALETTE[i][0], marker="hd")
            for i, c in enumerate(curves):
                if math.isfinite(c["H_op_kA_m"]):
                    plt.scatter([-c["H_op_kA_m"]], [c["B_op_T"]], color=PALETTE[i][0], marker="●")
            plt.xlim(hmin * 1.02, 0)
            plt.ylim(0, max(c["Br_T"] for c in curves) * 1.08)
            plt.xlabel("H kA/m")
            plt.ylabel("B  T")

        self.query_one("#compare-curves", Plot).draw(draw)
        legend = Text()
        for i, gid in enumerate(self.table.index):
            legend.append("━ ", style=PALETTE[i][1])
            legend.append(f"{gid} ", style="bold")
        legend.append(f"B at {self.app.temp_C:g}°C · ● working point · ", style="dim")
        legend.append("━ ", style=NEUTRAL[1])
        legend.append(f"load line Pc {self.app.pc:.2f} Hd {hd:g}", style="dim")
        self.query_one("#compare-legend", Static).update(legend)

    # ---------------------------------------------------------------- actions
    def action_temp(self, step: float) -> None:
        self.app.set_condition(temp_C=self.app.temp_C + step)

    def action_export(self) -> None:
        from ..data import export_frame

        if self.table is None:
            return
        path = Path.cwd() / f"compare-{self.app.temp_C:g}C.csv"
        try:
            export_frame(self.table, path)
        except Exception as exc:
            self.notify(str(exc), title="Export failed", severity="error")
            return
        self.notify(f"{len(self.table)} grades written to {path}", title="Exported")
