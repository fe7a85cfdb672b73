"""Permeance coefficient Pc from simple magnet shapes, for engineers without FEA.

An isolated magnet (open circuit, no iron nearby), uniformly magnetised, has at its centre
an internal field H = -N*M, where N is the point demagnetising factor of the shape. For a
linear magnet this gives the load-line slope

    Pc = B/(mu0*|H|) = (1 - N)/N

independent of Br and of mu_rec (the mu_rec terms cancel). N at the centre follows from
the field of the two charged pole faces (surface charge density M):

* axially magnetised cylinder, length L along the axis, diameter D:
      N = 1 - L/sqrt(L^2 + D^2)
* rectangular block, length c along the magnetisation, pole face a x b:
      N = (2/pi) * arctan(a*b / (c*sqrt(a^2 + b^2 + c^2)))

(field of a uniformly charged disc / rectangle on its axis; Joseph & Schloemann,
J. Appl. Phys. 36, 1579 (1965) for the point factors of non-ellipsoidal bodies; checks:
a cube gives N = 1/3 exactly, a cylinder with L = D gives 1 - 1/sqrt(2).)

The centre is where the field is most uniform; catalogue tables that quote "L/D = 0.7,
Pc about 2" use Evershed/Parker neutral-section estimates (Arnold's calculators,
R. J. Parker, Advances in Permanent Magnetism, 1990, pp. 149-154), which come out higher
than the centre-point value (about 1.35 for L/D = 0.7). In a circuit with iron (a motor
rotor) Pc is higher than the isolated value: use FEA or the circuit's air-gap geometry
where you can. Lengths in any consistent unit (mm).
"""

from __future__ import annotations

import numpy as np

SOURCE = (
    "point demagnetising factor of a uniformly magnetised body at its centre (field of the "
    "charged pole faces; Joseph & Schloemann, J. Appl. Phys. 36, 1579, 1965); Pc = (1 - N)/N"
)


def _pos(name: str, x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        from magnets.errors import InputError

        raise InputError(f"expected {name} as a positive length, instead received {x!r}")
    return a


def demag_factor_cylinder(length, diameter):
    """Centre point demagnetising factor of an axially magnetised cylinder."""
    L, D = _pos("length", length), _pos("diameter", diameter)
    return 1.0 - L / np.sqrt(L * L + D * D)


def demag_factor_block(length, width, height):
    """Centre point demagnetising factor of a block magnetised along ``length``."""
    c, a, b = _pos("length", length), _pos("width", width), _pos("height", height)
    return (2.0 / np.pi) * np.arctan(a * b / (c * np.sqrt(a * a + b * b + c * c)))


def pc_from_n(N):
    """Pc = (1 - N)/N."""
    N = np.asarray(N, dtype=float)
    return (1.0 - N) / N


def pc_cylinder(length, diameter):
    """Open-circuit Pc at the centre of an axially magnetised cylinder (length along the axis)."""
    return pc_from_n(demag_factor_cylinder(length, diameter))


def pc_block(length, width, height):
    """Open-circuit Pc at the centre of a block magnetised along ``length`` (pole face width x height)."""
    return pc_from_n(demag_factor_block(length, width, height))
