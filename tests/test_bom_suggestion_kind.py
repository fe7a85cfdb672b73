"""Issue 12 item 7: every below-rating BOM line gets a suggestion, or says why none
qualifies, and `suggestion_kind` tells a leaner grade from an upgrade the line needs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from magnets.bom import evaluate_bom
from magnets.cli import main

AS_OF = dt.date(2026, 6, 1)


def _bom(tmp_path: Path, text: str) -> pd.DataFrame:
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lean_grade_too_hot(lib, tmp_path_factory):
    # N42 carries no Dy or Tb, so nothing is leaner; `magnets rate N42 --pc 2 --hd 60` gives
    # 99.3 degC, below the 120 required (the example BOM's line 12)
    path = _bom(
        tmp_path_factory.mktemp("bom"),
        "part_id,grade,magnet_mass_g,quantity,required_temp_C,pc,hd_kA_m\n"
        "A,N42,20,4,120,2,60\n"
        "B,N42,20,4,400,2,60\n"
        "C,N38EH,20,4,180,1.8,0\n",
    )
    return evaluate_bom(path, lib, date=AS_OF).table


def test_below_rating_line_whose_grade_is_already_lean_got_no_suggestion(lib, lean_grade_too_hot):
    a = lean_grade_too_hot.iloc[0]
    assert a["status"] == "below_rating" and a["t_max_C"] == pytest.approx(99.29, abs=0.01)
    assert a["suggestion_kind"] == "upgrade"
    assert a["suggested_t_max_C"] >= 120
    assert f"{a['suggested_grade']} would hold" in a["message"]
    # an upgrade adds Dy+Tb where the specified grade has none: the saving is negative
    assert a["saving_Dy_Tb_kg"] < 0


def test_upgrade_is_the_family_grade_needing_least_magnet(lean_grade_too_hot, capsys):
    a = lean_grade_too_hot.iloc[0]
    # the same choice through `substitute` with the mass cap lifted: every plausible grade
    # of N42's family that holds 120 degC at Pc 2, Hd 60, with its mass factor at equal flux
    argv = ["substitute", "N42", "--temp", "120", "--pc", "2", "--hd", "60", "--top", "500"]
    argv += ["--max-mass-factor", "100", "--format", "csv", "--date", AS_OF.isoformat()]
    code = main(argv)
    assert code == 0
    cands = pd.read_csv(io.StringIO(capsys.readouterr().out))
    cands = cands[cands["plausible"]]
    least = cands.loc[cands["mass_factor"].idxmin()]
    assert a["suggested_grade"] == least["id"]
    assert a["suggested_mass_factor"] == pytest.approx(least["mass_factor"], abs=1e-4)


def test_no_grade_of_the_family_meets_it_is_said(lean_grade_too_hot):
    b = lean_grade_too_hot.iloc[1]  # 400 degC: beyond every sintered NdFeB grade
    assert b["status"] == "below_rating" and b["suggestion_kind"] == "none"
    assert pd.isna(b["suggested_grade"])
    assert b["message"].endswith(
        "no grade of its family meets this requirement, so none is suggested"
    )


def test_leaner_suggestion_for_a_line_that_holds_is_kind_leaner(lean_grade_too_hot):
    c = lean_grade_too_hot.iloc[2]  # N38EH at 180 degC holds (202 degC) and has leaner GBD grades
    assert c["status"] == "ok" and c["suggestion_kind"] == "leaner" and c["saving_Dy_Tb_kg"] > 0


def test_every_below_rating_line_of_the_example_gets_a_suggestion_or_a_reason(lib):
    t = evaluate_bom(Path("materials/examples/bom.csv"), lib, date=AS_OF).table
    below = t[t["status"] == "below_rating"]
    assert len(below) == 3  # lines 12 and 28 (N42) and 31 (TH-Y35 in the cold)
    assert set(below["suggestion_kind"]) <= {"leaner", "upgrade", "none"}
    said = below["message"].str.contains("would hold|none is suggested")
    assert said.all(), below["message"].tolist()
    # ferrite TH-Y35 fails at -40 degC at Pc 1: the upgrade is another ferrite grade
    y = below[below["grade"] == "TH-Y35"].iloc[0]
    assert y["suggestion_kind"] == "upgrade" and y["suggested_grade"].startswith("TH-Y")
    assert pd.isna(t.loc[t["status"] == "error", "suggestion_kind"]).all()


def test_upgrades_are_not_ranked_as_savings(lib):
    r = evaluate_bom(Path("materials/examples/bom.csv"), lib, date=AS_OF)
    upgraded = set(r.table.loc[r.table["suggestion_kind"] == "upgrade", "line"])
    assert upgraded and not upgraded & {x["line"] for x in r.summary["top_savings"]}
