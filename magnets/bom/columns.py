"""Which BOM column is which field, and its cells parsed to SI values.

:func:`normalise` matches the columns of a :class:`~magnets.bom.read.RawBom` (case, spaces
and underscores ignored, common aliases), parses units in headers and cells (g, kg, lb;
degC, degF; kA/m, kOe; the conversions are :mod:`magnets.units`) and returns SI arrays plus
one problem code per row and field (:class:`BomColumns`). A bad cell never raises: it
becomes a problem code that :mod:`magnets.bom.checks` turns into a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from magnets.errors import InputError, UnreadableFileError
from magnets.units import cm_to_mm, degf_to_degc, g_to_kg, inch_to_mm, koe_to_ka_m, lb_to_kg

if TYPE_CHECKING:
    from magnets.bom.raw import RawBom


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: canonical field -> (dimension, aliases); aliases are compared after lower-casing and
#: dropping everything but letters and digits ("Max Temp (C)" -> "maxtemp" + unit "c").
FIELDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "part_id": (
        None,
        _aliases("partid part partno partnumber partnum pn itemid item itemno itemnumber id"),
    ),
    "grade": (
        None,
        _aliases("grade gradeid magnetgrade material materialgrade magnetmaterial"),
    ),
    "magnet_mass": (
        "mass",
        _aliases(
            "magnetmass mass magnetmassperunit massperunit unitmass magnetweight weight "
            "magnetmasseach masseach weightperunit magnetweightperunit"
        ),
    ),
    "quantity": (
        "count",
        _aliases(
            "quantity qty count pcs pieces units number numberofunits quantityperyear "
            "qtyperassembly qtyperassy qtyassy qtyassembly quantityperassembly qtyperunit "
            "quantityperunit qtypermotor quantitypermotor noofmagnets numberofmagnets "
            "magnetcount magnetsperunit magnetspermotor stk stck"
        ),
    ),
    "required_temp_C": (
        "temp",
        _aliases(
            "requiredtemp requiredtemperature maxtemp maxtemperature operatingtemp "
            "operatingtemperature maxoperatingtemp maxoperatingtemperature temp temperature "
            "requiredmaxtemp tmax tempmax temperaturemax workingtemp workingtemperature "
            "designtemp designtemperature servicetemp servicetemperature maxservicetemp"
        ),
    ),
    "pc": (None, _aliases("pc permeancecoefficient permeance loadline")),
    "hd_kA_m": (
        "field",
        _aliases("hd appliedfield demagfield demagnetisingfield demagnetizingfield appliedhd"),
    ),
    "cold_temp_C": (
        "temp",
        _aliases(
            "coldtemp coldtemperature mintemp mintemperature minoperatingtemp "
            "minoperatingtemperature coldendtemp tmin tempmin temperaturemin"
        ),
    ),
    "thickness_mm": (
        "length",
        _aliases(
            "thickness thk thick magnetthickness magnetthk thicknessmagnetised "
            "thicknessmagnetized thicknessalongmagnetisation thicknessalongmagnetization "
            "magnetisedlength magnetizedlength lm t"
        ),
    ),
}

#: The name each field goes by in messages and documentation.
DISPLAY = {name: name for name in FIELDS} | {"magnet_mass": "magnet_mass_kg"}

Convert = Callable[[np.ndarray], np.ndarray]


def _same(x: np.ndarray) -> np.ndarray:
    return x


def _unit_table(convert: Convert, keys: str) -> dict[str, Convert]:
    return dict.fromkeys(keys.split(), convert)


#: dimension -> unit key (lower case, letters/digits only) -> conversion to the internal unit
UNITS: dict[str, dict[str, Convert]] = {
    "mass": {
        **_unit_table(_same, "kg kgs kilogram kilograms"),
        **_unit_table(g_to_kg, "g gram grams gr"),
        **_unit_table(lb_to_kg, "lb lbs"),
    },
    "temp": {
        **_unit_table(_same, "c degc celsius degreesc"),
        **_unit_table(degf_to_degc, "f degf fahrenheit degreesf"),
    },
    "field": {"kam": _same, "koe": koe_to_ka_m},
    "count": _unit_table(_same, "pcs pc ea each units"),
    "length": {
        **_unit_table(_same, "mm millimetre millimetres millimeter millimeters"),
        **_unit_table(cm_to_mm, "cm"),
        **_unit_table(inch_to_mm, "in inch inches"),
    },
}
UNIT_HELP = {
    "mass": "g, kg or lb",
    "temp": "degC or degF",
    "field": "kA/m or kOe",
    "count": "a plain number",
    "length": "mm, cm or in",
    None: "a plain number",
}
DEFAULT_UNIT = {
    "mass": "kg",
    "temp": "degC",
    "field": "kA/m",
    "count": "",
    "length": "mm",
    None: "",
}

#: problem codes per field cell
OK, MISSING, NOT_A_NUMBER, BAD_UNIT = 0, 1, 2, 3

_NUM_RE = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_CELL_RE = r"^\s*(?P<num>" + _NUM_RE + r")\s*(?P<unit>[^\d\s].*?)?\s*$"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _unit_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower().replace("°", "deg").replace("º", "deg"))


def _field_of(header: str) -> tuple[str | None, str | None]:
    """(canonical field, unit key or None) for a header, or (None, None) when it is no field.

    The unit key is not checked here (:func:`match_columns` rejects unknown units).
    """
    m = re.match(r"^(.*?)\s*[\(\[]([^\)\]]*)[\)\]]\s*$", str(header))
    bracket = None
    base = str(header)
    if m:
        base, bracket = m.group(1), m.group(2)
    key = _key(base)
    if not key:
        return None, None
    for name, (dim, aliases) in FIELDS.items():  # exact alias first
        if key in aliases:
            unit = _unit_key(bracket) if bracket is not None else None
            if len(key) < 2 and unit not in UNITS.get(dim or "", {}):
                continue  # a one-letter alias ('t [mm]') counts only with its unit
            return name, unit
    if bracket is not None:
        return None, None
    # alias + unit suffix, longest alias first: "magnet_mass_kg", "MaxTempF", "hd_kA_m"
    cands = sorted(
        ((a, n) for n, (d, al) in FIELDS.items() if d and d != "count" for a in al),
        key=lambda t: -len(t[0]),
    )
    for alias, name in cands:
        if key.startswith(alias) and len(key) > len(alias):
            rest = key[len(alias) :]
            dim = FIELDS[name][0] or ""
            # short aliases take only a real unit: 'tmm' is a thickness, 'type' is not
            if rest in UNITS.get(dim, {}) or (len(rest) <= 4 and len(alias) >= 2):
                return name, rest
    return None, None


@dataclass
class NumericField:
    """One numeric BOM field parsed to the internal unit.

    values : float64, NaN where missing or unparsable
    problem : int8 per row, OK / MISSING / NOT_A_NUMBER / BAD_UNIT
    text : the raw cells as text (for messages), or None when the column was numeric
    """

    values: np.ndarray
    problem: np.ndarray
    text: pa.Array | None


@dataclass
class BomColumns:
    """Canonical view of a BOM: which input column feeds which field, and the parsed values.

    ``source[field]`` is the original header (or None when the column is absent);
    ``grade`` is the grade text per row (stripped, None where empty); numeric fields are
    :class:`NumericField` in kg (magnet_mass, per unit), pieces (quantity), degC
    (required_temp_C, cold_temp_C), kA/m (hd_kA_m), mm (thickness_mm) and dimensionless (pc).
    """

    source: dict[str, str | None]
    grade: pa.Array
    numeric: dict[str, NumericField]
    warnings: list[str]
    decimal_comma: bool = False


def _alias_rank(header: str, name: str) -> int:
    """Position of the header's alias in the field's alias list (lower = more specific)."""
    m = re.match(r"^(.*?)\s*[\(\[]([^\)\]]*)[\)\]]\s*$", str(header))
    key = _key(m.group(1) if m else header)
    aliases = FIELDS[name][1]
    for k, a in enumerate(aliases):
        if key == a or key.startswith(a):
            return k
    return len(aliases)


def match_columns(
    headers: list[str], path: str
) -> tuple[dict[str, int], dict[str, str | None], list[str]]:
    """Map canonical fields to column positions; header units per field; warnings.

    Raises InputError for an unknown unit in a header or two columns claiming one field.
    """
    found: dict[str, int] = {}
    units: dict[str, str | None] = {}
    warnings: list[str] = []
    for i, h in enumerate(headers):
        name, unit = _field_of(h)
        if name is None:
            continue
        dim = FIELDS[name][0]
        if unit is not None and unit != "":
            allowed = UNITS.get(dim, {}) if dim else {}
            if unit not in allowed:
                raise InputError(
                    f"{path}: column {h!r}: unknown unit {unit!r} for {DISPLAY[name]}; expected "
                    f"{UNIT_HELP[dim]} (e.g. rename the column to '{DISPLAY[name]}')"
                )
        if name in found:
            prev = headers[found[name]]
            r_prev, r_new = _alias_rank(prev, name), _alias_rank(h, name)
            if r_prev == r_new:
                raise InputError(
                    f"{path}: columns {prev!r} and {h!r} both read as {DISPLAY[name]}; "
                    "rename or remove one of them"
                )
            # a weaker alias (e.g. 'Material' beside 'Grade') stays an ordinary column
            keep, drop = (prev, h) if r_prev < r_new else (h, prev)
            warnings.append(
                f"{path}: column {drop!r} could also be {DISPLAY[name]}; using {keep!r} and "
                f"keeping {drop!r} as an ordinary column"
            )
            if keep == prev:
                continue
        found[name] = i
        units[name] = unit or None
    for name, what in (("required_temp_C", "required-temperature"), ("quantity", "quantity")):
        if name not in found:
            effect = (
                "nothing was checked against a requirement"
                if name == "required_temp_C"
                else "every line counts as 1 piece"
            )
            warnings.append(f"{path}: no {what} column: {effect}")
    if "magnet_mass" in found and units.get("magnet_mass") is None:
        warnings.append(
            f"{path}: column {headers[found['magnet_mass']]!r} gives no unit; read as kg per unit "
            "(name it e.g. 'magnet_mass_g' or 'Mass (g)' if it is grams)"
        )
    return found, units, warnings


def _as_text(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    if pa.types.is_dictionary(arr.type):
        return arr.cast(pa.string())
    return pc.cast(arr, pa.string())


def parse_numeric(
    arr, dim: str | None, header_unit: str | None, decimal_comma: bool
) -> NumericField:
    """Parse one column of numbers with optional units in the cells.

    Numeric Arrow columns pass straight through (converted from the header unit). Text columns
    take a fast cast; only when that fails are cells split into number and unit by a
    vectorised regular expression, and units mapped once per distinct unit.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    convert = UNITS[dim][header_unit] if header_unit and dim else _same
    if (
        pa.types.is_integer(arr.type)
        or pa.types.is_floating(arr.type)
        or pa.types.is_decimal(arr.type)
    ):
        vals = (
            pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
        )
        missing = np.isnan(vals)
        bad = ~missing & ~np.isfinite(vals)
        vals[bad] = np.nan
        if convert is not _same:
            vals = convert(vals)
        problem = np.where(missing, MISSING, np.where(bad, NOT_A_NUMBER, OK)).astype(np.int8)
        # an infinite cell needs its own text for the message (its value is now NaN)
        return NumericField(vals, problem, pc.cast(arr, pa.string()) if bad.any() else None)
    text = _as_text(arr)
    # fast path: plain numbers (empty cells are already null)
    try:
        work = pc.replace_substring(text, ",", ".") if decimal_comma else text
        vals = (
            pc.cast(work, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
        )
        missing = pc.is_null(text).to_numpy(zero_copy_only=False)
        cell_unit_ok = None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pc.utf8_trim_whitespace(text)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        missing = pc.is_null(text).to_numpy(zero_copy_only=False)
        vals, cell_unit_ok = _parse_with_units(text, dim, header_unit, decimal_comma)
        convert = _same  # already applied per cell
    vals[missing] = np.nan
    bad_num = ~missing & ~np.isfinite(vals)
    if cell_unit_ok is not None:
        bad_unit = ~missing & ~cell_unit_ok
        bad_num &= ~bad_unit
    else:
        bad_unit = np.zeros(n, dtype=bool)
    vals[bad_num | bad_unit] = np.nan
    if convert is not _same:
        vals = convert(vals)
    problem = np.full(n, OK, dtype=np.int8)
    problem[missing] = MISSING
    problem[bad_num] = NOT_A_NUMBER
    problem[bad_unit] = BAD_UNIT
    return NumericField(vals, problem, text)


def _parse_with_units(
    text: pa.Array, dim: str | None, header_unit: str | None, decimal_comma: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Values (converted) and a 'unit understood' mask for cells like '12 g', '302 F', '3,5'."""
    m = pc.extract_regex(pc.fill_null(text, ""), _CELL_RE)
    valid = pc.is_valid(m)
    num = pc.if_else(valid, m.field("num"), pa.scalar(None, pa.string()))
    if not decimal_comma:
        # "1,5" is only a number in a ';' file; elsewhere a comma is ambiguous (1,500?)
        num = pc.if_else(pc.match_substring(num, ","), pa.scalar(None, pa.string()), num)
    num = pc.replace_substring(num, ",", ".")
    vals = pc.cast(num, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
    matched = valid.to_numpy(zero_copy_only=False)
    vals[~matched] = np.nan
    unit = m.field("unit")
    unit = pc.if_else(pc.and_(valid, pc.not_equal(unit, "")), unit, pa.scalar(None, pa.string()))
    enc = (
        pc.dictionary_encode(unit).combine_chunks()
        if isinstance(unit, pa.ChunkedArray)
        else pc.dictionary_encode(unit)
    )
    dictionary = enc.dictionary.to_pylist()
    idx = enc.indices.to_numpy(zero_copy_only=False)
    has_unit = pc.is_valid(enc.indices).to_numpy(zero_copy_only=False)
    table = UNITS.get(dim, {}) if dim else {}
    default = table.get(header_unit, _same) if header_unit else _same
    # one look-up per distinct unit text, then one conversion per distinct conversion
    convs: list[Convert | None] = [default, None]
    conv_of_unit = []
    for u in dictionary:
        c = table.get(_unit_key(u))
        if c not in convs:
            convs.append(c)
        conv_of_unit.append(convs.index(c))
    safe_idx = np.where(has_unit, idx if idx.dtype != object else 0, 0).astype(np.int64)
    which = np.where(has_unit, np.array(conv_of_unit or [1], dtype=np.int64)[safe_idx], 0)
    unit_ok = which != 1
    out = vals.copy()
    for k, conv in enumerate(convs):
        rows = which == k
        if conv is not None and conv is not _same and rows.any():
            out[rows] = conv(vals[rows])
    return out, unit_ok


def normalise(raw: RawBom) -> BomColumns:
    """Match columns and parse every field (see :class:`BomColumns`)."""
    found, units, warnings = match_columns(raw.headers, raw.path)
    if not found:
        shown = ", ".join(repr(h) for h in raw.headers[:6]) + (
            " ..." if len(raw.headers) > 6 else ""
        )
        raise UnreadableFileError(
            f"cannot read BOM {raw.path}: it does not look like a BOM table: none of the header "
            f"cells ({shown}) is a BOM column; expected a header such as "
            "'part_id,grade,magnet_mass_kg,quantity,required_temp_C'"
        )
    if "grade" not in found:
        raise UnreadableFileError(
            f"cannot read BOM {raw.path}: no grade column among "
            f"{', '.join(repr(h) for h in raw.headers[:12])}"
            f"{' ...' if len(raw.headers) > 12 else ''}; add a column 'grade' holding library "
            "grade ids (aliases: Grade, Material, Magnet grade)"
        )
    n = raw.table.num_rows
    g = raw.table.column(found["grade"])
    g = g.combine_chunks() if isinstance(g, pa.ChunkedArray) else g
    g = pc.utf8_trim_whitespace(_as_text(g))
    grade = pc.if_else(pc.equal(g, ""), pa.scalar(None, pa.string()), g)
    numeric: dict[str, NumericField] = {}
    for name in (
        "magnet_mass",
        "quantity",
        "required_temp_C",
        "pc",
        "hd_kA_m",
        "cold_temp_C",
        "thickness_mm",
    ):
        if name in found:
            numeric[name] = parse_numeric(
                raw.table.column(found[name]), FIELDS[name][0], units.get(name), raw.decimal_comma
            )
        else:
            numeric[name] = NumericField(np.full(n, np.nan), np.full(n, MISSING, np.int8), None)
    source = {name: (raw.headers[found[name]] if name in found else None) for name in FIELDS}
    return BomColumns(source, grade, numeric, raw.warnings + warnings, raw.decimal_comma)
