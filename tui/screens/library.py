"""Screen 1, Library: every grade in one sortable table with a filter bar.

Columns: id, family, route, Br, HcJ, BHmax, catalogue rating, rating at the current
(Pc, Hd) (from the domain's rating function), Dy/Tb/Sm/Gd wt%, composition basis and
the export-controlled elements as of the date. ``/`` focuses the filter, ``enter``
opens the grade, ``y`` copies the row, ``<``/``>``/``r`` sort.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from ..widgets.footer import MagnetsFooter
from ..widgets.frame_table import Col, FrameTable
from .base import MagnetsScreen


def _basis_style(value: Any) -> str:
    return {"sourced": "green", "derived": "", "estimate": "yellow italic"}.get(str(value), "")


def _export_style(value: Any) -> str:
    text = str(value)
    if text.startswith("●"):
        return "bold red"
    if text.startswith("?"):
        return "yellow"
    return ""


LIBRARY_COLUMNS = [
    Col("id", "Grade", min_width=16),
    Col("mark", "✓", style=lambda v: "bold yellow"),
    Col("family", "Family"),
    Col("route", "Route"),
    Col("Br_T", "Br T", "{:.2f}", numeric=True),
    Col("HcJ_kA_m", "HcJ kA/m", "{:.0f}", numeric=True),
    Col("BHmax_kJ_m3", "BHmax kJ/m³", "{:.0f}", numeric=True),
    Col("max_temp_C", "Cat. °C", "{:.0f}", numeric=True),
    Col("t_max_C", "Rated °C", "{:.0f}", numeric=True, style=lambda v: "bold"),
    Col("Dy_wt_pct", "Dy wt%", "{:.2f}", numeric=True),
    Col("Tb_wt_pct", "Tb wt%", "{:.2f}", numeric=True),
    Col("Sm_wt_pct", "Sm wt%", "{:.1f}", numeric=True),
    Col("Gd_wt_pct", "Gd wt%", "{:.1f}", numeric=True),
    Col("composition_basis", "Comp.", style=_basis_style),
    Col("export", "Export ctl", style=_export_style),
    Col("name", "Name"),
    Col("manufacturer", "Maker"),
]


class GradesTable(FrameTable):
    """The grades table; enter opens the grade under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", key_display="enter"),
        Binding("space", "screen.toggle_mark", "Mark", key_display="space"),
    ]


