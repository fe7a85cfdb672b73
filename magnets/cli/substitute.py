"""`magnets substitute`: grades that meet a requirement with less Dy+Tb, export-controlled
material or cost, compared at equal flux."""

from __future__ import annotations

import argparse
from typing import Any

from magnets.cli.rate import HD_HELP, PC_HELP

NAME = "substitute"
HELP = (
    "leaner grades (less Dy+Tb, export-controlled content or cost) that still meet a "
    "temperature requirement"
)
DESCRIPTION = """\
The requirement is a temperature T at a load line (Pc, Hd) plus a cold end:
  magnets substitute GRADE            T = that grade's own rating at (Pc, Hd), or --temp
  magnets substitute --temp C         the reference becomes the qualifying grade with the
                                      highest working-point flux at T (within --family if given)

A candidate qualifies when its rated temperature at (Pc, Hd) is at least T and it still holds
at --cold (ferrite loses coercivity in the cold). With --max-loss PCT the requirement is a
flux loss instead of the knee: a candidate qualifies when a trip to T at (Pc, Hd) costs it at
most PCT % of its flux at 20 degC on the same load line (the loss model of `magnets rate
--loss-at`; makers often rate "loss < 5 % at Pc 2"). Candidates are compared at equal flux:

  mass_factor = (B_op_ref(T) / B_op_cand(T)) * (density_cand / density_ref)

the mass of candidate that gives the reference's flux (a larger magnet also changes Pc a
little; this first-order comparison ignores it). Ranking (--rank-by), at equal flux
(default: dy_tb within the reference's NdFeB family, controlled once --family widens it or
for SmCo, so that the Sm of a SmCo grade counts as Dy and Tb do):
  dy_tb       kg of Dy + Tb
  controlled  kg of export-controlled elements as of --date (elements whose status is
              unknown rank worse than controlled ones)
  price       USD of the priced elements (materials/elements.csv)
pareto is true when no other qualifying candidate is both at least as hot-rated and at least
as lean, and better in one (computed before --top). By default candidates stay in the
reference's family within --max-mass-factor 1.2; --family any widens.

Hd is the applied demagnetising field; the magnet sees Pc/(Pc+mu_rec) of it. An FEA field
inside the magnet is |H_op|, not Hd. Without --pc the reference Pc fitted to catalogue ratings
is used.

Dy/Tb contents of grades are mostly estimates (no maker publishes them): composition_basis
says which (sourced, derived, estimate, model) and Dy_Tb_kg_per_kg_low / _high the band of
the estimate. route_need_kg_per_kg is the Dy+Tb the candidate's route needs at this
requirement by the model `magnets tradeoff` prints; a candidate whose high bound is below it
is plausible=false (its estimate cannot be right: the real content is higher), says so in
note, and ranks after the plausible ones.

Thickness: grain-boundary diffusion reaches about 6 mm into a magnet (the limit `magnets
tradeoff --thickness` uses). With --thickness MM, GBD grades thicker than that keep only that
share of their diffused HcJ gain, and are rated accordingly; without it, GBD figures assume a
magnet no thicker than 6 mm and the thickness column says so.

--why adds one line per grade saying why it answers: its rating at (Pc, Hd) and what limits
it (the knee at that Pc, or a structural, oxidation or Curie cap) with the margin, what the
datasheet prints (a rating at a stated Pc, a guideline, or none), Dy+Tb (and Sm) with the
composition basis and band, the thickness a GBD figure assumes, and the export-controlled
elements as of --date. The BOM's suggested_why column and the TUI's detail line say the same.

examples:
  magnets substitute N38EH
  magnets substitute --temp 180 --pc 1 --rank-by dy_tb
  magnets substitute ARN-N38H --pc 2 --hd 150 --rank-by controlled --date 2026-12-01 --format json
  magnets substitute --temp 120 --family any --max-mass-factor 3 --cold -40
  magnets substitute --temp 150 --pc 2 --max-loss 5
  magnets substitute --temp 170 --pc 1 --hd 400 --thickness 10
  magnets substitute --temp 150 --pc 1 --top 3 --why
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("grade", nargs="?", help="reference grade id or display name")
    p.add_argument("--temp", type=float, metavar="C", help="required rated temperature, degC")
    p.add_argument("--pc", type=float, metavar="P", help=PC_HELP)
    p.add_argument("--hd", type=float, metavar="KA_M", help=HD_HELP)
    p.add_argument(
        "--cold",
        type=float,
        default=-40.0,
        metavar="C",
        help="minimum operating temperature the magnet must hold at (default -40)",
    )
    p.add_argument(
        "--min-br",
        type=float,
        metavar="T",
        help="minimum datasheet Br (at 20 degC) of a candidate, tesla",
    )
    p.add_argument(
        "--family",
        metavar="F",
        help="candidates' family: a family id or 'any' (default: the reference's)",
    )
    p.add_argument(
        "--route", metavar="R", help="only these routes (comma-separated), e.g. gbd-tb,gbd-dy"
    )
    p.add_argument(
        "--max-mass-factor",
        type=float,
        default=1.2,
        metavar="X",
        help="largest candidate mass at equal flux relative to the reference (default 1.2)",
    )
    p.add_argument(
        "--thickness",
        type=float,
        metavar="MM",
        help="magnet thickness along the magnetisation, mm: GBD gain beyond the 6 mm "
        "diffusion depth is lost, as in `tradeoff --thickness` (default: assume <= 6 mm)",
    )
    p.add_argument(
        "--max-loss",
        type=float,
        metavar="PCT",
        help="qualify by irreversible flux loss after a trip to T (%%) instead of the knee",
    )
    p.add_argument(
        "--rank-by",
        choices=["dy_tb", "controlled", "price"],
        default=None,
        help="ranking metric (default: dy_tb in the reference's NdFeB family, controlled when "
        "--family widens it or for SmCo)",
    )
    p.add_argument(
        "--why",
        action="store_true",
        help="say why each grade answers: its rating and what limits it, composition basis "
        "and band, the thickness a GBD figure assumes, export control as of --date (a line "
        "per grade after the table; a `why` column in csv and json)",
    )
    p.add_argument("--top", type=int, default=10, metavar="N", help="show the first N (default 10)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli.rate import _check, condition
    from magnets.cli.support import context_from_args
    from magnets.errors import InputError
    from magnets.io import write_frame
    from magnets.substitution import SUBSTITUTE_KEYS, find_substitutes

    if args.grade is None and args.temp is None:
        raise InputError(
            "expected a reference GRADE or --temp C (or both), instead received neither"
        )
    # temperatures are finite and not below absolute zero (-273.15 degC)
    _check("--temp", args.temp, -273.15, lo_open=False)
    _check("--cold", args.cold, -273.15, lo_open=False)
    if args.top is not None and args.top < 1:
        raise InputError(f"expected --top >= 1, instead received {args.top}")
    if not args.max_mass_factor > 0:
        raise InputError(f"expected --max-mass-factor > 0, instead received {args.max_mass_factor}")
    _check("--thickness", args.thickness, 0)
    ctx = context_from_args(args)
    pc, hd = condition(ctx, args.pc, args.hd)
    out = find_substitutes(
        ctx.library,
        reference=args.grade,
        temp_C=args.temp,
        pc=pc,
        hd_kA_m=hd,
        cold_C=args.cold,
        min_br_T=args.min_br,
        family=args.family,
        route=args.route,
        max_mass_factor=args.max_mass_factor,
        rank_by=args.rank_by,
        date=ctx.date,
        top=args.top,
        max_loss_pct=args.max_loss,
        thickness_mm=args.thickness,
    )
    a = out.attrs
    by_loss = args.max_loss is not None
    why = ["why"] if args.why else []
    if args.format == "json":
        keys = SUBSTITUTE_KEYS + (["loss_pct_at_temp"] if by_loss else []) + why
        write_frame(out[keys], None, "json")
        return 0
    cols = (
        SUBSTITUTE_KEYS[:-1]
        + (["loss_pct_at_temp"] if by_loss else [])
        + (["unknown_kg_equal_flux"] if a["rank_by"] == "controlled" else [])
        + (["price_usd_equal_flux"] if a["rank_by"] == "price" else [])
        + ["pareto", "is_reference"]
    )
    if args.format == "csv":
        write_frame(out[cols + why], None, "csv")
        return 0
    _header(a)
    if len(out) == 0:
        sys.stdout.write(
            "no grade qualifies: widen --family, raise --max-mass-factor or relax the requirement\n"
        )
        return 0
    _write_table(out, cols)
    if args.why:
        for gid, text in zip(out["id"], out["why"], strict=True):
            sys.stdout.write(f"# why {gid}: {text}\n")
    return 0


#: the text table's short names
_SHORT = {
    "is_reference": "ref",
    "Dy_Tb_kg_per_kg_low": "Dy_Tb_low",
    "Dy_Tb_kg_per_kg_high": "Dy_Tb_high",
    "composition_basis": "basis",
    "route_need_kg_per_kg": "route_need",
}


def _write_table(out: Any, cols: list[str]) -> None:
    """The text table, then the notes (implausible estimates, thickness assumptions) once each."""
    import sys

    from magnets.cli.support import format_table

    shown = [c for c in cols if c not in ("note", "thickness")]
    sys.stdout.write(format_table(out[shown].rename(columns=_SHORT), digits=3))
    for gid, note in zip(out["id"], out["note"], strict=True):
        if note:
            sys.stdout.write(f"# {gid}: {note}\n")
    assumed = sorted({str(x) for x in out["thickness"] if x})
    if assumed:
        sys.stdout.write(f"# GBD grades: {'; '.join(assumed)}\n")


def _header(a: dict) -> None:
    """The requirement line, and a note when the reference itself fails it."""
    import sys

    by_loss = a.get("max_loss_pct") is not None
    what = f"loss <= {a['max_loss_pct']:g} % after a trip to " if by_loss else ""
    own = " (the reference's)" if a["family_is_reference"] else ""
    how = " (default)" if a["rank_by_default"] else ""
    sys.stdout.write(
        f"# requirement: {what}{a['temp_C']:.1f} degC at Pc {a['pc']:g}, Hd {a['hd_kA_m']:g} kA/m, "
        f"holding at {a['cold_C']} degC; reference {a['reference']} "
        f"(B_op {a['reference_B_op_T_at_temp']:.3f} T at temperature); family {a['family']}{own}"
        f"; ranked by {a['rank_by']}{how} at equal flux; {a['n_qualifying']} qualify\n"
    )
    if by_loss:
        ref_loss = a["reference_loss_pct_at_temp"]
        if not ref_loss <= a["max_loss_pct"] + 1e-9:  # NaN: no rating inputs
            sys.stdout.write(
                f"# the reference itself loses {ref_loss:.2f} % here: above the cap, "
                "so it is not listed\n"
            )
        return
    if (
        a["reference_t_max_C"] != a["reference_t_max_C"]
        or a["reference_t_max_C"] < a["temp_C"] - 1e-9
    ):
        rated = (
            "no rating (unsafe at T0)"
            if a["reference_t_max_C"] != a["reference_t_max_C"]
            else f"{a['reference_t_max_C']:.1f} degC"
        )
        sys.stdout.write(
            f"# the reference itself rates {rated} here: below the requirement, "
            "so it is not listed\n"
        )
