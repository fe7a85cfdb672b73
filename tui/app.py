"""The magnets Textual app and its factory.

``make_app`` is the one way to build the app: the ``magnets tui`` command, the tests
and the screenshot script all call it. The app owns the shared state (the library,
the working condition Pc/Hd/temperature, the as-of date) and four modes, one per
top-level screen; the grade and help screens are pushed on top.

Everything physical is computed in the domain (``magnets.*``) through
:mod:`magnets.tui.data`; this module only wires screens, keys and state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.signal import Signal

from .screens.bom import BomScreen
from .screens.fleet import FleetScreen
from .screens.library import LibraryScreen
from .screens.tradeoff import TradeoffScreen

if TYPE_CHECKING:  # pragma: no cover
    from .data import Session

SCREENS_GROUP = Binding.Group("Screens", compact=True)

#: Mode name -> (key, title) of the four top-level screens, in key order.
MODE_TITLES = {
    "library": ("1", "Library"),
    "tradeoff": ("2", "Trade-off"),
    "bom": ("3", "BOM"),
    "fleet": ("4", "Fleet"),
}


class MagnetsApp(App[None]):
    """Browse grades, trade temperature rating against Dy/Tb, evaluate BOMs and fleets."""

    CSS_PATH = "magnets.tcss"
    TITLE = "magnets"
    SUB_TITLE = "magnet material explorer"

    MODES: ClassVar[dict[str, Any]] = {
        "library": LibraryScreen,
        "tradeoff": TradeoffScreen,
        "bom": BomScreen,
        "fleet": FleetScreen,
    }
    DEFAULT_MODE = "library"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_mode('library')", "Library", group=SCREENS_GROUP),
        Binding("2", "show_mode('tradeoff')", "Trade-off", group=SCREENS_GROUP),
        Binding("3", "show_mode('bom')", "BOM", group=SCREENS_GROUP),
        Binding("4", "show_mode('fleet')", "Fleet", group=SCREENS_GROUP),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    #: Working condition shared by every screen (set on the trade-off screen).
    temp_C: reactive[float] = reactive(150.0, init=False)
    pc: reactive[float] = reactive(2.0, init=False)
    hd_kA_m: reactive[float] = reactive(0.0, init=False)

    def __init__(
        self,
        library_dirs: Iterable[Path] | None = None,
        bom: Path | None = None,
        fleet: Path | None = None,
        date: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.library_dirs = [Path(p) for p in library_dirs] if library_dirs else None
        self.bom_path = Path(bom) if bom else None
        self.fleet_path = Path(fleet) if fleet else None
        self.as_of = date or dt.date.today()
        self.session: Session | None = None
        self.load_error: str | None = None
        #: Published once the library has loaded (payload: the Session).
        self.library_loaded: Signal[Any] = Signal(self, "library-loaded")
        #: Published whenever temp_C, pc or hd_kA_m changes (payload: the app).
        self.condition_changed: Signal[Any] = Signal(self, "condition-changed")

    # ----------------------------------------------------------------- start-up
    def on_mount(self) -> None:
        self.theme = "textual-dark"
        # Start loading after the first frame: the loader's imports (pandas, pymatgen) hold
        # the GIL and would otherwise delay the first paint.
        self.call_after_refresh(self._start_loading)

    def _start_loading(self) -> None:
        self.run_worker(self._load_library, thread=True, exclusive=True, group="library")

    def _load_library(self) -> None:
        from .data import load_session

        try:
            session = load_session(self.library_dirs, self.as_of)
        except Exception as exc:
            self.call_from_thread(self._library_failed, exc)
            return
        self.call_from_thread(self._library_ready, session)

    def _library_ready(self, session: Session) -> None:
        self.session = session
        if session.default_pc is not None:
            self.set_reactive(MagnetsApp.pc, float(session.default_pc))
        for problem in session.problems[:3]:
            self.notify(str(problem), title="Library problem", severity="warning", timeout=8)
        self.library_loaded.publish(session)

    def _library_failed(self, exc: BaseException) -> None:
        self.load_error = f"{type(exc).__name__}: {exc}"
        self.notify(
            f"{exc}\nCheck the --library directory (or run `magnets data check --library DIR`).",
            title="Could not load the grade library",
            severity="error",
            timeout=20,
        )
        self.library_loaded.publish(None)

    def when_library(self, node: Any, callback: Any) -> None:
        """Call ``callback(session)`` now if the library is loaded, else once it loads."""
        self.library_loaded.subscribe(node, callback)
        if self.session is not None or self.load_error is not None:
            callback(self.session)

    # ---------------------------------------------------------------- condition
    def set_condition(
        self, *, temp_C: float | None = None, pc: float | None = None, hd_kA_m: float | None = None
    ) -> None:
        """Change the working condition and tell every screen once."""
        if temp_C is not None:
            self.set_reactive(MagnetsApp.temp_C, float(temp_C))
        if pc is not None:
            self.set_reactive(MagnetsApp.pc, float(pc))
        if hd_kA_m is not None:
            self.set_reactive(MagnetsApp.hd_kA_m, float(hd_kA_m))
        self.condition_changed.publish(self)

    # ------------------------------------------------------------------ actions
    def action_show_mode(self, mode: str) -> None:
        # From a pushed screen (grade, help) go back to the mode's base screen first.
        if self.current_mode == mode:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.switch_mode(mode)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def open_grade(self, grade_id: str) -> None:
        """Push the grade screen for ``grade_id`` (from any screen)."""
        from .screens.grade import GradeScreen

        self.push_screen(GradeScreen(grade_id))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode, (key, title) in MODE_TITLES.items():
            yield SystemCommand(
                f"{title} screen",
                f"Switch to the {title} screen (key {key})",
                lambda mode=mode: self.action_show_mode(mode),
            )
        yield SystemCommand(
            "Help", "What each screen does, keys, units, assumptions (? or f1)", self.action_help
        )
        yield SystemCommand(
            "Light/dark theme",
            "Toggle between the light and dark theme (ctrl+t)",
            self.action_toggle_theme,
        )
        yield from super().get_system_commands(screen)


def make_app(
    library_dirs: Iterable[Path] | None = None,
    bom: Path | None = None,
    fleet: Path | None = None,
    date: dt.date | None = None,
) -> MagnetsApp:
    """Build the magnets app.

    Parameters
    ----------
    library_dirs
        User library directories read after the built-in library (``--library``).
    bom, fleet
        Files opened on the BOM and fleet screens at start (``--bom``, ``--fleet``);
        without them those screens open the bundled examples.
    date
        As-of date for export-control flags (``--date``); today by default.
    """
    return MagnetsApp(library_dirs=library_dirs, bom=bom, fleet=fleet, date=date)
