"""Row checks of a BOM: masks over whole columns, and the message for each defect.

:func:`field_messages` validates the numeric fields of :class:`~magnets.bom.columns.BomColumns`
and returns, per row, whether it is unusable, the messages (one Arrow array per defect,
null = none) and the values in SI units with the defaults filled in.
Defaults: quantity 1, pc the calibrated reference (NaN here, filled later), hd 0 kA/m,
cold -40 degC, thickness none (a magnet GBD reaches through, <= 6 mm); no required
temperature means no rating check.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from magnets.bom import columns as bc
from magnets.bom.messages import constant, floats, fmt, join, quote, where

DEFAULT_HD_KA_M = 0.0
DEFAULT_COLD_C = -40.0
ABSOLUTE_ZERO_C = -273.15
#: Highest temperature a cell may give (degC), as the CLI's options: far above any Curie point.
MAX_TEMP_C = 10_000.0
#: Most magnet a line may hold (kg; a million tonnes): past this the mass or quantity column is
#: in the wrong unit, and the totals would be nonsense (or overflow).
MAX_LINE_KG = 1e9


class _Checks:
    """Collects the messages of one BOM, in the order the defects are checked."""

    def __init__(self, cols: bc.BomColumns, n: int):
        self.cols = cols
        self.n = n
        self.msgs: list[pa.Array] = []
        self.bad = np.zeros(n, dtype=bool)

    def col(self, name: str) -> str:
        return self.cols.source[name] or bc.DISPLAY[name]

    def cell(self, f: bc.NumericField) -> pa.Array:
        return f.text if f.text is not None else pc.cast(floats(f.values), pa.string())

    def add(self, mask: np.ndarray, build: Callable[[], object]) -> None:
        if mask.any():
            self.bad |= mask
            self.msgs.append(where(mask, build()))

    def number(self, name: str, what: str, unit_help: str) -> bc.NumericField:
        """The field, after flagging cells that are no number or have an unknown unit."""
        f = self.cols.numeric[name]
        example = "12,5" if self.cols.decimal_comma else "12.5"
        where_ = f" in column '{self.col(name)}'"
        self.add(
            f.problem == bc.NOT_A_NUMBER,
            lambda: join(
                what,
                " ",
                quote(self.cell(f)),
                f"{where_} is not a number; write it as e.g. {example}{unit_help}",
            ),
        )
        self.add(
            f.problem == bc.BAD_UNIT,
            lambda: join(
                what,
                " ",
                quote(self.cell(f)),
                f"{where_} has an unknown unit; use " + bc.UNIT_HELP[bc.FIELDS[name][0]],
            ),
        )
        return f

    def cell_msg(self, mask: np.ndarray, what: str, f: bc.NumericField, why: str) -> None:
        """``what 'cell' why`` on the rows of mask."""
        self.add(mask, lambda: join(what, " ", quote(self.cell(f)), why))


def _unusable(f: bc.NumericField, *extra: np.ndarray) -> np.ndarray:
    out = (f.problem == bc.NOT_A_NUMBER) | (f.problem == bc.BAD_UNIT)
    for e in extra:
        out = out | e
    return out


def _mass(ch: _Checks, vals: dict[str, np.ndarray]) -> None:
    n = ch.n
    f = ch.number("magnet_mass", "magnet mass", "")
    if ch.cols.source["magnet_mass"] is None:
        text = (
            "no magnet mass column; add a column 'magnet_mass_kg' (or 'Mass (g)') with the "
            "mass of one magnet"
        )
        ch.add(np.ones(n, bool), lambda: constant(n, text))
    else:
        text = f"no magnet mass; give the mass of one magnet in column '{ch.col('magnet_mass')}'"
        ch.add(f.problem == bc.MISSING, lambda: constant(n, text))
    with np.errstate(invalid="ignore"):
        why = f" in column '{ch.col('magnet_mass')}' must be positive (mass of one magnet)"
        ch.cell_msg(f.values <= 0, "magnet mass", f, why)
    vals["mass_kg"] = np.where(f.values > 0, f.values, np.nan)


def _quantity(ch: _Checks, vals: dict[str, np.ndarray]) -> None:
    f = ch.number("quantity", "quantity", "")
    q = np.where(f.problem == bc.MISSING, 1.0, f.values)
    why = (
        f" in column '{ch.col('quantity')}' must be 1 or more; "
        "remove the line if the part is not fitted"
    )
    with np.errstate(invalid="ignore"):
        low = q < 1  # docs/bom.md: a count of magnets, 1 or more (0.5 is not a magnet)
        part = (q >= 1) & np.isfinite(q) & (np.floor(q) != q)
    ch.add(low, lambda: join("quantity ", quote(ch.cell(f)), why))
    whole = (
        f" in column '{ch.col('quantity')}' must be a whole number of magnets; "
        "give the count on the line"
    )
    ch.add(part, lambda: join("quantity ", quote(ch.cell(f)), whole))
    vals["quantity"] = np.where(low | part, np.nan, q)
    with np.errstate(over="ignore", invalid="ignore"):
        huge = vals["mass_kg"] * vals["quantity"] > MAX_LINE_KG
    text = (
        "magnet mass x quantity is over a million tonnes (1e9 kg), too large to be a real "
        "part; check the units of the mass and quantity columns"
    )
    ch.add(huge, lambda: constant(ch.n, text))
    vals["mass_kg"] = np.where(huge, np.nan, vals["mass_kg"])


def _required(ch: _Checks, vals: dict[str, np.ndarray]) -> np.ndarray:
    what = "required temperature"
    f = ch.number("required_temp_C", what, " (degC, or give the unit: 302 F)")
    with np.errstate(invalid="ignore"):
        frozen = f.values < ABSOLUTE_ZERO_C
        hot = f.values > MAX_TEMP_C
    why = " is below absolute zero; give degC (or the unit, e.g. 302 F)"
    ch.cell_msg(frozen, what, f, why)
    hot_why = " is above 10,000 degC, far above any magnet's Curie point; give degC"
    ch.cell_msg(hot, what, f, hot_why)
    frozen = frozen | hot
    vals["required_temp_C"] = np.where(frozen, np.nan, f.values)
    return _unusable(f, frozen)


def _pc(ch: _Checks, vals: dict[str, np.ndarray]) -> np.ndarray:
    what = "permeance coefficient Pc"
    f = ch.number("pc", what, "")
    why = (
        " must be positive (thin disc about 0.5, L/D 0.7 cylinder about 2); "
        "leave it empty for the calibrated default"
    )
    with np.errstate(invalid="ignore"):
        ch.cell_msg(f.values <= 0, what, f, why)
        vals["pc"] = np.where(f.values > 0, f.values, np.nan)
        return _unusable(f, f.values <= 0)


def _hd(ch: _Checks, vals: dict[str, np.ndarray]) -> np.ndarray:
    what = "applied field Hd"
    f = ch.number("hd_kA_m", what, " (kA/m, or give the unit: 5 kOe)")
    why = " must not be negative: give the magnitude of the demagnetising field"
    with np.errstate(invalid="ignore"):
        ch.cell_msg(f.values < 0, what, f, why)
        vals["hd_kA_m"] = np.where(
            f.problem == bc.MISSING, DEFAULT_HD_KA_M, np.where(f.values >= 0, f.values, np.nan)
        )
        return _unusable(f, f.values < 0)


def _cold(ch: _Checks, vals: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    what = "cold temperature"
    f = ch.number("cold_temp_C", what, " (degC, or give the unit: -40 F)")
    cold = np.where(f.problem == bc.MISSING, DEFAULT_COLD_C, f.values)
    with np.errstate(invalid="ignore"):
        frozen = cold < ABSOLUTE_ZERO_C
    ch.cell_msg(frozen, what, f, " is below absolute zero; give degC (or the unit, e.g. -40 F)")
    cold = np.where(frozen, np.nan, cold)
    req = vals["required_temp_C"]
    with np.errstate(invalid="ignore"):
        swapped = cold > req
    ch.add(
        swapped,
        lambda: join(
            "cold temperature ",
            fmt(cold, 1),
            " degC is above the required (maximum) temperature ",
            fmt(req, 1),
            " degC; swap the two columns' values",
        ),
    )
    vals["cold_temp_C"] = cold
    return _unusable(f, frozen), swapped


def _thickness(ch: _Checks, vals: dict[str, np.ndarray]) -> np.ndarray:
    what = "thickness"
    f = ch.number("thickness_mm", what, " (mm, or give the unit: 0.4 in)")
    why = (
        f" in column '{ch.col('thickness_mm')}' must be a positive length along the "
        "magnetisation; leave it empty to assume a magnet diffusion reaches through (<= 6 mm)"
    )
    with np.errstate(invalid="ignore"):
        ch.cell_msg(f.values <= 0, what, f, why)
        vals["thickness_mm"] = np.where(f.values > 0, f.values, np.nan)
        return _unusable(f, f.values <= 0)


def field_messages(
    cols: bc.BomColumns, n: int
) -> tuple[np.ndarray, list[pa.Array], dict[str, np.ndarray]]:
    """Per-row validation: (row has an error, message arrays (null = none), SI values).

    The values are mass_kg, quantity, required_temp_C, pc, hd_kA_m, cold_temp_C, thickness_mm
    (NaN where unusable; an empty thickness is NaN: diffusion reaches through) and
    conditions_ok (the rating conditions of the row can be used).
    """
    ch = _Checks(cols, n)
    vals: dict[str, np.ndarray] = {}
    _mass(ch, vals)
    _quantity(ch, vals)
    req_bad = _required(ch, vals)
    pc_bad = _pc(ch, vals)
    hd_bad = _hd(ch, vals)
    cold_bad, swapped = _cold(ch, vals)
    thick_bad = _thickness(ch, vals)
    vals["conditions_ok"] = ~(req_bad | pc_bad | hd_bad | cold_bad | swapped | thick_bad)
    return ch.bad, ch.msgs, vals
