"""Screen 2, Trade-off: which grades hold at a required temperature, Pc and Hd, and what
they cost in Dy+Tb (or export-controlled content, or price) at equal flux.

Left: the qualifying grades ranked by the chosen metric (``find_substitutes``), with the
mass factor at equal flux. Right: rated temperature at (Pc, Hd) against Dy+Tb kg/kg for
every grade, the Pareto front, and the route curves of ``coercivity.tradeoff`` (how much
HREE bulk alloying, Dy or Tb diffusion need for each temperature). Below both, a detail
line says why the grade under the cursor answers (``magnets.substitution.why``, the text
``magnets substitute --why`` prints). With no field focused
``+``/``-`` step the temperature by 5 degC and ``[``/``]`` step Pc by 0.1; ``p`` cycles
both panes / plot only / table only (narrow terminals stack them).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from ..widgets.footer import MagnetsFooter
from ..widgets.frame_table import Col, FrameTable
from .base import MagnetsScreen

NARROW_WIDTH = 110
TEMP_STEP_C = 5.0
PC_STEP = 0.1
TEMP_GROUP = Binding.Group("T", compact=True)
PC_GROUP = Binding.Group("Pc", compact=True)
#: "auto" is the domain's default_rank_by: Dy+Tb in the reference's family, controlled
#: content once the family is widened (what `magnets substitute` does without --rank-by)
RANK_OPTIONS = [
    ("rank: auto", "auto"),
    ("rank: Dy+Tb", "dy_tb"),
    ("rank: controlled", "controlled"),
    ("rank: price", "price"),
]
REF_FAMILY_PROMPT = "family: ref's"

ROUTE_COLOURS = {  # plotext RGB, rich colour (same hue)
    "bulk": ((230, 80, 80), "#e65050"),
    "gbd-dy": ((240, 160, 40), "#f0a028"),
    "gbd-tb": ((120, 200, 80), "#78c850"),
    "dy-free": ((200, 110, 220), "#c86edc"),
}
QUALIFIES = ((80, 200, 240), "#50c8f0")
OTHER = ((140, 140, 140), "#8c8c8c")
FRONT = ((250, 220, 60), "#fadc3c")
REQUIRED = ((90, 130, 250), "#5a82fa")


def _g_per_kg(value: Any) -> str:
    return f"{float(value) * 1000:.1f}"


RANKED_COLUMNS = [
    Col("rank", "#", "{:.0f}", numeric=True),
    Col("id", "Grade", min_width=16),
    Col("route", "Route"),
    Col("t_max_C", "Rated °C", "{:.0f}", numeric=True),
    Col("mass_factor", "Mass ×", "{:.2f}", numeric=True),
    Col("Dy_Tb_kg_equal_flux", "Dy+Tb g/kg", _g_per_kg, numeric=True),
    Col("controlled_kg_equal_flux", "Ctrl g/kg", _g_per_kg, numeric=True),
    Col("price_usd_equal_flux", "$/kg", "{:.1f}", numeric=True),
    Col("mark", "", style=lambda v: "bold yellow"),
    Col("family", "Family"),
]


class RankedTable(FrameTable):
    """Qualifying grades; enter opens the grade."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", key_display="enter")
    ]


