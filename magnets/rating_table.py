"""Ratings of the whole library at a condition: the per-grade table and :func:`rate_library`.

:func:`grade_table` gathers, once per library and as-of date, what ratings and rankings
need per grade (rating inputs, Dy+Tb, export-controlled content, price); it is memoised on
the library (:meth:`magnets.data.library.Library.derived`), so it lives exactly as long as
the library. The private helpers rate table rows as arrays; :mod:`magnets.substitution`
builds on them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from magnets.data.bands import content_bands
from magnets.data.controls import exposure
from magnets.data.prices import grade_prices
from magnets.physics.beta import NDFEB_RATED_FAMILIES, fitted_beta_model
from magnets.physics.calibration import fitted_condition, rating_inputs
from magnets.physics.coercivity import diffusion_depth_loss_kA_m, fitted_coercivity_model
from magnets.physics.thermal import RatingResult, br_at, holds_cold, operating_point
from magnets.physics.thermal import rated_temperature as _rated_temperature

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

_T_TOL = 1e-9  # degC tolerance when comparing a rating with the requirement
_EXPOSURE = ("controlled_kg_per_kg", "unknown_kg_per_kg", "controlled_elements", "unknown_elements")


def _build_grade_table(lib: Library, date: dt.date | None) -> pd.DataFrame:
    g = lib.grades
    t = rating_inputs(g, fitted_beta_model(lib))
    t.insert(0, "route", g["route"].astype(str))
    t.insert(0, "family", g["family"].astype(str))
    bands = content_bands(g)
    t["Dy_Tb_kg_per_kg"] = bands["Dy_Tb_wt_pct"].to_numpy() / 100.0
    t["Dy_Tb_kg_per_kg_low"] = bands["Dy_Tb_wt_pct_low"].to_numpy() / 100.0
    t["Dy_Tb_kg_per_kg_high"] = bands["Dy_Tb_wt_pct_high"].to_numpy() / 100.0
    t["composition_basis"] = bands["composition_basis"].to_numpy(dtype=object)
    exp = exposure(g, lib.rules, date)
    for c in _EXPOSURE:
        t[c] = exp[c]
    prices = grade_prices(g, lib.elements)
    t["price_usd_per_kg"] = prices["price_usd_per_kg"].to_numpy()
    t["unpriced_elements"] = prices["unpriced_elements"].to_numpy()
    return t


def grade_table(lib: Library, date: dt.date | None = None) -> pd.DataFrame:
    """Per-grade inputs of ratings and rankings, indexed by grade id (memoised on ``lib`` per date).

    Columns: family, route, Br_T, HcJ_kA_m, alpha, beta, beta_source, mu_rec, squareness, T0_C,
    curie_C, structural_C, density_g_cm3, Dy_Tb_kg_per_kg (with its band Dy_Tb_kg_per_kg_low,
    Dy_Tb_kg_per_kg_high: :mod:`magnets.data.bands`), composition_basis, controlled_kg_per_kg,
    unknown_kg_per_kg, controlled_elements, unknown_elements, price_usd_per_kg (priced elements
    only; NaN = unknown, see :mod:`magnets.data.prices`), unpriced_elements.
    """
    return lib.derived(("grade_table", str(date)), lambda lb: _build_grade_table(lb, date))


def default_pc(lib: Library, pc: Any) -> Any:
    """``pc``, or the library's calibrated reference Pc where ``pc`` is None or NaN."""
    if pc is None or (np.ndim(pc) == 0 and np.isnan(float(pc))):
        return fitted_condition(lib).pc
    return pc


_default_pc = default_pc


def _col(t: pd.DataFrame, c: str, sl: Any) -> np.ndarray:
    return t[c].to_numpy(dtype=float)[sl]


def thickness_inputs(
    lib: Library, t: pd.DataFrame, thickness_mm: Any, sl: Any = slice(None)
) -> tuple[np.ndarray, np.ndarray] | None:
    """(HcJ_kA_m, beta) of the rows ``sl`` of ``t`` for magnets ``thickness_mm`` thick.

    Grain-boundary-diffused grades lose the part of their diffused gain that lies deeper than
    diffusion reaches (:func:`magnets.physics.coercivity.diffusion_depth_loss_kA_m`, the limit
    ``tradeoff --thickness`` uses; the grade's own Dy/Tb estimate says how much was diffused);
    where beta comes from the beta(HcJ0) fit it is refitted at the lower HcJ0. Other routes and
    NaN thicknesses are unchanged. ``thickness_mm`` broadcasts against the rows (e.g. [C, 1]
    against all G grades gives [C, G]); None gives None (use the table as it is).
    """
    if thickness_mm is None:
        return None
    g = lib.grades.reindex(t.index)
    band = content_bands(g)
    route = t["route"].to_numpy(dtype=object)[sl]
    loss = diffusion_depth_loss_kA_m(
        route,
        band["Dy_wt_pct"].to_numpy()[sl],
        band["Tb_wt_pct"].to_numpy()[sl],
        np.asarray(thickness_mm, dtype=float),
        model=fitted_coercivity_model(lib),
    )
    hcj = _col(t, "HcJ_kA_m", sl) - loss
    fam = t["family"].to_numpy(dtype=object)[sl]
    refit = fitted_beta_model(lib).beta(hcj, np.broadcast_to(route, hcj.shape), None)
    fitted = (t["beta_source"].to_numpy(dtype=object)[sl] == "fit") & np.isin(
        fam, NDFEB_RATED_FAMILIES
    )
    beta = np.where(fitted & (loss > 0), refit, _col(t, "beta", sl))
    return hcj, beta


