"""Irreversible loss (magnets.physics.loss): hand cases, a published point, consistency, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magnets.physics import loss, thermal
from magnets.physics.beta import fitted_beta_model

MU0_T_PER_KA_M = 4e-7 * math.pi * 1e3  # B[T] = this * H[kA/m]
KA_M_PER_KOE = 1000.0 / (4.0 * math.pi)


# ----------------------------------------------------------------------------- hand cases
def test_hand_case_load_line_through_the_knee_loses_ten_percent():
    # mu_rec = 1 (flat reversible line), alpha = 0, Pc = 2, Hd = 0. Choose HcJ(T) so the load line
    # meets the curve exactly at the knee, where J = 0.9*Br by definition of squareness:
    #   0.9*Br - mu0*Hk = Pc*mu0*Hk  ->  Hk = 0.9*1.2/(mu0*3) = 286.479 kA/m, HcJ(T) = Hk/0.9 = 318.310
    #   HcJ0 = 1000, beta = -0.5 %/K: 1 - 0.005*dT = 0.318310 -> dT = 136.338 K, T = 156.338 degC.
    # Recoil (slope mu0 from there) keeps J = 0.9*Br; back at T0 B = 0.9*Br*Pc/(Pc + 1) = 0.72 T
    # against 1.2*2/3 = 0.80 T before (at T0 |H|/HcJ0 = 0.318, J(H)/Br - 1 = 0.318^21.85 ~ 1e-11).
    # Loss = 1 - 0.72/0.80 = 10.0 %.
    r = loss.irreversible_loss(
        1.2, 1000.0, 0.0, -0.5, 156.338023, pc=2.0, mu_rec=1.0, squareness=0.9
    )
    assert r.loss_pct == pytest.approx(10.0, abs=0.5)
    assert r.loss_pct == pytest.approx(10.0, abs=1e-3)
    assert r.B_T0_before_T == pytest.approx(0.80, abs=1e-6)
    assert r.B_T0_after_T == pytest.approx(0.72, abs=1e-5)
    assert r.H_at_T_kA_m == pytest.approx(286.479, abs=1e-2)


def test_hand_case_recoil_slope_mu_rec_and_alpha_recovery():
    # Br0 = 1.3, alpha = -0.12, T = 150: Br(T) = 1.3*(1 - 0.0012*130) = 1.0972 T; Pc = 1.5, mu_rec 1.05.
    # Knee on the load line: Hk = 0.9*1.0972/(mu0*2.5) = 314.325 kA/m; HcJ(T) = Hk/0.9 = 349.250,
    # HcJ0 = 349.250/(1 - 0.005*130) = 997.856 kA/m (beta -0.5).
    # Recoil line through (Hk, B1): Br' = J1 + mu0*(mu_rec - 1)*Hk = 0.9*Br(T) + mu0*0.05*314.325,
    # so Br'/Br(T) = 0.9 + 0.0180 = 0.9180. Back at T0 the alpha part returns: remanence 0.918*1.3;
    # B on the same load line scales with remanence: loss = 1 - 0.918 = 8.20 %.
    hcj0 = 0.9 * 1.0972 / (MU0_T_PER_KA_M * 2.5) / 0.9 / 0.35
    r = loss.irreversible_loss(1.3, hcj0, -0.12, -0.5, 150.0, pc=1.5, mu_rec=1.05, squareness=0.9)
    assert r.loss_pct == pytest.approx(8.20, abs=0.5)
    assert r.loss_pct == pytest.approx(8.20, abs=1e-3)
    assert r.remanence_left == pytest.approx(0.918, abs=1e-6)
    # B before = Br0*Pc/(Pc + mu_rec) = 1.3*1.5/2.55 = 0.764706 T
    assert r.B_T0_before_T == pytest.approx(0.764706, abs=1e-5)


def test_hand_case_field_at_t0_on_or_off():
    # mu_rec = 1, alpha = 0, Br = 1.2, Pc = 2, Hd = 100 kA/m at T = 150 degC. Knee on the shifted
    # load line: 0.9*Br - mu0*Hk = Pc*mu0*(Hk - Hd) -> Hk = (859.437 + 200)/3 = 353.146 kA/m,
    # HcJ(T) = 392.384; with HcJ0 = 1200: beta = (392.384/1200 - 1)/130*100 = -0.517702 %/K.
    # The trip leaves J = 0.9*Br = 1.08 T.
    # Hd0 = 0 (current off at T0): 0.8 T before, 1.08*2/3 = 0.72 T after: 10.0 %.
    # Hd0 = Hd: before 1.2 - mu0*H = 2*mu0*(H - 100) -> H = 384.977, B = 2*mu0*284.977 = 0.716224 T;
    # after 1.08 - mu0*H = 2*mu0*(H - 100) -> H = 353.146, B = 0.636224 T: loss 1 - 0.636224/0.716224 = 11.17 %.
    beta = (392.3842 / 1200.0 - 1.0) / 130.0 * 100.0
    kw = {"pc": 2.0, "hd_kA_m": 100.0, "mu_rec": 1.0, "squareness": 0.9}
    off = loss.irreversible_loss(1.2, 1200.0, 0.0, beta, 150.0, hd_at_t0_kA_m=0.0, **kw)
    on = loss.irreversible_loss(1.2, 1200.0, 0.0, beta, 150.0, **kw)
    assert off.loss_pct == pytest.approx(10.0, abs=0.01)
    assert on.loss_pct == pytest.approx(11.17, abs=0.01)
    assert on.B_T0_before_T == pytest.approx(0.716224, abs=1e-5)


# ----------------------------------------------------------------------------- published point
def test_published_point_nd_dy_fe_b_at_260C_pc2_needs_a_milder_beta_than_the_fit(lib):
    # isc-ndfeb-260: (Nd0.8Dy0.2)(Fe,Co,B,Nb,Ga)5.5 sintered, Br 10450 G = 1.045 T, iHc 27.1 kOe
    # = 2156.5 kA/m, irreversible loss under 5 % after exposure at 260 degC at Pc = 2.
    # The paper gives no alpha or beta: alpha is the family -0.12 %/K, s 0.9, mu_rec 1.05.
    hcj0 = 27.1 * KA_M_PER_KOE
    kw = {"pc": 2.0, "mu_rec": 1.05, "squareness": 0.9, "curie_C": 310.0}
    beta_fit = float(
        fitted_beta_model(lib).beta(
            np.array([hcj0]), np.array(["bulk"]), np.array(["ndfeb-sintered"])
        )[0]
    )
    # the library's beta(HcJ0) fit gives about -0.46 %/K at this HcJ0 ...
    assert beta_fit == pytest.approx(-0.46, abs=0.03)
    # ... with which a linear HcJ(T) has fallen to 2156*(1 - 0.0046*240) < 0 by 260 degC: all is lost,
    # and the knee rating at Pc 2 is about 214 degC. The model does NOT reproduce the point with
    # its own beta (documented in docs/physics.md; not tuned).
    assert loss.irreversible_loss(
        1.045, hcj0, -0.12, beta_fit, 260.0, **kw
    ).loss_pct == pytest.approx(100.0, abs=1e-6)
    # It does reproduce it with an average beta(20-260 degC) of -0.375 %/K or milder (the knee alone
    # gives the same bound: s*HcJ(260) >= Br(260)/(mu0*3.05) = 194 kA/m): 3.6 % at -0.375.
    assert loss.irreversible_loss(1.045, hcj0, -0.12, -0.375, 260.0, **kw).loss_pct < 5.0
    assert loss.irreversible_loss(1.045, hcj0, -0.12, -0.38, 260.0, **kw).loss_pct > 5.0


# ----------------------------------------------------------------------------- consistency
def test_intrinsic_curve_is_the_one_demag_curves_draws():
    c = thermal.demag_curves(1.25, 1400.0, mu_rec=1.05, squareness=0.9, temp_C=120.0,
                             alpha=-0.12, beta=-0.55)  # fmt: skip
    br = thermal.br_at(1.25, -0.12, 120.0)
    hcj = thermal.hcj_at(1400.0, -0.55, 120.0)
    J = loss.intrinsic_j(-c.H_kA_m, br, hcj, 1.05, 0.9)
    np.testing.assert_allclose(J, c.J_T, atol=1e-12)
    # the knee: J(s*HcJ) = 0.9*Br
    assert loss.intrinsic_j(0.9 * hcj, br, hcj, 1.05, 0.9) == pytest.approx(0.9 * br)


def test_working_point_far_below_the_knee_is_the_straight_line_one():
    H_lin, B_lin = thermal.operating_point(1.2, 2.0, 50.0, 1.05)
    H, B = loss.working_point(1.2, 3000.0, pc=2.0, hd_kA_m=50.0, mu_rec=1.05, squareness=0.9)
    assert pytest.approx(H_lin, rel=1e-9) == H
    assert pytest.approx(B_lin, rel=1e-9) == B


def test_no_loss_at_t0_and_all_lost_above_curie():
    kw = {"pc": 1.0, "hd_kA_m": 100.0, "mu_rec": 1.05, "squareness": 0.9, "curie_C": 310.0}
    r = loss.irreversible_loss(1.3, 1600.0, -0.12, -0.54, np.array([20.0, 320.0]), **kw)
    assert r.loss_pct[0] == pytest.approx(0.0, abs=1e-9)
    assert r.loss_pct[1] == pytest.approx(100.0, abs=1e-6)
    assert r.remanence_left[1] == 0.0


def test_loss_at_rating_is_a_few_percent_for_sintered_ndfeb():
    # N42SH-like (library KYL-N42SH: Br 1.30 T, HcJ 1592 kA/m, fitted beta -0.538): knee rating at
    # Pc 2 is 169.8 degC; the rounded curve has lost 3.57 % there (J = 0.9*Br sits on the curve).
    t, pct = loss.loss_at_rating(1.3, 1592.0, -0.12, -0.538, pc=2.0, curie_C=310.0)
    assert t == pytest.approx(169.8, abs=0.1)
    assert pct == pytest.approx(3.57, abs=0.02)
    # 15 K below it: 0.003 %
    below = loss.irreversible_loss(1.3, 1592.0, -0.12, -0.538, t - 15.0, pc=2.0, curie_C=310.0)
    assert below.loss_pct < 0.01


def test_smco_squareness_08_shows_loss_well_below_the_knee_rating():
    # sm2co17 family defaults (s 0.8, mu_rec 1.05, alpha -0.03), Horizon-like beta -0.20 %/K, Pc 2:
    # with s = 0.8 the shape exponent is ln(0.1)/ln(0.8) ~ 10, and SmCo's HcJ falls only
    # ~0.6 %/K near its rating, so 15 K below the knee rating the model still shows ~2 %.
    # The "under 0.1 % at 15 K below the rating" therefore does not hold for SmCo here.
    kw = {"pc": 2.0, "mu_rec": 1.05, "squareness": 0.8, "curie_C": 825.0}
    t, pct = loss.loss_at_rating(1.1, 1500.0, -0.03, -0.20, **kw)
    below = loss.irreversible_loss(1.1, 1500.0, -0.03, -0.20, t - 15.0, **kw).loss_pct
    assert 1.0 < below < 3.0
    assert pct == pytest.approx(4.8, abs=0.5)


def test_input_kinds_scalar_array_series():
    assert isinstance(
        loss.irreversible_loss(1.3, 1600.0, -0.12, -0.54, 150.0, pc=2.0).loss_pct, float
    )
    arr = loss.irreversible_loss(1.3, 1600.0, -0.12, -0.54, np.array([100.0, 200.0]), pc=2.0)
    assert arr.loss_pct.shape == (2,)
    s = pd.Series([100.0, 200.0], index=["a", "b"])
    ser = loss.irreversible_loss(1.3, 1600.0, -0.12, -0.54, s, pc=2.0)
    assert list(ser.loss_pct.index) == ["a", "b"]
    np.testing.assert_allclose(ser.loss_pct.to_numpy(), arr.loss_pct)


def test_ferrite_loses_in_the_cold_not_in_the_heat():
    # ferrite family: alpha -0.20, beta +0.30 (jingxin-ferrite range), s 0.9, mu_rec 1.1; Br 0.4 T,
    # HcJ 250 kA/m, Pc 1: the straight-line knee margin crosses zero near -55 degC.
    kw = {"pc": 1.0, "mu_rec": 1.1, "squareness": 0.9}
    r = loss.irreversible_loss(0.4, 250.0, -0.2, 0.3, np.array([-60.0, -20.0, 20.0, 150.0]), **kw)
    assert r.loss_pct[0] > 1.0
    assert r.loss_pct[1] < 0.1
    assert r.loss_pct[2] == pytest.approx(0.0, abs=1e-9)
    assert r.loss_pct[3] == pytest.approx(0.0, abs=1e-9)
    lim = loss.cold_knee_C(0.4, 250.0, -0.2, 0.3, **kw)
    # knee margin: s*HcJ(T) - Br(T)/(mu0*(Pc+mu_rec)) = 0 with dT = T - 20:
    #   225*(1 + 0.003*dT) - 151.576*(1 - 0.002*dT) = 0  ->  dT = -73.42/(0.675 + 0.30315) = -75.06
    assert lim == pytest.approx(-55.06, abs=0.05)


# ----------------------------------------------------------------------------- properties
@pytest.fixture(scope="module")
def sintered(lib):
    """Rating inputs of the library's sintered NdFeB grades (own or fitted beta, family s, mu_rec)."""
    from magnets.physics import calibration

    g = lib.grades[lib.grades["family"] == "ndfeb-sintered"]
    inp = calibration.rating_inputs(g, fitted_beta_model(lib))
    return inp.dropna(subset=["Br_T", "HcJ_kA_m", "alpha", "beta"])


