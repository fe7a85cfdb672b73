"""Load and validate the data library: grades, compositions, families, elements, rules.

One entry point, :func:`load_library`, returns a :class:`Library` holding plain pandas
tables plus every problem found, each as ``(file, line, column, message)``. Nothing here
raises on bad data: problems are values, so ``magnets data check`` can print all of them.
Commands that need a clean library call :meth:`Library.raise_for_problems`.

Files are CSV with ``#`` comment lines at the top (the header documents each column);
line numbers in problems are the real file lines.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from magnets.data.chemistry import ELEMENTS, NON_ELEMENT_COLUMNS, formula_wt_pct, wt_column
from magnets.errors import AmbiguousGradeError, DataError, Problem, UnknownGradeError
from magnets.units import bhmax_limit_kj_m3

FAMILY_ROUTES: dict[str, frozenset[str]] = {
    "ndfeb-sintered": frozenset({"bulk", "gbd-dy", "gbd-tb", "dy-free"}),
    "ndfeb-hot-deformed": frozenset({"bulk", "gbd-dy", "gbd-tb", "dy-free"}),
    "ndfeb-bonded": frozenset({"bonded"}),
    "smco5": frozenset({"sintered", "bonded"}),
    "sm2co17": frozenset({"sintered", "bonded"}),
    "smco-tc": frozenset({"sintered", "bonded"}),
    "ferrite": frozenset({"sintered", "bonded"}),
}
FAMILIES = tuple(FAMILY_ROUTES)
ROUTES = ("bulk", "gbd-dy", "gbd-tb", "dy-free", "bonded", "sintered")
SMCO_FAMILIES = frozenset({"smco5", "sm2co17", "smco-tc"})
NDFEB_FAMILIES = frozenset({"ndfeb-sintered", "ndfeb-hot-deformed", "ndfeb-bonded"})

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
BASES = frozenset({"min", "typ"})
COMPOSITION_BASES = frozenset({"sourced", "derived", "estimate"})

GRADE_TEXT = [
    "id",
    "name",
    "manufacturer",
    "family",
    "route",
    "Br_basis",
    "HcB_basis",
    "HcJ_basis",
    "BHmax_basis",
    "coef_range_C",
    "max_temp_condition",
    "composition",
    "source",
    "coef_source",
    "notes",
]
GRADE_NUMERIC = [
    "max_temp_pc",
    "Br_T",
    "HcB_kA_m",
    "HcJ_kA_m",
    "BHmax_kJ_m3",
    "alpha_Br_pct_per_K",
    "beta_HcJ_pct_per_K",
    "max_temp_C",
    "curie_C",
    "density_g_cm3",
    "mu_rec",
    "squareness",
]
GRADE_REQUIRED = ["id", "name", "family", "route", "Br_T", "HcJ_kA_m", "composition", "source"]
FAMILY_NUMERIC = [
    "T0_C",
    "mu_rec",
    "squareness",
    "alpha_Br_pct_per_K",
    "curie_C",
    "density_g_cm3",
    "structural_limit_C",
    "beta_min_pct_per_K",
    "beta_max_pct_per_K",
]
#: grade columns filled from the family where the grade leaves them empty
FAMILY_DEFAULTED = ["alpha_Br_pct_per_K", "curie_C", "density_g_cm3", "mu_rec", "squareness"]
ELEMENT_NUMERIC = [
    "production_t",
    "production_year",
    "china_mining_share_pct",
    "china_refining_share_pct",
    "china_share_year",
    "price_usd_per_kg",
]
RULE_COLUMNS = [
    "id",
    "authority",
    "announcement",
    "elements",
    "forms",
    "effective",
    "status",
    "suspended_from",
    "suspended_until",
    "status_after_suspension",
    "source",
]

MASS_SUM_TOLERANCE_WT_PCT = 0.5
BHMAX_TOLERANCE = 0.03
SMCO_RE_RANGE_WT_PCT = (20.0, 40.0)


# --------------------------------------------------------------------------- reading


@dataclass
class RawTable:
    """A CSV table read with its file lines: ``frame`` has a ``_line`` column."""

    path: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def read_commented_csv(text: str, path: str) -> RawTable:
    """Parse CSV text whose leading ``#`` lines are comments, keeping each record's file line.

    Comment lines are blanked rather than dropped so that the csv module's line counter
    stays equal to the file's line numbers (quoted fields may span lines).
    """
    lines = text.splitlines(keepends=True)
    cleaned = ["\n" if ln.lstrip().startswith("#") else ln for ln in lines]
    reader = csv.reader(io.StringIO("".join(cleaned)))
    header: list[str] | None = None
    rows: list[list[str]] = []
    line_nos: list[int] = []
    problems: list[Problem] = []
    start = 1
    for rec in reader:
        if not rec or all(not c.strip() for c in rec):
            start = reader.line_num + 1
            continue
        if header is None:
            header = [h.strip() for h in rec]
            start = reader.line_num + 1
            continue
        if len(rec) != len(header):
            problems.append(
                Problem(
                    path,
                    start,
                    None,
                    f"expected {len(header)} fields as in the header, instead received {len(rec)}; "
                    "quote cells that contain commas",
                )
            )
            rec = (rec + [""] * len(header))[: len(header)]
        rows.append([c.strip() for c in rec])
        line_nos.append(start)
        start = reader.line_num + 1
    if header is None:
        return RawTable(
            path,
            pd.DataFrame({"_line": pd.Series([], dtype="int64")}),
            [Problem(path, None, None, "no header row found")],
        )
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        problems.append(
            Problem(path, None, ", ".join(dup), "column appears more than once in the header")
        )
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame(columns=header, dtype=object)
    )
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame["_line"] = np.asarray(line_nos, dtype="int64")
    frame["_file"] = path
    return RawTable(path, frame, problems)


def _read_path(path: Path, label: str) -> RawTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return RawTable(
            label,
            pd.DataFrame({"_line": pd.Series([], dtype="int64")}),
            [Problem(label, None, None, "file is not UTF-8 text; save it as UTF-8 CSV")],
        )
    except OSError as exc:
        return RawTable(
            label,
            pd.DataFrame({"_line": pd.Series([], dtype="int64")}),
            [Problem(label, None, None, f"cannot read file: {exc.strerror or exc}")],
        )
    return read_commented_csv(text, label)


def _to_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(raw: RawTable, columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert text columns to float64, reporting each cell that is not a number.

    The library is small (hundreds of cells per column), so plain Python per cell is
    faster here than pandas' per-column machinery.
    """
    frame = raw.frame.copy()
    problems: list[Problem] = []
    lines = frame["_line"].tolist()
    for col in columns:
        if col not in frame.columns:
            frame[col] = np.nan
            continue
        values = []
        for line, cell in zip(lines, frame[col].tolist()):
            text = "" if cell is None or cell != cell else str(cell).strip()
            if text == "":
                values.append(np.nan)
                continue
            number = _to_float(text)
            if number is None:
                problems.append(
                    Problem(
                        raw.path, int(line), col, f"expected a number, instead received {text!r}"
                    )
                )
                number = np.nan
            values.append(number)
        frame[col] = np.asarray(values, dtype="float64")
    return frame, problems


