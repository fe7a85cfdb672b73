"""`magnets grades`, `magnets show` and `magnets data check` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from magnets.cli import main


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "magnets", *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def test_grades_json_matches_library(lib, capsys):
    assert main(["grades", "--format", "json", "--date", "2026-01-01"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(lib.grades)
    by_id = {r["id"]: r for r in rows}
    for gid, g in lib.grades.iterrows():
        r = by_id[gid]
        assert r["Br_T"] == g["Br_T"] and r["family"] == g["family"] and r["route"] == g["route"]
        assert r["Dy_wt_pct"] == pytest.approx(g["Dy_wt_pct"]) and r["source"]
        required = {
            "id",
            "name",
            "family",
            "route",
            "Br_T",
            "HcJ_kA_m",
            "HcB_kA_m",
            "BHmax_kJ_m3",
            "alpha_Br_pct_per_K",
            "beta_HcJ_pct_per_K",
            "max_temp_C",
            "density_g_cm3",
            "Dy_wt_pct",
            "Tb_wt_pct",
            "Sm_wt_pct",
            "Gd_wt_pct",
            "Nd_wt_pct",
            "Pr_wt_pct",
            "Co_wt_pct",
            "composition_basis",
            "controlled_elements",
            "source",
        }
        assert required <= set(r)
        # controlled elements as of 2026-01-01: No. 18 (Sm Gd Tb Dy ...) present in the grade
        if g["Dy_wt_pct"] > 0:
            assert "Dy" in r["controlled_elements"]
        if g["family"] == "ferrite":
            assert r["controlled_elements"] == []


def test_grades_filters(lib, capsys):
    assert (
        main(["grades", "--family", "ndfeb-sintered", "--route", "gbd-tb", "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["route"] == "gbd-tb" for r in rows)
    assert (
        main(
            [
                "grades",
                "--max-dy-tb",
                "1",
                "--min-temp",
                "150",
                "--sort",
                "max_temp_C",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    # --min-temp filters on the best basis (catalogue, guideline, model), shown in rating_basis
    assert all(r["Dy_Tb_wt_pct"] <= 1 and r["rating_C"] >= 150 for r in rows)
    assert {r["rating_basis"] for r in rows} <= {"catalogue", "guideline", "model"}
    temps = [r["max_temp_C"] for r in rows if r["max_temp_C"] is not None]
    assert temps == sorted(temps)


def test_show_json_has_contents_and_flags(lib, capsys):
    gid = lib.grades.index[lib.grades["Dy_wt_pct"] > 0][0]
    assert main(["show", gid.lower(), "--format", "json", "--date", "2025-05-01"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["id"] == gid
    assert d["element_kg_per_kg"]["Dy"] == pytest.approx(lib.grades.loc[gid, "Dy_wt_pct"] / 100)
    assert "Dy2O3" in d["oxide_kg_per_kg"] and "Dy" in d["controlled_elements"]
    assert d["composition_basis"] in {"sourced", "derived", "estimate", "model"}


def test_show_before_controls_lists_none(lib, capsys):
    gid = lib.grades.index[lib.grades["Dy_wt_pct"] > 0][0]
    assert main(["show", gid, "--format", "json", "--date", "2025-01-01"]) == 0
    assert json.loads(capsys.readouterr().out)["controlled_elements"] == []


def test_show_prints_the_composition_basis_band_and_method(capsys):
    assert main(["show", "N38EH", "--date", "2025-05-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = "element content per kg of magnet (composition ndfeb-model-bulk-30kOe, basis model)"
    assert head in lines
    # model row for N38EH: HcJ_min 2388 kA/m = 30 kOe on substrates 12.57 / 13.485 / 15.28 kOe
    # at the alloy's slope (27.1 - substrate) / 7.4: 17.43 / 1.964 = 8.877, 16.515 / 1.840 =
    # 8.976, 14.72 / 1.597 = 9.216 wt% Dy, no Tb (scripts/gen_compositions.py)
    band = "Dy/Tb wt% low / value / high (model): Dy 8.877 / 8.976 / 9.216, Tb 0 / 0 / 0"
    i = lines.index(band)
    # the band line sits just before the method; the rest of the output is as before
    assert lines[i + 1].startswith("method: Model (scripts/gen_compositions.py).")
    assert lines[i + 2].startswith("source: ")
    assert lines[i - 1].startswith("Dy2O3 kg/kg")


def test_show_json_carries_the_band(capsys):
    assert main(["show", "HL-G50SHT", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    # model row ndfeb-model-gbd-tb-22kOe: 8.515 kOe over the mean substrate 13.485, under the
    # 8.88 cap: Tb 8.515 / 25.37 = 0.336 wt%, no substrate Dy. Low: substrate 15.28, 6.72 / 25.37
    # = 0.265 Tb. High: substrate 12.57 needs 9.43 kOe: at the 9.58 cap all Tb, 9.43 / 25.37 =
    # 0.372; at the 8.88 cap 0.35 Tb + 0.55 / 1.964 = 0.28 Dy [mainrich-gbd] [kim2019-tb-gbd]
    # [jmmm2017-tbf3]
    assert (d["Dy_wt_pct_low"], d["Dy_wt_pct"], d["Dy_wt_pct_high"]) == (0.0, 0.0, 0.28)
    assert (d["Tb_wt_pct_low"], d["Tb_wt_pct"], d["Tb_wt_pct_high"]) == (0.265, 0.336, 0.372)
    assert d["Dy_Tb_wt_pct_low"] == pytest.approx(0.265)
    assert d["Dy_Tb_wt_pct_high"] == pytest.approx(0.652)


def test_unknown_grade_one_line_did_you_mean(lib):
    gid = lib.grades.index[0]
    code, out, err = run("show", gid + "Q")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("magnets: error: unknown grade") and gid in lines[0]
    )
    assert "Traceback" not in err


def test_data_check_clean_exit_0():
    code, out, err = run("data", "check")
    assert code == 0, out
    assert "no problems" in err


def test_data_check_reports_problems_exit_2(data_dir):
    code, out, _err = run(
        "data",
        "check",
        "--library",
        str(data_dir / "families_test.csv"),
        "--library",
        str(data_dir / "compositions_test.csv"),
        "--library",
        str(data_dir / "grades_hcb_above_hcj.csv"),
    )
    assert code == 2
    assert "grades_hcb_above_hcj.csv:3: column HcB_kA_m" in out


def test_bad_date_is_usage_error():
    code, _out, err = run("grades", "--date", "28/11/2026")
    assert code == 2 and "YYYY-MM-DD" in err
