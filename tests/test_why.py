"""Why a grade is suggested (issue 15, item 5): magnets.substitution.why, built once and
shown by `substitute --why`, the BOM's suggested_why column and the TUI's detail lines."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pytest

from magnets.substitution import find_substitutes
from magnets.substitution.why import SEP, WHY_COLUMNS, why

DAY = dt.date(2026, 12, 3)


def test_why_of_a_gbd_tb_grade_names_rating_limit_composition_thickness_and_control(lib):
    w = why(lib, ["HL-G52SHT"], temp_C=150.0, pc=1.0, date=DAY)
    assert list(w.columns) == list(WHY_COLUMNS)
    row = w.iloc[0]
    # the rating is the one substitute gives at the same requirement (same rated_temperature)
    sub = find_substitutes(lib, reference="HL-G52SHT", temp_C=150.0, pc=1.0, date=DAY, top=None)
    t_sub = float(sub.loc[sub["id"] == "HL-G52SHT", "t_max_C"].iloc[0])
    assert row["t_max_C"] == pytest.approx(t_sub)
    assert row["limited_by"] == "knee" and row["margin_C"] == pytest.approx(t_sub - 150.0)
    assert row["rating"].startswith(f"rated {t_sub:.0f} degC: knee at Pc 1, Hd 0 kA/m, margin +")
    # materials/grades/ndfeb_gbd.csv: HL prints no rating, SH-class guideline 150 C [mainrich-gbd]
    assert row["rating"].endswith("; class guideline 150 degC (maker prints none)")
    # materials/compositions.csv ndfeb-model-gbd-tb-22kOe: Dy 0 + Tb 0.336 = 0.336 wt%,
    # band Dy 0-0.28 + Tb 0.265-0.372 = 0.265-0.652 wt% (docs/physics.md section 6a)
    assert row["composition"] == "Dy+Tb 0.34 wt% (model, band 0.27-0.65)"
    # no thickness given: diffusion is assumed to reach through (6 mm, coercivity.THICKNESS_LIMIT_MM)
    assert row["thickness"] == "GBD assumes <= 6 mm"
    # MOFCOM/GAC No. 18 [2025] (materials/export_controls.csv): Sm Gd Tb Dy from 2025-04-04;
    # the model row holds Tb only (Dy 0 on the 13.48 kOe substrate), so only Tb is named
    assert row["control"] == "export control as of 2026-12-03: Tb controlled"
    assert row["why"] == SEP.join(
        [row["rating"], row["composition"], row["thickness"], row["control"]]
    )


def test_why_of_a_thick_gbd_magnet_says_the_gain_is_scaled_and_rates_it_lower(lib):
    thin = why(lib, ["HL-G52SHT"], temp_C=150.0, pc=1.0, date=DAY).iloc[0]
    thick = why(lib, ["HL-G52SHT"], temp_C=150.0, pc=1.0, thickness_mm=12.0, date=DAY).iloc[0]
    assert thick["thickness"] == "GBD at 12 mm (diffusion reaches 6 mm; gain scaled)"
    # half the magnet lies beyond the 6 mm diffusion depth: less HcJ, a lower knee
    assert thick["t_max_C"] < thin["t_max_C"]
    sub = find_substitutes(
        lib, reference="HL-G52SHT", temp_C=100.0, pc=1.0, thickness_mm=12.0, date=DAY, top=None
    )
    assert thick["t_max_C"] == pytest.approx(
        float(sub.loc[sub["id"] == "HL-G52SHT", "t_max_C"].iloc[0])
    )


def test_why_of_a_bulk_grade_has_no_thickness_part(lib):
    w = why(lib, ["MR-N48SH"], temp_C=150.0, pc=1.0, date=DAY).iloc[0]
    assert w["thickness"] == ""
    assert "GBD" not in w["why"] and w["why"].count(SEP) == 2  # rating | composition | control
    assert w["control"] == "export control as of 2026-12-03: Dy controlled"


def test_why_of_a_smco_grade_counts_its_samarium_and_says_it_is_controlled(lib):
    w = why(lib, ["MS-32H"], temp_C=150.0, pc=1.0, date=DAY).iloc[0]
    # materials/compositions.csv sm2co17-nominal: Sm 25 wt% (estimate), no Dy or Tb
    assert w["composition"] == "Dy+Tb 0.00 wt% (estimate, no band); Sm 25.0 wt%"
    assert w["control"] == "export control as of 2026-12-03: Sm controlled"
    # materials/grades/smco.csv MS-32H: 350 C printed, "guideline; depends on permeance"
    assert w["rating"].endswith("; datasheet 350 degC (maker's guideline, no Pc)")


def test_why_before_the_controls_took_effect_says_none_controlled(lib):
    # MOFCOM/GAC No. 18 [2025] took effect on 2025-04-04
    w = why(lib, ["MS-32H"], temp_C=150.0, pc=1.0, date=dt.date(2025, 1, 1)).iloc[0]
    assert w["control"] == "export control as of 2025-01-01: none controlled"


def test_why_of_a_capped_rating_names_the_cap(lib):
    # materials/alloys.csv sm2co17-ht: metallurgically stable to 550 C, limit_kind structural
    # [eec-ht]; the knee of EEC-24-T400 at Pc 2 lies above it
    w = why(lib, ["EEC-24-T400"], temp_C=400.0, pc=2.0, date=DAY).iloc[0]
    assert w["limited_by"] == "structural" and w["t_max_C"] == pytest.approx(550.0)
    assert w["rating"].startswith(
        "rated 550 degC: structural cap (knee higher) at Pc 2, Hd 0 kA/m, margin +150 K on 400"
    )
    # EEC prints T_M, the straight-line limit, i.e. the knee at Pc 0 [chen2000-tm]
    assert w["rating"].endswith("; datasheet 400 degC (straight line, Pc 0)")


def test_why_with_a_loss_cap_states_the_loss(lib):
    out = find_substitutes(lib, temp_C=150.0, pc=2.0, max_loss_pct=5.0, date=DAY, top=2)
    loss = float(out["loss_pct_at_temp"].iloc[0])
    assert f"; loses {loss:.2f} % after a trip to 150 degC (cap 5 %)" in out["why"].iloc[0]


def test_substitute_frames_carry_why_for_every_row_shown(lib):
    out = find_substitutes(lib, temp_C=180.0, pc=1.0, date=DAY, top=4)
    assert len(out) == 4 and out["why"].map(bool).all()
    for gid, text, t in zip(out["id"], out["why"], out["t_max_C"], strict=True):
        assert text.startswith(f"rated {t:.0f} degC:"), gid
        assert "export control as of 2026-12-03" in text


def test_bom_suggested_why_rates_the_suggestion_as_the_suggestion_columns_do(lib):
    from importlib import resources

    from magnets.bom.evaluate import evaluate_bom

    example = resources.files("magnets.materials") / "examples" / "bom.csv"
    t = evaluate_bom(str(example), lib, date=DAY).table
    has = t["suggested_grade"].notna()
    assert has.any() and t.loc[~has, "suggested_why"].isna().all()
    for text, temp in zip(
        t.loc[has, "suggested_why"], t.loc[has, "suggested_t_max_C"], strict=True
    ):
        assert text.startswith(f"rated {temp:.0f} degC:")
        assert text.endswith("controlled") or "status unknown" in text


def _run(*args: str) -> str:
    res = subprocess.run(
        [sys.executable, "-m", "magnets", *args], capture_output=True, text=True, check=True
    )
    return res.stdout


def test_cli_substitute_why_prints_a_line_per_grade_and_a_column_in_json(lib):
    req = ["substitute", "--temp", "150", "--pc", "1", "--top", "3", "--date", "2026-12-03"]
    text = _run(*req, "--why")
    lines = [x for x in text.splitlines() if x.startswith("# why ")]
    out = find_substitutes(lib, temp_C=150.0, pc=1.0, date=DAY, top=3)
    assert lines == [f"# why {g}: {w}" for g, w in zip(out["id"], out["why"], strict=True)]
    assert "# why " not in _run(*req)
    rows = json.loads(_run(*req, "--why", "--format", "json"))
    assert [r["why"] for r in rows] == list(out["why"])
    assert np.all(["why" not in r for r in json.loads(_run(*req, "--format", "json"))])
