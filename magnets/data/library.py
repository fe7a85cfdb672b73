"""The data library: :class:`Library` and :func:`load_library` over layered folders.

One entry point, :func:`load_library`, returns a :class:`Library` holding plain pandas
tables plus every problem found, each as ``(file, line, column, message)``. Nothing here
raises on bad data: problems are values, so ``magnets data check`` can print all of them.
Commands that need a clean library call :meth:`Library.raise_for_problems`.

Layers: the built-in ``materials/`` folder first, then each user folder (or single file)
in order; a later layer's row replaces an earlier one with the same id. Reading and cell
coercion live in :mod:`magnets.data.tables`, the schema in :mod:`magnets.data.schema`, the
table loaders in :mod:`magnets.data.loaders` and :mod:`magnets.data.grades`.

Nothing is cached between calls: each call reads the files again, and the faces build one
library per run (see :mod:`magnets.context`). Values fitted to a library are memoised on
the library itself (:meth:`Library.derived`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from magnets.data.aliases import load_aliases
from magnets.data.grades import load_grades
from magnets.data.layers import (  # noqa: F401  (re-exported: the loader's file discovery)
    USER_KINDS,
    _builtin_root,
    _collect,
    _digest,
    _label,
    _layer_files,
    _layers,
    user_dirs_from_env,
)
from magnets.data.loaders import (
    load_alloys,
    load_compositions,
    load_elements,
    load_families,
    load_rules,
)
from magnets.data.schema import *  # noqa: F403  (old names: magnets.data.library.FAMILIES...)
from magnets.data.schema import FAMILIES as FAMILIES
from magnets.data.supply import load_supply
from magnets.data.tables import RawTable, read_commented_csv, read_path
from magnets.errors import AmbiguousGradeError, DataError, Problem, UnknownGradeError

T = TypeVar("T")


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
    #: supply figures by element, year and scope (materials/supply.csv, magnets.data.supply)
    supply: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    #: old or alternative grade ids (materials/aliases.csv, magnets.data.aliases), indexed by
    #: the folded alias, columns alias, grade, note
    aliases: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["alias", "grade", "note"])
    )

    # ---- values derived from this library (fitted models, rating tables)
    def derived(self, key: Hashable, compute: Callable[[Library], T]) -> T:
        """``compute(self)``, memoised on this library under ``key``.

        The one memo for results fitted to or computed from the library (the beta and
        coercivity models, the calibrated condition, the per-grade rating table): it lives
        exactly as long as the library, so a user library can never see the built-in
        library's fits. The data layer does not know what is stored; physics and
        substitution choose the keys.
        """
        memo = self.__dict__.get("_derived")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_derived", memo)
        if key not in memo:
            memo[key] = compute(self)
        return memo[key]

    # ---- lookup
    def _lookup_tables(self) -> tuple[dict[str, int], dict[str, list[int]]]:
        cache = self.__dict__.get("_lookup_cache")
        if cache is None:
            ids = {str(k).casefold(): i for i, k in enumerate(self.grades.index)}
            # an alias resolves to its grade's row (it never equals an id: load_aliases checks)
            for key, grade in zip(self.aliases.index, self.aliases.get("grade", [])):
                ids.setdefault(str(key), ids[str(grade).casefold()])
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
        """Row position of a grade by id or alias (case-insensitive) or by unique display name."""
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

    def resolve(self, names: Any) -> tuple[np.ndarray, np.ndarray]:
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

    def raise_for_problems(self, library_dirs: Iterable[str | Path] = ()) -> None:
        """DataError when the library has problems; the hint names the check to run, with the
        same ``--library`` folders that were given (without them it would check another
        library)."""
        if self.problems:
            import shlex

            given = "".join(f" --library {shlex.quote(str(d))}" for d in library_dirs)
            raise DataError(
                f"the data library has {len(self.problems)} problem(s); "
                f"run `magnets data check{given}` to list them: " + str(self.problems[0]),
                list(self.problems),
            )


def load_library(user_dirs: Iterable[str | Path] | None = None) -> Library:
    """Load the built-in library and any user libraries over it (read afresh on every call).

    ``user_dirs``: folders holding ``grades*.csv`` (or ``grades/*.csv``), ``compositions*.csv``
    and ``families*.csv`` in the built-in format, or such files themselves; their rows replace
    built-in rows with the same id (case-insensitive) and add new ones. A folder that does
    not exist is a problem.
    """
    dirs = tuple(Path(d).resolve() for d in (user_dirs or ()))
    problems: list[Problem] = []
    tables: dict[str, list[RawTable]] = {
        k: []
        for k in (
            "grades",
            "compositions",
            "families",
            "elements",
            "export_controls",
            "alloys",
            "supply",
            "aliases",
        )
    }
    all_paths: list[Path] = []
    for layer, (root, builtin) in enumerate(_layers(dirs)):
        for kind, path, label in _layer_files(root, builtin, problems):
            raw = read_path(path, label)
            raw.frame["_layer"] = layer
            tables[kind].append(raw)
            all_paths.append(path)
    return _assemble(tables, problems, all_paths)


def _assemble(
    tables: dict[str, list[RawTable]], problems: list[Problem], all_paths: list[Path]
) -> Library:
    families, p = load_families(tables["families"])
    problems += p
    compositions, p = load_compositions(tables["compositions"])
    problems += p
    alloys, p = load_alloys(tables["alloys"], families)
    problems += p
    grades, p = load_grades(tables["grades"], families, compositions, alloys)
    problems += p
    elements, p = load_elements(tables["elements"])
    problems += p
    rules, p = load_rules(tables["export_controls"])
    problems += p
    supply, p = load_supply(tables["supply"], frozenset(elements.index))
    problems += p
    aliases, p = load_aliases(tables["aliases"], grades.index)
    problems += p
    problems = sorted(set(problems), key=lambda q: (q.path, q.line or 0, q.column or "", q.message))
    return Library(
        grades=grades,
        compositions=compositions,
        families=families,
        elements=elements,
        rules=rules,
        alloys=alloys,
        supply=supply,
        aliases=aliases,
        problems=tuple(problems),
        version=_digest(all_paths),
        sources=tuple(str(p) for p in all_paths),
    )


__all__ = ["Library", "load_library", "read_commented_csv", "user_dirs_from_env"]