def _text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for col in columns:
        if col not in frame.columns:
            frame[col] = ""
            continue
        frame[col] = np.asarray(
            ["" if c is None or c != c else str(c).strip() for c in frame[col].tolist()],
            dtype=object,
        )
    return frame


def _empty(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    frame["_line"] = pd.Series([], dtype="int64")
    frame["_file"] = pd.Series([], dtype=object)
    frame["_layer"] = pd.Series([], dtype="int64")
    return frame


def _missing_columns(raw: RawTable, required: list[str]) -> list[Problem]:
    missing = [c for c in required if c not in raw.frame.columns]
    return [
        Problem(raw.path, None, c, "required column is missing from the header") for c in missing
    ]


# --------------------------------------------------------------------------- library


@dataclass(frozen=True)
class Library:
    """The loaded data library. Tables are plain pandas; see ``materials/README.md`` for columns."""

    grades: pd.DataFrame
    compositions: pd.DataFrame
    families: pd.DataFrame
    elements: pd.DataFrame
    rules: pd.DataFrame
    problems: tuple[Problem, ...]
    version: str
    sources: tuple[str, ...]
    #: alloys with their own service limit or HcJ(T) model (materials/alloys.csv)
    alloys: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())

    # ---- lookup
    def _lookup_tables(self) -> tuple[dict[str, int], dict[str, list[int]]]:
        cache = self.__dict__.get("_lookup_cache")
        if cache is None:
            ids = {str(k).casefold(): i for i, k in enumerate(self.grades.index)}
            names: dict[str, list[int]] = {}
            for i, n in enumerate(self.grades["name"].astype(str)):
                names.setdefault(n.casefold(), []).append(i)
            cache = (ids, names)
            object.__setattr__(self, "_lookup_cache", cache)
        return cache

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The closest grade ids to ``name`` (for "did you mean")."""
        ids = list(self.grades.index.astype(str))
        folded = {i.casefold(): i for i in ids}
        hits = difflib.get_close_matches(str(name).casefold(), list(folded), n=n, cutoff=0.6)
        return [folded[h] for h in hits]

    def position(self, name: str) -> int:
        """Row position of a grade by id (case-insensitive) or by unique display name."""
        ids, names = self._lookup_tables()
        key = str(name).strip().casefold()
        if key in ids:
            return ids[key]
        hits = names.get(key, [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise AmbiguousGradeError(str(name), [str(self.grades.index[i]) for i in hits])
        raise UnknownGradeError(str(name), self.suggest(name))

    def get(self, name: str) -> pd.Series:
        """One grade's row (all columns) by id or display name."""
        return self.grades.iloc[self.position(name)]

    def resolve(self, names) -> tuple[np.ndarray, np.ndarray]:
        """Resolve many grade names at once.

        Returns ``(positions, messages)``: int64 row positions (-1 where not resolved) and
        the reason for each unresolved one ('' where resolved). Work is done once per
        distinct name, then broadcast.
        """
        values = pd.Series(np.asarray(names, dtype=object)).astype(object)
        codes, uniques = pd.factorize(values.where(values.notna(), ""), sort=False)
        pos_u = np.full(len(uniques), -1, dtype=np.int64)
        msg_u = np.empty(len(uniques), dtype=object)
        for k, name in enumerate(uniques):  # one per distinct name, not per row
            text = str(name).strip()
            if not text:
                msg_u[k] = "grade is empty: give a library id (see `magnets grades`)"
                continue
            try:
                pos_u[k] = self.position(text)
                msg_u[k] = ""
            except (UnknownGradeError, AmbiguousGradeError) as exc:
                msg_u[k] = str(exc)
        codes = np.where(codes < 0, 0, codes) if len(uniques) else codes
        if len(uniques) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        return pos_u[codes], msg_u[codes]

    def raise_for_problems(self) -> None:
        if self.problems:
            raise DataError(
                f"the data library has {len(self.problems)} problem(s); run `magnets data check` to list them: "
                + str(self.problems[0]),
                list(self.problems),
            )


