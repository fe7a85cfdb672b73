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


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 10 acceptance not met since the model compositions landed (docs/fleet.md, "
        "Acceptance): with the model rows the example's 2023 magnets hold 3.8 wt% Dy+Tb "
        "(2.8 with the class midpoints before) and its primary Dy is 111 % of the JRC world "
        "figure (78 % before). The rise is content, not mix: the Dy-diffused grades now carry "
        "substrate Dy (HL-G50SH 0.6 -> 2.3, HL-G48UH 0.9 -> 5.0 wt%) and the bulk grades 15-30 % "
        "more (N38EH 9.7 wt%, above the 6-8 guideline); compressors (6.8 wt%), wind (4.3) and "
        "e-bikes (3.6) carry bulk mixes marked as assumptions. Not tuned to the target."
    ),
)
def test_example_baseline_2023_meets_the_issue_10_acceptance(sanity):
    # primary Dy below the world primary Dy figure the library holds (3,126 t Dy2O3, 2021)
    assert sanity.primary_dy_oxide_t < 3126
    # mass-weighted Dy+Tb of all its magnets between 1.0 and 3.0 wt%
    assert 1.0 <= sanity.dy_tb_wt_pct <= 3.0


def test_data_check_reports_the_fleet_sanity_figures(capsys):
    from magnets.cli.entry import main

    assert main(["data", "check"]) == 0
    err = capsys.readouterr().err
    assert "mass-weighted Dy+Tb of all magnet built in 2023" in err
    assert "[argus-scrap-checkpoint]" in err
    assert "3,126 t oxide, world mine, 2021 [jrc-rmis-dy]" in err
    assert "no problems" in err
