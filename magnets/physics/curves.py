"""Second-quadrant demagnetisation curves at a temperature, for plots and the loss model.

The shape model and its units are described in :func:`demag_curves`; temperature dependence
comes from :mod:`magnets.physics.thermal` (``br_at``, ``hcj_at``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from magnets.physics.thermal import _arr, br_at, hcj_at
from magnets.units import T_PER_KA_M as _T_PER_KA_M  # B[T] = _T_PER_KA_M * H[kA/m]

__all__ = ["DemagCurves", "demag_curves"]


class DemagCurves(NamedTuple):
    """Second-quadrant curves: H_kA_m (<= 0), B_T (normal), J_T (intrinsic), shape (..., n)."""

    H_kA_m: np.ndarray
    B_T: np.ndarray
    J_T: np.ndarray


def demag_curves(
    Br_T,
    HcJ_kA_m,
    HcB_kA_m=None,
    mu_rec=1.05,
    squareness=0.9,
    temp_C=20.0,
    *,
    alpha=0.0,
    beta=0.0,
    T0_C=20.0,
    curie_C=None,
    n_points=201,
) -> DemagCurves:
    """Second-quadrant demagnetisation curves at a temperature, for plots.

    Parameters
    ----------
    Br_T, HcJ_kA_m : values at T0 (the function moves them to temp_C with alpha, beta).
    HcB_kA_m : datasheet normal coercivity at T0 (optional); the H axis is extended to
        cover it (scaled with alpha) so the plotted normal curve can be compared with it;
        past HcJ(T) the intrinsic curve is drawn at J = 0.
    mu_rec, squareness : recoil permeability and Hk/HcJ.
    temp_C : temperature(s) of the curves. Inputs broadcast; a trailing axis of n_points.

    Returns
    -------
    DemagCurves(H_kA_m, B_T, J_T): H from 0 down to -max(HcJ(T), HcB(T)) (second quadrant,
    negative), arrays of shape broadcast(inputs) + (n_points,), no NaN.

    Notes
    -----
    J(H) = Jlin(|H|) * (1 - (|H|/HcJ)^n), with Jlin = Br - mu0*(mu_rec - 1)*|H| the
    reversible part; the exponent n is set so J(Hk) = 0.9*Br, i.e. the knee sits at
    Hk = s*HcJ by the definition of squareness; J(HcJ) = 0. B = J - mu0*|H|.
    A shape model for display, not a measured curve.
    """
    br = _arr(br_at(_arr(Br_T), _arr(alpha), _arr(temp_C), _arr(T0_C), curie_C))
    hcj = _arr(hcj_at(_arr(HcJ_kA_m), _arr(beta), _arr(temp_C), _arr(T0_C), curie_C))
    br, hcj, mr, s = np.broadcast_arrays(br, hcj, _arr(mu_rec), _arr(squareness))
    hmax = hcj
    if HcB_kA_m is not None:
        f = _arr(br_at(1.0, _arr(alpha), _arr(temp_C), _arr(T0_C), curie_C))
        hcb = np.nan_to_num(_arr(HcB_kA_m) * f)
        hmax = np.maximum(hmax, hcb)
    frac = np.linspace(0.0, 1.0, int(n_points))
    x = hmax[..., None] * frac  # |H|, kA/m
    jlin = br[..., None] - _T_PER_KA_M * (mr[..., None] - 1.0) * x
    with np.errstate(divide="ignore", invalid="ignore"):
        hk = s * hcj
        jlin_k = br - _T_PER_KA_M * (mr - 1.0) * hk
        q = np.clip(0.9 * br / jlin_k, 0.0, 0.999)
        n = np.log1p(-q) / np.log(np.clip(s, 1e-6, 0.999999))
        u = np.clip(x / hcj[..., None], 0.0, 1.0)
        shape = 1.0 - u ** n[..., None]
    J = np.where(hcj[..., None] > 0, jlin * shape, 0.0)
    # beyond HcJ the shape factor is 0: J is drawn at 0 (the reversed state is not modelled)
    B = J - _T_PER_KA_M * x
    return DemagCurves(-x, B, J)
