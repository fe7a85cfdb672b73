"""A user library reaches every face: one changed grade is seen by show, rate, substitute,
bom, fleet and the TUI's data layer (the one-context promise of ARCHITECTURE.md)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from magnets.context import build_context

ROOT = Path(__file__).resolve().parents[1]
BULK = ROOT / "materials" / "grades" / "ndfeb_sintered_bulk.csv"
GRADE = "KJ-N38SH"  # the wind segment's only grade in the example fleet
LOW_HCJ_KA_M = 1100.0  # the changed figure (the built-in row says 1592 kA/m min)
# a composition with more Dy than KJ-N38SH's model row (ndfeb-model-bulk-20kOe): the bulk row at
# 30 kOe, 8.98 wt% Dy (scripts/gen_compositions.py)
OTHER_COMPOSITION = "ndfeb-model-bulk-30kOe"


@pytest.fixture(scope="module")
def user_lib(tmp_path_factory) -> Path:
    """A folder holding one grade row: KJ-N38SH with a lower HcJ and the EH composition."""
    lines = [line for line in BULK.read_text().splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    row = next(r for r in rows if r["id"] == GRADE)
    row["HcJ_kA_m"] = str(LOW_HCJ_KA_M)
    row["composition"] = OTHER_COMPOSITION
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    w.writeheader()
    w.writerow(row)
    folder = tmp_path_factory.mktemp("userlib")
    (folder / "grades.csv").write_text(out.getvalue())
    return folder


def magnets(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "magnets", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def both(*args: str, lib: Path) -> tuple[str, str]:
    """The output on the built-in library and on the user library."""
    return magnets(*args), magnets(*args, "--library", str(lib))


def test_show_sees_the_user_grade(user_lib):
    base, user = (json.loads(s) for s in both("show", GRADE, "--format", "json", lib=user_lib))
    assert base["HcJ_kA_m"] == pytest.approx(1592.0)  # K&J datasheet, Hci > 20 kOe
    assert user["HcJ_kA_m"] == pytest.approx(LOW_HCJ_KA_M)
    assert user["composition"] == OTHER_COMPOSITION


def test_rate_sees_the_user_grade(user_lib):
    args = ("rate", GRADE, "--pc", "1", "--format", "json")
    base, user = (json.loads(s) for s in both(*args, lib=user_lib))
    # less HcJ, same beta family: a lower rated temperature (knee-limited at Pc 1)
    assert user["t_max_C"] < base["t_max_C"] - 10.0


def test_substitute_sees_the_user_grade(user_lib):
    # built-in KJ-N38SH rates 154 degC at Pc 1 and qualifies for 120 degC; with HcJ
    # 1100 kA/m it rates about 105 degC (`magnets rate`) and drops out of its own list
    args = ("substitute", GRADE, "--temp", "120", "--pc", "1", "--top", "500", "--format", "csv")
    base, user = both(*args, lib=user_lib)

    def ids(text: str) -> set[str]:
        lines = [line for line in text.splitlines() if not line.startswith("#")]
        return {r["id"] for r in csv.DictReader(io.StringIO("\n".join(lines)))}

    assert GRADE in ids(base)
    assert GRADE not in ids(user)
    assert len(ids(user)) > 10  # the rest of the library still qualifies


def test_bom_sees_the_user_grade(user_lib, tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_text(
        f"part_id,grade,magnet_mass_g,quantity,required_temp_C,pc\nP1,{GRADE},10,1,100,1\n"
    )
    outs = []
    for extra in ([], ["--library", str(user_lib)]):
        path = tmp_path / f"out{len(outs)}.csv"
        magnets("bom", str(bom), "-o", str(path), *extra)
        with path.open() as f:
            outs.append(next(csv.DictReader(f)))
    base, user = outs
    assert float(user["t_max_C"]) < float(base["t_max_C"]) - 10.0
    # the EH composition carries more Dy than the SH one: more kg Dy on the same 10 g
    assert float(user["Dy_kg"]) > float(base["Dy_kg"])


def test_fleet_sees_the_user_grade(user_lib):
    args = ("fleet", "materials/examples/fleet.toml", "--format", "csv")
    base, user = both(*args, lib=user_lib)

    def wind_dy(text: str) -> float:
        rows = csv.DictReader(io.StringIO(text))
        return sum(
            float(r["demand_t"])
            for r in rows
            if r["scenario"] == "baseline" and r["element"] == "Dy" and "ind" in r["segment"]
        )

    assert wind_dy(user) > wind_dy(base) > 0.0


def test_tui_data_sees_the_user_grade(user_lib):
    from magnets.tui import data

    views = []
    for dirs in ([], [user_lib]):
        session = data.session_for(build_context(dirs, use_env=False))
        view = data.library_view(session, pc=1.0, hd_kA_m=0.0)
        views.append(view)
    base, user = views
    col = "t_max_C"
    assert float(user.loc[GRADE, col]) < float(base.loc[GRADE, col]) - 10.0


def test_date_reaches_export_status():
    # Sm is controlled since 2025-04-04 (MOFCOM announcement No. 18 of 2025); before: not
    before = json.loads(magnets("show", "MSR-YXG28H", "--format", "json", "--date", "2025-01-01"))
    after = json.loads(magnets("show", "MSR-YXG28H", "--format", "json", "--date", "2025-06-01"))
    assert "Sm" not in before["controlled_elements"]
    assert "Sm" in after["controlled_elements"]
