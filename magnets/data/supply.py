"""Supply figures by element, year and scope (``materials/supply.csv``), and the primary supply
a demand is compared with.

Two pure steps, no physics and no I/O:

* :func:`load_supply` validates the rows read from the CSV files (every problem as
  ``(file, line, column, message)``) and returns one typed table;
* :func:`primary_supply` picks, for each element and model year, the primary figure of one
  scope: ``world`` = world mine production; ``china`` = China's separated output less the
  oxide China recovered from scrap in the same year (the separated figures count scrap-derived
  oxide unless the row says ``includes_recycled = no``), so that a demand already net of
  recycling is never compared with a supply that still contains it. The figure used is the one
  of the latest year at or before the model year; none before the first figure.

A row's ``element`` is a symbol or a group (``PrNd`` for Nd+Pr, ``REO`` for all rare earths);
an element without a figure of its own takes its group's, and its share is then its part of
the group's (Nd2O3 / PrNd oxide), so the shares of the members add up to the group's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from magnets.errors import Problem

COLUMNS = (
    "element",
    "year",
    "scope",
    "basis",
    "value_t",
    "method",
    "includes_recycled",
    "source",
    "note",
)
REQUIRED = ("element", "year", "scope", "basis", "value_t", "source")
SCOPES = (
    "world_mine",
    "china_mine",
    "china_separated",
    "china_recycled",
    "china_quota_mining",
    "china_quota_separation",
)
BASES = ("oxide", "metal")
METHODS = ("reported", "annualised", "derived")
RECYCLED_FLAGS = ("yes", "no", "unknown")
#: groups a row may name instead of one element, and their members
GROUPS: dict[str, tuple[str, ...]] = {
    "PrNd": ("Nd", "Pr"),
    "REO": ("La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Y"),
}
#: the two yardsticks of the fleet: scope name -> the supply rows that make its primary figure
YARDSTICKS = {"world": "world_mine", "china": "china_separated"}
_SOURCE_KEY = re.compile(r"\[[a-z0-9][a-z0-9.-]*\]")
YEAR_RANGE = (1950, 2100)


def _cell(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def _check_row(row: dict[str, str], symbols: frozenset[str]) -> list[tuple[str, str]]:
    """(column, message) for each problem of one row; empty when the row is valid."""
    out: list[tuple[str, str]] = []
    el = row["element"]
    if el not in symbols and el not in GROUPS:
        out.append(
            (
                "element",
                f"expected an element symbol or one of {', '.join(GROUPS)}, "
                f"instead received {el!r}",
            )
        )
    year = row["year"]
    if not re.fullmatch(r"\d{4}", year) or not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        out.append(("year", f"expected a 4-digit year, instead received {year!r}"))
    for col, allowed in (("scope", SCOPES), ("basis", BASES)):
        if row[col] not in allowed:
            out.append(
                (col, f"expected one of {', '.join(allowed)}, instead received {row[col]!r}")
            )
    value = row["value_t"]
    if value:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not number >= 0:
            out.append(("value_t", f"expected tonnes >= 0 or empty, instead received {value!r}"))
        if row["method"] not in METHODS:
            out.append(
                (
                    "method",
                    f"expected one of {', '.join(METHODS)} for a figure, "
                    f"instead received {row['method']!r}",
                )
            )
        if not _SOURCE_KEY.search(row["source"]):
            out.append(
                (
                    "source",
                    "expected a key of SOURCES.md in [] for a figure, "
                    f"instead received {row['source']!r}",
                )
            )
    elif not row["note"]:
        out.append(("note", "an empty value_t needs a note saying what was looked for"))
    flag = row["includes_recycled"]
    if row["scope"] == "china_separated" and value and flag not in RECYCLED_FLAGS:
        out.append(
            (
                "includes_recycled",
                f"expected {', '.join(RECYCLED_FLAGS)} for China's separated output, "
                f"instead received {flag!r}",
            )
        )
    return out


def load_supply(raws: list[Any], symbols: frozenset[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate supply rows read from CSV (objects with ``path``, ``frame`` (text cells plus
    ``_line``) and ``problems``), one table of every valid row.

    ``symbols``: the element symbols of ``elements.csv``. Returns ``(table, problems)``: the table
    has the :data:`COLUMNS` (``year`` int64, ``value_t`` float64, NaN where empty) plus ``_file``
    and ``_line``; a row with a problem is left out and reported, and so is a second row for
    the same (element, year, scope, basis).
    """
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str, str], str] = {}
    for raw in raws:  # a file or two of a few dozen rows: plain Python per row
        problems += list(raw.problems)
        missing = [c for c in REQUIRED if c not in raw.frame.columns]
        problems += [
            Problem(raw.path, None, c, "required column is missing from the header")
            for c in missing
        ]
        if missing:
            continue
        frame = raw.frame
        cells = {c: frame[c].tolist() if c in frame.columns else [""] * len(frame) for c in COLUMNS}
        for i, line in enumerate(frame["_line"].tolist()):
            row = {c: _cell(cells[c][i]) for c in COLUMNS}
            bad = _check_row(row, symbols)
            problems += [Problem(raw.path, int(line), col, msg) for col, msg in bad]
            key = (row["element"], row["year"], row["scope"], row["basis"])
            if not bad and key in seen:
                problems.append(
                    Problem(
                        raw.path,
                        int(line),
                        "element",
                        f"a second row for {'/'.join(key)} (first at {seen[key]}); "
                        "keep one figure per element, year, scope and basis "
                        "and put the others in note",
                    )
                )
                continue
            if bad:
                continue
            seen[key] = f"{raw.path}:{line}"
            records.append({**row, "_file": raw.path, "_line": int(line)})
    table = pd.DataFrame(records, columns=[*COLUMNS, "_file", "_line"])
    table["year"] = table["year"].astype("int64")
    table["value_t"] = pd.to_numeric(table["value_t"].replace("", np.nan)).astype("float64")
    table["_line"] = table["_line"].astype("int64")
    return table, problems


