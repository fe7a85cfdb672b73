"""Pc from shape: closed forms checked against known demagnetising factors and a numeric integral."""

from __future__ import annotations

import math

import numpy as np
import pytest

from magnets.errors import InputError
from magnets.physics import geometry


def test_cube_centre_factor_is_one_third():
    # by symmetry the three centre factors of a cube are equal and sum to 1
    assert geometry.demag_factor_block(3.0, 3.0, 3.0) == pytest.approx(1.0 / 3.0)
    assert geometry.pc_block(3.0, 3.0, 3.0) == pytest.approx(2.0)


def test_cylinder_hand_calcs():
    # L = D: N = 1 - 1/sqrt(2) = 0.29289; Pc = 0.70711/0.29289 = 2.4142
    assert geometry.demag_factor_cylinder(10.0, 10.0) == pytest.approx(1 - 1 / math.sqrt(2))
    assert geometry.pc_cylinder(10.0, 10.0) == pytest.approx(1 + math.sqrt(2))
    # thin disc L/D = 0.1: N = 1 - 0.1/sqrt(1.01) = 0.90050; Pc = 0.1105
    assert geometry.pc_cylinder(1.0, 10.0) == pytest.approx(0.0995037 / 0.9004963, rel=1e-6)
    # Pc rises with L/D (vectorised)
    pc = geometry.pc_cylinder(np.array([1.0, 5.0, 10.0, 40.0]), 10.0)
    assert np.all(np.diff(pc) > 0)


def test_block_factor_equals_numeric_integral_of_face_charges():
    # field at the centre from two uniformly charged faces a x b at +-c/2, integrated numerically
    a, b, c = 20.0, 10.0, 5.0
    n = 400
    x = (np.arange(n) + 0.5) / n * a - a / 2
    y = (np.arange(n) + 0.5) / n * b - b / 2
    X, Y = np.meshgrid(x, y, indexing="ij")
    z = c / 2
    # H_z of a surface charge sigma = M: dA * z / (4 pi r^3); two faces add
    h = 2 * np.sum(z / (4 * np.pi * (X**2 + Y**2 + z**2) ** 1.5)) * (a / n) * (b / n)
    assert geometry.demag_factor_block(c, a, b) == pytest.approx(h, rel=1e-4)


def test_bad_dimensions():
    with pytest.raises(InputError, match="positive"):
        geometry.pc_cylinder(0.0, 5.0)
    with pytest.raises(InputError, match="positive"):
        geometry.pc_block(5.0, -1.0, 2.0)


# ----------------------------------------------------------------------------- thin and thick shapes
def test_needle_and_foil_keep_their_pc_without_cancellation():
    # L/D = 1000: N = D^2/(R*(R+L)) with R = sqrt(1e6 + 1) = 1000.0005 -> N = 1/2000001 = 5.0e-7,
    # Pc = L*(R + L)/D^2 = 1000*2000.0005 = 2.0000005e6 (the old 1 - L/R form rounds N and so Pc badly)
    assert geometry.demag_factor_cylinder(1000.0, 1.0) == pytest.approx(1.0 / 2000000.5, rel=1e-9)
    assert geometry.pc_cylinder(1000.0, 1.0) == pytest.approx(2000000.5, rel=1e-9)
    # foil 1 x 1000 x 1000: x = 1e6/(1*sqrt(2e6 + 1)) = 707.106; Pc = atan(1/x)/atan(x)
    # = 1.41421e-3/(pi/2 - 1.41421e-3) = 9.0113e-4 (not 0)
    assert geometry.pc_block(1.0, 1000.0, 1000.0) == pytest.approx(9.0113e-4, rel=1e-4)
    # the stable forms agree with (1 - N)/N where that is well conditioned
    assert geometry.pc_block(5.0, 20.0, 10.0) == pytest.approx(
        geometry.pc_from_n(geometry.demag_factor_block(5.0, 20.0, 10.0)), rel=1e-12
    )
    assert geometry.pc_cylinder(7.0, 10.0) == pytest.approx(
        geometry.pc_from_n(geometry.demag_factor_cylinder(7.0, 10.0)), rel=1e-12
    )


