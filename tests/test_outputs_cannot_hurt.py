"""Issue 12, item 3: outputs that cannot hurt. Each test is named by the defect it covers."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from magnets.cli import main
from magnets.errors import InputError
from magnets.io import write_atomic
from magnets.outputs import check_outputs, printable

ROOT = Path(__file__).resolve().parents[1]
FLEET = ROOT / "materials" / "examples" / "fleet.toml"


def _bom(tmp_path: Path, header_extra: str = "note", cell: str = "x", part: str = "P1") -> Path:
    path = tmp_path / "bom.csv"
    path.write_text(
        f"part_id,grade,magnet_mass_g,quantity,{header_extra}\n{part},N42,10,2,{cell}\n",
        encoding="utf-8",
    )
    return path


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_header_cell_formula_is_neutralised_in_csv_and_xlsx(tmp_path, capsys):
    # OWASP "CSV injection": a header is a cell too; `=HYPERLINK(...)` went out live
    src = _bom(tmp_path, header_extra='"=HYPERLINK(""http://x"",""y"")"')
    code, _, _ = _run(["bom", src, "-o", tmp_path / "o.csv"], capsys)
    assert code == 0
    header = (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "'=HYPERLINK" in header and ',"=HYPERLINK' not in header
    code, _, _ = _run(["bom", src, "-o", tmp_path / "o.xlsx"], capsys)
    assert code == 0
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    names = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert any(str(n).startswith("'=HYPERLINK") for n in names)
    assert all(not str(n).startswith("=") for n in names)  # no header is a formula


def test_control_characters_in_part_id_do_not_reach_terminal_or_break_xlsx(tmp_path, capsys):
    # a part id with an ANSI escape (ESC [ 2 J clears the screen) and a BEL
    src = tmp_path / "bom.csv"
    src.write_text(
        "part_id,grade,magnet_mass_g,quantity,required_temp_C\n"
        "\x1b[2J\x07evil,N42,10,2,170\n",  # N42 is rated far below 170 degC: a suggestion row
        encoding="utf-8",
    )
    code, _, err = _run(["bom", src, "-o", tmp_path / "o.xlsx"], capsys)
    assert code == 0  # openpyxl used to raise IllegalCharacterError (a traceback)
    assert "\x1b" not in err and "\x07" not in err
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "[2Jevil" in values  # ESC and BEL removed, the rest kept
    assert printable("a\x1b[31mb\tc\nd") == "a\\x1b[31mb\\x09c\nd"


def test_output_fifo_is_written_into_not_replaced(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, _ = _run(["bom", _bom(tmp_path), "-o", fifo], capsys)
    reader.join(timeout=30)
    assert code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not a regular file
    assert got and got[0].startswith(b'"line","part_id"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.csv", "pipe"]  # no temp left


def test_output_dash_goes_to_stdout(tmp_path):
    src = _bom(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "magnets", "bom", str(src), "-o", "-"],
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b'"line","part_id"')
    assert not (tmp_path / "-").exists()


def test_output_equal_to_summary_is_refused_before_writing(tmp_path, capsys):
    out = tmp_path / "o.csv"
    out.write_text("old")
    code, _, err = _run(["bom", _bom(tmp_path), "-o", out, "--summary", out], capsys)
    assert code == 2
    assert "--summary and -o both name" in err
    assert out.read_text() == "old"


def test_summary_unwritable_is_found_before_output_is_replaced(tmp_path, capsys):
    out = tmp_path / "o.csv"
    out.write_text("old")
    bad = tmp_path / "missing" / "s.json"
    code, _, err = _run(["bom", _bom(tmp_path), "-o", out, "--summary", bad], capsys)
    assert code == 2 and "folder" in err and "does not exist" in err
    assert out.read_text() == "old"  # -o was not replaced first


def test_output_mode_follows_umask_and_existing_mode_is_kept(tmp_path):
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.csv"
        write_atomic(new, lambda p: p.write_text("a"))
        assert stat.S_IMODE(new.stat().st_mode) == 0o644  # 0666 less umask 022, not 0600
        kept = tmp_path / "kept.csv"
        kept.write_text("old")
        kept.chmod(0o640)
        write_atomic(kept, lambda p: p.write_text("new"))
        assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_symlinked_output_keeps_the_link_and_replaces_its_target(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, lambda p: p.write_text("new"))
    assert link.is_symlink() and real.read_text() == "new"


def test_write_error_message_names_the_users_path_not_the_temp_file(tmp_path):
    target = tmp_path / "out.csv"

    def fail(tmp: Path) -> None:
        raise OSError(28, "No space left on device", str(tmp))

    with pytest.raises(InputError) as info:
        write_atomic(target, fail)
    assert str(target) in str(info.value) and ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_write_removes_the_temp_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def killed(tmp: Path) -> None:
        tmp.write_text("half")
        os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(SystemExit) as info:
        write_atomic(target, killed)
    assert info.value.code == 143  # 128 + SIGTERM, as a shell reports it
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert target.read_text() == "old"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler restored


def test_fleet_xlsx_output_is_refused(tmp_path, capsys):
    code, _, err = _run(["fleet", FLEET, "-o", tmp_path / "out.xlsx"], capsys)
    assert code == 2 and "fleet cannot write xlsx" in err
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("option", ["-o", "--plot"])
def test_fleet_directory_output_is_one_line_not_a_traceback(tmp_path, capsys, option):
    code, _, err = _run(["fleet", FLEET, option, tmp_path], capsys)
    assert code == 2
    assert err.startswith("magnets: error: cannot write") and "folder" in err
    assert "Traceback" not in err


def test_fleet_negative_seed_is_one_line_not_a_traceback(capsys):
    code, _, err = _run(["fleet", FLEET, "--samples", "10", "--seed", "-1"], capsys)
    assert code == 2 and "--seed" in err and "Traceback" not in err


def test_output_in_a_folder_that_is_a_file_is_refused(tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("")
    with pytest.raises(InputError, match="does not exist"):
        check_outputs([("-o", plain / "o.csv")])


def test_grades_to_full_disk_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "magnets", "grades"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "magnets: error: cannot write stdout: No space left on device"
    ]


def test_xlsx_frame_writer_strips_control_characters(tmp_path):
    from magnets.io import write_frame

    path = tmp_path / "o.xlsx"
    write_frame(pd.DataFrame({"a\x01": ["x\x02y", None]}), path, "xlsx")
    back = pd.read_excel(path, engine="openpyxl")
    assert list(back.columns) == ["a"] and back["a"].iloc[0] == "xy"
