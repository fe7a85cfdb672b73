"""Screen 4, Fleet: primary element demand of a fleet of motors per year and scenario
(``magnets.fleet.project_fleet``), against world production.

Open a fleet TOML by path (``/``), with ``--fleet FILE``, or the bundled example (``x``).
Tick the scenarios to compare, pick the element (``n`` cycles), read the chart and the
table; ``e``/``E`` export the table as shown (CSV/XLSX). ``p`` cycles both panes /
chart only / table only (narrow terminals stack them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Header, Input, Select, Static

from ..widgets.file_actions import FileScreen
from ..widgets.footer import MagnetsFooter
from ..widgets.frame_table import Col, FrameTable

if TYPE_CHECKING:  # pragma: no cover - pandas and the data module load with the first file
    import pandas as pd

    from ..data import FleetView, Session

NARROW_WIDTH = 110
ELEMENTS = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")
EXPORT_GROUP = Binding.Group("Export", compact=True)


class FleetScreen(FileScreen["FleetView"]):
    """Fleet demand per element and year, per scenario, with world production."""

    AUTO_FOCUS = "#fleet-table"
    EXAMPLE = "fleet.toml"
    NOUN = "fleet"
    FAIL_VERB = "project"
    EMPTY_PATH_HINT = "Type the path of a fleet TOML file."
    ROWS_WORD = "rows"
    PATH_INPUT = "#fleet-path"
    STATUS = "#fleet-status"
    LOADING = "#fleet-body"
    TABLE = "#fleet-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_path", "Open", key_display="/"),
        Binding("x", "open_example", "Example", show=False),
        Binding("n", "next_element", "Element"),
        Binding("p", "toggle_plot", "Panes"),
        Binding("e", "export('csv')", "Export CSV", key_display="e", group=EXPORT_GROUP),
        Binding("E", "export('xlsx')", "Export XLSX", key_display="E", group=EXPORT_GROUP),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="fleet")
        self.view: FleetView | None = None
        self.series: pd.DataFrame | None = None  # shown in the table

    def compose(self) -> ComposeResult:
        from ..widgets.plots import Plot

        yield Header()
        with Horizontal(id="fleet-bar", classes="bar"):
            yield Input(
                placeholder="/ fleet TOML, enter opens; x: example", id="fleet-path", compact=True
            )
            yield Select(
                [(el, el) for el in ELEMENTS],
                value="Dy",
                allow_blank=False,
                id="element",
                compact=True,
            )
        yield Horizontal(id="scenarios", classes="bar")
        yield Static("No fleet open.", id="fleet-status", classes="status")
        with Horizontal(id="fleet-body"):
            with Vertical(id="fleet-plot"):
                yield Plot(id="fleet-chart")
                yield Static(id="fleet-legend")
            yield FrameTable(id="fleet-table", sortable=False)
        yield MagnetsFooter()

    def on_mount(self) -> None:
        self.sub_title = "4 Fleet"
        self.app.when_library(self, self._on_library)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # ------------------------------------------------------------------ open
    def start_path(self) -> Path | None:
        return self.app.fleet_path

    def load(self, session: Session, path: Path) -> FleetView:
        from ..data import load_fleet

        return load_fleet(session, path)

    async def _loaded(self, view: FleetView) -> None:
        self.view = view
        self.query_one("#fleet-body").loading = False
        bar = self.query_one("#scenarios", Horizontal)
        await bar.remove_children()
        boxes = [
            Checkbox(name, value=True, name=name, compact=True) for name in view.result.scenarios
        ]
        await bar.mount(Static("Scenarios:", classes="field-label"), *boxes)
        for warning in list(view.result.warnings)[:3]:
            self.notify(warning, title="Fleet warning", severity="warning", timeout=10)
        self.refresh_view()
        self.query_one("#fleet-table", FrameTable).focus()
        self.refresh_bindings()

    @on(Checkbox.Changed)
    @on(Select.Changed, "#element")
    def _changed(self, event: Any) -> None:
        event.stop()
        self.refresh_view()

    # ----------------------------------------------------------------- render
    def selected(self) -> list[str]:
        return [
            box.name
            for box in self.query("#scenarios Checkbox").results(Checkbox)
            if box.value and box.name is not None
        ]

    def element(self) -> str:
        return str(self.query_one("#element", Select).value)

    def refresh_view(self) -> None:
        from ..data import example_path, fleet_series

        v = self.view
        if v is None:
            return
        element = self.element()
        scenarios = self.selected()
        self.series = series = fleet_series(v, element, scenarios)
        cols = [Col("year", "Year", "{:.0f}", numeric=True)]
        for c in series.columns[1:]:
            fmt = "{:,.1f}" if c.endswith("%") else "{:,.0f}"
            cols.append(
                Col(
                    c, c.replace(" t", " t/yr").replace(" %", " % world primary"), fmt, numeric=True
                )
            )
        self.query_one("#fleet-table", FrameTable).show(series, cols)
        spec = v.result.spec
        world = v.world_note.get(element) or "no figure of its own in the library"
        self.query_one("#fleet-status", Static).update(
            f"[b]{v.path.name}[/]{' (example)' if v.path == example_path(v.path.name) else ''}"
            f" · {len(spec.segments)} segments · {v.result.years[0]}-{v.result.years[-1]}"
            f" · primary [b]{element}[/], t/yr · supply: {world}"
        )
        self._draw(v, series, element, scenarios)

    def _draw(self, view: FleetView, series: Any, element: str, scenarios: list[str]) -> None:
        import math

        from ..widgets.plots import NEUTRAL, PALETTE, Plot, finite_pairs

        world_t = view.world_t.get(element, float("nan"))
        years = series["year"].tolist()

        def draw(plt: Any) -> None:
            for i, s in enumerate(scenarios):
                col = f"{s} t"
                if col in series.columns:
                    x, y = finite_pairs(years, series[col].tolist())
                    plt.plot(x, y, color=PALETTE[i % len(PALETTE)][0], marker="hd")
            if math.isfinite(world_t):
                plt.hline(world_t, color=NEUTRAL[0])
            if years:
                plt.xlim(years[0], years[-1])
                step = 5 if len(years) > 12 else 1
                ticks = [y for y in years if y % step == 0]
                plt.xticks(ticks, [str(y) for y in ticks])
            plt.xlabel("year")
            plt.ylabel(f"{element} t/yr")
            values = [
                v
                for s in scenarios
                if f"{s} t" in series.columns
                for v in series[f"{s} t"].tolist()
            ]
            top = max(
                [v for v in values if math.isfinite(v)]
                + ([world_t] if math.isfinite(world_t) else [])
                + [1.0]
            )
            bottom = min([0.0] + [v for v in values if math.isfinite(v)])
            plt.ylim(bottom, top * 1.08)

        self.query_one("#fleet-chart", Plot).draw(draw)
        legend = Text()
        for i, s in enumerate(scenarios):
            legend.append("━ ", style=PALETTE[i % len(PALETTE)][1])
            legend.append(f"{s}  ")
        if math.isfinite(world_t):
            legend.append("━ ", style=NEUTRAL[1])
            legend.append(f"primary supply {world_t:,.0f} t {element}")
        self.query_one("#fleet-legend", Static).update(legend)

    # ---------------------------------------------------------------- actions
    def action_next_element(self) -> None:
        select = self.query_one("#element", Select)
        i = ELEMENTS.index(self.element()) if self.element() in ELEMENTS else -1
        select.value = ELEMENTS[(i + 1) % len(ELEMENTS)]

    def action_toggle_plot(self) -> None:
        """Cycle the panes: both, plot only, table only."""
        from ..widgets.plots import cycle_panes

        cycle_panes(self)

    # ----------------------------------------------------------------- export
    def export_target(self, fmt: str) -> tuple[Path, str] | None:
        if self.series is None or self.view is None:
            return None
        element = self.element()
        default = Path.cwd() / f"{self.view.path.stem}-{element}.{fmt}"
        return default, f"{element} demand as shown"

    def export_frame(self) -> Any:
        assert self.series is not None  # export is offered only once a table is shown
        return self.series.reset_index(drop=True)