def _kw(row, pc, hd=0.0):
    return {
        "pc": pc,
        "hd_kA_m": hd,
        "mu_rec": float(row.mu_rec),
        "squareness": float(row.squareness),
        "curie_C": float(row.curie_C),
    }


def _loss_below_rating(row, kw, dT):
    args = (float(row.Br_T), float(row.HcJ_kA_m), float(row.alpha), float(row.beta))
    r = thermal.rated_temperature(*args, **kw)
    if r.limited_by != "knee" or r.t_max_C - dT < float(row.T0_C):
        return None
    return loss.irreversible_loss(*args, r.t_max_C - dT, **kw).loss_pct


@settings(max_examples=150, deadline=None, derandomize=True)  # same examples every run (CI)
@given(data=st.data(), pc=st.floats(2.0, 10.0))
def test_property_under_0p1_percent_15K_below_the_rating_at_pc2_and_up(sintered, data, pc):
    # The property, in the domain where the model meets it: the library's sintered NdFeB
    # grades (their own or the fitted beta, s 0.9, mu_rec 1.05) at the catalogue condition Hd = 0
    # and Pc >= 2 (all 73 grades on a Pc grid: at most 0.062 % at 15 K below). At Pc 0.5-1 or
    # with Hd the model needs up to ~25 K (next test); SmCo and ferrite far more (tests above).
    row = sintered.iloc[data.draw(st.integers(0, len(sintered) - 1))]
    for dT in (15.0, 40.0):
        pct = _loss_below_rating(row, _kw(row, pc), dT)
        assert pct is None or pct < 0.1


