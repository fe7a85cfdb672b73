"""The Grade screen (``enter`` on a grade): every property with its source and basis,
element content per kg (metal and oxide), export-control flags as of the date, and the
demagnetisation curves at 20 degC and at the working temperature with the load line
and the knee, and below them the irreversible loss after a trip to each temperature at
the current Pc/Hd (the knee rating and the working temperature marked).

Wide terminals show the facts and the plot side by side, narrow ones stack them;
``p`` cycles both / plot only / facts only. ``+``/``-`` move the working temperature by 5 degC.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Static

from ..widgets.footer import MagnetsFooter
from .base import MagnetsScreen

NARROW_WIDTH = 110
BETA_SOURCES = {"fit": "fit on HcJ0 and route", "family": "family default", "none": "not known"}
STATUS_STYLE = {
    "controlled": "bold red",
    "unknown": "bold yellow",
    "suspended": "yellow",
    "not_controlled": "green",
}


def _num(value: Any, fmt: str = "{:.4g}") -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value) if value not in (None, "") else "–"
    return "–" if math.isnan(v) else fmt.format(v)


def _section_table(title: str) -> Table:
    """A full-width borderless table with a bold title on the left (one section of the facts)."""
    return Table(
        title=title,
        title_justify="left",
        expand=True,
        box=None,
        padding=(0, 1),
        title_style="bold",
        header_style="bold",
    )


def _loss_temps(t0: float, rating: float, now: float, d: dict) -> Any:
    """Trip temperatures for the loss plot: around the knee rating, including T0 and now."""
    import numpy as np

    cold = float(d.get("beta_HcJ_pct_per_K") or 0.0) > 0 or d.get("family") == "ferrite"
    if cold:
        lo, hi = min(now, t0 - 150.0), t0
    elif math.isfinite(rating):
        lo, hi = max(t0, rating - 80.0), rating + 30.0
    else:
        lo, hi = t0, t0 + 250.0
    lo, hi = min(lo, now), max(hi, now)
    return np.linspace(lo, hi, 111)


class GradeScreen(MagnetsScreen):
    """One grade in full."""

    AUTO_FOCUS = "#grade-info"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", key_display="esc"),
        Binding("p", "toggle_plot", "Panes"),
        Binding("plus,equals_sign", "temp(5)", "+5°C", key_display="+"),
        Binding("minus", "temp(-5)", "-5°C", key_display="-"),
        Binding("y", "copy", "Copy"),
    ]

    def __init__(self, grade_id: str) -> None:
        super().__init__(classes="grade")
        self.grade_id = grade_id
        self.detail: dict | None = None

    def compose(self) -> ComposeResult:
        from ..widgets.plots import Plot

        yield Header()
        yield Static(self.grade_id, id="grade-title", classes="status")
        with Horizontal(id="grade-body"):
            with VerticalScroll(id="grade-info", can_focus=True):
                yield Static(id="grade-summary")
                yield Static(id="grade-props")
                yield Static(id="grade-elements")
                yield Static(id="grade-notes")
            with Vertical(id="grade-plot"):
                yield Plot(id="curves")
                yield Static(id="curves-legend")
                yield Plot(id="loss-plot")
                yield Static(id="loss-legend")
        yield MagnetsFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Grade {self.grade_id}"
        self.app.when_library(self, self._on_library)
        self.app.condition_changed.subscribe(self, lambda _app: self.refresh_all())

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def _on_library(self, session: Any) -> None:
        if session is None:
            return
        self.refresh_all()
        self.query_one("#grade-info").focus()

    # ------------------------------------------------------------------ data
    def refresh_all(self) -> None:
        from ..data import grade_curves, grade_detail, grade_loss_curve, rate

        app = self.app
        session = app.session
        if session is None:
            return
        try:
            self.detail = d = grade_detail(session, self.grade_id)
            rating = rate(session, pc=app.pc, hd_kA_m=app.hd_kA_m).loc[d["id"]]
            curves = grade_curves(
                session,
                d["id"],
                temps_C=(float(d["T0_C"]), app.temp_C),
                pc=app.pc,
                hd_kA_m=app.hd_kA_m,
            )
            lossc = grade_loss_curve(
                session,
                d["id"],
                temps_C=_loss_temps(float(d["T0_C"]), float(rating["t_max_C"]), app.temp_C, d),
                pc=app.pc,
                hd_kA_m=app.hd_kA_m,
            )
        except Exception as exc:
            self.notify(f"{exc}", title=f"Cannot show grade {self.grade_id}", severity="error")
            return
        self.query_one("#grade-title", Static).update(
            f"[b]{d['id']}[/]  {d['name']}  ·  {d['manufacturer']}  ·  {d['family']} / {d['route']}"
        )
        self.query_one("#grade-summary", Static).update(self._summary(d, rating))
        self.query_one("#grade-props", Static).update(self._props_table(d, rating, curves))
        self.query_one("#grade-elements", Static).update(self._elements_table(d))
        self.query_one("#grade-notes", Static).update(self._notes(d))
        self._draw(d, curves)
        self._draw_loss(lossc)

    def _props_table(self, d: dict, rating: Any, curves: dict) -> Table:
        refs: dict[str, int] = {}

        def ref(source: Any) -> str:
            """Short sources inline; long ones become numbered notes listed under the table."""
            text = str(source or "").strip()
            if len(text) <= 24:
                return text
            refs.setdefault(text, len(refs) + 1)
            return f"[{refs[text]}]"

        t = _section_table("Properties")
        t.add_column("property", no_wrap=True)
        t.add_column("value", justify="right", no_wrap=True)
        t.add_column("basis", no_wrap=True)
        t.add_column("source", ratio=1, overflow="fold")
        src = d.get("source", "")
        csrc = d.get("coef_source") or src
        rows = [
            ("Br", _num(d["Br_T"], "{:.3f} T"), d.get("Br_basis", ""), src),
            ("HcJ", _num(d["HcJ_kA_m"], "{:.0f} kA/m"), d.get("HcJ_basis", ""), src),
            ("HcB", _num(d["HcB_kA_m"], "{:.0f} kA/m"), d.get("HcB_basis", ""), src),
            ("BHmax", _num(d["BHmax_kJ_m3"], "{:.0f} kJ/m³"), d.get("BHmax_basis", ""), src),
            (
                "α(Br)",
                _num(d["alpha_Br_pct_per_K"], "{:.3f} %/K"),
                "",
                d.get("alpha_source") or csrc,
            ),
            (
                "β(HcJ)",
                _num(curves["beta"], "{:.3f} %/K"),
                "" if curves["beta_is_own"] else curves["beta_source"],
                csrc
                if curves["beta_is_own"]
                else BETA_SOURCES.get(curves["beta_source"], curves["beta_source"]),
            ),
            (
                "coef. range",
                (str(d.get("coef_range_C")) + " °C") if d.get("coef_range_C") else "–",
                "",
                "",
            ),
            (
                "catalogue max",
                _num(d["max_temp_C"], "{:.0f} °C"),
                "",
                str(d.get("max_temp_condition") or ""),
            ),
            (
                "rated (Pc, Hd)",
                _num(rating["t_max_C"], "{:.0f} °C"),
                "model",
                f"limited by {rating['limited_by']}",
            ),
            ("Curie", _num(d["curie_C"], "{:.0f} °C"), "", d.get("curie_source", "")),
            (
                "structural limit",
                _num(d["structural_limit_C"], "{:.0f} °C"),
                "",
                "family" if math.isfinite(float(d["structural_limit_C"])) else "",
            ),
            ("density", _num(d["density_g_cm3"], "{:.2f} g/cm³"), "", d.get("density_source", "")),
            ("μrec", _num(d["mu_rec"], "{:.2f}"), "", d.get("mu_rec_source", "")),
            ("Hk/HcJ", _num(d["squareness"], "{:.2f}"), "", d.get("squareness_source", "")),
            ("T0", _num(d["T0_C"], "{:.0f} °C"), "", ""),
        ]
        for name, value, basis, source in rows:
            t.add_row(name, value, Text(basis, style="dim"), Text(ref(source), style="dim"))
        self._refs = refs
        return t

    def _summary(self, d: dict, rating: Any) -> Text:
        app = self.app
        text = Text()
        text.append(f"Rated {_num(rating['t_max_C'], '{:.0f}')} °C", style="bold")
        text.append(f" at Pc {app.pc:.2f}, Hd {app.hd_kA_m:.0f} kA/m ({rating['limited_by']})")
        text.append(f" · Dy+Tb {d['Dy_Tb_wt_pct']:.2f} wt%")
        ctrl = " ".join(d.get("controlled_elements", []))
        text.append(" · controlled: ")
        text.append(ctrl or "none", style="bold red" if ctrl else "green")
        return text

    def _elements_table(self, d: dict) -> Table:
        from ..data import oxide_formulas

        t = _section_table(
            f"Elements, kg per kg of magnet · export controls as of {d['as_of_date']}"
        )
        t.add_column("el.", no_wrap=True)
        t.add_column("kg/kg", justify="right", no_wrap=True)
        t.add_column("oxide", no_wrap=True)
        t.add_column("ox. kg/kg", justify="right", no_wrap=True)
        t.add_column("export", no_wrap=True)
        oxides = d.get("oxide_kg_per_kg", {})
        formulas = oxide_formulas(list(d["element_kg_per_kg"]), list(oxides))
        status = d.get("element_status", {})
        for el, kg in d["element_kg_per_kg"].items():
            ox = formulas.get(el)
            st = status.get(el, "")
            label = "–" if st == "not_controlled" else st.replace("_", " ")
            t.add_row(
                el,
                f"{kg:.4f}",
                ox or "",
                f"{oxides[ox]:.4f}" if ox in oxides else "",
                Text(label, style=STATUS_STYLE.get(st, "dim") if st != "not_controlled" else "dim"),
            )
        ctrl = d.get("controlled_kg_per_kg", 0.0)
        t.add_row(
            Text("ctrl", style="bold"),
            Text(f"{ctrl:.4f}", style="bold red"),
            "",
            "",
            Text(" ".join(d.get("controlled_elements", [])) or "none", style="red"),
        )
        return t

    def _notes(self, d: dict) -> Text:
        text = Text()
        for source, n in getattr(self, "_refs", {}).items():
            text.append(f"[{n}] ", style="bold")
            text.append(source + "\n", style="dim")
        text.append("Composition ", style="bold")
        text.append(f"{d.get('composition', '')} ({d.get('composition_basis', '')})\n")
        text.append(str(d.get("composition_method", "")) + "\n", style="dim")
        text.append("Source: " + str(d.get("composition_source", "")) + "\n", style="dim")
        if d.get("notes"):
            text.append("\nNotes ", style="bold")
            text.append(str(d["notes"]) + "\n", style="dim")
        return text

    # ------------------------------------------------------------------ plot
    def _draw(self, d: dict, curves: dict) -> None:
        from ..widgets.plots import NEUTRAL, PALETTE, Plot, finite_pairs

        app = self.app
        hd = app.hd_kA_m

        def draw(plt: Any) -> None:
            c0 = curves["curves"][0]
            hmin = min(min(c["H_kA_m"]) for c in curves["curves"])
            # The load line B = Pc*mu0*(|H| - Hd) does not depend on temperature: draw it once,
            # through (-Hd, 0) and the domain's working point, out to the end of the H axis.
            h_op, b_op = c0["H_op_kA_m"], c0["B_op_T"]
            if math.isfinite(h_op) and h_op > hd:
                slope = b_op / (h_op - hd)
                plt.plot([-hd, hmin], [0.0, slope * (-hmin - hd)], color=NEUTRAL[0], marker="hd")
            for i, c in enumerate(curves["curves"]):
                color = PALETTE[i][0]
                # second quadrant only: points below B or J = 0 are not drawn
                x, y = finite_pairs(c["H_kA_m"], c["B_T"], y_min=0.0)
                plt.plot(x, y, color=color, marker="hd")
                # past HcJ the domain draws J at 0 (reversed); leave that off the axis
                x, y = finite_pairs(c["H_kA_m"], c["J_T"], y_min=1e-9)
                plt.plot(x, y, color=color, marker="hd")
            for i, c in enumerate(curves["curves"]):
                color = PALETTE[i][0]
                if math.isfinite(c["H_op_kA_m"]):
                    plt.scatter([-c["H_op_kA_m"]], [c["B_op_T"]], color=color, marker="●")
                if math.isfinite(c["knee_J_T"]):
                    plt.scatter([-c["knee_H_kA_m"]], [c["knee_J_T"]], color=color, marker="✕")
            plt.xlim(hmin * 1.02, 0)
            plt.ylim(0, c0["Br_T"] * 1.08)
            plt.xlabel("H kA/m")
            plt.ylabel("B, J  T")

        self.query_one("#curves", Plot).draw(draw)
        legend = Text()
        for i, c in enumerate(curves["curves"]):
            legend.append("━", style=PALETTE[i][1])
            legend.append(f"{c['temp_C']:.0f}°C ", style="bold")
        legend.append("J upper, B lower · ● working pt · × knee · ", style="dim")
        legend.append("━", style=NEUTRAL[1])
        legend.append(f"load Pc {app.pc:.2f} Hd {hd:.0f}", style="dim")
        self.query_one("#curves-legend", Static).update(legend)

    def _draw_loss(self, c: dict) -> None:
        """Loss against trip temperature (the domain's numbers): × the knee rating, ● now."""
        import numpy as np

        from ..widgets.plots import NEUTRAL, PALETTE, Plot, finite_pairs

        app = self.app
        temps, pct = c["temps_C"], c["loss_pct"]
        now = float(np.interp(app.temp_C, sorted(temps), [p for _, p in sorted(zip(temps, pct))]))

        def draw(plt: Any) -> None:
            x, y = finite_pairs(temps, pct)
            plt.plot(x, y, color=PALETTE[3][0], marker="hd")
            if math.isfinite(c["rating_C"]) and math.isfinite(c["loss_at_rating_pct"]):
                plt.scatter(
                    [c["rating_C"]], [c["loss_at_rating_pct"]], color=NEUTRAL[0], marker="✕"
                )
            if math.isfinite(now):
                plt.scatter([app.temp_C], [now], color=PALETTE[1][0], marker="●")
            plt.xlim(min(temps), max(temps))
            plt.ylim(0, 100)
            # ticks that each get a row of their own: where two share a row, plotext keeps
            # whichever a hash-ordered set yields last, so the label changed from run to run
            rows = self.query_one("#loss-plot", Plot).size.height - 4  # axes and label rows
            ticks = [0, 25, 50, 75, 100] if rows >= 9 else [0, 50, 100] if rows >= 3 else [0, 100]
            plt.yticks(ticks if rows >= 2 else [0])
            plt.xlabel("trip temperature °C" + (" (cold side)" if c["cold"] else ""))
            plt.ylabel("loss %")

        self.query_one("#loss-plot", Plot).draw(draw)
        legend = Text()
        legend.append("━", style=PALETTE[3][1])
        legend.append(" loss after a trip to T · ", style="dim")
        legend.append(f"× knee {_num(c['rating_C'], '{:.0f}')}°C ", style="dim")
        legend.append(f"{_num(c['loss_at_rating_pct'], '{:.1f}')}% · ", style="bold")
        legend.append(f"● {app.temp_C:.0f}°C ", style="dim")
        legend.append(f"{_num(now, '{:.1f}')}%", style="bold")
        self.query_one("#loss-legend", Static).update(legend)

    # --------------------------------------------------------------- actions
    def action_toggle_plot(self) -> None:
        """Cycle the panes: both, plot only, table only."""
        from ..widgets.plots import cycle_panes

        cycle_panes(self)

    def action_temp(self, step: float) -> None:
        self.app.set_condition(temp_C=self.app.temp_C + step)

    def action_copy(self) -> None:
        if self.detail is None:
            return
        d = self.detail
        keys = [
            "id",
            "name",
            "family",
            "route",
            "Br_T",
            "HcJ_kA_m",
            "HcB_kA_m",
            "BHmax_kJ_m3",
            "max_temp_C",
            "Dy_wt_pct",
            "Tb_wt_pct",
            "source",
        ]
        self.app.copy_to_clipboard("\n".join(f"{k}\t{d.get(k, '')}" for k in keys))
        self.notify(f"Copied the properties of {d['id']}.", title="Copied")
