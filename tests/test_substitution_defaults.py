"""One default everywhere: the family and the ranking metric `magnets substitute`, the TUI's
trade-off screen and the BOM use when the user names none (issue 15)."""

from __future__ import annotations

from magnets import substitution
from magnets.substitution import default_rank_by


def test_default_rank_by_is_dy_tb_only_inside_an_ndfeb_reference_family():
    assert default_rank_by(None, "ndfeb-sintered") == "dy_tb"
    assert default_rank_by("ndfeb-sintered", "ndfeb-sintered") == "dy_tb"
    # widened: Sm (SmCo) and Dy/Tb (NdFeB) both count, as export-controlled content
    assert default_rank_by("any", "ndfeb-sintered") == "controlled"
    assert default_rank_by("sm2co17", "ndfeb-sintered") == "controlled"
    # a SmCo reference: every candidate's Dy+Tb is zero, so rank by controlled (Sm)
    assert default_rank_by(None, "sm2co17") == "controlled"


def test_find_substitutes_reports_the_family_and_metric_it_used(lib):
    out = substitution.find_substitutes(lib, temp_C=150.0, pc=0.964, date="2026-06-01")
    a = out.attrs
    # HL-G52SHT has the highest working-point flux at 150 degC, Pc 0.964 (0.574 T)
    assert a["reference"] == "HL-G52SHT"
    assert (a["family"], a["family_is_reference"]) == ("ndfeb-sintered", True)
    assert (a["rank_by"], a["rank_by_default"]) == ("dy_tb", True)
    assert set(out["family"]) == {"ndfeb-sintered"}
    wide = substitution.find_substitutes(
        lib, temp_C=150.0, pc=0.964, family="any", date="2026-06-01"
    )
    assert (wide.attrs["family"], wide.attrs["rank_by"]) == ("any", "controlled")
    # ranked by controlled kg at equal flux: MS-32H (about 0.25 kg Sm per kg) is not first
    assert wide["id"].iloc[0] != "MS-32H"
    # leanest first among the plausible estimates (implausible ones rank last)
    keys = wide.loc[wide["plausible"], "controlled_kg_equal_flux"].to_numpy()
    assert (keys[1:] >= keys[:-1] - 1e-12).all()
    asked = substitution.find_substitutes(
        lib, temp_C=150.0, pc=0.964, family="any", rank_by="dy_tb", date="2026-06-01"
    )
    assert (asked.attrs["rank_by"], asked.attrs["rank_by_default"]) == ("dy_tb", False)
    assert asked["id"].iloc[0] == "MS-32H"  # what the screen used to show first
