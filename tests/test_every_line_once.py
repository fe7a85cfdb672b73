"""Issue 12, item 2: every line once. Each test is named by the defect it covers."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from magnets.bom.evaluate import evaluate_bom
from magnets.cli import main
from magnets.data.library import load_library

ROOT = Path(__file__).resolve().parents[1]
USERLIB = Path(__file__).parent / "data" / "userlib"


@pytest.fixture(scope="module")
def lib():
    return load_library()


def _table(result) -> pd.DataFrame:
    return result.table


def test_unclosed_quote_is_an_error_on_its_line_and_later_lines_are_read(tmp_path, lib):
    src = tmp_path / "bom.csv"
    src.write_text(
        "part_id,grade,magnet_mass_g,quantity\n"
        "P1,N42,10,2\n"
        'P2,N42,"10,2\n'  # the quote opens here and never closes
        "P3,N42,10,3\n"
        "P4,N42,10,4\n",
        encoding="utf-8",
    )
    t = _table(evaluate_bom(src, lib))
    assert t["line"].tolist() == [2, 3, 4, 5]  # every line once (was: P3, P4 inside P2's cell)
    assert t["part_id"].tolist() == ["P1", "P2", "P3", "P4"]
    assert t["status"].tolist() == ["ok", "error", "ok", "ok"]
    assert t["message"].iloc[1].startswith('a double quote (") opens on this line')
    assert t["quantity"].iloc[3] == "4"


def test_quoted_newlines_still_make_one_record(tmp_path, lib):
    # balanced quotes spanning lines are a real multi-line cell, not an unclosed quote
    src = tmp_path / "bom.csv"
    src.write_text(
        'part_id,grade,magnet_mass_g,quantity,note\nA,N42,2,1,"two\nlines"\nB,N42,2,1,x\n',
        encoding="utf-8",
    )
    t = _table(evaluate_bom(src, lib))
    assert t["line"].tolist() == [2, 4] and t["status"].tolist() == ["ok", "ok"]


def test_unclosed_quote_in_user_library_is_reported_by_data_check(tmp_path, capsys):
    folder = tmp_path / "lib"
    shutil.copytree(USERLIB, folder)
    grades = folder / "grades.csv"
    lines = grades.read_text(encoding="utf-8").splitlines()
    row = lines[2]
    second = row.replace("ACME-48SH", "ACME-50SH").replace("ACME 48SH", "ACME 50SH")
    third = row.replace("ACME-48SH", "ACME-52SH").replace("ACME 48SH", "ACME 52SH")
    grades.write_text(
        "\n".join([*lines[:3], second.replace(",user example", ',"user example'), third]) + "\n",
        encoding="utf-8",
    )
    code = main(["data", "check", "--library", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2  # was: exit 0, "no problems", and ACME-52SH swallowed into a note
    assert f"{grades}:4: a double quote" in out
    assert "1 problem(s)" in err
    assert "ACME-52SH" in load_library([folder]).grades.index


def test_user_library_cell_over_128_kb_is_a_problem_not_a_traceback(tmp_path, capsys):
    folder = tmp_path / "lib"
    shutil.copytree(USERLIB, folder)
    grades = folder / "grades.csv"
    text = grades.read_text(encoding="utf-8").rstrip("\n")
    grades.write_text(text.replace(",user example", ',"' + "x" * 200_000 + '"') + "\n")
    code = main(["data", "check", "--library", str(folder)])
    out, _ = capsys.readouterr()
    assert code == 2
    assert f"{grades}:3: cannot read this record" in out and "131,072 characters" in out


def _xlsx_with_big_int(path: Path) -> None:
    """An XLSX whose part_id cell holds the 20-digit integer 12345678901234567890 as a number
    (written as text by openpyxl, then turned into a numeric cell in the sheet XML)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["part_id", "grade", "magnet_mass_g", "quantity"])
    ws.append([777, "N42", 10, 2])
    ws.append(["P2", "N42", 10, 3])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith("sheet1.xml"):  # the first worksheet inside the zip
                data = data.replace(b"<v>777</v>", b"<v>12345678901234567890</v>")
            zout.writestr(item, data)


