"""evaluate_bom and `magnets bom`: statuses, messages, element totals, files in and out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from magnets.bom.evaluate import ELEMENT_COLUMNS, SUGGEST_COLUMNS, evaluate_bom
from magnets.cli import main
from magnets.data.library import load_library

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "materials" / "examples" / "bom.csv"
# MOFCOM announcement No. 18 (4 April 2025) controls Sm, Gd, Tb, Dy, Lu, Sc, Y: a date after it
AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def lib():
    return load_library()


def run_cli(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def wt(lib, grade, el) -> float:
    """kg of element per kg of magnet, straight from the library's wt% column."""
    return float(lib.grades.loc[grade, f"{el}_wt_pct"]) / 100.0


# --------------------------------------------------------------------------- statuses and messages


def test_each_bad_row_kind_gets_an_error_and_the_rest_is_evaluated(lib):
    r = evaluate_bom(DATA / "bom_bad_rows.csv", lib, date=AS_OF)
    t = r.table.set_index("part_id")
    expected = {
        "neg-mass": "magnet mass '-5' in column 'magnet_mass_g' must be positive",
        "no-mass": "no magnet mass; give the mass of one magnet in column 'magnet_mass_g'",
        "temp-text": "required temperature 'hot' in column 'required_temp_C' is not a number",
        "qty-zero": "quantity '0' in column 'quantity' must be 1 or more",
        "qty-neg": "quantity '-3' in column 'quantity' must be 1 or more",
        "qty-text": "quantity 'two' in column 'quantity' is not a number",
        "no-grade": "no grade; give a library grade id in column 'grade'",
        "unknown-grade": "unknown grade 'N42XH': did you mean",
        "ambiguous-name": "grade name 'N52' is ambiguous: it matches ids",
        "mass-unit": "magnet mass '12 oz' in column 'magnet_mass_g' has an unknown unit; use g, kg or lb",
        "pc-zero": "permeance coefficient Pc '0' must be positive",
        "hd-negative": "applied field Hd '-20' must not be negative",
        "cold-above-hot": "cold temperature 60 degC is above the required (maximum) temperature 20 degC",
        "too-many-fields": "line has 9 fields but the header has 8",
        "below-absolute-zero": "required temperature '-500 F' is below absolute zero",  # -295.6 degC
    }
    for part, text in expected.items():
        assert t.loc[part, "status"] == "error", part
        assert text in t.loc[part, "message"], (part, t.loc[part, "message"])
    assert "N42" in t.loc["unknown-grade", "message"]  # the closest id is offered
    assert t.loc["ok-1", "status"] == "ok"
    assert pd.isna(t.loc["ok-1", "message"])
    # ARN-N42 (HcJ 955 kA/m, beta -0.75 %/K) cannot be rated for 250 degC at any sensible Pc
    assert t.loc["too-hot", "status"] == "below_rating"
    assert "below the required 250 degC" in t.loc["too-hot", "message"]
    assert t.loc["too-hot", "margin_C"] == pytest.approx(
        t.loc["too-hot", "t_max_C"] - 250, abs=0.011
    )
    assert list(r.table["line"]) == list(range(2, 19))
    assert r.summary["rows_by_status"] == {"ok": 1, "below_rating": 1, "error": 15}


def test_unknown_grade_does_not_stop_the_file(lib):
    r = evaluate_bom(DATA / "bom_unknown_grade.csv", lib, date=AS_OF)
    assert list(r.table["status"]) == ["error", "ok"]
    assert r.table["message"][0].startswith("unknown grade 'N42XH': did you mean")
    assert r.table["Dy_kg"].isna()[0] and r.table["t_max_C"].isna()[0]


