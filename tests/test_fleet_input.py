"""Fleet TOML input: every defect is an InputError naming file, line and key; exit 2 on the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from magnets.errors import InputError, UnreadableFileError
from magnets.fleet.spec import load_fleet, parse_fleet

# (fixture, line the message must name, key path, words the message must contain)
CASES = [
    ("fleet_unknown_key.toml", 9, "segment[1].lifetme", "did you mean 'lifetime'"),
    ("fleet_unknown_top_key.toml", 3, "end_yaer", "unknown key 'end_yaer'"),
    ("fleet_unknown_grade.toml", 10, "segment[1].grades.N45SHX", "unknown grade 'N45SHX'"),
    ("fleet_shares_not_one.toml", 10, "segment[1].grades", "sum to 0.9"),
    ("fleet_shares_not_one_by_year.toml", 10, "segment[1].grades.2030", "sum to 1.2"),
    ("fleet_bad_distribution.toml", 9, "segment[1].lifetime.distribution", "'lognormal'"),
    ("fleet_bad_lifetime_parameter.toml", 9, "segment[1].lifetime", "unknown mean"),
    ("fleet_negative_sd.toml", 9, "segment[1].lifetime.sd", "> 0"),
    ("fleet_low_above_high.toml", 8, "segment[1].magnet_kg_per_unit", "low <= high"),
    ("fleet_yield_out_of_range.toml", 11, "segment[1].manufacturing_yield", "in (0, 1]"),
    ("fleet_units_not_by_year.toml", 7, "segment[1].units", "table by year"),
    ("fleet_year_keys_mixed.toml", 7, "segment[1].units", "4-digit year"),
    ("fleet_missing_grades.toml", 5, "segment[1].grades", "required key grades is missing"),
    ("fleet_start_after_end.toml", 3, "end_year", "end_year >= start_year"),
    ("fleet_duplicate_segment.toml", 14, "segment[2].name", "used twice"),
    (
        "fleet_scenario_unknown_segment.toml",
        14,
        'scenario.gbd_shift."BEV tracton"',
        "did you mean 'BEV traction'",
    ),
    (
        "fleet_scenario_bad_grade.toml",
        14,
        'scenario.gbd_shift."BEV traction".grades.2030.N99XX',
        "unknown grade",
    ),
    ("fleet_scenario_named_baseline.toml", 13, "scenario.baseline", "reserved"),
]


@pytest.mark.parametrize("name,line,key,words", CASES, ids=[c[0] for c in CASES])
def test_each_defect_names_file_line_and_key(lib, data_dir, name, line, key, words):
    path = data_dir / name
    with pytest.raises(InputError) as info:
        load_fleet(path, lib)
    msg = str(info.value)
    assert f"{path}:{line}: key {key}:" in msg, msg
    assert words in msg, msg


def test_invalid_toml_names_the_place(lib, data_dir):
    path = data_dir / "fleet_invalid_toml.toml"
    with pytest.raises(InputError, match=r"fleet_invalid_toml.toml: not valid TOML: .*line 7"):
        load_fleet(path, lib)


def test_missing_file(lib, tmp_path):
    with pytest.raises(UnreadableFileError, match="no such file"):
        load_fleet(tmp_path / "nope.toml", lib)


def test_default_yield_warns_with_line(lib, data_dir):
    spec = load_fleet(data_dir / "fleet_no_yield.toml", lib)
    assert spec.segments[0].yield_low == 1.0
    assert len(spec.warnings) == 1 and "fleet_no_yield.toml:6" in spec.warnings[0]
    assert "manufacturing_yield" in spec.warnings[0]


def test_all_problems_reported_together(lib):
    text = """start_year = 2025
end_year = 2030
[[segment]]
name = "a"
units = { 2020 = -5 }
magnet_kg_per_unit = 1
grades = { N45SH = 1.0 }
lifetime = { distribution = "fixed", years = 10 }
manufacturing_yield = 0.8
[[segment]]
name = "b"
units = { 2020 = 5 }
magnet_kg_per_unit = 1
grades = { N45SH = 2.0 }
lifetime = { distribution = "fixed", years = 10 }
manufacturing_yield = 0.8
"""
    with pytest.raises(InputError) as info:
        parse_fleet(text, "f.toml", lib)
    msg = str(info.value)
    assert msg.startswith("2 problems in f.toml")
    assert "f.toml:5: key segment[1].units.2020:" in msg
    assert "f.toml:14: key segment[2].grades.N45SH:" in msg


def test_forms_of_fields(lib):
    text = """start_year = 2025