def test_absurd_aspect_ratio_is_refused():
    with pytest.raises(InputError, match=r"length/diameter between 0\.001 and 1000"):
        geometry.pc_cylinder(1e6, 1e-3)
    with pytest.raises(InputError, match="length/width"):
        geometry.pc_block(1e-6, 1e3, 1e3)


# ----------------------------------------------------------------------------- circuit
def test_circuit_pc_reference_values():
    # No published worked example with inputs and result was found; these are values derived by hand:
    # Pc = (Lm/Lg)(Ag/Am)(sigma/f) = (5/1)*(1)*(1.2/1.1) = 6/1.1 = 5.454545 (MMPA PMG-88 relation)
    assert geometry.pc_circuit(5.0, 1.0, 100.0, 100.0, 1.2, 1.1) == pytest.approx(5.4545, rel=0.02)
    assert geometry.pc_circuit(5.0, 1.0, 100.0, 100.0, 1.2, 1.1) == pytest.approx(
        6 / 1.1, rel=1e-12
    )
    # defaults sigma = f = 1; a flux-concentrating gap area Ag/Am = 0.5 halves Pc: 5*0.5 = 2.5
    assert geometry.pc_circuit(5.0, 1.0, 200.0, 100.0) == pytest.approx(2.5)
    # vectorised
    np.testing.assert_allclose(geometry.pc_circuit(np.array([2.0, 4.0]), 1.0, 1.0, 1.0), [2.0, 4.0])


def test_carter_coefficient_reference_values():
    # b0 = 3, g = 1, tau = 15: u = 1.5, gamma = (4/pi)*(1.5*atan(1.5) - ln sqrt(3.25))
    # = (4/pi)*(1.5*0.982794 - 0.589327) = (4/pi)*0.884864 = 1.126643;
    # k_C = 15/(15 - 1.126643) = 1.081209
    assert geometry.carter_coefficient(3.0, 15.0, 1.0) == pytest.approx(1.081209, rel=1e-6)
    # cross-check: Langsdorff's approximation kappa = (b0/g)/(5 + b0/g) = 3/8,
    # k_C = 15/(15 - 0.375*3) = 1.081081, within 0.02 % of the exact form
    assert geometry.carter_coefficient(3.0, 15.0, 1.0) == pytest.approx(
        15 / (15 - 3 / 8 * 3), rel=2e-4
    )
    # Carter-corrected circuit: Lg = 1.081209 mm -> Pc = 5.454545/1.081209 = 5.044857
    kc = geometry.carter_coefficient(3.0, 15.0, 1.0)
    assert geometry.pc_circuit(5.0, kc, 1.0, 1.0, 1.2, 1.1) == pytest.approx(5.0448, rel=0.02)
    assert geometry.pc_circuit(5.0, kc, 1.0, 1.0, 1.2, 1.1) == pytest.approx(5.044857, rel=1e-6)
    # a vanishing slot opening leaves the gap alone: k_C -> 1
    assert geometry.carter_coefficient(1e-3, 15.0, 1.0) == pytest.approx(1.0, abs=1e-6)


def test_hd_from_ampere_turns_hand_calc():
    # N*I = 600 A over Lm = 4 mm: 600/0.004 = 150000 A/m = 150 kA/m
    assert geometry.hd_from_ampere_turns(600.0, 4.0) == pytest.approx(150.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gap": 0.0}, "gap as a positive length"),
        ({"magnet_length": -5.0}, "magnet length as a positive length"),
        ({"gap_area": float("inf")}, "gap area as a positive area"),
        ({"gap": 1e-9}, "magnet length/gap between"),
        ({"gap_area": 1e9}, "gap area/magnet area between"),
        ({"leakage_factor": 0.8}, "leakage factor between 1 and 100"),
        ({"reluctance_factor": float("nan")}, "reluctance factor between 1 and 100"),
    ],
)
def test_circuit_nonsense_dimensions(kwargs, match):
    base = {"magnet_length": 5.0, "gap": 1.0, "magnet_area": 100.0, "gap_area": 100.0}
    with pytest.raises(InputError, match=match):
        geometry.pc_circuit(**{**base, **kwargs})


def test_carter_slot_wider_than_its_pitch():
    with pytest.raises(InputError, match="slot opening below the slot pitch"):
        geometry.carter_coefficient(16.0, 15.0, 1.0)
