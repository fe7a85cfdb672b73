"""Screen 4, Fleet: primary element demand of a fleet of motors per year and scenario
(``magnets.fleet.project_fleet``), against world production.

Open a fleet TOML by path (``/``), with ``--fleet FILE``, or the bundled example (``x``).
Tick the scenarios to compare, pick the element (``n`` cycles), read the chart and the
table; ``e``/``E`` export the table as shown (CSV/XLSX). ``p`` cycles both panes /
chart only / table only (narrow terminals stack them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Header, Input, Select, Static

from ..widgets.footer import MagnetsFooter
from ..widgets.frame_table import Col, FrameTable

NARROW_WIDTH = 110
ELEMENTS = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")
EXPORT_GROUP = Binding.Group("Export", compact=True)


class FleetScreen(Screen[None]):
    """Fleet demand per element and year, per scenario, with world production."""

    AUTO_FOCUS = "#fleet-table"

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
        self.view = None  # data.FleetView
        self.series = None  # DataFrame shown in the table

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

    def _on_library(self, session: Any) -> None:
        if session is None:
            return
        from ..data import example_path

        self.open(self.app.fleet_path or example_path("fleet.toml"))

    # ------------------------------------------------------------------ open
    def open(self, path: Path) -> None:
        from ..data import example_path

        if self.app.session is None:
            return
        # The bundled example is named, not shown by its install path (stable screenshots).
        is_example = Path(path) == example_path("fleet.toml")
        self.query_one("#fleet-path", Input).value = "" if is_example else str(path)
        self.query_one("#fleet-body").loading = True
        self._project(Path(path))

    @work(thread=True, exclusive=True, group="fleet")
    def _project(self, path: Path) -> None:
        from ..data import load_fleet

        try:
            view = load_fleet(self.app.session, path)
        except Exception as exc:  # noqa: BLE001 - bad TOML, unknown grade...: tell, don't crash
            self.app.call_from_thread(self._failed, path, exc)
            return
        self.app.call_from_thread(self._loaded, view)

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.query_one("#fleet-body").loading = False
        self.refresh_bindings()
        self.notify(
            f"{exc}\nFix the file or open another (/ then a path, or x for the example).",
            title=f"Cannot project {path.name}",
            severity="error",
            timeout=15,
        )
        if self.view is None:
            self.query_one("#fleet-status", Static).update(f"[b red]Could not open {path}[/]")

    async def _loaded(self, view: Any) -> None:
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

    @on(Input.Submitted, "#fleet-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("Type the path of a fleet TOML file.", severity="warning")
            return
        self.open(Path(text).expanduser())

    @on(Checkbox.Changed)
    @on(Select.Changed, "#element")
    def _changed(self, event: Any) -> None:
        event.stop()
        self.refresh_view()

    # ----------------------------------------------------------------- render
    def selected(self) -> list[str]:
        return [
            box.name for box in self.query("#scenarios Checkbox").results(Checkbox) if box.value
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
                Col(c, c.replace(" t", " t/yr").replace(" %", " % world"), fmt, numeric=True)
            )
        self.query_one("#fleet-table", FrameTable).show(series, cols)
        spec = v.result.spec
        world = v.world_note.get(element)
        self.query_one("#fleet-status", Static).update(
            f"[b]{v.path.name}[/]{' (example)' if v.path == example_path(v.path.name) else ''}"
            f" · {len(spec.segments)} segments · {v.result.years[0]}-{v.result.years[-1]}"
            f" · primary [b]{element}[/], t/yr · world: {world or 'no per-element figure in the library'}"
        )
        self._draw(series, element, scenarios)

    def _draw(self, series: Any, element: str, scenarios: list[str]) -> None:
        import math

        from ..widgets.plots import NEUTRAL, PALETTE, Plot, finite_pairs

        world_t = self.view.world_t.get(element, float("nan"))
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
            legend.append(f"world production {world_t:,.0f} t {element}")
        self.query_one("#fleet-legend", Static).update(legend)

    # ---------------------------------------------------------------- actions
    def action_next_element(self) -> None:
        select = self.query_one("#element", Select)
        i = ELEMENTS.index(self.element()) if self.element() in ELEMENTS else -1
        select.value = ELEMENTS[(i + 1) % len(ELEMENTS)]

    def action_toggle_plot(self) -> None:
        """Cycle the panes: both, plot only, table only."""
        if self.has_class("-plot-only"):
            self.set_class(False, "-plot-only")
            self.set_class(True, "-table-only")
        elif self.has_class("-table-only"):
            self.set_class(False, "-table-only")
        else:
            self.set_class(True, "-plot-only")

    def action_open_example(self) -> None:
        from ..data import example_path

        self.open(example_path("fleet.toml"))

    def action_focus_path(self) -> None:
        self.query_one("#fleet-path", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#fleet-table", FrameTable).focus()

    def action_export(self, fmt: str) -> None:
        from ..widgets.export_dialog import ExportDialog

        if self.series is None:
            self.notify("Open a fleet first.", severity="warning")
            return
        default = Path.cwd() / f"{self.view.path.stem}-{self.element()}.{fmt}"
        self.app.push_screen(
            ExportDialog(default, f"{self.element()} demand as shown"), self._export_to
        )

    def _export_to(self, path: Path | None) -> None:
        if path is None:
            return
        self._write(self.series.reset_index(drop=True), path)

    @work(thread=True, group="export")
    def _write(self, frame: Any, path: Path) -> None:
        from ..data import export_frame

        try:
            out = export_frame(frame, path)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(
                self.notify, f"{exc}", title="Export failed", severity="error"
            )
            return
        self.app.call_from_thread(
            self.notify, f"{len(frame)} rows written to {out}", title="Exported"
        )
