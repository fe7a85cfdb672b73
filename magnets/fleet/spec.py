"""Read and validate a fleet TOML file into a :class:`FleetSpec` (see docs/fleet.md).

Every problem is collected (file, line where known, key path, what was expected, what was
received, the fix) and raised together as one :class:`magnets.errors.InputError`.
``tomllib`` gives no line numbers for keys, so :class:`_Lines` finds a key's line by
scanning the text (table headers, then the key inside that table).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magnets.errors import InputError, Problem, UnreadableFileError

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

TOP_KEYS = ("start_year", "end_year", "description", "segment", "scenario")
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
LIFETIME_PARAMS = {"normal": ("mean", "sd"), "weibull": ("shape", "scale"), "fixed": ("years",)}
SHARE_TOLERANCE = 1e-6
_YEAR = re.compile(r"\d{4}")


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


@dataclass(frozen=True)
class FleetSpec:
    """A validated fleet file: reported years, baseline segments and every scenario's segments.

    ``scenarios`` maps each scenario name (``baseline`` first) to its full tuple of segments,
    overrides applied; ``warnings`` are messages for stderr (defaults that were assumed).
    """

    path: str
    start_year: int
    end_year: int
    segments: tuple[SegmentSpec, ...]
    scenarios: dict[str, tuple[SegmentSpec, ...]]
    description: str = ""
    warnings: tuple[str, ...] = ()
    scenario_overrides: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------- lines


class _Lines:
    """Find the 1-based line of a key path in TOML text (best effort; None when unsure)."""

    _header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []  # (0-based line, normalised dotted path)
        for i, line in enumerate(self.lines):
            m = self._header.match(line)
            if m:
                self.headers.append((i, self._norm(m.group(2))))

    @staticmethod
    def _norm(path: str) -> str:
        parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', path)
        return ".".join(next(p for p in part if p) if any(part) else "" for part in parts)

    def _block(self, header_index: int) -> tuple[int, int]:
        start = self.headers[header_index][0]
        end = (
            self.headers[header_index + 1][0]
            if header_index + 1 < len(self.headers)
            else len(self.lines)
        )
        return start, end

    def _find_key(self, key: str, start: int, end: int) -> int | None:
        pat = re.compile(r'(?:^|[\s{,.])["\']?' + re.escape(str(key)) + r'["\']?\s*[=.]')
        for i in range(start, end):
            if pat.search(_code(self.lines[i])):
                return i
        return None

    def _walk(self, keys: tuple, start: int, end: int) -> int | None:
        found = None
        pos = start
        for key in keys:
            hit = self._find_key(str(key), pos, end)
            if hit is None:
                break
            found = pos = hit
        return found

    def line(self, path: tuple) -> int | None:
        if not path:
            return None
        if path[0] == "segment" and len(path) >= 2 and isinstance(path[1], int):
            segs = [k for k, (_, p) in enumerate(self.headers) if p == "segment"]
            if path[1] >= len(segs):
                return None
            start, end = self._block(segs[path[1]])
            hit = self._walk(path[2:], start, end)
            return (hit if hit is not None else start) + 1
        if path[0] == "scenario" and len(path) >= 2:
            name = str(path[1])
            for k, (_, p) in enumerate(self.headers):  # [scenario.NAME] or [scenario.NAME.SEGMENT]
                if p == f"scenario.{name}" or p.startswith(f"scenario.{name}."):
                    start, end = self._block(k)
                    rest = path[2:]
                    if (
                        p.startswith(f"scenario.{name}.")
                        and rest
                        and p == f"scenario.{name}.{rest[0]}"
                    ):
                        rest = rest[1:]
                    hit = self._walk(rest, start, end)
                    return (hit if hit is not None else start) + 1
            for k, (_, p) in enumerate(self.headers):  # [scenario] with dotted keys
                if p == "scenario":
                    start, end = self._block(k)
                    hit = self._walk(path[1:], start, end)
                    return None if hit is None else hit + 1
            hit = self._walk(path, 0, len(self.lines))
            return None if hit is None else hit + 1
        end = self.headers[0][0] if self.headers else len(self.lines)
        hit = self._walk(path, 0, end)
        return None if hit is None else hit + 1


def _code(line: str) -> str:
    """The line without its comment (a # outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


# ---------------------------------------------------------------------------------- parsing


class _Collector:
    def __init__(self, path: str, lines: _Lines):
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def where(self, loc: tuple) -> tuple[int | None, str]:
        return self.lines.line(loc), _keyname(loc)

    def add(self, loc: tuple, message: str) -> None:
        line, key = self.where(loc)
        self.problems.append(Problem(self.path, line, key, message))

    def warn(self, loc: tuple, message: str) -> None:
        line, key = self.where(loc)
        where = self.path + (f":{line}" if line else "")
        self.warnings.append(f"{where}: key {key}: {message}")


def _keyname(loc: tuple) -> str:
    parts = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p + 1}]")
        else:
            s = str(p)
            parts.append(
                ("." if parts else "") + (s if re.fullmatch(r"[A-Za-z0-9_-]+", s) else f'"{s}"')
            )
    return "".join(parts)


