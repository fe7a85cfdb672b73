"""Pilot tests of the shell and the Library screen."""

from __future__ import annotations

from tui_helpers import AS_OF, async_test, ready


def _shown_ids(app) -> list[str]:
    table = app.screen.query_one("#grades")
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


@async_test
async def test_library_lists_every_grade(make, lib):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        assert app.current_mode == "library"
        assert sorted(_shown_ids(app)) == sorted(lib.grades.index.astype(str))


@async_test
async def test_filters_narrow_to_expected_ids(make, lib):
    """family + route + max Dy+Tb select exactly the rows a plain pandas mask selects."""
    from textual.widgets import Input, Select

    g = lib.grades
    expected = sorted(
        g.index[
            (g["family"] == "ndfeb-sintered")
            & (g["route"] == "gbd-tb")
            & (g["Dy_Tb_wt_pct"] <= 1.0)
        ].astype(str)
    )
    assert 0 < len(expected) < len(g)  # the filter must narrow, not empty, the table
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        screen = app.screen
        screen.query_one("#family", Select).value = "ndfeb-sintered"
        screen.query_one("#route", Select).value = "gbd-tb"
        await pilot.press("slash")
        assert screen.focused is screen.query_one("#search", Input)
        await pilot.press("tab", "tab", "tab")  # search -> family -> route -> max Dy+Tb
        await pilot.press(*"1.0")
        await pilot.pause()
        assert screen.query_one("#max-dytb", Input).value == "1.0"
        assert sorted(_shown_ids(app)) == expected
        # x clears every filter (from the table)
        await pilot.press("escape", "x")
        await pilot.pause()
        assert len(_shown_ids(app)) == len(g)


@async_test
async def test_search_gbd_finds_every_diffused_grade_not_two(make, lib):
    """Issue 15: `/gbd` found 2 of the 17 diffused grades (route and family were not searched)."""
    g = lib.grades
    # every grade whose process route is grain-boundary diffusion (gbd-dy or gbd-tb)
    expected = sorted(g.index[g["route"].str.startswith("gbd-")].astype(str))
    assert len(expected) == 17  # materials/grades: 7 gbd-dy + 10 gbd-tb rows
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"GBD")  # case-insensitive
        await pilot.pause()
        assert sorted(_shown_ids(app)) == expected
        status = str(app.screen.query_one("#library-status").render())
        assert f"{len(expected)}/{len(g)} grades match GBD" in status  # the match count


@async_test
async def test_search_smco_finds_sm2co17_and_smco5(make, lib):
    """`/smco` is a class: SmCo5, Sm2Co17 and compensated SmCo, not only ids spelling 'smco'."""
    g = lib.grades
    expected = sorted(g.index[g["family"].isin(["smco5", "sm2co17", "smco-tc"])].astype(str))
    assert len(expected) == 24  # materials/grades: 6 SmCo5 + 16 Sm2Co17 + 2 compensated
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"smco")
        await pilot.pause()
        assert sorted(_shown_ids(app)) == expected
        # two words: both must match (Tb-diffused UH grades)
        screen = app.screen
        screen.query_one("#search").value = "uh tb"
        await pilot.pause()
        assert sorted(_shown_ids(app)) == ["HL-G45UHT", "HL-G48UHT"]


@async_test
async def test_min_rating_uses_the_domain_rating(make, lib):
    """min rated degC keeps the grades whose rate_library t_max at the app's (Pc, Hd) is >= it."""
    from magnets.substitution import rate_library

    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", "tab", "tab", "tab", "tab", *"180")
        await pilot.pause()
        r = rate_library(lib, app.pc, app.hd_kA_m, date=AS_OF)
        expected = sorted(r.index[r["t_max_C"] >= 180].astype(str))
        assert sorted(_shown_ids(app)) == expected and 0 < len(expected) < len(r)


@async_test
async def test_digits_typed_into_an_input_do_not_switch_screens(make):
    from textual.widgets import Input

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", "2", "3", "4", "1")
        assert app.current_mode == "library"
        assert app.screen.query_one("#search", Input).value == "2341"
        await pilot.press("escape", "2")  # back on the table, 2 switches
        assert app.current_mode == "tradeoff"
        await pilot.press("1")
        assert app.current_mode == "library"


@async_test
async def test_sort_keys_and_enter_opens_grade(make, lib):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        table = app.screen.query_one("#grades")
        await pilot.press("greater_than_sign")  # sort by the first column (id)
        assert table.sort_key == "id"
        ids = _shown_ids(app)
        assert ids == sorted(ids, key=lambda s: s)
        await pilot.press("r")
        assert _shown_ids(app) == ids[::-1]
        await pilot.press("home")  # first row
        top = _shown_ids(app)[0]
        assert table.current_key() == top
        await pilot.press("enter")
        await ready(app, pilot)
        assert type(app.screen).__name__ == "GradeScreen" and app.screen.grade_id == top
        await pilot.press("escape")
        assert type(app.screen).__name__ == "LibraryScreen"


@async_test
async def test_copy_row_and_help(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("y")
        assert app.clipboard.startswith("Grade\t")
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "LibraryScreen"


@async_test
async def test_theme_toggle(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark


@async_test
async def test_bad_library_dir_notifies_and_app_lives(make, tmp_path):
    """A --library folder that does not exist is a library problem: a notification, no crash."""
    app = make(library_dirs=[tmp_path / "missing"])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert any("does not exist" in n.message for n in app._notifications)
        assert app.is_running
