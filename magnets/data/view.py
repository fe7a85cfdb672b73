"""A pandas-free view of the cached library for the commands that print one grade.

``magnets show`` needs one grade's figures, not the library's frames. When the full path
has run once, :func:`write_view` stores every grade's date-independent detail (what
:func:`magnets.data.catalog.detail` returns, less the export-control status) in a JSON file
beside the library cache, keyed by :func:`magnets.data.cache.content_key` (package version,
loader source, every library file's content). :func:`read_view` finds a grade there and
adds the status as of a date from a table sampled at every rule date, so the answer is the
one the full path gives, with no pandas, numpy or pymatgen loaded.

Anything unusual (no cache folder, no view yet, an unknown or ambiguous name, a file that
cannot be read) returns None, and the caller takes the full path, which also reports errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

_PREFIX = "view-"
#: bump when the layout of the view file changes
_FORMAT = 1


def dated_detail(
    static: Mapping[str, Any], status: Mapping[str, str], elements: Sequence[str], as_of: str
) -> dict[str, Any]:
    """One grade's detail as of a date: ``static`` (everything but export status) plus the
    controlled and unknown elements present (in ``elements`` order, atomic number), their kg
    per kg of magnet, and the status of every element present. ``status`` maps each element
    to its status on that date (:func:`magnets.data.controls.element_status`)."""
    kg = static["element_kg_per_kg"]
    present = [el for el in elements if kg.get(el, 0.0) > 0]

    def having(wanted: str) -> list[str]:
        return [el for el in present if status.get(el) == wanted]

    ctrl, unk = having("controlled"), having("unknown")
    out = dict(static)
    out["controlled_elements"] = ctrl
    out["unknown_elements"] = unk
    out["controlled_kg_per_kg"] = math.fsum(kg[el] for el in ctrl)
    out["unknown_kg_per_kg"] = math.fsum(kg[el] for el in unk)
    out["element_status"] = {el: status[el] for el in kg if el in status}
    out["as_of_date"] = as_of
    return out


def status_dates(rules_dates: Iterable[Any]) -> list[dt.date]:
    """The days on which a status can change: every rule date and the day after it (a
    window's last day is inclusive), plus the earliest date; sorted, distinct."""
    days = {dt.date.min}
    for d in rules_dates:
        with contextlib.suppress(TypeError, ValueError, OverflowError):
            day = dt.date.fromisoformat(str(d)[:10])
            days.add(day)
            days.add(day + dt.timedelta(days=1))
    return sorted(days)


def _path(folder: Path, key: str) -> Path:
    return folder / f"{_PREFIX}{key}.json"


def _plain(v: Any) -> Any:
    """JSON-ready: numpy scalars to Python, containers walked."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    item = getattr(v, "item", None)
    return item() if callable(item) and not isinstance(v, (str, bytes)) else v


def write_view(folder: Path, key: str, payload: Mapping[str, Any]) -> None:
    """Store the view (built by :func:`magnets.data.catalog.view_payload`); a folder that
    cannot be written is ignored (the view only ever saves time)."""
    from magnets.data.cache import replace_file

    data = json.dumps({"format": _FORMAT, **_plain(dict(payload))}).encode("utf-8")
    replace_file(folder, _path(folder, key), data)


def _load(folder: Path, key: str) -> dict | None:
    try:
        view = json.loads(_path(folder, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(view, dict) and view.get("format") == _FORMAT
    return view if ok and {"grades", "ids", "names", "samples", "elements"} <= set(view) else None


def _status_on(samples: list, day: dt.date) -> dict[str, str]:
    """The status table of the latest sample on or before ``day``."""
    iso = day.isoformat()
    best = samples[0][1]
    for when, table in samples:
        if when <= iso:
            best = table
        else:
            break
    return best


def read_view(dirs: tuple[Path, ...], name: str, day: dt.date) -> dict[str, Any] | None:
    """The detail of grade ``name`` as of ``day`` from the view, or None (take the full path)."""
    from magnets.data.cache import cache_dir, content_key

    folder = cache_dir()
    key = content_key(dirs) if folder is not None else None
    view = _load(folder, key) if folder is not None and key is not None else None
    if view is None:
        return None
    folded = str(name).strip().casefold()
    gid = view["ids"].get(folded)
    if gid is None:
        hits = view["names"].get(folded, [])
        gid = hits[0] if len(hits) == 1 else None
    static = view["grades"].get(gid) if gid is not None else None
    if static is None:
        return None
    status = _status_on(view["samples"], day)
    return dated_detail(static, status, view["elements"], day.isoformat())


__all__ = ["dated_detail", "read_view", "status_dates", "write_view"]
