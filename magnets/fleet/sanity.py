"""Fleet-average sanity figures: a fleet's mass-weighted Dy+Tb and its primary Dy in one year,
beside the market-average checkpoint and the world primary Dy figure of the library.

* mass-weighted Dy+Tb: the Dy+Tb of all finished magnet built in the year (units x kg at
  the midpoints, the grade mix of that year), in wt%, with its low/high from the content
  bands;
* market-average checkpoint [argus-scrap-checkpoint]: China's 2024 recovery from magnet
  scrap, (Dy + Tb) / (Nd + Pr) as metal, from the ``china_recycled`` rows of ``supply.csv``
  (PrNd oxide as Nd:Pr 75:25 [fastmarkets-ndpr]); in wt% of magnet at the fleet's own Nd+Pr
  wt%. Scrap mixes vintages and uses, magnets outside motors included: a checkpoint, not a
  target;
* primary Dy of the year (all segments) against the world primary Dy figure
  (:func:`magnets.fleet.shares.fleet_supply`), named with its year and basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from magnets.data.chemistry import REPORTED

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library
    from magnets.fleet.spec import FleetSpec

#: Nd:Pr of PrNd (didymium) oxide, by mass [fastmarkets-ndpr]
ND_PR_SPLIT = (0.75, 0.25)
CHECKPOINT_YEAR = 2024


@dataclass(frozen=True)
class FleetSanity:
    """The figures of one fleet, scenario and year (masses in t, contents in wt%)."""

    year: int
    magnet_t: float
    dy_tb_wt_pct: float
    dy_tb_low_wt_pct: float
    dy_tb_high_wt_pct: float
    nd_pr_wt_pct: float
    market_ratio_pct: float
    market_dy_tb_wt_pct: float
    primary_dy_t: float
    primary_dy_oxide_t: float
    world_dy_share_pct: float
    world_dy_figure: str
    gd_ho_ratio_pct: tuple[float, float]
    primary_nd_pr_oxide_t: float

    def lines(self) -> list[str]:
        """The figures in words, one per line."""
        return [
            f"mass-weighted Dy+Tb of all magnet built in {self.year}: "
            f"{self.dy_tb_wt_pct:.2f} wt% (band {self.dy_tb_low_wt_pct:.2f}-"
            f"{self.dy_tb_high_wt_pct:.2f}) of {self.magnet_t:,.0f} t, Nd+Pr "
            f"{self.nd_pr_wt_pct:.1f} wt%",
            f"market-average checkpoint (China's {CHECKPOINT_YEAR} scrap recovery, magnets "
            f"outside motors included): (Dy+Tb)/(Nd+Pr) {self.market_ratio_pct:.2f} % as metal, "
            f"i.e. about {self.market_dy_tb_wt_pct:.2f} wt% Dy+Tb at the fleet's Nd+Pr "
            "[argus-scrap-checkpoint]",
            f"primary Dy {self.year}: {self.primary_dy_t:,.0f} t Dy "
            f"({self.primary_dy_oxide_t:,.0f} t Dy2O3) = {self.world_dy_share_pct:.1f} % of "
            f"{self.world_dy_figure}",
            f"Gd and Ho (not in the fleet table): China's {CHECKPOINT_YEAR} scrap recovery "
            f"holds Gd2O3 {self.gd_ho_ratio_pct[0]:.2f} % and Ho oxide "
            f"{self.gd_ho_ratio_pct[1]:.2f} % of its PrNd oxide [argus-recycled-2024], a "
            "market-average ratio (estimate); at that ratio the fleet's primary Nd+Pr "
            f"({self.primary_nd_pr_oxide_t:,.0f} t oxide) would carry about "
            f"{self.primary_nd_pr_oxide_t * self.gd_ho_ratio_pct[0] / 100:,.0f} t Gd2O3 and "
            f"{self.primary_nd_pr_oxide_t * self.gd_ho_ratio_pct[1] / 100:,.0f} t Ho oxide",
        ]


def _recycled_oxide(lib: Library, year: int) -> dict[str, float]:
    t = lib.supply
    rows = t[(t["scope"] == "china_recycled") & (t["year"] == year) & (t["basis"] == "oxide")]
    return dict(zip(rows["element"], rows["value_t"].astype(float)))


def gd_ho_ratio_pct(lib: Library, year: int = CHECKPOINT_YEAR) -> tuple[float, float]:
    """Gd2O3 and Ho oxide in % of PrNd oxide in China's scrap recovery of ``year``."""
    ox = _recycled_oxide(lib, year)
    prnd = ox.get("PrNd", np.nan)
    return 100.0 * ox.get("Gd", np.nan) / prnd, 100.0 * ox.get("Ho", np.nan) / prnd