end_year = 2030
[[segment]]
name = "a"
units = { 2030 = 10, 2020 = { low = 1, high = 3 } }
magnet_kg_per_unit = { 2020 = 1.0, 2030 = { low = 2.0, high = 4.0 } }
grades = { 2030 = { N45SH-GBD = 1.0 }, 2020 = { n45sh = 0.5, N48UH = 0.5 } }
lifetime = { distribution = "weibull", shape = 2.5, scale = 17 }
manufacturing_yield = { low = 0.7, high = 0.8 }
scrap_recycling = 0.5
recycling = { collection = 0.1, recovery = { low = 0.8, high = 0.9 } }
"""
    s = parse_fleet(text, "f.toml", lib).segments[0]
    assert (
        s.units_years == (2020, 2030) and s.units_low == (1.0, 10.0) and s.units_high == (3.0, 10.0)
    )
    assert s.kg_years == (2020, 2030) and s.kg_high == (1.0, 4.0)
    assert s.mix_years == (2020, 2030)
    # ids resolved case-insensitively; the old id N48UH through its alias (materials/aliases.csv)
    assert s.mixes[0] == {"N45SH": 0.5, "HL-G48UH": 0.5}
    assert s.lifetime == ("weibull", 2.5, 17.0)
    assert (s.yield_low, s.yield_high, s.scrap_low, s.collection_high, s.recovery_high) == (
        0.7,
        0.8,
        0.5,
        0.1,
        0.9,
    )
    assert set(s.uncertain) == {"units", "magnet_kg_per_unit", "manufacturing_yield", "recovery"}


def test_scenario_replaces_whole_fields(lib):
    text = """start_year = 2025
end_year = 2030
[[segment]]
name = "BEV traction"
units = { 2020 = 1e6 }
magnet_kg_per_unit = 1.5
grades = { N45SH = 0.7, N48UH = 0.3 }
lifetime = { distribution = "normal", mean = 15, sd = 4 }
manufacturing_yield = 0.8
[scenario.gbd_shift]
"BEV traction".grades = { 2025 = { N45SH = 0.7, N48UH = 0.3 }, 2030 = { N45SH-GBD = 1.0 } }
"BEV traction".lifetime = { distribution = "fixed", years = 10 }
"""
    spec = parse_fleet(text, "f.toml", lib)
    assert list(spec.scenarios) == ["baseline", "gbd_shift"]
    s = spec.scenarios["gbd_shift"][0]
    assert s.mixes[-1] == {"N45SH-GBD": 1.0} and s.lifetime == ("fixed", 10.0, 0.0)
    assert s.kg_low == (1.5,)  # untouched fields carried over
    assert spec.scenarios["baseline"][0].mix_years == (0,)


@pytest.mark.parametrize("name", [c[0] for c in CASES[:4]] + ["fleet_invalid_toml.toml"])
def test_cli_exit_2_without_traceback(data_dir, name):
    r = subprocess.run(
        [sys.executable, "-m", "magnets", "fleet", str(data_dir / name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr.startswith("magnets: error: ")
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


FLEET_AT = """start_year = 2025
end_year = 2027
[[segment]]
name = "a"
units = {{ 2020 = {units} }}
magnet_kg_per_unit = {kg}
grades = {{ N45SH = 1.0 }}
lifetime = {{ distribution = "fixed", years = 10 }}
manufacturing_yield = 0.8
"""


@pytest.mark.parametrize(
    ("units", "kg", "line", "key"),
    [
        ("1e308", "1", 5, "segment[1].units.2020"),
        ("{ low = 1, high = 1e300 }", "1", 5, "segment[1].units.2020.high"),
        ("5", "1e308", 6, "segment[1].magnet_kg_per_unit"),
    ],
)
def test_1e308_units_a_year_gave_inf_cells(tmp_path, capsys, units, kg, line, key):
    from magnets.cli import main

    path = tmp_path / "f.toml"
    path.write_text(FLEET_AT.format(units=units, kg=kg), encoding="utf-8")
    assert main(["fleet", str(path), "--format", "csv"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "inf" not in out.out
    assert f"{path}:{line}: key {key}: expected a number from 0 to 1e+" in out.err
    assert "give units per year" in out.err or "give kg" in out.err


def test_fleet_at_the_input_limits_stays_finite(lib):
    import numpy as np

    # 1e12 units a year x 1e6 kg each, the largest accepted: 1e18 kg/yr, far below 1.8e308
    spec = parse_fleet(FLEET_AT.format(units="1e12", kg="1e6"), "f.toml", lib)
    from magnets.fleet.model import project_fleet

    table = project_fleet(spec, lib).table
    assert not np.isinf(table.select_dtypes("number").to_numpy(dtype=float)).any()
    nd = table[(table["year"] == 2025) & (table["element"] == "Nd")]["demand_t"].iloc[0]
    # 1e18 kg = 1e15 t of magnet a year, / 0.8 yield = alloy in, x the Nd fraction of N45SH
    expected = 1e15 / 0.8 * lib.grades.loc["N45SH", "Nd_wt_pct"] / 100
    assert nd == pytest.approx(expected, rel=1e-9)


def test_an_overflowed_cell_is_refused_not_written():
    import numpy as np
    import pandas as pd

    from magnets.fleet.result import refuse_infinite

    t = pd.DataFrame({"segment": ["a", "a"], "year": [2025, 2026], "demand_t": [1.0, np.inf]})
    with pytest.raises(InputError, match=r"f.toml: demand_t overflowed .* 'a', 2026"):
        refuse_infinite(t, "f.toml")
