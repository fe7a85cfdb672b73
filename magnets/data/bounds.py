"""Physical bounds of grade values, checked by the loader (and so by ``magnets data check``).

A value can be a number and still be impossible: ``inf``, a remanence of 100 T (kG typed as
T), a coercivity no magnet has. Each bound below is a limit no permanent magnet reaches, so a
value past it is a typo, never a record:

- every number finite;
- Br_T <= 1.6 T: the saturation polarisation of Nd2Fe14B, the highest of any magnet phase,
  is about that; a sintered magnet's Br is below it;
- HcJ_kA_m <= 4000 kA/m (about 50 kOe, beyond any commercial grade);
- density 1 to 22.6 g/cm3 (22.6: osmium, the densest element);
- alpha_Br and beta_HcJ within +-2 %/K (a grade past that would lose all of Br or HcJ
  within 50 K);
- with a linear recoil line B = Br + mu0 mu_rec H: HcB <= Br/(mu0 mu_rec) and
  BHmax <= Br^2/(4 mu0 mu_rec). mu_rec is the grade's own when given, else 1 (a family
  default is a typical value, not the grade's); like bases with like (min with min).
  Catalogue minima of Br and HcB are rounded and specified independently, so HcB may pass
  the bound by HCB_TOLERANCE (one datasheet in the library, SHM-N35, is 4.1 % over);
  BHmax keeps the loader's 3 %.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from magnets.data.schema import BHMAX_TOLERANCE, GRADE_NUMERIC
from magnets.units import MU0, bhmax_limit_kj_m3

BR_MAX_T = 1.6
HCJ_MAX_KA_M = 4000.0
DENSITY_RANGE_G_CM3 = (1.0, 22.6)
COEFFICIENT_MAX_PCT_PER_K = 2.0
HCB_TOLERANCE = 0.05

Reporter = Callable[[pd.Series, "str | None", Any], None]


def check_finite(g: pd.DataFrame, report: Reporter) -> None:
    """Every numeric cell finite (``inf`` is a number to Python, not a property)."""
    for col in GRADE_NUMERIC:
        if col in g.columns:
            report(
                pd.Series(np.isinf(g[col].to_numpy(dtype="float64")), index=g.index),
                col,
                lambda r, c=col: f"expected a finite number, instead received {r[c]}",
            )


def check_bounds(g: pd.DataFrame, report: Reporter) -> None:
    """The single-value bounds of the module docstring (after the family defaults)."""
    report(
        g["Br_T"] > BR_MAX_T,
        "Br_T",
        lambda r: (
            f"Br {r['Br_T']} T is above {BR_MAX_T} T, more than any magnet has; give Br in "
            "tesla (1 T = 10 kG)"
        ),
    )
    report(
        g["HcJ_kA_m"] > HCJ_MAX_KA_M,
        "HcJ_kA_m",
        lambda r: (
            f"HcJ {r['HcJ_kA_m']} kA/m is above {HCJ_MAX_KA_M:.0f} kA/m, more than any magnet "
            "has; give HcJ in kA/m (1 kOe = 79.58 kA/m)"
        ),
    )
    lo, hi = DENSITY_RANGE_G_CM3
    dens = g["density_g_cm3"]
    report(
        dens.notna() & ((dens < lo) | (dens > hi)),
        "density_g_cm3",
        lambda r: (
            f"density {r['density_g_cm3']} g/cm3 is outside {lo}-{hi} g/cm3; give it in g/cm3"
        ),
    )
    lim = COEFFICIENT_MAX_PCT_PER_K
    for col in ("alpha_Br_pct_per_K", "beta_HcJ_pct_per_K"):
        report(
            g[col].abs() > lim,
            col,
            lambda r, c=col: f"{c} {r[c]} %/K is outside +-{lim} %/K; give it in %/K",
        )
    _check_recoil(g, report)


def _check_recoil(g: pd.DataFrame, report: Reporter) -> None:
    """HcB and BHmax against the linear recoil line of Br and mu_rec."""
    own = g.get("mu_rec_source", pd.Series("grade", index=g.index)) == "grade"
    mu = g["mu_rec"].where(own & g["mu_rec"].notna() & (g["mu_rec"] > 0), 1.0)
    g["_hcb_lim"] = g["Br_T"] / (MU0 * mu) / 1000.0
    report(
        (g["Br_basis"] == g["HcB_basis"]) & (g["HcB_kA_m"] > g["_hcb_lim"] * (1 + HCB_TOLERANCE)),
        "HcB_kA_m",
        lambda r: (
            f"HcB {r['HcB_kA_m']} kA/m exceeds Br/(mu0 mu_rec) = {r['_hcb_lim']:.0f} kA/m for "
            f"Br {r['Br_T']} T by more than {HCB_TOLERANCE:.0%}; check Br, HcB and mu_rec"
        ),
    )
    ideal = bhmax_limit_kj_m3(g["Br_T"])
    g["_bh_lim"] = ideal / mu
    like = g["Br_basis"] == g["BHmax_basis"]
    report(
        like
        & (g["BHmax_kJ_m3"] > g["_bh_lim"] * (1 + BHMAX_TOLERANCE))
        & ~(g["BHmax_kJ_m3"] > ideal * (1 + BHMAX_TOLERANCE)),  # that one is reported already
        "BHmax_kJ_m3",
        lambda r: (
            f"BHmax {r['BHmax_kJ_m3']:.0f} kJ/m3 exceeds Br^2/(4 mu0 mu_rec) = "
            f"{r['_bh_lim']:.0f} kJ/m3 (mu_rec {r['mu_rec']}) by more than 3%"
        ),
    )
    del g["_hcb_lim"], g["_bh_lim"]
