"""The grade catalogue as the CLI and the TUI show it: listing, filters and one grade's detail.

Pure functions over the loaded :class:`~magnets.data.library.Library`; the faces only format.
"""

from __future__ import annotations

import re

import pandas as pd

from magnets.data.chemistry import ELEMENTS, element_kg_per_kg, oxide_kg_per_kg
from magnets.data.controls import element_status, exposure
from magnets.data.library import Library
from magnets.data.view import dated_detail, status_dates

#: Columns of ``magnets grades`` (JSON keys), in order.
LISTING_COLUMNS = [
    "id",
    "name",
    "manufacturer",
    "family",
    "route",
    "Br_T",
    "HcJ_kA_m",
    "HcB_kA_m",
    "BHmax_kJ_m3",
    "alpha_Br_pct_per_K",
    "beta_HcJ_pct_per_K",
    "max_temp_C",
    "max_temp_condition",
    "curie_C",
    "density_g_cm3",
    "Dy_wt_pct",
    "Tb_wt_pct",
    "Dy_Tb_wt_pct",
    "Sm_wt_pct",
    "Gd_wt_pct",
    "Nd_wt_pct",
    "Pr_wt_pct",
    "Co_wt_pct",
    "composition_basis",
    "controlled_elements",
    "unknown_elements",
    "source",
]
#: Short columns for the terminal table.
TABLE_COLUMNS = [
    "id",
    "family",
    "route",
    "Br_T",
    "HcJ_kA_m",
    "BHmax_kJ_m3",
    "rating_C",
    "rating_basis",
    "Dy_wt_pct",
    "Tb_wt_pct",
    "Sm_wt_pct",
    "Gd_wt_pct",
    "composition_basis",
    "controlled_elements",
]
#: Rating columns joined onto the listing by :func:`with_ratings` (JSON keys).
RATING_COLUMNS = ["rating_C", "rating_basis", "max_temp_criterion", "t_model_C", "pc_ref"]


def listing(lib: Library, date=None) -> pd.DataFrame:
    """Every grade with the listing columns, export-control flags as of ``date``."""
    g = lib.grades
    exp = exposure(g, lib.rules, date)
    out = g.join(
        exp[
            ["controlled_elements", "unknown_elements", "controlled_kg_per_kg", "unknown_kg_per_kg"]
        ]
    )
    return out[[*LISTING_COLUMNS, "controlled_kg_per_kg", "unknown_kg_per_kg"]].reset_index(
        drop=True
    )


def with_ratings(frame: pd.DataFrame, ratings: pd.DataFrame) -> pd.DataFrame:
    """Join rating columns (indexed by grade id, e.g. from
    :func:`magnets.physics.ratings.best_rating`) onto a :func:`listing` frame, after max_temp_C."""
    extra = ratings.reindex(frame["id"].to_numpy())
    out = frame.copy()
    at = list(out.columns).index("max_temp_condition") + 1
    for k, col in enumerate(c for c in RATING_COLUMNS if c in extra.columns):
        out.insert(at + k, col, extra[col].to_numpy())
    return out


#: Material class of each family, a word an engineer searches for ("smco" finds Sm2Co17 too).
FAMILY_CLASS = {
    "ndfeb-sintered": "ndfeb",
    "ndfeb-bonded": "ndfeb",
    "ndfeb-hot-deformed": "ndfeb",
    "smco5": "smco",
    "sm2co17": "smco",
    "smco-tc": "smco",
    "ferrite": "ferrite",
}
#: The coercivity class suffix of a sintered NdFeB grade name: N42 (none: N), N42M, N38EH,
#: G48UHT (the trailing T of a Tb-diffused grade is not part of the class).
_NDFEB_CLASS = re.compile(r"(\d{2})(AH|EH|UH|SH|TH|VH|ZH|M|H)?T?(?![A-Z0-9])")


def grade_classes(frame: pd.DataFrame) -> pd.Series:
    """Class words of each grade, space-separated, for search: the material class (``ndfeb``,
    ``smco``, ``ferrite``), the diffusion route and its element (``gbd`` and ``tb`` or ``dy``
    for ``gbd-tb``/``gbd-dy``), and for sintered NdFeB the coercivity class read from the
    grade name (``n``, ``m``, ``h``, ``sh``, ``uh``, ``eh``, ``ah``...). Columns used: family,
    route, name."""
    family = frame["family"].fillna("").astype(str)
    route = frame["route"].fillna("").astype(str)
    words = family.map(FAMILY_CLASS).fillna("")
    diffused = route.str.startswith("gbd-")
    words = words.where(~diffused, words + " gbd " + route.str.removeprefix("gbd-"))
    parts = frame["name"].fillna("").astype(str).str.upper().str.extract(_NDFEB_CLASS)
    cls = parts[1].fillna("N").str.lower()
    sintered = (family == "ndfeb-sintered") & parts[0].notna()
    return words.where(~sintered, words + " " + cls).str.strip()


def search_mask(frame: pd.DataFrame, search: str) -> pd.Series:
    """Which rows of a :func:`listing` frame match ``search``, case-insensitive: every
    whitespace-separated word must be part of the id, name, manufacturer, family or route,
    or be one of the grade's class words (:func:`grade_classes`)."""
    text = frame["id"].astype(str)
    for col in ("name", "manufacturer", "family", "route"):
        text = text + "\t" + frame[col].fillna("").astype(str)
    text = text.str.casefold()
    classes = " " + grade_classes(frame).str.casefold() + " "
    mask = pd.Series(True, index=frame.index)
    for word in str(search).casefold().split():
        mask &= text.str.contains(word, regex=False) | classes.str.contains(
            f" {word} ", regex=False
        )
    return mask


