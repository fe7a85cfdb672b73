"""The compiled XLSX writer (rustpy-xlsxwriter) and reader (python-calamine) give the same
cells as the openpyxl paths they replace, on the example BOM and the hostile cases."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from magnets.bom import read as bi
from magnets.bom import xlsx as bx
from magnets.bom.evaluate import evaluate_bom
from magnets.cli import main
from magnets.data.library import load_library

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
EXAMPLE = ROOT / "materials" / "examples" / "bom.csv"
AS_OF = dt.date(2025, 6, 1)

pytest.importorskip("rustpy_xlsxwriter")
pytest.importorskip("python_calamine")


@pytest.fixture(scope="module")
def lib():
    return load_library()


def _cells(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def _both_writers(table: pa.Table, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    bx.write_xlsx(table, fast)
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "rustpy_xlsxwriter", None)  # import fails: openpyxl writes
        bx.write_xlsx(table, slow)
    return fast, slow


def _hostile_csv(tmp_path: Path) -> Path:
    # a formula header, a control-character part id (ESC, BEL), formula-like text cells
    src = tmp_path / "hostile.csv"
    src.write_text(
        'part_id,grade,magnet_mass_g,quantity,required_temp_C,"=HYPERLINK(""http://x"")"\n'
        "\x1b[2J\x07evil,N42,10,2,170,=1+1\n"
        "@SUM(A1),N38EH,12.5,4,,-12.5\n"
        "plain,NOPE,3,1,120,+cmd\n",
        encoding="utf-8",
    )
    return src


@pytest.mark.parametrize(
    "src",
    [EXAMPLE, DATA / "bom_formula_injection.csv", "hostile"],
    ids=["example", "inj", "hostile"],
)
def test_compiled_writer_cells_equal_openpyxl_cells(src, tmp_path, lib, monkeypatch):
    src = _hostile_csv(tmp_path) if src == "hostile" else src
    table = evaluate_bom(src, lib, date=AS_OF).arrow
    fast, slow = _both_writers(table, tmp_path, monkeypatch)
    got, want = _cells(fast), _cells(slow)
    assert got == want  # every cell value, header included, on every sheet
    assert list(got) == ["bom"] and len(got["bom"]) == table.num_rows + 1
    for path in (fast, slow):
        ws = openpyxl.load_workbook(path).active
        assert ws.freeze_panes == "A2"  # header frozen
        assert all(c.font.b for c in ws[1])  # and bold
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no formulas
        line = [c.value for c in ws[1]].index("line")
        assert ws.cell(2, line + 1).data_type == "n"  # numbers are numbers


def test_example_numbers_are_numeric_cells(tmp_path, lib):
    table = evaluate_bom(EXAMPLE, lib, date=AS_OF).arrow
    out = tmp_path / "o.xlsx"
    bx.write_xlsx(table, out)
    rows = _cells(out)["bom"]
    col = rows[0].index("Dy_kg")
    written = [r[col] for r in rows[1:]]
    want = table.column("Dy_kg").to_pylist()  # the evaluated figures, unrounded
    assert written == want


def test_past_the_sheet_limit_the_table_continues_on_further_sheets(
    tmp_path, lib, monkeypatch, capsys
):
    monkeypatch.setattr(bx, "XLSX_MAX_ROWS", 12)  # stands in for 1,048,575
    out = tmp_path / "o.xlsx"
    assert main(["bom", str(EXAMPLE), "-o", str(out), "--date", "2025-06-01"]) == 0
    err = capsys.readouterr().err
    assert "30 rows are more than one XLSX sheet holds (12 below the header)" in err
    assert "3 sheets, bom, bom 2, bom 3" in err
    sheets = _cells(out)
    # 30 example lines = 12 + 12 + 6 (hand count), each sheet with the header
    assert [len(v) - 1 for v in sheets.values()] == [12, 12, 6]
    assert len({tuple(v[0]) for v in sheets.values()}) == 1
    line = sheets["bom"][0].index("line")
    lines = [r[line] for v in sheets.values() for r in v[1:]]
    # every input line once, in order: the example's header is file line 8 (7 comment
    # lines above it), its 30 records lines 9-38
    assert lines == list(range(9, 39))


def test_integers_past_2_53_round_as_in_the_openpyxl_writer(tmp_path, monkeypatch):
    # an XLSX number is a float64 (openpyxl writes 2**62 + 1 as 4.611686018427388e+18 too):
    # 2**62 + 1 = 4611686018427387905 becomes the nearest double, 2**62
    table = pa.table({"n": pa.array([2**62 + 1, 7], pa.int64()), "s": ["a", "=b"]})
    fast, slow = _both_writers(table, tmp_path, monkeypatch)
    assert _cells(fast) == _cells(slow) == {"bom": [["n", "s"], [float(2**62), "a"], [7, "'=b"]]}


# --------------------------------------------------------------------------- reading


def _read_both(path: Path, monkeypatch, sheet: str | None = None):
    fast = bi.read_raw(path, sheet=sheet)
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "python_calamine", None)
        slow = bi.read_raw(path, sheet=sheet)
    return fast, slow


def _same_raw(fast, slow) -> None:
    assert fast.headers == slow.headers
    assert list(fast.line) == list(slow.line)
    assert fast.table.to_pylist() == slow.table.to_pylist()


def _example_xlsx(path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(EXAMPLE, comment="#", dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Parts"
    ws.append(["Magnet BOM"])  # a title row, then an empty row, above the header
    ws.append([])
    ws.append(list(frame.columns))
    num = {"magnet_mass_g", "quantity", "required_temp_C", "pc", "hd_kA_m", "cold_temp_C"}
    for rec in frame.itertuples(index=False):
        ws.append([float(v) if c in num and v != "" else v for c, v in zip(frame.columns, rec)])
    wb.create_sheet("Notes").append(["nothing", None, 3])
    wb.save(path)


def test_calamine_reads_the_example_workbook_as_openpyxl_does(tmp_path, lib, monkeypatch):
    p = tmp_path / "bom.xlsx"
    _example_xlsx(p)
    assert bx.calamine_rows(p, str(p), None) is not None  # the compiled path really ran
    fast, slow = _read_both(p, monkeypatch)
    _same_raw(fast, slow)
    assert list(fast.line) == list(range(4, 34))  # sheet rows: title, empty, header above
    _same_raw(*_read_both(p, monkeypatch, sheet="Notes"))
    a = evaluate_bom(fast, lib, date=AS_OF).arrow
    b = evaluate_bom(slow, lib, date=AS_OF).arrow
    assert a.to_pylist() == b.to_pylist()


def test_calamine_reads_our_own_hostile_output_as_openpyxl_does(tmp_path, lib, monkeypatch):
    out = tmp_path / "o.xlsx"
    bx.write_xlsx(evaluate_bom(_hostile_csv(tmp_path), lib, date=AS_OF).arrow, out)
    assert bx.calamine_rows(out, str(out), None) is not None
    _same_raw(*_read_both(out, monkeypatch))


def _patched_sheet(path: Path, old: bytes, new: bytes) -> int:
    """A small BOM workbook with ``old`` replaced by ``new`` in its XML; returns how many
    parts changed."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["part_id", "grade", "magnet_mass_g"])
    ws.append([777, "N42", 10])
    ws.append(["P2", "N42", 2.5])
    buf = io.BytesIO()
    wb.save(buf)
    changed = 0
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if old in data:  # the sheet (numbers) or the shared strings (text)
                data, changed = data.replace(old, new), changed + 1
            zout.writestr(item, data)
    return changed