def test_cold_end_failure_is_below_rating(lib):
    # Sintered ferrite: HcJ rises with temperature (beta > 0), so it is weakest in the cold. At
    # Pc 0.3 its working field Br/mu0/(Pc + mu_rec) ~ 0.4 T / 1.2566e-3 / 1.4 ~ 230 kA/m exceeds
    # the knee (~0.9 x 217 kA/m x 0.76 at -60 degC ~ 150 kA/m).
    frame = pd.DataFrame(
        {"grade": ["TH-Y35"], "magnet_mass_g": [28.0], "pc": [0.3], "cold_temp_C": [-60]}
    )
    r = evaluate_bom(frame, lib, date=AS_OF)
    assert r.table["status"][0] == "below_rating"
    assert "demagnetises at the cold end (-60 degC)" in r.table["message"][0]
    assert pd.isna(r.table["margin_C"][0])  # no required temperature: no margin


def test_without_required_temperature_only_the_cold_end_is_checked(lib):
    frame = pd.DataFrame({"grade": ["HZ-YXG22H"], "magnet_mass_kg": [0.002]})
    r = evaluate_bom(frame, lib, date=AS_OF)
    assert r.table["status"][0] == "ok"
    assert r.table["t_max_C"][0] > 200  # Sm2Co17 at the default Pc: a rating exists
    assert pd.isna(r.table["margin_C"][0])


# --------------------------------------------------------------------------- element kg


def test_element_totals_equal_the_hand_sum(lib):
    frame = pd.DataFrame(
        {
            "part_id": ["rotor", "sensor", "bad"],
            "grade": ["N38EH", "HZ-YXG22H", "NOPE"],
            "magnet_mass_g": [14.2, 0.16, 3.0],
            "quantity": [48, 5, 1],
            "required_temp_C": [180, 180, 100],
        }
    )
    r = evaluate_bom(frame, lib, date=AS_OF)
    t = r.table
    # hand calc: line kg = mass per unit x quantity x wt%/100
    rotor_kg, sensor_kg = 0.0142 * 48, 0.00016 * 5  # 0.6816 kg and 0.0008 kg of magnet
    for el in ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co"):
        hand = rotor_kg * wt(lib, "N38EH", el) + sensor_kg * wt(lib, "HZ-YXG22H", el)
        assert t[f"{el}_kg"][0] == pytest.approx(rotor_kg * wt(lib, "N38EH", el), abs=1e-9)
        assert t[f"{el}_kg"][1] == pytest.approx(sensor_kg * wt(lib, "HZ-YXG22H", el), abs=1e-9)
        assert r.summary["totals_kg"][el] == pytest.approx(hand, abs=1e-9)
        assert t[f"{el}_kg"].sum() == pytest.approx(hand, abs=1e-8)  # the column sums to the total
    assert pd.isna(t["Dy_kg"][2])  # an unknown grade carries no kg
    # Sm2Co17 holds ~25 wt% Sm: 0.0008 kg x 0.25 = 0.0002 kg, all of it controlled (Sm, No. 18)
    assert r.summary["totals_kg"]["Sm"] == pytest.approx(0.0008 * wt(lib, "HZ-YXG22H", "Sm"))
    ctrl_hand = sum(
        kg * sum(wt(lib, g, el) for el in ("Dy", "Tb", "Sm", "Gd"))
        for kg, g in ((rotor_kg, "N38EH"), (sensor_kg, "HZ-YXG22H"))
    )
    assert r.summary["totals_kg"]["controlled"] == pytest.approx(ctrl_hand, rel=1e-6)


