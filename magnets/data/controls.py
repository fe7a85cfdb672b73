"""Export-control rules with dates -> status per element, grade and BOM line, as of a date.

A rule covers a set of elements from an effective date. It may be suspended over a window
``suspended_from`` .. ``suspended_until``, both days included (the announcements say "until
10 November 2026", read as the last suspended day); from the next day the status is what the
rule table records in ``status_after_suspension``, ``unknown`` unless sourced. ``unknown``
ranks worse than ``controlled`` in every ranking, since a buyer cannot plan on it.

Rules apply to China-origin material; the library records the origin of each rule.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from magnets.data.chemistry import ELEMENTS, element_kg_per_kg

#: Status values, best first.
STATUSES = ("not_controlled", "suspended", "controlled", "unknown")
#: Rank of each status (higher is worse); unknown is worse than controlled.
STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}


def _as_date(d) -> dt.date:
    if d is None:
        return dt.date.today()
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    return dt.date.fromisoformat(str(d))


def rule_status(rules: pd.DataFrame, date=None) -> pd.Series:
    """Status of each rule as of ``date``.

    One of 'not_yet', 'controlled', 'suspended' or the recorded after-status."""
    day = pd.Timestamp(_as_date(date))
    eff = pd.to_datetime(rules["effective"], errors="coerce")
    s_from = pd.to_datetime(rules["suspended_from"], errors="coerce")
    s_until = pd.to_datetime(rules["suspended_until"], errors="coerce")
    after = (
        rules["status_after_suspension"]
        .fillna("unknown")
        .astype(str)
        .replace({"in_force": "controlled", "": "unknown"})
    )
    # suspended_until is the last suspended day (inclusive), as the CSV header says
    in_window = s_from.notna() & (day >= s_from) & (s_until.isna() | (day <= s_until))
    past_window = s_until.notna() & (day > s_until)
    status = np.select(
        [eff.isna() | (day < eff), in_window, past_window],
        ["not_yet", "suspended", after.to_numpy()],
        default="controlled",
    )
    return pd.Series(status, index=rules.index, name="status")


def element_status(rules: pd.DataFrame, date=None) -> pd.Series:
    """Status of every element as of ``date``: the worst over the rules that cover it.

    Elements no rule covers are 'not_controlled'. A rule not yet effective does not count.
    """
    status = rule_status(rules, date).to_numpy()
    worst: dict[str, str] = {}
    has_controlled: set[str] = set()
    unranked = len(STATUSES)  # a status outside STATUSES ranks worst, as it sorts last
    # a handful of rules, each naming a few elements: plain Python beats a pandas explode
    for names, st in zip(rules["elements"].fillna("").astype(str), status, strict=True):
        if st == "not_yet":
            continue
        for el in names.split():
            if el not in ELEMENTS:
                continue
            if STATUS_RANK.get(st, unranked) >= STATUS_RANK.get(worst.get(el, ""), -1):
                worst[el] = st
            if st == "controlled":
                has_controlled.add(el)
    # 'controlled' is certain: it wins over 'unknown' from another rule only when the unknown
    # rule is the one that lapsed; the worst status otherwise.
    out = dict.fromkeys(ELEMENTS, "not_controlled")
    out.update({el: "controlled" if el in has_controlled else st for el, st in worst.items()})
    return pd.Series(out, name="status", dtype=object)


def _symbols_joined(mask: pd.DataFrame) -> pd.Series:
    """Space-separated column names where ``mask`` is True, per row.

    The columns are already in atomic-number order."""
    cols = np.array(mask.columns, dtype=object)
    arr = mask.to_numpy()
    # Build strings per distinct mask pattern (few patterns), then map back to rows.
    if arr.size == 0:
        return pd.Series("", index=mask.index, dtype=object)
    patterns, inverse = np.unique(arr, axis=0, return_inverse=True)
    texts = np.array([" ".join(cols[p]) for p in patterns], dtype=object)
    return pd.Series(texts[inverse.ravel()], index=mask.index, dtype=object)


def exposure(grades: pd.DataFrame, rules: pd.DataFrame, date=None) -> pd.DataFrame:
    """Export-control exposure per grade as of ``date``.

    Returns a DataFrame indexed like ``grades`` with ``controlled_kg_per_kg`` and
    ``unknown_kg_per_kg`` (kg of elements in that status per kg of magnet), and
    ``controlled_elements`` / ``unknown_elements`` (symbols in atomic-number order,
    space-separated; only elements actually present).
    """
    status = element_status(rules, date)
    kg = element_kg_per_kg(grades, list(ELEMENTS))
    present = kg > 0
    ctrl = present & status.reindex(kg.columns).eq("controlled").to_numpy()
    unk = present & status.reindex(kg.columns).eq("unknown").to_numpy()
    return pd.DataFrame(
        {
            "controlled_kg_per_kg": (kg * ctrl).sum(axis=1),
            "unknown_kg_per_kg": (kg * unk).sum(axis=1),
            "controlled_elements": _symbols_joined(ctrl),
            "unknown_elements": _symbols_joined(unk),
        },
        index=grades.index,
    )
