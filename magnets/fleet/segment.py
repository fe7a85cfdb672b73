"""One ``[[segment]]`` of a fleet file: :class:`SegmentSpec` and its validation.

:func:`parse_segment` checks every field of a raw TOML table (after a scenario's overrides
were merged in), records each problem on the :class:`~magnets.fleet.checks.Collector`
and returns the validated segment, or None when anything was wrong.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from magnets.fleet.checks import (
    YEAR,
    Collector,
    by_year,
    describe,
    grade_mix,
    lifetime,
    number_or_range,
)

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

SEGMENT_KEYS = (
    "name",
    "unit",
    "units",
    "magnet_kg_per_unit",
    "grades",
    "lifetime",
    "manufacturing_yield",
    "scrap_recycling",
    "recycling",
    "source",
    "notes",
)
RECYCLING_KEYS = ("collection", "recovery")
_REQUIRED = ("units", "magnet_kg_per_unit", "grades", "lifetime")

Range = tuple[float, float]
Locs = Callable[[str], tuple]
#: (years, values) of a table by year (year 0 alone: one value for every year).
ByYear = tuple[tuple[int, ...], tuple]


@dataclass(frozen=True)
class SegmentSpec:
    """One validated segment. Knot tables are tuples (years ascending); ranges as low/high.

    units_*: units built per year at the knots (0 before the first, linear between, flat after).
    kg_*: kg finished magnet per unit at the knots (flat outside). mixes: grade id -> share of
    magnet mass at mix_years (linear between, flat outside). lifetime: (distribution, p1, p2).
    """

    name: str
    unit: str
    units_years: tuple[int, ...]
    units_low: tuple[float, ...]
    units_high: tuple[float, ...]
    kg_years: tuple[int, ...]
    kg_low: tuple[float, ...]
    kg_high: tuple[float, ...]
    mix_years: tuple[int, ...]
    mixes: tuple[dict[str, float], ...]
    lifetime: tuple[str, float, float]
    yield_low: float
    yield_high: float
    scrap_low: float
    scrap_high: float
    collection_low: float
    collection_high: float
    recovery_low: float
    recovery_high: float
    source: str = ""
    notes: str = ""

    @property
    def life_p1(self) -> float:
        return self.lifetime[1]

    @property
    def life_p2(self) -> float:
        return self.lifetime[2]

    @property
    def uncertain(self) -> tuple[str, ...]:
        """Names of inputs given as { low, high }."""
        out = []
        pairs = {
            "units": (self.units_low, self.units_high),
            "magnet_kg_per_unit": (self.kg_low, self.kg_high),
            "manufacturing_yield": (self.yield_low, self.yield_high),
            "scrap_recycling": (self.scrap_low, self.scrap_high),
            "collection": (self.collection_low, self.collection_high),
            "recovery": (self.recovery_low, self.recovery_high),
        }
        for k, (lo, hi) in pairs.items():
            if lo != hi:
                out.append(k)
        return tuple(out)


#: Largest units built per year in one segment (a trillion: over 100 per person alive).
#: Bounded so that units x kg x years stays a finite float: no inf or nan cells.
MAX_UNITS_PER_YEAR = 1e12
#: Largest kg of magnet per unit (1,000 t), for the same reason.
MAX_MAGNET_KG_PER_UNIT = 1e6


def _nonneg(x: float) -> bool:
    return x >= 0


def _units_ok(x: float) -> bool:
    return 0 <= x <= MAX_UNITS_PER_YEAR


def _kg_ok(x: float) -> bool:
    return 0 <= x <= MAX_MAGNET_KG_PER_UNIT


def _share(x: float) -> bool:
    return 0 <= x <= 1


def _name(c: Collector, raw: dict, locs: Locs, seen_names: set[str] | None) -> str | None:
    """The segment's name after the key check; None (problems recorded) when unusable."""
    ok = True
    for k in raw:
        if k not in SEGMENT_KEYS:
            hint = difflib.get_close_matches(k, SEGMENT_KEYS, n=1)
            c.add(
                locs(k),
                f"unknown key {k!r}; expected one of {', '.join(SEGMENT_KEYS)}"
                + (f" (did you mean {hint[0]!r}?)" if hint else ""),
            )
            ok = False
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        c.add(
            locs("name"),
            f"expected name = a non-empty text, instead received "
            f"{describe(name) if name is not None else 'nothing'}",
        )
        return None
    name = name.strip()
    if seen_names is not None:
        if name in seen_names:
            c.add(locs("name"), f"segment name {name!r} is used twice; names must be unique")
            ok = False
        seen_names.add(name)
    for req in _REQUIRED:
        if req not in raw:
            c.add(
                locs(req) if req != "units" else locs("name"),
                f"segment {name!r}: required key {req} is missing",
            )
            ok = False
    return name if ok else None


def _grades(c: Collector, graw: Any, loc: tuple, lib: Library) -> ByYear | None:
    """Grade mixes by year (a single mix is year 0: flat everywhere)."""
    if isinstance(graw, dict) and graw and all(YEAR.fullmatch(str(k)) for k in graw):
        return by_year(c, graw, loc, lambda v, loc: grade_mix(c, v, loc, lib), "grade mix", False)
    if isinstance(graw, dict) and any(YEAR.fullmatch(str(k)) for k in graw):
        c.add(
            loc,
            "expected either grade shares or a table of them by year, instead received "
            "years mixed with grade ids; write { 2025 = { N45SH = 1.0 }, 2030 = {...} }",
        )
        return None
    m = grade_mix(c, graw, loc, lib)
    return ((0,), (m,)) if m is not None else None


