"""Tables of docs/physics.md section 5b (rating criteria, per-family fits, residuals per family,
the high-temperature Sm2Co17 secant fit, service limits, GBD guideline ratings).

Imported by scripts/gen_physics_doc.py; every number comes from the fitted condition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP_ORDER = ["fit", "stated", "capped", "guideline", "other"]


def ratings_tables(c, lib, md_plain) -> dict[str, str]:
    """Placeholder -> Markdown for the rating-criteria section."""

    def md(df, fmt=None):  # '|' inside a cell would split a Markdown table cell
        out = df.rename(columns=lambda k: str(k).replace("|", "abs "))
        for col in out.columns:
            if not pd.api.types.is_numeric_dtype(out[col]):
                out[col] = out[col].map(
                    lambda v: v.replace("|", "\\|") if isinstance(v, str) else v
                )
        return md_plain(out, {str(k).replace("|", "abs "): v for k, v in (fmt or {}).items()})

    g = lib.grades
    r = c.residuals.copy()
    T: dict[str, str] = {}
    rated = g[g["max_temp_C"].notna()]
    crit = (
        rated.assign(maker=rated["manufacturer"])
        .groupby(["family", "maker", "max_temp_criterion", "rating_basis"])
        .size()
        .rename("grades")
        .reset_index()
    )
    T["CRITERIA_TABLE"] = md(crit)
    fits = pd.DataFrame(
        [
            {
                "family": f.family,
                "reference Pc": f.pc,
                "fitted ratings": f.n_fit,
                "of which capped": f.n_capped,
                "Pc only a lower bound": "yes" if f.bound else "",
                "median abs error degC": f.median_abs_error_C,
                "mean abs error degC": f.mean_abs_error_C,
                "how": f.method,
            }
            for f in c.family_fits.values()
        ]
    )
    T["FAMILY_FITS"] = md(
        fits,
        {
            "reference Pc": "{:.3f}",
            "median abs error degC": "{:.1f}",
            "mean abs error degC": "{:.1f}",
        },
    )
    rows = []
    for fam, d in r.groupby("family"):
        a = d["residual_C"].abs()
        row = {"family": fam, "rated": len(d), "median abs error all, degC": float(a.median())}
        for grp in GROUP_ORDER:
            x = d.loc[d["group"].eq(grp), "residual_C"].abs()
            row[grp] = f"{len(x)}: {x.median():.1f} / {x.max():.1f}" if len(x) else ""
        rows.append(row)
    T["FAMILY_RESIDUALS"] = md(pd.DataFrame(rows), {"median abs error all, degC": "{:.1f}"})
    cols = [
        "id",
        "manufacturer",
        "alloy",
        "criterion",
        "rating_basis",
        "beta_used",
        "beta_source",
        "pc_used",
        "max_temp_C",
        "t_model_C",
        "residual_C",
        "limited_by",
        "group",
    ]
    f = {
        "beta_used": "{:.3f}",
        "pc_used": "{:.3f}",
        "max_temp_C": "{:.0f}",
        "t_model_C": "{:.1f}",
        "residual_C": "{:+.1f}",
        "t_at_stated_C": "{:.1f}",
    }
    for fam, key in [
        ("sm2co17", "SM2CO17_TABLE"),
        ("smco5", "SMCO5_TABLE"),
        ("ndfeb-bonded", "BONDED_TABLE"),
    ]:
        T[key] = md(r.loc[r["family"].eq(fam), cols], f)
    gbd = r[r["route"].str.startswith("gbd")]
    T["GBD_TABLE"] = md(gbd[[c for c in cols if c not in ("alloy", "criterion")]], f)
    nd_stated = r[r["family"].eq("ndfeb-sintered") & r["criterion"].eq("knee_at_pc")]
    nd_stated = nd_stated.assign(stated_pc=g.loc[nd_stated["id"], "max_temp_pc"].to_numpy())
    T["NDFEB_STATED"] = md(
        nd_stated[["id", "manufacturer", "stated_pc", "max_temp_C", "t_model_C", "t_at_stated_C"]],
        {**f, "stated_pc": "{:.2f}"},
    )
    sf = c.alloy_fits.get("sm2co17-ht")
    if sf is not None:
        T["SECANT_FIT"] = (
            f"beta = {sf.c0:+.4f} {sf.c1:+.4f}*(Br0 - {sf.Br_ref_T:.3f} T)  [%/K], "
            f"over {len(sf.points)} EEC T-series grades"
        )
        T["SECANT_POINTS"] = md(
            sf.points,
            {
                "Br_T": "{:.3f}",
                "HcJ_kA_m": "{:.0f}",
                "stated_pc": "{:.0f}",
                "max_temp_C": "{:.0f}",
                "beta_needed": "{:.4f}",
                "beta_fit": "{:.4f}",
                "beta_loo": "{:.4f}",
                "t_fit_C": "{:.1f}",
                "t_loo_C": "{:.1f}",
            },
        )
    fam = lib.families
    lim = [
        {
            "family / alloy": k,
            "service limit, degC": fam.loc[k, "structural_limit_C"],
            "limited_by": fam.loc[k, "limit_kind"] if "limit_kind" in fam else "",
            "source": fam.loc[k, "limit_source"] if "limit_source" in fam else "",
        }
        for k in fam.index
        if np.isfinite(float(fam.loc[k, "structural_limit_C"]))
    ]
    lim += [
        {
            "family / alloy": f"{a['family']} / {a['id']}",
            "service limit, degC": a["service_limit_C"],
            "limited_by": a["limit_kind"],
            "source": a["limit_source"],
        }
        for _, a in lib.alloys.iterrows()
    ]
    T["SERVICE_LIMITS"] = md(pd.DataFrame(lim), {"service limit, degC": "{:.0f}"})
    return T
