"""Tests of magnets.physics.thermal: hand calculations, brute-force scans and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magnets.physics import thermal

MU0 = 4e-7 * math.pi


# ----------------------------------------------------------------------------- hand calcs
def test_br_and_hcj_linear_hand_calc():
    # Br(100) = 1.2*(1 - 0.0012*80) = 1.2*0.904 = 1.0848 T
    assert thermal.br_at(1.2, -0.12, 100.0) == pytest.approx(1.0848)
    # HcJ(100) = 955*(1 - 0.0075*80) = 955*0.4 = 382 kA/m
    assert thermal.hcj_at(955.0, -0.75, 100.0) == pytest.approx(382.0)
    # above Curie nothing holds
    assert thermal.br_at(1.2, -0.12, 320.0, curie_C=310.0) == 0.0
    assert thermal.hcj_at(955.0, -0.75, 320.0, curie_C=310.0) == 0.0
    # linear extrapolation past zero is clipped: 1 - 0.0075*200 < 0
    assert thermal.hcj_at(955.0, -0.75, 220.0) == 0.0


def test_quadratic_term_hand_calc():
    # HcJ(120) = 1000*(1 - 0.006*100 + 0.00001*100^2) = 1000*(1 - 0.6 + 0.1) = 500
    assert thermal.hcj_at(1000.0, -0.6, 120.0, beta2_pct_per_K2=0.001) == pytest.approx(500.0)


def test_operating_point_hand_calc():
    # Br/mu0 = 1.2/(4e-7*pi) A/m = 954.93 kA/m; |H| = 954.93/(2 + 1.05) = 313.09 kA/m
    # B = 1.2*2/(2+1.05) = 0.78689 T (load line at Hd = 0: Bd = Br*Pc/(Pc+mu_rec))
    H, B = thermal.operating_point(1.2, 2.0)
    assert pytest.approx(313.0917, rel=1e-5) == H
    assert pytest.approx(0.786885, rel=1e-5) == B
    # with Hd = 300 kA/m: |H| = (954.93 + 2*300)/3.05 = 1554.93/3.05 = 509.813; the magnet sees 2/3.05 of Hd
    H2, B2 = thermal.operating_point(1.2, 2.0, 300.0)
    assert pytest.approx(300.0 * 2.0 / 3.05) == H2 - H
    assert pytest.approx(509.813, rel=1e-5) == H2
    # the point is on the load line B = Pc*mu0*(|H| - Hd)
    assert pytest.approx(2.0 * MU0 * 1e3 * (H2 - 300.0)) == B2


def test_rated_temperature_hand_calc_arnold_n35_like():
    # Br0 1.2 T, HcJ0 955 kA/m (N class min), alpha -0.12, beta -0.75 (Arnold), Pc 1, s 0.9, mu 1.05
    # K = 2.05; Br/(mu0 K) = 954.93/2.05 = 465.82 kA/m
    # m0 = 0.9*955 - 465.82 = 393.68;  m1 = 0.9*955*(-0.0075) - 465.82*(-0.0012) = -5.88727
    # dT = 393.68/5.88727 = 66.87 K  ->  t_max = 86.87 degC
    r = thermal.rated_temperature(1.2, 955.0, -0.12, -0.75, pc=1.0)
    assert r.t_max_C == pytest.approx(86.87, abs=0.01)
    assert r.limited_by == "knee"
    # at t_max the working point sits exactly on the knee: |H_op| = 0.9*HcJ(t_max)
    assert r.H_op_kA_m == pytest.approx(0.9 * thermal.hcj_at(955.0, -0.75, r.t_max_C), rel=1e-9)


def test_rated_temperature_caps_and_unsafe():
    # SmCo-like: knee far above; Curie 800 but structural 350 -> structural wins
    r = thermal.rated_temperature(
        1.0, 2000.0, -0.035, -0.2, pc=2.0, curie_C=800.0, structural_C=350.0
    )
    assert r.limited_by == "structural" and r.t_max_C == 350.0
    # Curie lower than knee and structural
    r = thermal.rated_temperature(1.0, 2000.0, -0.035, -0.2, pc=2.0, curie_C=300.0)
    assert r.limited_by == "curie" and r.t_max_C == 300.0
    # unsafe at T0: Hd so large that |H_op| > s*HcJ already at 20 degC -> NaN, op point at T0
    r = thermal.rated_temperature(1.2, 955.0, -0.12, -0.75, pc=1.0, hd_kA_m=2000.0)
    assert math.isnan(r.t_max_C) and r.limited_by == "unsafe"
    H0, B0 = thermal.operating_point(1.2, 1.0, 2000.0)
    assert r.H_op_kA_m == pytest.approx(H0) and r.B_op_T == pytest.approx(B0)


def test_ferrite_knee_never_binds_but_cold_end_fails():
    # Y30BH-like ferrite: Br 0.38 T, HcJ 231 kA/m min, alpha -0.2, beta +0.3 (ferrite's positive beta +0.2..+0.5 [jingxin-ferrite])
    # margin slope m1 = s*HcJ*b - Br*a/(mu0 K) > 0: knee never binds going up -> structural 250
    r = thermal.rated_temperature(
        0.38, 231.0, -0.2, 0.3, pc=1.0, squareness=0.9, curie_C=460.0, structural_C=250.0
    )
    assert r.limited_by == "structural"
    # at -40 degC, Pc 0.5: HcJ = 231*(1 - 0.003*60) = 189.4; Hk = 170.5;
    # Br = 0.38*(1 + 0.002*60) = 0.4256 T -> 338.7 kA/m/(0.5 + 1.05) = 218.5 > 170.5: fails
    assert not thermal.holds_cold(0.38, 231.0, -0.2, 0.3, pc=0.5, cold_C=-40.0)
    # NdFeB gets stronger in the cold
    assert thermal.holds_cold(1.2, 955.0, -0.12, -0.75, pc=1.0, cold_C=-40.0)


# ----------------------------------------------------------------------------- input kinds
def test_scalar_array_series_in_same_kind_out():
    s = thermal.rated_temperature(1.2, 955.0, -0.12, -0.75, pc=1.0)
    assert isinstance(s.t_max_C, float) and isinstance(s.limited_by, str)
    a = thermal.rated_temperature(
        np.array([1.2, 1.2]), 955.0, -0.12, -0.75, pc=np.array([1.0, 2.0])
    )
    assert isinstance(a.t_max_C, np.ndarray) and a.t_max_C.shape == (2,)
    idx = pd.Index(["x", "y"])
    ser = thermal.rated_temperature(
        pd.Series([1.2, 1.2], index=idx), 955.0, -0.12, -0.75, pc=pd.Series([1.0, 2.0], index=idx)
    )
    assert isinstance(ser.t_max_C, pd.Series) and list(ser.t_max_C.index) == ["x", "y"]
    np.testing.assert_allclose(ser.t_max_C.to_numpy(), a.t_max_C)
    assert a.t_max_C[0] == pytest.approx(s.t_max_C)
    # grades x conditions by broadcasting: (3,1) x (1,4) -> (3,4)
    g = thermal.rated_temperature(
        np.array([[1.2], [1.3], [1.25]]),
        np.array([[955.0], [1353], [1592]]),
        -0.12,
        np.array([[-0.75], [-0.605], [-0.5]]),
        pc=np.array([[0.5, 1.0, 2.0, 4.0]]),
    )
    assert g.t_max_C.shape == (3, 4) and g.limited_by.shape == (3, 4)


# ----------------------------------------------------------------------------- brute force
def _scan(br0, h0, a, b, pc, hd, mu, s, curie, structural, a2=0.0, b2=0.0, step=0.01):
    """Plain scan upward from T0 = 20 in `step` K: last temperature with margin >= 0."""
    temps = np.arange(20.0, 1000.0, step)
    m = thermal.knee_margin(
        br0, h0, a, b, temps, pc=pc, hd_kA_m=hd, mu_rec=mu, squareness=s, alpha2=a2, beta2=b2
    )
    if m[0] < 0:
        return math.nan
    bad = np.nonzero(m < 0)[0]
    t_knee = temps[bad[0] - 1] if bad.size else math.inf
    return min(t_knee, curie, structural)


@pytest.mark.parametrize(
    "br0,h0,a,b,pc,hd,a2,b2",
    [
        (1.2, 955.0, -0.12, -0.75, 1.0, 0.0, 0.0, 0.0),
        (1.3, 1592.0, -0.11, -0.5, 2.0, 150.0, 0.0, 0.0),
        (1.25, 2387.0, -0.105, -0.45, 0.7, 400.0, 0.0, 0.0),
        (1.1, 1990.0, -0.11, -0.55, 3.0, 0.0, -1e-4, 5e-4),
        (1.32, 1353.0, -0.12, -0.605, 1.5, 50.0, 0.0, 1e-3),
    ],
)
def test_closed_form_equals_brute_force_scan(br0, h0, a, b, pc, hd, a2, b2):
    r = thermal.rated_temperature(
        br0, h0, a, b, pc=pc, hd_kA_m=hd, curie_C=330.0, alpha2=a2, beta2=b2
    )
    scan = _scan(br0, h0, a, b, pc, hd, 1.05, 0.9, 330.0, math.inf, a2, b2)
    assert r.t_max_C == pytest.approx(scan, abs=0.011)


@settings(max_examples=200, deadline=None)
@given(
    br0=st.floats(0.3, 1.5),
    h0=st.floats(150.0, 3000.0),
    a=st.floats(-0.2, 0.0),
    b=st.floats(-0.8, 0.4),
    pc=st.floats(0.2, 6.0),
    hd=st.floats(0.0, 800.0),
)
def test_closed_form_equals_scan_property(br0, h0, a, b, pc, hd):
    r = thermal.rated_temperature(
        br0, h0, a, b, pc=pc, hd_kA_m=hd, curie_C=400.0, structural_C=350.0
    )
    scan = _scan(br0, h0, a, b, pc, hd, 1.05, 0.9, 400.0, 350.0, step=0.05)
    if math.isnan(scan):
        assert math.isnan(r.t_max_C)
    else:
        assert r.t_max_C == pytest.approx(scan, abs=0.06)


# ----------------------------------------------------------------------------- properties
_mag = {
    "br0": st.floats(0.3, 1.5),
    "h0": st.floats(150.0, 3000.0),
    "a": st.floats(-0.2, 0.0),
    "b": st.floats(-0.8, -0.05),
    "pc": st.floats(0.2, 6.0),
}


def _t(x):  # NaN (unsafe) ranks lowest
    return -math.inf if math.isnan(x) else x


@settings(max_examples=200, deadline=None)
@given(**_mag, hd1=st.floats(0.0, 1000.0), dh=st.floats(0.0, 500.0))
def test_t_max_never_rises_with_hd(br0, h0, a, b, pc, hd1, dh):
    r1 = thermal.rated_temperature(br0, h0, a, b, pc=pc, hd_kA_m=hd1, curie_C=330.0)
    r2 = thermal.rated_temperature(br0, h0, a, b, pc=pc, hd_kA_m=hd1 + dh, curie_C=330.0)
    assert _t(r2.t_max_C) <= _t(r1.t_max_C) + 1e-9


@settings(max_examples=200, deadline=None)
@given(**_mag, hd=st.floats(0.0, 1000.0), dh0=st.floats(0.0, 1500.0))
def test_t_max_never_falls_with_hcj(br0, h0, a, b, pc, hd, dh0):
    r1 = thermal.rated_temperature(br0, h0, a, b, pc=pc, hd_kA_m=hd, curie_C=330.0)
    r2 = thermal.rated_temperature(br0, h0 + dh0, a, b, pc=pc, hd_kA_m=hd, curie_C=330.0)
    assert _t(r2.t_max_C) >= _t(r1.t_max_C) - 1e-9


@settings(max_examples=200, deadline=None)
@given(**_mag, dpc=st.floats(0.0, 5.0))
def test_t_max_never_falls_with_pc_when_hd_zero(br0, h0, a, b, pc, dpc):
    r1 = thermal.rated_temperature(br0, h0, a, b, pc=pc, curie_C=330.0)
    r2 = thermal.rated_temperature(br0, h0, a, b, pc=pc + dpc, curie_C=330.0)
    assert _t(r2.t_max_C) >= _t(r1.t_max_C) - 1e-9


def test_higher_pc_can_lower_rating_with_large_hd():
    # d|H_op|/dPc has the sign of mu_rec*Hd - Br/mu0: with Hd = 1500 > 954.9/1.05, raising Pc hurts
    r1 = thermal.rated_temperature(1.2, 2387.0, -0.11, -0.45, pc=1.0, hd_kA_m=1500.0)
    r2 = thermal.rated_temperature(1.2, 2387.0, -0.11, -0.45, pc=3.0, hd_kA_m=1500.0)
    assert r2.t_max_C < r1.t_max_C


# ----------------------------------------------------------------------------- curves
def test_demag_curves_knee_and_ends():
    c = thermal.demag_curves(1.2, 955.0, None, 1.05, 0.9, 20.0, n_points=2001)
    H, B, J = c
    assert H.shape == (2001,) and H[0] == 0.0 and H[-1] == pytest.approx(-955.0)
    assert J[0] == pytest.approx(1.2) and B[0] == pytest.approx(1.2)
    assert J[-1] == pytest.approx(0.0, abs=1e-9)  # J = 0 at -HcJ
    # J at the knee Hk = 0.9*HcJ = 859.5 kA/m has fallen to 90 % of Br (definition of squareness)
    assert np.interp(859.5, -H, J) == pytest.approx(0.9 * 1.2, rel=2e-3)
    # B = J + mu0*H (H negative)
    np.testing.assert_allclose(B, J + MU0 * 1e3 * H)
    # several temperatures at once: trailing axis of points
    c2 = thermal.demag_curves(
        1.2,
        955.0,
        900.0,
        temp_C=np.array([20.0, 80.0, 120.0]),
        alpha=-0.12,
        beta=-0.75,
        n_points=50,
    )
    assert c2.J_T.shape == (3, 50)
    assert np.max(c2.J_T[1]) == pytest.approx(1.2 * (1 - 0.0012 * 60))  # Br(80)
    assert not np.isnan(c2.B_T).any()
    # at 120 degC HcJ = 955*(1 - 0.75) = 238.75 < HcB(120) = 900*0.88 = 792: the axis reaches -792, J = 0 past HcJ
    assert c2.H_kA_m[2, -1] == pytest.approx(-792.0)
    assert np.all(c2.J_T[2][-c2.H_kA_m[2] > 238.75 + 1e-9] == 0.0)


def test_hd_from_internal_field_round_trip():
    H, _ = thermal.operating_point(1.1, 1.7, 240.0)
    assert thermal.hd_from_internal_field(H, 1.1, 1.7) == pytest.approx(240.0)
