"""The result of a fleet projection: the long table, the summary, and how they are written.

:class:`FleetResult` holds the long table (one row per scenario, year, segment, element and,
with samples, statistic), the summary per scenario and element group, and the world
production used for shares. Their columns are documented once, in :data:`TABLE_SCHEMA`
and :data:`SUMMARY_SCHEMA` (unit in every name); :meth:`FleetResult.write` is the one
place a result becomes CSV, JSON or Parquet (through :func:`magnets.io.write_frame`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from magnets.data.chemistry import REPORTED
from magnets.errors import InputError
from magnets.fleet.sampling import STATS, sample_stats
from magnets.fleet.shares import SHARE_COLUMNS, group_share, share_factor
from magnets.fleet.spec import BASELINE

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from magnets.data.supply import PrimarySupply
    from magnets.fleet.model import ProjectionArrays
    from magnets.fleet.spec import FleetSpec


@dataclass(frozen=True)
class Column:
    """One column of a result table: its name (unit in the name), unit and meaning."""

    name: str
    unit: str
    meaning: str


#: The ``stat`` column, present in both tables only with samples.
STAT_COLUMN = Column("stat", "", "mean, p10, p50 or p90 over the Monte Carlo samples")
#: Columns of FleetResult.table, in order (``stat`` after ``element``, only with samples).
TABLE_SCHEMA: tuple[Column, ...] = (
    Column("scenario", "", "scenario name, baseline first"),
    Column("year", "year", "calendar year, start_year .. end_year"),
    Column("segment", "", "segment name from the input file"),
    Column("element", "", "one of Nd Pr Dy Tb Sm Gd Co"),
    Column("demand_t", "t element", "in the alloy for new magnets (content / yield)"),
    Column("oxide_t", "t oxide", "primary demand as oxide (Nd2O3, Pr6O11, ...); NaN for Co"),
    Column("scrap_returned_t", "t element", "manufacturing scrap fed back"),
    Column("eol_t", "t element", "in magnets of units retired that year"),
    Column("recovered_t", "t element", "of eol_t, collected and recovered"),
    Column(
        "primary_t",
        "t element",
        "demand - scrap_returned - recovered, per sample; 0 where returns exceed demand",
    ),
    Column(
        "surplus_scrap_t",
        "t element",
        "returns beyond demand (where demand - returns < 0, per sample); 0 otherwise",
    ),
    Column(
        "share_of_world_primary_pct",
        "%",
        "primary vs world mine production (latest figure at or before the year, same "
        "basis); NaN without a figure",
    ),
    Column(
        "share_of_china_output_pct",
        "%",
        "primary vs China's separated output less its recycled oxide (latest figure at or "
        "before the year, same basis); NaN without a figure",
    ),
    Column("stock_units", "units", "units in service at the end of the year"),
    Column("inflow_units", "units", "units built that year"),
    Column("outflow_units", "units", "units retired that year"),
)
#: Columns of the content envelope, after ``surplus_scrap_t``, only without samples.
ENVELOPE_SCHEMA: tuple[Column, ...] = (
    Column("demand_low_t", "t element", "demand with every grade at its low content"),
    Column("demand_high_t", "t element", "demand with every grade at its high content"),
    Column("primary_low_t", "t element", "primary with every grade at its low content"),
    Column("primary_high_t", "t element", "primary with every grade at its high content"),
)
#: Columns of FleetResult.summary, in order (``stat`` after ``element``, only with samples).
SUMMARY_SCHEMA: tuple[Column, ...] = (
    Column("scenario", "", "scenario name, baseline first"),
    Column("element", "", "element group: Dy, Tb, Nd+Pr or Sm"),
    Column("peak_primary_t", "t element", "highest yearly primary demand"),
    Column("peak_year", "year", "year of the peak of the mean series"),
    Column("cumulative_primary_t", "t element", "primary demand summed over reported years"),
    Column("cumulative_demand_t", "t element", "demand before scrap and end-of-life returns"),
    Column("cumulative_surplus_scrap_t", "t element", "surplus scrap summed (not netted off)"),
    Column("peak_share_of_world_primary_pct", "%", "highest yearly share of world primary"),
    Column("peak_share_of_china_output_pct", "%", "highest yearly share of China primary"),
    Column("peak_vs_baseline_t", "t element", "peak minus the baseline's, paired by sample"),
    Column("cumulative_vs_baseline_t", "t element", "cumulative minus the baseline's"),
    Column("cumulative_vs_baseline_pct", "%", "that difference in % of the baseline's"),
)
TABLE_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLE_SCHEMA)
SUMMARY_COLUMNS: tuple[str, ...] = tuple(c.name for c in SUMMARY_SCHEMA)
#: Element groups of the summary.
SUMMARY_GROUPS: dict[str, tuple[str, ...]] = {
    "Dy": ("Dy",),
    "Tb": ("Tb",),
    "Nd+Pr": ("Nd", "Pr"),
    "Sm": ("Sm",),
}
#: Summary columns computed per sample (then statistics), in the order of group_values.
VALUE_COLUMNS: tuple[str, ...] = tuple(c for c in SUMMARY_COLUMNS[2:] if c != "peak_year")


@dataclass
class FleetResult:
    """Result of :func:`magnets.fleet.model.project_fleet`.

    Attributes
    ----------
    table : long-form DataFrame, columns :data:`TABLE_SCHEMA` (with ``stat`` after
        ``element`` when sampled): one row per scenario, year, segment, element (and stat).
    summary : DataFrame, columns :data:`SUMMARY_SCHEMA`: per scenario (and stat) and element
        group (Dy, Tb, Nd+Pr, Sm), peak and cumulative primary demand over the reported
        years and the difference from the baseline (NaN where the baseline was not run).
    supply : the primary-supply figures the shares use, one row per yardstick, element and
        reported year (:func:`magnets.fleet.shares.supply_frame`).
    yardsticks : ``world`` and ``china`` -> :class:`magnets.data.supply.PrimarySupply`.
    scenarios : names run, baseline first.  years : (Yr,) int, the reported years.
    samples : Monte Carlo draws, None = midpoints.  seed : the seed used (drawn when not given).
    warnings : messages about the input file (defaults assumed).  spec : the parsed input.
    total_stats : scenario -> (K, 3, Yr, E) statistics (K = 4, STATS, with samples, else 1)
        of primary [0], demand [1] and surplus scrap [2] in t of element summed over
        segments, E = REPORTED (the plot).
    errors : with samples, per scenario the error bound (:mod:`magnets.fleet.sketch`) of
        every statistic of the long table's element columns, as (4, S, Yr, E) arrays by
        column stem (``demand``, ``primary``...); 0 for the mean, empty for an exact run.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    supply: pd.DataFrame
    yardsticks: dict[str, PrimarySupply]
    scenarios: tuple[str, ...]
    years: np.ndarray
    samples: int | None
    seed: int | None
    warnings: tuple[str, ...] = ()
    spec: FleetSpec | None = None
    total_stats: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    errors: dict[str, Any] = field(default_factory=dict, repr=False)

    def write(
        self, path: str | os.PathLike | None, fmt: str, *, stream: IO[str] | None = None
    ) -> None:
        """Write the long table as ``fmt`` (csv, json, parquet) to ``path``, or to ``stream``
        (stdout) when path is None: JSON is an array of records with NaN as null, CSV text
        cells are spreadsheet-safe, files are written atomically."""
        from magnets.io import write_frame

        write_frame(self.table, path, fmt, stream=stream)