def _yield(c: Collector, raw: dict, locs: Locs, name: str) -> Range | None:
    """manufacturing_yield, or 1.0 with a warning when not given."""
    if "manufacturing_yield" in raw:
        return number_or_range(
            c,
            raw["manufacturing_yield"],
            locs("manufacturing_yield"),
            lambda x: 0 < x <= 1,
            "in (0, 1] (finished magnet per alloy in)",
        )
    c.warn(
        locs("name"),
        f"segment {name!r} gives no manufacturing_yield; assuming 1.0 (no machining loss), "
        "which understates alloy demand",
    )
    return (1.0, 1.0)


def _recycling(c: Collector, raw: dict, locs: Locs) -> tuple[Range | None, Range | None]:
    """(collection, recovery) of end-of-life content; 0 when not given."""
    rec_raw = raw.get("recycling", {})
    if not isinstance(rec_raw, dict):
        c.add(
            locs("recycling"),
            f"expected {{ collection = share, recovery = share }}, instead received "
            f"{describe(rec_raw)}",
        )
        return None, None
    ok = True
    for k in rec_raw:
        if k not in RECYCLING_KEYS:
            c.add((*locs("recycling"), k), f"unknown key {k!r}; expected collection and recovery")
            ok = False
    if not ok:
        return None, (0.0, 0.0)
    loc = locs("recycling")
    coll = number_or_range(
        c, rec_raw.get("collection", 0.0), (*loc, "collection"), _share, "in [0, 1]"
    )
    recov = number_or_range(
        c, rec_raw.get("recovery", 0.0), (*loc, "recovery"), _share, "in [0, 1]"
    )
    return coll, recov


def _texts_ok(c: Collector, raw: dict, locs: Locs) -> bool:
    ok = True
    for k in ("unit", "source", "notes"):
        if k in raw and not isinstance(raw[k], str):
            c.add(locs(k), f"expected {k} as text, instead received {describe(raw[k])}")
            ok = False
    return ok


def _units_and_kg(c: Collector, raw: dict, locs: Locs) -> tuple[ByYear | None, ByYear | None]:
    """Units built per year (a table by year) and kg of magnet per unit (or a table)."""
    units = by_year(
        c,
        raw["units"],
        locs("units"),
        lambda v, loc: number_or_range(
            c,
            v,
            loc,
            _units_ok,
            f"from 0 to {MAX_UNITS_PER_YEAR:.0e} (units built that year; the limit keeps "
            "totals finite: give units per year, e.g. 14e6 cars, not a cumulative or scaled "
            "figure)",
        ),
        "units built per year",
        allow_scalar=False,
    )
    kg = by_year(
        c,
        raw["magnet_kg_per_unit"],
        locs("magnet_kg_per_unit"),
        lambda v, loc: number_or_range(
            c,
            v,
            loc,
            _kg_ok,
            f"from 0 to {MAX_MAGNET_KG_PER_UNIT:.0e} (kg of magnet per unit; the limit keeps "
            "totals finite: give kg, not g or mg)",
        ),
        "kg per unit",
        allow_scalar=True,
    )
    return units, kg


def parse_segment(
    c: Collector, raw: dict, locs: Locs, lib: Library, seen_names: set[str] | None
) -> SegmentSpec | None:
    """Validate one segment. ``locs(field)`` gives the key path of a field for line lookup."""
    name = _name(c, raw, locs, seen_names)
    if name is None:
        return None
    units, kg = _units_and_kg(c, raw, locs)
    mixes = _grades(c, raw["grades"], locs("grades"), lib)
    life = lifetime(c, raw["lifetime"], locs("lifetime"))
    yld = _yield(c, raw, locs, name)
    scrap = number_or_range(
        c, raw.get("scrap_recycling", 0.0), locs("scrap_recycling"), _share, "in [0, 1]"
    )
    coll, recov = _recycling(c, raw, locs)
    texts_ok = _texts_ok(c, raw, locs)
    if (
        not texts_ok
        or units is None
        or kg is None
        or mixes is None
        or life is None
        or yld is None
        or scrap is None
        or coll is None
        or recov is None
    ):
        return None
    return SegmentSpec(
        name=name,
        unit=str(raw.get("unit", "unit")),
        units_years=units[0],
        units_low=tuple(v[0] for v in units[1]),
        units_high=tuple(v[1] for v in units[1]),
        kg_years=kg[0],
        kg_low=tuple(v[0] for v in kg[1]),
        kg_high=tuple(v[1] for v in kg[1]),
        mix_years=mixes[0],
        mixes=tuple(mixes[1]),
        lifetime=life,
        yield_low=yld[0],
        yield_high=yld[1],
        scrap_low=scrap[0],
        scrap_high=scrap[1],
        collection_low=coll[0],
        collection_high=coll[1],
        recovery_low=recov[0],
        recovery_high=recov[1],
        source=str(raw.get("source", "")),
        notes=str(raw.get("notes", "")),
    )
