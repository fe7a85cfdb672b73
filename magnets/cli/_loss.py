"""`magnets rate --loss-at/--loss-curve`: irreversible loss after a trip to T and back to T0.

Kept apart from rate.py so the rating command stays one idea; rate.py adds these
arguments and calls :func:`report` with the rating inputs it has already gathered.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

#: the model in one line, for --help and the JSON output
MODEL = (
    "working point at T where the load line meets B = J(H) - mu0*|H| (the demag_curves shape); "
    "recoil with slope mu0*mu_rec; the alpha part recovers; loss = drop of B at T0 on the same "
    "load line (magnets.physics.loss)"
)
_MAX_POINTS = 2001


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("irreversible loss after a trip to T and back to T0 (" + MODEL + ")")
    g.add_argument(
        "--loss-at",
        type=float,
        metavar="C",
        help="trip temperature, degC: prints loss_pct (%% of B at T0 lost on the same load line), "
        "B_T0_before_T and B_T0_after_T, and loss_at_rating_pct (the knee at J = 0.9*Br sits on a "
        "rounded curve, so the rating itself carries a few %%). Below T0 for ferrite's cold end",
    )
    g.add_argument(
        "--loss-curve",
        metavar="FROM:TO:STEP",
        help="loss at every temperature FROM, FROM+STEP, ... up to TO (degC; FROM > TO steps "
        "down, for ferrite); STEP > 0",
    )
    g.add_argument(
        "--hd-at-t0",
        type=float,
        metavar="KA_M",
        help="field at T0, before and after the trip, kA/m. Default: the same --hd, i.e. the "
        "current that is on at T is on when B is measured at T0; 0 measures with it off",
    )


def wanted(args: argparse.Namespace) -> bool:
    return args.loss_at is not None or args.loss_curve is not None


def _temperature(name: str, value: float) -> float:
    from magnets.cli.entry import TEMPERATURE_MAX_C
    from magnets.errors import InputError

    if not math.isfinite(value) or value <= -273.15 or value > TEMPERATURE_MAX_C:
        raise InputError(
            f"expected {name} in degC above -273.15 and at most {TEMPERATURE_MAX_C:,.0f}, "
            f"instead received {value:g}"
        )
    return float(value)


def parse_curve(text: str):
    """'FROM:TO:STEP' -> temperatures (ndarray); one clear line on a bad spec."""
    import numpy as np

    from magnets.errors import InputError

    parts = text.split(":")
    try:
        lo, hi, step = (float(x) for x in parts)
    except ValueError:
        raise InputError(
            "expected --loss-curve as FROM:TO:STEP in degC (e.g. 20:200:10), instead received "
            f"{text!r}"
        ) from None
    lo, hi = _temperature("--loss-curve FROM", lo), _temperature("--loss-curve TO", hi)
    if not math.isfinite(step) or step <= 0:
        raise InputError(f"expected --loss-curve STEP > 0, instead received {step:g}")
    n = math.floor(abs(hi - lo) / step + 1e-9) + 1
    if n > _MAX_POINTS:
        raise InputError(
            f"expected at most {_MAX_POINTS} points in --loss-curve, instead received {n:,} "
            f"(a larger STEP)"
        )
    return lo + math.copysign(step, hi - lo) * np.arange(n)


def _cap(x) -> float:
    """A cap temperature, NaN (none) read as +inf."""
    v = float(x)
    return v if v == v else math.inf


def report(args: argparse.Namespace, inp: Any, pc: float, hd: float) -> dict[str, Any]:
    """The loss keys for `magnets rate`: a JSON-ready dict (floats and lists of dicts)."""
    import numpy as np

    from magnets.physics import loss

    hd0 = hd if args.hd_at_t0 is None else float(args.hd_at_t0)
    if not math.isfinite(hd0):
        from magnets.errors import InputError

        raise InputError(f"expected --hd-at-t0 finite, instead received {hd0}")
    f = {k: float(inp[k]) for k in ("Br_T", "HcJ_kA_m", "alpha", "beta")}
    kw = {
        "pc": pc,
        "hd_kA_m": hd,
        "hd_at_t0_kA_m": hd0,
        "mu_rec": float(inp["mu_rec"]),
        "squareness": float(inp["squareness"]),
        "T0_C": float(inp["T0_C"]),
    }
    curie, structural = (_cap(inp[k]) for k in ("curie_C", "structural_C"))
    args4 = (f["Br_T"], f["HcJ_kA_m"], f["alpha"], f["beta"])
    out: dict[str, Any] = {"hd_at_t0_kA_m": hd0}
    if f["beta"] > 0:  # ferrite: the knee binds in the cold
        kw_cold = {k: v for k, v in kw.items() if k != "hd_at_t0_kA_m"}
        t_r = float(loss.cold_knee_C(*args4, **kw_cold))
        out["cold_knee_C"] = t_r
        at_r = (
            float(loss.irreversible_loss(*args4, t_r, curie_C=curie, **kw).loss_pct)
            if math.isfinite(t_r)
            else float("nan")
        )
    else:
        _, at_r = loss.loss_at_rating(*args4, curie_C=curie, structural_C=structural, **kw)
    out["loss_at_rating_pct"] = float(at_r)
    if args.loss_at is not None:
        T = _temperature("--loss-at", args.loss_at)
        r = loss.irreversible_loss(*args4, T, curie_C=curie, **kw)
        out.update(
            {
                "loss_at_C": T,
                "loss_pct": float(r.loss_pct),
                "B_T0_before_T": float(r.B_T0_before_T),
                "B_T0_after_T": float(r.B_T0_after_T),
            }
        )
    if args.loss_curve is not None:
        temps = parse_curve(args.loss_curve)
        r = loss.irreversible_loss(*args4, temps, curie_C=curie, **kw)
        cols = np.column_stack(
            [temps, np.asarray(r.loss_pct), np.asarray(r.B_T0_before_T), np.asarray(r.B_T0_after_T)]
        )
        out["loss_curve"] = [
            dict(zip(("temp_C", "loss_pct", "B_T0_before_T", "B_T0_after_T"), map(float, c)))
            for c in cols
        ]
    out["loss_model"] = MODEL
    return out


def table_lines(d: dict[str, Any]) -> list[tuple[str, object]]:
    """Key-value lines for the text output (the curve is printed as its own table)."""
    lines: list[tuple[str, object]] = []
    if "cold_knee_C" in d:
        lines.append(("cold_knee_C (ferrite: the knee binds in the cold)", d["cold_knee_C"]))
    lines.append(("loss_at_rating_pct", d["loss_at_rating_pct"]))
    if "loss_pct" in d:
        lines += [
            (f"loss_pct after {d['loss_at_C']:g} degC", d["loss_pct"]),
            ("B_T0_before_T", d["B_T0_before_T"]),
            ("B_T0_after_T", d["B_T0_after_T"]),
        ]
    lines.append(("hd_at_t0_kA_m (field at T0 before and after)", d["hd_at_t0_kA_m"]))
    return lines


def curve_table(d: dict[str, Any]) -> str:
    import pandas as pd

    from magnets.cli.support import format_table

    return format_table(pd.DataFrame(d["loss_curve"]))