class TradeoffScreen(MagnetsScreen):
    """Requirement in, ranked grades and the rating-vs-HREE plot out."""

    AUTO_FOCUS = "#ranked"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "plus,equals_sign", "temp(1)", "Temperature +5 °C", key_display="+", group=TEMP_GROUP
        ),
        Binding("minus", "temp(-1)", "Temperature -5 °C", key_display="-", group=TEMP_GROUP),
        Binding("left_square_bracket", "pc(-1)", "Pc -0.1", key_display="[", group=PC_GROUP),
        Binding("right_square_bracket", "pc(1)", "Pc +0.1", key_display="]", group=PC_GROUP),
        Binding("slash", "focus_inputs", "Edit", key_display="/"),
        Binding("escape", "focus_table", "Table", show=False),
        Binding("p", "toggle_plot", "Panes"),
        Binding("y", "copy_row", "Copy", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="tradeoff")
        self.result: dict | None = None
        self.last_update_ms: float | None = None
        self._dirty = False

    def compose(self) -> ComposeResult:
        from ..widgets.plots import Plot

        yield Header()
        with Horizontal(id="conditions", classes="bar"):
            yield Label("T°C", classes="field-label")
            yield Input(id="temp", type="number", compact=True)
            yield Label("Pc", classes="field-label")
            yield Input(id="pc", type="number", compact=True)
            yield Label("Hd", classes="field-label")
            yield Input(id="hd", type="number", compact=True, tooltip="applied field, kA/m")
            yield Label("m×≤", classes="field-label")
            yield Input("1.2", id="massf", type="number", compact=True)
            yield Select(RANK_OPTIONS, value="auto", allow_blank=False, id="rank", compact=True)
            yield Select([], prompt=REF_FAMILY_PROMPT, id="tfamily", compact=True)
        yield Static("Loading…", id="tradeoff-status", classes="status")
        with Horizontal(id="tradeoff-body"):
            yield RankedTable(id="ranked", sortable=True)
            with Vertical(id="tradeoff-plot"):
                yield Plot(id="scatter")
                yield Static(id="scatter-legend")
        yield Static("", id="tradeoff-why", classes="why")
        yield MagnetsFooter()

    def on_mount(self) -> None:
        self.sub_title = "2 Trade-off"
        self._sync_inputs()
        self.app.when_library(self, self._on_library)
        self.app.condition_changed.subscribe(self, self._on_condition)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_screen_resume(self) -> None:
        self._sync_inputs()
        if self._dirty:
            self._dirty = False
            self.recompute()

    # ------------------------------------------------------------------ state
    def _sync_inputs(self) -> None:
        """Show the app's condition in the fields without firing change events."""
        app = self.app
        with self.prevent(Input.Changed):
            self.query_one("#temp", Input).value = f"{app.temp_C:g}"
            self.query_one("#pc", Input).value = f"{app.pc:.3g}"
            self.query_one("#hd", Input).value = f"{app.hd_kA_m:g}"

    def _on_library(self, session: Any) -> None:
        if session is None:
            self.query_one("#tradeoff-status", Static).update(
                f"[b red]No library[/]: {self.app.load_error}"
            )
            return
        families = sorted(session.lib.grades["family"].dropna().unique())
        options = [("family: any", "any")] + [(f"family: {f}", f) for f in families]
        self.query_one("#tfamily", Select).set_options(options)
        self._sync_inputs()
        self.recompute()

    def _on_condition(self, _app: Any) -> None:
        self._sync_inputs()
        if self.is_current:
            self.recompute()
        else:
            self._dirty = True

    @on(Input.Changed, "#temp, #pc, #hd")
    def _condition_typed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            value = float(event.value)
        except ValueError:
            return  # half-typed number: wait for more
        if event.input.id == "temp":
            self.app.set_condition(temp_C=value)
        elif event.input.id == "pc":
            if value <= 0:
                return
            self.app.set_condition(pc=value)
        else:
            self.app.set_condition(hd_kA_m=value)

    @on(Input.Changed, "#massf")
    @on(Select.Changed)
    def _option_changed(self, event: Any) -> None:
        event.stop()
        self.recompute()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(RankedTable).focus()

    # ---------------------------------------------------------------- compute
    def recompute(self) -> None:
        """Ask the domain for the ranked list, the points and the route curves; redraw both."""
        from ..data import tradeoff_view

        app = self.app
        if app.session is None:
            return
        start = time.perf_counter()
        rank = self.query_one("#rank", Select)
        fam = self.query_one("#tfamily", Select)
        try:
            massf = float(self.query_one("#massf", Input).value)
        except ValueError:
            massf = 1.2
        try:
            res = tradeoff_view(
                app.session,
                temp_C=app.temp_C,
                pc=app.pc,
                hd_kA_m=app.hd_kA_m,
                rank_by=None if rank.value == "auto" else str(rank.value),
                family=None if fam.is_blank() else str(fam.value),
                max_mass_factor=massf,
            )
        except Exception as exc:
            self.notify(str(exc), title="Trade-off failed", severity="error")
            return
        self.result = res
        ranked = res["ranked"]
        if len(ranked):
            ranked = ranked.assign(
                rank=range(1, len(ranked) + 1),
                mark=[
                    "ref" if r else ("★" if p else "")
                    for r, p in zip(ranked["is_reference"], ranked["pareto"], strict=True)
                ],
            )
        table = self.query_one(RankedTable)
        table.show(ranked, RANKED_COLUMNS if len(ranked) else RANKED_COLUMNS[:2])
        self._show_why()
        self._status(res)
        self._draw(res)
        self.last_update_ms = (time.perf_counter() - start) * 1000

    def _status(self, res: dict) -> None:
        from ..data import RANK_LABELS

        a = res["attrs"]
        if res["message"]:
            text = f"[b red]none qualifies[/]: {res['message']}"
        else:
            own = " (the reference's)" if a.get("family_is_reference") else ""
            how = " (auto)" if a.get("rank_by_default") else ""
            text = (
                f"[b]{a['n_qualifying']}[/] hold [b]{a['temp_C']:g}[/] °C at Pc {a['pc']:.2f}, "
                f"Hd {a['hd_kA_m']:g} kA/m, cold {a['cold_C']:g} °C · ref [b]{a['reference']}[/]"
                f" · family [b]{a.get('family', '?')}[/]{own}"
                f" · ranked by [b]{RANK_LABELS.get(a['rank_by'], a['rank_by'])}[/]{how}"
                " at equal flux (g/kg of ref.) · ★ Pareto"
            )
        self.query_one("#tradeoff-status", Static).update(text)

    def _draw(self, res: dict) -> None:
        import numpy as np

        from ..widgets.plots import Plot

        temp = float(res["attrs"]["temp_C"])
        points = res["points"]
        front = res["front"]
        routes = res["routes"]

        # The series as plain float lists, picked out once per update with numpy (the plot
        # is drawn again on every render: resize, theme change).
        route_names = routes["route"].to_numpy(dtype=object)
        route_x = _floats(routes["hree_wt_pct"]) / 100.0
        route_y = _floats(routes["temp_C"])
        route_series = []
        for route, (colour, _) in ROUTE_COLOURS.items():
            pick = route_names == route
            route_series.append((colour, *_finite_lists(route_x[pick], route_y[pick])))
        qualifies = points["qualifies"].to_numpy(dtype=bool)
        point_x = _floats(points["Dy_Tb_kg_per_kg"])
        point_y = _floats(points["t_max_C"])
        other_xy = _finite_lists(point_x[~qualifies], point_y[~qualifies])
        qual_xy = _finite_lists(point_x[qualifies], point_y[qualifies])
        front_xy = _finite_lists(_floats(front["Dy_Tb_kg_per_kg"]), _floats(front["t_max_C"]))
        finite_y = point_y[np.isfinite(point_y)]
        y_top = max([300.0, *finite_y.tolist()]) + 10

        def draw(plt: Any) -> None:
            x_max = 0.0
            for colour, x, y in route_series:
                if x:
                    plt.plot(x, y, color=colour, marker="hd")
                    x_max = max(x_max, max(x))
            x, y = other_xy
            if x:
                plt.scatter(x, y, color=OTHER[0], marker="•")
                x_max = max(x_max, max(x))
            x, y = front_xy
            if x:
                # a step line: each front grade holds its rating for any leaner budget above it
                sx, sy = [], []
                for i in range(len(x)):
                    if i:
                        sx.append(x[i])
                        sy.append(y[i - 1])
                    sx.append(x[i])
                    sy.append(y[i])
                plt.plot(sx, sy, color=FRONT[0], marker="hd")
            x, y = qual_xy
            if x:
                plt.scatter(x, y, color=QUALIFIES[0], marker="●")
                x_max = max(x_max, max(x))
            x_max = max(x_max, 0.01) * 1.05
            plt.hline(temp, color=REQUIRED[0])
            plt.xlim(-0.002, x_max)
            plt.ylim(40, y_top)
            plt.xlabel("Dy+Tb kg/kg")
            plt.ylabel("rated °C")

        self.query_one("#scatter", Plot).draw(draw)
        legend = Text()
        legend.append("● ", style=QUALIFIES[1])
        legend.append("holds ")
        legend.append("• ", style=OTHER[1])
        legend.append("other ")
        legend.append("━ ", style=FRONT[1])
        legend.append(f"Pareto {res['front_scope']} ")
        legend.append("━ ", style=REQUIRED[1])
        legend.append(f"{temp:g}°C ")
        legend.append("routes:", style="dim")
        for route, (_, rich_colour) in ROUTE_COLOURS.items():
            legend.append(" ━", style=rich_colour)
            legend.append(route)
        self.query_one("#scatter-legend", Static).update(legend)

    # ---------------------------------------------------------------- actions
    def action_temp(self, direction: int) -> None:
        self.app.set_condition(temp_C=self.app.temp_C + TEMP_STEP_C * direction)

    def action_pc(self, direction: int) -> None:
        pc = round(self.app.pc + PC_STEP * direction, 2)
        if pc <= 0:
            self.notify("Pc must stay above zero.", severity="warning")
            return
        self.app.set_condition(pc=pc)

    def action_focus_inputs(self) -> None:
        self.query_one("#temp", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(RankedTable).focus()

    def action_toggle_plot(self) -> None:
        """Cycle the panes: both, plot only, table only."""
        from ..widgets.plots import cycle_panes

        cycle_panes(self)

    def action_copy_row(self) -> None:
        table = self.query_one(RankedTable)
        text = table.current_row_text()
        if text:
            self.app.copy_to_clipboard(text)
            self.notify(f"Copied the row of {table.current_key()}.", title="Copied")

    @on(DataTable.RowHighlighted, "#ranked")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_why()

    def _show_why(self) -> None:
        """The detail line: why the grade under the cursor answers (the domain's ``why``,
        what ``magnets substitute --why`` prints)."""
        table = self.query_one(RankedTable)
        key = table.current_key()
        frame = table.frame
        text = "" if key is None or frame is None else why_line(frame, key)
        self.query_one("#tradeoff-why", Static).update(text)

    @on(DataTable.RowSelected, "#ranked")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.open_grade(event.row_key.value)


def why_line(ranked: Any, grade_id: str) -> Any:
    """The trade-off detail line for one ranked grade: its id and the domain's ``why``
    (:func:`magnets.substitution.why.why`, a column of find_substitutes' frame)."""
    rows = ranked.loc[ranked.index.astype(str) == str(grade_id)]
    if not len(rows) or "why" not in rows.columns:
        return Text("")
    line = Text("Why ", style="bold")
    line.append(str(grade_id), style="bold")
    line.append(": ")
    line.append(str(rows["why"].iloc[0]))
    return line


def _floats(column: Any) -> Any:
    """A numeric column as a float64 array, missing values as NaN."""
    return column.to_numpy(dtype=float, na_value=float("nan"))


def _finite_lists(x: Any, y: Any) -> tuple[list[float], list[float]]:
    """The (x, y) pairs where both are finite, as float lists (what ``finite_pairs`` gives)."""
    import numpy as np

    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep].tolist(), y[keep].tolist()