def _describe(v: Any) -> str:
    if isinstance(v, dict):
        return (
            "a table {" + ", ".join(list(map(str, v))[:4]) + (", ..." if len(v) > 4 else "") + "}"
        )
    if isinstance(v, list):
        return "an array"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, str):
        return f"the text {v!r}"
    return repr(v)


def _is_number(v: Any) -> bool:
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and v == v
        and abs(v) != float("inf")
    )


def _range(
    c: _Collector,
    v: Any,
    loc: tuple,
    lo_ok: Callable[[float], bool],
    bound_text: str,
    allow_range: bool = True,
) -> tuple[float, float] | None:
    """A number, or { low, high } with low <= high; each within the bound."""
    if _is_number(v):
        if not lo_ok(float(v)):
            c.add(loc, f"expected a number {bound_text}, instead received {v!r}")
            return None
        return float(v), float(v)
    if allow_range and isinstance(v, dict):
        extra = sorted(set(v) - {"low", "high"})
        if extra or "low" not in v or "high" not in v:
            c.add(
                loc,
                "expected { low = number, high = number }, instead received "
                + _describe(v)
                + ("; unknown keys " + ", ".join(extra) if extra else ""),
            )
            return None
        lo, hi = v["low"], v["high"]
        ok = True
        for k, x in (("low", lo), ("high", hi)):
            if not _is_number(x) or not lo_ok(float(x)):
                c.add(
                    (*loc, k), f"expected a number {bound_text}, instead received {_describe(x)}"
                )
                ok = False
        if ok and lo > hi:
            c.add(loc, f"expected low <= high, instead received low = {lo}, high = {hi}; swap them")
            ok = False
        return (float(lo), float(hi)) if ok else None
    form = "a number or { low, high }" if allow_range else "a number"
    c.add(loc, f"expected {form} {bound_text}, instead received {_describe(v)}")
    return None


def _by_year(
    c: _Collector,
    v: Any,
    loc: tuple,
    parse_value: Callable[[Any, tuple], Any],
    what: str,
    allow_scalar: bool,
) -> tuple[tuple[int, ...], tuple] | None:
    """A table { YEAR = value } (years ascending after sorting), or a single value when allowed."""
    if isinstance(v, dict) and v and all(_YEAR.fullmatch(str(k)) for k in v):
        years = sorted(v, key=int)
        vals = []
        ok = True
        for y in years:
            r = parse_value(v[y], (*loc, y))
            ok = ok and r is not None
            vals.append(r)
        return (tuple(int(y) for y in years), tuple(vals)) if ok else None
    if isinstance(v, dict) and v and any(_YEAR.fullmatch(str(k)) for k in v):
        bad = [k for k in v if not _YEAR.fullmatch(str(k))]
        c.add(
            loc,
            f"expected a table by year (keys like 2025), instead received the keys {', '.join(bad)} "
            "mixed with years; give every key as a 4-digit year",
        )
        return None
    if allow_scalar:
        r = parse_value(v, loc)
        return ((0,), (r,)) if r is not None else None
    c.add(
        loc,
        f"expected {what} as a table by year, e.g. {{ 2025 = 1e6, 2030 = 2e6 }}, "
        f"instead received {_describe(v)}",
    )
    return None


