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


def test_renamed_hl_g48uh_keeps_its_old_id_in_lookups_boms_and_fleets(lib, tmp_path):
    # issue 10: HL's Dy-diffused G48UH was listed as N48UH; the old id is an alias
    # (materials/aliases.csv [hl-gbd]) that every face still matches
    import datetime as dt

    from magnets.bom.evaluate import evaluate_bom
    from magnets.fleet_input import load_fleet

    assert "N48UH" not in lib.grades.index and "HL-G48UH" in lib.grades.index
    assert lib.position("n48uh") == lib.position("HL-G48UH")
    assert lib.aliases.loc["n48uh", "grade"] == "HL-G48UH"
    bom = tmp_path / "bom.csv"
    bom.write_text("part_id,grade,magnet_mass_g,quantity\nA,N48UH,10,1\n", encoding="utf-8")
    t = evaluate_bom(bom, lib, date=dt.date(2025, 6, 1), suggest=False).table
    assert t.loc[0, "status"] != "error", t.loc[0, "message"]
    # the example fleet still names N48UH (E-bikes, gbd_shift 2030) and loads without problems
    spec = load_fleet(Path(__file__).resolve().parents[1] / "materials/examples/fleet.toml", lib)
    assert any("HL-G48UH" in mix for seg in spec.segments for mix in seg.mixes)
