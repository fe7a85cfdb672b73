"""Unit conversions, used only at the edges (input parsing and display).

Inside magnets everything is SI-like with the unit in the name: T, kA/m, kJ/m3, degC, kg.
Each function accepts a scalar, an ndarray or a pandas Series and returns the same kind.
"""

from __future__ import annotations

import math

MU0 = 4e-7 * math.pi  # vacuum permeability, H/m (exact enough: the 2019 SI value differs by 1e-10)
#: mu0 in T per (kA/m): B[T] = T_PER_KA_M * H[kA/m]
T_PER_KA_M = MU0 * 1e3

#: 1 Oe = 1000/(4 pi) A/m, so 1 kOe = 79.577 kA/m
KA_M_PER_KOE = 1000.0 / (4.0 * math.pi)
#: 1 MGOe = 1e6 G*Oe = 1e6 * 1e-4 T * 79.577 A/m = 7.9577 kJ/m3
KJ_M3_PER_MGOE = 100.0 / (4.0 * math.pi)
T_PER_KG = 0.1  # 1 kG = 0.1 T
KG_PER_LB = 0.45359237  # international avoirdupois pound (exact by definition)


def koe_to_ka_m(x):
    return x * KA_M_PER_KOE


def ka_m_to_koe(x):
    return x / KA_M_PER_KOE


def mgoe_to_kj_m3(x):
    return x * KJ_M3_PER_MGOE


def kj_m3_to_mgoe(x):
    return x / KJ_M3_PER_MGOE


def kg_to_t(x):
    """kilogauss to tesla"""
    return x * T_PER_KG


def t_to_kgauss(x):
    return x / T_PER_KG


def degf_to_degc(x):
    return (x - 32.0) * 5.0 / 9.0


def degc_to_degf(x):
    return x * 9.0 / 5.0 + 32.0


def g_to_kg(x):
    return x / 1000.0


def lb_to_kg(x):
    return x * KG_PER_LB


MM_PER_INCH = 25.4  # international inch (exact by definition)


def cm_to_mm(x):
    return x * 10.0


def inch_to_mm(x):
    return x * MM_PER_INCH


def bhmax_limit_kj_m3(Br_T):
    """Ideal upper bound of the energy product, Br^2/(4 mu0), in kJ/m3."""
    return Br_T**2 / (4.0 * MU0) / 1000.0
