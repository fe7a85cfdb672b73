"""Bulk Dy coefficient refitted on independent anchors, and the Dy a bulk grade needs.

The coercivity model's bulk coefficient (:mod:`magnets.physics.coercivity`) is fitted to the
library's class estimates, so inverting it would return those estimates. Here the coefficient
comes from anchors that do not depend on the library:

- the Dy-free base: the N-class minimum HcJ of 12 kOe printed by the grade tables
  [kj-specs] [arnold-ndfeb];
- a measured alloy: (Nd0.8Dy0.2)-Fe-B, about 7.4 wt% Dy (20 at% of the rare earths, derived
  with the atomic masses), HcJ 27.1 kOe [isc-ndfeb-260]: k = (27.1 - 12) / 7.4 kOe per wt%;
- a case study: conventional H-grade blanks (HcJ 17 kOe class minimum) "require 3 % or more"
  Dy or Tb [mainrich-case]: k <= (17 - 12) / 3 kOe per wt%.

The two bound the coefficient: the measured alloy gives the high end (least Dy per grade),
the case study the low end (most Dy). A grade's low/high Dy bound follows from that spread.

Diffusion (grain-boundary, GBD): the one Tb run with a stated amount, 0.35 wt% Tb lifting N45H
17.67 -> 26.55 kOe [mainrich-gbd], gives the efficiency 8.88 / 0.35 kOe per wt% and the lowest
saturated gain; two runs without a stated amount saturate at +9.13 kOe [jmmm2017-tbf3] and
+9.58 kOe [kim2019-tb-gbd]. The saturated gain (cap) therefore lies in 8.88-9.58 kOe; what a
grade needs beyond it comes from substrate Dy at the bulk coefficient. Dy diffusion takes half
of Tb's efficiency and cap (rule of thumb, unsourced, as in :mod:`magnets.physics.coercivity`).
Pure, vectorised functions; kOe in, wt% out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Dy-free sintered NdFeB base, kOe: N-class minimum HcJ [kj-specs] [arnold-ndfeb].
H_BASE_KOE = 12.0
#: Measured alloy [isc-ndfeb-260]: (Dy wt%, HcJ kOe).
ALLOY_ANCHOR = (7.4, 27.1)
#: Case study [mainrich-case]: H-class blanks (17 kOe minimum) need >= 3 wt% Dy or Tb.
CASE_ANCHOR = (3.0, 17.0)
#: Tb-GBD run with a stated amount [mainrich-gbd]: (Tb wt%, HcJ gain kOe), N45H 17.67 -> 26.55.
TB_RUN = (0.35, 26.55 - 17.67)
#: Saturated Tb-GBD gains, kOe: 12.57 -> 21.70 [jmmm2017-tbf3]; 15.28 -> 24.86 [kim2019-tb-gbd].
TB_SATURATED_KOE = (21.70 - 12.57, 24.86 - 15.28)
#: Dy diffusion relative to Tb (efficiency and cap): rule of thumb "about half", unsourced.
DY_OVER_TB_GBD = 0.5


def bulk_dy_coefficient_band() -> tuple[float, float, float]:
    """(low, mid, high) bulk Dy coefficient in kOe per wt% Dy from the anchors above.

    high: the measured alloy, (27.1 - 12) / 7.4 = 2.04; low: the case study,
    (17 - 12) / 3 = 1.67; mid: their mean.
    """
    k_high = (ALLOY_ANCHOR[1] - H_BASE_KOE) / ALLOY_ANCHOR[0]
    k_low = (CASE_ANCHOR[1] - H_BASE_KOE) / CASE_ANCHOR[0]
    return k_low, 0.5 * (k_low + k_high), k_high


def bulk_dy_needed(hcj_min_kOe: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, value, high) wt% Dy a bulk-alloyed grade needs to reach ``hcj_min_kOe``.

    Linear in the coefficient band: Dy = (HcJ - H_base) / k, 0 below the base. low uses the
    highest coefficient, high the lowest, so low <= value <= high for every grade.
    """
    h = np.asarray(hcj_min_kOe, dtype=float)
    k_low, k_mid, k_high = bulk_dy_coefficient_band()
    gain = np.maximum(h - H_BASE_KOE, 0.0)
    return gain / k_high, gain / k_mid, gain / k_low


