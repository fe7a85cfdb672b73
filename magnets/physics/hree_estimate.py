"""The Dy and Tb a sintered NdFeB grade needs to reach its minimum HcJ, from independent anchors.

The coercivity model's bulk coefficient (:mod:`magnets.physics.coercivity`) is fitted to the
library's class estimates, so inverting it would return those estimates. Here every figure
comes from measurements that do not depend on the library, and one picture serves every route:
a Dy-free sintered substrate, made Dy-richer in bulk and/or diffused at its grain boundaries.

- Dy-free substrate: the HcJ three grain-boundary-diffusion papers measure on their sintered
  magnets before diffusion, 12.57 kOe [jmmm2017-tbf3], 12.60 kOe (1003 kA/m) [uenohara2020]
  and 15.28 kOe [kim2019-tb-gbd]. Their mean, 13.48 kOe, is the value; the spread 12.57-15.28
  the band. (The N-class minimum of 12 kOe [kj-specs] is a guarantee floor, not a measurement
  of what a Dy-free magnet reaches; it lies just below the band.)
- bulk Dy: the measured alloy (Nd0.8Dy0.2)-Fe-B, about 7.4 wt% Dy (20 at% of the rare
  earths, derived with the atomic masses), HcJ 27.1 kOe [isc-ndfeb-260], on the same
  substrate: k = (27.1 - H0) / 7.4 kOe per wt%, 1.60-1.96 across the substrate band. The
  case study "H blanks need 3 % or more" [mainrich-case] is no longer a coefficient anchor: it
  is a secondary lower bound, not a measurement at a stated HcJ, and with a measured substrate
  it would put EH grades above Nikkei's 3-10 wt% [nikkei2012]; the measured alloy outranks it.
- Tb diffusion: the one run with a stated amount, 0.35 wt% Tb lifting N45H 17.67 -> 26.55 kOe
  [mainrich-gbd], gives the efficiency 8.88 / 0.35 kOe per wt% and the lowest saturated gain;
  two runs without a stated amount saturate at +9.13 [jmmm2017-tbf3] and +9.58 kOe
  [kim2019-tb-gbd]: the saturated gain (cap) lies in 8.88-9.58 kOe.
- Dy diffusion: the same magnet treated with DyF3 and with TbF3 gains +448 and +775 kA/m (with
  Ca reduction) and +316 and +577 kA/m (without) [uenohara2020]: Dy gives 0.548-0.578 of Tb's
  gain (mean 0.563), applied to Tb's efficiency and cap alike (the amounts are not stated, so
  the same ratio per wt% is an assumption).

A diffused grade is a substrate bulk-alloyed to (HcJ - diffusion gain) plus the diffused
element; the gain is min(HcJ - H0, cap). Each grade's low and high bound are the extremes over
the anchors' ranges (substrate, cap, Dy/Tb ratio); the value uses their central figures (mean
substrate, the Mainrich cap, mean ratio). Pure, vectorised functions; kOe in, wt% out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Measured HcJ of sintered substrates before diffusion, kOe: [jmmm2017-tbf3],
#: [uenohara2020] (1003 kA/m), [kim2019-tb-gbd].
SUBSTRATE_KOE = (12.57, 1003 / 79.577, 15.28)
#: Dy-free substrate HcJ, kOe: mean of the measured substrates (value).
H_BASE_KOE = float(np.mean(SUBSTRATE_KOE))
#: Its band, kOe: the spread of the measured substrates.
H_BASE_BAND_KOE = (min(SUBSTRATE_KOE), max(SUBSTRATE_KOE))
#: N-class minimum HcJ of the grade tables, kOe [kj-specs] [arnold-ndfeb]: the Dy-free grades.
N_CLASS_MIN_KOE = 12.0
#: Measured alloy [isc-ndfeb-260]: (Dy wt%, HcJ kOe).
ALLOY_ANCHOR = (7.4, 27.1)
#: Tb-GBD run with a stated amount [mainrich-gbd]: (Tb wt%, HcJ gain kOe), N45H 17.67 -> 26.55.
TB_RUN = (0.35, 26.55 - 17.67)
#: Saturated Tb-GBD gains, kOe: 12.57 -> 21.70 [jmmm2017-tbf3]; 15.28 -> 24.86 [kim2019-tb-gbd].
TB_SATURATED_KOE = (21.70 - 12.57, 24.86 - 15.28)
#: Dy-GBD gain over Tb-GBD gain on the same magnet [uenohara2020], kA/m: (Dy, Tb) with and
#: without Ca reduction, from HcJ 1003 kA/m untreated.
DY_TB_PAIRS_KA_M = ((1451 - 1003, 1778 - 1003), (1319 - 1003, 1580 - 1003))
DY_OVER_TB_BAND = tuple(sorted(d / t for d, t in DY_TB_PAIRS_KA_M))
DY_OVER_TB_GBD = float(np.mean(DY_OVER_TB_BAND))
#: Points per anchor range on which low/high are searched (ends and mid included).
_GRID = 5


def bulk_dy_coefficient(h_base_kOe: Any) -> np.ndarray:
    """kOe per wt% Dy on a substrate of HcJ ``h_base_kOe``: the measured alloy's slope."""
    return (ALLOY_ANCHOR[1] - np.asarray(h_base_kOe, float)) / ALLOY_ANCHOR[0]