def test_suggestions_save_what_they_say(lib):
    r = evaluate_bom(EXAMPLE, lib, date=AS_OF)
    t = r.table
    has = t["suggested_grade"].notna()
    assert has.any()
    s = t[has]
    line_kg = s["magnet_mass_g"].astype(float) / 1000 * s["quantity"].astype(float)
    sug_dy = [wt(lib, g, "Dy") for g in s["suggested_grade"]]
    # suggested kg = line kg x mass factor x wt% of the suggested grade; the mass factor
    # column is rounded to 4 decimals (FACTOR_DECIMALS), hence rtol 1e-4
    assert np.allclose(
        s["suggested_Dy_kg"], line_kg * s["suggested_mass_factor"] * sug_dy, rtol=1e-4, atol=1e-9
    )
    assert np.allclose(
        s["saving_Dy_Tb_kg"],
        s["Dy_kg"] + s["Tb_kg"] - s["suggested_Dy_kg"] - s["suggested_Tb_kg"],
        atol=1e-8,
    )
    leaner = s["suggestion_kind"] == "leaner"
    assert (s.loc[leaner, "saving_Dy_Tb_kg"] > 0).all()  # a leaner grade saves
    # the rest are upgrades, only for lines whose specified grade fails
    assert (s.loc[~leaner, "suggestion_kind"] == "upgrade").all()
    assert (s.loc[~leaner, "status"] == "below_rating").all()
    assert (s["suggested_t_max_C"] >= s["required_temp_C"].astype(float) - 0.01).all()
    rest = [c for c in SUGGEST_COLUMNS[1:] if c != "suggestion_kind"]
    assert t.loc[~has, rest].isna().all().all()
    assert set(t.loc[~has & (t["status"] != "error"), "suggestion_kind"]) == {"none"}
    top = r.summary["top_savings"]
    assert 0 < len(top) <= 10
    assert [x["saving_Dy_Tb_kg"] for x in top] == sorted(
        (x["saving_Dy_Tb_kg"] for x in top), reverse=True
    )
    sug = r.summary["suggested_totals_kg"]
    assert sug["Dy"] + sug["Tb"] < r.summary["totals_kg"]["Dy"] + r.summary["totals_kg"]["Tb"]


def test_per_line_element_kg_for_every_element(lib):
    r = evaluate_bom(EXAMPLE, lib, date=AS_OF)
    spec, sug = r.element_kg(), r.element_kg(suggested=True)
    t = r.table
    np.testing.assert_allclose(spec["Nd"], t["Nd_kg"], atol=1e-9)  # same numbers, unrounded
    np.testing.assert_allclose(spec["controlled"], t["controlled_kg"], atol=1e-9)
    has = t["suggested_grade"].notna().to_numpy()
    np.testing.assert_allclose(sug.loc[has, "Dy"], t.loc[has, "suggested_Dy_kg"], atol=1e-9)
    assert sug.loc[~has].isna().all().all()
    assert sug.loc[has, "Nd"].sum() + spec.loc[~has, "Nd"].sum() == pytest.approx(
        r.summary["suggested_totals_kg"]["Nd"], rel=1e-9
    )


def test_no_suggest_leaves_the_suggestion_columns_out(lib):
    r = evaluate_bom(EXAMPLE, lib, date=AS_OF, suggest=False)
    assert not set(SUGGEST_COLUMNS) & set(r.table.columns)
    assert r.summary["suggested_totals_kg"] is None


def test_output_columns_typed_and_ordered(lib):
    r = evaluate_bom(EXAMPLE, lib, date=AS_OF)
    t = r.table
    src = pd.read_csv(EXAMPLE, comment="#", dtype=str)
    assert list(t.columns) == [
        "line",
        *src.columns,
        "status",
        "message",
        "t_max_C",
        "margin_C",
        "irreversible_loss_pct",
        *ELEMENT_COLUMNS,
        "controlled_kg",
        *SUGGEST_COLUMNS,
    ]
    assert t["line"].dtype == np.int64
    assert isinstance(t["status"].dtype, pd.CategoricalDtype)
    for c in ["t_max_C", "margin_C", "irreversible_loss_pct", *ELEMENT_COLUMNS, "saving_Dy_Tb_kg"]:
        assert t[c].dtype == np.float64, c
    # lines: the header is the first line that is not a '#' comment; records follow it
    first = next(
        i for i, s in enumerate(EXAMPLE.read_text().splitlines(), 1) if not s.startswith("#")
    )
    assert list(t["line"]) == list(range(first + 1, first + 1 + len(src)))