def long_table(
    scenario_names: list[str],
    seg_names: tuple[str, ...],
    years: np.ndarray,
    proj: list[ProjectionArrays],
    factors: np.ndarray,
    supply: dict[str, PrimarySupply],
    with_stats: bool,
    envelope: list[list[ProjectionArrays]] | None = None,
) -> pd.DataFrame:
    """Assemble the long table from per-scenario statistic arrays, without a row loop.

    ``envelope``: the runs at every grade's low and high content (without samples), for the
    :data:`ENVELOPE_SCHEMA` columns.
    """
    import pandas as pd

    K = len(STATS) if with_stats else 1
    S, Yr, E = len(seg_names), len(years), len(REPORTED)

    # target order: scenario, year, segment, element, stat -> arrays (Sc, Yr, S, E, K)
    def el_block(name: str, runs: list[ProjectionArrays] = proj) -> np.ndarray:
        return np.stack(
            [np.transpose(getattr(p, name), (2, 1, 3, 0)) for p in runs]
        )  # (Sc, Yr, S, E, K)

    def unit_block(name: str) -> np.ndarray:
        a = np.stack([np.transpose(getattr(p, name), (2, 1, 0)) for p in proj])  # (Sc, Yr, S, K)
        return np.broadcast_to(a[:, :, :, None, :], (len(proj), Yr, S, E, K))

    primary = el_block("primary")
    ef = factors[None, None, None, :, None]
    cols: dict[str, Any] = {}
    n = len(proj) * Yr * S * E * K
    shape = (len(proj), Yr, S, E, K)
    grid = np.indices(shape).reshape(len(shape), -1)
    cols["scenario"] = pd.Categorical.from_codes(grid[0], categories=list(scenario_names))
    cols["year"] = years.astype("int64")[grid[1]]
    cols["segment"] = pd.Categorical.from_codes(grid[2], categories=pd.Index(list(seg_names)))
    cols["element"] = pd.Categorical.from_codes(grid[3], categories=list(REPORTED))
    if with_stats:
        cols["stat"] = pd.Categorical.from_codes(grid[4], categories=list(STATS))
    cols["demand_t"] = el_block("demand").reshape(n)
    cols["oxide_t"] = (primary * ef).reshape(n)
    cols["scrap_returned_t"] = el_block("scrap").reshape(n)
    cols["eol_t"] = el_block("eol").reshape(n)
    cols["recovered_t"] = el_block("recovered").reshape(n)
    cols["primary_t"] = primary.reshape(n)
    cols["surplus_scrap_t"] = el_block("surplus").reshape(n)
    if envelope is not None:
        for name in ("demand", "primary"):
            for end, runs in zip(("low", "high"), envelope):
                cols[f"{name}_{end}_t"] = el_block(name, runs).reshape(n)
    for name, col in SHARE_COLUMNS.items():
        f = share_factor(supply[name]).T  # (Yr, E)
        cols[col] = (primary * f[None, :, None, :, None]).reshape(n)
    cols["stock_units"] = unit_block("stock_units").reshape(n)
    cols["inflow_units"] = unit_block("inflow_units").reshape(n)
    cols["outflow_units"] = unit_block("outflow_units").reshape(n)
    return pd.DataFrame(cols)


