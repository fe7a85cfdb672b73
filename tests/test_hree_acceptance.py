"""Issue 10 acceptance on the library itself: every estimated NdFeB grade carries a band that
holds its value, and bulk against GBD grades of the same HcJ class (savings of diffusion).

Figures come from the model rows of materials/compositions.csv (scripts/gen_compositions.py,
magnets.physics.hree_estimate): bulk Dy = (HcJ - 13.485 kOe) / 1.840 kOe per wt% (measured
Dy-free substrates [jmmm2017-tbf3] [uenohara2020] [kim2019-tb-gbd], the alloy's slope
[isc-ndfeb-260]); Tb diffusion 25.4 kOe per wt% up to 8.88 kOe [mainrich-gbd], the rest
substrate Dy; Dy diffusion at 0.563 of Tb's efficiency and cap (DyF3 against TbF3 on one magnet
[uenohara2020]). Published savings of diffusion at equal grade: 30-60 % [mainrich-gbd],
50-70 % [mainrich-n48sh].
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

ESTIMATED_ROUTES = ("bulk", "gbd-dy", "gbd-tb")
#: the HcJ class a maker's name ends in (G50SHT, N45SH, N38EH ...); 'T' marks HL's Tb grades
CLASS = re.compile(r"\d\d(SH|UH|EH|AH|H|M)?T?\b")


def _ndfeb(lib) -> pd.DataFrame:
    g = lib.grades
    return g[(g["family"] == "ndfeb-sintered") & g["route"].isin(ESTIMATED_ROUTES)]


def _class(name: str) -> str:
    m = CLASS.search(name)
    return (m.group(1) or "N") if m else ""


def _savings(lib, cls: str, routes=("gbd-dy", "gbd-tb")) -> np.ndarray:
    """1 - GBD/bulk Dy+Tb over every (bulk, GBD) pair of grades named in class ``cls``."""
    nd = _ndfeb(lib)
    c = nd["name"].map(_class)
    bulk = nd.loc[(c == cls) & (nd["route"] == "bulk"), "Dy_Tb_wt_pct"].to_numpy()
    gbd = nd.loc[(c == cls) & nd["route"].isin(routes), "Dy_Tb_wt_pct"].to_numpy()
    assert bulk.size and gbd.size, cls
    return (1.0 - gbd[None, :] / bulk[:, None]).ravel()


def test_every_estimated_ndfeb_grade_is_a_model_row_with_a_band_holding_its_value(lib):
    nd = _ndfeb(lib)
    assert len(nd) >= 70
    assert (nd["composition_basis"] == "model").all()
    for el in ("Dy", "Tb", "Dy_Tb"):
        lo, val, hi = (nd[f"{el}_wt_pct{s}"].to_numpy() for s in ("_low", "", "_high"))
        assert np.isfinite(lo).all() and np.isfinite(hi).all(), el
        assert (lo <= val + 1e-12).all() and (val <= hi + 1e-12).all(), el
    # above the Dy-free substrate the band is a real band: N38EH 8.877 < 8.976 < 9.216 wt% Dy
    # (30 kOe on substrates 12.57, 13.485, 15.28 kOe at the alloy's slope on each:
    # 17.43 / 1.964, 16.515 / 1.840, 14.72 / 1.597)
    r = nd.loc["N38EH"]
    assert (r["Dy_wt_pct_low"], r["Dy_wt_pct"], r["Dy_wt_pct_high"]) == (
        pytest.approx(8.877),
        pytest.approx(8.976),
        pytest.approx(9.216),
    )


def test_other_compositions_have_low_equal_high_equal_value(lib):
    g = lib.grades[lib.grades["composition_basis"] != "model"]
    for el in ("Dy", "Tb"):
        np.testing.assert_array_equal(g[f"{el}_wt_pct_low"], g[f"{el}_wt_pct"])
        np.testing.assert_array_equal(g[f"{el}_wt_pct_high"], g[f"{el}_wt_pct"])


def test_eh_bulk_against_gbd_saves_30_to_70_pct_median_over_pairs(lib):
    # EH: bulk 30 kOe 8.976 wt% (4 grades); HL-G45EH (Dy-GBD, 30 kOe) 6.610 -> 26.4 %;
    # HL-G42EHT/G45EHT (Tb-GBD, 32 kOe) 0.35 Tb + 5.237 substrate Dy = 5.587 -> 37.8 %.
    # 12 pairs, median 37.8 %, inside 30-70 % [mainrich-gbd] [mainrich-n48sh].
    s = _savings(lib, "EH")
    assert s.size == 12
    assert float(np.median(s)) == pytest.approx(0.378, abs=0.002)
    assert 0.30 <= float(np.median(s)) <= 0.70


def test_ah_bulk_against_gbd_falls_short_of_30_pct_and_why(lib):
    # AH: bulk 35 kOe 11.694 wt% (2 grades); HL-G40AH/G42AH (Dy-GBD, 35 kOe) 9.327 -> 20.2 %;
    # HL-G38AHT/G40AHT (Tb-GBD, 37 kOe) 0.35 + 7.954 = 8.304 -> 29.0 %. Median over the 8 pairs
    # 24.6 %: BELOW the published 30 %. Why: diffusion saturates (Tb 8.88-9.58 kOe, Dy 0.56 of
    # that [uenohara2020]), so at AH most of the 21.5-23.5 kOe over the substrate comes from
    # substrate Dy at bulk efficiency, and HL's AH 'T' grades sit 2 kOe above the bulk AH
    # minimum. At equal HcJ the Tb route does reach the band (next test).
    s = _savings(lib, "AH")
    assert s.size == 8
    assert float(np.median(s)) == pytest.approx(0.246, abs=0.002)
    assert float(np.median(s)) < 0.30


def test_ah_tb_gbd_at_equal_hcj_saves_inside_the_band(lib):
    # HL-G40AHT at 37 kOe: 8.304 wt% against bulk at the same 37 kOe, 23.515 / 1.840 = 12.78
    # wt%: 35.0 % saved, inside 30-70 % [mainrich-gbd]
    from magnets.physics.hree_estimate import bulk_dy_needed

    nd = _ndfeb(lib)
    t = nd.loc["HL-G40AHT"]
    bulk = float(bulk_dy_needed(round(t["HcJ_kA_m"] / 79.577, 1))[1])
    saving = 1.0 - t["Dy_Tb_wt_pct"] / bulk
    assert saving == pytest.approx(0.350, abs=0.002)
    assert 0.30 <= saving <= 0.70


def test_sh_uh_savings_reported(lib):
    # SH (11 bulk grades at 19-20 kOe, 2.998-3.541 wt%): Dy-GBD 1.175 wt%, 61-67 %; Tb-GBD
    # 0.217-0.336 wt%, 89-94 %. Median over the 66 pairs 90.5 %, ABOVE 70 %: below the cap Tb
    # alone does the job (SH needs 5.5-8.5 kOe over the substrate), so no SH Tb grade needs
    # substrate Dy.
    # UH (6 bulk grades at 25 kOe, 6.259 wt%): Dy-GBD 3.892 -> 37.8 %; Tb-GBD 0.35 + 2.519 ->
    # 54.2 %; median over the 24 pairs 46.0 %, inside 30-70 %.
    sh, uh = _savings(lib, "SH"), _savings(lib, "UH")
    assert float(np.median(sh)) == pytest.approx(0.905, abs=0.003)
    assert float(np.median(uh)) == pytest.approx(0.460, abs=0.003)
