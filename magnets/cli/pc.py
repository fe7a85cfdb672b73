"""`magnets pc`: permeance coefficient from simple magnet dimensions."""

from __future__ import annotations

import argparse

NAME = "pc"
HELP = "permeance coefficient Pc of an isolated cylinder or block, or of a magnet in a circuit"
DESCRIPTION = """\
Permeance coefficient Pc = B/(mu0*|H|) of the working point of an isolated, uniformly
magnetised magnet (open circuit, no iron nearby), at its centre:

  Pc = (1 - N)/N,  N = centre demagnetising factor of the shape
  cylinder (magnetised along its axis, length L, diameter D):  N = 1 - L/sqrt(L^2 + D^2)
  block (magnetised along length c, pole face a x b):
      N = (2/pi)*atan(a*b/(c*sqrt(a^2+b^2+c^2)))

(field of the two charged pole faces; Joseph & Schloemann, J. Appl. Phys. 36, 1579 (1965);
a cube gives N = 1/3.) Catalogue tables quoting "L/D = 0.7, Pc about 2" use neutral-section
estimates (Evershed/Parker) that come out higher than this centre value (1.35 at L/D = 0.7).
A magnet in a circuit with iron (rotor, yoke) works at a higher Pc than when isolated: this
is a conservative first estimate for `magnets rate --pc`, not a replacement for FEA.

examples:
  magnets pc --shape cylinder --length 7 --diameter 10
  magnets pc --shape block --length 5 --width 20 --height 10 --format json

Dimensions must be positive and finite, with ratios within 1:1000 (beyond that the input
is a typo, not a magnet).

"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from magnets.cli import _circuit

    p.epilog = _circuit.EPILOG
    p.add_argument("--shape", choices=["cylinder", "block"], help="isolated magnet shape")
    p.add_argument(
        "--length",
        type=float,
        metavar="MM",
        help="dimension along the magnetisation direction (any unit, the same for all)",
    )
    p.add_argument("--diameter", type=float, metavar="MM", help="cylinder diameter")
    p.add_argument("--width", type=float, metavar="MM", help="block pole-face width")
    p.add_argument("--height", type=float, metavar="MM", help="block pole-face height")
    _circuit.add_arguments(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def _scaled(*dims: float) -> tuple[float, ...]:
    """The dimensions over the largest one, so 1e300 mm does not overflow a square (the
    shape, and so Pc, is unchanged); non-positive or non-finite values pass through for
    the geometry's own checks."""
    import math

    top = max((abs(d) for d in dims if math.isfinite(d)), default=0.0)
    if not top > 0:
        return dims
    return tuple(d / top if math.isfinite(d) else d for d in dims)


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli.support import format_mapping
    from magnets.errors import InputError
    from magnets.io import dumps_json
    from magnets.physics import geometry

    if args.circuit:
        from magnets.cli import _circuit

        if args.shape is not None:
            raise InputError("expected --circuit or --shape, instead received both")
        return _circuit.run(args)
    if args.shape is None or args.length is None:
        raise InputError(
            "expected --shape and --length (an isolated magnet) or --circuit, instead received "
            f"shape={args.shape}, length={args.length}"
        )
    if args.shape == "cylinder":
        if args.diameter is None:
            raise InputError("expected --diameter for --shape cylinder, instead received none")
        L, D = _scaled(args.length, args.diameter)  # Pc depends on the ratio only
        N = float(geometry.demag_factor_cylinder(L, D))
        pc = float(geometry.pc_cylinder(L, D))
        dims = {"length": args.length, "diameter": args.diameter}
    else:
        if args.width is None or args.height is None:
            raise InputError(
                "expected --width and --height for --shape block, instead received "
                f"width={args.width}, height={args.height}"
            )
        L, W, H = _scaled(args.length, args.width, args.height)
        N = float(geometry.demag_factor_block(L, W, H))
        pc = float(geometry.pc_block(L, W, H))
        dims = {"length": args.length, "width": args.width, "height": args.height}
    out = {
        "shape": args.shape,
        **dims,
        "demag_factor": N,
        "pc": pc,
        "method": geometry.SOURCE,
    }
    if args.format == "json":
        sys.stdout.write(dumps_json(out) + "\n")
    else:
        sys.stdout.write(format_mapping(list(out.items())))
    return 0
