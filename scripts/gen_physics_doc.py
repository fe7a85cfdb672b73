"""Regenerate docs/physics.md tables (calibration, beta fit, coercivity fit) from the library.

Run from the project root:  python scripts/gen_physics_doc.py
The prose lives in docs/physics_template.md; {{NAME}} placeholders are filled from the fits.
"""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from magnets import coercivity as co  # forwards to physics.coercivity, beta and hree
from magnets.data.library import load_library
from magnets.physics import calibration as cal

lib = load_library()
c = cal.fitted_condition(lib)
bm = co.fitted_beta_model(lib)
m = co.fitted_coercivity_model(lib)
kOe = 1000 / (4 * math.pi)


def md(df, fmt=None):
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in df.iterrows():
        cells = []
        for col in cols:
            v = r[col]
            if isinstance(v, (float, np.floating)):
                cells.append("" if math.isnan(v) else (fmt or {}).get(col, "{:.3g}").format(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


T = {}
T["VERSION"] = lib.version
T["PC"] = f"{c.pc:.3f}"
T["MEDIAN"] = f"{c.median_abs_error_C:.1f}"
T["MEAN"] = f"{c.mean_abs_error_C:.1f}"
T["NFIT"] = str(c.n_fit)
r = c.residuals.copy()
r = r[
    [
        "id",
        "family",
        "route",
        "Br_T",
        "Br_basis",
        "HcJ_kA_m",
        "beta_used",
        "beta_source",
        "max_temp_C",
        "t_model_C",
        "residual_C",
        "limited_by",
        "in_fit",
    ]
]
f = {
    "Br_T": "{:.3f}",
    "HcJ_kA_m": "{:.0f}",
    "beta_used": "{:.3f}",
    "max_temp_C": "{:.0f}",
    "t_model_C": "{:.1f}",
    "residual_C": "{:+.1f}",
}
nd_fit = r.in_fit & r.family.eq("ndfeb-sintered")
T["CAL_FIT"] = md(r[nd_fit].drop(columns=["in_fit", "family"]), f)
fit = r[nd_fit].copy()
fit["maker"] = lib.grades.loc[fit.id, "manufacturer"].to_numpy()
bym = fit.groupby("maker")["residual_C"].agg(["count", "median"])
T["BY_MAKER"] = "; ".join(
    f"{k} {v['median']:+.1f} degC (n={int(v['count'])})" for k, v in bym.iterrows()
)
g = bm.groups
T["BETA_FIT"] = md(
    pd.DataFrame(
        [
            {
                "group": k,
                "c_kA_m_per_K": v.c_kA_m_per_K,
                "d_per_K": v.d_per_K,
                "distinct points": v.n_points,
                "RMS residual %/K": v.residual_rms_pct_per_K,
                "how": v.source,
            }
            for k, v in g.items()
        ]
    ),
    {"c_kA_m_per_K": "{:.3f}", "d_per_K": "{:.5f}", "RMS residual %/K": "{:.3f}"},
)
br = bm.residuals[["id", "route", "group", "HcJ_kA_m", "beta", "beta_fit", "residual"]]
T["BETA_RESIDUALS"] = md(
    br.drop_duplicates(["group", "HcJ_kA_m", "beta"]),
    {"HcJ_kA_m": "{:.0f}", "beta": "{:.3f}", "beta_fit": "{:.3f}", "residual": "{:+.3f}"},
)
hs = np.array([876, 955, 1114, 1353, 1592, 1990, 2387, 2785.0])
T["BETA_TABLE"] = md(
    pd.DataFrame(
        {
            "HcJ0_kA_m": hs,
            "beta bulk": g["bulk"].beta(hs),
            "beta gbd": g["gbd"].beta(hs),
            "zero-HcJ temperature with that beta held constant, degC": 20
            + 100 / np.abs(g["bulk"].beta(hs)),
        }
    ),
    {
        "HcJ0_kA_m": "{:.0f}",
        "beta bulk": "{:.3f}",
        "beta gbd": "{:.3f}",
        "zero-HcJ temperature with that beta held constant, degC": "{:.0f}",
    },
)
gb = g["gbd"].beta(np.array([1592.0, 2785.0]))
T["GBD_RANGE"] = f"{gb[0]:.2f} (1592 kA/m) to {gb[1]:.2f} (2785 kA/m)"
T["FAMILY_BETA"] = "; ".join(
    f"{k} {v:+.3f} %/K ({bm.family_source.get(k, '')})" for k, v in bm.family_beta.items()
)
T["COERC_FIT"] = md(
    pd.DataFrame(
        [
            ("H_base", f"{m.H_base_kA_m:.0f} kA/m ({m.H_base_kA_m / kOe:.1f} kOe)"),
            (
                "k_Dy (bulk)",
                f"{m.k_Dy_kA_m_per_wt:.0f} kA/m per wt% ({m.k_Dy_kA_m_per_wt / kOe:.2f} kOe)",
            ),
            ("k_Tb (bulk)", f"{m.k_Tb_kA_m_per_wt:.0f} kA/m per wt% (1.85 x k_Dy)"),
            ("c_Br", f"{m.c_Br_T_per_wt:.4f} T per wt% Dy+Tb"),
            ("Br_base", ", ".join(f"{k} {v:.3f} T" for k, v in m.Br_base_T.items())),
            ("H_free (dy-free)", f"{m.H_free_kA_m:.0f} kA/m"),
            (
                "e_Tb, cap_Tb (GBD)",
                f"{m.e_Tb_kA_m_per_wt:.0f} kA/m per wt% ({m.e_Tb_kA_m_per_wt / kOe:.1f} kOe), "
                f"cap {m.cap_Tb_kA_m:.0f} kA/m ({m.cap_Tb_kA_m / kOe:.1f} kOe): "
                f"saturates at {m.sat_Tb_wt_pct:.2f} wt% Tb",
            ),
            (
                "e_Dy, cap_Dy (GBD)",
                f"{m.e_Dy_kA_m_per_wt:.0f} kA/m per wt% ({m.e_Dy_kA_m_per_wt / kOe:.1f} kOe), "
                f"cap {m.cap_Dy_kA_m:.0f} kA/m ({m.cap_Dy_kA_m / kOe:.1f} kOe): "
                f"saturates at {m.sat_Dy_wt_pct:.2f} wt% Dy",
            ),
            ("alpha per route", ", ".join(f"{k} {v:.3f}" for k, v in m.alpha_route.items())),
        ],
        columns=["parameter", "fitted value"],
    )
)
res = m.residuals
agg = (
    res.groupby("route")
    .agg(
        n=("id", "count"),
        HcJ_RMS_kA_m=("HcJ_residual_kA_m", lambda x: float(np.sqrt(np.mean(x**2)))),
        HcJ_mean_kA_m=("HcJ_residual_kA_m", "mean"),
        Br_RMS_T=("Br_residual_T", lambda x: float(np.sqrt(np.mean(x**2)))),
    )
    .reset_index()
)
T["COERC_ROUTE"] = md(
    agg, {"HcJ_RMS_kA_m": "{:.0f}", "HcJ_mean_kA_m": "{:+.0f}", "Br_RMS_T": "{:.3f}"}
)
b = (
    res[res.route == "bulk"]
    .drop_duplicates(["Dy_wt_pct", "HcJ_kA_m"])
    .sort_values(["Dy_wt_pct", "HcJ_kA_m"])
)
T["COERC_BULK"] = md(
    b[["Dy_wt_pct", "HcJ_kA_m", "HcJ_model_kA_m", "HcJ_residual_kA_m"]],
    {
        "HcJ_kA_m": "{:.0f}",
        "HcJ_model_kA_m": "{:.0f}",
        "HcJ_residual_kA_m": "{:+.0f}",
        "Dy_wt_pct": "{:.2f}",
    },
)
T["COERC_GBD"] = md(
    res[res.route != "bulk"][
        [
            "id",
            "route",
            "Dy_wt_pct",
            "Tb_wt_pct",
            "HcJ_kA_m",
            "HcJ_model_kA_m",
            "HcJ_residual_kA_m",
            "Br_T",
            "Br_model_T",
        ]
    ],
    {
        "HcJ_kA_m": "{:.0f}",
        "HcJ_model_kA_m": "{:.0f}",
        "HcJ_residual_kA_m": "{:+.0f}",
        "Br_T": "{:.3f}",
        "Br_model_T": "{:.3f}",
        "Dy_wt_pct": "{:.2f}",
        "Tb_wt_pct": "{:.2f}",
    },
)
p = m.published
T["COERC_PUB"] = md(
    p[["source", "kind", "observed_kA_m", "model_kA_m", "residual_kA_m", "fitted"]],
    {"observed_kA_m": "{:.0f}", "model_kA_m": "{:.0f}", "residual_kA_m": "{:+.0f}"},
)
T["KDY_KOE"] = f"{m.k_Dy_kA_m_per_wt / kOe:.2f}"
T["CAP_KOE"] = f"{m.cap_Tb_kA_m / kOe:.1f}"
T["EDY_KOE"] = f"{m.e_Dy_kA_m_per_wt / kOe:.1f}"
t = co.tradeoff(pc=c.pc, model=m, beta=bm)
t = t[t.temp_C.isin([80, 120, 150, 180, 200, 220, 240])]
model_rows = lib.compositions[lib.compositions["basis"] == "model"]
served = lib.grades.groupby("composition").size()
T["MODEL_ROWS"] = md(
    pd.DataFrame(
        {
            "row": model_rows["id"],
            "grades": [int(served.get(i, 0)) for i in model_rows["id"]],
            "Dy low": model_rows["Dy_wt_pct_low"],
            "Dy": model_rows["Dy_wt_pct"],
            "Dy high": model_rows["Dy_wt_pct_high"],
            "Tb low": model_rows["Tb_wt_pct_low"],
            "Tb": model_rows["Tb_wt_pct"],
            "Tb high": model_rows["Tb_wt_pct_high"],
        }
    ),
    dict.fromkeys(("Dy low", "Dy", "Dy high", "Tb low", "Tb", "Tb high"), "{:.3f}"),
)
T["TRADEOFF"] = md(
    t.drop(columns=["reachable"]),
    {
        "temp_C": "{:.0f}",
        "Dy_wt_pct": "{:.2f}",
        "Tb_wt_pct": "{:.2f}",
        "hree_wt_pct": "{:.2f}",
        "Br_T": "{:.3f}",
        "Br_T_at_temp": "{:.3f}",
        "HcJ_kA_m": "{:.0f}",
    },
)


def loss_margins():
    """Median loss at the knee rating; K below it (above: ferrite) until the loss is < 0.1 %."""
    from magnets.physics import loss
    from magnets.physics.thermal import rated_temperature

    inp = cal.rating_inputs(lib.grades, bm)
    fam = lib.grades["family"].to_numpy()
    col = {c: inp[c].to_numpy()[:, None] for c in inp.columns if c != "beta_source"}
    args = [col[c] for c in ("Br_T", "HcJ_kA_m", "alpha", "beta")]
    steps = np.arange(0.0, 301.0, 1.0)  # K away from the rating, 1 K resolution
    cold = col["beta"] > 0
    rows = []
    for pc in (0.5, 1.0, 2.0, 4.0):  # a handful of load lines, each one array call
        kw = {"pc": pc, "mu_rec": col["mu_rec"], "squareness": col["squareness"]}
        kw["T0_C"] = col["T0_C"]
        r = rated_temperature(*args, curie_C=col["curie_C"], **kw)
        t_r = np.where(cold, loss.cold_knee_C(*args, **kw), r.t_max_C)
        knee = (cold | (r.limited_by == "knee")) & np.isfinite(t_r)
        T = np.where(cold, t_r + steps, t_r - steps)
        pct = loss.irreversible_loss(*args, T, curie_C=col["curie_C"], **kw).loss_pct
        need = np.argmax(pct < 0.1, axis=1).astype(float)
        for f in pd.unique(fam):
            m = (fam == f) & knee[:, 0]
            if m.any():
                rows.append(
                    {
                        "family": f,
                        "Pc": pc,
                        "grades": int(m.sum()),
                        "median loss at rating %": float(np.median(pct[m, 0])),
                        "K to < 0.1 %, median": float(np.median(need[m])),
                        "K to < 0.1 %, max": float(np.max(need[m])),
                    }
                )
    fmt = {"Pc": "{:g}", "median loss at rating %": "{:.2f}"}
    fmt.update({"K to < 0.1 %, median": "{:.0f}", "K to < 0.1 %, max": "{:.0f}"})
    return md(pd.DataFrame(rows).sort_values(["family", "Pc"]), fmt)


T["LOSS_MARGIN"] = loss_margins()
bench = subprocess.run(
    [sys.executable, "benchmarks/bench_rating.py"], capture_output=True, text=True
).stdout
T["BENCH"] = "\n\n```\n" + bench.strip() + "\n```"
sys.path.insert(0, "scripts")
from physics_doc_ratings import ratings_tables  # noqa: E402

T.update(ratings_tables(c, lib, md))
s = Path("docs/physics_template.md").read_text()
for k, v in T.items():
    s = s.replace("{{" + k + "}}", v)
assert "{{" not in s, [line for line in s.splitlines() if "{{" in line]
Path("docs/physics.md").write_text(s)
print(bench)
