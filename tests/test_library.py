"""The data library: the bundled files load clean, and each validation rule rejects a bad fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from magnets.data.library import FAMILIES, load_library
from magnets.errors import AmbiguousGradeError, UnknownGradeError

DATA = Path(__file__).parent / "data"
BASE = [DATA / "families_test.csv", DATA / "compositions_test.csv"]


def problems_in(fixture: str, extra=()):
    lib = load_library([*BASE, *extra, DATA / fixture])
    return [p for p in lib.problems if p.path.endswith(fixture)]


@pytest.mark.parametrize(
    ("fixture", "line", "column", "words"),
    [
        # Br 1.20 T -> Br^2/(4 mu0) = 286.5 kJ/m3 (hand calc); 330 is 15% above it
        ("grades_bhmax_above_limit.csv", 4, "BHmax_kJ_m3", "exceeds Br^2/(4 mu0)"),
        ("grades_hcb_above_hcj.csv", 3, "HcB_kA_m", "HcB <= HcJ"),
        # family range -0.80..-0.40 %/K (families_test.csv); -0.95 is outside
        ("grades_beta_out_of_range.csv", 3, "beta_HcJ_pct_per_K", "outside"),
        ("grades_rating_above_curie.csv", 3, "max_temp_C", "Curie"),
        # 45 wt% Sm is outside 20-40 wt%
        ("grades_smco_rare_earth_out_of_range.csv", 3, "composition", "20-40"),
        ("grades_missing_br.csv", 3, "Br_T", "required"),
        ("grades_not_a_number.csv", 3, "HcJ_kA_m", "expected a number"),
        ("grades_bad_id.csv", 3, "id", "letters, digits"),
        ("grades_route_mismatch.csv", 3, "route", "does not fit family"),
        ("grades_unknown_family.csv", 3, "family", "expected a family"),
        ("grades_unknown_composition.csv", 3, "composition", "unknown composition"),
    ],
)
def test_each_rule_rejects_its_fixture(fixture, line, column, words):
    found = problems_in(fixture)
    assert any(p.line == line and p.column == column and words in p.message for p in found), found


def test_duplicate_ids_are_reported_on_both_lines():
    found = problems_in("grades_duplicate_id.csv")
    dup = [p for p in found if p.column == "id" and "duplicate" in p.message]
    assert sorted(p.line for p in dup) == [3, 4]


def test_composition_sum_is_checked():
    lib = load_library([*BASE, DATA / "compositions_sum_not_100.csv"])
    found = [p for p in lib.problems if p.path.endswith("compositions_sum_not_100.csv")]
    # 22 + 8 + 59 + 1 = 90 wt% (hand sum), no balance element
    assert any(p.line == 3 and "sum to 90.00 wt%" in p.message for p in found), found


def test_good_fixture_row_is_clean():
    found = problems_in("grades_bhmax_above_limit.csv")
    assert all(p.line != 3 for p in found)


def test_bundled_library_loads_clean(lib):
    assert lib.problems == (), "\n".join(map(str, lib.problems))


def test_bundled_library_covers_families_and_routes(lib):
    g = lib.grades
    assert len(g) >= 70
    assert set(FAMILIES) <= set(g["family"])
    sintered = g[g["family"] == "ndfeb-sintered"]
    assert {"bulk", "gbd-dy", "gbd-tb"} <= set(sintered["route"])
    assert (g["route"] == "dy-free").sum() >= 2
    counts = g["family"].value_counts()
    assert counts["smco5"] >= 4 and counts["sm2co17"] >= 6 and counts["smco-tc"] >= 2
    assert counts["ferrite"] >= 2 and counts["ndfeb-bonded"] >= 2
    assert (g["source"].str.len() > 0).all()
    assert g["composition_basis"].isin(["sourced", "derived", "estimate", "model"]).all()
    # some Sm2Co17 rated 300 degC and above
    assert (g.loc[g["family"] == "sm2co17", "max_temp_C"] >= 300).any()


def test_japan_cut_side_by_side(lib):
    """Bulk AH grades hold several wt% Dy; Tb-GBD grades about 1 wt% or less HREE."""
    g = lib.grades
    ah_bulk = g[(g["route"] == "bulk") & g["id"].str.upper().str.endswith("AH")]
    gbd = g[g["route"] == "gbd-tb"]
    assert len(ah_bulk) and len(gbd)
    assert ah_bulk["Dy_Tb_wt_pct"].min() >= 5.0
    assert gbd["Tb_wt_pct"].max() <= 1.0


def test_user_library_adds_and_overrides(lib):
    user = load_library([DATA / "userlib"])
    assert "ACME-48SH" in user.grades.index
    assert len(user.grades) == len(lib.grades) + 1
    acme = user.get("acme-48sh")
    assert acme["Dy_wt_pct"] == 3.0 and acme["composition_basis"] == "sourced"
    # Fe is the balance: 100 - (21 + 7 + 3 + 1 + 1 + 0.1) = 66.9 wt% (hand sum)
    assert acme["Fe_wt_pct"] == pytest.approx(66.9)
    # family default filled (sintered NdFeB mu_rec) where the user row is empty
    assert acme["mu_rec_source"] == "family default"
    assert [p for p in user.problems if "userlib" in p.path] == []


def test_user_library_overrides_by_id(tmp_path, lib):
    row = lib.grades.iloc[0]
    header = "id,name,manufacturer,family,route,Br_T,HcJ_kA_m,composition,source\n"
    line = (
        f"{row['id'].lower()},{row['name']},user,{row['family']},{row['route']},0.999,"
        f"{row['HcJ_kA_m']},{row['composition']},user datasheet 2026\n"
    )
    (tmp_path / "grades.csv").write_text(header + line)
    user = load_library([tmp_path])
    assert len(user.grades) == len(lib.grades)
    assert user.get(row["id"].upper())["Br_T"] == 0.999
    assert user.get(row["id"])["manufacturer"] == "user"


def test_lookup_suggests_close_ids(lib):
    some = lib.grades.index[0]
    with pytest.raises(UnknownGradeError) as err:
        lib.get(some + "X")
    assert some in err.value.suggestions
    assert isinstance(err.value, KeyError)


def test_resolve_many_names(lib):
    ids = list(lib.grades.index[:3])
    pos, msg = lib.resolve([ids[0].lower(), "NOPE-123", ids[2], "", ids[0]])
    assert pos.tolist() == [0, -1, 2, -1, 0]
    assert "unknown grade 'NOPE-123'" in msg[1] and msg[0] == ""
    assert "empty" in msg[3]


def test_ambiguous_name(tmp_path, lib):
    a = lib.grades.iloc[0]
    header = "id,name,manufacturer,family,route,Br_T,HcJ_kA_m,composition,source\n"
    rows = "".join(
        f"AMB-{i},Same Name,x,{a['family']},{a['route']},1.2,1400,{a['composition']},test\n"
        for i in (1, 2)
    )
    (tmp_path / "grades.csv").write_text(header + rows)
    user = load_library([tmp_path])
    with pytest.raises(AmbiguousGradeError):
        user.get("same name")


def test_missing_user_folder_is_a_problem(tmp_path):
    lib = load_library([tmp_path / "nope"])
    assert any("does not exist" in p.message for p in lib.problems)


def test_element_fractions_sum_to_100(lib):
    cols = [c for c in lib.grades.columns if c.endswith("_wt_pct") and c != "Dy_Tb_wt_pct"]
    sums = lib.grades[cols].sum(axis=1).to_numpy()
    assert np.all(np.abs(sums - 100.0) <= 0.5)
