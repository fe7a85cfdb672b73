"""Published checkpoints reproduced by magnets.physics.hree_estimate (issue 10, item 2).

Each test names its source key (materials/SOURCES.md) and a tolerance. Tb-GBD figures use the
one sourced run with a stated Tb amount: 0.35 wt% Tb lifted N45H 17.67 -> 26.55 kOe
[mainrich-gbd], i.e. 8.88 kOe gain (taken as the cap) and 8.88 / 0.35 = 25.4 kOe per wt%.
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
    # hand: (27.1-12)/7.4 = 2.041 [isc-ndfeb-260]; (17-12)/3 = 1.667 [mainrich-case]
    lo, mid, hi = bulk_dy_coefficient_band()
    assert lo == pytest.approx(1.667, abs=1e-3)
    assert hi == pytest.approx(2.041, abs=1e-3)
    assert lo <= mid <= hi


def test_bulk_eh_dy_measured_alloy_outranks_guideline() -> None:
    # N38EH class, HcJ >= 30 kOe [kj-specs]. Guideline 6-8 wt% vs measured alloy: 7.4 wt% Dy
    # reaches only 27.1 kOe [isc-ndfeb-260], so a linear bulk model needs more than 7.4 wt% at
    # 30 kOe; the alloy wins. Value 18/1.854 = 9.71, inside Nikkei's 3-10 wt% [nikkei2012].
    lo, val, hi = bulk_dy_needed(30.0)
    assert float(lo) > 7.4
    assert float(val) == pytest.approx(9.71, abs=0.02)
    assert 3.0 <= float(val) <= 10.0
    assert lo <= val <= hi


def test_low_le_value_le_high_for_every_class() -> None:
    h = np.array([12.0, 14.0, 17.0, 20.0, 25.0, 30.0, 35.0])  # N..AH class minima [kj-specs]
    lo, val, hi = bulk_dy_needed(h)
    assert np.all(lo <= val) and np.all(val <= hi)
    assert val[0] == 0.0  # N class is the Dy-free base


def test_tb_gbd_h_grade_under_0_6_pct() -> None:
    # H class 17 kOe: 5 / 25.4 = 0.197 wt% Tb, under the < 0.6 % of [mainrich-case] (tol 0)
    tb, dy, ok = gbd_tb_needed(17.0, TB_GAIN, TB_CAP_KOE)
    assert float(tb) == pytest.approx(0.197, abs=0.002)
    assert float(tb) < 0.6 and float(dy) == 0.0 and bool(ok)


def test_n45h_to_uh_with_0_35_tb() -> None:
    # 17.67 kOe + 0.35 wt% x 25.4 = 26.55 kOe >= UH minimum 25 kOe [mainrich-gbd] [kj-specs]
    assert CLASS_MIN_KOE["UH"] <= 17.67 + 0.35 * TB_GAIN


@pytest.mark.parametrize(("cls", "saving"), [("EH", 0.457), ("AH", 0.358)])
def test_gbd_saves_30_to_70_pct_at_eh_ah(cls: str, saving: float) -> None:
    # hand, EH: bulk 18/1.854 = 9.71; GBD 0.35 Tb + (18-8.88)/1.854 = 5.27 -> 45.7 % saved.
    # AH: bulk 12.41; GBD 0.35 + 14.12/1.854 = 7.97 -> 35.8 %. Band 30-70 % [mainrich-gbd]
    # (30-60 % less HRE) [mainrich-n48sh] (50-70 % less).
    h = CLASS_MIN_KOE[cls]
    bulk = float(bulk_dy_needed(h)[1])
    got = 1.0 - _gbd_total(h) / bulk
    assert got == pytest.approx(saving, abs=0.005)
    assert 0.30 <= got <= 0.70


def test_sh_uh_savings_reported_sh_over_70_because_tb_alone_suffices() -> None:
    # SH/UH need at most 13 kOe over the base; past the cap 8.88 only UH needs substrate Dy.
    # SH: 0.315 Tb vs 4.32 Dy (92.7 %); UH: 0.35 + 4.12/1.854 = 2.57 vs 7.01 (63.3 %).
    sh = 1.0 - _gbd_total(20.0) / float(bulk_dy_needed(20.0)[1])
    uh = 1.0 - _gbd_total(25.0) / float(bulk_dy_needed(25.0)[1])
    assert sh == pytest.approx(0.927, abs=0.005)
    assert uh == pytest.approx(0.633, abs=0.005)


def test_tb_only_beyond_cap_is_flagged_implausible() -> None:
    # EH by Tb alone would need 18 kOe of diffusion gain, twice the 8.88 kOe cap [mainrich-gbd]
    _, dy, ok = gbd_tb_needed(30.0, TB_GAIN, TB_CAP_KOE)
    assert float(dy) > 0.0 and not bool(ok)
