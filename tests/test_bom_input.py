"""Reading and normalising BOM files: delimiters, encodings, line numbers, aliases, units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from magnets.bom import columns as bc
from magnets.bom import read as bi
from magnets.errors import InputError, UnreadableFileError

DATA = Path(__file__).parent / "data"

KG_PER_LB = 0.45359237  # international pound, exact by definition (1959)
KA_M_PER_KOE = 1000 / (4 * np.pi)  # 1 Oe = 1000/(4 pi) A/m


def columns(path, **kw) -> bc.BomColumns:
    return bc.normalise(bi.read_raw(path, **kw))


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delim):
    p = tmp_path / "bom.txt"
    p.write_text(
        delim.join(["part_id", "grade", "magnet_mass_kg"])
        + "\n"
        + delim.join(["A", "N42", "2"])
        + "\n"
    )
    raw = bi.read_raw(p)
    assert raw.headers == ["part_id", "grade", "magnet_mass_kg"]
    assert raw.table.column(2).to_pylist() == ["2"]
    assert raw.decimal_comma == (delim == ";")


def test_utf8_bom_and_decimal_commas_with_semicolons():
    cols = columns(DATA / "bom_decimal_comma.csv")
    assert cols.source["part_id"] == "part_id"  # the BOM bytes are not part of the first header
    mass = cols.numeric["magnet_mass"].values
    # "0,0125" kg; "1,5 g" = 0.0015 kg (cell unit overrides the header's kg)
    assert mass == pytest.approx([0.0125, 0.0015])
    assert cols.numeric["required_temp_C"].values[0] == pytest.approx(150.5)
    assert cols.numeric["pc"].values[0] == pytest.approx(1.5)
    assert cols.numeric["pc"].problem[1] == bc.MISSING


def test_comma_in_a_comma_file_is_not_a_number(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text('grade,magnet_mass_kg\nN42,"1,5"\nN42,1.5\n')
    f = columns(p).numeric["magnet_mass"]
    assert list(f.problem) == [bc.NOT_A_NUMBER, bc.OK]  # 1,5 could be 1.5 or 1500: never guess
    assert f.values[1] == 1.5


def test_latin1_file_is_read_with_a_warning():
    raw = bi.read_raw(DATA / "bom_latin1.csv")
    assert raw.table.column(4).to_pylist() == ["Straße München"]
    assert len(raw.warnings) == 1 and "Latin-1" in raw.warnings[0]


def test_line_numbers_count_comments_blank_lines_and_quoted_newlines():
    raw = bi.read_raw(DATA / "bom_multiline.csv")
    # file: 1 comment, 2 header, 3 blank, 4-6 record A (two newlines inside quotes), 7 B,
    # 8 blank, 9 C
    assert list(raw.line) == [4, 7, 9]
    assert raw.table.column(4).to_pylist()[0] == "first note\nruns over\nthree lines"
    assert raw.table.column(4).to_pylist()[2] == 'quoted "inner" quotes'


def test_line_numbers_with_crlf_and_a_quoted_crlf(tmp_path):
    p = tmp_path / "crlf.csv"
    p.write_bytes(b'grade,magnet_mass_kg,note\r\nN42,1,a\r\n\r\nN42,2,"x\r\ny"\r\nN42,3,b\r\n')
    raw = bi.read_raw(p)
    assert list(raw.line) == [2, 4, 6]  # line 3 blank; record at 4 spans lines 4-5


def test_old_mac_line_ends(tmp_path):
    p = tmp_path / "mac.csv"
    p.write_bytes(b"grade,magnet_mass_kg\rN42,1\rN42,2\r")
    raw = bi.read_raw(p)
    assert list(raw.line) == [2, 3] and raw.table.column(1).to_pylist() == ["1", "2"]


def test_latin1_file_with_a_ragged_row(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"grade,magnet_mass_kg,note\nN42,1,caf\xe9\nN42,2,x,extra\n")
    raw = bi.read_raw(p)
    assert raw.table.column(2).to_pylist() == ["caf\u00e9", "x"]
    assert raw.row_problem[1].startswith("line has 4 fields") and "Latin-1" in raw.warnings[0]


def test_ragged_rows_are_kept_and_flagged(tmp_path):
    p = tmp_path / "rag.csv"
    p.write_text("grade,magnet_mass_kg\nN42,1\nN42,2,3\nN42\n")
    raw = bi.read_raw(p)
    assert list(raw.line) == [2, 3, 4]
    assert raw.row_problem[0] is None
    assert "3 fields but the header has 2" in raw.row_problem[1]
    assert "1 fields but the header has 2" in raw.row_problem[2]


def test_aliases_and_units_in_headers_and_cells():
    cols = columns(DATA / "bom_aliases_units.csv")
    assert cols.source == {
        "part_id": "Part No",
        "grade": "Magnet Grade",
        "magnet_mass": "Weight [lb]",
        "quantity": "Qty",
        "required_temp_C": "Max Temp (F)",
        "pc": "Permeance Coefficient",
        "hd_kA_m": "Hd (kOe)",
        "cold_temp_C": "Min Temp (F)",
        "thickness_mm": None,  # no thickness column: GBD grades assumed <= 6 mm
    }
    n = cols.numeric
    # row A: 0.1 lb; 302 degF = (302 - 32) * 5/9 = 150 degC; 1 kOe = 79.577 kA/m; -40 F = -40 C
    # row B: cells carry their own units: 45.359237 g, 150 C, 79.577... kA/m, -40 degC
    assert n["magnet_mass"].values == pytest.approx([0.1 * KG_PER_LB, 0.045359237])
    assert n["required_temp_C"].values == pytest.approx([150.0, 150.0])
    assert n["hd_kA_m"].values == pytest.approx([KA_M_PER_KOE, 79.5774715459])
    assert n["cold_temp_C"].values == pytest.approx([-40.0, -40.0])
    assert n["quantity"].values == pytest.approx([3, 2])


@pytest.mark.parametrize(
    "header, field, unit",
    [
        ("Mass (g)", "magnet_mass", "g"),
        ("magnet_mass_kg", "magnet_mass", "kg"),
        ("magnet_mass_g", "magnet_mass", "g"),
        ("Weight [lb]", "magnet_mass", "lb"),
        ("MASS_LBS", "magnet_mass", "lbs"),
        ("Max Temp (C)", "required_temp_C", "c"),
        ("max_temp_C", "required_temp_C", "c"),
        ("operating_temp_C", "required_temp_C", "c"),
        ("Max Temp (°F)", "required_temp_C", "degf"),
        ("required_temp_degF", "required_temp_C", "degf"),
        ("hd_kA_m", "hd_kA_m", "kam"),
        ("Hd (kA/m)", "hd_kA_m", "kam"),
        ("Hd [kOe]", "hd_kA_m", "koe"),
        ("cold_temp_C", "cold_temp_C", "c"),
        ("Qty", "quantity", None),
        ("Part No", "part_id", None),
        ("Magnet Grade", "grade", None),
        ("PC", "pc", None),
        ("temp_rise_C", None, None),  # not a temperature field: 'rise_C' is no unit
        ("Description", None, None),
    ],
)
def test_header_matching(header, field, unit):
    assert bc._field_of(header) == (field, unit)


@pytest.mark.parametrize(
    "header", ["Mass (oz)", "magnet_mass_mg", "max_temp_K", "Hd (A/cm)", "hd_T"]
)
def test_unknown_unit_in_a_header_is_an_error_naming_the_column(header):
    with pytest.raises(InputError) as exc:
        bc.match_columns(["grade", header], "parts.csv")
    assert repr(header) in str(exc.value) and "unknown unit" in str(exc.value)


def test_two_columns_for_one_field_is_an_error():
    with pytest.raises(InputError, match="both read as magnet_mass_kg"):
        bi.read_raw(DATA / "bom_duplicate_mass_columns.csv") and columns(
            DATA / "bom_duplicate_mass_columns.csv"
        )


def test_a_weaker_alias_beside_the_real_column_stays_ordinary():
    found, _units, warnings = bc.match_columns(["Material", "Grade", "Mass (g)"], "parts.csv")
    assert found["grade"] == 1  # 'Grade' beats 'Material'
    assert "'Material' could also be grade" in warnings[0]


def test_mass_column_without_unit_is_read_as_kg_with_a_warning(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("grade,Mass\nN42,0.02\n")
    cols = columns(p)
    assert cols.numeric["magnet_mass"].values[0] == 0.02
    assert any("read as kg" in w for w in cols.warnings)


def test_cell_units_per_distinct_unit(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text(
        "grade,magnet_mass_g,required_temp_C\nN42,12 g,150\nN42,0.5kg,302 degF\nN42,1 lb,x\nN42,3 oz,\n"
    )
    n = columns(p).numeric
    assert n["magnet_mass"].values[:3] == pytest.approx([0.012, 0.5, KG_PER_LB])
    assert list(n["magnet_mass"].problem) == [bc.OK, bc.OK, bc.OK, bc.BAD_UNIT]
    assert n["required_temp_C"].values[:2] == pytest.approx([150.0, 150.0])
    assert list(n["required_temp_C"].problem) == [bc.OK, bc.OK, bc.NOT_A_NUMBER, bc.MISSING]


@pytest.mark.parametrize(
    "name, problem",
    [
        ("bom_empty.csv", "empty"),
        ("bom_binary.csv", "binary"),
        ("bom_not_a_table.csv", "does not look like a BOM table"),
        ("bom_no_grade_column.csv", "no grade column"),
        ("bom_corrupt.xlsx", "not a readable XLSX"),
        ("bom_corrupt.parquet", "not a readable Parquet"),
        ("no_such_file.csv", "no such file"),
    ],
)
def test_unreadable_files_raise_naming_file_and_problem(name, problem):
    with pytest.raises(UnreadableFileError) as exc:
        columns(DATA / name)
    assert name in str(exc.value) and problem in str(exc.value)


def _workbook(path: Path, rows: list[list], sheet: str = "Parts", extra_sheet: bool = True) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if extra_sheet:
        wb.create_sheet("Notes").append(["nothing here"])
    wb.save(path)


def test_xlsx_lines_are_sheet_rows_and_types_survive(tmp_path):
    p = tmp_path / "bom.xlsx"
    _workbook(
        p,
        [
            ["part_id", "grade", "Mass (g)", "Qty", "code"],
            ["A", "N42", 12.5, 2, "007"],
            ["B", "N42", "13 g", 1, "rev B"],
            [None, None, None, None, None],
            ["C", "N42", 14, 3, None],
        ],
    )
    raw = bi.read_raw(p)
    assert list(raw.line) == [2, 3, 5]  # sheet rows; the empty row 4 is skipped
    assert raw.table.column(4).to_pylist() == ["007", "rev B", None]  # text stays text
    assert columns(p).numeric["magnet_mass"].values == pytest.approx([0.0125, 0.013, 0.014])
    assert bi.read_raw(p, sheet="Notes").headers == ["nothing here"]
    with pytest.raises(InputError, match=r"no sheet 'Missing'.*Parts, Notes"):
        bi.read_raw(p, sheet="Missing")


def test_xlsx_title_rows_above_the_header_are_skipped(tmp_path):
    p = tmp_path / "bom.xlsx"
    _workbook(
        p,
        [["Magnet BOM, model year 2027"], [None], ["Part", "Grade", "Mass (g)"], ["A", "N42", 3.0]],
    )
    raw = bi.read_raw(p)
    assert raw.headers == ["Part", "Grade", "Mass (g)"] and list(raw.line) == [4]


def test_parquet_lines_are_record_number_plus_one(tmp_path):
    import pyarrow.parquet as pq

    p = tmp_path / "bom.parquet"
    pq.write_table(
        pa.table({"grade": ["N42", "N42", "N42"], "magnet_mass_kg": [0.01, None, 0.03]}), p
    )
    raw = bi.read_raw(p)
    assert list(raw.line) == [2, 3, 4]
    f = columns(p).numeric["magnet_mass"]
    assert list(f.problem) == [bc.OK, bc.MISSING, bc.OK]


def test_content_beats_extension(tmp_path):
    import pyarrow.parquet as pq

    p = tmp_path / "actually_parquet.csv"
    pq.write_table(pa.table({"grade": ["N42"]}), p)
    assert bi.read_raw(p).kind == "parquet"
