"""The `magnets tui` command stays light, and every screen is in the command palette."""

from __future__ import annotations

import subprocess
import sys

from tui_helpers import async_test, ready


def test_tui_command_imports_no_textual_until_run():
    code = (
        "import sys, magnets.cli as c; p, m = c.build_parser(); assert 'tui' in m; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tui_help_explains_hd():
    out = subprocess.run(
        [sys.executable, "-m", "magnets", "tui", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--bom FILE" in out.stdout and "--fleet FILE" in out.stdout
    assert "Pc/(Pc + mu_rec)" in out.stdout  # Hd is the applied field, not the field inside


@async_test
async def test_palette_lists_every_screen(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in (
            "Library screen",
            "Trade-off screen",
            "BOM screen",
            "Fleet screen",
            "Help",
            "Light/dark theme",
            "Quit",
        ):
            assert name in titles
        # running one switches screens
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Fleet screen")
        command.callback()
        await ready(app, pilot)
        assert app.current_mode == "fleet"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
