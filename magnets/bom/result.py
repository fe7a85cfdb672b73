"""What an evaluated BOM is: :class:`BomResult` (the table) and :class:`BomSummary` (totals).

Output columns (every input row exactly once, in input order)
--------------------------------------------------------------
line                    int64   where the record starts in the source (CSV file line with the
                                header as line 1; XLSX sheet row; Parquet record number + 1)
<input columns>                 unchanged, under their original headers; a header that
                                clashes with an output name gets the prefix ``input_``
status                  category  ``ok``, ``below_rating`` or ``error``
message                 string  why, for anything but ``ok`` (empty when ok)
t_max_C                 float64 degC, rated temperature of the specified grade at the row's
                                Pc and Hd (empty when there is no rating or the row is unusable)
margin_C                float64 K, t_max_C - required_temp_C (empty without a requirement)
irreversible_loss_pct   float64 %, flux lost at T0 on the row's load line after a trip to
                                required_temp_C (magnets.physics.loss; Hd on at T and T0)
Nd_kg Pr_kg Dy_kg Tb_kg Sm_kg Gd_kg Co_kg
                        float64 kg of each element on the line: mass per unit x quantity x wt%
controlled_kg           float64 kg of elements under export control as of the date
suggested_grade         category  a leaner grade that meets the same requirement; on a
                                below_rating line with nothing leaner, the family's grade that
                                meets it with the least magnet at equal flux (empty: none);
                                never one whose high Dy+Tb bound is below what its route needs
                                there (``magnets tradeoff``): that saving would not be real
suggestion_kind         category  leaner / upgrade (needed: the specified grade fails) / none;
                                null on error rows
suggested_t_max_C       float64 degC, its rating at the row's Pc and Hd
suggested_mass_factor   float64 its mass / the specified mass at equal flux
suggested_Dy_kg, suggested_Tb_kg, suggested_controlled_kg
                        float64 kg on the line with the suggested grade (mass factor included)
saving_Dy_Tb_kg         float64 (Dy_kg + Tb_kg) - (suggested_Dy_kg + suggested_Tb_kg)
saving_controlled_kg    float64 controlled_kg - suggested_controlled_kg
suggested_composition_basis
                        category  where the suggestion's composition comes from (sourced,
                                derived, estimate, model)
suggested_Dy_Tb_kg_low, suggested_Dy_Tb_kg_high
                        float64 kg of Dy+Tb on the line with the suggestion, at the low and
                                high bound of its composition (equal where it has no band)
suggested_thickness     string  what a GBD suggestion assumes about thickness ("assumes
                                <= 6 mm" without a thickness column); null for other routes
suggested_why           string  why the suggestion answers (:mod:`magnets.substitution.why`, as
                                ``substitute --why``): its rating at the row's Pc and Hd and
                                what limits it, its margin and datasheet rating, Dy+Tb with
                                basis and band, the GBD thickness assumed, export control as
                                of the date; null where the line has no suggestion

With ``bands=True`` (``magnets bom --bands``), after controlled_kg:
Dy_kg_low Dy_kg_high Tb_kg_low Tb_kg_high controlled_kg_low controlled_kg_high
                        float64 kg on the line at the low / high bound of the specified
                                grade's composition
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from magnets.data.chemistry import REPORTED

STATUS_VALUES = ("ok", "below_rating", "error")
OK, BELOW, ERROR = 0, 1, 2

ELEMENT_COLUMNS = [f"{el}_kg" for el in REPORTED]
RESULT_COLUMNS = [
    "status",
    "message",
    "t_max_C",
    "margin_C",
    "irreversible_loss_pct",
    *ELEMENT_COLUMNS,
    "controlled_kg",
]
SUGGEST_COLUMNS = [
    "suggested_grade",
    "suggestion_kind",
    "suggested_t_max_C",
    "suggested_mass_factor",
    "suggested_Dy_kg",
    "suggested_Tb_kg",
    "suggested_controlled_kg",
    "saving_Dy_Tb_kg",
    "saving_controlled_kg",
    "suggested_composition_basis",
    "suggested_Dy_Tb_kg_low",
    "suggested_Dy_Tb_kg_high",
    "suggested_thickness",
    "suggested_why",
]
#: per-line bounds of the specified grade's content (``bands=True``), after controlled_kg
BAND_COLUMNS = [
    "Dy_kg_low",
    "Dy_kg_high",
    "Tb_kg_low",
    "Tb_kg_high",
    "controlled_kg_low",
    "controlled_kg_high",
]
OUTPUT_NAMES = ["line", *RESULT_COLUMNS, *BAND_COLUMNS, *SUGGEST_COLUMNS]

#: ``progress(stage, fraction)``, called as the work advances.
Progress = Callable[[str, float], None]


@dataclass
class BomSummary(Mapping[str, Any]):
    """Totals of an evaluated BOM. Reads as a mapping too: ``summary["rows"]``, ``.items()``.

    The fields, in their JSON order (``magnets bom --summary``; :meth:`to_dict`):

    rows : int
        Input rows evaluated (every row, whatever its status).
    rows_by_status : dict[str, int]
        Rows per status, keys ``ok``, ``below_rating``, ``error``.
    totals_kg : dict[str, float]
        kg of each reported element (Nd Pr Dy Tb Sm Gd Co) and ``controlled``, as specified.
    suggested_totals_kg : dict[str, float] | None
        The same with every suggestion taken (mass factor included); None with no suggestions.
    band_totals_kg : dict[str, dict[str, dict[str, float]]]
        ``{"specified": {el: {"low", "mid", "high"}}, "suggested": ... | None}`` for Dy, Tb,
        Sm, Gd and ``controlled``: the totals at the low bound, the value and the high bound
        of every grade's composition (:mod:`magnets.data.bands`; low = mid = high where a
        composition has no band). The bounds of different grades are added, i.e. taken as
        one systematic error, not as independent ones.
    top_savings : list[dict]
        Up to ten lines with the largest saving by ``rank_by``: line, part_id (when the BOM
        has one), grade, suggested_grade, saving_Dy_Tb_kg, saving_controlled_kg, and
        saving_usd with ``rank_by='price'``. A saving in USD that is unknown (an unpriced
        element, as in :mod:`magnets.substitution`) is not ranked.
    rank_by : str
        ``dy_tb``, ``controlled`` or ``price``: what "leaner" means.
    library_version : str | None
        Version of the grade library used.
    as_of_date : str
        ISO date of the export-control status.
    calibration : dict
        The calibrated reference condition; ``pc`` is used where a row gives no Pc.
    column_warnings : list[str]
        What was said about the input's columns (e.g. no required-temperature column).
    """

    rows: int
    rows_by_status: dict[str, int]
    totals_kg: dict[str, float]
    suggested_totals_kg: dict[str, float] | None
    band_totals_kg: dict[str, Any]
    top_savings: list[dict[str, Any]]
    rank_by: str
    library_version: str | None
    as_of_date: str
    calibration: dict[str, Any]
    column_warnings: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in field order (what :func:`magnets.io.dumps_json` writes)."""
        return {k: getattr(self, k) for k in self._names()}


