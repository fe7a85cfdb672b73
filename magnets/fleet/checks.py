"""Checks of single fields of a fleet file, each adding problems to a :class:`Collector`.

A check returns the parsed value, or None after recording what was expected, what was
received and the fix; the caller goes on, so every problem of a file is reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from magnets.errors import Problem
from magnets.fleet.cohort import DISTRIBUTIONS
from magnets.fleet.toml_lines import TomlLines

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

#: Lifetime distributions and their parameters (one definition: the cohort model's).
LIFETIME_PARAMS = DISTRIBUTIONS
SHARE_TOLERANCE = 1e-6
YEAR = re.compile(r"\d{4}")


class Collector:
    """Problems (file, line, key path, message) and warnings found in one fleet file."""

    def __init__(self, path: str, lines: TomlLines):
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def where(self, loc: tuple) -> tuple[int | None, str]:
        return self.lines.line(loc), keyname(loc)

    def add(self, loc: tuple, message: str) -> None:
        line, key = self.where(loc)
        self.problems.append(Problem(self.path, line, key, message))

    def warn(self, loc: tuple, message: str) -> None:
        line, key = self.where(loc)
        where = self.path + (f":{line}" if line else "")
        self.warnings.append(f"{where}: key {key}: {message}")


def keyname(loc: tuple) -> str:
    """A key path as the user wrote it: segment[2].units, scenario.x."BEV traction"."""
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


def describe(v: Any) -> str:
    """What a value is, for "instead received ..." messages."""
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


def is_number(v: Any) -> bool:
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and v == v
        and abs(v) != float("inf")
    )


def number_or_range(
    c: Collector,
    v: Any,
    loc: tuple,
    lo_ok: Callable[[float], bool],
    bound_text: str,
    allow_range: bool = True,
) -> tuple[float, float] | None:
    """A number, or { low, high } with low <= high; each within the bound."""
    if is_number(v):
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
                + describe(v)
                + ("; unknown keys " + ", ".join(extra) if extra else ""),
            )
            return None
        lo, hi = v["low"], v["high"]
        ok = True
        for k, x in (("low", lo), ("high", hi)):
            if not is_number(x) or not lo_ok(float(x)):
                c.add((*loc, k), f"expected a number {bound_text}, instead received {describe(x)}")
                ok = False
        if ok and lo > hi:
            c.add(loc, f"expected low <= high, instead received low = {lo}, high = {hi}; swap them")
            ok = False
        return (float(lo), float(hi)) if ok else None
    form = "a number or { low, high }" if allow_range else "a number"
    c.add(loc, f"expected {form} {bound_text}, instead received {describe(v)}")
    return None


def by_year(
    c: Collector,
    v: Any,
    loc: tuple,
    parse_value: Callable[[Any, tuple], Any],
    what: str,
    allow_scalar: bool,
) -> tuple[tuple[int, ...], tuple] | None:
    """A table { YEAR = value } (years ascending after sorting), or a single value when allowed."""
    if isinstance(v, dict) and v and all(YEAR.fullmatch(str(k)) for k in v):
        years = sorted(v, key=int)
        vals = []
        ok = True
        for y in years:
            r = parse_value(v[y], (*loc, y))
            ok = ok and r is not None
            vals.append(r)
        return (tuple(int(y) for y in years), tuple(vals)) if ok else None
    if isinstance(v, dict) and v and any(YEAR.fullmatch(str(k)) for k in v):
        bad = [k for k in v if not YEAR.fullmatch(str(k))]
        c.add(
            loc,
            "expected a table by year (keys like 2025), instead received the keys "
            f"{', '.join(bad)} "
            "mixed with years; give every key as a 4-digit year",
        )
        return None
    if allow_scalar:
        r = parse_value(v, loc)
        return ((0,), (r,)) if r is not None else None
    c.add(
        loc,
        f"expected {what} as a table by year, e.g. {{ 2025 = 1e6, 2030 = 2e6 }}, "
        f"instead received {describe(v)}",
    )
    return None


def grade_mix(c: Collector, v: Any, loc: tuple, lib: Library) -> dict[str, float] | None:
    """Grade id -> share of magnet mass (ids resolved in the library, shares summing to 1)."""
    if not isinstance(v, dict) or not v:
        c.add(
            loc,
            "expected grade shares such as { N45SH = 0.7, N48UH = 0.3 }, instead received "
            + describe(v),
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
        if not is_number(share) or not 0 <= share <= 1:
            c.add(
                (*loc, name),
                "expected a share of magnet mass between 0 and 1, instead received "
                + describe(share),
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


def lifetime(c: Collector, v: Any, loc: tuple) -> tuple[str, float, float] | None:
    """(distribution, p1, p2) from { distribution = ..., its parameters } (p2 = 0 for fixed)."""
    if not isinstance(v, dict):
        c.add(
            loc,
            'expected a table such as { distribution = "normal", mean = 15, sd = 4 }, '
            f"instead received {describe(v)}",
        )
        return None
    dist = v.get("distribution")
    if dist not in LIFETIME_PARAMS:
        c.add(
            (*loc, "distribution"),
            f"expected distribution = one of {', '.join(map(repr, LIFETIME_PARAMS))}, "
            f"instead received {describe(dist) if dist is not None else 'nothing'}",
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
        if not is_number(x) or (x <= 0 if positive else x < 0) or x > 500:
            c.add(
                (*loc, k),
                f"expected {k} as a number {'> 0' if positive else '>= 0'} (years"
                f"{'' if k != 'shape' else ', dimensionless'}), instead received {describe(x)}",
            )
            return None
        vals.append(float(x))
    vals += [0.0] * (2 - len(vals))
    return dist, vals[0], vals[1]
