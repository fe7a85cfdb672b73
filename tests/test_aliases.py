"""Grade aliases (materials/aliases.csv): validation of the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from magnets.data.aliases import load_aliases
from magnets.data.library import read_commented_csv

ALIASES = Path(__file__).resolve().parents[1] / "materials" / "aliases.csv"
DATA = Path(__file__).parent / "data"


def _load(path: Path, lib):
    raw = read_commented_csv(path.read_text(encoding="utf-8"), path.name)
    return load_aliases([raw], lib.grades.index)


@pytest.mark.parametrize(
    ("fixture", "line", "column", "words"),
    [
        ("aliases_alias_is_a_grade_id.csv", 2, "alias", "already a grade id"),
        ("aliases_unknown_grade.csv", 2, "grade", "'NO-SUCH-GRADE' is not in the library"),
        ("aliases_duplicate_alias.csv", 3, "alias", "appears twice"),
        ("aliases_bad_id.csv", 2, "alias", "expected an id of letters"),
    ],
)
def test_bad_alias_row_is_reported_with_file_line_column(lib, fixture, line, column, words):
    table, problems = _load(DATA / fixture, lib)
    assert [(p.path, p.line, p.column) for p in problems] == [(fixture, line, column)]
    assert words in problems[0].message
    # the good rows stay: only the duplicate's first row
    assert list(table["alias"]) == (["OLD-1"] if "duplicate" in fixture else [])
