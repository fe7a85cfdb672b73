"""The footer used on every screen: roomy on wide terminals, compact on narrow ones."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

#: Below this width the footer drops padding; below PALETTE_WIDTH it hides the ^p hint
#: (the palette stays on ctrl+p and on the header icon; help lists it).
COMPACT_WIDTH = 130
PALETTE_WIDTH = 110


class MagnetsFooter(Footer):
    """Footer that adapts to the terminal width so every key stays visible at 80 columns."""

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        self.compact = width < COMPACT_WIDTH
        show = width >= PALETTE_WIDTH
        if show != self.show_command_palette:
            self.show_command_palette = show
            self.call_later(self.recompose)
