"""`magnets bom --explain-columns`: how each input column was read, before any evaluation.

For every header of the file, in order: the field it feeds (or that it is kept as an
ordinary column), the unit its numbers are read in and where that unit came from, and the
name it has in the output (``input_`` only on a clash with an output name). Then the column
warnings a run would print (no requirement column, a unit-less mass, a weaker alias).
"""

from __future__ import annotations

import os

from magnets.bom import columns as bc
from magnets.bom.read import read_raw
from magnets.bom.result import OUTPUT_NAMES

#: How a unit key of the header reads, by the conversion it selects.
_UNIT_NAMES = {
    "g_to_kg": "g",
    "lb_to_kg": "lb",
    "degf_to_degc": "degF",
    "koe_to_ka_m": "kOe",
    "cm_to_mm": "cm",
    "inch_to_mm": "in",
}


def _unit_name(dim: str | None, key: str) -> str:
    convert = bc.UNITS.get(dim or "", {}).get(key)
    name = getattr(convert, "__name__", "")
    return _UNIT_NAMES.get(name, bc.DEFAULT_UNIT.get(dim, "") or key)


def explain_columns(path: str | os.PathLike[str], sheet: str | None = None) -> dict:
    """``{"columns": [{header, read_as, unit, output_name, note}], "warnings": [...]}``."""
    raw = read_raw(path, sheet)
    found, units, warnings = bc.match_columns(raw.headers, raw.path)
    by_position = {i: name for name, i in found.items()}
    clash = {n.lower() for n in OUTPUT_NAMES}
    rows = []
    taken: set[str] = {"line"}
    for i, h in enumerate(raw.headers):
        name = by_position.get(i)
        out_name = f"input_{h}" if h.strip().lower() in clash else h
        while out_name in taken:
            out_name = f"input_{out_name}"
        taken.add(out_name)
        note = ""
        if name is None:
            weaker = bc._field_of(h)[0]
            read_as = "kept as an ordinary column"
            unit = ""
            if weaker is not None:
                note = f"could also be {bc.DISPLAY[weaker]}; another column was preferred"
        else:
            read_as = bc.DISPLAY[name]
            dim = bc.FIELDS[name][0]
            given = units.get(name)
            default = bc.DEFAULT_UNIT.get(dim, "")
            unit = (
                f"{_unit_name(dim, given)} (from the header)"
                if given
                else (f"{default} (default; a cell may give its own)" if default else "")
            )
        if out_name != h:
            note = (note + "; " if note else "") + f"renamed {out_name!r}: {h!r} is an output name"
        rows.append(
            {"header": h, "read_as": read_as, "unit": unit, "output_name": out_name, "note": note}
        )
    missing = [bc.DISPLAY[n] for n in bc.FIELDS if n not in found]
    return {"path": raw.path, "columns": rows, "not_found": missing, "warnings": warnings}


def format_explanation(e: dict) -> str:
    """The explanation as text: one line per input column, then fields not found, warnings."""
    width = max([len(r["header"]) for r in e["columns"]] + [6])
    lines = [f"{e['path']}: {len(e['columns'])} columns"]
    for r in e["columns"]:
        extra = "".join(f"  [{x}]" for x in (r["unit"], r["note"]) if x)
        lines.append(f"  {r['header']:<{width}}  -> {r['read_as']}{extra}")
    if e["not_found"]:
        lines.append("  not found (defaults apply): " + ", ".join(e["not_found"]))
    lines += [f"  warning: {w}" for w in e["warnings"]]
    return "\n".join(lines) + "\n"
