"""The compare screen (issue 15): grades marked in the library, side by side."""

from __future__ import annotations

import pytest
from tui_helpers import AS_OF, async_test, ready


@async_test
async def test_compare_two_marked_grades_draws_both_and_exports(make, lib, tmp_path, monkeypatch):
    import pandas as pd

    from magnets.substitution.compare import compare_grades

    monkeypatch.chdir(tmp_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        table = app.screen.query_one("#grades")
        first = table.current_key()
        await pilot.press("space", "down", "space")  # mark two grades
        second = table.current_key()
        assert app.screen.marked == [first, second]
        await pilot.press("c")
        await ready(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "CompareScreen"
        assert list(screen.table.index) == [first, second]
        assert len(screen.curves) == 2  # one demagnetisation curve per grade
        # the rows are the domain's comparison at the app's condition
        expected = compare_grades(
            lib, [first, second], temp_C=app.temp_C, pc=app.pc, hd_kA_m=app.hd_kA_m, date=AS_OF
        )
        pd.testing.assert_frame_equal(screen.table, expected)
        await pilot.press("e")
        await pilot.pause()
        out = pd.read_csv(tmp_path / f"compare-{app.temp_C:g}C.csv")
        assert list(out["id"]) == [first, second]
        assert out["t_max_C"].to_numpy() == pytest.approx(expected["t_max_C"].to_numpy())


def test_compare_grades_band_and_loss(lib):
    from magnets.substitution.compare import compare_grades

    c = compare_grades(lib, ["HL-G52SHT", "MS-32H"], temp_C=150.0, pc=0.964, date=AS_OF)
    # MS-32H: Sm2Co17, no Dy or Tb, about 25 wt% Sm (its composition row), Sm controlled
    assert c.loc["MS-32H", "Dy_wt_pct"] == 0.0 and c.loc["MS-32H", "Sm_wt_pct"] > 20
    assert "Sm" in c.loc["MS-32H", "controlled_elements"]
    # a band is never narrower than its value: low <= value <= high (point value if none)
    for el in ("Dy", "Tb"):
        assert (c[f"{el}_wt_pct_low"] <= c[f"{el}_wt_pct"] + 1e-12).all()
        assert (c[f"{el}_wt_pct"] <= c[f"{el}_wt_pct_high"] + 1e-12).all()
    # margin is the rating minus the requirement
    assert c["margin_C"].to_numpy() == pytest.approx(c["t_max_C"].to_numpy() - 150.0)
    assert (c["loss_pct_at_temp"] >= 0).all()