@dataclass
class PerLine:
    """What :meth:`BomResult.element_kg` needs, per grade and per output row.

    frac_kg_per_kg [grades x REPORTED] and ctrl_kg_per_kg [grades]: element content per kg
    of magnet; pos [rows]: grade position (-1 unknown); total_kg [rows]: magnet kg on the
    line; sug_pos / sug_total_kg: the same with the suggestion taken (None: no suggestions).
    """

    frac_kg_per_kg: np.ndarray
    ctrl_kg_per_kg: np.ndarray
    pos: np.ndarray
    total_kg: np.ndarray
    sug_pos: np.ndarray | None = None
    sug_total_kg: np.ndarray | None = None


@dataclass
class BomResult:
    """The evaluated BOM.

    Attributes
    ----------
    arrow : pyarrow.Table
        The output table (columns in the module docstring), typed: int64 line, float64
        numbers (null where empty), dictionary-encoded status and suggested_grade, text
        messages, input columns as read.
    summary : BomSummary
        Totals, counts and the largest savings (fields documented there).
    warnings : list[str]
        Things the user should know (Latin-1 fallback, a mass column without unit...).
    source : str
        The input as the user named it.

    ``table`` is the same output as a pandas DataFrame; ``element_kg()`` gives kg per line
    of all seven reported elements and ``controlled``, as specified or as suggested.
    """

    arrow: pa.Table
    summary: BomSummary
    warnings: list[str] = field(default_factory=list)
    source: str = "<frame>"
    _per_line: PerLine | None = field(default=None, repr=False)

    @cached_property
    def table(self) -> pd.DataFrame:
        """The output as a pandas DataFrame (categories for status and suggested_grade)."""
        return self.arrow.to_pandas()

    def element_kg(self, suggested: bool = False) -> pd.DataFrame:
        """kg per line of every REPORTED element and ``controlled``, as specified or, with
        ``suggested=True``, with the line's suggestion taken (mass factor included; NaN where
        the line has no suggestion). Rows in output order; computed on demand."""
        d = self._per_line
        cols = [*REPORTED, "controlled"]
        if d is None:
            return pd.DataFrame(columns=cols, dtype=float)
        frac = np.column_stack([d.frac_kg_per_kg, d.ctrl_kg_per_kg])
        pos, kg = (d.sug_pos, d.sug_total_kg) if suggested else (d.pos, d.total_kg)
        if pos is None or kg is None:
            return pd.DataFrame(np.nan, index=range(len(d.pos)), columns=cols)
        out = frac[np.maximum(pos, 0)] * kg[:, None]
        out[pos < 0] = np.nan
        return pd.DataFrame(out, columns=cols)
