"""Screen 3, BOM: a bill of materials evaluated line by line by ``magnets.bom.evaluate_bom``.

Open a file by typing its path (``/`` focuses the field, ``enter`` opens), with
``--bom FILE``, or the bundled example (``x``). Each line shows its status (green ok,
yellow below rating, red error), rating and margin, kg of Dy/Tb/controlled elements and a
leaner substitute; under the table, why the substitute of the line under the cursor answers
(the BOM's ``suggested_why``, built by ``magnets.substitution.why``). ``space`` takes or
drops the substitute of the line under the cursor, ``a`` takes or drops all of them; the
totals per element below follow. ``e`` exports what is shown as CSV, ``E`` as XLSX.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Static

from ..widgets.file_actions import FileScreen
from ..widgets.footer import MagnetsFooter
from ..widgets.frame_table import Col, FrameTable

if TYPE_CHECKING:  # pragma: no cover - numpy and the data module load with the first file
    import numpy as np
    from numpy.typing import NDArray

    from ..data import BomView, Session

STATUS_STYLES = {"ok": "bold green", "below_rating": "bold yellow", "error": "bold red"}
EXPORT_GROUP = Binding.Group("Export", compact=True)


def _kg(value: Any) -> str:
    return f"{float(value):.4f}"


def _status_label(value: Any) -> str:
    return {"ok": "ok", "below_rating": "below", "error": "error"}.get(str(value), str(value))


def _name(path: Path) -> str:
    from ..data import example_path

    return f"{path.name} (example)" if path == example_path(path.name) else path.name


class BomTable(FrameTable):
    """BOM lines; space toggles the suggestion of the line under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "screen.toggle_line", "Use", key_display="space"),
        Binding("enter", "select_cursor", "Grade", show=False),
    ]


