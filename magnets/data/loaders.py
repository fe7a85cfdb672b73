"""Loaders of the library's small tables: families, compositions, elements and rules.

Each takes the raw tables of every layer (built-in first, user layers after) and returns
one merged frame plus the problems found; a later layer's row replaces an earlier one with
the same id. Grades, which need families and compositions, load in :mod:`magnets.data.grades`.
"""

from __future__ import annotations

import pandas as pd

from magnets.data.chemistry import ELEMENTS, NON_ELEMENT_COLUMNS, formula_wt_pct, wt_column
from magnets.data.rating_columns import ALLOY_NUMERIC, ALLOY_TEXT, check_alloys
from magnets.data.schema import (
    BAND_ELEMENTS,
    COMPOSITION_BASES,
    ELEMENT_NUMERIC,
    FAMILIES,
    FAMILY_NUMERIC,
    FAMILY_ROUTES,
    MASS_SUM_TOLERANCE_WT_PCT,
    RULE_COLUMNS,
)
from magnets.data.tables import RawTable, empty_table, missing_columns, numeric, text_columns
from magnets.errors import Problem

COMPOSITION_TEXT = ["id", "basis", "formula", "balance", "method", "source"]
ELEMENT_TEXT = [
    "symbol",
    "name",
    "oxide_formula",
    "production_basis",
    "production_scope",
    "production_source",
    "price_basis",
    "price_date",
    "price_source",
    "notes",
]


def wt_columns() -> list[str]:
    """The composition's mass-fraction columns: one per tracked element, then the binder."""
    return [wt_column(el) for el in ELEMENTS] + list(NON_ELEMENT_COLUMNS)


def band_columns() -> list[str]:
    """The composition's band columns: ``<El>_wt_pct_low`` and ``_high`` per banded element."""
    return [f"{wt_column(el)}_{end}" for el in BAND_ELEMENTS for end in ("low", "high")]


