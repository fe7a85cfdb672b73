"""Pilot tests of the BOM and Fleet screens: domain numbers shown, bad files notified, app alive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tui_helpers import AS_OF, async_test, ready

DATA = Path(__file__).parent / "data"


def _errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


@async_test
async def test_bad_bom_notifies_and_app_stays_alive(make):
    app = make(bom=DATA / "bom_no_grade_column.csv")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("3")
        await ready(app, pilot)
        errors = _errors(app)
        assert errors and "grade" in errors[0]  # the reader says the grade column is missing
        assert app.is_running and app.current_mode == "bom"
        # then a path that does not exist, typed into the field
        await pilot.press("slash", *"no-such-file.csv", "enter")
        await ready(app, pilot)
        assert len(_errors(app)) == 2 and "no-such-file.csv" in _errors(app)[1]
        # and the example still opens afterwards
        await pilot.press("escape", "x")
        await ready(app, pilot)
        assert app.screen.view is not None and len(app.screen.view.table) > 0


@async_test
async def test_bom_toggles_move_totals_to_the_domain_figures(make, lib):
    from magnets.tui.data import example_path

    from magnets.bom.evaluate import evaluate_bom

    expected = evaluate_bom(example_path("bom.csv"), lib, date=AS_OF).summary
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("3")
        await ready(app, pilot)
        screen = app.screen
        from magnets.tui.data import bom_totals

        none = bom_totals(screen.view, screen.chosen)
        for el, kg in expected["totals_kg"].items():
            assert none.loc["specified", el] == pytest.approx(kg, rel=1e-9)
            assert none.loc["chosen", el] == pytest.approx(kg, rel=1e-9)  # nothing taken yet
        await pilot.press("a")  # take every suggestion
        every = bom_totals(screen.view, screen.chosen)
        for el, kg in expected["suggested_totals_kg"].items():
            # the domain's totals with every suggestion taken: the per-line kg come from the
            # same evaluation (BomResult.element_kg, unrounded), so they add up to float precision
            assert every.loc["chosen", el] == pytest.approx(kg, rel=1e-9, abs=1e-12)
        await pilot.press("a")  # drop them all
        assert not screen.chosen.any()
        # space on the first line that has a suggestion takes only that one
        first = int(np.flatnonzero(screen.view.has_suggestion)[0])
        table = screen.query_one("#bom-lines")
        table.move_cursor(row=first)
        await pilot.press("space")
        assert screen.chosen.sum() == 1 and screen.chosen[first]
        line = screen.view.table.iloc[first]
        one = bom_totals(screen.view, screen.chosen)
        saving = float(line["saving_Dy_Tb_kg"])
        change = one.loc["change", "Dy"] + one.loc["change", "Tb"]
        assert change == pytest.approx(
            -saving, rel=1e-6
        )  # the line's Dy+Tb saving, from the domain


@async_test
async def test_bom_export_csv_writes_what_is_shown(make, tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("3")
        await ready(app, pilot)
        await pilot.press("a", "e")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExportDialog"
        await pilot.press("enter")
        await ready(app, pilot)
        out = tmp_path / "bom-evaluated.csv"
        frame = pd.read_csv(out)
        shown = app.screen.view.table
        assert len(frame) == len(shown)
        assert frame["suggestion_taken"].sum() == shown["suggested_grade"].notna().sum()
        assert "Exported" in [n.title for n in app._notifications]


@async_test
async def test_fleet_table_is_the_domain_projection(make, lib):
    from magnets.tui.data import example_path

    from magnets.fleet import model as fleet
    from magnets.fleet import spec as fleet_input

    spec = fleet_input.load_fleet(example_path("fleet.toml"), lib)
    result = fleet.project_fleet(spec, lib, list(spec.scenarios))
    t = result.table
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await ready(app, pilot)
        screen = app.screen
        assert screen.element() == "Dy"
        shown = screen.series
        dy = (
            t[(t["element"] == "Dy") & (t["scenario"] == "baseline")]
            .groupby("year")["primary_t"]
            .sum()
        )
        assert np.allclose(shown["baseline t"].to_numpy(), dy.to_numpy())
        await pilot.press("n")  # next element: Tb
        await pilot.pause()
        assert screen.element() == "Tb"
        # untick a scenario: its column goes
        boxes = list(screen.query("#scenarios Checkbox"))
        assert [b.name for b in boxes] == list(result.scenarios)
        boxes[-1].value = False
        await pilot.pause()
        assert f"{result.scenarios[-1]} t" not in screen.series.columns


@async_test
async def test_bad_fleet_notifies_and_app_stays_alive(make):
    app = make(fleet=DATA / "fleet_unknown_grade.toml")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await ready(app, pilot)
        errors = _errors(app)
        assert errors and "NOT-A-GRADE" in errors[0]
        assert app.is_running and app.current_mode == "fleet"


@async_test
async def test_fleet_export_and_empty_path_share_the_bom_screens_actions(
    make, tmp_path, monkeypatch
):
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("4")
        await ready(app, pilot)
        await pilot.press("slash", "enter")  # empty path: a hint, nothing opened
        await pilot.pause()
        assert app._notifications and list(app._notifications)[-1].message == (
            "Type the path of a fleet TOML file."
        )
        await pilot.press("escape", "e")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExportDialog"
        await pilot.press("enter")
        await ready(app, pilot)
        shown = app.screen.series
        frame = pd.read_csv(tmp_path / "fleet-Dy.csv")  # <fleet stem>-<element>.csv
        assert list(frame.columns) == list(shown.columns)
        assert np.allclose(frame["baseline t"], shown["baseline t"])
        assert list(app._notifications)[-1].message.startswith(f"{len(shown)} rows written to ")
