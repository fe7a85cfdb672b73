"""Issue 10 acceptance on the library itself: every estimated NdFeB grade carries a band that
holds its value, and bulk against GBD grades of the same HcJ class (savings of diffusion).

Figures come from the model rows of materials/compositions.csv (scripts/gen_compositions.py,
magnets.physics.hree_estimate): bulk Dy = (HcJ - 12 kOe) / 1.854 kOe per wt%; Tb diffusion
25.4 kOe per wt% up to 8.88 kOe [mainrich-gbd], the rest substrate Dy; Dy diffusion at half
of Tb's efficiency and cap (rule of thumb, unsourced). Published savings of diffusion at equal
grade: 30-60 % [mainrich-gbd], 50-70 % [mainrich-n48sh].
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
    # above the Dy-free base the band is a real band: N38EH 8.821 < 9.711 < 10.8 wt% Dy
    # (18 kOe over the base / 2.041, 1.854, 1.667 kOe per wt%)
    r = nd.loc["N38EH"]
    assert (r["Dy_wt_pct_low"], r["Dy_wt_pct"], r["Dy_wt_pct_high"]) == (
        pytest.approx(8.821),
        pytest.approx(9.711),
        pytest.approx(10.8),
    )


def test_other_compositions_have_low_equal_high_equal_value(lib):
    g = lib.grades[lib.grades["composition_basis"] != "model"]
    for el in ("Dy", "Tb"):
        np.testing.assert_array_equal(g[f"{el}_wt_pct_low"], g[f"{el}_wt_pct"])
        np.testing.assert_array_equal(g[f"{el}_wt_pct_high"], g[f"{el}_wt_pct"])


def test_eh_bulk_against_gbd_saves_30_to_70_pct_median_over_pairs(lib):
    # EH: bulk 30 kOe 9.711 wt% (4 grades); HL-G45EH (Dy-GBD, 30 kOe) 7.665 -> 21.1 %;
    # HL-G42EHT/G45EHT (Tb-GBD, 32 kOe) 0.35 Tb + 6.0 substrate Dy = 6.349 -> 34.6 %.
    # 12 pairs, median 34.6 %, inside 30-70 % [mainrich-gbd] [mainrich-n48sh].
    s = _savings(lib, "EH")
    assert s.size == 12
    assert float(np.median(s)) == pytest.approx(0.346, abs=0.002)
    assert 0.30 <= float(np.median(s)) <= 0.70


def test_ah_bulk_against_gbd_falls_short_of_30_pct_and_why(lib):
    # AH: bulk 35 kOe 12.408 wt% (2 grades); HL-G40AH/G42AH (Dy-GBD, 35 kOe) 10.363 -> 16.5 %;
    # HL-G38AHT/G40AHT (Tb-GBD, 37 kOe) 0.35 + 8.697 = 9.047 -> 27.1 %. Median over the 8 pairs
    # 21.8 %: BELOW the published 30 %. Why: diffusion saturates (Tb 8.88-9.58 kOe, Dy half of
    # that), so at AH most of the 23-25 kOe over the base comes from substrate Dy at bulk
    # efficiency, and HL's AH 'T' grades sit 2 kOe above the bulk AH minimum. At equal HcJ the
    # Tb route does reach the band (next test); the Dy route's half-cap is an unsourced rule.
    s = _savings(lib, "AH")
    assert s.size == 8
    assert float(np.median(s)) == pytest.approx(0.218, abs=0.002)
    assert float(np.median(s)) < 0.30


def test_ah_tb_gbd_at_equal_hcj_saves_inside_the_band(lib):
    # HL-G40AHT at 37 kOe: 9.047 wt% against bulk at the same 37 kOe, 25 / 1.854 = 13.48 wt%:
    # 32.9 % saved, inside 30-70 % [mainrich-gbd]
    from magnets.physics.hree_estimate import bulk_dy_needed

    nd = _ndfeb(lib)
    t = nd.loc["HL-G40AHT"]
    bulk = float(bulk_dy_needed(round(t["HcJ_kA_m"] / 79.577, 1))[1])
    saving = 1.0 - t["Dy_Tb_wt_pct"] / bulk
    assert saving == pytest.approx(0.329, abs=0.002)
    assert 0.30 <= saving <= 0.70


def test_sh_uh_savings_reported(lib):
    # SH (11 bulk grades at 19-20 kOe, 3.776-4.316 wt%): Dy-GBD 2.271 wt%, 40-47 %; Tb-GBD
    # 0.276-0.954 wt%, 75-94 %. Median over the 66 pairs 77.9 %, ABOVE 70 %: below the cap Tb alone
    # does the job (SH needs 7-10 kOe over the base), so the Tb grades need no substrate Dy
    # except HL's 22 kOe SH 'T' grades (0.60 wt% Dy).
    # UH (6 bulk grades at 25 kOe, 7.013 wt%): Dy-GBD 4.968 -> 29.2 %; Tb-GBD 0.35 + 3.302 ->
    # 47.9 %; median over the 24 pairs 38.5 %, inside 30-70 %.
    sh, uh = _savings(lib, "SH"), _savings(lib, "UH")
    assert float(np.median(sh)) == pytest.approx(0.779, abs=0.003)
    assert float(np.median(uh)) == pytest.approx(0.385, abs=0.003)
