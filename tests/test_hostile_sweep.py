"""Issue 12: defects found by the hostile-input sweep over every subcommand, each test named
by the defect it covers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from magnets.bom import evaluate_bom
from magnets.cli import main


def _bom(tmp_path, text: str):
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_quantity_of_1e20_was_ok_with_1e17_kg_of_nd(lib, tmp_path):
    # 10 g x 1e20 magnets = 1e18 kg: a unit slip, not a part; 10 g x 1e5 = 1,000 kg stays
    path = _bom(
        tmp_path,
        "grade,magnet_mass_g,quantity,required_temp_C\n"
        "N42SH,10,99999999999999999999,120\nN42SH,1e300,1e300,120\nN42SH,10,100000,120\n",
    )
    t = evaluate_bom(path, lib).table
    assert list(t["status"]) == ["error", "error", "ok"]
    assert t["message"].iloc[0].startswith("magnet mass x quantity is over a million tonnes")
    assert pd.isna(t["Nd_kg"].iloc[0]) and t["Nd_kg"].iloc[2] < 1000


def test_required_temperature_cell_of_1e308_was_a_below_rating_line(lib, tmp_path):
    path = _bom(tmp_path, "grade,magnet_mass_g,required_temp_C\nN42SH,10,1e308\n")
    row = evaluate_bom(path, lib).table.iloc[0]
    assert row["status"] == "error"
    assert "'1e308' is above 10,000 degC" in row["message"]


def test_summary_columns_ran_together_for_wide_totals(tmp_path, capsys):
    # 1,000 kg x 900,000 magnets of N42SH: about 1.9e8 kg of Nd, a 11-character number
    path = _bom(tmp_path, "grade,magnet_mass_kg,quantity\nN42SH,1000,900000\n")
    assert main(["bom", str(path), "-o", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    nd = next(line for line in err.splitlines() if line.strip().startswith("Nd "))
    assert len(re.findall(r"\d[\d,.]*", nd)) == 2  # specified and suggested, apart
    assert re.search(r"\d\s+\d", nd)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e400", ""])
def test_numeric_option_values_never_print_a_traceback(capsys, value):
    for argv in (
        ["rate", "N42SH", "--pc", value],
        ["substitute", "N42SH", "--thickness", value],
        ["tradeoff", "--step", value],
        ["fleet", "materials/examples/fleet.toml", "--samples", value],
    ):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: a value that is not a number at all
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and err.startswith("magnets: error:"), argv
