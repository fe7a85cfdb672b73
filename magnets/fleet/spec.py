"""Read and validate a fleet TOML file into a :class:`FleetSpec` (see docs/fleet.md).

Every problem is collected (file, line where known, key path, what was expected, what was
received, the fix) and raised together as one :class:`magnets.errors.InputError`.
``tomllib`` gives no line numbers for keys, so :class:`magnets.fleet.toml_lines.TomlLines`
finds a key's line by scanning the text. Segments are checked by
:func:`magnets.fleet.segment.parse_segment`, single fields by :mod:`magnets.fleet.checks`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from magnets.errors import InputError, UnreadableFileError
from magnets.fleet.checks import LIFETIME_PARAMS, SHARE_TOLERANCE, Collector, describe
from magnets.fleet.segment import RECYCLING_KEYS, SEGMENT_KEYS, SegmentSpec, parse_segment
from magnets.fleet.toml_lines import TomlLines

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

TOP_KEYS = ("start_year", "end_year", "description", "segment", "scenario")
#: The scenario every file has: the segments as given, no overrides (a reserved name).
BASELINE = "baseline"

__all__ = [
    "BASELINE",
    "LIFETIME_PARAMS",
    "RECYCLING_KEYS",
    "SEGMENT_KEYS",
    "SHARE_TOLERANCE",
    "TOP_KEYS",
    "FleetSpec",
    "SegmentSpec",
    "load_fleet",
    "parse_fleet",
]


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


def _int_year(c: Collector, data: dict, key: str) -> int | None:
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
            f"expected {key} as a whole year between 1900 and 2200, instead received {describe(v)}",
        )
        return None
    return v


def _top_level(c: Collector, data: dict) -> tuple[int | None, int | None]:
    """Unknown top-level keys; start_year and end_year."""
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
    return start, end


def _segment_locs(i: int) -> Callable[[str], tuple]:
    """Key path of a field of the i-th [[segment]] (0-based)."""

    def locs(f: str) -> tuple:
        return ("segment", i, f)

    return locs


def _segments(
    c: Collector, data: dict, lib: Library
) -> tuple[list[dict], list[SegmentSpec | None]]:
    """The raw [[segment]] tables and their validated segments (None where invalid)."""
    raw_segments = data.get("segment")
    if (
        not isinstance(raw_segments, list)
        or not raw_segments
        or not all(isinstance(s, dict) for s in raw_segments)
    ):
        c.add(
            ("segment",),
            "expected at least one [[segment]] table, instead received "
            + (describe(raw_segments) if raw_segments is not None else "none"),
        )
        raw_segments = []
    seen: set[str] = set()
    segments: list[SegmentSpec | None] = []
    for i, raw in enumerate(raw_segments):  # the few segments of a file
        segments.append(parse_segment(c, raw, _segment_locs(i), lib, seen))
    return raw_segments, segments


def _override(c: Collector, sc: str, seg_name: Any, fields: Any, names: list[str]) -> bool:
    """Whether ``[scenario.sc]`` may override segment ``seg_name`` with ``fields``."""
    if seg_name not in names:
        hint = difflib.get_close_matches(str(seg_name), names, n=1)
        c.add(
            ("scenario", sc, seg_name),
            f"scenario {sc!r} names segment {seg_name!r}, which is not "
            f"defined; expected one of {', '.join(map(repr, names))}"
            + (f" (did you mean {hint[0]!r}?)" if hint else ""),
        )
        return False
    if not isinstance(fields, dict):
        c.add(
            ("scenario", sc, seg_name),
            f'expected fields to replace, e.g. "{seg_name}".grades = {{...}}, '
            f"instead received {describe(fields)}",
        )
        return False
    if "name" in fields:
        c.add(
            ("scenario", sc, seg_name, "name"),
            "a scenario cannot rename a segment; remove name",
        )
        return False
    return True


def _scenario(
    c: Collector,
    sc: str,
    body: dict,
    raw_segments: list[dict],
    segments: list[SegmentSpec | None],
    lib: Library,
) -> tuple[list[SegmentSpec | None], dict[str, tuple[str, ...]]]:
    """One scenario's segments (overrides merged into the raw tables, then validated)."""
    names = [s.name for s in segments if s is not None]
    new = list(segments)
    overrides: dict[str, tuple[str, ...]] = {}
    for seg_name, fields in body.items():
        if not _override(c, sc, seg_name, fields, names):
            continue
        i = next(
            k
            for k, s in enumerate(raw_segments)
            if isinstance(s.get("name"), str) and s["name"].strip() == seg_name
        )
        merged = {**raw_segments[i], **fields}

        def locs(f: str, i: int = i, seg_name: str = seg_name, fields: dict = fields) -> tuple:
            return ("scenario", sc, seg_name, f) if f in fields else ("segment", i, f)

        n_warn = len(c.warnings)
        new[i] = parse_segment(c, merged, locs, lib, None)
        del c.warnings[n_warn:]  # a default already warned about for the baseline
        overrides[seg_name] = tuple(fields)
    return new, overrides


