"""Grade aliases (``materials/aliases.csv``): old or alternative ids that still resolve.

A grade renamed in the library keeps its old id as an alias, so BOMs and fleet files written
against the old id go on matching. :func:`load_aliases` validates the rows (problems as
``(file, line, column, message)``) against the grade ids and returns ``alias -> grade``.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from magnets.errors import Problem

COLUMNS = ("alias", "grade", "note")
ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")


def _cell(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def load_aliases(raws: list[Any], grade_ids: pd.Index) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate alias rows (objects with ``path``, ``frame`` (text cells plus ``_line``) and
    ``problems``) against the library's grade ids.

    Returns ``(table, problems)``: ``table`` is indexed by the folded alias (``str.casefold``)
    with columns ``alias``, ``grade`` (the grade's id as the library spells it) and ``note``.
    A row is left out, with a problem, when its alias is not a valid id, equals a grade id or
    an earlier alias, or its grade is not in the library. A later layer's alias for the same
    name replaces an earlier one, as grade rows do.
    """
    ids = {str(g).casefold(): str(g) for g in grade_ids}
    problems: list[Problem] = []
    rows: dict[str, dict[str, str]] = {}
    for raw in raws:  # a few rows: plain Python
        problems += list(raw.problems)
        missing = [c for c in ("alias", "grade") if c not in raw.frame.columns]
        problems += [
            Problem(raw.path, None, c, "required column is missing from the header")
            for c in missing
        ]
        if missing:
            continue
        frame = raw.frame
        notes = frame["note"].tolist() if "note" in frame.columns else [""] * len(frame)
        seen: set[str] = set()
        for line, alias, grade, note in zip(
            frame["_line"].tolist(), frame["alias"].tolist(), frame["grade"].tolist(), notes
        ):
            alias, grade, key = _cell(alias), _cell(grade), _cell(alias).casefold()
            where = (raw.path, int(line))
            if not ID_PATTERN.match(alias):
                msg = f"expected an id of letters, digits, -, _ or ., instead received {alias!r}"
                problems.append(Problem(*where, "alias", msg))
            elif key in ids:
                msg = f"alias {alias!r} is already a grade id; an alias must be a name no grade has"
                problems.append(Problem(*where, "alias", msg))
            elif key in seen:
                problems.append(Problem(*where, "alias", f"alias {alias!r} appears twice"))
            elif grade.casefold() not in ids:
                msg = f"grade {grade!r} is not in the library; give the id the alias stands for"
                problems.append(Problem(*where, "grade", msg))
            else:
                seen.add(key)
                rows[key] = {"alias": alias, "grade": ids[grade.casefold()], "note": _cell(note)}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))
    table.index.name = "key"
    return table, problems
