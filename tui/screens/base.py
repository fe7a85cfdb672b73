"""The base class of the magnets screens that read the app's state.

Textual types ``self.app`` as a plain ``App``, which knows nothing of the session, the
working condition or the signals the screens use. :class:`MagnetsScreen` narrows it to
:class:`~magnets.tui.app.MagnetsApp` for the type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:  # pragma: no cover - the app module imports the screens
    from textual import getters

    from ..app import MagnetsApp


class MagnetsScreen(Screen[None]):
    """A screen of :class:`~magnets.tui.app.MagnetsApp`: ``self.app`` is typed as that app.

    This is how Textual types ``app`` itself (``MessagePump`` declares
    ``app = getters.app(App)`` for type checkers only): ``textual.getters.app`` with the
    app class. The declaration lives under ``TYPE_CHECKING`` because at run time the getter
    needs the app class when this class is defined, and the app module imports the
    screens; at run time the screens keep Textual's own ``app`` property unchanged.
    """

    if TYPE_CHECKING:
        app = getters.app(MagnetsApp)