class BomScreen(FileScreen["BomView"]):
    """Evaluated BOM lines, substitutes to take or leave, totals per element."""

    AUTO_FOCUS = "#bom-lines"
    EXAMPLE = "bom.csv"
    NOUN = "BOM"
    FAIL_VERB = "evaluate"
    EMPTY_PATH_HINT = "Type the path of a BOM file (CSV, XLSX or Parquet)."
    ROWS_WORD = "lines"
    PATH_INPUT = "#bom-path"
    STATUS = "#bom-status"
    LOADING = "#bom-lines"
    TABLE = "#bom-lines"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_path", "Open", key_display="/"),
        Binding("x", "open_example", "Example", show=False),
        Binding("a", "toggle_all", "All"),
        Binding("e", "export('csv')", "Export CSV", key_display="e", group=EXPORT_GROUP),
        Binding("E", "export('xlsx')", "Export XLSX", key_display="E", group=EXPORT_GROUP),
        Binding("escape", "focus_table", "Table", show=False),
        Binding("y", "copy_row", "Copy", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="bom")
        self.view: BomView | None = None
        #: whether each line's substitute is taken (set with the view)
        self.chosen: NDArray[np.bool_] | None = None
        self._pending: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="bom-bar", classes="bar"):
            yield Input(
                placeholder="/ BOM file (CSV, XLSX, Parquet), enter opens; x: example",
                id="bom-path",
                compact=True,
            )
        yield Static("No BOM open.", id="bom-status", classes="status")
        yield BomTable(id="bom-lines")
        yield Static("", id="bom-why", classes="why")
        yield Static(id="bom-totals")
        yield MagnetsFooter()

    def on_mount(self) -> None:
        self.sub_title = "3 BOM"
        self.app.when_library(self, self._on_library)

    # ------------------------------------------------------------------ open
    def start_path(self) -> Path | None:
        return self.app.bom_path

    def load(self, session: Session, path: Path) -> BomView:
        from ..data import load_bom

        return load_bom(session, path)

    def _loaded(self, view: BomView) -> None:
        import numpy as np

        self.view = view
        self.chosen = np.zeros(len(view.table), dtype=bool)
        table = self.query_one(BomTable)
        table.loading = False
        self.refresh_table()
        for warning in view.result.warnings[:3]:
            self.notify(warning, title="BOM warning", severity="warning", timeout=10)
        table.focus()
        self.refresh_bindings()  # the footer missed the table's keys while it was loading

    # ----------------------------------------------------------------- render
    def _columns(self, v: BomView) -> list[Col]:
        cols = [Col("line", "Line", "{:.0f}", numeric=True)]
        if v.part_col:
            cols.append(Col(v.part_col, "Part"))
        if v.grade_col:
            cols.append(Col(v.grade_col, "Grade", min_width=12))
        cols += [
            Col("status", "Status", _status_label, style=lambda s: STATUS_STYLES.get(str(s), "")),
            Col("t_max_C", "Rated°C", "{:.0f}", numeric=True),
            Col(
                "margin_C",
                "Margin",
                "{:+.0f}",
                numeric=True,
                style=lambda m: "red" if float(m) < 0 else "",
            ),
            Col("Dy_kg", "Dy kg", _kg, numeric=True),
            Col("Tb_kg", "Tb kg", _kg, numeric=True),
            Col("controlled_kg", "Ctrl kg", _kg, numeric=True),
            Col("use", "Use", style=lambda v: "bold green"),
            Col("suggested_grade", "Substitute", min_width=16),
            Col("suggested_mass_factor", "Mass×", "{:.2f}", numeric=True),
            Col("saving_Dy_Tb_kg", "Saves Dy+Tb", _kg, numeric=True),
            Col("message", "Message", style=lambda v: "dim"),
        ]
        return cols

    def refresh_table(self) -> None:
        v, chosen = self.view, self.chosen
        if v is None or chosen is None:
            return
        import numpy as np

        shown = v.table.assign(
            use=np.where(chosen & v.has_suggestion, "✓", np.where(v.has_suggestion, "·", ""))
        )
        self.query_one(BomTable).show(shown, self._columns(v))
        self._show_why()
        self._update_totals(v, chosen)

    @on(DataTable.RowHighlighted, "#bom-lines")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_why()

    def _show_why(self) -> None:
        """The detail line: why the substitute of the line under the cursor answers (the
        BOM's ``suggested_why``, from the domain's ``why``), or why there is none."""
        key = self.query_one(BomTable).current_key()
        text = "" if self.view is None or key is None else bom_why_line(self.view, key)
        self.query_one("#bom-why", Static).update(text)

    def _update_totals(self, v: BomView, chosen: NDArray[np.bool_]) -> None:
        from ..data import bom_totals

        totals = bom_totals(v, chosen)
        counts = v.table["status"].astype(str).value_counts()
        n_use = int((chosen & v.has_suggestion).sum())
        n_sug = int(v.has_suggestion.sum())
        app = self.app
        self.query_one("#bom-status", Static).update(
            f"[b]{_name(v.path)}[/] · {len(v.table)} lines: [green]{counts.get('ok', 0)} ok[/], "
            f"[yellow]{counts.get('below_rating', 0)} below[/], "
            f"[red]{counts.get('error', 0)} error[/]"
            f" · substitutes used {n_use}/{n_sug} · as of {app.as_of:%Y-%m-%d}"
        )
        t = Table(box=None, padding=(0, 0, 0, 1), expand=True, show_edge=False, header_style="bold")
        t.add_column("kg", no_wrap=True)
        for col in totals.columns:
            t.add_column("ctrl" if col == "controlled" else col, justify="right")
        for name, row in totals.iterrows():
            cells = []
            for value in row:
                style = ""
                if name == "change":
                    style = "green" if value < -1e-12 else ("red" if value > 1e-12 else "dim")
                text = f"{value:+.4f}" if name == "change" else f"{value:.4f}"
                cells.append(Text(text, style=style))
            t.add_row(Text(str(name), style="bold"), *cells)
        self.query_one("#bom-totals", Static).update(t)

    # ---------------------------------------------------------------- actions
    def action_toggle_line(self) -> None:
        table = self.query_one(BomTable)
        key = table.current_key()
        chosen = self.chosen
        if self.view is None or chosen is None or key is None:
            return
        i = int(key)
        if not self.view.has_suggestion[i]:
            self.notify("This line has no leaner substitute.", severity="warning", timeout=3)
            return
        chosen[i] = not chosen[i]
        self.refresh_table()

    def action_toggle_all(self) -> None:
        chosen = self.chosen
        if self.view is None or chosen is None:
            return
        has = self.view.has_suggestion
        take = not bool(chosen[has].all()) if has.any() else False
        chosen[:] = take & has
        self.refresh_table()

    def action_copy_row(self) -> None:
        table = self.query_one(BomTable)
        text = table.current_row_text()
        if text:
            self.app.copy_to_clipboard(text)
            self.notify("Copied the line (tab-separated).", title="Copied")

    # ----------------------------------------------------------------- export
    def export_target(self, fmt: str) -> tuple[Path, str] | None:
        if self.view is None:
            return None
        return Path.cwd() / f"{self.view.path.stem}-evaluated.{fmt}", "the BOM as shown"

    def export_frame(self) -> Any:
        from ..data import bom_export_frame

        frame = self.query_one(BomTable).frame  # the order shown
        # export is offered only once a BOM is shown (export_target)
        assert self.view is not None and self.chosen is not None and frame is not None
        full = bom_export_frame(self.view, self.chosen)
        return full.iloc[[int(k) for k in frame.index]]

    @on(DataTable.RowSelected, "#bom-lines")
    def _open_grade(self, event: DataTable.RowSelected) -> None:
        event.stop()
        v, session = self.view, self.app.session
        if v is None or v.grade_col is None or session is None:
            return
        grade = str(v.table.loc[event.row_key.value, v.grade_col])
        try:
            v_pos = session.lib.position(grade)
        except Exception as exc:
            self.notify(str(exc), severity="warning")
            return
        self.app.open_grade(str(session.lib.grades.index[v_pos]))


def bom_why_line(view: BomView, key: str) -> Any:
    """The BOM detail line for the line ``key`` (row position as str): the specified grade,
    its substitute and the domain's ``suggested_why``; or that it has none, and why."""
    import pandas as pd

    row = view.table.loc[str(key)]
    grade = str(row[view.grade_col]) if view.grade_col else "?"
    line = Text(f"Line {int(row['line'])} ", style="bold")
    line.append(grade, style="bold")
    sug = row.get("suggested_grade")
    why = row.get("suggested_why")
    if pd.isna(sug) or pd.isna(why):  # the line has no suggestion
        message = row.get("message")
        line.append(": no leaner substitute meets this line's requirement", style="dim")
        if not pd.isna(message) and str(message):
            line.append(f" · {message}", style="dim")
        return line
    line.append(" → ")
    line.append(str(sug), style="bold green")
    line.append(f": {why}")
    return line