def _builtin_root() -> Path:
    return Path(str(resources.files("magnets.materials")))


def _collect(dirpath: Path, stem: str, subdir: str | None = None) -> list[Path]:
    files = sorted(dirpath.glob(f"{stem}*.csv"))
    if subdir and (dirpath / subdir).is_dir():
        files += sorted((dirpath / subdir).glob("*.csv"))
    return files


def _label(path: Path, root: Path, builtin: bool) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = path
    return f"materials/{rel.as_posix()}" if builtin else str(path)


def _load_families(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + _missing_columns(raw, ["id", *FAMILY_NUMERIC])
        frame, p = _numeric(raw, FAMILY_NUMERIC)
        problems += p
        frames.append(_text(frame, ["id", "source"]))
    fam = (
        pd.concat(frames, ignore_index=True)
        if frames
        else _empty(["id", "source", *FAMILY_NUMERIC])
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


def _load_compositions(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    frames = []
    wt_cols = [wt_column(el) for el in ELEMENTS] + list(NON_ELEMENT_COLUMNS)
    for raw in raws:
        problems += raw.problems + _missing_columns(raw, ["id", "basis", "method", "source"])
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
        frame, p = _numeric(raw, wt_cols)
        problems += p
        frames.append(_text(frame, ["id", "basis", "formula", "balance", "method", "source"]))
    comp = (
        pd.concat(frames, ignore_index=True)
        if frames
        else _empty(["id", "basis", "formula", "balance", "method", "source", *wt_cols])
    )
    # formula rows: element fractions from pymatgen, scaled to what the binder leaves
    for idx in comp.index[comp["formula"] != ""]:
        formula = comp.at[idx, "formula"]
        try:
            fractions = formula_wt_pct(formula)
        except Exception:  # pymatgen raises several types for a bad formula
            problems.append(
                Problem(
                    comp.at[idx, "_file"],
                    int(comp.at[idx, "_line"]),
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
                    Problem(
                        comp.at[idx, "_file"],
                        int(comp.at[idx, "_line"]),
                        "formula",
                        f"element {el} is not tracked; expected elements among {' '.join(ELEMENTS)}",
                    )
                )
                continue
            comp.at[idx, wt_column(el)] = w * scale
    # balance element takes the remainder
    filled = comp[wt_cols].fillna(0.0)
    total = filled.sum(axis=1)
    has_bal = comp["balance"] != ""
    for idx in comp.index[has_bal]:
        el = comp.at[idx, "balance"]
        col = wt_column(el)
        if col not in comp.columns or el not in ELEMENTS:
            problems.append(
                Problem(
                    comp.at[idx, "_file"],
                    int(comp.at[idx, "_line"]),
                    "balance",
                    f"expected an element symbol among {' '.join(ELEMENTS)}, instead received {el!r}",
                )
            )
            continue
        current = 0.0 if pd.isna(comp.at[idx, col]) else comp.at[idx, col]
        rest = 100.0 - (total[idx] - current)
        if rest < 0:
            problems.append(
                Problem(
                    comp.at[idx, "_file"],
                    int(comp.at[idx, "_line"]),
                    col,
                    f"the other elements already sum to {total[idx] - current:.2f} wt%, "
                    f"so the balance {el} would be negative; lower them",
                )
            )
        comp.at[idx, col] = max(rest, 0.0)
    comp[wt_cols] = comp[wt_cols].fillna(0.0)
    sums = comp[wt_cols].sum(axis=1)
    bad = (sums - 100.0).abs() > MASS_SUM_TOLERANCE_WT_PCT
    for idx in comp.index[bad]:
        problems.append(
            Problem(
                comp.at[idx, "_file"],
                int(comp.at[idx, "_line"]),
                None,
                f"mass fractions sum to {sums[idx]:.2f} wt%, expected 100 +/- "
                f"{MASS_SUM_TOLERANCE_WT_PCT}; fix a fraction or name a `balance` element",
            )
        )
    for idx in comp.index[~comp["basis"].isin(COMPOSITION_BASES)]:
        problems.append(
            Problem(
                comp.at[idx, "_file"],
                int(comp.at[idx, "_line"]),
                "basis",
                f"expected one of {', '.join(sorted(COMPOSITION_BASES))}, "
                f"instead received {comp.at[idx, 'basis']!r}",
            )
        )
    for col in ("method", "source"):
        for idx in comp.index[comp[col] == ""]:
            problems.append(
                Problem(
                    comp.at[idx, "_file"],
                    int(comp.at[idx, "_line"]),
                    col,
                    f"empty {col}: every composition says how it was obtained and from what",
                )
            )
    key = comp["id"].str.casefold()
    dups = key.duplicated(keep=False) & comp.groupby(key)["_layer"].transform("nunique").eq(1)
    for idx in comp.index[dups]:
        problems.append(
            Problem(
                comp.at[idx, "_file"],
                int(comp.at[idx, "_line"]),
                "id",
                f"composition id {comp.at[idx, 'id']!r} appears more than once",
            )
        )
    comp = comp.drop_duplicates("id", keep="last").set_index("id", drop=False)
    return comp, problems


def _load_alloys(
    raws: list[RawTable], families: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    from magnets.data.rating_columns import ALLOY_NUMERIC, ALLOY_TEXT, check_alloys

    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + _missing_columns(raw, ["id", "family", *ALLOY_NUMERIC])
        frame, p = _numeric(raw, ALLOY_NUMERIC)
        problems += p
        frames.append(_text(frame, ALLOY_TEXT))
    alloys = pd.concat(frames, ignore_index=True) if frames else _empty(ALLOY_TEXT)
    if not frames:
        alloys["service_limit_C"] = pd.Series([], dtype="float64")
    problems += check_alloys(alloys, families)
    return alloys, problems


def _load_grades(
    raws: list[RawTable],
    families: pd.DataFrame,
    compositions: pd.DataFrame,
    alloys: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + _missing_columns(raw, GRADE_REQUIRED)
        frame, p = _numeric(raw, GRADE_NUMERIC)
        problems += p
        frames.append(_text(frame, GRADE_TEXT))
    if not frames:
        problems.append(Problem("materials/grades", None, None, "no grade files found"))
        empty = _empty(GRADE_TEXT)
        for col in GRADE_NUMERIC:
            empty[col] = pd.Series([], dtype="float64")
        frames = [empty]
    g = pd.concat(frames, ignore_index=True)

    def report(mask: pd.Series, column: str | None, message) -> None:
        for idx in g.index[mask.to_numpy()]:
            msg = message(g.loc[idx]) if callable(message) else message
            problems.append(Problem(g.at[idx, "_file"], int(g.at[idx, "_line"]), column, msg))

    # ids: pattern and uniqueness within a layer (a later layer overrides an earlier one)
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
    # keep the last definition of each id (user layers come last)
    g = g.loc[~folded.duplicated(keep="last")].copy()

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
    for col in (
        "Br_T",
        "HcJ_kA_m",
        "HcB_kA_m",
        "BHmax_kJ_m3",
        "density_g_cm3",
        "mu_rec",
        "squareness",
    ):
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

    # composition link
    comp_ok = g["composition"].isin(compositions.index)
    report(
        (g["composition"] != "") & ~comp_ok,
        "composition",
        lambda r: f"unknown composition {r['composition']!r}; add it to compositions.csv",
    )

    # family defaults where the grade is silent; remember which were defaulted
    fam = families.reindex(g["family"])
    for col in FAMILY_DEFAULTED:
        given = g[col].notna().to_numpy()
        g[f"{col}_source"] = np.where(given, "grade", "family default")
        if col in fam.columns:
            g[col] = np.where(given, g[col].to_numpy(), fam[col].to_numpy(dtype="float64"))
    g = g.rename(columns={"alpha_Br_pct_per_K_source": "alpha_source"})
    g["T0_C"] = fam["T0_C"].to_numpy(dtype="float64") if "T0_C" in fam.columns else np.nan
    g["T0_C"] = g["T0_C"].fillna(20.0)
    # rating criterion/basis and the service limit of the grade's alloy (else its family's)
    from magnets.data.rating_columns import apply_rating_columns

    apply_rating_columns(g, families, alloys if alloys is not None else _empty(["id"]), report)

    # physical consistency
    like = (g["Br_basis"] == g["BHmax_basis"]) & g["BHmax_kJ_m3"].notna() & g["Br_T"].notna()
    limit = bhmax_limit_kj_m3(g["Br_T"])
    report(
        like & (g["BHmax_kJ_m3"] > limit * (1 + BHMAX_TOLERANCE)),
        "BHmax_kJ_m3",
        lambda r: (
            f"BHmax {r['BHmax_kJ_m3']:.0f} kJ/m3 exceeds Br^2/(4 mu0) = "
            f"{bhmax_limit_kj_m3(r['Br_T']):.0f} kJ/m3 for Br {r['Br_T']} T ({r['Br_basis']}) by more than 3%"
        ),
    )
    report(
        g["HcB_kA_m"].notna() & g["HcJ_kA_m"].notna() & (g["HcB_kA_m"] > g["HcJ_kA_m"]),
        "HcB_kA_m",
        lambda r: f"HcB {r['HcB_kA_m']} kA/m exceeds HcJ {r['HcJ_kA_m']} kA/m; HcB <= HcJ always",
    )
    bmin = (
        fam["beta_min_pct_per_K"].to_numpy(dtype="float64")
        if "beta_min_pct_per_K" in fam
        else np.nan
    )
    bmax = (
        fam["beta_max_pct_per_K"].to_numpy(dtype="float64")
        if "beta_max_pct_per_K" in fam
        else np.nan
    )
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
            f"catalogue rating {r['max_temp_C']} degC is not below the Curie temperature {r['curie_C']} degC"
        ),
    )

    # element fractions from the composition
    wt_cols = [wt_column(el) for el in ELEMENTS] + list(NON_ELEMENT_COLUMNS)
    comp = compositions.reindex(g["composition"])
    for col in wt_cols:
        g[col] = comp[col].to_numpy(dtype="float64") if col in comp.columns else np.nan
    g["composition_basis"] = comp["basis"].fillna("").to_numpy() if "basis" in comp else ""
    g["composition_method"] = comp["method"].fillna("").to_numpy() if "method" in comp else ""
    g["composition_source"] = comp["source"].fillna("").to_numpy() if "source" in comp else ""
    g["Dy_Tb_wt_pct"] = g["Dy_wt_pct"] + g["Tb_wt_pct"]
    re_sum = g[[wt_column(e) for e in ("Sm", "Gd", "Pr", "Er")]].sum(axis=1)
    lo, hi = SMCO_RE_RANGE_WT_PCT
    report(
        g["family"].isin(SMCO_FAMILIES) & comp_ok & ((re_sum < lo) | (re_sum > hi)),
        "composition",
        lambda r: (
            f"SmCo rare earths (Sm+Gd+Pr+Er) are "
            f"{sum(r[wt_column(e)] for e in ('Sm', 'Gd', 'Pr', 'Er')):.1f} wt%, expected {lo:.0f}-{hi:.0f} wt%"
        ),
    )
    g = g.drop(columns=["_bmin", "_bmax"])
    g = g.set_index(pd.Index(g["id"].to_numpy(), name="grade"))
    return g, problems


def _load_elements(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + _missing_columns(raw, ["symbol", "oxide_formula"])
        frame, p = _numeric(raw, ELEMENT_NUMERIC)
        problems += p
        frames.append(
            _text(
                frame,
                [
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
                ],
            )
        )
    el = pd.concat(frames, ignore_index=True) if frames else _empty(["symbol", *ELEMENT_NUMERIC])
    return el.drop_duplicates("symbol", keep="last").set_index("symbol", drop=False), problems


def _load_rules(raws: list[RawTable]) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    frames = []
    for raw in raws:
        problems += raw.problems + _missing_columns(raw, RULE_COLUMNS)
        frames.append(_text(raw.frame.copy(), RULE_COLUMNS))
    rules = pd.concat(frames, ignore_index=True) if frames else _empty(RULE_COLUMNS)
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


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha1()
    for p in paths:
        with contextlib.suppress(OSError):
            h.update(p.read_bytes())
    return h.hexdigest()[:10]


def _layers(user_dirs: tuple[Path, ...]) -> list[tuple[Path, bool]]:
    return [(_builtin_root(), True)] + [(Path(d), False) for d in user_dirs]


def user_dirs_from_env(extra: list | tuple | None = None) -> tuple[Path, ...]:
    """User library folders: ``MAGNETS_LIBRARY`` (os.pathsep-separated) then ``extra``."""
    dirs: list[Path] = []
    env = os.environ.get("MAGNETS_LIBRARY", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in (extra or [])]
    return tuple(dirs)


def load_library(user_dirs=None) -> Library:
    """Load the built-in library and any user libraries over it (cached per set of folders).

    ``user_dirs``: folders holding ``grades*.csv`` (or ``grades/*.csv``), ``compositions*.csv``
    and ``families*.csv`` in the built-in format, or such files themselves; their rows replace built-in rows with the
    same id (case-insensitive) and add new ones. A folder that does not exist is a problem.
    """
    dirs = tuple(Path(d).resolve() for d in (user_dirs or ()))
    return _load_library_cached(dirs)


@lru_cache(maxsize=8)
def _load_library_cached(dirs: tuple[Path, ...]) -> Library:
    problems: list[Problem] = []
    tables: dict[str, list[RawTable]] = {
        "grades": [],
        "compositions": [],
        "families": [],
        "elements": [],
        "export_controls": [],
        "alloys": [],
    }
    all_paths: list[Path] = []
    for layer, (root, builtin) in enumerate(_layers(dirs)):
        if root.is_file() and not builtin:
            kind = next(
                (
                    k
                    for k in ("grades", "compositions", "families", "alloys")
                    if root.name.startswith(k)
                ),
                None,
            )
            if kind is None or root.suffix.lower() != ".csv":
                problems.append(
                    Problem(
                        str(root),
                        None,
                        None,
                        "a library file must be a CSV named grades*.csv, compositions*.csv, "
                        "families*.csv or alloys*.csv",
                    )
                )
                continue
            raw = _read_path(root, str(root))
            raw.frame["_layer"] = layer
            tables[kind].append(raw)
            all_paths.append(root)
            continue
        if not root.is_dir():
            problems.append(
                Problem(
                    str(root),
                    None,
                    None,
                    "library folder does not exist; give a folder holding grades*.csv files",
                )
            )
            continue
        found = {
            "grades": _collect(root, "grades", "grades"),
            "compositions": _collect(root, "compositions"),
            "families": _collect(root, "families"),
            "elements": _collect(root, "elements") if builtin else [],
            "export_controls": _collect(root, "export_controls") if builtin else [],
            "alloys": _collect(root, "alloys"),
        }
        if not builtin and not any(found.values()):
            problems.append(
                Problem(
                    str(root),
                    None,
                    None,
                    "no grades*.csv, grades/*.csv, compositions*.csv or families*.csv found here",
                )
            )
        for key, paths in found.items():
            for path in paths:
                raw = _read_path(path, _label(path, root, builtin))
                raw.frame["_layer"] = layer
                tables[key].append(raw)
                all_paths.append(path)
    families, p = _load_families(tables["families"])
    problems += p
    compositions, p = _load_compositions(tables["compositions"])
    problems += p
    alloys, p = _load_alloys(tables["alloys"], families)
    problems += p
    grades, p = _load_grades(tables["grades"], families, compositions, alloys)
    problems += p
    elements, p = _load_elements(tables["elements"])
    problems += p
    rules, p = _load_rules(tables["export_controls"])
    problems += p
    problems = sorted(set(problems), key=lambda q: (q.path, q.line or 0, q.column or "", q.message))
    return Library(
        grades=grades,
        compositions=compositions,
        families=families,
        elements=elements,
        rules=rules,
        alloys=alloys,
        problems=tuple(problems),
        version=_digest(all_paths),
        sources=tuple(str(p) for p in all_paths),
    )


def clear_cache() -> None:
    _load_library_cached.cache_clear()
