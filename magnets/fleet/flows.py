"""Every flow of a block of segments per model year and sample: the model written plainly.

:func:`element_flows` computes content, demand, scrap, end of life, recovered and primary
for every sample explicitly (one batched matrix product over cohorts per segment-element
pair). :func:`magnets.fleet.model.project_arrays` computes the same quantities' statistics
faster; the tests check one against the other.

Per segment s, year t, element e and sample n (``content`` = finished magnet mass built)::

    content  = inflow_units * kg_per_unit
    demand   = content * frac[e, mix of year t] / yield               (alloy in, per element)
    scrap    = demand * (1 - yield) * scrap_recycling                 (manufacturing scrap fed back)
    eol      = sum_c pmf[t - c] * content[c] * frac[e, mix of cohort c]
    recovered = eol * collection * recovery
    primary  = max(demand - scrap - recovered, 0)                     (per sample)
    surplus  = max(scrap + recovered - demand, 0)                     (surplus scrap)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from magnets.data.chemistry import REPORTED
from magnets.fleet.arrays import SegmentArrays
from magnets.fleet.cohort import stock_flow
from magnets.fleet.sampling import draw


@dataclass
class FlowArrays:
    """Flows of a block of B segments, tonnes or units, for every model year and sample.

    Mass quantities summed over elements are (B, Y, N): ``content`` (finished magnet built),
    ``demand_mass`` (alloy in = content / yield), ``scrap_mass`` (scrap fed back). Element
    quantities exist only for the P (segment, element) pairs where the element occurs in
    some grade the segment builds (``seg_idx``, ``el_idx``, ``frac`` (P, Y, N), per sample
    with the content draws) and are (P, Y, N): ``eol``, ``recovered``, ``primary``,
    ``surplus``. Element demand and scrap are ``frac * demand_mass`` and ``frac * scrap_mass``.
    :meth:`dense` scatters any element quantity to (B, Y, E, N).
    """

    seg_idx: np.ndarray
    el_idx: np.ndarray
    frac: np.ndarray
    content: np.ndarray
    demand_mass: np.ndarray
    scrap_mass: np.ndarray
    eol: np.ndarray
    recovered: np.ndarray
    primary: np.ndarray
    surplus: np.ndarray
    stock_units: np.ndarray
    inflow_units: np.ndarray
    outflow_units: np.ndarray

    def dense(self, name: str, n_elements: int = len(REPORTED)) -> np.ndarray:
        """Element quantity ``name`` (demand, scrap, eol, recovered, primary, surplus) as
        (B, Y, E, N)."""
        B, Y, N = self.content.shape
        out = np.zeros((B, Y, n_elements, N))
        if name in ("demand", "scrap"):
            mass = self.demand_mass if name == "demand" else self.scrap_mass
            vals = self.frac * mass[self.seg_idx]
        else:
            vals = getattr(self, name)
        out[self.seg_idx, :, self.el_idx, :] = vals
        return out


def element_flows(
    arr: SegmentArrays,
    seg: slice,
    u: np.ndarray,
    out_matrix: np.ndarray,
    stock_matrix: np.ndarray,
    content: np.ndarray | None = None,
) -> FlowArrays:
    """All flows of the segments ``seg`` for every model year and sample.

    ``content`` (R, N): route draws t in [-1, 1] of ``arr.routes`` (None: content values);
    the fraction of sample n is frac + sum_r max(t_rn, 0) up_r + min(t_rn, 0) dn_r.

    ``u`` is (len(SAMPLED_INPUTS), S, N) from :func:`sample_inputs`; the cohort matrices
    (S, Y, Y) come from :func:`cohort_matrix` and are shared by all samples. End-of-life
    content is a batched matrix product over cohorts (one per segment-element pair).
    """
    uu = u[:, seg]
    inflow = draw(arr.units_low[seg], arr.units_high[seg], uu[0])  # (B, Y, N)
    kg = draw(arr.kg_low[seg], arr.kg_high[seg], uu[1])
    yld = draw(arr.yield_low[seg], arr.yield_high[seg], uu[2])[:, None, :]  # (B, 1, N)
    scrap_rec = draw(arr.scrap_low[seg], arr.scrap_high[seg], uu[3])[:, None, :]
    cr = draw(arr.collection_low[seg], arr.collection_high[seg], uu[4]) * draw(
        arr.recovery_low[seg], arr.recovery_high[seg], uu[5]
    )  # (B, N)
    outm, stockm = out_matrix[seg], stock_matrix[seg]

    built = inflow * kg
    built *= 1e-3  # tonnes of finished magnet built (B, Y, N)
    demand_mass = built / yld
    scrap_mass = demand_mass * ((1.0 - yld) * scrap_rec)
    net_mass = demand_mass - scrap_mass
    outflow_units, stock_units = stock_flow(inflow, outm, stockm)

    N = inflow.shape[2]
    t = np.zeros((len(arr.routes), N)) if content is None else content
    frac_b = (
        arr.frac[seg][..., None]
        + arr.frac_up[seg] @ np.maximum(t, 0.0)
        + arr.frac_dn[seg] @ np.minimum(t, 0.0)
    )  # (B, Y, E, N)
    bi, ei = np.nonzero((frac_b > 0).any(axis=(1, 3)))
    fp = frac_b[bi, :, ei]  # (P, Y, N)
    el_content = fp * built[bi]  # (P, Y, N)
    eol = np.matmul(outm[bi], el_content)  # sum over cohorts c of pmf[t - c] * content_e[c]
    recovered = eol * cr[bi][:, None, :]
    net = fp * net_mass[bi] - recovered
    primary, surplus = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    return FlowArrays(
        bi,
        ei,
        fp,
        built,
        demand_mass,
        scrap_mass,
        eol,
        recovered,
        primary,
        surplus,
        stock_units,
        inflow,
        outflow_units,
    )
