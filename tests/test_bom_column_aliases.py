"""Issue 12, item 1: BOM columns under realistic names are recognised, and a missing
requirement or quantity column is said once (stderr and summary), never silently assumed."""

from __future__ import annotations

import csv
import io
import json

import pytest

from magnets.bom import columns as bc
from magnets.cli import main


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "header", ["Tmax (°C)", "T_max", "Temp max (°C)", "Working Temp (°C)", "Design temp [°C]"]
)
def test_realistic_required_temperature_headers_were_silently_dropped(header):
    field, unit = bc._field_of(header)
    assert field == "required_temp_C"
    assert unit in (None, "degc")


@pytest.mark.parametrize("header", ["Qty/Assy", "Quantity per motor", "No. of magnets", "Stk"])
def test_realistic_quantity_headers_fell_back_to_one(header):
    assert bc._field_of(header) == ("quantity", None)


def test_tmax_header_with_unit_was_renamed_and_the_line_passed_ok(tmp_path, capsys):
    # N42 is rated 80 degC or less in the built-in library; 170 degC is far above it,
    # so with the requirement read the line cannot be ok.
    bom = tmp_path / "bom.csv"
    bom.write_text("part_id,grade,Mass (g),Tmax (°C),Qty/Assy\nA,N42,10,170,8\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = run(["bom", bom, "-o", out], capsys)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "input_Tmax" not in text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["Tmax (°C)"] == "170"  # kept under the user's own header
    assert row["status"] == "below_rating"
    assert "no required-temperature column" not in err


def test_missing_requirement_and_quantity_columns_were_not_mentioned(tmp_path, capsys):
    bom = tmp_path / "bom.csv"
    bom.write_text("part_id,grade,Mass (g)\nA,N42,10\nB,N42,12\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    code, _, err = run(["bom", bom, "-o", tmp_path / "out.csv", "--summary", summary], capsys)
    assert code == 0, err
    msg = "no required-temperature column: nothing was checked against a requirement"
    assert err.count(msg) == 1  # once, not once per row
    assert err.count("no quantity column") == 1
    warnings = json.loads(summary.read_text(encoding="utf-8"))["column_warnings"]
    assert any(msg in w for w in warnings)
    assert any("no quantity column" in w for w in warnings)
