"""`magnets show GRADE`: everything about one grade."""

from __future__ import annotations

import argparse
from typing import Any

NAME = "show"
HELP = "all properties of one grade, its element content, oxides and export-control flags"
DESCRIPTION = """\
Show one grade: magnetic figures (each marked min or typ as its source gives it), temperature
coefficients, catalogue rating and its condition, physical data, element content per kg of
magnet, rare-earth oxide equivalents, export-control status of its elements as of --date,
and where every figure comes from (composition basis: sourced, derived or estimate).

examples:
  magnets show N35AH
  magnets show N45SH-GBD --format json
  magnets show MSR-YXG28H --date 2027-01-01
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("grade", help="grade id (case-insensitive) or display name")
    p.add_argument("--format", choices=["table", "json"], default="table")


def _figures(d: dict[str, Any]) -> list[tuple[str, object]]:
    """The magnetic, thermal and physical figures of one grade, each with its basis."""
    return [
        (f"Br_T ({d['Br_basis']})", d["Br_T"]),
        (f"HcJ_kA_m ({d['HcJ_basis']})", d["HcJ_kA_m"]),
        (f"HcB_kA_m ({d['HcB_basis']})", d["HcB_kA_m"]),
        (f"BHmax_kJ_m3 ({d['BHmax_basis']})", d["BHmax_kJ_m3"]),
        (f"alpha_Br_pct_per_K ({d['alpha_source']})", d["alpha_Br_pct_per_K"]),
        (
            "beta_HcJ_pct_per_K",
            d["beta_HcJ_pct_per_K"]
            if d["beta_HcJ_pct_per_K"] == d["beta_HcJ_pct_per_K"]
            else (
                f"not published (secant fit of alloy {d['alloy']} against Br0)"
                if d["beta_model"] == "secant_vs_Br"
                else "not published (fitted from HcJ)"
            ),
        ),
        ("coef_range_C", d["coef_range_C"]),
        (f"max_temp_C ({d['rating_basis']})", d["max_temp_C"]),
        ("max_temp_condition", d["max_temp_condition"]),
        (
            "max_temp_criterion",
            d["max_temp_criterion"]
            + (
                f" at Pc {d['max_temp_pc']:g}"
                if d["max_temp_pc"] == d["max_temp_pc"]
                else (" (knee at Pc 0)" if d["max_temp_criterion"] == "straight_line" else "")
            ),
        ),
        (f"curie_C ({d['curie_source']})", d["curie_C"]),
        (f"density_g_cm3 ({d['density_source']})", d["density_g_cm3"]),
        (f"mu_rec ({d['mu_rec_source']})", d["mu_rec"]),
        (f"squareness Hk/HcJ ({d['squareness_source']})", d["squareness"]),
        (
            f"service_limit_C ({'alloy ' + d['alloy'] if d['alloy'] else 'family'})",
            f"{d['structural_limit_C']:g} ({d['limit_kind']}; {d['limit_source']})"
            if d["structural_limit_C"] == d["structural_limit_C"]
            else "none (Curie caps)",
        ),
    ]


def _band_line(d: dict[str, Any]) -> str:
    """Dy and Tb of the composition as low / value / high wt%, with the basis."""
    parts = [
        f"{el} {d[f'{el}_wt_pct_low']:.4g} / {d[f'{el}_wt_pct']:.4g} / {d[f'{el}_wt_pct_high']:.4g}"
        for el in ("Dy", "Tb")
    ]
    return f"Dy/Tb wt% low / value / high ({d['composition_basis']}): {', '.join(parts)}\n"


def _dirs(args: argparse.Namespace) -> tuple:
    from pathlib import Path

    from magnets.data.layers import user_dirs_from_env

    return tuple(Path(d).resolve() for d in user_dirs_from_env(getattr(args, "library", None)))


def _from_view(args: argparse.Namespace) -> dict[str, Any] | None:
    """The grade from the pandas-free view of the cache (None: take the full path)."""
    import datetime as dt

    from magnets.data.view import read_view

    day = getattr(args, "date", None) or dt.date.today()
    return read_view(_dirs(args), args.grade, day)


def _save_view(lib, args: argparse.Namespace) -> None:
    """Write the view the next ``show`` reads (only where the library cache lives)."""
    from magnets.data.cache import cache_dir, content_key
    from magnets.data.catalog import view_payload
    from magnets.data.view import write_view

    folder = cache_dir()
    key = content_key(_dirs(args)) if folder is not None else None
    if folder is not None and key is not None:
        write_view(folder, key, view_payload(lib))


def run(args: argparse.Namespace) -> int:
    import sys

    from magnets.cli.support import context_from_args, format_mapping

    d = None if args.format == "json" else _from_view(args)
    if d is None:
        from magnets.data.catalog import detail

        ctx = context_from_args(args)
        d = detail(ctx.library, args.grade, ctx.date)
        if args.format != "json":
            _save_view(ctx.library, args)
    if args.format == "json":
        from magnets.io import dumps_json

        sys.stdout.write(dumps_json(d) + "\n")
        return 0
    out = sys.stdout
    out.write(f"{d['id']}  {d['name']}  ({d['manufacturer']})\n")
    out.write(f"family {d['family']}, route {d['route']}\n\n")
    out.write(format_mapping(_figures(d)))
    out.write(f"\nsource: {d['source']}\n")
    if d["coef_source"]:
        out.write(f"coefficients: {d['coef_source']}\n")
    if d["notes"]:
        out.write(f"notes: {d['notes']}\n")
    out.write(
        f"\nelement content per kg of magnet (composition {d['composition']}, "
        f"basis {d['composition_basis']})\n"
    )
    out.write(
        format_mapping([(f"{el} kg/kg", v) for el, v in d["element_kg_per_kg"].items()], digits=4)
    )
    if d["oxide_kg_per_kg"]:
        out.write("oxide equivalent per kg of magnet\n")
        out.write(
            format_mapping([(f"{ox} kg/kg", v) for ox, v in d["oxide_kg_per_kg"].items()], digits=4)
        )
    out.write(_band_line(d))
    out.write(f"method: {d['composition_method']}\nsource: {d['composition_source']}\n")
    out.write(f"\nexport controls as of {d['as_of_date']} (China-origin material)\n")
    ctrl = " ".join(d["controlled_elements"]) or "none"
    out.write(f"controlled elements present: {ctrl} ({d['controlled_kg_per_kg']:.4f} kg/kg)\n")
    if d["unknown_elements"]:
        unknown = " ".join(d["unknown_elements"])
        out.write(f"status unknown: {unknown} ({d['unknown_kg_per_kg']:.4f} kg/kg)\n")
    return 0
