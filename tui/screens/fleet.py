"""Fleet screen (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class FleetScreen(Screen[None]):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Fleet: coming")
        yield Footer()
