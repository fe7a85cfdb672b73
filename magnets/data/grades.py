"""The grades loader: read, check and complete the grade tables of every layer.

A grade row is checked (ids, required cells, family and route, bases, signs, physical
consistency) and completed from its family (defaults where the grade is silent, each
remembered as ``<column>_source``) and its composition (element wt% columns). Problems are
values; nothing raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from magnets.data.bounds import check_bounds, check_finite
from magnets.data.chemistry import wt_column
from magnets.data.loaders import band_columns, wt_columns
from magnets.data.rating_columns import apply_rating_columns
from magnets.data.schema import (
    BASES,
    BHMAX_TOLERANCE,
    FAMILIES,
    FAMILY_DEFAULTED,
    FAMILY_ROUTES,
    GRADE_NUMERIC,
    GRADE_REQUIRED,
    GRADE_TEXT,
    ID_PATTERN,
    SMCO_FAMILIES,
    SMCO_RE_RANGE_WT_PCT,
)
from magnets.data.tables import RawTable, empty_table, missing_columns, numeric, text_columns
from magnets.errors import Problem
from magnets.units import bhmax_limit_kj_m3

#: report(mask, column, message): one problem per row where mask holds; message may be a
#: callable of the row.
Reporter = Callable[[pd.Series, "str | None", Any], None]
_POSITIVE = ("Br_T", "HcJ_kA_m", "HcB_kA_m", "BHmax_kJ_m3", "density_g_cm3", "mu_rec", "squareness")
_SMCO_RE = ("Sm", "Gd", "Pr", "Er")


def _reporter(g: pd.DataFrame, problems: list[Problem]) -> Reporter:
    def report(mask: pd.Series, column: str | None, message: Any) -> None:
        for idx in g.index[mask.to_numpy()]:
            msg = message(g.loc[idx]) if callable(message) else message
            problems.append(Problem(g.at[idx, "_file"], int(g.at[idx, "_line"]), column, msg))

    return report


def _read_grades(raws: list[RawTable], problems: list[Problem]) -> pd.DataFrame:
    frames = []
    for raw in raws:
        problems += raw.problems + missing_columns(raw, GRADE_REQUIRED)
        frame, p = numeric(raw, GRADE_NUMERIC)
        problems += p
        frames.append(text_columns(frame, GRADE_TEXT))
    if not frames:
        problems.append(Problem("materials/grades", None, None, "no grade files found"))
        empty = empty_table(GRADE_TEXT)
        for col in GRADE_NUMERIC:
            empty[col] = pd.Series([], dtype="float64")
        frames = [empty]
    return pd.concat(frames, ignore_index=True)


def _check_ids(g: pd.DataFrame, report: Reporter) -> pd.Series:
    """Id pattern, uniqueness within a layer, required cells; returns the folded ids."""
    report(
        ~g["id"].str.match(ID_PATTERN),
        "id",
        lambda r: (
            f"expected an id of letters, digits, '-', '_' or '.', instead received {r['id']!r}"
        ),
    )
    folded = g["id"].str.casefold()
    dup = folded.duplicated(keep=False) & g.groupby(folded)["_layer"].transform("nunique").eq(1)
    report(dup, "id", lambda r: f"duplicate id {r['id']!r} (ids are case-insensitive)")
    for col in GRADE_REQUIRED:
        if col in GRADE_TEXT:
            report(g[col] == "", col, f"required {col} is empty")
        else:
            report(g[col].isna(), col, f"required {col} is empty")
    return folded


def _check_values(g: pd.DataFrame, report: Reporter) -> None:
    """Family and route, min/typ bases, positive values, squareness at most 1."""
    report(
        ~g["family"].isin(FAMILY_ROUTES),
        "family",
        lambda r: (
            f"expected a family among {', '.join(FAMILIES)}, instead received {r['family']!r}"
        ),
    )
    ok_route = pd.Series(
        [r in FAMILY_ROUTES.get(f, ()) for f, r in zip(g["family"], g["route"])], index=g.index
    )
    report(
        g["family"].isin(FAMILY_ROUTES) & ~ok_route,
        "route",
        lambda r: (
            f"route {r['route']!r} does not fit family {r['family']!r}; expected one of "
            + ", ".join(sorted(FAMILY_ROUTES[r["family"]]))
        ),
    )
    for col in ("Br_basis", "HcB_basis", "HcJ_basis", "BHmax_basis"):
        report(
            (g[col] != "") & ~g[col].isin(BASES),
            col,
            lambda r, c=col: f"expected 'min' or 'typ', instead received {r[c]!r}",
        )
    for col in _POSITIVE:
        report(
            g[col].notna() & (g[col] <= 0),
            col,
            lambda r, c=col: f"expected a positive value, instead received {r[c]}",
        )
    report(
        g["squareness"].notna() & (g["squareness"] > 1),
        "squareness",
        lambda r: f"squareness Hk/HcJ is at most 1, instead received {r['squareness']}",
    )


def _apply_family_defaults(g: pd.DataFrame, families: pd.DataFrame) -> pd.DataFrame:
    """Family values where the grade is silent; remember which were defaulted.

    The service limit comes with the rating columns
    (:func:`magnets.data.rating_columns.apply_rating_columns`)."""
    fam = families.reindex(g["family"])
    for col in FAMILY_DEFAULTED:
        given = g[col].notna().to_numpy()
        g[f"{col}_source"] = np.where(given, "grade", "family default")
        if col in fam.columns:
            g[col] = np.where(given, g[col].to_numpy(), fam[col].to_numpy(dtype="float64"))
    g = g.rename(columns={"alpha_Br_pct_per_K_source": "alpha_source"})
    g["T0_C"] = fam["T0_C"].to_numpy(dtype="float64") if "T0_C" in fam.columns else np.nan
    g["T0_C"] = g["T0_C"].fillna(20.0)
    return g


def _family_range(fam: pd.DataFrame, column: str) -> Any:
    return fam[column].to_numpy(dtype="float64") if column in fam else np.nan


def _check_physics(g: pd.DataFrame, families: pd.DataFrame, report: Reporter) -> None:
    """BHmax below Br^2/(4 mu0), HcB <= HcJ, beta inside the family range, rating below Curie."""
    fam = families.reindex(g["family"])
    like = (g["Br_basis"] == g["BHmax_basis"]) & g["BHmax_kJ_m3"].notna() & g["Br_T"].notna()
    limit = bhmax_limit_kj_m3(g["Br_T"])
    report(
        like & (g["BHmax_kJ_m3"] > limit * (1 + BHMAX_TOLERANCE)),
        "BHmax_kJ_m3",
        lambda r: (
            f"BHmax {r['BHmax_kJ_m3']:.0f} kJ/m3 exceeds Br^2/(4 mu0) = "
            f"{bhmax_limit_kj_m3(r['Br_T']):.0f} kJ/m3 for Br {r['Br_T']} T ({r['Br_basis']}) "
            "by more than 3%"
        ),
    )
    report(
        g["HcB_kA_m"].notna() & g["HcJ_kA_m"].notna() & (g["HcB_kA_m"] > g["HcJ_kA_m"]),
        "HcB_kA_m",
        lambda r: f"HcB {r['HcB_kA_m']} kA/m exceeds HcJ {r['HcJ_kA_m']} kA/m; HcB <= HcJ always",
    )
    bmin = _family_range(fam, "beta_min_pct_per_K")
    bmax = _family_range(fam, "beta_max_pct_per_K")
    beta = g["beta_HcJ_pct_per_K"].to_numpy()
    out_of = ~np.isnan(beta) & (
        (beta < np.nan_to_num(bmin, nan=-np.inf)) | (beta > np.nan_to_num(bmax, nan=np.inf))
    )
    g["_bmin"], g["_bmax"] = bmin, bmax
    report(
        pd.Series(out_of, index=g.index),
        "beta_HcJ_pct_per_K",
        lambda r: (
            f"beta {r['beta_HcJ_pct_per_K']} %/K is outside the {r['family']} range "
            f"{r['_bmin']} to {r['_bmax']} %/K"
        ),
    )
    report(
        g["max_temp_C"].notna() & g["curie_C"].notna() & (g["max_temp_C"] >= g["curie_C"]),
        "max_temp_C",
        lambda r: (
            f"catalogue rating {r['max_temp_C']} degC is not below the Curie temperature "
            f"{r['curie_C']} degC"
        ),
    )
    del g["_bmin"]
    del g["_bmax"]


def _attach_composition(
    g: pd.DataFrame, compositions: pd.DataFrame, comp_ok: pd.Series, report: Reporter
) -> None:
    """Element fractions from the composition, and the SmCo rare-earth range check."""
    comp = compositions.reindex(g["composition"])
    for col in wt_columns() + band_columns():
        g[col] = comp[col].to_numpy(dtype="float64") if col in comp.columns else np.nan
    for col in ("basis", "method", "source"):
        g[f"composition_{col}"] = comp[col].fillna("").to_numpy() if col in comp else ""
    g["Dy_Tb_wt_pct"] = g["Dy_wt_pct"] + g["Tb_wt_pct"]
    # the band of Dy+Tb: each element's own bound (a model row's Dy and Tb bounds are per element)
    g["Dy_Tb_wt_pct_low"] = g["Dy_wt_pct_low"] + g["Tb_wt_pct_low"]
    g["Dy_Tb_wt_pct_high"] = g["Dy_wt_pct_high"] + g["Tb_wt_pct_high"]
    re_sum = g[[wt_column(e) for e in _SMCO_RE]].sum(axis=1)
    lo, hi = SMCO_RE_RANGE_WT_PCT
    report(
        g["family"].isin(SMCO_FAMILIES) & comp_ok & ((re_sum < lo) | (re_sum > hi)),
        "composition",
        lambda r: (
            f"SmCo rare earths (Sm+Gd+Pr+Er) are "
            f"{sum(r[wt_column(e)] for e in _SMCO_RE):.1f} wt%, expected {lo:.0f}-{hi:.0f} wt%"
        ),
    )


def load_grades(
    raws: list[RawTable],
    families: pd.DataFrame,
    compositions: pd.DataFrame,
    alloys: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Grades indexed by id ('grade'), completed from families, alloys and compositions."""
    problems: list[Problem] = []
    g = _read_grades(raws, problems)
    folded = _check_ids(g, _reporter(g, problems))
    # keep the last definition of each id (user layers come last)
    g = g.loc[~folded.duplicated(keep="last")].copy()
    report = _reporter(g, problems)
    check_finite(g, report)
    _check_values(g, report)
    comp_ok = g["composition"].isin(compositions.index)
    report(
        (g["composition"] != "") & ~comp_ok,
        "composition",
        lambda r: f"unknown composition {r['composition']!r}; add it to compositions.csv",
    )
    g = _apply_family_defaults(g, families)
    report = _reporter(g, problems)
    # rating criterion/basis and the service limit of the grade's alloy (else its family's)
    apply_rating_columns(g, families, alloys if alloys is not None else empty_table(["id"]), report)
    _check_physics(g, families, report)
    check_bounds(g, report)
    _attach_composition(g, compositions, comp_ok, report)
    g = g.set_index(pd.Index(g["id"].to_numpy(), name="grade"))
    return g, problems
