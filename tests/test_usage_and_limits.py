"""Issue 12, items 1, 5, 6 and 7: column explanation, bounded XLSX work, no TUI without a
terminal, one-line usage errors and filters that refuse typos. Named by the defect."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from magnets.bom.read import XLSX_MAX_UNPACKED_BYTES
from magnets.cli import main
from magnets.errors import InputError
from magnets.io import write_frame

ROOT = Path(__file__).resolve().parents[1]


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_explain_columns_says_how_each_column_was_read(tmp_path, capsys):
    src = tmp_path / "bom.csv"
    src.write_text(
        "Part No,Material,Grade,Weight [lb],Tmax (°C),Qty/Assy,status\nP1,x,N42,0.02,120,8,a\n",
        encoding="utf-8",
    )
    code, out, _ = _run(["bom", src, "--explain-columns"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("bom.csv: 7 columns")
    assert "Weight [lb]  -> magnet_mass_kg  [lb (from the header)]" in out
    assert "Tmax (°C)    -> required_temp_C  [degC (from the header)]" in out
    assert "Qty/Assy     -> quantity" in out
    assert "Material     -> kept as an ordinary column  [could also be grade" in out
    assert "renamed 'input_status'" in out
    assert "not found (defaults apply): pc, hd_kA_m, cold_temp_C" in out
    assert not (tmp_path / "out.csv").exists()


def test_xlsx_cell_over_32767_characters_is_refused_with_the_limit(tmp_path, capsys):
    # openpyxl cuts a cell to 32,767 characters when it writes one, so the long cell is put
    # into the sheet XML afterwards, as another program could have written it
    path = tmp_path / "long.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["part_id", "grade", "magnet_mass_g", "note"])
    ws.append(["P1", "N42", 10, "LONGCELL"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data.replace(b"LONGCELL", b"x" * 40_000))
    code, _, err = _run(["bom", path], capsys)
    assert code == 2
    assert "40,000 characters, more than Excel's limit of 32,767" in err


def test_xlsx_that_unpacks_past_the_limit_is_refused_before_reading(tmp_path, capsys):
    # a small file whose sheet inflates past 256 MB (zeros compress about 1000:1)
    path = tmp_path / "bomb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["part_id", "grade"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
        pad_name = "xl/" + "padding.bin"  # a part inside the zip, not a repository file
        with zout.open(pad_name, "w") as pad:  # streamed: no 256 MB in memory
            chunk = b"\0" * (1 << 20)
            for _ in range(XLSX_MAX_UNPACKED_BYTES // len(chunk) + 1):
                pad.write(chunk)
    assert path.stat().st_size < 2_000_000
    code, _, err = _run(["bom", path], capsys)
    assert code == 2 and "more than the 256 MB limit for XLSX input" in err
    assert "save the sheet as CSV" in err


def test_xlsx_output_cell_over_excel_limit_is_refused(tmp_path):
    with pytest.raises(InputError, match="32,767"):
        write_frame(pd.DataFrame({"a": ["x" * 33_000]}), tmp_path / "o.xlsx", "xlsx")
    assert not (tmp_path / "o.xlsx").exists()


def test_bare_magnets_without_a_terminal_exits_2_at_once():
    # was: the TUI started, hung, and wrote escape codes into the redirected output
    done = subprocess.run(
        [sys.executable, "-m", "magnets"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "magnets grades" in done.stderr


def test_misspelled_subcommand_gets_did_you_mean_in_one_line(capsys):
    with pytest.raises(SystemExit) as info:
        main(["bomm", "x.csv"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean bom?" in err and "see `magnets --help`" in err


def test_usage_error_is_one_line_with_a_pointer_to_help(capsys):
    with pytest.raises(SystemExit):
        main(["bom"])
    err = capsys.readouterr().err
    assert err == (
        "magnets: error: the following arguments are required: FILE; see `magnets bom --help`\n"
    )


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["grades", "--family", "foo"], "unknown --family 'foo'"),
        (["grades", "--route", "gdb-tb"], "unknown --route 'gdb-tb'; did you mean gbd-tb?"),
        (["substitute", "N38EH", "--family", "ndfeb-sinterd"], "did you mean ndfeb-sintered"),
        (["substitute", "N38EH", "--route", "bulc"], "did you mean bulk?"),
    ],
)
def test_filter_typo_is_refused_with_did_you_mean(capsys, argv, needle):
    # was: grades --family foo quietly listed 0 grades, exit 0
    code, _, err = _run(argv, capsys)
    assert code == 2 and needle in err and err.count("\n") == 1


def test_filter_in_another_case_is_the_same_filter(capsys):
    code, out_upper, _ = _run(["grades", "--route", "GBD-TB", "--format", "csv"], capsys)
    assert code == 0
    code, out_lower, _ = _run(["grades", "--route", "gbd-tb", "--format", "csv"], capsys)
    assert out_upper == out_lower and len(out_lower.splitlines()) > 1


def test_library_problem_hint_repeats_the_library_option(tmp_path, capsys):
    # was: "run `magnets data check`", which checks the built-in library and finds nothing
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "grades.csv").write_text("id,name\nX,X\n", encoding="utf-8")
    code, _, err = _run(["grades", "--library", folder], capsys)
    assert code == 2
    assert f"run `magnets data check --library {folder}` to list them" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        # "--temperatur" starts with the real option "--temp"
        (["substitute", "N38EH", "--temperatur", "150"], "did you mean --temp?"),
        (["substitute", "N38EH", "--temperatur=150"], "did you mean --temp?"),
        (["bom", "materials/examples/bom.csv", "--sumary", "s.json"], "did you mean --summary?"),
        (["grades", "--famly", "ndfeb-sintered"], "did you mean --family?"),
        (["rate", "N35AH", "--pcc", "1"], "did you mean --pc?"),
        (["fleet", "materials/examples/fleet.toml", "--sead", "1"], "did you mean --seed?"),
        # bom has no temperature option: the hint names the column that carries it
        (["bom", "--temperatur", "150", "materials/examples/bom.csv"], "required_temp_C"),
    ],
)
def test_misspelled_option_gets_did_you_mean_on_every_subcommand(capsys, argv, needle):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.count("\n") == 1 and needle in out.err and "Traceback" not in out.err
    assert out.err.startswith("magnets: error: unknown option --")
    assert out.err.rstrip().endswith(f"see `magnets {argv[0]} --help`")


@pytest.mark.parametrize(
    "argv",
    [
        ["substitute", "N42SH", "--temp", "1e308"],
        ["tradeoff", "--to", "1e5"],
        ["rate", "N42SH", "--loss-at", "1e308"],
        ["rate", "N42SH", "--loss-curve", "20:1e308:10"],
        ["grades", "--min-temp", "1e300"],
    ],
)
def test_temperature_of_1e308_was_accepted_and_printed_back_as_309_digits(capsys, argv):
    assert main(argv) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1
    assert "at most 10,000" in out.err and len(out.err) < 200  # no 309-digit number


def test_pc_of_1e308_printed_numpy_overflow_warnings(capsys):
    # Pc 1e308 is a closed circuit in all but name: the answer stands, without warnings
    assert main(["substitute", "N42SH", "--pc", "1e308"]) == 0
    assert "RuntimeWarning" not in capsys.readouterr().err
