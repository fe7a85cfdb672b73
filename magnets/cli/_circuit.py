"""`magnets pc --circuit`: Pc of a magnet in an iron circuit with an air gap (MMPA PMG-88).

Kept apart from pc.py (the isolated shapes); pc.py adds these arguments and hands over
to :func:`run` when --circuit is given.
"""

from __future__ import annotations

import argparse

EPILOG = """\
magnet in a circuit (--circuit): iron yoke or rotor with one air gap, MMPA PMG-88 (Parker):

  Pc = (Lm/Lg) * (Ag/Am) * (sigma/f)
  sigma = leakage factor  = total magnet flux / gap flux  (>= 1, default 1)
  f     = reluctance factor = magnet MMF / gap MMF        (>= 1, default 1: ideal iron)

With --slot-opening and --slot-pitch the gap is lengthened by Carter's coefficient
k_C = tau/(tau - gamma*g), gamma = (4/pi)*(u*atan(u) - ln sqrt(1 + u^2)), u = b0/(2g)
(Carter 1900); g is the mechanical gap, which gives the larger k_C and so the lower,
conservative Pc. --ampere-turns N*I (A) adds Hd = N*I/Lm for `magnets rate --hd`.
Ring and arc-segment magnets: no sourced closed form was found for them in a circuit; use
FEA, or this formula with the arc's mean length and pole area.

  magnets pc --circuit --magnet-length 5 --gap 1 --magnet-area 200 --gap-area 200 \\
      --leakage-factor 1.2 --reluctance-factor 1.1 --slot-opening 3 --slot-pitch 15
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("magnet in a circuit (--circuit; lengths in mm, areas in mm2)")
    g.add_argument(
        "--circuit", action="store_true", help="Pc of a magnet in an iron circuit with an air gap"
    )
    g.add_argument("--magnet-length", type=float, metavar="MM", help="Lm, along the magnetisation")
    g.add_argument("--gap", type=float, metavar="MM", help="Lg, the air gap (mechanical)")
    g.add_argument("--magnet-area", type=float, metavar="MM2", help="Am, the magnet's pole area")
    g.add_argument(
        "--gap-area", type=float, metavar="MM2", help="Ag, the gap cross-section the flux crosses"
    )
    g.add_argument(
        "--leakage-factor",
        type=float,
        default=1.0,
        metavar="S",
        help="sigma >= 1: total magnet flux over gap flux (default 1, no leakage)",
    )
    g.add_argument(
        "--reluctance-factor",
        type=float,
        default=1.0,
        metavar="F",
        help="f >= 1: magnet MMF over gap MMF (default 1, iron of zero reluctance)",
    )
    g.add_argument("--slot-opening", type=float, metavar="MM", help="b0, stator slot opening")
    g.add_argument("--slot-pitch", type=float, metavar="MM", help="tau, stator slot pitch")
    g.add_argument(
        "--ampere-turns",
        type=float,
        metavar="A",
        help="armature N*I opposing the magnet: prints Hd = N*I/Lm in kA/m",
    )


def _require(args: argparse.Namespace) -> None:
    from magnets.errors import InputError

    need = ["magnet_length", "gap", "magnet_area", "gap_area"]
    missing = ["--" + n.replace("_", "-") for n in need if getattr(args, n) is None]
    if missing:
        raise InputError(
            f"expected {', '.join(missing)} with --circuit, instead received none for them"
        )
    if (args.slot_opening is None) != (args.slot_pitch is None):
        raise InputError(
            "expected --slot-opening and --slot-pitch together, instead received only one"
        )


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli.support import format_mapping
    from magnets.io import dumps_json
    from magnets.physics import geometry

    _require(args)
    out: dict[str, object] = {
        "shape": "circuit",
        "magnet_length_mm": args.magnet_length,
        "gap_mm": args.gap,
        "magnet_area_mm2": args.magnet_area,
        "gap_area_mm2": args.gap_area,
        "leakage_factor": args.leakage_factor,
        "reluctance_factor": args.reluctance_factor,
    }
    gap = args.gap
    if args.slot_opening is not None:
        kc = float(geometry.carter_coefficient(args.slot_opening, args.slot_pitch, args.gap))
        gap = kc * args.gap
        out.update(
            {
                "slot_opening_mm": args.slot_opening,
                "slot_pitch_mm": args.slot_pitch,
                "carter_coefficient": kc,
                "gap_effective_mm": gap,
            }
        )
    out["pc"] = float(
        geometry.pc_circuit(
            args.magnet_length,
            gap,
            args.magnet_area,
            args.gap_area,
            args.leakage_factor,
            args.reluctance_factor,
        )
    )
    if args.ampere_turns is not None:
        out["ampere_turns"] = args.ampere_turns
        out["hd_kA_m"] = float(geometry.hd_from_ampere_turns(args.ampere_turns, args.magnet_length))
    out["method"] = geometry.CIRCUIT_SOURCE + (
        "; " + geometry.CARTER_SOURCE if args.slot_opening is not None else ""
    )
    if args.format == "json":
        sys.stdout.write(dumps_json(out) + "\n")
    else:
        sys.stdout.write(format_mapping(list(out.items())))
    return 0
