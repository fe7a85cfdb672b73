"""Atomic writes and spreadsheet-safe cells."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from magnets.errors import InputError
from magnets.io import (
    neutralise_text,
    safe_text_cells,
    spreadsheet_safe,
    write_atomic,
    write_frame,
)


def test_formula_like_text_is_neutralised_numbers_are_not():
    frame = pd.DataFrame(
        {
            "t": ["=SUM(A1)", "+cmd", "-x", "@a", "\tx", "\rx", "-40", "+1.5e3", "ok", None],
            "n": [-1.0] * 10,
        }
    )
    out = safe_text_cells(frame)
    assert out["t"].tolist()[:6] == ["'=SUM(A1)", "'+cmd", "'-x", "'@a", "'\tx", "'\rx"]
    assert out["t"].tolist()[6:9] == ["-40", "+1.5e3", "ok"]
    assert out["n"].tolist() == [-1.0] * 10


def test_categorical_text_is_neutralised():
    frame = pd.DataFrame({"c": pd.Categorical(["=1+1", "a", "=1+1"])})
    assert safe_text_cells(frame)["c"].astype(str).tolist() == ["'=1+1", "a", "'=1+1"]


def test_write_atomic_leaves_target_untouched_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def boom(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_write_frame_round_trip(tmp_path, fmt):
    frame = pd.DataFrame({"id": ["a", "=b"], "x": [1.5, float("nan")]})
    path = tmp_path / f"out.{fmt}"
    write_frame(frame, path, fmt)
    if fmt == "csv":
        back = pd.read_csv(path)
    elif fmt == "json":
        back = pd.DataFrame(json.loads(path.read_text()))
    elif fmt == "parquet":
        back = pd.read_parquet(path)
    else:
        back = pd.read_excel(path, engine="openpyxl")
    assert back["x"].iloc[0] == 1.5 and pd.isna(back["x"].iloc[1])
    expected = (
        "=b" if fmt in ("json", "parquet") else "'=b"
    )  # only spreadsheet formats are neutralised
    assert back["id"].tolist() == ["a", expected]


def test_binary_formats_need_a_path():
    with pytest.raises(InputError, match="-o"):
        write_frame(pd.DataFrame({"a": [1]}), None, "parquet")


def test_one_formula_rule_for_frames_and_arrow_tables():
    # OWASP "CSV injection": a cell starting with = + - @ tab or CR runs as a formula, so it gets
    # a leading '. "-1.5" (decimal point) and "-1,5" (decimal comma, as in the ';' files the BOM
    # reader accepts) are numbers: they stay as they are, in every writer (issue 14).
    cells = ["-1,5", "-1.5", "=1+1", "-x", "@a", "\tx"]
    expected = ["-1,5", "-1.5", "'=1+1", "'-x", "'@a", "'\tx"]
    assert safe_text_cells(pd.DataFrame({"t": cells}))["t"].tolist() == expected
    assert neutralise_text(pa.array(cells)).to_pylist() == expected
    assert neutralise_text(pa.array(cells).dictionary_encode()).to_pylist() == expected
    table = spreadsheet_safe(pa.table({"t": cells, "n": [-1.0] * 6}))
    assert table.column("t").to_pylist() == expected
    assert table.column("n").to_pylist() == [-1.0] * 6
