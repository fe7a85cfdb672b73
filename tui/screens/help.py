"""Help (``?`` or ``f1``): what each screen does, the keys, the units, the model's assumptions."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

# A backslash at the end of a line joins it to the next: a Markdown table row is one line.
HELP_TEXT = """\
# magnets: help

## Screens
| key | screen | what it shows |
|---|---|---|
| `1` | **Library** | every grade: Br, HcJ, BHmax, catalogue rating, rating at the current Pc/Hd, \
Dy/Tb/Sm/Gd wt%, export-controlled content. `enter` opens a grade. |
| | **Grade** | every property with its source and basis, element content per kg (metal and \
oxide), export-control flags as of the date, B-H and J-H curves at 20 °C and at the working \
temperature with the load line and the knee. |
| `2` | **Trade-off** | the grades that hold at the required temperature, Pc and Hd, ranked by \
Dy+Tb, export-controlled content or price, with the mass factor at equal flux; a plot of rated \
temperature against Dy+Tb, the Pareto front and the route curves. |
| `3` | **BOM** | a bill of materials evaluated line by line: status, margin, kg of each element, \
a leaner substitute per line (toggle it with `space`), totals. |
| `4` | **Fleet** | primary demand per element and year for a fleet of motors, per scenario, \
against world production. |

## Keys
| key | action |
|---|---|
| `1`-`4` | switch screen (not while typing in a field) |
| `/` | focus the filter, the trade-off fields or the file field |
| `esc` | back to the table (or close this help / the grade) |
| `enter` | open the grade under the cursor (library, trade-off, BOM) |
| `<` `>` `r` | sort by the previous / next column, reverse |
| `y` | copy the row under the cursor |
| `x` | library: clear the filters; BOM and fleet: open the bundled example |
| `+` `-` | working temperature ±5 °C (trade-off and grade, no field focused) |
| `[` `]` | Pc −/+ 0.1 (trade-off, no field focused) |
| `p` | cycle the panes: both, plot only, table only |
| `space` / `a` | BOM: use or drop the substitute of this line / of every line |
| `n` | fleet: next element |
| `e` / `E` | BOM and fleet: export what is shown as CSV / XLSX |
| `ctrl+t` | light / dark theme (`ctrl+p`: every command and theme) |
| `ctrl+q` | quit |

## Units
Br and B in T; HcJ, HcB, H and Hd in kA/m (1 kOe = 79.577 kA/m); BHmax in kJ/m³
(1 MGOe = 7.958 kJ/m³); temperatures in °C; element content in wt% or kg per kg of magnet;
BOM masses in kg; fleet demand in tonnes per year.

## Model, in a few lines
- Br and HcJ fall linearly with temperature from the datasheet values at T0 (alpha, beta in %/K).
  Where a grade's beta is not published it comes from a fit of beta against HcJ0 and route.
- The magnet works where its recoil line meets the load line of permeance coefficient **Pc**,
  shifted by the applied field **Hd**: |H_op| = (Br/μ0 + Pc·Hd)/(Pc + μrec).
  The magnet sees Pc/(Pc+μrec) of Hd: an FEA field *inside* the magnet is |H_op|, not Hd.
- **Rated temperature**: the hottest T with |H_op| at or below the knee Hk = s·HcJ(T), capped
  by the Curie temperature and the family's structural limit. Ratings use minimum HcJ.
- The default Pc is calibrated once so that the catalogue ratings are reproduced; it is not tuned \
per grade.
- **Mass factor**: the magnet mass a candidate needs for the same flux as the reference
  (ratio of working-point B at temperature, times the density ratio). A bigger magnet changes Pc.
  Trade-off figures in g/kg are per kg of the reference magnet, at equal flux.
- Export-control flags follow the dated rule table as of the chosen date; "unknown" ranks worse \
than "controlled".
"""


class HelpScreen(ModalScreen[None]):
    """Modal help; any of esc, q, ? or f1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP_TEXT)
        yield Static("[b]esc[/] close   [b]↑↓ pgup pgdn[/] scroll", id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
