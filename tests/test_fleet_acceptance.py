"""Issue 10 acceptance on the example fleet (baseline, 2023) and the sanity figures behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from magnets.fleet.sanity import fleet_sanity, gd_ho_ratio_pct, market_ratio_pct
from magnets.fleet.spec import load_fleet

EXAMPLE = Path(__file__).resolve().parents[1] / "materials" / "examples" / "fleet.toml"


@pytest.fixture(scope="module")
def sanity(lib):
    return fleet_sanity(load_fleet(EXAMPLE, lib), lib, 2023)


def test_market_checkpoint_from_chinas_2024_scrap_recovery(lib):
    # supply.csv china_recycled 2024 [argus-recycled-2024]: 710 t Dy2O3, 160 t Tb4O7,
    # 26,504 t PrNd oxide (Nd:Pr 75:25 [fastmarkets-ndpr]); pymatgen oxide factors Dy2O3
    # 1.1477, Tb4O7 1.1762, Nd2O3 1.1664, Pr6O11 1.2082 (hand):
    # (710 / 1.1477 + 160 / 1.1762) / (26,504 / (0.75 x 1.1664 + 0.25 x 1.2082)) = 3.351 %
    assert market_ratio_pct(lib) == pytest.approx(3.351, abs=2e-3)
    # 1,048 / 26,504 = 3.954 % Gd2O3; 167 / 26,504 = 0.630 % Ho oxide (same rows)
    gd, ho = gd_ho_ratio_pct(lib)
    assert gd == pytest.approx(3.954, abs=1e-3) and ho == pytest.approx(0.630, abs=1e-3)


def test_sanity_figures_are_consistent_and_named(sanity):
    # the checkpoint at the fleet's own Nd+Pr (about 27 wt%) is about 1 wt% (issue 10)
    assert 0.8 < sanity.market_dy_tb_wt_pct < 1.1
    assert sanity.dy_tb_low_wt_pct <= sanity.dy_tb_wt_pct <= sanity.dy_tb_high_wt_pct
    # world primary Dy: JRC 3,126 t (2021), recorded as oxide (supply.csv [jrc-rmis-dy])
    assert sanity.world_dy_figure == "3,126 t oxide, world mine, 2021 [jrc-rmis-dy]"
    assert sanity.world_dy_share_pct == pytest.approx(
        100 * sanity.primary_dy_oxide_t / 3126, rel=1e-12
    )
    # 2023 finished magnet at the midpoints of the TOML: EV 14 M x 1.35 kg = 18,900 t, HEV
    # 4.71 M x 0.71 = 3,344, wind 25,155 MW x 0.8 t = 20,124, robots 541,302 x 1.25 kg = 677,
    # e-bikes 47.5 M x 0.34 = 16,150, compressors 76 M x 0.12 = 9,120: 68,315 t (hand)
    assert sanity.magnet_t == pytest.approx(68_315, abs=1)


def test_example_baseline_2023_primary_dy_below_the_world_primary_figure(sanity):
    # issue 10 acceptance, first half: primary Dy of the example's 2023 baseline below the world
    # primary Dy figure the library holds, JRC 3,126 t (2021, recorded as oxide) [jrc-rmis-dy].
    # Measured 2,754 t Dy2O3 = 88.1 % with the model contents on measured Dy-free substrates
    # (docs/fleet.md, Acceptance; 3,459 t = 110.7 % with the 12 kOe base and the "half of Tb"
    # Dy-diffusion rule before). Tolerance: the figure itself, no margin.
    assert sanity.primary_dy_oxide_t < 3126
    assert sanity.world_dy_share_pct == pytest.approx(88.1, abs=0.1)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 10 acceptance, second half, not met (docs/fleet.md, Acceptance): the example's "
        "2023 magnets hold 3.06 wt% Dy+Tb (band 2.44-3.33), just above the 3.0 bound, with the "
        "model contents on measured Dy-free substrates and the sourced Dy/Tb diffusion ratio "
        "(3.84 before). What remains is the bulk mixes of compressors (6.05 wt%, equal split "
        "of the sourced 48SH/38UH/38EH, an assumption), wind (3.54, bulk SH; '~4 %' in "
        "heim-2023) and e-bikes (2.78): 82 % of the Dy+Tb. Not tuned to the target."
    ),
)
def test_example_baseline_2023_dy_tb_between_1_and_3_wt_pct(sanity):
    # mass-weighted Dy+Tb of all its magnets between 1.0 and 3.0 wt% (issue 10 acceptance)
    assert 1.0 <= sanity.dy_tb_wt_pct <= 3.0


def test_data_check_reports_the_fleet_sanity_figures(capsys):
    from magnets.cli.entry import main

    assert main(["data", "check"]) == 0
    err = capsys.readouterr().err
    assert "mass-weighted Dy+Tb of all magnet built in 2023" in err
    assert "[argus-scrap-checkpoint]" in err
    assert "3,126 t oxide, world mine, 2021 [jrc-rmis-dy]" in err
    assert "no problems" in err
