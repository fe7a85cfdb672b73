"""`magnets rate`: the rated temperature of a grade (or of any magnet) at a load line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from magnets.context import Context

NAME = "rate"
HELP = "rated temperature of a grade at a permeance coefficient Pc and applied field Hd"

#: Shared explanation of Hd, used by every command that takes --hd.
HD_HELP = (
    "applied demagnetising field Hd in kA/m (armature MMF per unit magnet length, NI/l_m; "
    "default 0). The magnet itself sees Pc/(Pc+mu_rec) of it. A field read INSIDE the magnet "
    "from an FEA run is |H_op|, not Hd: convert with Hd = (|H_op|*(Pc+mu_rec) - Br/mu0)/Pc"
)
PC_HELP = (
    "permeance coefficient of the working point, B/(mu0*H) (thin disc ~0.5, L/D 0.7 cylinder "
    "~1.3-2, long rod 4+; `magnets pc` estimates it from dimensions). Default: the reference "
    "Pc fitted to catalogue ratings"
)

DESCRIPTION = """\
Rated temperature: the highest temperature at which the working point stays above the knee
of the intrinsic curve, |H_op(T)| <= Hk(T) = s*HcJ(T), capped by the Curie temperature and the
service limit of the grade's alloy. limited_by says which bound won: knee, curie, structural
(binder, metallurgical stability) or oxidation (standard Sm2Co17 at 350 C, the makers'
guideline; long-term oxidation above about 300 C is not modelled: a short-term knee check).

  |H_op| = (Br(T)/mu0 + Pc*Hd) / (Pc + mu_rec)      working point on the load line
  Br(T)  = Br0 *(1 + alpha/100*(T - T0))            alpha, beta in %/K
  HcJ(T) = HcJ0*(1 + beta/100 *(T - T0))

Hd is the applied demagnetising field (armature MMF per unit magnet length). The magnet sees
Pc/(Pc+mu_rec) of it. If you have the field INSIDE the magnet from FEA, that is |H_op|, not Hd:
compare it with s*HcJ(T) directly.

Without --pc/--hd the condition is the reference one of the grade's family: the Pc fitted so
the model reproduces that family's catalogue ratings (Hd = 0), with mu_rec and squareness s
fixed per family (see docs/physics.md for the fits, the rating criterion of each maker and
the residuals). --pc 0 is the open-circuit limit (B = 0 at the working point): the criterion
of makers who rate by a straight demagnetisation curve down to B = 0 (EEC's T-series).
Ratings use the catalogue's MINIMUM HcJ and the Br the source gives (typical or minimum, as
`magnets show` says). Where a grade's source gives no beta, beta comes from the fit of beta
against HcJ0 and route.

A magnet not in the library: give --br and --hcj (missing coefficients take the family's
defaults; beta the fitted beta(HcJ0)).

examples:
  magnets rate ARN-N42                      at the reference condition
  magnets rate N38EH --pc 1 --hd 200        a motor magnet with armature field
  magnets rate --br 1.3 --hcj 1600 --beta -0.5 --pc 2 --format json
  magnets rate --br 0.39 --hcj 230 --family ferrite --pc 1
  magnets rate KYL-N42SH --pc 2 --loss-at 180        % of flux lost after a trip to 180 degC
  magnets rate N38EH --pc 1 --hd 200 --hd-at-t0 0 --loss-curve 100:250:10