def group_values(
    tot: np.ndarray, base: np.ndarray | None, ii: list[int], supply: dict[str, PrimarySupply]
) -> list[np.ndarray]:
    """Per-sample values (N,) of one element group, in the order of VALUE_COLUMNS.

    ``tot`` and ``base`` are a scenario's and the baseline's totals (3, Yr, E, N); primary is
    already 0 in surplus years, so the cumulative sums never net a surplus off.
    """
    prim = tot[0][:, ii].sum(axis=1)  # (Yr, N)
    dem = tot[1][:, ii].sum(axis=1)
    peak = prim.max(axis=0)
    cum = prim.sum(axis=0)
    cum_dem = dem.sum(axis=0)
    cum_sur = tot[2][:, ii].sum(axis=(0, 1))
    shares = []
    for name in SHARE_COLUMNS:  # two yardsticks
        share = group_share(supply[name], ii, tot[0][:, ii])  # (Yr, N)
        has = np.isfinite(share).any(axis=0)
        shares.append(
            np.where(has, np.nanmax(np.where(np.isfinite(share), share, -np.inf), 0), np.nan)
        )
    if base is not None:
        bprim = base[0][:, ii].sum(axis=1)
        d_peak = peak - bprim.max(axis=0)
        d_cum = cum - bprim.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            d_pct = np.where(bprim.sum(axis=0) != 0, 100.0 * d_cum / bprim.sum(axis=0), np.nan)
    else:
        d_peak = d_cum = d_pct = np.full_like(peak, np.nan)
    return [peak, cum, cum_dem, cum_sur, *shares, d_peak, d_cum, d_pct]


