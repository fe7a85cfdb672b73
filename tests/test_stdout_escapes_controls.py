"""Issue 12: text cells from a user's files (part ids, grade names, segment names) reach
stdout with their control characters written as \\xNN, on every path that prints to stdout,
so a cell cannot recolour, retitle or clear the user's terminal. Binary output to `-o -` is
not touched, and JSON stays valid JSON with the same values."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from magnets.cli import main
from magnets.outputs import EscapingStdout
from tests.test_no_tracebacks import DATA, HEADER, _row

# ESC (0x1b), BEL (0x07) and CSI as one C1 character (U+009B) start terminal sequences
RAW = ("\x1b", "\x07", "\x9b")
EVIL_NAME = "\x1b]0;pwned\x07Evil\x1b[31m"


@pytest.fixture
def evil_library(tmp_path: Path) -> Path:
    """A user library whose one grade T-X has escape codes in its name, maker and notes."""
    lib = tmp_path / "lib"
    lib.mkdir()
    row = _row().replace("T-X,T-X,test,", f"T-X,{EVIL_NAME},\x9b2JCorp,")
    (lib / "grades.csv").write_text(HEADER + "\n" + row + "\x1b[2J\n", encoding="utf-8")
    (lib / "compositions.csv").write_text(
        (DATA / "compositions_test.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return lib


@pytest.fixture
def evil_bom(tmp_path: Path) -> Path:
    path = tmp_path / "bom.csv"
    path.write_text(
        "part_id,grade,magnet_mass_g,quantity,required_temp_C\n"
        f'"{EVIL_NAME}",N42SH,10,2,120\n'
        "B\x9b2J,N42,5,1,150\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def evil_fleet(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(
        "start_year = 2025\nend_year = 2027\n[[segment]]\n"
        'name = "\\u001b[31mred\\u0007"\nunits = { 2020 = 5 }\nmagnet_kg_per_unit = 1\n'
        'grades = { N45SH = 1.0 }\nlifetime = { distribution = "fixed", years = 10 }\n'
        "manufacturing_yield = 0.8\n",
        encoding="utf-8",
    )
    return path


def _stdout(argv, capsysbinary) -> bytes:
    code = main([str(a) for a in argv])
    out = capsysbinary.readouterr().out
    assert code == 0, out
    return out


def _assert_no_raw_controls(out: bytes) -> None:
    text = out.decode("utf-8")
    assert not any(c in text for c in RAW), text[:400]


@pytest.mark.parametrize(
    "argv",
    [
        ["grades", "--family", "ndfeb-sintered"],
        ["grades", "--format", "csv"],
        ["grades", "--format", "json"],
        ["show", "T-X"],
        ["show", "T-X", "--format", "json"],
        ["rate", "T-X", "--pc", "1"],
        ["substitute", "T-X", "--temp", "100"],
        ["substitute", "T-X", "--temp", "100", "--format", "csv"],
    ],
)
def test_grade_names_with_escape_codes_printed_raw_to_stdout(argv, evil_library, capsysbinary):
    out = _stdout([*argv, "--library", evil_library], capsysbinary)
    _assert_no_raw_controls(out)
    if argv in (["grades", "--format", "csv"], ["show", "T-X"]):
        assert b"\\x1b]0;pwned\\x07Evil" in out  # shown as an escape, not dropped


@pytest.mark.parametrize("extra", [[], ["-o", "-"], ["--format", "json"], ["--bands"]])
def test_bom_part_ids_with_escape_codes_printed_raw_to_stdout(extra, evil_bom, capsysbinary):
    out = _stdout(["bom", evil_bom, *extra], capsysbinary)
    _assert_no_raw_controls(out)
    if "json" in extra:  # still JSON, with the part ids exactly as read
        ids = [r["part_id"] for r in json.loads(out)]
        assert ids == [EVIL_NAME, "B\x9b2J"]
    else:
        assert b"\\x1b]0;pwned\\x07Evil\\x1b[31m" in out and b"B\\x9b2J" in out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_fleet_segment_name_with_escape_codes_printed_raw_to_stdout(fmt, evil_fleet, capsysbinary):
    _assert_no_raw_controls(_stdout(["fleet", evil_fleet, "--format", fmt], capsysbinary))


def test_binary_output_to_stdout_is_not_escaped(evil_bom, capsysbinary):
    out = _stdout(["bom", evil_bom, "-o", "-", "--format", "parquet"], capsysbinary)
    ids = pq.read_table(io.BytesIO(out)).column("part_id").to_pylist()
    assert ids == [EVIL_NAME, "B\x9b2J"]  # the Parquet file holds the cells as read


def test_files_keep_cells_as_read(evil_bom, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["bom", str(evil_bom), "-o", str(out)]) == 0
    assert EVIL_NAME in out.read_text(encoding="utf-8")  # a file is data: not rewritten


def test_c1_control_split_across_two_writes_is_still_escaped():
    sink = io.BytesIO()
    stream = EscapingStdout(sink)
    stream.write("ab\u009b".encode()[:-1])  # ends in the first byte of U+009B (0xc2)
    stream.write(b"\x9b2J\x1b")
    stream.flush()
    assert sink.getvalue() == b"ab\\x9b2J\\x1b"
