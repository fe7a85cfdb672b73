"""The `model` rows of materials/compositions.csv are what scripts/gen_compositions.py writes.

The data layer runs no physics at load time: the estimated NdFeB compositions are generated from
magnets.physics.hree_estimate into the CSV files, and this test fails when the files in the
repository are out of step with the script (someone edited a row by hand, changed a grade's HcJ
or the model, and did not regenerate).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gen_compositions.py"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    runpy.run_path(str(SCRIPT))["generate"](ROOT, out)
    return out


def test_compositions_csv_in_step_with_the_generator(generated):
    got = (ROOT / "materials" / "compositions.csv").read_text()
    want = (generated / "compositions.csv").read_text()
    assert got == want, (
        "materials/compositions.csv is stale: run python scripts/gen_compositions.py"
    )


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (ROOT / "materials" / "grades").glob("*.csv"))
)
def test_grade_files_point_at_the_generated_rows(generated, name):
    got = (ROOT / "materials" / "grades" / name).read_text()
    want = (generated / "grades" / name).read_text()
    assert got == want, f"grades/{name} is stale: run python scripts/gen_compositions.py"


def test_generator_is_idempotent(generated, tmp_path):
    # running it again on its own output changes nothing (model rows are regenerated, the rest kept)
    (tmp_path / "materials").mkdir()
    for p in generated.rglob("*.csv"):
        dest = tmp_path / "materials" / p.relative_to(generated)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(p.read_text())
    again = tmp_path / "again"
    runpy.run_path(str(SCRIPT))["generate"](tmp_path, again)
    for p in generated.rglob("*.csv"):
        assert (again / p.relative_to(generated)).read_text() == p.read_text(), p.name
