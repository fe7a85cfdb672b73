"""Property tests: whatever the table, every input row comes out exactly once, in order."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magnets.bom import read as bi
from magnets.bom.evaluate import STATUS_VALUES, evaluate_bom
from magnets.data.library import load_library

AS_OF = dt.date(2025, 6, 1)

grades = st.sampled_from(
    ["N38EH", "HZ-YXG22H", "TH-Y35", "N42", "n42", "N52", "NOPE", "", " N45SH ", "=cmd"]
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-5, max_value=500).map(str),
    st.sampled_from(["", "abc", "12 g", "3 oz", "1,5", "302 F", "-40 degC", "  7 ", "nan", "inf"]),
)
# any text but NUL (a binary file) and a lone CR (which some tools count as a line break)
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00\r"),
    max_size=12,
)

COLUMNS = [
    "part_id",
    "grade",
    "magnet_mass_g",
    "quantity",
    "required_temp_C",
    "pc",
    "hd_kA_m",
    "cold_temp_C",
    "note",
]
row = st.fixed_dictionaries(
    {
        "part_id": text,
        "grade": grades,
        "magnet_mass_g": numbers,
        "quantity": numbers,
        "required_temp_C": numbers,
        "pc": numbers,
        "hd_kA_m": numbers,
        "cold_temp_C": numbers,
        "note": text,
    }
)


@pytest.fixture(scope="module")
def lib():
    return load_library()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=0, max_size=25))
def test_output_rows_equal_input_rows_for_any_table(lib, rows):
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    r = evaluate_bom(frame, lib, date=AS_OF)
    t = r.table
    assert len(t) == len(frame)
    assert list(t["line"]) == list(range(2, len(frame) + 2))
    assert set(t["status"].astype(str)) <= set(STATUS_VALUES)
    bad = t["status"] != "ok"
    assert t.loc[bad, "message"].notna().all()  # every non-ok row says why
    assert sum(r.summary["rows_by_status"].values()) == len(frame)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(grades, numbers, text, text), min_size=1, max_size=20),
    blank_after=st.sets(st.integers(min_value=0, max_value=19)),
    crlf=st.booleans(),
)
def test_csv_lines_match_the_csv_module_for_any_content(tmp_path_factory, rows, blank_after, crlf):
    """Cells with quotes, delimiters and newlines, blank lines, CRLF: every record is found once and its
    line is where Python's csv module says the record starts."""
    nl = "\r\n" if crlf else "\n"
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=nl)
    w.writerow(["grade", "magnet_mass_g", "note", "comment"])
    expected_lines = []
    line = 2
    for i, r in enumerate(rows):
        start = buf.tell()
        w.writerow(r)
        chunk = buf.getvalue()[start:]
        expected_lines.append(line)
        line += chunk.count("\n")
        if i in blank_after:
            buf.write(nl)
            line += 1
    path = tmp_path_factory.mktemp("csv") / "bom.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    raw = bi.read_raw(path)
    assert list(raw.line) == expected_lines
    for j in range(4):  # every cell comes back as written (an empty cell as null)
        assert [x or "" for x in raw.table.column(j).to_pylist()] == [r[j] for r in rows]
