"""Pilot tests of the "why this grade" detail lines (issue 15, item 5): the trade-off and BOM
screens show, for the row under the cursor, the text the domain's ``why`` builds (what
``magnets substitute --why`` prints and the BOM's ``suggested_why`` column holds)."""

from __future__ import annotations

from tui_helpers import AS_OF, async_test, ready


def _detail(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def _key(app, selector: str) -> str:
    return app.screen.query_one(selector).current_key()


@async_test
async def test_tradeoff_detail_line_follows_the_cursor_with_the_domains_why(make, lib):
    from magnets.substitution import find_substitutes

    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await ready(app, pilot)
        # the same requirement as the screen: the reference's family, the default ranking
        out = find_substitutes(
            lib, temp_C=app.temp_C, pc=app.pc, hd_kA_m=app.hd_kA_m, cold_C=-40.0, date=AS_OF
        )
        why = dict(zip(out["id"], out["why"], strict=True))
        first = _key(app, "#ranked")
        assert first == out["id"].iloc[0]
        assert _detail(app, "#tradeoff-why") == f"Why {first}: {why[first]}"
        await pilot.press("down", "down")
        await pilot.pause()
        third = _key(app, "#ranked")
        assert third == out["id"].iloc[2] != first
        text = _detail(app, "#tradeoff-why")
        assert text == f"Why {third}: {why[third]}"
        # what it says: its rating and limit, the composition basis, control as of the date
        t = float(out["t_max_C"].iloc[2])
        assert f"rated {t:.0f} degC: knee at Pc" in text
        assert "wt% (model" in text and "export control as of 2026-06-01" in text
        await pilot.press("plus")  # 5 degC hotter: the list and the line follow
        await pilot.pause()
        key = _key(app, "#ranked")
        assert _detail(app, "#tradeoff-why").startswith(f"Why {key}: rated ")
        assert f"on {app.temp_C:g} degC" in _detail(app, "#tradeoff-why")


@async_test
async def test_bom_detail_line_follows_the_cursor_with_the_suggested_why(make, lib):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("3")
        await ready(app, pilot)
        table = app.screen.view.table
        seen_with, seen_without = 0, 0
        for _ in range(len(table)):
            row = table.loc[_key(app, "#bom-lines")]
            text = _detail(app, "#bom-why")
            head = f"Line {int(row['line'])} {row['grade']}"
            if isinstance(row["suggested_why"], str):
                # materials/examples/bom.csv: the line's substitute and the domain's text
                assert text == f"{head} → {row['suggested_grade']}: {row['suggested_why']}"
                assert text.split(": ", 1)[1].startswith(
                    f"rated {row['suggested_t_max_C']:.0f} degC"
                )
                seen_with += 1
            else:
                assert text.startswith(f"{head}: no leaner substitute")
                seen_without += 1
            await pilot.press("down")
            await pilot.pause()
        # the example has lines with a substitute and lines without one
        assert seen_with > 10 and seen_without > 2
