"""Export-control status as of a date."""

from __future__ import annotations

import pandas as pd

from magnets.data.controls import element_status, exposure

RULES = pd.DataFrame(
    {
        "id": ["no18", "no57"],
        "elements": ["Sm Gd Tb Dy Lu Sc Y", "Ho Er Tm Eu Yb"],
        "effective": ["2025-04-04", "2025-11-08"],
        "suspended_from": ["", "2025-11-07"],
        "suspended_until": ["", "2026-11-10"],
        "status_after_suspension": ["", "unknown"],
    }
)


def test_before_effective_date_nothing_is_controlled():
    s = element_status(RULES, "2025-04-03")
    assert s["Dy"] == "not_controlled" and s["Sm"] == "not_controlled"


def test_no18_controls_its_seven_from_4_april_2025():
    s = element_status(RULES, "2025-04-04")
    assert all(s[e] == "controlled" for e in ["Sm", "Gd", "Tb", "Dy", "Y"])
    assert s["Nd"] == "not_controlled" and s["Pr"] == "not_controlled"


def test_suspended_then_unknown():
    assert element_status(RULES, "2026-06-01")["Er"] == "suspended"
    # after 10 November 2026 what applies is not recorded: unknown
    assert element_status(RULES, "2026-11-11")["Er"] == "unknown"


def test_suspension_includes_its_last_day():
    # No. 70 suspends No. 57 "until 10 November 2026" (materials/export_controls.csv,
    # sources chemradar-70, uniteddaily-70); the CSV's suspended_until is that last day,
    # so 10 Nov 2026 is still suspended and 11 Nov is the first day of the unknown status
    assert element_status(RULES, "2026-11-10")["Er"] == "suspended"
    assert element_status(RULES, "2025-11-08")["Er"] == "suspended"  # its effective day


def test_builtin_table_agrees_with_the_code_on_the_last_day():
    from magnets.data.library import load_library

    rules = load_library().rules
    # the built-in rows give 2026-11-10 as suspended_until (chemradar-70: "until 10 November 2026")
    assert element_status(rules, "2026-11-10")["Ho"] == "suspended"
    assert element_status(rules, "2026-11-11")["Ho"] == "unknown"


def test_exposure_per_grade():
    grades = pd.DataFrame(
        {
            "Nd_wt_pct": [22.0, 0.0],
            "Dy_wt_pct": [4.0, 0.0],
            "Tb_wt_pct": [0.5, 0.0],
            "Sm_wt_pct": [0.0, 20.0],
            "Er_wt_pct": [0.0, 3.0],
        },
        index=["ndfeb", "smco"],
    )
    e = exposure(grades, RULES, "2026-11-28")
    # Dy 4 + Tb 0.5 wt% -> 0.045 kg/kg; symbols in atomic-number order (Tb 65 before Dy 66)
    assert e.loc["ndfeb", "controlled_kg_per_kg"] == 0.045
    assert e.loc["ndfeb", "controlled_elements"] == "Tb Dy"
    assert (
        e.loc["smco", "controlled_elements"] == "Sm" and e.loc["smco", "unknown_elements"] == "Er"
    )
    assert abs(e.loc["smco", "unknown_kg_per_kg"] - 0.03) < 1e-12