class LibraryScreen(MagnetsScreen):
    """All grades, filtered and sorted; enter opens one."""

    AUTO_FOCUS = "#grades"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("escape", "focus_table", "Table", show=False),
        Binding("x", "clear_filters", "Clear"),
        Binding("y", "copy_row", "Copy"),
        Binding("c", "compare", "Compare"),
    ]

    def __init__(self) -> None:
        super().__init__(id="library")
        self.view = None  # full library view frame (DataFrame)
        #: grades marked for the compare screen (space), in the order marked
        self.marked: list[str] = []
        self._dirty = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters", classes="bar"):
            yield Input(placeholder="/ search", id="search", compact=True)
            yield Select([], prompt="Family: any", id="family", compact=True)
            yield Select([], prompt="Route: any", id="route", compact=True)
            yield Input(placeholder="max Dy+Tb%", id="max-dytb", type="number", compact=True)
            yield Input(placeholder="min rated°C", id="min-rating", type="number", compact=True)
        yield Static("Loading the grade library…", id="library-status", classes="status")
        yield GradesTable(id="grades")
        yield MagnetsFooter()

    def on_mount(self) -> None:
        self.sub_title = "1 Library"
        table = self.query_one(FrameTable)
        table.loading = True
        self.app.when_library(self, self._on_library)
        self.app.condition_changed.subscribe(self, self._on_condition)

    # ------------------------------------------------------------------ data
    def _on_library(self, session: Any) -> None:
        table = self.query_one(FrameTable)
        table.loading = False
        if session is None:
            self.query_one("#library-status", Static).update(
                f"[b red]No library[/]: {self.app.load_error}"
            )
            return
        grades = session.lib.grades
        families = sorted(grades["family"].dropna().unique())
        routes = sorted(grades["route"].dropna().unique())
        self.query_one("#family", Select).set_options([(f, f) for f in families])
        self.query_one("#route", Select).set_options([(r, r) for r in routes])
        self.refresh_view()
        table.focus()
        self.refresh_bindings()

    def _on_condition(self, _app: Any) -> None:
        if self.is_current:
            self.refresh_view()
        else:
            self._dirty = True

    def on_screen_resume(self) -> None:
        if self._dirty:
            self._dirty = False
            self.refresh_view()

    def refresh_view(self) -> None:
        """Recompute the table (ratings at the app's condition) and apply the filters."""
        from ..data import library_view

        app = self.app
        if app.session is None:
            return
        try:
            self.view = library_view(app.session, pc=app.pc, hd_kA_m=app.hd_kA_m)
        except Exception as exc:
            self.notify(str(exc), title="Could not rate the library", severity="error")
            return
        self.apply_filters()

    def filtered(self) -> Any:
        """The view narrowed by the filter bar (a DataFrame)."""
        from ..data import filter_grades

        return filter_grades(
            self.view,
            text=self.query_one("#search", Input).value,
            family=_select_value(self.query_one("#family", Select)),
            route=_select_value(self.query_one("#route", Select)),
            max_dy_tb=_number(self.query_one("#max-dytb", Input).value),
            min_rating=_number(self.query_one("#min-rating", Input).value),
        )

    def apply_filters(self) -> None:
        if self.view is None:
            return
        shown = self.filtered()
        shown = shown.assign(mark=["✓" if i in self.marked else "" for i in shown.index])
        self.query_one(FrameTable).show(shown, LIBRARY_COLUMNS)
        app = self.app
        text = self.query_one("#search", Input).value.strip()
        what = f" match [b]{escape(text)}[/]" if text else ""
        self.query_one("#library-status", Static).update(
            f"[b]{len(shown)}[/]/{len(self.view)} grades{what} · rated at Pc [b]{app.pc:.2f}[/]"
            f" Hd [b]{app.hd_kA_m:.0f}[/] kA/m · controls as of {app.as_of:%Y-%m-%d}:"
            f" [b red]●[/] controlled [yellow]?[/] unknown"
            + (f" · [b]{len(self.marked)}[/] marked (c compare)" if self.marked else "")
        )

    @on(Input.Changed)
    @on(Select.Changed)
    def _filters_changed(self, event: Any) -> None:
        event.stop()
        self.apply_filters()

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(FrameTable).focus()

    # --------------------------------------------------------------- actions
    def action_focus_filter(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(FrameTable).focus()

    def action_clear_filters(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            for inp in self.query(Input):
                inp.value = ""
            for sel in self.query(Select):
                sel.clear()
        self.apply_filters()

    def action_copy_row(self) -> None:
        table = self.query_one(FrameTable)
        text = table.current_row_text()
        if not text:
            self.notify("No grade under the cursor.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the row of {table.current_key()} (tab-separated).", title="Copied")

    def action_toggle_mark(self) -> None:
        """Mark or unmark the grade under the cursor for the compare screen (four at most)."""
        from .compare import MAX_COMPARED

        key = self.query_one(FrameTable).current_key()
        if key is None:
            return
        if key in self.marked:
            self.marked.remove(key)
        elif len(self.marked) >= MAX_COMPARED:
            self.notify(
                f"Compare holds {MAX_COMPARED} grades: unmark one first.", severity="warning"
            )
            return
        else:
            self.marked.append(key)
        self.apply_filters()

    def action_compare(self) -> None:
        from .compare import CompareScreen

        if len(self.marked) < 2:
            self.notify("Mark two to four grades with space, then press c.", severity="warning")
            return
        self.app.push_screen(CompareScreen(self.marked))

    def action_open_grade(self) -> None:
        key = self.query_one(FrameTable).current_key()
        if key is not None:
            self.app.open_grade(key)

    @on(DataTable.RowSelected, "#grades")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.app.open_grade(event.row_key.value)


def _select_value(select: Select) -> str | None:
    return None if select.is_blank() else str(select.value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
