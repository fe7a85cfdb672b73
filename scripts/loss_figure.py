"""Draw docs/loss.png: the irreversible-loss construction and loss against temperature.

Run from the project root:  python scripts/loss_figure.py
Left: one sintered NdFeB grade at Pc 2, its curves at T0 and at a trip temperature past
the knee, the load line, the recoil line and the working points before and after.
Right: loss against trip temperature at Pc 2, Hd 0 for a few library grades (ferrite on its
cold side), each with its knee rating marked. Everything comes from magnets.physics.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from magnets.data.library import load_library
from magnets.physics import calibration, loss, thermal
from magnets.physics.beta import fitted_beta_model

MU0 = thermal.MU0 * 1e3  # T per kA/m
PC = 2.0
GRADES = ["KYL-N42SH", "TH-N35EH", "HZ-YXG22H", "JX-C8A"]


def construction(ax, row, trip_C):
    br0, h0, a, b = row.Br_T, row.HcJ_kA_m, row.alpha, row.beta
    mr, s = row.mu_rec, row.squareness
    for temp, style in ((20.0, "-"), (trip_C, "--")):
        c = thermal.demag_curves(br0, h0, mu_rec=mr, squareness=s, temp_C=temp, alpha=a, beta=b)
        ax.plot(c.H_kA_m, c.B_T, "k" + style, lw=1.2, label=f"B(H) at {temp:.0f} degC")
        ax.plot(c.H_kA_m, c.J_T, "0.6", ls=style, lw=1.0)
    r = loss.irreversible_loss(br0, h0, a, b, trip_C, pc=PC, mu_rec=mr, squareness=s)
    hmax = h0
    H = np.linspace(0, hmax, 50)
    ax.plot(-H, PC * MU0 * H, "C0", lw=1, label=f"load line Pc = {PC:g}")
    H1, B1 = r.H_at_T_kA_m, r.B_at_T_T
    ax.plot([-H1, 0], [B1, B1 + MU0 * mr * H1], "C3", lw=1, label="recoil from the point at T")
    ax.plot(-H1, B1, "C3o")
    ax.annotate("at T", (-H1, B1), (6, -12), textcoords="offset points", fontsize=8)
    br_after = r.remanence_left * br0
    Hr = np.linspace(0, br_after / (MU0 * (PC + mr)) * 1.3, 20)
    ax.plot(-Hr, br_after - MU0 * mr * Hr, "C2", lw=1, label="recoil line back at T0")
    for B, lab in ((r.B_T0_before_T, "before"), (r.B_T0_after_T, "after")):
        ax.plot(-B / (PC * MU0), B, "C2s" if lab == "after" else "ks", ms=4)
        ax.annotate(
            f"{lab} (T0)", (-B / (PC * MU0), B), (6, 4), textcoords="offset points", fontsize=8
        )
    ax.set_xlim(-1.6 * r.B_T0_before_T / (PC * MU0), 0)
    ax.set_ylim(0, br0 * 1.05)
    ax.set_xlabel("H, kA/m")
    ax.set_ylabel("B (black), J (grey), T")
    ax.set_title(f"{row.name}: trip to {trip_C:.0f} degC, loss {r.loss_pct:.1f} %", fontsize=9)
    ax.legend(fontsize=7, loc="lower left", framealpha=0.9)


def curves(ax, rows):
    for i, (gid, row) in enumerate(rows.iterrows()):
        kw = {"pc": PC, "mu_rec": row.mu_rec, "squareness": row.squareness, "curie_C": row.curie_C}
        args = (row.Br_T, row.HcJ_kA_m, row.alpha, row.beta)
        if row.beta > 0:  # ferrite: the cold side
            T = np.linspace(20.0, -120.0, 281)
            t_r = loss.cold_knee_C(*args, **{k: v for k, v in kw.items() if k != "curie_C"})
            by = "cold knee"
        else:
            T = np.linspace(20.0, 500.0, 481)
            r = thermal.rated_temperature(
                *args, structural_C=row.structural_C, limit_kind=row.limit_kind, **kw
            )
            t_r, by = r.t_max_C, r.limited_by
        pct = loss.irreversible_loss(*args, T, **kw).loss_pct
        ax.plot(T, pct, color=f"C{i}", label=f"{gid} (rated {t_r:.0f} degC, {by})")
        at = loss.irreversible_loss(*args, t_r, **kw).loss_pct
        ax.plot([t_r], [at], "o", color=f"C{i}")
    ax.axhline(5.0, color="0.7", lw=0.8, ls=":")
    ax.set_xlabel("trip temperature, degC")
    ax.set_ylabel("irreversible loss of B at 20 degC, %")
    ax.set_ylim(0, 30)
    ax.set_title(f"loss after a trip, Pc {PC:g}, Hd 0 (dot: loss at the rating)", fontsize=9)
    ax.legend(fontsize=7)


def main():
    lib = load_library()
    inp = calibration.rating_inputs(lib.grades, fitted_beta_model(lib))
    rows = inp.loc[[g for g in GRADES if g in inp.index]]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    row = rows.iloc[0]
    t_r = thermal.rated_temperature(
        row.Br_T, row.HcJ_kA_m, row.alpha, row.beta, pc=PC, mu_rec=row.mu_rec,
        squareness=row.squareness,
    ).t_max_C  # fmt: skip
    construction(a1, row, t_r + 10.0)
    curves(a2, rows)
    fig.tight_layout()
    fig.savefig("docs/loss.png")
    print("wrote docs/loss.png")


if __name__ == "__main__":
    main()
