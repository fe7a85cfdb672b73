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
where you can, or the circuit form below. Lengths in any consistent unit (mm).

Magnet in a circuit (iron yoke or rotor, one air gap), MMPA PMG-88 (Parker): with the
leakage factor sigma = total magnet flux / gap flux (>= 1) and the reluctance factor
f = magnet MMF / gap MMF (>= 1, the iron's share of the MMF), flux Bd*Am = sigma*Bg*Ag and
MMF Hd*Lm = f*Hg*Lg with Bg = mu0*Hg in the gap give

    Pc = Bd/(mu0*Hd) = (Lm/Lg) * (Ag/Am) * (sigma/f)

For a slotted stator the gap is lengthened by Carter's coefficient (carter1900, as
restated in krause2013-carter): k_C = tau/(tau - gamma*g), gamma = (4/pi)*(u*atan(u) -
ln(sqrt(1 + u^2))), u = b0/(2*g), with b0 the slot opening, tau the slot pitch, g the gap.
No sourced closed form was found for ring or arc-segment magnets in a circuit (radially or
parallel magnetised rotor arcs): use FEA, or this form with the arc's mean length and area.
"""

from __future__ import annotations

import numpy as np

SOURCE = (
    "point demagnetising factor of a uniformly magnetised body at its centre (field of the "
    "charged pole faces; Joseph & Schloemann, J. Appl. Phys. 36, 1579, 1965); Pc = (1 - N)/N"
)


CIRCUIT_SOURCE = (
    "magnet in a circuit: Pc = (Lm/Lg)*(Ag/Am)*(sigma/f), sigma = leakage factor, "
    "f = reluctance factor (MMPA PMG-88, R. J. Parker)"
)
CARTER_SOURCE = (
    "Carter's coefficient k_C = tau/(tau - gamma*g), gamma = (4/pi)*(u*atan(u) - ln sqrt(1+u^2)), "
    "u = b0/(2g) (Carter 1900; Krause et al. 2013, App. B)"
)
#: Largest ratio of two dimensions taken as a real magnet or circuit (a 1000:1 needle or
#: foil is already beyond anything pressed and magnetised); beyond it the input is a typo.
MAX_RATIO = 1e3
#: Largest leakage or reluctance factor accepted (practical circuits: about 1-5).
MAX_FACTOR = 100.0


def _err(message: str):
    from magnets.errors import InputError

    return InputError(message)


def _pos(name: str, x, what: str = "length") -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise _err(f"expected {name} as a positive {what}, instead received {x!r}")
    return a


def _ratio(name: str, num, den) -> np.ndarray:
    """num/den, refused outside [1/MAX_RATIO, MAX_RATIO] (a typo, not a magnet)."""
    r = num / den
    if np.any(r > MAX_RATIO) or np.any(r < 1.0 / MAX_RATIO):
        raise _err(
            f"expected {name} between {1 / MAX_RATIO:g} and {MAX_RATIO:g}, instead received "
            f"{np.asarray(r).tolist()!r} (check the units and the order of the dimensions)"
        )
    return r


def _factor(name: str, x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a < 1.0) or np.any(a > MAX_FACTOR):
        raise _err(f"expected {name} between 1 and {MAX_FACTOR:g}, instead received {x!r}")
    return a


def demag_factor_cylinder(length, diameter):
    """Centre point demagnetising factor of an axially magnetised cylinder.

    N = 1 - L/R with R = sqrt(L^2 + D^2), computed as D^2/(R*(R + L)) so that a long,
    thin rod keeps its small N instead of rounding to 0.
    """
    L, D = _pos("length", length), _pos("diameter", diameter)
    _ratio("length/diameter", L, D)
    R = np.hypot(L, D)
    return D * D / (R * (R + L))


def _block_atan(length, width, height):
    c, a, b = _pos("length", length), _pos("width", width), _pos("height", height)
    for name, x, y in (("length/width", c, a), ("length/height", c, b), ("width/height", a, b)):
        _ratio(name, x, y)
    return a * b / (c * np.sqrt(a * a + b * b + c * c))


def demag_factor_block(length, width, height):
    """Centre point demagnetising factor of a block magnetised along ``length``."""
    return (2.0 / np.pi) * np.arctan(_block_atan(length, width, height))


def pc_from_n(N):
    """Pc = (1 - N)/N."""
    N = np.asarray(N, dtype=float)
    return (1.0 - N) / N


def pc_cylinder(length, diameter):
    """Open-circuit Pc at the centre of an axially magnetised cylinder (length along the axis).

    Pc = (1 - N)/N = L*(R + L)/D^2 with R = sqrt(L^2 + D^2) (no cancellation for any L/D).
    """
    L, D = _pos("length", length), _pos("diameter", diameter)
    _ratio("length/diameter", L, D)
    return L * (np.hypot(L, D) + L) / (D * D)


def pc_block(length, width, height):
    """Open-circuit Pc at the centre of a block magnetised along ``length`` (pole face a x b).

    With x = a*b/(c*sqrt(a^2+b^2+c^2)), N = (2/pi)*atan(x) and 1 - N = (2/pi)*atan(1/x), so
    Pc = atan(1/x)/atan(x), exact for thin plates as well as long bars.
    """
    x = _block_atan(length, width, height)
    return np.arctan(1.0 / x) / np.arctan(x)


def carter_coefficient(slot_opening, slot_pitch, gap):
    """Carter's coefficient k_C >= 1 of a slotted stator facing a smooth rotor.

    Parameters
    ----------
    slot_opening : b0, width of the slot mouth; slot_pitch : tau > b0; gap : g, the radial gap
        the slot sees (for a surface magnet g + Lm/mu_rec is the magnetic gap; using the
        mechanical gap alone gives a larger k_C and so a lower, conservative Pc).

    Notes
    -----
    k_C = tau/(tau - gamma*g), gamma = (4/pi)*(u*atan(u) - ln(sqrt(1 + u^2))), u = b0/(2g)
    (carter1900; krause2013-carter). gamma*g < b0 < tau, so k_C is finite.
    """
    b0, tau, g = (
        _pos("slot opening", slot_opening),
        _pos("slot pitch", slot_pitch),
        _pos("gap", gap),
    )
    if np.any(b0 >= tau):
        raise _err(
            f"expected the slot opening below the slot pitch, instead received opening "
            f"{np.asarray(b0).tolist()!r} and pitch {np.asarray(tau).tolist()!r}"
        )
    _ratio("slot opening/gap", b0, g)
    u = b0 / (2.0 * g)
    gamma = (4.0 / np.pi) * (u * np.arctan(u) - 0.5 * np.log1p(u * u))
    return tau / (tau - gamma * g)


def pc_circuit(
    magnet_length,
    gap,
    magnet_area,
    gap_area,
    leakage_factor=1.0,
    reluctance_factor=1.0,
):
    """Pc of a magnet in an iron circuit with one air gap (MMPA PMG-88).

    Parameters
    ----------
    magnet_length : Lm, along the magnetisation; gap : Lg, the air gap (Carter-corrected
        where the stator is slotted: multiply by :func:`carter_coefficient`), same unit.
    magnet_area, gap_area : Am (pole face) and Ag (gap cross-section), same unit squared.
    leakage_factor : sigma >= 1, total magnet flux over gap flux.
    reluctance_factor : f >= 1, magnet MMF over gap MMF.

    Returns
    -------
    Pc = (Lm/Lg)*(Ag/Am)*(sigma/f), shaped like the broadcast inputs.
    """
    Lm, Lg = _pos("magnet length", magnet_length), _pos("gap", gap)
    Am, Ag = _pos("magnet area", magnet_area, "area"), _pos("gap area", gap_area, "area")
    s = _factor("leakage factor", leakage_factor)
    f = _factor("reluctance factor", reluctance_factor)
    return _ratio("magnet length/gap", Lm, Lg) * _ratio("gap area/magnet area", Ag, Am) * s / f


def hd_from_ampere_turns(ampere_turns, magnet_length_mm):
    """Applied field Hd = N*I/Lm in kA/m from the armature ampere-turns (A) and Lm in mm.

    N*I [A] / (Lm [mm] * 1e-3 m/mm) = 1e3*N*I/Lm A/m = N*I/Lm kA/m.
    """
    NI = np.asarray(ampere_turns, dtype=float)
    if np.any(~np.isfinite(NI)):
        raise _err(f"expected finite ampere-turns, instead received {ampere_turns!r}")
    return NI / _pos("magnet length", magnet_length_mm)