def test_output_name_clash_gets_input_prefix(lib):
    r = evaluate_bom(DATA / "bom_output_name_clash.csv", lib, date=AS_OF)
    cols = list(r.table.columns)
    assert [c for c in cols if c.startswith("input_")] == [
        "input_Status",
        "input_message",
        "input_line",
    ]
    assert r.table["input_Status"][0] == "released" and r.table["line"][0] == 2


# --------------------------------------------------------------------------- the command


def test_example_runs_from_the_readme():
    proc = subprocess.run(
        [sys.executable, "-m", "magnets", "bom", str(EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 30
    assert {r["status"] for r in rows} == {"ok", "below_rating", "error"}
    assert "rows:" in proc.stderr and "largest savings" in proc.stderr
    assert "Traceback" not in proc.stderr


UNREADABLE = [
    ("no_such_file.csv", "no such file"),
    ("bom_empty.csv", "empty"),
    ("bom_binary.csv", "binary"),
    ("bom_not_a_table.csv", "does not look like a BOM table"),
    ("bom_no_grade_column.csv", "no grade column"),
    ("bom_unknown_unit.csv", "unknown unit 'oz'"),
    ("bom_duplicate_mass_columns.csv", "both read as"),
    ("bom_corrupt.xlsx", "not a readable XLSX"),
    ("bom_corrupt.parquet", "not a readable Parquet"),
]


@pytest.mark.parametrize("name, problem", UNREADABLE)
def test_unreadable_file_exit_2_one_line_nothing_written(tmp_path, capsys, name, problem):
    existing = tmp_path / "old.csv"
    existing.write_text("previous results\n")
    summary = tmp_path / "summary.json"
    code, out, err = run_cli(["bom", DATA / name, "-o", existing, "--summary", summary], capsys)
    assert code == 2 and out == ""  # nothing on stdout either
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("magnets: error:")
    assert name in lines[0] and problem in lines[0]
    assert existing.read_text() == "previous results\n"  # not changed
    assert not summary.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]  # no temporary file left
    code, _out, err = run_cli(["bom", DATA / name, "-o", tmp_path / "new.csv"], capsys)
    assert code == 2 and not (tmp_path / "new.csv").exists()


def test_exit_codes_and_strict(tmp_path, capsys):
    code, out, _ = run_cli(["bom", DATA / "bom_unknown_grade.csv", "--date", "2025-06-01"], capsys)
    assert code == 0 and out.count("\n") == 3  # header + 2 rows
    code, _, _ = run_cli(["bom", DATA / "bom_unknown_grade.csv", "--strict"], capsys)
    assert code == 1
    ok = tmp_path / "ok.csv"
    ok.write_text("grade,magnet_mass_g,required_temp_C\nHZ-YXG22H,2,150\n")
    code, _, _ = run_cli(["bom", ok, "--strict"], capsys)
    assert code == 0


def test_binary_formats_need_an_output_path(capsys):
    code, out, err = run_cli(["bom", EXAMPLE, "--format", "parquet"], capsys)
    assert code == 2 and "-o" in err and out == ""


def test_output_may_not_overwrite_the_input(tmp_path, capsys):
    p = tmp_path / "bom.csv"
    p.write_text("grade,magnet_mass_g\nN42,1\n")
    code, _, err = run_cli(["bom", p, "-o", p], capsys)
    assert code == 2 and "is the input file" in err
    assert p.read_text() == "grade,magnet_mass_g\nN42,1\n"


def test_formula_injection_is_neutralised_in_csv_and_xlsx(tmp_path, capsys):
    code, out, _ = run_cli(["bom", DATA / "bom_formula_injection.csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["part_id"] == '\'=HYPERLINK("http://example.com")'
    assert rows[0]["note"] == "'+cmd|' /C calc'!A0"
    assert rows[1]["part_id"] == "'@SUM(A1:A9)" and rows[1]["note"] == "'-2+3"
    assert rows[2]["part_id"] == "'\ttabbed"
    assert rows[2]["note"] == "-12.5"  # a number stays a number
    assert rows[3]["part_id"] == "plain" and rows[3]["note"] == "'@user"
    assert rows[0]["line"] == "2" and rows[0]["Sm_kg"] != ""  # numbers untouched
    xlsx = tmp_path / "out.xlsx"
    assert run_cli(["bom", DATA / "bom_formula_injection.csv", "-o", xlsx], capsys)[0] == 0
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = values[0]
    assert values[1][header.index("part_id")] == '\'=HYPERLINK("http://example.com")'
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no formula cells
    assert values[1][header.index("line")] == 2  # numbers are numbers


def test_summary_json_and_stderr_summary(tmp_path, capsys):
    summary = tmp_path / "s.json"
    code, _, err = run_cli(
        ["bom", EXAMPLE, "--summary", summary, "--date", "2025-06-01", "-o", tmp_path / "o.csv"],
        capsys,
    )
    assert code == 0
    s = json.loads(summary.read_text())
    assert {
        "rows_by_status",
        "totals_kg",
        "suggested_totals_kg",
        "top_savings",
        "library_version",
        "as_of_date",
        "calibration",
    } <= set(s)
    assert s["as_of_date"] == "2025-06-01" and s["calibration"]["pc"] > 0
    assert sum(s["rows_by_status"].values()) == 30
    assert "30 rows:" in err and "specified" in err and "suggested" in err


def test_json_output_is_an_array_of_records(capsys):
    code, out, _ = run_cli(["bom", DATA / "bom_unknown_grade.csv", "--format", "json"], capsys)
    assert code == 0
    recs = json.loads(out)
    assert [r["line"] for r in recs] == [2, 3]
    assert recs[0]["status"] == "error" and recs[0]["t_max_C"] is None


def test_no_progress_bar_when_not_a_terminal(capsys):
    code, _, err = run_cli(["bom", EXAMPLE], capsys)
    assert code == 0 and "\r[" not in err


# --------------------------------------------------------------------------- round trips


def _example_frame() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE, comment="#", dtype=str, keep_default_na=False)


def test_xlsx_in_and_out_round_trip(tmp_path, lib, capsys):
    frame = _example_frame()
    src = tmp_path / "bom.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    num = {"magnet_mass_g", "quantity", "required_temp_C", "pc", "hd_kA_m", "cold_temp_C"}
    for rec in frame.itertuples(index=False):
        ws.append([float(v) if c in num and v != "" else v for c, v in zip(frame.columns, rec)])
    wb.save(src)
    from_csv = evaluate_bom(EXAMPLE, lib, date=AS_OF).table
    from_xlsx = evaluate_bom(src, lib, date=AS_OF).table
    assert list(from_xlsx["line"]) == list(range(2, 32))  # sheet rows
    for c in ["status", "t_max_C", *ELEMENT_COLUMNS, "suggested_grade", "saving_Dy_Tb_kg"]:
        pd.testing.assert_series_equal(
            from_xlsx[c], from_csv[c], check_names=False, check_categorical=False
        )
    out = tmp_path / "out.xlsx"
    assert run_cli(["bom", src, "-o", out], capsys)[0] == 0
    back = pd.read_excel(out, engine="openpyxl")
    assert len(back) == 30 and list(back["part_id"]) == list(frame["part_id"])
    assert back["Dy_kg"].sum() == pytest.approx(from_csv["Dy_kg"].sum(), rel=1e-9)


def test_parquet_in_and_out_round_trip(tmp_path, lib, capsys):
    frame = _example_frame()
    typed = frame.assign(
        **{
            c: pd.to_numeric(frame[c])
            for c in [
                "magnet_mass_g",
                "quantity",
                "required_temp_C",
                "pc",
                "hd_kA_m",
                "cold_temp_C",
            ]
        }
    )
    src = tmp_path / "bom.parquet"
    pq.write_table(pa.Table.from_pandas(typed, preserve_index=False), src)
    from_csv = evaluate_bom(EXAMPLE, lib, date=AS_OF).table
    out = tmp_path / "out.parquet"
    assert run_cli(["bom", src, "-o", out, "--date", "2025-06-01"], capsys)[0] == 0
    back = pq.read_table(out).to_pandas()
    assert list(back["line"]) == list(range(2, 32))  # record number + 1
    assert back["magnet_mass_g"].dtype == np.float64  # input columns keep their types
    for c in ["status", "t_max_C", *ELEMENT_COLUMNS, "controlled_kg", "suggested_grade"]:
        pd.testing.assert_series_equal(
            back[c], from_csv[c], check_names=False, check_categorical=False
        )


def test_csv_output_reads_back_identically(tmp_path, lib, capsys):
    out = tmp_path / "o.csv"
    assert run_cli(["bom", EXAMPLE, "-o", out, "--date", "2025-06-01"], capsys)[0] == 0
    back = pd.read_csv(out, dtype={"part_id": str})
    direct = evaluate_bom(EXAMPLE, lib, date=AS_OF).table
    assert list(back["part_id"]) == list(direct["part_id"])
    np.testing.assert_allclose(back["Dy_kg"], direct["Dy_kg"])
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_file_written_atomically_replaces_old_output(tmp_path, capsys):
    out = tmp_path / "o.csv"
    out.write_text("old\n")
    assert run_cli(["bom", EXAMPLE, "-o", out], capsys)[0] == 0
    assert out.read_text().startswith("line,") or out.read_text().startswith('"line"')
    assert os.listdir(tmp_path) == ["o.csv"]


def test_rank_by_controlled_and_price(lib):
    r = evaluate_bom(EXAMPLE, lib, date=AS_OF, rank_by="controlled")
    s = r.table[r.table["suggestion_kind"] == "leaner"]
    assert len(s) and (s["saving_controlled_kg"] > 0).all()  # leaner by kg of controlled elements
    top = [x["saving_controlled_kg"] for x in r.summary["top_savings"]]
    assert top == sorted(top, reverse=True)
    r = evaluate_bom(EXAMPLE, lib, date=AS_OF, rank_by="price")
    usd = [x["saving_usd"] for x in r.summary["top_savings"]]
    assert usd and usd == sorted(usd, reverse=True) and usd[-1] > 0


def test_the_batch_path_imports_no_ui_or_plotting(tmp_path):
    code = (
        "import sys\n"
        "from magnets.cli import main\n"
        f"assert main(['bom', {str(EXAMPLE)!r}, '-o', {str(tmp_path / 'o.csv')!r}]) == 0\n"
        "bad = [m for m in ('textual', 'rich', 'matplotlib', 'magnets.tui') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- one rule, one fact


def test_bom_csv_keeps_numbers_in_text_and_neutralises_formulas(lib, tmp_path):
    from magnets.bom.write import write_result

    # the same rule as magnets.io.safe_text_cells (tests/test_io.py): numbers stay, formulas get '
    frame = pd.DataFrame(
        {
            "grade": ["MA-Y30BH"] * 4,
            "magnet_mass_kg": [0.01] * 4,
            "note": ["-1,5", "-1.5", "=1+1", "@a"],
        }
    )
    out = tmp_path / "o.csv"
    write_result(evaluate_bom(frame, lib, date=AS_OF), out, "csv")
    with out.open(encoding="utf-8") as fh:
        notes = [row["note"] for row in csv.DictReader(fh)]
    assert notes == ["-1,5", "-1.5", "'=1+1", "'@a"]


def test_unknown_prices_are_unknown_as_in_substitution(lib):
    from magnets.bom.grades import grade_arrays
    from magnets.substitution import grade_table

    price = grade_arrays(lib, AS_OF, "price").price_usd_per_kg
    assert price is not None
    unknown_in_substitution = grade_table(lib, AS_OF)["price_usd_per_kg"].isna().to_numpy()
    np.testing.assert_array_equal(np.isnan(price), unknown_in_substitution)
    # issue 14: the BOM priced 30 of the 108 built-in grades at 0 USD per unpriced element
    assert unknown_in_substitution.sum() == 30
    # Sm2Co17: Sm and Co have no price in materials/elements.csv, so its price is unknown
    assert np.isnan(price[lib.grades.index.get_loc("HZ-YXG22H")])


def test_an_unknown_price_gives_no_usd_saving_and_ranks_last(lib):
    from magnets.substitution import substitute_many

    # HD-NDY-HD holds Y, which has no price: unknown price, ranked after every priced grade
    frame = pd.DataFrame(
        {"grade": ["HD-NDY-HD"], "magnet_mass_kg": [0.01], "required_temp_C": [20.0]}
    )
    r = evaluate_bom(frame, lib, date=AS_OF, rank_by="price")
    pos = lib.grades.index.get_loc("HD-NDY-HD")
    sub = substitute_many(
        lib,
        np.array([pos]),
        np.array([20.0]),
        np.array([np.nan]),
        np.array([0.0]),
        np.array([-40.0]),
        rank_by="price",
        date=AS_OF,
    )
    expected = lib.grades.index[int(sub["suggested_pos"].iloc[0])]  # substitution's own choice
    assert r.table["suggested_grade"].tolist() == [expected]
    assert r.summary["top_savings"] == []  # a saving in USD against an unknown price is unknown


def test_cli_choices_are_the_domain_lists():
    from magnets.bom.evaluate import RANK_BY
    from magnets.cli import bom as cli_bom
    from magnets.io import FORMATS
    from magnets.substitution import RANK_BY as SUBSTITUTION_RANK_BY

    assert cli_bom.FORMATS == FORMATS
    assert cli_bom.RANK_BY == RANK_BY == SUBSTITUTION_RANK_BY


def test_summary_is_a_typed_result_that_reads_as_a_mapping(lib):
    from magnets.bom.result import BomSummary
    from magnets.io import dumps_json

    s = evaluate_bom(EXAMPLE, lib, date=AS_OF).summary
    assert isinstance(s, BomSummary)
    assert list(s)[:3] == ["rows", "rows_by_status", "totals_kg"]  # the JSON key order
    assert s["rows"] == s.rows and dict(s.items()) == s.to_dict()
    with pytest.raises(KeyError):
        s["no_such_field"]
    assert json.loads(dumps_json(s)) == json.loads(dumps_json(s.to_dict()))


def test_irreversible_loss_column_is_the_loss_model_at_the_required_temperature(lib):
    from magnets.physics.loss import irreversible_loss
    from magnets.rating_table import grade_table

    frame = pd.DataFrame(
        {
            "grade": ["KYL-N42SH", "KYL-N42SH", "KYL-N42SH"],
            "magnet_mass_g": [10.0, 10.0, 10.0],
            "pc": [2.0, 2.0, 2.0],
            "required_temp_C": [150.0, 180.0, None],
        }
    )
    t = evaluate_bom(frame, lib, date=AS_OF).table
    row = grade_table(lib, AS_OF).loc["KYL-N42SH"]
    want = irreversible_loss(
        row.Br_T, row.HcJ_kA_m, row.alpha, row.beta, np.array([150.0, 180.0]), pc=2.0,
        mu_rec=row.mu_rec, squareness=row.squareness, T0_C=row.T0_C, curie_C=row.curie_C,
    ).loss_pct  # fmt: skip
    # 180 degC is 10 K past the 169.6 degC knee rating at Pc 2: 24.35 % (tests/test_cli_loss.py)
    assert t["irreversible_loss_pct"][1] == pytest.approx(24.35, abs=0.05)
    np.testing.assert_allclose(t["irreversible_loss_pct"][:2], want, atol=1e-3)
    assert pd.isna(t["irreversible_loss_pct"][2])  # no required temperature: no loss figure
