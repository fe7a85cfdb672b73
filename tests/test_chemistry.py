"""pymatgen hand checks: mass fractions, oxide factors, wt% <-> at%."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from magnets.data.chemistry import (
    at_to_wt,
    element_kg_per_kg,
    formula_wt_pct,
    oxide_factor,
    oxide_kg_per_kg,
    wt_to_at,
)


def test_nd2fe14b_is_26_7_wt_pct_nd():
    # 2*144.24 / (2*144.24 + 14*55.845 + 10.81) = 288.48 / 1081.04 = 0.2668 (hand calc)
    assert formula_wt_pct("Nd2Fe14B")["Nd"] == pytest.approx(26.7, abs=0.05)


def test_dy2o3_is_87_1_wt_pct_dy():
    # 2*162.50 / (2*162.50 + 3*15.999) = 325.0 / 373.0 = 0.8713 (hand calc)
    assert 1.0 / oxide_factor("Dy") == pytest.approx(0.8713, abs=1e-4)


@pytest.mark.parametrize(
    ("el", "metal_per_oxide"),
    [
        # derived from atomic masses by hand
        ("Nd", 0.8574),
        ("Pr", 0.8277),
        ("Tb", 0.8502),
        ("Sm", 0.8624),
        ("Gd", 0.8676),
    ],
)
def test_oxide_factors_match_reference(el, metal_per_oxide):
    assert 1.0 / oxide_factor(el) == pytest.approx(metal_per_oxide, abs=2e-4)


def test_srfe12o19_fractions():
    # Sr 87.62, Fe 12*55.845 = 670.14, O 19*15.999 = 303.98; M = 1061.74 -> Sr 8.25 wt%, Fe 63.12 wt%
    w = formula_wt_pct("SrFe12O19")
    assert w["Sr"] == pytest.approx(8.25, abs=0.02)
    assert w["Fe"] == pytest.approx(63.12, abs=0.02)


def test_wt_at_round_trip():
    wt = pd.DataFrame({"Nd": [26.68, 30.0], "Fe": [72.32, 69.0], "B": [1.0, 1.0]})
    at = wt_to_at(wt)
    # Nd2Fe14B is 2/17 = 11.76 at% Nd (stoichiometry)
    assert at.loc[0, "Nd"] == pytest.approx(100 * 2 / 17, abs=0.02)
    np.testing.assert_allclose(at_to_wt(at).to_numpy(), wt.to_numpy(), rtol=1e-12)


def test_element_and_oxide_tables():
    grades = pd.DataFrame({"Dy_wt_pct": [4.0, 0.0], "Nd_wt_pct": [23.0, 30.0]}, index=["a", "b"])
    kg = element_kg_per_kg(grades)
    assert kg.loc["a", "Dy"] == pytest.approx(0.04)
    ox = oxide_kg_per_kg(grades)
    # 0.04 kg Dy -> 0.04 * 1.1477 = 0.04591 kg Dy2O3
    assert ox.loc["a", "Dy2O3"] == pytest.approx(0.04591, abs=1e-5)
    assert ox.loc["b", "Dy2O3"] == 0.0
