"""Supply by scope (materials/supply.csv): validation, and the primary figure the fleet compares with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from magnets.data.library import read_commented_csv
from magnets.data.supply import group_denominator, load_supply, primary_supply

SUPPLY = Path(__file__).resolve().parents[1] / "materials" / "supply.csv"
DATA = Path(__file__).parent / "data"
EL = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")


@pytest.fixture(scope="module")
def symbols(lib):
    return frozenset(lib.elements.index)


def _load(path: Path, symbols):
    raw = read_commented_csv(path.read_text(encoding="utf-8"), path.name)
    return load_supply([raw], symbols)


@pytest.fixture(scope="module")
def table(symbols):
    t, problems = _load(SUPPLY, symbols)
    assert problems == []
    return t


def test_builtin_supply_holds_usgs_reo_for_2023_to_2025(table):
    reo = table[(table["element"] == "REO") & (table["scope"] == "world_mine")]
    # USGS MCS 2024/2025/2026: 350,000 / 390,000 / 390,000 t REO (supply.csv rows)
    assert dict(zip(reo["year"], reo["value_t"])) == {2023: 350000, 2024: 390000, 2025: 390000}
    # Sm has no credible figure: the row is there, empty, with its note
    sm = table[table["element"] == "Sm"]
    assert len(sm) == 1 and np.isnan(sm["value_t"].iloc[0]) and "credible" in sm["note"].iloc[0]


def test_china_primary_is_separated_less_recycled_of_the_same_year(table):
    years = np.array([2022, 2023, 2024, 2030])
    ps = primary_supply(table, EL, years, "china")
    dy, tb, nd = EL.index("Dy"), EL.index("Tb"), EL.index("Nd")
    # Dy2O3: 2023 3,125 (Argus 3,500 / 1.12) - 888 recycled = 2,237; 2024 3,500 - 710 = 2,790
    np.testing.assert_allclose(ps.value_t[dy], [np.nan, 2237, 2790, 2790])
    # Tb4O7: 580 - 138 = 442 (2023); 650 - 160 = 490 (2024, also used for 2030: latest at or before)
    np.testing.assert_allclose(ps.value_t[tb], [np.nan, 442, 490, 490])
    assert list(ps.year[dy]) == [-1, 2023, 2024, 2024]
    # Nd takes the PrNd figure (106,000 - 26,504 = 79,496 t oxide), from 2024 only
    np.testing.assert_allclose(ps.value_t[nd], [np.nan, np.nan, 79496, 79496])
    assert ps.group[nd, 2] == "PrNd"
    assert "less [argus-recycled-2024]" in ps.describe(dy, 2)
    # oxide basis: the multiplier is kg Dy2O3 per kg Dy = 373.0 / 325.0 = 1.1477 (hand calc)
    assert ps.mult[dy] == pytest.approx(1.1477, abs=1e-4)


def test_world_primary_dy_is_the_latest_mine_figure(table):
    ps = primary_supply(table, EL, np.array([2019, 2020, 2023, 2045]), "world")
    dy = EL.index("Dy")
    # Adamas ~1,850 t (2020), JRC 3,126 t (2021) Dy2O3 world mine
    np.testing.assert_allclose(ps.value_t[dy], [np.nan, 1850, 3126, 3126])
    assert ps.describe(dy, 2) == "Dy: 3,126 t oxide, world mine, 2021 [jrc-rmis-dy]"
    assert np.isnan(ps.value_t[EL.index("Tb")]).all()  # no world Tb figure
    assert ps.mult[EL.index("Co")] == 1.0  # cobalt on a metal basis


def test_group_members_share_one_figure(table):
    ps = primary_supply(table, EL, np.array([2023, 2024]), "china")
    # Nd and Pr both point at PrNd 2024: the Nd+Pr denominator counts it once
    np.testing.assert_allclose(group_denominator(ps, [0, 1]), [np.nan, 79496])
    # Dy and Tb are different figures: they add
    np.testing.assert_allclose(group_denominator(ps, [2, 3]), [2237 + 442, 2790 + 490])


def test_separated_figure_without_recycled_of_that_year_is_not_primary(symbols, tmp_path):
    p = tmp_path / "supply.csv"
    p.write_text(
        SUPPLY.read_text(encoding="utf-8")
        + "Dy,2025,china_separated,oxide,3600,reported,unknown,[argus-2024-outlook],test row\n"
        + "Tb,2025,china_separated,oxide,700,reported,no,[argus-2024-outlook],test row\n",
        encoding="utf-8",
    )
    t, problems = _load(p, symbols)
    assert problems == []
    ps = primary_supply(t, EL, np.array([2025]), "china")
    # Dy 2025 includes scrap oxide of unknown size: the 2024 primary figure stays in use
    assert ps.value_t[EL.index("Dy"), 0] == 2790 and ps.year[EL.index("Dy"), 0] == 2024
    # Tb 2025 says it holds no recycled oxide: used as it is
    assert ps.value_t[EL.index("Tb"), 0] == 700


@pytest.mark.parametrize(
    ("fixture", "line", "column", "words"),
    [
        ("supply_unknown_scope.csv", 3, "scope", "expected one of world_mine"),
        (
            "supply_duplicate_row.csv",
            3,
            "element",
            "a second row for Dy/2024/china_separated/oxide",
        ),
        ("supply_value_without_source_key.csv", 2, "source", "expected a key of SOURCES.md"),
        ("supply_separated_without_recycled_flag.csv", 2, "includes_recycled", "yes, no, unknown"),
        ("supply_empty_value_without_note.csv", 2, "note", "needs a note"),
        ("supply_missing_scope_column.csv", None, "scope", "required column is missing"),
    ],
)
def test_bad_supply_row_is_reported_with_file_line_column(symbols, fixture, line, column, words):
    _, problems = _load(DATA / fixture, symbols)
    assert [(p.path, p.line, p.column) for p in problems] == [(fixture, line, column)]
    assert words in problems[0].message


def test_bad_element_year_value_and_method_are_each_reported(symbols):
    t, problems = _load(DATA / "supply_bad_element_year_value.csv", symbols)
    assert len(t) == 0
    assert sorted((p.line, p.column) for p in problems) == [
        (2, "element"),
        (3, "method"),
        (3, "value_t"),
        (3, "year"),
    ]
