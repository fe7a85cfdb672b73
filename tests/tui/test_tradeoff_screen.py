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
        family=None,  # the reference's family, as `magnets substitute` without --family
        max_mass_factor=1.2,
        rank_by=None,  # default_rank_by, as without --rank-by
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


def _cli_ranked(capsys, *args: str) -> list[str]:
    """The ids `magnets substitute ... --format json` ranks, in order."""
    import json

    from magnets.cli import main

    capsys.readouterr()
    assert main(["substitute", *args, "--date", AS_OF.isoformat(), "--format", "json"]) == 0
    return [row["id"] for row in json.loads(capsys.readouterr().out)]


@async_test
async def test_first_row_is_what_magnets_substitute_ranks_first(make, capsys):
    """Issue 15: the screen defaulted to 'any family' and ranked MS-32H (Sm2Co17, Sm is
    export-controlled) first for Dy+Tb, while `magnets substitute` stayed in the reference's
    family. Both faces now call find_substitutes with the same defaults."""
    requirements = ((150.0, 0.964), (180.0, 1.0), (120.0, 2.0), (200.0, 3.0))
    # the CLI first (the app captures stdout while it runs)
    expected = [_cli_ranked(capsys, "--temp", f"{t:g}", "--pc", f"{p:g}") for t, p in requirements]
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await ready(app, pilot)
        for (temp, pc), cli in zip(requirements, expected, strict=True):
            app.set_condition(temp_C=temp, pc=pc, hd_kA_m=0.0)
            await ready(app, pilot)
            shown = _ranked_ids(app)
            assert shown[0] == cli[0], (temp, pc)
            assert shown[: len(cli)] == cli  # the CLI prints --top 10; same order
            attrs = app.screen.result["attrs"]
            # a SmCo reference (the highest flux at 180 degC, Pc 1) is ranked by controlled
            # content (Sm), not by a Dy+Tb key that ties at zero for every SmCo grade
            ndfeb = attrs["family"].startswith("ndfeb")
            assert attrs["rank_by"] == ("dy_tb" if ndfeb else "controlled"), (temp, pc)
        app.set_condition(temp_C=150.0, pc=0.964)
        await ready(app, pilot)
        status = str(app.screen.query_one("#tradeoff-status").render())
        assert "family ndfeb-sintered (the reference's)" in status
        assert "ranked by Dy+Tb (auto)" in status


@async_test
async def test_widened_family_ranks_by_controlled_content_so_sm_counts(make, capsys, lib):
    """With 'family: any' the default ranking is controlled content, as `--family any`."""
    from textual.widgets import Select

    cli = _cli_ranked(capsys, "--temp", "150", "--pc", "0.964", "--family", "any")
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await ready(app, pilot)
        app.set_condition(temp_C=150.0, pc=0.964, hd_kA_m=0.0)
        app.screen.query_one("#tfamily", Select).value = "any"
        await ready(app, pilot)
        shown = _ranked_ids(app)
        assert shown[: len(cli)] == cli
        assert app.screen.result["attrs"]["rank_by"] == "controlled"
        # MS-32H holds 150 degC but carries about 0.3 kg Sm per kg (controlled): not first
        first = lib.grades.loc[shown[0]]
        assert first["family"] == "ndfeb-sintered"
        assert "ranked by export-controlled (auto)" in str(
            app.screen.query_one("#tradeoff-status").render()
        )
