"""The pandas-free view `magnets show` reads (magnets/data/view.py): the full path's answer."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from conftest import edited_user_library

from magnets.cli.entry import main
from magnets.data import cache as libcache
from magnets.data.catalog import detail, view_payload
from magnets.data.view import read_view, status_dates, write_view


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("MAGNETS_CACHE_DIR", str(d))
    monkeypatch.delenv("MAGNETS_NO_CACHE", raising=False)
    return d


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


# the rule dates in materials/export_controls.csv: before the April 2025 rule, in force,
# inside the October 2025 suspension, its last day (inclusive) and the day after
DAYS = [
    dt.date(2025, 4, 3),
    dt.date(2025, 4, 4),
    dt.date(2026, 1, 15),
    dt.date(2026, 11, 10),
    dt.date(2026, 11, 11),
    dt.date(2030, 1, 1),
]


def test_the_view_answers_exactly_what_detail_answers_for_every_grade_and_date(folder):
    lib = libcache.cached_library()
    key = libcache.content_key(())
    write_view(folder, key, view_payload(lib))
    ids = list(lib.grades.index)
    # every grade on one day, and a few on every day (detail() is the slow path; the status
    # on each day is checked for all days below)
    cases = [(gid, DAYS[2]) for gid in ids] + [(gid, d) for gid in ids[::40] for d in DAYS]
    for gid, day in cases:
        want = detail(lib, gid, day)
        got = read_view((), gid, day)
        assert got is not None and _same(got, want), (gid, day)
        # same keys in the same order: `show --format json` of either is one file
        assert list(got) == list(want)


def test_the_view_finds_aliases_and_display_names_but_not_ambiguous_or_unknown(folder):
    lib = libcache.cached_library()
    write_view(folder, libcache.content_key(()), view_payload(lib))
    day = dt.date(2026, 1, 1)
    # N48UH was renamed HL-G48UH (materials/aliases.csv): the old id still finds it
    assert read_view((), "n48uh", day)["id"] == "HL-G48UH"
    assert read_view((), "No-Such-Grade", day) is None  # the full path says "did you mean"


def test_the_status_on_every_day_around_each_rule_date_is_the_full_paths(folder):
    from magnets.data.controls import element_status
    from magnets.data.view import _status_on

    lib = libcache.cached_library()
    samples = view_payload(lib)["samples"]
    rule_days = status_dates(
        str(d) for c in ("effective", "suspended_from", "suspended_until") for d in lib.rules[c]
    )[1:]
    days = {d + dt.timedelta(days=k) for d in rule_days for k in (-1, 0, 1, 2)} | set(DAYS)
    for day in sorted(days):
        assert _status_on(samples, day) == element_status(lib.rules, day).to_dict(), day


def test_status_dates_cover_each_rule_day_and_the_day_after():
    # a window's last day is inclusive, so the status changes the day after it
    assert status_dates(["2026-11-10"]) == [
        dt.date.min,
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 11),
    ]
    assert status_dates(["", "not a date"]) == [dt.date.min]


def _user_lib(tmp_path, hcj: float):
    return edited_user_library(tmp_path / "user", hcj)


def test_show_after_a_library_edit_reflects_the_edit(folder, tmp_path, capsys, monkeypatch):
    from magnets.data import catalog

    lib = _user_lib(tmp_path, 1100.0)
    assert main(["show", "KJ-N38SH", "--library", str(lib)]) == 0  # fills cache and view
    assert "1100" in capsys.readouterr().out
    assert len(list(folder.glob("view-*.json"))) == 1

    def fail(*a, **k):
        raise AssertionError("the full path ran although the view matched")

    with monkeypatch.context() as m:
        m.setattr(catalog, "detail", fail)
        assert main(["show", "KJ-N38SH", "--library", str(lib)]) == 0  # from the view
    assert "1100" in capsys.readouterr().out
    _user_lib(tmp_path, 1234.0)  # edited in place: a new content key, never the old view
    assert main(["show", "KJ-N38SH", "--library", str(lib)]) == 0
    out = capsys.readouterr().out
    assert "1234" in out and "1100" not in out