def market_ratio_pct(lib: Library, year: int = CHECKPOINT_YEAR) -> float:
    """(Dy + Tb) / (Nd + Pr) in % as metal, from the china_recycled oxide rows of ``year``."""
    from magnets.data.chemistry import oxide_factor

    ox = _recycled_oxide(lib, year)
    prnd_factor = ND_PR_SPLIT[0] * oxide_factor("Nd") + ND_PR_SPLIT[1] * oxide_factor("Pr")
    hree = ox.get("Dy", np.nan) / oxide_factor("Dy") + ox.get("Tb", np.nan) / oxide_factor("Tb")
    return float(100.0 * hree / (ox.get("PrNd", np.nan) / prnd_factor))


def fleet_sanity(
    spec: FleetSpec, lib: Library, year: int, scenario: str = "baseline"
) -> FleetSanity:
    """The sanity figures of ``scenario`` in ``year`` (midpoints)."""
    from magnets.fleet.arrays import model_years, pack_segments
    from magnets.fleet.model import project_fleet
    from magnets.fleet.shares import fleet_supply

    years = model_years(spec)
    arr = pack_segments(spec.scenarios[scenario], lib, years)
    k = int(np.searchsorted(years, year))
    mass = (arr.units_low + arr.units_high)[:, k] * (arr.kg_low + arr.kg_high)[:, k] / 4e3
    dy, tb, nd, pr = (REPORTED.index(e) for e in ("Dy", "Tb", "Nd", "Pr"))

    def wt(frac: np.ndarray, els: tuple[int, ...]) -> float:
        return float(100.0 * mass @ frac[:, k][:, list(els)].sum(axis=1) / mass.sum())

    up, dn = arr.frac_up.sum(axis=3), arr.frac_dn.sum(axis=3)
    nd_pr = wt(arr.frac, (nd, pr))
    ratio = market_ratio_pct(lib)
    res = project_fleet(spec, lib, [scenario])
    t = res.table
    prim = float(t[(t["year"] == year) & (t["element"] == "Dy")]["primary_t"].sum())
    ndpr_ox = float(t[(t["year"] == year) & t["element"].isin(["Nd", "Pr"])]["oxide_t"].sum())
    ps = fleet_supply(lib, np.array([year]))["world"]
    share = 100.0 * prim * ps.mult[dy] / ps.value_t[dy, 0]
    return FleetSanity(
        year=year,
        magnet_t=float(mass.sum()),
        dy_tb_wt_pct=wt(arr.frac, (dy, tb)),
        dy_tb_low_wt_pct=wt(arr.frac - dn, (dy, tb)),
        dy_tb_high_wt_pct=wt(arr.frac + up, (dy, tb)),
        nd_pr_wt_pct=nd_pr,
        market_ratio_pct=ratio,
        market_dy_tb_wt_pct=ratio * nd_pr / 100.0,
        primary_dy_t=prim,
        primary_dy_oxide_t=prim * float(ps.mult[dy]),
        world_dy_share_pct=float(share),
        world_dy_figure=ps.describe(dy, 0).split(": ", 1)[1],
        gd_ho_ratio_pct=gd_ho_ratio_pct(lib),
        primary_nd_pr_oxide_t=ndpr_ox,
    )
