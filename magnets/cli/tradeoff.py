"""`magnets tradeoff`: heavy rare earth needed per process route to rate a magnet for T."""

from __future__ import annotations

import argparse

from magnets.cli.rate import HD_HELP, PC_HELP

NAME = "tradeoff"
HELP = "Dy/Tb each process route needs to rate a sintered NdFeB magnet for each temperature"
DESCRIPTION = """\
The trade-off at the heart of the tool: for each process route and temperature, the Dy and
Tb (wt% of the whole magnet) a sintered NdFeB magnet needs so its rated temperature at
(Pc, Hd) reaches that temperature, and the flux it keeps (Br at 20 degC and at temperature).

Routes: bulk (Dy alloyed into the whole magnet), gbd-tb / gbd-dy (grain-boundary diffusion
from the surface: a large HcJ gain from a fraction of a wt%, saturating near 8-12 kOe and
reaching only ~6 mm through the magnet; hotter targets diffuse into a Dy-bearing substrate,
the hybrid route), dy-free (fine-grain or hot-deformed, no HREE: reachable or not).

Model (docs/physics.md): HcJ0 and Br0 as fitted functions of Dy and Tb per route, beta as a
fitted function of HcJ0, then the knee condition s*HcJ(T) >= |H_op(T)| solved in closed
form for the HREE content. Empty cells mean "not reachable" by that route (bulk Dy above
10 wt%, or beyond the Curie temperature). The library's Dy/Tb contents are estimates, so
is this fit: read the figures as the shape of the trade-off, not a recipe.

Hd is the applied demagnetising field; the magnet sees Pc/(Pc+mu_rec) of it. An FEA field
inside the magnet is |H_op|, not Hd.

examples:
  magnets tradeoff                                  reference Pc, 80..240 degC
  magnets tradeoff --pc 1 --hd 300 --routes bulk,gbd-tb --from 120 --to 200 --step 20
  magnets tradeoff --thickness 12 --format csv      a thick magnet: GBD reaches only part of it
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pc", type=float, metavar="P", help=PC_HELP)
    p.add_argument("--hd", type=float, metavar="KA_M", help=HD_HELP)
    p.add_argument(
        "--routes",
        default="bulk,gbd-dy,gbd-tb,dy-free",
        help="comma-separated routes among bulk, gbd-dy, gbd-tb, dy-free (default: all)",
    )
    p.add_argument(
        "--from",
        dest="t_from",
        type=float,
        default=80.0,
        metavar="C",
        help="first temperature (80)",
    )
    p.add_argument(
        "--to", dest="t_to", type=float, default=240.0, metavar="C", help="last temperature (240)"
    )
    p.add_argument("--step", type=float, default=10.0, metavar="C", help="temperature step (10)")
    p.add_argument(
        "--thickness",
        type=float,
        default=None,
        metavar="MM",
        help="magnet thickness along the magnetisation, mm: "
        "GBD gain scales by min(1, 6 mm/thickness)",
    )
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")


KEYS = ["route", "temp_C", "Dy_wt_pct", "Tb_wt_pct", "hree_wt_pct", "Br_T", "Br_T_at_temp"]


#: Most temperatures one run computes (each is a row per route; 10,000 steps take seconds).
MAX_STEPS = 10_000
ABSOLUTE_ZERO_C = -273.15


def _check_span(t_from: float, t_to: float, step: float) -> None:
    """--from not below absolute zero, and at most MAX_STEPS temperatures, refused up front."""
    from magnets.errors import InputError

    if t_from < ABSOLUTE_ZERO_C:
        raise InputError(
            f"expected --from at or above absolute zero ({ABSOLUTE_ZERO_C} degC), instead "
            f"received {t_from}"
        )
    steps = (t_to - t_from) / step + 1
    if not steps <= MAX_STEPS:
        raise InputError(
            f"--from {t_from:g} --to {t_to:g} --step {step:g} asks for {steps:,.0f} temperatures; "
            f"the limit is {MAX_STEPS:,}: raise --step or split the range into several runs"
        )


def run(args: argparse.Namespace) -> int:
    import sys

    import numpy as np

    from magnets.cli.rate import _check, condition
    from magnets.cli.support import context_from_args, format_table
    from magnets.errors import InputError
    from magnets.io import write_frame
    from magnets.physics import coercivity, hree
    from magnets.substitution.agreement import model_condition

    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    bad = [r for r in routes if r not in coercivity.ROUTES]
    if bad or not routes:
        raise InputError(
            f"expected --routes among {', '.join(coercivity.ROUTES)}, "
            f"instead received {args.routes!r}"
        )
    if not (
        args.step > 0
        and np.isfinite(args.t_from)
        and np.isfinite(args.t_to)
        and args.t_to >= args.t_from
    ):
        raise InputError(
            f"expected --from <= --to and --step > 0, instead received "
            f"{args.t_from}, {args.t_to}, {args.step}"
        )
    _check_span(args.t_from, args.t_to, args.step)
    _check("--thickness", args.thickness, 0)
    ctx = context_from_args(args)
    pc, hd = condition(ctx, args.pc, args.hd)
    fam = model_condition(ctx.library)  # the same family figures `substitute` checks against
    temps = np.arange(args.t_from, args.t_to + 1e-9, args.step)
    t = hree.tradeoff(
        routes,
        temps,
        pc=pc,
        hd_kA_m=hd,
        thickness_mm=args.thickness,
        model=ctx.coercivity_model,
        beta=ctx.beta_model,
        **fam,
    )
    out = t[KEYS]
    if args.format == "table":
        sys.stdout.write(
            f"# Pc {pc:g}, Hd {hd:g} kA/m, s {fam['squareness']:g}, mu_rec "
            f"{fam['mu_rec']:g}; empty = not reachable by that route\n"
        )
        sys.stdout.write(format_table(out, digits=3))
    else:
        write_frame(out, None, args.format)
    return 0