def gbd_tb_needed(
    hcj_min_kOe: Any, tb_gain_kOe_per_wt: float, tb_cap_kOe: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Tb wt% diffused, substrate Dy wt% mid, plausible) for a Tb-GBD grade.

    Tb supplies min(gain*Tb, cap); what the cap cannot give comes from substrate Dy at the bulk
    mid coefficient. ``plausible`` is False where Tb alone was asked to exceed its cap, i.e.
    where the grade needs substrate Dy.
    """
    h = np.asarray(hcj_min_kOe, dtype=float)
    need = np.maximum(h - H_BASE_KOE, 0.0)
    tb = np.minimum(need, tb_cap_kOe) / tb_gain_kOe_per_wt
    _, k_mid, _ = bulk_dy_coefficient_band()
    dy = np.maximum(need - tb_cap_kOe, 0.0) / k_mid
    return tb, dy, dy <= 0.0


def tb_gbd_band() -> tuple[float, float, float]:
    """(efficiency kOe per wt% Tb, cap low kOe, cap high kOe) of Tb diffusion.

    Efficiency 8.88 / 0.35 = 25.4 [mainrich-gbd]; cap 8.88 (that run) to 9.58 [kim2019-tb-gbd].
    """
    caps = (TB_RUN[1], *TB_SATURATED_KOE)
    return TB_RUN[1] / TB_RUN[0], min(caps), max(caps)


def _diffused(
    need: np.ndarray, eff: float, cap: float, k_sub: float
) -> tuple[np.ndarray, np.ndarray]:
    """(diffused wt%, substrate Dy wt%) reaching ``need`` kOe: diffusion up to its cap first."""
    return np.minimum(need, cap) / eff, np.maximum(need - cap, 0.0) / k_sub


def route_hree_band(route: Any, hcj_min_kOe: Any) -> dict[str, np.ndarray]:
    """Dy and Tb (wt%, whole magnet) a route needs to reach ``hcj_min_kOe``, with low/high.

    Arrays broadcast. Keys: Dy_wt_pct, Dy_wt_pct_low, Dy_wt_pct_high, the same for Tb, and
    ``substrate_dy`` (bool: a GBD grade that needs substrate Dy because diffusion saturates).
    bulk: :func:`bulk_dy_needed`. gbd-tb: Tb to min(need, cap) at 25.4 kOe per wt%, the rest
    substrate Dy; value at the Mainrich cap 8.88 and the mid coefficient; low at the high cap
    and coefficient, high at the low ones (Tb's high bound at the high cap). gbd-dy: the same
    with Dy diffusion at half Tb's efficiency and cap, all Dy. Other routes: 0.
    value, low and high satisfy low <= value <= high element by element.
    """
    r, h = np.broadcast_arrays(np.asarray(route, dtype=object), np.asarray(hcj_min_kOe, float))
    need = np.maximum(h - H_BASE_KOE, 0.0)
    k_lo, k_mid, k_hi = bulk_dy_coefficient_band()
    eff, cap_lo, cap_hi = tb_gbd_band()
    tb_v, sub_v = _diffused(need, eff, cap_lo, k_mid)
    tb_hi, sub_lo = _diffused(need, eff, cap_hi, k_hi)
    sub_hi = np.maximum(need - cap_lo, 0.0) / k_lo
    f = DY_OVER_TB_GBD
    dd_v, ds_v = _diffused(need, f * eff, f * cap_lo, k_mid)
    dd_lo, ds_lo = _diffused(need, f * eff, f * cap_hi, k_hi)
    ds_hi = np.maximum(need - f * cap_lo, 0.0) / k_lo
    is_b, is_t, is_d = r == "bulk", r == "gbd-tb", r == "gbd-dy"
    zero = np.zeros_like(need)

    def pick(bulk: Any, tb: Any, dy: Any) -> np.ndarray:
        return np.where(is_b, bulk, np.where(is_t, tb, np.where(is_d, dy, zero)))

    return {
        "Dy_wt_pct": pick(need / k_mid, sub_v, dd_v + ds_v),
        "Dy_wt_pct_low": pick(need / k_hi, sub_lo, dd_lo + ds_lo),
        "Dy_wt_pct_high": pick(need / k_lo, sub_hi, dd_v + ds_hi),
        "Tb_wt_pct": pick(zero, tb_v, zero),
        "Tb_wt_pct_low": pick(zero, tb_v, zero),
        "Tb_wt_pct_high": pick(zero, tb_hi, zero),
        "substrate_dy": (is_t & (sub_v > 0.0)) | (is_d & (ds_v > 0.0)),
    }