def summary_table(
    scenario_names: list[str],
    years: np.ndarray,
    totals: dict[str, np.ndarray],
    supply: dict[str, PrimarySupply],
    with_stats: bool,
) -> pd.DataFrame:
    """Peak and cumulative primary demand per element group, per sample then statistics
    (all samples in memory: totals (3, Yr, E, N) per scenario)."""
    idx = {el: i for i, el in enumerate(REPORTED)}
    base = totals.get(BASELINE)
    stats: dict[tuple[str, str], tuple[np.ndarray, int]] = {}
    for sc in scenario_names:  # a handful of scenarios x 4 groups: small bookkeeping loop
        tot = totals[sc]  # (3, Yr, E, N)
        for group, members in SUMMARY_GROUPS.items():
            ii = [idx[m] for m in members]
            values = group_values(tot, base, ii, supply)
            mean_series = tot[0][:, ii].sum(axis=1).mean(axis=1)
            if with_stats:
                values = [sample_stats(v[None, :])[:, 0] for v in values]  # each (4,)
            stats[(sc, group)] = (np.array(values), peak_year(years, mean_series))
    return summary_frame(scenario_names, stats, with_stats, base is not None)


def peak_year(years: np.ndarray, mean_series: np.ndarray) -> int:
    """The year of the highest mean primary demand (-1 without years)."""
    return int(years[int(np.argmax(mean_series))]) if len(years) else -1


def summary_frame(
    scenario_names: list[str],
    stats: dict[tuple[str, str], tuple[np.ndarray, int]],
    with_stats: bool,
    has_base: bool,
) -> pd.DataFrame:
    """The summary table from (scenario, group) -> (values (len(VALUE_COLUMNS), K), peak
    year): K = 4 statistics (STATS) with samples, else 1."""
    import pandas as pd

    rows: dict[str, list] = {c: [] for c in ("scenario", "element", "stat", *SUMMARY_COLUMNS[2:])}
    labels = STATS if with_stats else ("",)
    for sc in scenario_names:  # a handful of scenarios x 4 groups: small bookkeeping loop
        for group in SUMMARY_GROUPS:
            values, year = stats[(sc, group)]
            for k, stat in enumerate(labels):
                rows["scenario"].append(sc)
                rows["element"].append(group)
                rows["stat"].append(stat)
                rows["peak_year"].append(year)
                for col, v in zip(VALUE_COLUMNS, values):
                    rows[col].append(float(v[k]))
    frame = pd.DataFrame(rows)
    order = ["scenario", "element"] + (["stat"] if with_stats else []) + list(SUMMARY_COLUMNS[2:])
    frame = frame[order]
    if not has_base:
        frame = frame.assign(
            peak_vs_baseline_t=np.nan,
            cumulative_vs_baseline_t=np.nan,
            cumulative_vs_baseline_pct=np.nan,
        )
    return frame


def refuse_infinite(table: pd.DataFrame, path: str) -> None:
    """InputError naming the first cell that overflowed to inf (never an inf in an output);
    the input bounds make this unreachable, so it guards the arithmetic, not the input."""
    numeric = table.select_dtypes("number")
    bad = np.isinf(numeric.to_numpy(dtype=float))
    if not bad.any():
        return
    row, col = (int(i[0]) for i in np.nonzero(bad))
    where = table.iloc[row]
    raise InputError(
        f"{path}: {numeric.columns[col]} overflowed to infinity for segment "
        f"{where['segment']!r}, {int(where['year'])}: lower its units or magnet_kg_per_unit "
        "(give units per year and kg per unit)"
    )