def _mix(c: _Collector, v: Any, loc: tuple, lib: Library) -> dict[str, float] | None:
    if not isinstance(v, dict) or not v:
        c.add(
            loc,
            f"expected grade shares such as {{ N45SH = 0.7, N48UH = 0.3 }}, instead received {_describe(v)}",
        )
        return None
    import numpy as np

    names = list(v)
    pos, msgs = lib.resolve(np.array(names, dtype=object))
    out: dict[str, float] = {}
    ok = True
    for name, p, msg in zip(names, pos, msgs):
        share = v[name]
        if p < 0:
            c.add(
                (*loc, name),
                msg if "magnets grades" in msg else f"{msg}; or list the ids with `magnets grades`",
            )
            ok = False
            continue
        if not _is_number(share) or not 0 <= share <= 1:
            c.add(
                (*loc, name),
                "expected a share of magnet mass between 0 and 1, instead received "
                + _describe(share),
            )
            ok = False
            continue
        gid = str(lib.grades.index[p])
        out[gid] = out.get(gid, 0.0) + float(share)
    if ok:
        total = sum(out.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            c.add(
                loc,
                f"expected grade shares summing to 1, instead they sum to {total:.6g}; "
                "adjust the shares (they are fractions of the segment's magnet mass)",
            )
            ok = False
    return out if ok else None


def _lifetime(c: _Collector, v: Any, loc: tuple) -> tuple[str, float, float] | None:
    if not isinstance(v, dict):
        c.add(
            loc,
            'expected a table such as { distribution = "normal", mean = 15, sd = 4 }, '
            f"instead received {_describe(v)}",
        )
        return None
    dist = v.get("distribution")
    if dist not in LIFETIME_PARAMS:
        c.add(
            (*loc, "distribution"),
            f"expected distribution = one of {', '.join(map(repr, LIFETIME_PARAMS))}, "
            f"instead received {_describe(dist) if dist is not None else 'nothing'}",
        )
        return None
    need = LIFETIME_PARAMS[dist]
    extra = sorted(set(v) - set(need) - {"distribution"})
    missing = [k for k in need if k not in v]
    if extra or missing:
        msg = f"a {dist} lifetime takes {', '.join(need)}"
        if missing:
            msg += f"; missing {', '.join(missing)}"
        if extra:
            msg += f"; unknown {', '.join(extra)}"
        c.add(loc, msg)
        return None
    vals = []
    for k in need:
        x = v[k]
        positive = dist != "fixed"
        if not _is_number(x) or (x <= 0 if positive else x < 0) or x > 500:
            c.add(
                (*loc, k),
                f"expected {k} as a number {'> 0' if positive else '>= 0'} (years"
                f"{'' if k != 'shape' else ', dimensionless'}), instead received {_describe(x)}",
            )
            return None
        vals.append(float(x))
    vals += [0.0] * (2 - len(vals))
    return dist, vals[0], vals[1]


def _segment(
    c: _Collector,
    raw: dict,
    locs: Callable[[str], tuple],
    lib: Library,
    seen_names: set[str] | None,
) -> SegmentSpec | None:
    """Validate one segment. ``locs(field)`` gives the key path of a field for line lookup."""
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
            f"{_describe(name) if name is not None else 'nothing'}",
        )
        return None
    name = name.strip()
    if seen_names is not None:
        if name in seen_names:
            c.add(locs("name"), f"segment name {name!r} is used twice; names must be unique")
            ok = False
        seen_names.add(name)
    for req in ("units", "magnet_kg_per_unit", "grades", "lifetime"):
        if req not in raw:
            c.add(
                locs(req) if req != "units" else locs("name"),
                f"segment {name!r}: required key {req} is missing",
            )
            ok = False
    if not ok:
        return None

    def nonneg(x: float) -> bool:
        return x >= 0

    def share(x: float) -> bool:
        return 0 <= x <= 1

    units = _by_year(
        c,
        raw["units"],
        locs("units"),
        lambda v, loc: _range(c, v, loc, nonneg, ">= 0 (units built that year)"),
        "units built per year",
        allow_scalar=False,
    )
    kg = _by_year(
        c,
        raw["magnet_kg_per_unit"],
        locs("magnet_kg_per_unit"),
        lambda v, loc: _range(c, v, loc, nonneg, ">= 0 (kg of magnet per unit)"),
        "kg per unit",
        allow_scalar=True,
    )
    graw = raw["grades"]
    if isinstance(graw, dict) and graw and all(_YEAR.fullmatch(str(k)) for k in graw):
        mixes = _by_year(
            c, graw, locs("grades"), lambda v, loc: _mix(c, v, loc, lib), "grade mix", False
        )
    elif isinstance(graw, dict) and any(_YEAR.fullmatch(str(k)) for k in graw):
        c.add(
            locs("grades"),
            "expected either grade shares or a table of them by year, instead received "
            "years mixed with grade ids; write { 2025 = { N45SH = 1.0 }, 2030 = {...} }",
        )
        mixes = None
    else:
        m = _mix(c, graw, locs("grades"), lib)
        mixes = ((0,), (m,)) if m is not None else None
    life = _lifetime(c, raw["lifetime"], locs("lifetime"))
    if "manufacturing_yield" in raw:
        yld = _range(
            c,
            raw["manufacturing_yield"],
            locs("manufacturing_yield"),
            lambda x: 0 < x <= 1,
            "in (0, 1] (finished magnet per alloy in)",
        )
    else:
        yld = (1.0, 1.0)
        c.warn(
            locs("name"),
            f"segment {name!r} gives no manufacturing_yield; assuming 1.0 (no machining loss), "
            "which understates alloy demand",
        )
    scrap = _range(c, raw.get("scrap_recycling", 0.0), locs("scrap_recycling"), share, "in [0, 1]")
    rec_raw = raw.get("recycling", {})
    coll = recov = (0.0, 0.0)
    if not isinstance(rec_raw, dict):
        c.add(
            locs("recycling"),
            f"expected {{ collection = share, recovery = share }}, instead received "
            f"{_describe(rec_raw)}",
        )
        coll = recov = None
    else:
        for k in rec_raw:
            if k not in RECYCLING_KEYS:
                c.add(
                    (*locs("recycling"), k), f"unknown key {k!r}; expected collection and recovery"
                )
                coll = None
        if coll is not None:
            coll = _range(
                c,
                rec_raw.get("collection", 0.0),
                (*locs("recycling"), "collection"),
                share,
                "in [0, 1]",
            )
            recov = _range(
                c,
                rec_raw.get("recovery", 0.0),
                (*locs("recycling"), "recovery"),
                share,
                "in [0, 1]",
            )
    for k in ("unit", "source", "notes"):
        if k in raw and not isinstance(raw[k], str):
            c.add(locs(k), f"expected {k} as text, instead received {_describe(raw[k])}")
            ok = False
    if not ok or None in (units, kg, mixes, life, yld, scrap, coll, recov):
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