def _scenarios(
    c: Collector,
    data: dict,
    raw_segments: list[dict],
    segments: list[SegmentSpec | None],
    lib: Library,
) -> tuple[dict[str, list[SegmentSpec | None]], dict[str, dict[str, tuple[str, ...]]]]:
    """Every [scenario.NAME] (the baseline is implicit and reserved)."""
    scenarios: dict[str, list[SegmentSpec | None]] = {}
    overrides: dict[str, dict[str, tuple[str, ...]]] = {}
    raw_sc = data.get("scenario", {})
    if not isinstance(raw_sc, dict):
        c.add(
            ("scenario",), f"expected [scenario.NAME] tables, instead received {describe(raw_sc)}"
        )
        raw_sc = {}
    for sc, body in raw_sc.items():  # the few scenarios of a file
        if sc == BASELINE:
            c.add(
                ("scenario", sc),
                "the scenario name 'baseline' is reserved (no overrides); choose another name",
            )
            continue
        if not isinstance(body, dict):
            c.add(
                ("scenario", sc),
                f"expected a table of segment overrides, instead received {describe(body)}",
            )
            continue
        scenarios[sc], overrides[sc] = _scenario(c, sc, body, raw_segments, segments, lib)
    return scenarios, overrides


def _raise_problems(c: Collector, path: str) -> None:
    """One InputError listing every problem by line (its ``problems`` attribute holds them)."""
    if not c.problems:
        return
    probs = sorted(c.problems, key=lambda p: p.line or 0)
    lines = [
        f"{p.path}{':' + str(p.line) if p.line else ''}: key {p.column}: {p.message}" for p in probs
    ]
    head = (
        lines[0]
        if len(lines) == 1
        else f"{len(lines)} problems in {path}:\n  " + "\n  ".join(lines)
    )
    err = InputError(head)
    err.problems = probs  # type: ignore[attr-defined]
    raise err


#: Deepest nesting of tables and arrays read from a fleet file (a real one needs about 4).
MAX_TOML_DEPTH = 100


def _too_deep(path: str) -> InputError:
    return InputError(
        f"{path}: tables and arrays are nested more than {MAX_TOML_DEPTH} levels deep (the "
        "limit; a fleet file needs about 4); flatten the nesting"
    )


def _depth(data: object) -> int:
    """Nesting depth of parsed TOML, without recursion (a stack of (value, depth))."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, d = stack.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, d)
        if deepest > MAX_TOML_DEPTH:
            return deepest
        stack.extend((v, d + 1) for v in children)
    return deepest


def parse_fleet(text: str, path: str, lib: Library) -> FleetSpec:
    """Validate fleet TOML ``text`` (``path`` names it in messages) against the library."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}; fix the syntax at that place") from None
    except RecursionError:  # nested far beyond the limit: the parser itself gave up
        raise _too_deep(path) from None
    if _depth(data) > MAX_TOML_DEPTH:
        raise _too_deep(path)
    c = Collector(path, TomlLines(text))
    start, end = _top_level(c, data)
    raw_segments, segments = _segments(c, data, lib)
    scenarios, overrides = _scenarios(c, data, raw_segments, segments, lib)
    _raise_problems(c, path)
    # no problems: every year and segment is set
    base = cast(tuple[SegmentSpec, ...], tuple(segments))
    all_sc = {BASELINE: base}
    all_sc.update({k: cast(tuple[SegmentSpec, ...], tuple(v)) for k, v in scenarios.items()})
    return FleetSpec(
        path=path,
        start_year=cast(int, start),
        end_year=cast(int, end),
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
