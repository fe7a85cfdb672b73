"""Issue 12, items 4 and 5: one line instead of a traceback, physical bounds on library values,
bounded work. Each test is named by the defect it covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from magnets.cli import main
from magnets.data.library import load_library

DATA = Path(__file__).parent / "data"
BASE = [DATA / "families_test.csv", DATA / "compositions_test.csv"]
HEADER = (
    "id,name,manufacturer,family,route,Br_T,Br_basis,HcB_kA_m,HcB_basis,HcJ_kA_m,HcJ_basis,"
    "BHmax_kJ_m3,BHmax_basis,alpha_Br_pct_per_K,beta_HcJ_pct_per_K,coef_range_C,max_temp_C,"
    "max_temp_condition,curie_C,density_g_cm3,mu_rec,squareness,composition,source,coef_source,"
    "notes"
)
# the clean row of tests/data/grades_bhmax_above_limit.csv (T-OK), one field changed per case
GOOD = {
    "Br_T": "1.30",
    "HcB_kA_m": "960",
    "HcJ_kA_m": "1353",
    "BHmax_kJ_m3": "318",
    "density_g_cm3": "7.5",
    "mu_rec": "1.05",
    "alpha_Br_pct_per_K": "-0.12",
}


def _row(**change: str) -> str:
    v = {**GOOD, **change}
    return (
        f"T-X,T-X,test,ndfeb-sintered,bulk,{v['Br_T']},min,{v['HcB_kA_m']},min,"
        f"{v['HcJ_kA_m']},min,{v['BHmax_kJ_m3']},min,{v['alpha_Br_pct_per_K']},-0.6,20-150,120,"
        f"Pc=2,310,{v['density_g_cm3']},{v['mu_rec']},0.9,test-ndfeb,test 2026,,"
    )


def _problems(tmp_path: Path, **change: str):
    path = tmp_path / "grades_case.csv"
    path.write_text(HEADER + "\n" + _row(**change) + "\n", encoding="utf-8")
    lib = load_library([*BASE, path])
    return [p for p in lib.problems if p.path.endswith("grades_case.csv")]


def test_clean_row_has_no_bound_problem(tmp_path):
    # Br 1.30 T, mu_rec 1.05: Br/(mu0 mu_rec) = 985 kA/m >= HcB 960 (hand calc);
    # Br^2/(4 mu0 mu_rec) = 320.2 kJ/m3 >= BHmax 318
    assert _problems(tmp_path) == []


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"Br_T": "inf"}, "Br_T", "expected a finite number"),
        ({"Br_T": "100", "HcB_kA_m": "", "BHmax_kJ_m3": ""}, "Br_T", "above 1.6 T"),
        ({"HcJ_kA_m": "5000"}, "HcJ_kA_m", "above 4000 kA/m"),
        ({"density_g_cm3": "75"}, "density_g_cm3", "outside 1.0-22.6"),
        ({"alpha_Br_pct_per_K": "-12"}, "alpha_Br_pct_per_K", "outside +-2.0"),
        # Br/(mu0 mu_rec) = 985 kA/m (hand calc); 1100 is 11.6 % above it, HcJ 1353 above that
        ({"HcB_kA_m": "1100"}, "HcB_kA_m", "exceeds Br/(mu0 mu_rec)"),
        # mu_rec 1.3: Br^2/(4 mu0 mu_rec) = 258.7 kJ/m3; 318 is 23 % above it, though within
        # 3 % of Br^2/(4 mu0) = 336.2 kJ/m3
        ({"mu_rec": "1.3", "HcB_kA_m": "700"}, "BHmax_kJ_m3", "Br^2/(4 mu0 mu_rec)"),
    ],
)
def test_data_check_refuses_impossible_library_values(tmp_path, change, column, words):
    found = _problems(tmp_path, **change)
    assert any(p.line == 2 and p.column == column and words in p.message for p in found), found


def test_library_value_of_100_tesla_fails_data_check(tmp_path, capsys):
    (tmp_path / "lib").mkdir()
    grades = tmp_path / "lib" / "grades.csv"
    grades.write_text(HEADER + "\n" + _row(Br_T="100") + "\n", encoding="utf-8")
    (tmp_path / "lib" / "compositions.csv").write_text(
        (DATA / "compositions_test.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    code = main(["data", "check", "--library", str(tmp_path / "lib")])
    out = capsys.readouterr().out
    assert code == 2 and "Br 100.0 T is above 1.6 T" in out  # was: no problems, exit 0


@pytest.mark.parametrize("depth", [101, 5000])
def test_deeply_nested_toml_is_refused_with_the_limit(tmp_path, capsys, depth):
    path = tmp_path / "deep.toml"
    path.write_text(
        "start_year = 2020\nend_year = 2030\nx = " + "[" * depth + "]" * depth + "\n",
        encoding="utf-8",
    )
    assert main(["fleet", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("magnets: error:") and "more than 100 levels" in err  # no RecursionError


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["grades", "--max-dy-tb", "nan"], "expected --max-dy-tb to be a finite number"),
        (["grades", "--max-dy-tb", "-1"], "expected --max-dy-tb of 0 or more"),
        (["grades", "--min-temp", "-400"], "at or above absolute zero (-273.15 degC)"),
        (["tradeoff", "--to", "inf"], "expected --to to be a finite number"),
        (["tradeoff", "--from", "-300"], "at or above absolute zero"),
        (["rate", "N42", "--pc", "inf"], "expected --pc to be a finite number"),
        (["pc", "--shape", "cylinder", "--length", "nan", "--diameter", "1"], "--length"),
    ],
)
def test_numeric_option_that_is_not_finite_or_physical_is_one_line(capsys, argv, needle):
    # was: grades --max-dy-tb nan or -1 quietly listed 0 of 108 grades, exit 0
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("magnets: error: ") and needle in err and err.count("\n") == 1


def test_tradeoff_beyond_10000_steps_is_refused_at_once(capsys):
    # --from 80 (default) --to 9000 --step 0.001: (9000 - 80)/0.001 + 1 = 8,920,001 temperatures
    assert main(["tradeoff", "--to", "9000", "--step", "0.001"]) == 2
    err = capsys.readouterr().err
    assert "8,920,001 temperatures; the limit is 10,000" in err and "split the range" in err
    # --to 1e9 is past the 10,000 degC bound of every temperature option: refused at once too
    assert main(["tradeoff", "--to", "1e9"]) == 2
    assert "at most 10,000 degC" in capsys.readouterr().err