def _int_year(c: _Collector, data: dict, key: str) -> int | None:
    v = data.get(key)
    if v is None:
        c.add(
            (key,),
            f"required key {key} is missing; give the {'first' if key == 'start_year' else 'last'} "
            "year to report, e.g. 2025",
        )
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not 1900 <= v <= 2200:
        c.add(
            (key,),
            f"expected {key} as a whole year between 1900 and 2200, instead received {_describe(v)}",
        )
        return None
    return v


def parse_fleet(text: str, path: str, lib: Library) -> FleetSpec:
    """Validate fleet TOML ``text`` (``path`` names it in messages) against the library."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}; fix the syntax at that place") from None
    c = _Collector(path, _Lines(text))
    for k in data:
        if k not in TOP_KEYS:
            hint = difflib.get_close_matches(k, TOP_KEYS, n=1)
            c.add(
                (k,),
                f"unknown key {k!r} at the top level; expected one of {', '.join(TOP_KEYS)}"
                + (f" (did you mean {hint[0]!r}?)" if hint else ""),
            )
    start, end = _int_year(c, data, "start_year"), _int_year(c, data, "end_year")
    if start is not None and end is not None and start > end:
        c.add(("end_year",), f"expected end_year >= start_year ({start}), instead received {end}")
    raw_segments = data.get("segment")
    segments: list[SegmentSpec | None] = []
    if (
        not isinstance(raw_segments, list)
        or not raw_segments
        or not all(isinstance(s, dict) for s in raw_segments)
    ):
        c.add(
            ("segment",),
            "expected at least one [[segment]] table, instead received "
            + (_describe(raw_segments) if raw_segments is not None else "none"),
        )
        raw_segments = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_segments):  # the few segments of a file
        segments.append(_segment(c, raw, lambda f, i=i: ("segment", i, f), lib, seen))

    names = [s.name for s in segments if s is not None]
    scenarios: dict[str, tuple[SegmentSpec, ...]] = {}
    overrides: dict[str, dict[str, tuple[str, ...]]] = {}
    raw_sc = data.get("scenario", {})
    if not isinstance(raw_sc, dict):
        c.add(
            ("scenario",), f"expected [scenario.NAME] tables, instead received {_describe(raw_sc)}"
        )
        raw_sc = {}
    for sc, body in raw_sc.items():  # the few scenarios of a file
        if sc == "baseline":
            c.add(
                ("scenario", sc),
                "the scenario name 'baseline' is reserved (no overrides); choose another name",
            )
            continue
        if not isinstance(body, dict):
            c.add(
                ("scenario", sc),
                f"expected a table of segment overrides, instead received {_describe(body)}",
            )
            continue
        new = list(segments)
        overrides[sc] = {}
        for seg_name, fields in body.items():
            if seg_name not in names:
                hint = difflib.get_close_matches(str(seg_name), names, n=1)
                c.add(
                    ("scenario", sc, seg_name),
                    f"scenario {sc!r} names segment {seg_name!r}, which is not "
                    f"defined; expected one of {', '.join(map(repr, names))}"
                    + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                )
                continue
            if not isinstance(fields, dict):
                c.add(
                    ("scenario", sc, seg_name),
                    f'expected fields to replace, e.g. "{seg_name}".grades = {{...}}, '
                    f"instead received {_describe(fields)}",
                )
                continue
            if "name" in fields:
                c.add(
                    ("scenario", sc, seg_name, "name"),
                    "a scenario cannot rename a segment; remove name",
                )
                continue
            i = next(
                k
                for k, s in enumerate(raw_segments)
                if isinstance(s.get("name"), str) and s["name"].strip() == seg_name
            )
            merged = {**raw_segments[i], **fields}

            def locs(f: str, i=i, sc=sc, seg_name=seg_name, fields=fields) -> tuple:
                return ("scenario", sc, seg_name, f) if f in fields else ("segment", i, f)

            n_warn = len(c.warnings)
            spec = _segment(c, merged, locs, lib, None)
            del c.warnings[n_warn:]  # a default already warned about for the baseline
            new[i] = spec
            overrides[sc][seg_name] = tuple(fields)
        scenarios[sc] = tuple(new)  # type: ignore[arg-type]

    if c.problems:
        probs = sorted(c.problems, key=lambda p: p.line or 0)
        lines = [
            f"{p.path}{':' + str(p.line) if p.line else ''}: key {p.column}: {p.message}"
            for p in probs
        ]
        head = (
            lines[0]
            if len(lines) == 1
            else f"{len(lines)} problems in {path}:\n  " + "\n  ".join(lines)
        )
        err = InputError(head)
        err.problems = probs  # type: ignore[attr-defined]
        raise err
    base = tuple(segments)  # type: ignore[arg-type]
    all_sc = {"baseline": base, **scenarios}
    return FleetSpec(
        path=path,
        start_year=start,
        end_year=end,  # type: ignore[arg-type]
        segments=base,
        scenarios=all_sc,
        description=str(data.get("description", "")),
        warnings=tuple(c.warnings),
        scenario_overrides=overrides,
    )


def load_fleet(path: str | Path, lib: Library) -> FleetSpec:
    """Read and validate a fleet TOML file; raises InputError naming file, line and key."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableFileError(
            f"{p}: no such file; give the path of a fleet TOML file "
            "(an example: materials/examples/fleet.toml)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(
            f"{p}: cannot be read ({exc}); expected a UTF-8 TOML file"
        ) from None
    return parse_fleet(text, str(p), lib)
