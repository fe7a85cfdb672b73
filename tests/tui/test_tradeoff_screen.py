"""Pilot tests of the Trade-off screen: it shows what the domain's find_substitutes says."""

from __future__ import annotations

from tui_helpers import AS_OF, async_test, ready


def _ranked_ids(app) -> list[str]:
    table = app.screen.query_one("#ranked")
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def _expected(lib, app, temp_C: float) -> list[str]:
    from magnets.substitution import find_substitutes

    out = find_substitutes(
        lib,
        temp_C=temp_C,
        pc=app.pc,
        hd_kA_m=app.hd_kA_m,
        cold_C=-40.0,
        family="any",
        max_mass_factor=1.2,
        rank_by="dy_tb",
        date=AS_OF,
    )
    return out["id"].astype(str).tolist()


@async_test
async def test_temperature_keys_change_the_qualifying_list_as_the_domain_says(make, lib):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await ready(app, pilot)
        assert app.current_mode == "tradeoff"
        start = app.temp_C
        before = _ranked_ids(app)
        assert before == _expected(lib, app, start)  # same grades, same order
        for _ in range(6):  # +30 degC
            await pilot.press("plus")
        await pilot.pause()
        assert app.temp_C == start + 30
        after = _ranked_ids(app)
        assert after == _expected(lib, app, start + 30)
        # 30 degC hotter: the list changes, and every grade shown is rated at least that hot
        assert after != before
        table = app.screen.query_one("#ranked")
        assert (table.frame["t_max_C"] >= start + 30).all()
        await pilot.press("minus")
        assert app.temp_C == start + 25


@async_test
async def test_typed_temperature_and_pc_keys(make, lib):
    from textual.widgets import Input

    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await ready(app, pilot)
        await pilot.press("slash")  # focus the temperature field
        field = app.screen.query_one("#temp", Input)
        assert app.screen.focused is field
        field.value = ""
        await pilot.press(*"200")  # digits go into the field, no screen switch
        await pilot.pause()
        assert app.current_mode == "tradeoff" and app.temp_C == 200.0
        assert _ranked_ids(app) == _expected(lib, app, 200.0)
        await pilot.press("escape")
        pc0 = app.pc
        await pilot.press("right_square_bracket")
        assert abs(app.pc - round(pc0 + 0.1, 2)) < 1e-9
        assert app.screen.query_one("#pc", Input).value == f"{app.pc:.3g}"
        assert _ranked_ids(app) == _expected(lib, app, 200.0)


@async_test
async def test_condition_carries_to_the_library(make, lib):
    """Pc set on the trade-off screen is the Pc the library rates at."""
    from magnets.substitution import rate_library

    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await ready(app, pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "1")
        await ready(app, pilot)
        view = app.screen.view
        r = rate_library(lib, app.pc, app.hd_kA_m, date=AS_OF)
        assert (
            view["t_max_C"]
            .reindex(r.index.astype(str))
            .equals(r["t_max_C"].set_axis(r.index.astype(str)))
        )
