"""Published checkpoints reproduced by magnets.physics.hree_estimate (issue 10, item 2).

Each test names its source key (materials/SOURCES.md) and a tolerance. Tb-GBD figures use the
one sourced run with a stated Tb amount: 0.35 wt% Tb lifted N45H 17.67 -> 26.55 kOe
[mainrich-gbd], i.e. 8.88 kOe gain (taken as the cap) and 8.88 / 0.35 = 25.4 kOe per wt%.
The Dy-free substrate is the mean HcJ measured before diffusion, (12.57 + 12.604 + 15.28) / 3
= 13.485 kOe [jmmm2017-tbf3] [uenohara2020] [kim2019-tb-gbd]; the bulk coefficient is the
measured alloy's slope on it, (27.1 - 13.485) / 7.4 = 1.840 kOe per wt% [isc-ndfeb-260].
"""

from __future__ import annotations

import numpy as np
import pytest

from magnets.physics.hree_estimate import bulk_dy_coefficient_band, bulk_dy_needed, gbd_tb_needed

TB_CAP_KOE = 26.55 - 17.67  # [mainrich-gbd]
TB_GAIN = TB_CAP_KOE / 0.35  # kOe per wt% Tb [mainrich-gbd]
CLASS_MIN_KOE = {"SH": 20.0, "UH": 25.0, "EH": 30.0, "AH": 35.0}  # [kj-specs] class minima


def _gbd_total(h: float) -> float:
    tb, dy, _ = gbd_tb_needed(h, TB_GAIN, TB_CAP_KOE)
    return float(tb + dy)


def test_coefficient_band_from_anchors() -> None:
    # hand: the alloy's slope (27.1 - H0) / 7.4 [isc-ndfeb-260] over the measured substrates
    # H0 = 15.28 [kim2019-tb-gbd], mean 13.485, 12.57 [jmmm2017-tbf3]: 1.597, 1.840, 1.964
    lo, mid, hi = bulk_dy_coefficient_band()
    assert lo == pytest.approx(1.597, abs=1e-3)
    assert mid == pytest.approx(1.840, abs=1e-3)
    assert hi == pytest.approx(1.964, abs=1e-3)


def test_dy_over_tb_diffusion_ratio_from_one_magnet() -> None:
    # [uenohara2020], same magnet at 1003 kA/m: DyF3/TbF3 gains 448/775 = 0.578 (Ca reduction),
    # 316/577 = 0.548 (none); mean 0.563 replaces the unsourced "half of Tb" rule
    from magnets.physics import hree_estimate as he

    band, value = he.DY_OVER_TB_BAND, he.DY_OVER_TB_GBD
    assert band == (pytest.approx(0.548, abs=1e-3), pytest.approx(0.578, abs=1e-3))
    assert value == pytest.approx(0.563, abs=1e-3)


def test_bulk_eh_dy_measured_alloy_outranks_guideline() -> None:
    # N38EH class, HcJ >= 30 kOe [kj-specs]. Guideline 6-8 wt% vs measured alloy: 7.4 wt% Dy
    # reaches only 27.1 kOe [isc-ndfeb-260], so a linear bulk model needs more than 7.4 wt% at
    # 30 kOe; the alloy wins. Value (30 - 13.485) / 1.840 = 8.98 (low 17.43 / 1.964 = 8.88,
    # high 14.72 / 1.597 = 9.22), inside Nikkei's 3-10 wt% [nikkei2012].
    lo, val, hi = bulk_dy_needed(30.0)
    assert float(lo) > 7.4
    assert float(lo) == pytest.approx(8.877, abs=0.002)
    assert float(hi) == pytest.approx(9.216, abs=0.002)
    assert float(val) == pytest.approx(8.98, abs=0.01)
    assert 3.0 <= float(val) <= 10.0
    assert lo <= val <= hi


def test_low_le_value_le_high_for_every_class() -> None:
    h = np.array([12.0, 14.0, 17.0, 20.0, 25.0, 30.0, 35.0])  # N..AH class minima [kj-specs]
    lo, val, hi = bulk_dy_needed(h)
    assert np.all(lo <= val) and np.all(val <= hi)
    assert val[0] == 0.0 and hi[0] == 0.0  # N class (12 kOe) sits below every substrate


def test_tb_gbd_h_grade_under_0_6_pct() -> None:
    # H class 17 kOe: (17 - 13.485) / 25.4 = 0.139 wt% Tb, under the < 0.6 % of
    # [mainrich-case] (tol 0)
    tb, dy, ok = gbd_tb_needed(17.0, TB_GAIN, TB_CAP_KOE)
    assert float(tb) == pytest.approx(0.139, abs=0.002)
    assert float(tb) < 0.6 and float(dy) == 0.0 and bool(ok)


def test_n45h_to_uh_with_0_35_tb() -> None:
    # 17.67 kOe + 0.35 wt% x 25.4 = 26.55 kOe >= UH minimum 25 kOe [mainrich-gbd] [kj-specs]
    assert CLASS_MIN_KOE["UH"] <= 17.67 + 0.35 * TB_GAIN


@pytest.mark.parametrize(("cls", "saving"), [("EH", 0.499), ("AH", 0.383)])
def test_gbd_saves_30_to_70_pct_at_eh_ah(cls: str, saving: float) -> None:
    # hand, EH: bulk 16.515/1.840 = 8.976; GBD 0.35 Tb + (16.515-8.88)/1.840 = 4.500 -> 49.9 %
    # saved. AH: bulk 11.694; GBD 0.35 + 12.635/1.840 = 7.217 -> 38.3 %. Band 30-70 % [mainrich-gbd]
    # (30-60 % less HRE) [mainrich-n48sh] (50-70 % less).
    h = CLASS_MIN_KOE[cls]
    bulk = float(bulk_dy_needed(h)[1])
    got = 1.0 - _gbd_total(h) / bulk
    assert got == pytest.approx(saving, abs=0.005)
    assert 0.30 <= got <= 0.70


def test_sh_uh_savings_reported_sh_over_70_because_tb_alone_suffices() -> None:
    # SH/UH need at most 11.5 kOe over the substrate; past the cap 8.88 only UH needs substrate
    # Dy. SH: 6.515/25.4 = 0.257 Tb vs 3.541 Dy (92.7 %); UH: 0.35 + 2.635/1.840 = 1.782 vs
    # 6.259 (71.5 %). Above 70 %: below the cap Tb alone does the job.
    sh = 1.0 - _gbd_total(20.0) / float(bulk_dy_needed(20.0)[1])
    uh = 1.0 - _gbd_total(25.0) / float(bulk_dy_needed(25.0)[1])
    assert sh == pytest.approx(0.927, abs=0.005)
    assert uh == pytest.approx(0.715, abs=0.005)


def test_tb_only_beyond_cap_is_flagged_implausible() -> None:
    # EH by Tb alone would need 16.5 kOe of diffusion gain, nearly twice the 8.88 kOe cap
    # [mainrich-gbd]
    _, dy, ok = gbd_tb_needed(30.0, TB_GAIN, TB_CAP_KOE)
    assert float(dy) > 0.0 and not bool(ok)
