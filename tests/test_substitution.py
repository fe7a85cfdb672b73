"""Library ratings, substitutes at equal flux, and the batch (combos x grades) path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magnets import substitution
from magnets.physics import thermal


def test_rate_library_matches_thermal_for_one_grade(lib):
    r = substitution.rate_library(lib, pc=2.0, hd_kA_m=100.0, temp_C=150.0, cold_C=-40.0)
    assert len(r) == len(lib.grades) and list(r.index) == list(lib.grades.index)
    g = lib.grades.loc["ARN-N42"]
    # Arnold N42: Br 1.315 typ, HcJ 955 min, alpha -0.12, beta -0.75 (its own), family s 0.9, mu 1.05
    one = thermal.rated_temperature(
        1.315, 955.0, -0.12, -0.75, pc=2.0, hd_kA_m=100.0, curie_C=g["curie_C"]
    )
    assert r.loc["ARN-N42", "t_max_C"] == pytest.approx(one.t_max_C)
    assert r.loc["ARN-N42", "beta_source"] == "grade"
    # "oxidation": the standard Sm2Co17 service limit (families.csv, issue 11)
    assert set(r["limited_by"]) <= {"knee", "curie", "structural", "oxidation", "unsafe"}
    assert r["holds_cold"].dtype == bool


def test_mass_factor_hand_calc(lib):
    out = substitution.find_substitutes(
        lib, reference="ARN-N42", temp_C=60.0, pc=2.0, family="any", max_mass_factor=10.0, top=None
    )
    ref = out[out["is_reference"]].iloc[0]
    assert ref["mass_factor"] == pytest.approx(1.0)
    row = out.iloc[0]
    # B_op(T) = Br(T)*Pc/(Pc+mu_rec) at Hd = 0 (load line, docs/physics.md); mass factor = B_ref/B_cand * rho_cand/rho_ref
    g = lib.grades

    def b_op(gid):
        br = thermal.br_at(g.loc[gid, "Br_T"], g.loc[gid, "alpha_Br_pct_per_K"], 60.0)
        return br * 2.0 / (2.0 + g.loc[gid, "mu_rec"])

    expect = (
        b_op("ARN-N42")
        / b_op(row["id"])
        * g.loc[row["id"], "density_g_cm3"]
        / g.loc["ARN-N42", "density_g_cm3"]
    )
    assert row["mass_factor"] == pytest.approx(expect)
    assert row["Dy_Tb_kg_equal_flux"] == pytest.approx(row["Dy_Tb_kg_per_kg"] * row["mass_factor"])


def test_gbd_first_at_180_pc1(lib):
    """Acceptance: `substitute --temp 180 --pc 1 --rank-by dy_tb` puts a GBD grade ahead of every bulk grade."""
    # within sintered NdFeB: since issue 11 (HL's printed T-grade beta in the GBD fit) the
    # strongest grade at 180 degC, Pc 1 overall is an Sm2Co17 (MS-32H), which would set the family
    out = substitution.find_substitutes(
        lib, temp_C=180.0, pc=1.0, rank_by="dy_tb", top=None, family="ndfeb-sintered"
    )
    assert len(out) > 0
    assert out.iloc[0]["route"] in ("gbd-tb", "gbd-dy")
    bulk_pos = np.flatnonzero(out["route"].to_numpy() == "bulk")
    gbd_pos = np.flatnonzero(np.isin(out["route"].to_numpy(), ["gbd-tb", "gbd-dy"]))
    if bulk_pos.size:
        assert gbd_pos.min() < bulk_pos.min()
    # sorted by the metric at equal flux, plausible estimates first (issue 10: an estimate
    # below what its route needs at the requirement ranks after the plausible ones)
    ok = out["plausible"].to_numpy(dtype=bool)
    assert not np.any(np.diff(ok.astype(int)) > 0)  # no plausible row after an implausible one
    for part in (ok, ~ok):
        assert np.all(np.diff(out.loc[part, "Dy_Tb_kg_equal_flux"].to_numpy()) >= -1e-12)


@settings(max_examples=60, deadline=None)
@given(
    temp=st.floats(60.0, 260.0),
    pc=st.floats(0.4, 5.0),
    hd=st.floats(0.0, 300.0),
    rank=st.sampled_from(["dy_tb", "controlled", "price"]),
    fam=st.sampled_from([None, "any"]),
)
def test_substitute_never_below_requirement(lib, temp, pc, hd, rank, fam):
    try:
        out = substitution.find_substitutes(
            lib,
            temp_C=temp,
            pc=pc,
            hd_kA_m=hd,
            rank_by=rank,
            family=fam,
            top=None,
            date="2026-06-01",
        )
    except ValueError:  # nothing holds this requirement: an InputError, which is a ValueError
        return
    assert (out["t_max_C"] >= temp - 1e-6).all()
    assert (out["mass_factor"] <= 1.2 + 1e-9).all()
    # every candidate also holds at the cold end
    r = substitution.rate_library(lib, pc=pc, hd_kA_m=hd, cold_C=-40.0)
    assert r.loc[out["id"], "holds_cold"].all()


def test_pareto_matches_brute_force(lib):
    out = substitution.find_substitutes(
        lib, temp_C=150.0, pc=1.0, family="any", max_mass_factor=3.0, top=None, rank_by="dy_tb"
    )
    t = out["t_max_C"].to_numpy()
    k = out["Dy_Tb_kg_equal_flux"].to_numpy()
    expect = []
    for i in range(len(out)):  # O(n^2) reference implementation, test only
        dom = any(
            t[j] >= t[i] and k[j] <= k[i] and (t[j] > t[i] or k[j] < k[i])
            for j in range(len(out))
            if j != i
        )
        expect.append(not dom)
    assert out["pareto"].tolist() == expect
    top = substitution.find_substitutes(
        lib, temp_C=150.0, pc=1.0, family="any", max_mass_factor=3.0, top=3
    )
    assert top["pareto"].tolist() == expect[:3]  # computed before --top


def test_reference_by_temperature_is_the_highest_flux(lib):
    out = substitution.find_substitutes(
        lib, temp_C=150.0, pc=1.0, family="ndfeb-sintered", top=None
    )
    ref = out.attrs["reference"]
    r = substitution.rate_library(lib, pc=1.0, temp_C=150.0, cold_C=-40.0)
    ok = r[(r["family"] == "ndfeb-sintered") & (r["t_max_C"] >= 150.0) & r["holds_cold"]]
    assert r.loc[ref, "B_op_T_at_temp"] == pytest.approx(ok["B_op_T_at_temp"].max())


def test_ferrite_cold_end_excludes(lib):
    # at Pc 0.5 a ferrite's HcJ falls in the cold (beta > 0): the -40 degC cold end removes candidates
    warm = substitution.find_substitutes(
        lib, temp_C=60.0, pc=0.5, family="ferrite", cold_C=None, top=None, max_mass_factor=5.0
    )
    assert len(warm) > 0 and (warm["family"] == "ferrite").all()
    try:
        cold = substitution.find_substitutes(
            lib, temp_C=60.0, pc=0.5, family="ferrite", cold_C=-40.0, top=None, max_mass_factor=5.0
        )
    except ValueError as exc:  # none holds: an InputError naming the cold end
        assert "cold end" in str(exc)
        cold = warm.iloc[:0]
    assert len(cold) < len(warm)
    r = substitution.rate_library(lib, pc=0.5, cold_C=-40.0)
    assert not r.loc[r["family"] == "ferrite", "holds_cold"].all()


def test_bad_inputs_raise_input_errors(lib):
    from magnets.errors import InputError, UnknownGradeError

    with pytest.raises(InputError):
        substitution.find_substitutes(lib)
    with pytest.raises(InputError, match="rank-by"):
        substitution.find_substitutes(lib, temp_C=100.0, rank_by="weight")
    with pytest.raises(InputError, match="family"):
        substitution.find_substitutes(lib, temp_C=100.0, family="unobtainium")
    with pytest.raises(UnknownGradeError):
        substitution.find_substitutes(lib, reference="NOPE-1")
    with pytest.raises(InputError, match="no grade"):
        substitution.find_substitutes(lib, temp_C=900.0)


# ----------------------------------------------------------------------------- batch path
def _bulk_ids(lib, lo, hi, n=1):
    """Ids of bulk sintered grades with HcJ in [lo, hi) kA/m (chosen by property, not by name)."""
    g = lib.grades
    sel = g[
        (g["route"] == "bulk")
        & (g["family"] == "ndfeb-sintered")
        & (g["HcJ_kA_m"] >= lo)
        & (g["HcJ_kA_m"] < hi)
    ]
    return list(sel.index[:n])


def test_substitute_many_agrees_with_find_substitutes(lib):
    # an H (1353 kA/m), a UH (~1990) and an EH (~2388) class grade plus an N class one
    names = (
        _bulk_ids(lib, 1300, 1400)
        + _bulk_ids(lib, 1950, 2050)
        + _bulk_ids(lib, 2300, 2450)
        + _bulk_ids(lib, 900, 1000)
    )
    assert len(names) == 4
    pos, _ = lib.resolve(names)
    pcs = np.array([0.964, 2.0, 1.0, 1.5])
    hds = np.array([0.0, 100.0, 50.0, 0.0])
    temps = np.array([np.nan, 150.0, np.nan, np.nan])
    colds = np.full(4, -40.0)
    m = substitution.substitute_many(lib, pos, temps, pcs, hds, colds, rank_by="dy_tb")
    assert m["suggested_pos"].dtype == np.int64 and len(m) == 4
    for i, name in enumerate(names):
        one = substitution.find_substitutes(
            lib,
            reference=name,
            temp_C=None if np.isnan(temps[i]) else temps[i],
            pc=pcs[i],
            hd_kA_m=hds[i],
            cold_C=-40.0,
            top=None,
        )
        assert m.loc[i, "t_max_C"] == pytest.approx(one.attrs["reference_t_max_C"])
        assert m.loc[i, "required_temp_C"] == pytest.approx(one.attrs["temp_C"])
        ref_metric = one.loc[one["is_reference"], "Dy_Tb_kg_equal_flux"]
        ref_metric = (
            float(ref_metric.iloc[0])
            if len(ref_metric)
            else lib.grades.loc[name, "Dy_Tb_wt_pct"] / 100
        )
        leaner = one[one["Dy_Tb_kg_equal_flux"] < ref_metric - 1e-12]
        if len(leaner):
            best = leaner.iloc[0]
            assert lib.grades.index[m.loc[i, "suggested_pos"]] == best["id"]
            assert m.loc[i, "suggested_mass_factor"] == pytest.approx(best["mass_factor"])
            assert m.loc[i, "suggested_t_max_C"] >= m.loc[i, "required_temp_C"] - 1e-9
        else:
            assert m.loc[i, "suggested_pos"] == -1


def test_substitute_many_unknown_grade_and_nan_cold(lib):
    pos = np.array([-1, lib.position("ARN-N42")], dtype=np.int64)
    m = substitution.substitute_many(
        lib,
        pos,
        np.array([100.0, np.nan]),
        np.array([1.0, 1.0]),
        np.array([0.0, 0.0]),
        np.array([-40.0, np.nan]),
    )
    assert (
        np.isnan(m.loc[0, "t_max_C"])
        and m.loc[0, "suggested_pos"] == -1
        and not m.loc[0, "holds_cold"]
    )
    assert m.loc[1, "holds_cold"]  # NaN cold end = no cold requirement
    # NaN Pc = the calibrated reference Pc, NaN Hd = 0
    from magnets.physics.calibration import fitted_condition

    a = substitution.substitute_many(
        lib, pos[1:], np.array([np.nan]), np.array([np.nan]), np.array([np.nan]), np.array([-40.0])
    )
    b = substitution.substitute_many(
        lib,
        pos[1:],
        np.array([np.nan]),
        np.array([fitted_condition(lib).pc]),
        np.array([0.0]),
        np.array([-40.0]),
    )
    assert a.loc[0, "t_max_C"] == pytest.approx(b.loc[0, "t_max_C"])


def test_substitute_many_rank_by_controlled_and_price(lib):
    pos, _ = lib.resolve(_bulk_ids(lib, 2300, 2450) + _bulk_ids(lib, 1300, 1400))
    for rank in ("controlled", "price"):
        m = substitution.substitute_many(
            lib,
            pos,
            np.full(2, np.nan),
            np.full(2, 1.0),
            np.zeros(2),
            np.full(2, -40.0),
            rank_by=rank,
            date="2026-06-01",
        )
        assert set(m.columns) >= {
            "t_max_C",
            "limited_by",
            "holds_cold",
            "ref_B_op_T",
            "suggested_pos",
            "suggested_t_max_C",
            "suggested_mass_factor",
        }
        ok = m["suggested_pos"] >= 0
        assert (m.loc[ok, "suggested_t_max_C"] >= m.loc[ok, "required_temp_C"] - 1e-9).all()


# ----------------------------------------------------------------------------- --max-loss
def test_max_loss_qualifies_by_flux_loss_instead_of_the_knee(lib):
    from magnets.physics import loss as loss_model
    from magnets.rating_table import grade_table

    knee = substitution.find_substitutes(lib, temp_C=150.0, pc=2.0, top=None)
    by_loss = substitution.find_substitutes(lib, temp_C=150.0, pc=2.0, top=None, max_loss_pct=5.0)
    # every candidate loses at most the cap after the trip to 150 degC
    assert (by_loss["loss_pct_at_temp"] <= 5.0).all()
    # KJ-N42H's knee rating at Pc 2 is 149.5 degC, just short of 150, so the knee rule drops it;
    # a trip to 150 degC costs it about 4.2 % of its flux, under 5 %, so the loss rule keeps it
    row = by_loss.set_index("id").loc["KJ-N42H"]
    assert row["t_max_C"] == pytest.approx(149.46, abs=0.05)
    assert "KJ-N42H" not in set(knee["id"])
    # the column is the loss model's own number for that grade (scalar path)
    g = grade_table(lib).loc["KJ-N42H"]
    direct = loss_model.irreversible_loss(
        g["Br_T"], g["HcJ_kA_m"], g["alpha"], g["beta"], 150.0, pc=2.0,
        mu_rec=g["mu_rec"], squareness=g["squareness"], T0_C=g["T0_C"], curie_C=g["curie_C"],
    ).loss_pct  # fmt: skip
    assert row["loss_pct_at_temp"] == pytest.approx(float(direct), rel=1e-9)
    assert 0.0 < row["loss_pct_at_temp"] < 5.0
    # the knee candidates all hold 150 degC, so each of them is also in the loss list at a 5 % cap
    # (loss at the rating is a few percent for sintered NdFeB: tests/test_loss.py)
    assert set(knee["id"]) <= set(by_loss["id"])


def test_max_loss_that_is_not_a_percentage_is_refused(lib):
    from magnets.errors import InputError

    for bad in (float("nan"), -1.0, 100.0, float("inf")):
        with pytest.raises(InputError, match="--max-loss"):
            substitution.find_substitutes(lib, temp_C=150.0, pc=2.0, max_loss_pct=bad)


def test_cli_max_loss_reports_the_loss_and_the_reference_above_the_cap(capsys):
    import json

    from magnets.cli.entry import main

    assert main(["substitute", "KYL-N42SH", "--pc", "2", "--max-loss", "1"]) == 0
    out = capsys.readouterr().out
    # KYL-N42SH rates 169.6 degC at Pc 2; a trip to its own rating costs it about 3.6 %
    # (test_loss: a few percent at the knee rating), above the 1 % cap, so it is not listed
    assert "loss <= 1 % after a trip to 169.6 degC" in out
    assert "the reference itself loses 3.57 %" in out
    assert (
        main(["substitute", "--temp", "150", "--pc", "2", "--max-loss", "5", "--format", "json"])
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["loss_pct_at_temp"] <= 5.0 for r in rows)
