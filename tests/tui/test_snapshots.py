"""SVG snapshots of every screen (pytest-textual-snapshot; Textual pinned to 8.2.8).

Each test builds the app with the fixed as-of date, waits for the library and the screen's
worker (BOM, fleet) in ``run_before``, clears start-up toasts, then compares. Regenerate
after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and
look at the report before committing (the grade data changes the tables too).
"""

from __future__ import annotations

import pytest
from tui_helpers import make_test_app, ready

#: A generic catalogue grade whose id is unlikely to change (materials/grades/ndfeb_sintered_bulk.csv).
GRADE = "N42"


def _before(*keys: str, grade: str | None = None):
    async def run_before(pilot) -> None:
        app = pilot.app
        await ready(app, pilot)
        for key in keys:  # one at a time: a key may start a worker the next one needs
            await pilot.press(key)
            await ready(app, pilot)
        if grade is not None:
            app.open_grade(grade)
            await ready(app, pilot)
        app.clear_notifications()
        await pilot.pause()

    return run_before


#: screen -> (keys pressed after the library loads, grade opened)
SCREENS = {
    "library": ((), None),
    "grade": ((), GRADE),
    "help": (("question_mark",), None),
    "tradeoff": (("2",), None),
    "bom": (("3", "a"), None),
    "fleet": (("4",), None),
    # HL-G52SH (Dy diffused) beside HL-G50SHT (Tb diffused), marked in the filtered library
    "compare": (("slash", *"hl-g5", "enter", "down", "space", "down", "down", "space", "c"), None),
}
#: every screen at the three sizes engineers use: a laptop split, a default terminal, wide
SIZES = [(80, 24), (120, 36), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, screen, size):
    keys, grade = SCREENS[screen]
    assert snap_compare(make_test_app(), terminal_size=size, run_before=_before(*keys, grade=grade))


def test_library_filtered_120x36(snap_compare):
    before = _before("slash", *"gbd", "enter", "greater_than_sign")
    assert snap_compare(make_test_app(), terminal_size=(120, 36), run_before=before)


def test_tradeoff_hotter_120x36(snap_compare):
    before = _before("2", "plus", "plus", "plus", "plus", "plus", "plus")  # 180 degC
    assert snap_compare(make_test_app(), terminal_size=(120, 36), run_before=before)