Irreversible loss (--loss-at, --loss-curve): at T the working point is where the load line
meets the curved normal curve B = J(H) - mu0*|H| (the shape `magnets show` draws); leaving it
the magnet recoils with slope mu0*mu_rec, the reversible (alpha) part returns on cooling, and
loss_pct is the drop of B at T0 on the same load line. Hd is applied at T and at T0 unless
--hd-at-t0 says otherwise. The knee (J = 0.9*Br) sits on a rounded curve, so the rating
itself already carries a few per cent: loss_at_rating_pct. Ferrite loses in the cold: give a
trip temperature below T0 (cold_knee_C is its cold-side rating). Time-dependent (ageing,
oxidation) losses are not modelled.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("grade", nargs="?", help="grade id (case-insensitive) or display name")
    p.add_argument("--pc", type=float, metavar="P", help=PC_HELP)
    p.add_argument("--hd", type=float, metavar="KA_M", help=HD_HELP)
    g = p.add_argument_group("a magnet not in the library")
    g.add_argument("--br", type=float, metavar="T", help="remanence Br at T0, tesla")
    g.add_argument(
        "--hcj",
        type=float,
        metavar="KA_M",
        help="intrinsic coercivity HcJ at T0, kA/m (use the minimum)",
    )
    g.add_argument(
        "--alpha",
        type=float,
        metavar="PCT",
        help="temperature coefficient of Br, %%/K (default: family)",
    )
    g.add_argument(
        "--beta",
        type=float,
        metavar="PCT",
        help="temperature coefficient of HcJ, %%/K "
        "(default: fitted beta(HcJ0) for NdFeB, family value else)",
    )
    g.add_argument("--squareness", type=float, metavar="S", help="Hk/HcJ (default: family)")
    g.add_argument(
        "--mu-rec", type=float, metavar="M", help="recoil permeability (default: family)"
    )
    g.add_argument(
        "--t0",
        type=float,
        metavar="C",
        help="reference temperature of Br, HcJ (default: family, 20)",
    )
    g.add_argument(
        "--family",
        default=None,
        metavar="F",
        help="family for defaults: ndfeb-sintered (default), ndfeb-bonded, smco5, sm2co17, "
        "ferrite, ...",
    )
    g.add_argument(
        "--route",
        default=None,
        metavar="R",
        help="NdFeB route for the beta fit: bulk (default), gbd-dy, gbd-tb, dy-free",
    )
    from magnets.cli import _loss

    _loss.add_arguments(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


KEYS = [
    "id",
    "t_max_C",
    "pc",
    "hd_kA_m",
    "squareness",
    "mu_rec",
    "limited_by",
    "H_op_kA_m",
    "B_op_T",
]


def _check(name: str, value, lo=None, hi=None, lo_open=True) -> None:
    import math

    from magnets.errors import InputError

    if value is None:
        return
    bad = (
        not math.isfinite(value)
        or (lo is not None and (value <= lo if lo_open else value < lo))
        or (hi is not None and value > hi)
    )
    if bad:
        rng = (
            f"> {lo}"
            if lo is not None and lo_open
            else (f">= {lo}" if lo is not None else "finite")
        )
        if hi is not None:
            rng += f" and <= {hi}"
        raise InputError(f"expected {name} {rng}, instead received {value}")


def _finite_or_none(x):
    x = float(x)
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def condition(
    ctx: Context,
    pc: float | None,
    hd: float | None,
    family: str | None = None,
    allow_zero: bool = False,
) -> tuple[float, float]:
    """(pc, hd) with the context's calibrated defaults filled in, validated.

    Without --pc: the reference Pc of ``family`` (fitted on that family's catalogue ratings),
    or sintered NdFeB's when no family is given.
    """
    _check("--pc", pc, 0.0, lo_open=not allow_zero)
    _check("--hd", hd)
    if pc is None:
        cond = ctx.condition
        pc = cond.pc_for(family) if family is not None else cond.pc
    return float(pc), float(hd or 0.0)


def _check_args(args: argparse.Namespace) -> None:
    """Refuse combinations of options that mean nothing."""
    from magnets.cli import _loss
    from magnets.errors import InputError

    if args.hd_at_t0 is not None and not _loss.wanted(args):
        raise InputError(
            "expected --loss-at or --loss-curve with --hd-at-t0, instead received neither"
        )
    custom = args.br is not None or args.hcj is not None
    if args.grade and custom:
        raise InputError(
            "expected either a GRADE or --br/--hcj for a custom magnet, instead received both"
        )
    if not args.grade and not custom:
        raise InputError(
            "expected a GRADE (see `magnets grades`) or --br and --hcj, instead received neither"
        )


def _grade_inputs(ctx: Context, args: argparse.Namespace) -> dict[str, Any]:
    """Rating inputs, identity and catalogue rating of a library grade."""
    from magnets.physics.calibration import rating_inputs

    lib = ctx.library
    row = lib.get(args.grade)
    inp = rating_inputs(lib.grades.iloc[[lib.position(args.grade)]], ctx.beta_model).iloc[0]
    rated = row["max_temp_C"] == row["max_temp_C"]
    return {
        "inp": inp,
        "gid": str(row.name),
        "family": str(row["family"]),
        "route": str(row["route"]),
        "br_basis": str(row.get("Br_basis", "")),
        "rating": {
            "rating_C": float(row["max_temp_C"]) if rated else None,
            "rating_basis": str(row.get("rating_basis", "")),
            "criterion": str(row.get("max_temp_criterion", "")),
        },
    }


def _default_route(family: str) -> str:
    if family == "ndfeb-bonded":
        return "bonded"
    return "bulk" if family.startswith("ndfeb") else "sintered"


def _custom_inputs(ctx: Context, args: argparse.Namespace) -> dict[str, Any]:
    """Rating inputs of a magnet given by --br/--hcj, family defaults for the rest."""
    import numpy as np

    from magnets.errors import InputError
    from magnets.physics.beta import NDFEB_RATED_FAMILIES

    if args.br is None or args.hcj is None:
        raise InputError(
            "expected both --br and --hcj for a custom magnet, instead received only one"
        )
    _check("--br", args.br, 0.0, 2.0)
    _check("--hcj", args.hcj, 0.0)
    _check("--squareness", args.squareness, 0.0, 1.0)
    _check("--mu-rec", args.mu_rec, 0.0)
    lib = ctx.library
    family = args.family or "ndfeb-sintered"
    if family not in lib.families.index:
        known = ", ".join(lib.families.index)
        raise InputError(f"expected --family among {known}, instead received {family!r}")
    fam = lib.families.loc[family]
    route = args.route or _default_route(family)
    if args.beta is not None:
        beta, beta_source = args.beta, "given"
    else:
        bm = ctx.beta_model
        beta = float(bm.beta(np.array(args.hcj), np.array(route), np.array(family)))
        beta_source = "fit" if family in NDFEB_RATED_FAMILIES else "family"

    def f(k: str) -> float:
        return float(fam[k]) if k in fam and fam[k] == fam[k] else float("nan")

    def given(value: float | None, key: str) -> float:
        return value if value is not None else f(key)

    inp = {
        "Br_T": args.br,
        "HcJ_kA_m": args.hcj,
        "alpha": given(args.alpha, "alpha_Br_pct_per_K"),
        "beta": beta,
        "beta_source": beta_source,
        "mu_rec": given(args.mu_rec, "mu_rec"),
        "squareness": given(args.squareness, "squareness"),
        "T0_C": args.t0 if args.t0 is not None else (f("T0_C") if f("T0_C") == f("T0_C") else 20.0),
        "curie_C": f("curie_C"),
        "structural_C": f("structural_limit_C"),
        "limit_kind": str(fam.get("limit_kind", "") or "structural"),
        "limit_source": str(fam.get("limit_source", "") or ""),
    }
    return {
        "inp": inp,
        "gid": None,
        "family": family,
        "route": route,
        "br_basis": "given",
        "rating": {"rating_C": None, "rating_basis": "model", "criterion": ""},
    }


def _rate(inp: Any, gid: str | None, pc: float, hd: float) -> Any:
    """The rated temperature of ``inp`` at (pc, hd), after checking nothing is missing."""
    from magnets.errors import InputError
    from magnets.physics.thermal import rated_temperature

    missing = [
        k
        for k in ("Br_T", "HcJ_kA_m", "alpha", "beta", "mu_rec", "squareness")
        if float(inp[k]) != float(inp[k])
    ]
    if missing:
        raise InputError(
            f"cannot rate {gid or 'this magnet'}: expected {', '.join(missing)}, instead received "
            "nothing (not in the data and no family default); give them with "
            "--br/--hcj/--alpha/--beta/--mu-rec/--squareness"
        )
    return rated_temperature(
        float(inp["Br_T"]),
        float(inp["HcJ_kA_m"]),
        float(inp["alpha"]),
        float(inp["beta"]),
        pc=pc,
        hd_kA_m=hd,
        mu_rec=float(inp["mu_rec"]),
        squareness=float(inp["squareness"]),
        T0_C=float(inp["T0_C"]),
        curie_C=float(inp["curie_C"]),
        structural_C=float(inp["structural_C"]),
        limit_kind=str(inp["limit_kind"]),
    )


def _text_lines(g: dict[str, Any], r: Any, pc: float, hd: float) -> list[tuple[str, object]]:
    """The plain-text table of one rating."""
    inp, rating, t0 = g["inp"], g["rating"], float(g["inp"]["T0_C"])
    structural = float(inp["structural_C"])
    lines: list[tuple[str, object]] = [
        ("grade", g["gid"] or "custom magnet"),
        ("family / route", f"{g['family']} / {g['route']}"),
        (
            "t_max_C",
            f"unsafe even at {t0:g} degC (no rating)"
            if r.limited_by == "unsafe"
            else round(r.t_max_C, 1),
        ),
        ("limited_by", r.limited_by),
        ("pc", pc),
        ("hd_kA_m", hd),
        ("field the magnet sees from Hd, kA/m", pc / (pc + float(inp["mu_rec"])) * hd),
        (
            "H_op_kA_m (|H| at t_max)" if r.limited_by != "unsafe" else "H_op_kA_m (at T0)",
            r.H_op_kA_m,
        ),
        ("B_op_T", r.B_op_T),
        (f"Br_T ({g['br_basis']})", float(inp["Br_T"])),
        ("HcJ_kA_m (min)", float(inp["HcJ_kA_m"])),
        ("alpha_pct_per_K", float(inp["alpha"])),
        (f"beta_pct_per_K ({inp['beta_source']})", float(inp["beta"])),
        ("squareness Hk/HcJ", float(inp["squareness"])),
        ("mu_rec", float(inp["mu_rec"])),
        ("curie_C", float(inp["curie_C"])),
        (
            "service_limit_C",
            f"{structural:g} ({inp['limit_kind']}; {inp['limit_source']})"
            if structural == structural
            else "none (Curie caps)",
        ),
    ]
    if rating["rating_C"] is not None:
        label = f"rating_C ({rating['rating_basis']}, {rating['criterion']})"
        lines.append((label, rating["rating_C"]))
    if inp["limit_kind"] == "oxidation" or r.limited_by == "oxidation":
        lines.append(
            (
                "note",
                "long-term oxidation and ageing losses above the service limit are not "
                "modelled (short-term knee check only)",
            )
        )
    return lines


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli import _loss
    from magnets.cli.support import context_from_args, format_mapping
    from magnets.io import dumps_json

    _check_args(args)
    ctx = context_from_args(args)
    g = _grade_inputs(ctx, args) if args.grade else _custom_inputs(ctx, args)
    inp = g["inp"]
    pc, hd = condition(ctx, args.pc, args.hd, g["family"], allow_zero=True)
    r = _rate(inp, g["gid"], pc, hd)
    out = {
        "id": g["gid"],
        "t_max_C": r.t_max_C,
        "pc": pc,
        "hd_kA_m": hd,
        "squareness": float(inp["squareness"]),
        "mu_rec": float(inp["mu_rec"]),
        "limited_by": r.limited_by,
        "H_op_kA_m": r.H_op_kA_m,
        "B_op_T": r.B_op_T,
        "service_limit_C": _finite_or_none(inp["structural_C"]),
        "limit_source": str(inp["limit_source"]),
        **g["rating"],
    }
    lost = _loss.report(args, inp, pc, hd) if _loss.wanted(args) else {}
    if args.format == "json":
        sys.stdout.write(dumps_json({**out, **lost}) + "\n")
        return 0
    lines = _text_lines(g, r, pc, hd)
    if lost:
        lines += _loss.table_lines(lost)
    sys.stdout.write(format_mapping(lines))
    if "loss_curve" in lost:
        sys.stdout.write("\n" + _loss.curve_table(lost))
    return 0