def bulk_dy_coefficient_band() -> tuple[float, float, float]:
    """(low, value, high) bulk coefficient, kOe per wt% Dy: at the highest substrate HcJ,
    the mean and the lowest: (27.1 - 15.28) / 7.4 = 1.597, 1.840, 1.963."""
    lo, hi = H_BASE_BAND_KOE
    return (
        float(bulk_dy_coefficient(hi)),
        float(bulk_dy_coefficient(H_BASE_KOE)),
        float(bulk_dy_coefficient(lo)),
    )


def _bulk(h: Any, h_base: Any) -> np.ndarray:
    """wt% Dy a substrate of HcJ ``h_base`` needs, bulk-alloyed, to reach ``h`` (0 below)."""
    return np.maximum(np.asarray(h, float) - h_base, 0.0) / bulk_dy_coefficient(h_base)


def _bases() -> np.ndarray:
    return np.unique(np.r_[np.linspace(*H_BASE_BAND_KOE, _GRID), H_BASE_KOE])


def bulk_dy_needed(hcj_min_kOe: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, value, high) wt% Dy a bulk-alloyed grade needs to reach ``hcj_min_kOe``.

    value on the mean substrate; low/high the extremes over the substrate band (grid search:
    below 27.1 kOe a harder substrate needs less Dy, above it more, as the alloy pins the line).
    """
    h = np.asarray(hcj_min_kOe, dtype=float)
    grid = _bulk(h[..., None], _bases())
    return grid.min(axis=-1), _bulk(h, H_BASE_KOE), grid.max(axis=-1)


def gbd_tb_needed(
    hcj_min_kOe: Any, tb_gain_kOe_per_wt: float, tb_cap_kOe: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Tb wt% diffused, substrate Dy wt%, plausible) for a Tb-GBD grade on the mean substrate.

    Tb supplies min(need, cap) at ``tb_gain_kOe_per_wt``; the substrate is bulk-alloyed to the
    rest. ``plausible`` is False where Tb alone would have to exceed its cap.
    """
    h = np.asarray(hcj_min_kOe, dtype=float)
    tb, dy = _diffused(h, H_BASE_KOE, tb_gain_kOe_per_wt, tb_cap_kOe)
    return tb, dy, dy <= 0.0


def tb_gbd_band() -> tuple[float, float, float]:
    """(efficiency kOe per wt% Tb, cap low kOe, cap high kOe) of Tb diffusion.

    Efficiency 8.88 / 0.35 = 25.4 [mainrich-gbd]; cap 8.88 (that run) to 9.58 [kim2019-tb-gbd].
    """
    caps = (TB_RUN[1], *TB_SATURATED_KOE)
    return TB_RUN[1] / TB_RUN[0], min(caps), max(caps)


