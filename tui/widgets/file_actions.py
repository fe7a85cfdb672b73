"""What the BOM and Fleet screens share: open a file (typed path, ``--bom``/``--fleet``, or
the bundled example) and load it in a worker, tell when it cannot be read, and export what
is shown through the export dialog.

A screen subclasses :class:`FileScreen`, names its widgets in the class attributes and
provides ``load`` (the domain call, run in a thread), ``_loaded`` (show the result),
``start_path``, ``export_target`` and ``export_frame``. Its BINDINGS stay its own (the
footer shows them in the screen's order).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual import on, work
from textual.widgets import Input, Static

from ..screens.base import MagnetsScreen

if TYPE_CHECKING:  # pragma: no cover - the data module is imported when a file opens
    from ..data import Session

#: What ``load`` returns and the screen shows (data.BomView, data.FleetView).
ViewT = TypeVar("ViewT")


class FileScreen(MagnetsScreen, Generic[ViewT]):
    """A screen showing one file evaluated by the domain, with open and export actions."""

    #: The file loaded and shown; None until one has loaded.
    view: ViewT | None

    #: The bundled example (materials/examples/NAME) opened by ``x`` and by default.
    EXAMPLE = ""
    #: What the file is, in messages ("Open a BOM first.").
    NOUN = ""
    #: Verb of the failure title ("Cannot evaluate bom.csv").
    FAIL_VERB = "open"
    #: Said when enter is pressed on an empty path field.
    EMPTY_PATH_HINT = ""
    #: What the export counts ("12 lines written to ...").
    ROWS_WORD = "rows"
    #: Selectors: the path field, the status line, the widget that shows loading, the table.
    PATH_INPUT = ""
    STATUS = ""
    LOADING = ""
    TABLE = ""

    # -------------------------------------------------------------- to provide
    def load(self, session: Session, path: Path) -> ViewT:
        """Read and evaluate ``path`` (runs in a thread; raise on a bad file)."""
        raise NotImplementedError

    def _loaded(self, view: ViewT) -> Any:
        """Show a loaded view (called on the app's thread; may be async)."""
        raise NotImplementedError

    def start_path(self) -> Path | None:
        """The file given on the command line, if any."""
        return None

    def export_target(self, fmt: str) -> tuple[Path, str] | None:
        """(default export path, what is exported) or None when there is nothing to export."""
        raise NotImplementedError

    def export_frame(self) -> Any:
        """The DataFrame to write, as shown."""
        raise NotImplementedError

    # -------------------------------------------------------------------- open
    def _on_library(self, session: Session | None) -> None:
        if session is None:
            return
        from ..data import example_path

        self.open(self.start_path() or example_path(self.EXAMPLE))

    def open(self, path: Path) -> None:
        """Evaluate ``path`` in a worker; errors become a notification."""
        from ..data import example_path

        session = self.app.session
        if session is None:
            return
        # The bundled example is named, not shown by its install path (stable screenshots).
        is_example = Path(path) == example_path(self.EXAMPLE)
        self.query_one(self.PATH_INPUT, Input).value = "" if is_example else str(path)
        self.query_one(self.LOADING).loading = True
        self._load_file(session, Path(path))

    @work(thread=True, exclusive=True, group="open")
    def _load_file(self, session: Session, path: Path) -> None:
        try:
            view = self.load(session, path)
        except Exception as exc:
            self.app.call_from_thread(self._failed, path, exc)
            return
        self.app.call_from_thread(self._loaded, view)

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.query_one(self.LOADING).loading = False
        self.refresh_bindings()
        self.notify(
            f"{exc}\nFix the file or open another (/ then a path, or x for the example).",
            title=f"Cannot {self.FAIL_VERB} {path.name}",
            severity="error",
            timeout=15,
        )
        if self.view is None:
            self.query_one(self.STATUS, Static).update(f"[b red]Could not open {path}[/]")

    @on(Input.Submitted)
    def _path_submitted(self, event: Input.Submitted) -> None:
        if f"#{event.input.id}" != self.PATH_INPUT:
            return
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify(self.EMPTY_PATH_HINT, severity="warning")
            return
        self.open(Path(text).expanduser())

    # ----------------------------------------------------------------- actions
    def action_open_example(self) -> None:
        from ..data import example_path

        self.open(example_path(self.EXAMPLE))

    def action_focus_path(self) -> None:
        self.query_one(self.PATH_INPUT, Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(self.TABLE).focus()

    # ------------------------------------------------------------------ export
    def action_export(self, fmt: str) -> None:
        from .export_dialog import ExportDialog

        target = self.export_target(fmt)
        if target is None:
            self.notify(f"Open a {self.NOUN} first.", severity="warning")
            return
        default, what = target
        self.app.push_screen(ExportDialog(default, what), self._export_to)

    def _export_to(self, path: Path | None) -> None:
        if path is None:
            return
        self._write(self.export_frame(), path)

    @work(thread=True, group="export")
    def _write(self, frame: Any, path: Path) -> None:
        from ..data import export_frame

        try:
            out = export_frame(frame, path)
        except Exception as exc:
            self.app.call_from_thread(
                self.notify, f"{exc}", title="Export failed", severity="error"
            )
            return
        self.app.call_from_thread(
            self.notify, f"{len(frame)} {self.ROWS_WORD} written to {out}", title="Exported"
        )
