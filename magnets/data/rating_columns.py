"""Rating columns of the grade tables and the alloy table (materials/alloys.csv).

Grades say how their rating is stated (``max_temp_criterion``, ``max_temp_pc``), where it comes
from (``rating_basis``) and, where their alloy differs from the family default, which alloy
they are (``alloy``). An alloy carries its own service limit, what sets it (``limit_kind``:
``structural`` or ``oxidation``), its source, and how its HcJ(T) is modelled (``beta_model``).
Grades without an alloy take the family's ``structural_limit_C``/``limit_kind``/``limit_source``.

Every problem is reported as file, line, column and message; nothing raises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from magnets.errors import Problem

CRITERIA = ("guideline", "knee_at_pc", "straight_line", "loss_at_pc")
RATING_BASES = ("catalogue", "guideline")
LIMIT_KINDS = ("structural", "oxidation")
BETA_MODELS = ("family", "secant_vs_Br")
ALLOY_NUMERIC = ["service_limit_C"]
ALLOY_TEXT = ["id", "family", "limit_kind", "limit_source", "beta_model", "source"]
GRADE_RATING_TEXT = ["max_temp_criterion", "rating_basis", "alloy"]
GRADE_RATING_NUMERIC = ["max_temp_pc"]

__all__ = ["ALLOY_NUMERIC", "ALLOY_TEXT", "apply_rating_columns", "check_alloys"]


def check_alloys(alloys: pd.DataFrame, families: pd.DataFrame) -> list[Problem]:
    """Problems of the parsed alloy table (text and numeric columns, ``_file``, ``_line``)."""
    problems: list[Problem] = []

    def bad(mask, column, message):
        for idx in alloys.index[np.asarray(mask, dtype=bool)]:
            r = alloys.loc[idx]
            problems.append(Problem(str(r["_file"]), int(r["_line"]), column, message(r)))

    bad(
        ~alloys["family"].isin(families.index),
        "family",
        lambda r: f"unknown family {r['family']!r}; expected an id of families.csv",
    )
    bad(
        ~alloys["limit_kind"].isin(LIMIT_KINDS),
        "limit_kind",
        lambda r: f"expected 'structural' or 'oxidation', instead received {r['limit_kind']!r}",
    )
    bad(
        ~alloys["beta_model"].isin(BETA_MODELS),
        "beta_model",
        lambda r: f"expected 'family' or 'secant_vs_Br', instead received {r['beta_model']!r}",
    )
    lim = pd.to_numeric(alloys["service_limit_C"], errors="coerce")
    bad(
        ~(lim > 0),
        "service_limit_C",
        lambda r: f"expected a service limit above 0 degC, instead received {r['service_limit_C']}",
    )
    dup = alloys["id"].str.casefold().duplicated(keep=False)
    bad(
        dup & alloys.groupby(alloys["id"].str.casefold())["_layer"].transform("nunique").eq(1)
        if "_layer" in alloys
        else dup,
        "id",
        lambda r: f"duplicate alloy id {r['id']!r}",
    )
    return problems


def apply_rating_columns(
    g: pd.DataFrame, families: pd.DataFrame, alloys: pd.DataFrame, report
) -> pd.DataFrame:
    """Validate the rating columns of grades ``g`` and fill the service limit per grade.

    ``report(mask, column, message)`` records one problem per True row. Adds
    ``structural_limit_C`` (the grade's alloy's service limit, else the family's),
    ``limit_kind``, ``limit_source``, ``beta_model``; ``rating_basis`` = ``model`` where a
    grade has no rating, ``catalogue`` and criterion ``guideline`` where a rating says nothing.
    Returns ``g`` (modified in place).
    """
    for col in GRADE_RATING_TEXT:
        g[col] = g[col].fillna("").astype(str).str.strip() if col in g else ""
    _check_criteria(g, report)
    _fill_service_limits(g, families, alloys, report)
    return g


def _check_criteria(g: pd.DataFrame, report) -> None:
    """Report bad criteria, Pcs and bases; fill the criterion and basis of every grade."""
    rated = g["max_temp_C"].notna()
    crit, basis, pc = g["max_temp_criterion"], g["rating_basis"], g["max_temp_pc"]
    report(
        (crit != "") & ~crit.isin(CRITERIA),
        "max_temp_criterion",
        lambda r: (
            f"expected one of {', '.join(CRITERIA)}, instead received {r['max_temp_criterion']!r}"
        ),
    )
    report(
        crit.isin(["knee_at_pc", "loss_at_pc"]) & pc.isna(),
        "max_temp_pc",
        lambda r: (
            f"criterion {r['max_temp_criterion']} needs the Pc it is stated for in max_temp_pc"
        ),
    )
    report(
        pc.notna() & ~(pc >= 0),
        "max_temp_pc",
        lambda r: f"expected a permeance coefficient >= 0, instead received {r['max_temp_pc']}",
    )
    report(
        (basis != "") & ~basis.isin(RATING_BASES),
        "rating_basis",
        lambda r: f"expected 'catalogue' or 'guideline', instead received {r['rating_basis']!r}",
    )
    report(
        ~rated & (basis != ""),
        "rating_basis",
        "rating_basis is given but max_temp_C is empty; leave both empty (the model rates it)",
    )
    # a rating with nothing said about it is a maker's figure stated as a guideline (the issue's
    # rule for rows that state no condition); files written before these columns load unchanged
    g["max_temp_criterion"] = np.where(rated & (crit == ""), "guideline", crit)
    g["rating_basis"] = np.where(rated, np.where(basis == "", "catalogue", basis), "model")


def _fill_service_limits(
    g: pd.DataFrame, families: pd.DataFrame, alloys: pd.DataFrame, report
) -> None:
    """The service limit, its kind and source and the beta model per grade (alloy, else family)."""
    fam = families.reindex(g["family"])
    limit = fam["structural_limit_C"].to_numpy(dtype="float64")
    kind = fam["limit_kind"].fillna("").to_numpy(dtype=object) if "limit_kind" in fam else ""
    src = fam["limit_source"].fillna("").to_numpy(dtype=object) if "limit_source" in fam else ""
    kind = np.where(np.isnan(limit), "", np.where(kind == "", "structural", kind))
    a_ids = alloys["id"].str.casefold() if len(alloys) else pd.Series([], dtype=object)
    table = (
        alloys.assign(_key=a_ids.to_numpy()).drop_duplicates("_key", keep="last").set_index("_key")
    )
    key = g["alloy"].str.casefold()
    has = (g["alloy"] != "").to_numpy()
    known = key.isin(table.index).to_numpy()
    report(
        pd.Series(has & ~known, index=g.index),
        "alloy",
        lambda r: f"unknown alloy {r['alloy']!r}; add it to alloys.csv or leave alloy empty",
    )
    row = table.reindex(key.where(has & known))
    fam_ok = row["family"].to_numpy(dtype=object) == g["family"].to_numpy(dtype=object)
    report(
        pd.Series(has & known & ~fam_ok, index=g.index),
        "alloy",
        lambda r: f"alloy {r['alloy']!r} belongs to another family than {r['family']!r}",
    )
    use = has & known & fam_ok
    g["structural_limit_C"] = np.where(
        use, pd.to_numeric(row["service_limit_C"], errors="coerce"), limit
    )
    g["limit_kind"] = np.where(use, row["limit_kind"].fillna("").to_numpy(dtype=object), kind)
    g["limit_source"] = np.where(use, row["limit_source"].fillna("").to_numpy(dtype=object), src)
    g["beta_model"] = np.where(
        use, row["beta_model"].fillna("family").to_numpy(dtype=object), "family"
    )