def filter_listing(
    frame: pd.DataFrame,
    *,
    family=None,
    route=None,
    max_dy_tb=None,
    min_temp=None,
    search=None,
    sort=None,
    descending=False,
) -> pd.DataFrame:
    """Filter a :func:`listing` frame.

    ``search``: :func:`search_mask` (id, name, maker, family, route or class, every word)."""
    from magnets.data.names import pick
    from magnets.data.schema import FAMILIES, ROUTES

    mask = pd.Series(True, index=frame.index)
    if family:
        mask &= frame["family"].isin(pick("--family", family, FAMILIES))
    if route:
        mask &= frame["route"].isin(pick("--route", route, ROUTES))
    if max_dy_tb is not None:
        mask &= frame["Dy_Tb_wt_pct"] <= max_dy_tb
    if min_temp is not None:
        # the best basis available: catalogue, else class guideline, else the model's rating
        col = "rating_C" if "rating_C" in frame.columns else "max_temp_C"
        mask &= frame[col] >= min_temp
    if search:
        mask &= search_mask(frame, search)
    out = frame[mask]
    if sort:
        if sort not in frame.columns:
            from magnets.errors import InputError

            raise InputError(
                f"expected --sort to name a column among {', '.join(frame.columns)}, "
                f"instead received {sort!r}"
            )
        out = out.sort_values(sort, ascending=not descending, kind="stable", na_position="last")
    return out


def _static_detail(g: pd.Series, kg: pd.Series, oxide: pd.Series) -> dict:
    """One grade's detail without its export-control status (see :func:`detail`).

    ``kg`` and ``oxide``: that grade's row of element and oxide kg per kg of magnet."""
    kg = kg[kg > 0].sort_values(ascending=False, kind="stable")
    oxide = oxide[oxide > 0]
    listing_row = {c: (g[c] if c in g.index else None) for c in LISTING_COLUMNS}
    return {
        **listing_row,
        "Br_basis": g["Br_basis"],
        "HcJ_basis": g["HcJ_basis"],
        "HcB_basis": g["HcB_basis"],
        "BHmax_basis": g["BHmax_basis"],
        "coef_range_C": g["coef_range_C"],
        "coef_source": g["coef_source"],
        "alpha_source": g.get("alpha_source", ""),
        "mu_rec": g["mu_rec"],
        "squareness": g["squareness"],
        "T0_C": g["T0_C"],
        "structural_limit_C": g["structural_limit_C"],
        "limit_kind": g.get("limit_kind", ""),
        "limit_source": g.get("limit_source", ""),
        "alloy": g.get("alloy", ""),
        "beta_model": g.get("beta_model", "family"),
        "max_temp_criterion": g.get("max_temp_criterion", ""),
        "max_temp_pc": g.get("max_temp_pc", float("nan")),
        "rating_basis": g.get("rating_basis", ""),
        "curie_source": g.get("curie_C_source", ""),
        "density_source": g.get("density_g_cm3_source", ""),
        "mu_rec_source": g.get("mu_rec_source", ""),
        "squareness_source": g.get("squareness_source", ""),
        "composition": g["composition"],
        # the composition's band (low = high = value where it has none)
        **{
            f"{el}_wt_pct_{end}": float(g.get(f"{el}_wt_pct_{end}", g[f"{el}_wt_pct"]))
            for el in ("Dy", "Tb", "Dy_Tb")
            for end in ("low", "high")
        },
        "composition_method": g["composition_method"],
        "composition_source": g["composition_source"],
        "notes": g["notes"],
        "element_kg_per_kg": {el: float(v) for el, v in kg.items()},
        "oxide_kg_per_kg": {ox: float(v) for ox, v in oxide.items()},
    }


def _as_of(date) -> str:
    return str(pd.Timestamp(date).date()) if date is not None else str(pd.Timestamp.today().date())


def detail(lib: Library, name: str, date=None) -> dict:
    """Everything about one grade: properties, sources, element content, oxides, export flags."""
    pos = lib.position(name)
    row = lib.grades.iloc[[pos]]
    static = _static_detail(
        row.iloc[0], element_kg_per_kg(row).iloc[0], oxide_kg_per_kg(row).iloc[0]
    )
    status = element_status(lib.rules, date).to_dict()
    return dated_detail(static, status, ELEMENTS, _as_of(date))


def view_payload(lib: Library) -> dict:
    """What :func:`magnets.data.view.read_view` needs to answer :func:`detail` without pandas:
    every grade's static detail, the id/alias and display-name lookups, and the status of
    every element on each day a rule can change it."""
    grades = lib.grades
    kg = element_kg_per_kg(grades)
    oxide = oxide_kg_per_kg(grades)
    static = {
        str(gid): _static_detail(grades.iloc[i], kg.iloc[i], oxide.iloc[i])
        for i, gid in enumerate(grades.index)  # once per grade, when the view is written
    }
    ids, names = lib._lookup_tables()
    index = [str(g) for g in grades.index]
    rule_dates = [lib.rules[c] for c in ("effective", "suspended_from", "suspended_until")]
    days = status_dates(pd.concat(rule_dates).dropna().astype(str))
    return {
        "grades": static,
        "ids": {k: index[i] for k, i in ids.items()},
        "names": {k: [index[i] for i in v] for k, v in names.items()},
        "elements": list(ELEMENTS),
        "samples": [(d.isoformat(), element_status(lib.rules, d).to_dict()) for d in days],
    }
