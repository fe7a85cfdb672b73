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