@settings(max_examples=150, deadline=None, derandomize=True)  # same examples every run (CI)
@given(data=st.data(), pc=st.floats(0.5, 10.0), hd=st.floats(0.0, 300.0))
def test_property_under_0p1_percent_30K_below_the_rating_any_load_line(sintered, data, pc, hd):
    # Over Pc 0.5-10 and Hd 0-300 kA/m the library's sintered grades need at most 24 K.
    row = sintered.iloc[data.draw(st.integers(0, len(sintered) - 1))]
    pct = _loss_below_rating(row, _kw(row, pc, hd), 30.0)
    assert pct is None or pct < 0.1


@settings(max_examples=150, deadline=None, derandomize=True)  # same examples every run (CI)
@given(
    br=st.floats(0.2, 1.5),
    hcj=st.floats(100.0, 3000.0),
    alpha=st.floats(-0.25, 0.0),
    beta=st.floats(-0.8, 0.5),
    pc=st.floats(0.1, 20.0),
    hd=st.floats(0.0, 500.0),
    hd0_off=st.booleans(),
    mu_rec=st.floats(1.0, 1.25),
    s=st.floats(0.6, 0.97),
)
def test_property_bounded_and_monotonic_in_temperature(
    br, hcj, alpha, beta, pc, hd, hd0_off, mu_rec, s
):
    # Never below 0 or above 100 %, for any magnet and load line.
    kw = {"pc": pc, "hd_kA_m": hd, "mu_rec": mu_rec, "squareness": s, "curie_C": 310.0}
    kw["hd_at_t0_kA_m"] = 0.0 if hd0_off else None
    hot, cold = 20.0 + np.linspace(0.0, 300.0, 61), 20.0 - np.linspace(0.0, 250.0, 51)
    for T in (hot, cold):
        pct = loss.irreversible_loss(br, hcj, alpha, beta, T, **kw).loss_pct
        assert np.all(np.isnan(pct) | ((pct >= 0.0) & (pct <= 100.0)))
    # Monotonic: the further the trip goes, the more is lost: hotter where HcJ falls faster than
    # Br (beta <= alpha: every rare-earth family), colder for ferrite (beta > 0), for a part that
    # holds at T0 (straight-line knee margin >= 0). Outside that (e.g. a part already past its
    # knee at T0) a hotter trip can lower Br, and with it the self-field, enough to lose less.
    holds = thermal.knee_margin(br, hcj, alpha, beta, 20.0, pc=pc, hd_kA_m=hd, mu_rec=mu_rec,
                                squareness=s) >= 0  # fmt: skip
    if not holds or 0.0 < beta <= alpha or (beta <= 0 and beta > alpha):
        return
    T = hot if beta <= 0 else cold
    pct = loss.irreversible_loss(br, hcj, alpha, beta, T, **kw).loss_pct
    if np.isnan(pct).all():  # Hd pushes B below 0 at T0: no loss figure (the property is vacuous)
        return
    assert np.all(np.diff(pct) >= -1e-7)