@pytest.mark.parametrize(
    "old, new",
    [
        (b"<v>777</v>", b"<v>12345678901234567890</v>"),  # a 20-digit id stored as a number
        (b"<v>777</v>", b"<v>-1e-300</v>"),
        (b">P2<", b">P_x000D_2<"),  # an escape openpyxl leaves as written
    ],
    ids=["twenty-digit", "tiny", "x-escape"],
)
def test_hostile_cells_read_the_same_by_either_reader(tmp_path, monkeypatch, old, new):
    p = tmp_path / "h.xlsx"
    assert _patched_sheet(p, old, new) == 1
    _same_raw(*_read_both(p, monkeypatch))


def test_dates_read_the_same_by_either_reader(tmp_path, monkeypatch):
    p = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["part_id", "grade", "made"])
    wb.active.append(["A", "N42", dt.datetime(2024, 1, 2)])
    wb.save(p)
    fast, slow = _read_both(p, monkeypatch)
    _same_raw(fast, slow)
    assert fast.table.column(2).to_pylist() == [dt.datetime(2024, 1, 2)]


def test_missing_sheet_and_corrupt_file_are_worded_as_before(tmp_path, monkeypatch):
    p = tmp_path / "bom.xlsx"
    _example_xlsx(p)
    with pytest.raises(Exception, match=r"no sheet 'Missing'.*Parts, Notes"):
        bi.read_raw(p, sheet="Missing")
    with pytest.raises(Exception, match="not a readable XLSX"):
        bi.read_raw(DATA / "bom_corrupt.xlsx")