def _diffused(h: Any, h_base: Any, eff: Any, cap: Any) -> tuple[np.ndarray, np.ndarray]:
    """(diffused wt%, substrate Dy wt%) reaching ``h`` kOe on a substrate of ``h_base``:
    diffusion gives min(h - h_base, cap) at ``eff`` kOe per wt%, bulk Dy the rest."""
    gain = np.minimum(np.maximum(np.asarray(h, float) - h_base, 0.0), cap)
    return gain / eff, _bulk(np.asarray(h, float) - gain, h_base)


def _gbd_grid(h: np.ndarray, ratio: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(diffused, substrate Dy) on the grid of substrate x cap x ratio, last axis the grid."""
    eff, cap_lo, cap_hi = tb_gbd_band()
    grid = np.meshgrid(_bases(), np.linspace(cap_lo, cap_hi, _GRID), ratio, indexing="ij")
    b, c, f = (g.ravel() for g in grid)
    return _diffused(h[..., None], b, f * eff, f * c)


def route_hree_band(route: Any, hcj_min_kOe: Any) -> dict[str, np.ndarray]:
    """Dy and Tb (wt%, whole magnet) a route needs to reach ``hcj_min_kOe``, with low/high.

    Arrays broadcast. Keys: Dy_wt_pct, Dy_wt_pct_low, Dy_wt_pct_high, the same for Tb, and
    ``substrate_dy`` (bool: a GBD grade whose value needs substrate Dy because diffusion
    saturates). bulk: :func:`bulk_dy_needed`. gbd-tb: Tb to min(need, cap) at 25.4 kOe per wt%,
    the rest substrate Dy. gbd-dy: the same with Dy diffusion at 0.548-0.578 of Tb's efficiency
    and cap [uenohara2020], all Dy. value: mean substrate, cap 8.88 [mainrich-gbd], mean ratio;
    low/high: extremes over the anchors' ranges. Other routes: 0. low <= value <= high.
    """
    r, h = np.broadcast_arrays(np.asarray(route, dtype=object), np.asarray(hcj_min_kOe, float))
    eff, cap_v, _ = tb_gbd_band()
    f_v = DY_OVER_TB_GBD
    b_lo, b_v, b_hi = bulk_dy_needed(h)
    tb_v, ts_v = _diffused(h, H_BASE_KOE, eff, cap_v)
    dd_v, ds_v = _diffused(h, H_BASE_KOE, f_v * eff, f_v * cap_v)
    tb_g, ts_g = _gbd_grid(h, (1.0,))
    dd_g, ds_g = _gbd_grid(h, (*DY_OVER_TB_BAND, f_v))
    d_tot = dd_g + ds_g
    is_b, is_t, is_d = r == "bulk", r == "gbd-tb", r == "gbd-dy"
    zero = np.zeros_like(h)

    def pick(bulk: Any, tb: Any, dy: Any) -> np.ndarray:
        return np.where(is_b, bulk, np.where(is_t, tb, np.where(is_d, dy, zero)))

    return {
        "Dy_wt_pct": pick(b_v, ts_v, dd_v + ds_v),
        "Dy_wt_pct_low": pick(b_lo, ts_g.min(axis=-1), d_tot.min(axis=-1)),
        "Dy_wt_pct_high": pick(b_hi, ts_g.max(axis=-1), d_tot.max(axis=-1)),
        "Tb_wt_pct": pick(zero, tb_v, zero),
        "Tb_wt_pct_low": pick(zero, tb_g.min(axis=-1), zero),
        "Tb_wt_pct_high": pick(zero, tb_g.max(axis=-1), zero),
        "substrate_dy": (is_t & (ts_v > 0.0)) | (is_d & (ds_v > 0.0)),
    }