def test_loss_for_grades_matches_the_scalar_function(lib):
    from magnets.physics import calibration

    inp = calibration.rating_inputs(lib.grades, fitted_beta_model(lib))
    df = loss.loss_for_grades(inp, 150.0, pc=2.0, hd_kA_m=50.0, hd_at_t0_kA_m=0.0)
    assert list(df.index) == list(inp.index)
    row = inp.loc["KYL-N42SH"]
    one = loss.irreversible_loss(
        row.Br_T, row.HcJ_kA_m, row.alpha, row.beta, 150.0, pc=2.0, hd_kA_m=50.0,
        hd_at_t0_kA_m=0.0, mu_rec=row.mu_rec, squareness=row.squareness, T0_C=row.T0_C,
        curie_C=row.curie_C,
    )  # fmt: skip
    assert df.loc["KYL-N42SH", "loss_pct"] == pytest.approx(one.loss_pct, abs=1e-9)
    assert df["loss_pct"].between(0.0, 100.0).all()


def test_loss_curve_for_a_plot(lib):
    from magnets.physics import calibration

    inp = calibration.rating_inputs(lib.grades, fitted_beta_model(lib))
    c = loss.loss_curve(inp.loc["KYL-N42SH"], [20.0, 160.0, 180.0], pc=2.0)
    # the same numbers as the CLI: knee rating 169.6 degC carrying 3.57 %, 24.35 % after 180 degC
    assert c["rating_C"] == pytest.approx(169.64, abs=0.01) and not c["cold"]
    assert c["loss_at_rating_pct"] == pytest.approx(3.57, abs=0.01)
    assert c["loss_pct"][0] == pytest.approx(0.0, abs=1e-9)
    assert c["loss_pct"][2] == pytest.approx(24.35, abs=0.05)
    ferrite = loss.loss_curve(inp.loc["JX-C8A"], [20.0, -60.0], pc=1.0)
    assert ferrite["cold"] and ferrite["rating_C"] < 0 and ferrite["loss_pct"][1] > 0
