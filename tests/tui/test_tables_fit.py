"""Tables never lie by clipping (issue 15): numbers are never cut, text shrinks first."""

from __future__ import annotations

import math

import pytest
from magnets.tui.widgets.frame_table import MIN_TEXT_WIDTH, fit_widths
from tui_helpers import async_test, ready


def test_fit_shrinks_text_widest_first_and_never_numbers():
    # widths of Line, Part, Grade, Rated, Message (padding 1 cell each side)
    natural = [4, 12, 16, 7, 30]
    numeric = [True, False, False, True, False]
    # 79 cells of content + 10 of padding = 89; 60 available: the text columns give 29
    # cells, widest first (Message 30 -> 12, Grade 16 -> 12, Part stays 12... until fit)
    widths, edge = fit_widths(natural, numeric, 60, 1)
    assert sum(widths) + 10 <= 60 and edge is None
    assert widths[0] == 4 and widths[3] == 7  # numbers untouched
    assert min(widths[1], widths[2], widths[4]) >= MIN_TEXT_WIDTH
    # a grade id keeps at least its min width (16 here: the whole id)
    kept, _ = fit_widths(natural, numeric, 60, 1, [None, None, 16, None, None])
    assert kept[2] == 16


def test_fit_pushes_a_number_that_would_straddle_the_edge_out_of_view():
    # four 10-cell numbers (12 with padding) in 30 cells: two fit, the third would be cut at
    # 24..36, so the second is widened to 18 and the third starts at the edge (scroll to it)
    widths, edge = fit_widths([10, 10, 10, 10], [True] * 4, 30, 1)
    assert widths == [10, 16, 10, 10] and edge == 1


def _visible_cells(table) -> list[list[str]]:
    """The text of each cell as drawn on screen: header first, then the rows in view."""
    lines = []
    for y in range(table.size.height):
        text = table.render_line(y).text
        cells, x = [], 0
        for column in table.ordered_columns:
            w = column.get_render_width(table)
            cells.append(text[x : x + w].strip() if x + w <= len(text) else None)
            x += w
        lines.append(cells)
    return lines


@async_test
async def test_bom_saves_column_reads_as_the_csv_at_120_columns_not_its_first_digit(
    make, tmp_path, monkeypatch
):
    """Issue 15: at 120x36 the BOM's `Saves Dy+Tb` column showed its first character only
    (every row read 0). Every number in view now reads as in the CSV export, rounded to the
    digits shown."""
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("3")
        await ready(app, pilot)
        await pilot.press("a")  # take every suggestion: the Saves column is filled
        await pilot.pause()
        table = app.screen.query_one("#bom-lines")
        numeric = [i for i, c in enumerate(table.cols) if c.numeric]
        assert "saving_Dy_Tb_kg" in [table.cols[i].key for i in numeric]
        lines = _visible_cells(table)
        header, rows = lines[0], [r for r in lines[1:] if any(r)]
        assert len(rows) >= 20
        for i in numeric:  # every numeric column is wholly in view, its header too
            assert header[i], table.cols[i].label
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await ready(app, pilot)
        csv = pd.read_csv(tmp_path / "bom-evaluated.csv")
        checked = 0
        for r, cells in enumerate(rows):
            for i in numeric:
                key, shown = table.cols[i].key, cells[i]
                value = csv.loc[r, key]
                if shown == "–":  # a dash for a missing value
                    assert not math.isfinite(float(value)), (r, key)
                    continue
                digits = len(shown.split(".")[1]) if "." in shown else 0
                assert float(shown) == pytest.approx(value, abs=0.5 * 10**-digits + 1e-9), (
                    r,
                    key,
                    shown,
                    value,
                )
                checked += 1
        assert checked > 150  # 26 rows in view x 9 numeric columns, minus the dashes