def test_twenty_digit_integer_in_xlsx_is_a_text_id_not_a_refused_file(tmp_path, lib):
    path = tmp_path / "big.xlsx"
    _xlsx_with_big_int(path)
    t = _table(evaluate_bom(path, lib))
    assert t["part_id"].tolist() == ["12345678901234567890", "P2"]  # exact digits, as text
    assert t["status"].tolist() == ["ok", "ok"]


def test_extreme_int64_and_string_view_parquet_columns_are_read(tmp_path, lib):
    path = tmp_path / "ext.parquet"
    table = pa.table(
        {
            "part_id": pa.array([2**63 - 1, -(2**63)], pa.int64()),
            "grade": pa.array(["N42", "N42"], pa.string_view()),
            "magnet_mass_g": pa.array(["10", "10"], pa.string_view()),
            "quantity": pa.array([2, -(2**63)], pa.int64()),
        }
    )
    pq.write_table(table, path)
    t = _table(evaluate_bom(path, lib))
    assert t["part_id"].tolist() == [str(2**63 - 1), str(-(2**63))]
    assert t["status"].tolist() == ["ok", "error"]
    assert "must be 1 or more" in t["message"].iloc[1]


def test_infinite_mass_has_a_real_message(tmp_path, lib):
    path = tmp_path / "inf.parquet"
    pq.write_table(
        pa.table({"grade": ["N42"], "magnet_mass_g": [float("inf")], "quantity": [1]}), path
    )
    t = _table(evaluate_bom(path, lib))
    assert t["status"].iloc[0] == "error"
    assert t["message"].iloc[0] == (
        "magnet mass 'inf' in column 'magnet_mass_g' is not a number; write it as e.g. 12.5"
    )


@pytest.mark.parametrize(("qty", "why"), [("0.5", "must be 1 or more"), ("2.5", "whole number")])
def test_fractional_quantity_is_a_row_error(tmp_path, lib, qty, why):
    # docs/bom.md: quantity is a count of magnets, "1 or more"
    src = tmp_path / "bom.csv"
    src.write_text(f"grade,magnet_mass_g,quantity\nN42,10,{qty}\nN42,10,2\n", encoding="utf-8")
    t = _table(evaluate_bom(src, lib))
    assert t["status"].tolist() == ["error", "ok"]
    assert why in t["message"].iloc[0]


def test_bom_from_a_pipe_and_from_stdin_is_read(tmp_path):
    text = "part_id,grade,magnet_mass_g,quantity\nP1,N42,10,2\nP2,N42,10,3\n"
    bom = tmp_path / "bom.csv"
    bom.write_text(text, encoding="utf-8")
    cmd = [sys.executable, "-m", "magnets", "bom"]
    stdin = subprocess.run([*cmd, "-"], input=text.encode(), capture_output=True, check=False)
    assert stdin.returncode == 0, stdin.stderr
    piped = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m magnets bom <(cat "{bom}")'],
        capture_output=True,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr  # was: "the file is empty"
    for done in (stdin, piped):
        rows = done.stdout.decode().splitlines()
        assert len(rows) == 3 and rows[1].startswith('2,"P1"') and rows[2].startswith('3,"P2"')


def test_pc_of_huge_or_tiny_dimensions_is_a_number_not_empty(capsys):
    # Pc depends on L/D only: L = D gives N = 1 - 1/sqrt(2) = 0.29289, Pc = (1 - N)/N = 2.4142
    for size in ("1e300", "1e-300"):
        assert main(["pc", "--shape", "cylinder", "--length", size, "--diameter", size]) == 0
        out = capsys.readouterr().out
        assert "demag_factor  0.29289" in out and "pc            2.4142" in out