def load_families(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    """Family defaults indexed by family id; every known family must have a row."""
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + missing_columns(raw, ["id", *FAMILY_NUMERIC])
        frame, p = numeric(raw, FAMILY_NUMERIC)
        problems += p
        frames.append(text_columns(frame, ["id", "source"]))
    fam = (
        pd.concat(frames, ignore_index=True)
        if frames
        else empty_table(["id", "source", *FAMILY_NUMERIC])
    )
    for line, fid, path in zip(fam["_line"], fam["id"], fam["_file"]):
        if fid not in FAMILY_ROUTES:
            problems.append(
                Problem(
                    path,
                    int(line),
                    "id",
                    f"expected a family among {', '.join(FAMILIES)}, instead received {fid!r}",
                )
            )
    fam = fam.drop_duplicates("id", keep="last").set_index("id", drop=False)
    for fid in FAMILIES:
        if fid not in fam.index:
            problems.append(
                Problem(
                    raws[0].path if raws else "materials/families.csv",
                    None,
                    "id",
                    f"family {fid!r} has no row of defaults",
                )
            )
    return fam, problems


def _row_problem(comp: pd.DataFrame, idx, column: str | None, message: str) -> Problem:
    return Problem(comp.at[idx, "_file"], int(comp.at[idx, "_line"]), column, message)


def _read_compositions(raws: list[RawTable], problems: list[Problem]) -> pd.DataFrame:
    wt_cols = wt_columns()
    frames = []
    for raw in raws:
        problems += raw.problems + missing_columns(raw, ["id", "basis", "method", "source"])
        unknown = [c for c in raw.frame.columns if c.endswith("_wt_pct") and c not in wt_cols]
        for c in unknown:
            problems.append(
                Problem(
                    raw.path,
                    None,
                    c,
                    "unknown element column; expected <Symbol>_wt_pct for one of "
                    + " ".join(ELEMENTS)
                    + ", or binder_wt_pct",
                )
            )
        frame, p = numeric(raw, wt_cols + band_columns())
        problems += p
        frames.append(text_columns(frame, COMPOSITION_TEXT))
    if not frames:
        return empty_table([*COMPOSITION_TEXT, *wt_cols, *band_columns()])
    return pd.concat(frames, ignore_index=True)


def _apply_formulas(comp: pd.DataFrame, problems: list[Problem]) -> None:
    """Formula rows: element fractions from pymatgen, scaled to what the binder leaves."""
    for idx in comp.index[comp["formula"] != ""]:
        formula = comp.at[idx, "formula"]
        try:
            fractions = formula_wt_pct(formula)
        except Exception:  # pymatgen raises several types for a bad formula
            problems.append(
                _row_problem(
                    comp,
                    idx,
                    "formula",
                    f"expected a chemical formula such as SrFe12O19, instead received {formula!r}",
                )
            )
            continue
        binder = comp.at[idx, "binder_wt_pct"]
        scale = (100.0 - (0.0 if pd.isna(binder) else binder)) / 100.0
        for el, w in fractions.items():
            if wt_column(el) not in comp.columns:
                problems.append(
                    _row_problem(
                        comp,
                        idx,
                        "formula",
                        f"element {el} is not tracked; "
                        f"expected elements among {' '.join(ELEMENTS)}",
                    )
                )
                continue
            comp.at[idx, wt_column(el)] = w * scale


def _apply_balance(comp: pd.DataFrame, problems: list[Problem]) -> None:
    """The row's ``balance`` element takes what the other fractions leave of 100 wt%."""
    total = comp[wt_columns()].fillna(0.0).sum(axis=1)
    for idx in comp.index[comp["balance"] != ""]:
        el = comp.at[idx, "balance"]
        col = wt_column(el)
        if col not in comp.columns or el not in ELEMENTS:
            problems.append(
                _row_problem(
                    comp,
                    idx,
                    "balance",
                    f"expected an element symbol among {' '.join(ELEMENTS)}, "
                    f"instead received {el!r}",
                )
            )
            continue
        current = 0.0 if pd.isna(comp.at[idx, col]) else comp.at[idx, col]
        rest = 100.0 - (total[idx] - current)
        if rest < 0:
            problems.append(
                _row_problem(
                    comp,
                    idx,
                    col,
                    f"the other elements already sum to {total[idx] - current:.2f} wt%, "
                    f"so the balance {el} would be negative; lower them",
                )
            )
        comp.at[idx, col] = max(rest, 0.0)


def _apply_bands(comp: pd.DataFrame, problems: list[Problem]) -> None:
    """An empty band end takes the point value; a band holds its value (low <= value <= high)."""
    for el in BAND_ELEMENTS:
        col = wt_column(el)
        lo, hi = f"{col}_low", f"{col}_high"
        comp[lo] = comp[lo].fillna(comp[col])
        comp[hi] = comp[hi].fillna(comp[col])
        tol = 1e-9
        bad = (comp[lo] > comp[col] + tol) | (comp[hi] < comp[col] - tol)
        for idx in comp.index[bad]:
            problems.append(
                _row_problem(
                    comp,
                    idx,
                    lo if comp.at[idx, lo] > comp.at[idx, col] + tol else hi,
                    f"{el} band {comp.at[idx, lo]:g}-{comp.at[idx, hi]:g} wt% does not hold "
                    f"the value {comp.at[idx, col]:g} wt%; expected low <= {col} <= high",
                )
            )


def _check_compositions(comp: pd.DataFrame, problems: list[Problem]) -> None:
    """Mass sums, basis, provenance and duplicate ids within a layer."""
    sums = comp[wt_columns()].sum(axis=1)
    for idx in comp.index[(sums - 100.0).abs() > MASS_SUM_TOLERANCE_WT_PCT]:
        problems.append(
            _row_problem(
                comp,
                idx,
                None,
                f"mass fractions sum to {sums[idx]:.2f} wt%, expected 100 +/- "
                f"{MASS_SUM_TOLERANCE_WT_PCT}; fix a fraction or name a `balance` element",
            )
        )
    for idx in comp.index[~comp["basis"].isin(COMPOSITION_BASES)]:
        problems.append(
            _row_problem(
                comp,
                idx,
                "basis",
                f"expected one of {', '.join(sorted(COMPOSITION_BASES))}, "
                f"instead received {comp.at[idx, 'basis']!r}",
            )
        )
    for col in ("method", "source"):
        for idx in comp.index[comp[col] == ""]:
            problems.append(
                _row_problem(
                    comp,
                    idx,
                    col,
                    f"empty {col}: every composition says how it was obtained and from what",
                )
            )
    key = comp["id"].str.casefold()
    dups = key.duplicated(keep=False) & comp.groupby(key)["_layer"].transform("nunique").eq(1)
    for idx in comp.index[dups]:
        problems.append(
            _row_problem(
                comp, idx, "id", f"composition id {comp.at[idx, 'id']!r} appears more than once"
            )
        )


def load_compositions(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    """Compositions indexed by id, every element column in wt% (formula and balance applied)."""
    problems: list[Problem] = []
    comp = _read_compositions(raws, problems)
    _apply_formulas(comp, problems)
    _apply_balance(comp, problems)
    wt_cols = wt_columns()
    comp[wt_cols] = comp[wt_cols].fillna(0.0)
    _apply_bands(comp, problems)
    _check_compositions(comp, problems)
    comp = comp.drop_duplicates("id", keep="last").set_index("id", drop=False)
    return comp, problems


def load_alloys(raws: list[RawTable], families: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Alloys with their own service limit or HcJ(T) model (materials/alloys.csv)."""
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + missing_columns(raw, ["id", "family", *ALLOY_NUMERIC])
        frame, p = numeric(raw, ALLOY_NUMERIC)
        problems += p
        frames.append(text_columns(frame, ALLOY_TEXT))
    alloys = pd.concat(frames, ignore_index=True) if frames else empty_table(ALLOY_TEXT)
    if not frames:
        alloys["service_limit_C"] = pd.Series([], dtype="float64")
    problems += check_alloys(alloys, families)
    return alloys, problems


def load_elements(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    """Element facts (production, China's shares, price) indexed by symbol."""
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + missing_columns(raw, ["symbol", "oxide_formula"])
        frame, p = numeric(raw, ELEMENT_NUMERIC)
        problems += p
        frames.append(text_columns(frame, ELEMENT_TEXT))
    el = (
        pd.concat(frames, ignore_index=True)
        if frames
        else empty_table(["symbol", *ELEMENT_NUMERIC])
    )
    return el.drop_duplicates("symbol", keep="last").set_index("symbol", drop=False), problems


def load_rules(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    """Export-control rules as text, each date cell checked as YYYY-MM-DD."""
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + missing_columns(raw, RULE_COLUMNS)
        frames.append(text_columns(raw.frame.copy(), RULE_COLUMNS))
    rules = pd.concat(frames, ignore_index=True) if frames else empty_table(RULE_COLUMNS)
    for col in ("announced", "effective", "suspended_from", "suspended_until"):
        if col not in rules:
            continue
        text = rules[col].fillna("").astype(str)
        parsed = pd.to_datetime(text.where(text != "", None), errors="coerce", format="%Y-%m-%d")
        for idx in rules.index[(text != "") & parsed.isna()]:
            problems.append(
                Problem(
                    rules.at[idx, "_file"],
                    int(rules.at[idx, "_line"]),
                    col,
                    f"expected a date YYYY-MM-DD, instead received {text[idx]!r}",
                )
            )
    return rules, problems


__all__ = [
    "band_columns",
    "load_alloys",
    "load_compositions",
    "load_elements",
    "load_families",
    "load_rules",
    "wt_columns",
]