@dataclass(frozen=True)
class PrimarySupply:
    """Primary supply of one yardstick for E elements on Y model years.

    value_t : (E, Y) float, the primary figure (NaN where none at or before the year).
    mult : (E,) float, kg of the figure's basis per kg of element (the oxide factor for an
        oxide figure, 1 for metal): share % = 100 * primary_t * mult / value_t.
    group : (E, Y) object, the row's element (the element itself or its group, '' where none).
    year : (E, Y) int, the year of the figure used (-1 where none).
    basis, source : (E, Y) object, of the figure used ('' where none).
    """

    scope: str
    elements: tuple[str, ...]
    years: np.ndarray
    value_t: np.ndarray
    mult: np.ndarray
    group: np.ndarray
    year: np.ndarray
    basis: np.ndarray
    source: np.ndarray

    def describe(self, e: int, k: int) -> str:
        """One line naming the figure used for element e in model year index k."""
        if not np.isfinite(self.value_t[e, k]):
            return f"{self.elements[e]}: no {self.scope} primary figure"
        scope = "world mine" if self.scope == "world" else "China separated less recycled"
        who = self.group[e, k]
        return (
            f"{who if who == self.elements[e] else self.elements[e] + ' in ' + who}: "
            f"{self.value_t[e, k]:,.0f} t {self.basis[e, k]}, {scope}, {self.year[e, k]} "
            f"{self.source[e, k]}"
        )


def _by_key(table: pd.DataFrame, scope: str) -> dict[tuple[str, str], pd.DataFrame]:
    """value_t and source by year for each (element, basis) of one scope, rows with a value."""
    rows = table[(table["scope"] == scope) & table["value_t"].notna()]
    return {
        (str(el), str(b)): g.set_index("year")[["value_t", "source"]].sort_index()
        for (el, b), g in rows.groupby(["element", "basis"], sort=True)
    }


