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