def _rate_arrays(
    t: pd.DataFrame,
    pc: Any,
    hd: Any,
    sl: Any = slice(None),
    hcj_beta: tuple[np.ndarray, np.ndarray] | None = None,
) -> RatingResult:
    """rated_temperature over table rows (broadcast against pc/hd shapes); ``hcj_beta``
    replaces HcJ and beta (:func:`thickness_inputs`)."""
    hcj, beta = hcj_beta or (_col(t, "HcJ_kA_m", sl), _col(t, "beta", sl))
    return _rated_temperature(
        _col(t, "Br_T", sl),
        hcj,
        _col(t, "alpha", sl),
        beta,
        pc=pc,
        hd_kA_m=hd,
        mu_rec=_col(t, "mu_rec", sl),
        squareness=_col(t, "squareness", sl),
        T0_C=_col(t, "T0_C", sl),
        curie_C=_col(t, "curie_C", sl),
        structural_C=_col(t, "structural_C", sl),
        limit_kind=t["limit_kind"].to_numpy(dtype=object)[sl] if "limit_kind" in t else None,
    )


def _b_op_at(t: pd.DataFrame, temp: Any, pc: Any, hd: Any, sl: Any = slice(None)) -> Any:
    br = br_at(
        _col(t, "Br_T", sl), _col(t, "alpha", sl), temp, _col(t, "T0_C", sl), _col(t, "curie_C", sl)
    )
    return operating_point(br, pc, hd, _col(t, "mu_rec", sl))


def _holds_cold(
    t: pd.DataFrame,
    cold: Any,
    pc: Any,
    hd: Any,
    sl: Any = slice(None),
    hcj_beta: tuple[np.ndarray, np.ndarray] | None = None,
) -> Any:
    hcj, beta = hcj_beta or (_col(t, "HcJ_kA_m", sl), _col(t, "beta", sl))
    return holds_cold(
        _col(t, "Br_T", sl),
        hcj,
        _col(t, "alpha", sl),
        beta,
        pc=pc,
        hd_kA_m=hd,
        mu_rec=_col(t, "mu_rec", sl),
        squareness=_col(t, "squareness", sl),
        cold_C=cold,
        T0_C=_col(t, "T0_C", sl),
    )


def rate_library(
    lib: Library,
    pc: Any = None,
    hd_kA_m: float = 0.0,
    temp_C: float | None = None,
    *,
    cold_C: float | None = None,
    date: dt.date | None = None,
) -> pd.DataFrame:
    """Rate every grade of the library at (Pc, Hd).

    Parameters
    ----------
    pc : permeance coefficient (default: the library's calibrated reference Pc).
    hd_kA_m : applied demagnetising field, kA/m (the magnet sees Pc/(Pc+mu_rec) of it).
    temp_C : optional temperature at which to report the working point.
    cold_C : optional cold end, adds ``holds_cold``.

    Returns
    -------
    DataFrame indexed by grade id: family, route, t_max_C (NaN: unsafe at T0), limited_by,
    H_op_kA_m, B_op_T (at t_max), pc, hd_kA_m, squareness, mu_rec, beta_used, beta_source;
    with temp_C: B_op_T_at_temp, H_op_kA_m_at_temp, meets_temp; with cold_C: holds_cold.
    """
    pc = float(default_pc(lib, pc))
    t = grade_table(lib, date)
    r = _rate_arrays(t, pc, float(hd_kA_m))
    out = pd.DataFrame(
        {
            "family": t["family"],
            "route": t["route"],
            "t_max_C": r.t_max_C,
            "limited_by": r.limited_by,
            "H_op_kA_m": r.H_op_kA_m,
            "B_op_T": r.B_op_T,
            "pc": pc,
            "hd_kA_m": float(hd_kA_m),
            "squareness": t["squareness"],
            "mu_rec": t["mu_rec"],
            "beta_used": t["beta"],
            "beta_source": t["beta_source"],
        },
        index=t.index,
    )
    if temp_C is not None:
        H, B = _b_op_at(t, float(temp_C), pc, float(hd_kA_m))
        out["B_op_T_at_temp"] = B
        out["H_op_kA_m_at_temp"] = H
        out["meets_temp"] = out["t_max_C"].to_numpy() >= float(temp_C) - _T_TOL
    if cold_C is not None:
        out["holds_cold"] = _holds_cold(t, float(cold_C), pc, float(hd_kA_m))
    return out