def _candidates(table: pd.DataFrame, yardstick: str) -> pd.DataFrame:
    """Rows of usable primary figures: element, basis, year, value_t, source."""
    scope = YARDSTICKS[yardstick]
    rows = table[(table["scope"] == scope) & table["value_t"].notna()].copy()
    if yardstick == "china" and len(rows):
        rec = _by_key(table, "china_recycled")
        net, src = [], []
        for el, b, yr, v, flag, s in zip(  # a handful of rows
            rows["element"],
            rows["basis"],
            rows["year"],
            rows["value_t"],
            rows["includes_recycled"],
            rows["source"],
        ):
            r = rec.get((el, b))
            if flag == "no":
                net.append(v)
                src.append(s)
            elif r is not None and yr in r.index:
                net.append(v - r.at[yr, "value_t"])
                src.append(f"{s} less {r.at[yr, 'source']}")
            else:  # scrap-derived oxide included and not known: not a primary figure
                net.append(np.nan)
                src.append(s)
        rows["value_t"] = np.asarray(net, dtype="float64")
        rows["source"] = src
        rows = rows[rows["value_t"] > 0]
    return rows[["element", "basis", "year", "value_t", "source"]]


def primary_supply(
    table: pd.DataFrame, elements: tuple[str, ...], years: np.ndarray, yardstick: str
) -> PrimarySupply:
    """Primary supply of ``yardstick`` ('world' or 'china') per element and model year.

    For each element the element's own rows are used, else its group's (:data:`GROUPS`); in a
    model year the figure is that of the latest year at or before it (``np.searchsorted``
    over the few figure years). Oxide factors come from pymatgen.
    """
    from magnets.data.chemistry import DEFAULT_OXIDES, oxide_factor

    years = np.asarray(years, dtype="int64")
    E, Y = len(elements), len(years)
    value = np.full((E, Y), np.nan)
    group = np.full((E, Y), "", dtype=object)
    year = np.full((E, Y), -1, dtype="int64")
    basis = np.full((E, Y), "", dtype=object)
    source = np.full((E, Y), "", dtype=object)
    mult = np.full(E, np.nan)
    cands = _candidates(table, yardstick)
    for e, el in enumerate(elements):  # seven elements
        names = [el] + [g for g, members in GROUPS.items() if el in members and g != "REO"]
        rows = cands[cands["element"].isin(names)]
        if rows.empty:
            continue
        own = rows[rows["element"] == el]
        rows = (own if len(own) else rows).sort_values("year")
        b = str(rows["basis"].iloc[-1])
        rows = rows[rows["basis"] == b]  # one basis per element and yardstick
        idx = np.searchsorted(rows["year"].to_numpy(), years, side="right") - 1
        ok = idx >= 0
        pick = np.clip(idx, 0, None)
        value[e] = np.where(ok, rows["value_t"].to_numpy()[pick], np.nan)
        year[e] = np.where(ok, rows["year"].to_numpy()[pick], -1)
        group[e] = np.where(ok, rows["element"].to_numpy(dtype=object)[pick], "")
        basis[e] = np.where(ok, b, "")
        source[e] = np.where(ok, rows["source"].to_numpy(dtype=object)[pick], "")
        mult[e] = 1.0 if b == "metal" else (oxide_factor(el) if el in DEFAULT_OXIDES else np.nan)
    return PrimarySupply(yardstick, tuple(elements), years, value, mult, group, year, basis, source)


def group_denominator(ps: PrimarySupply, members: list[int]) -> np.ndarray:
    """(Y,) denominator of an element group: the sum over the distinct figures its members use
    (Nd and Pr share the PrNd figure, counted once); NaN where any member has none."""
    value = ps.value_t[members]  # (M, Y)
    grp, yr = ps.group[members], ps.year[members]
    same = (grp[:, None, :] == grp[None, :, :]) & (yr[:, None, :] == yr[None, :, :])  # (M, M, Y)
    earlier = np.tril(np.ones((len(members), len(members)), dtype=bool), k=-1)[:, :, None]
    first = ~(same & earlier).any(axis=1)  # (M, Y): the first member using that figure
    out = np.where(first, value, 0.0).sum(axis=0)
    return np.where(np.isfinite(value).all(axis=0), out, np.nan)
