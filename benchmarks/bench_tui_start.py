"""Time to first paint of `magnets tui` (target: under 1.5 s on a 2-core machine).

    python benchmarks/bench_tui_start.py [--runs 5]

Each run starts a fresh Python process (so imports are paid as a user pays them), builds the
app with ``make_app`` and runs it headless. It reports, from process launch:

* first paint: the first frame of the Library screen (header, filter bar, table frame,
  footer) handed to the terminal driver; the library is still loading in a worker thread;
* library shown: the grade table filled (library loaded, every grade rated).

The median of the runs is printed with the minimum and maximum. A second part times one
update of the trade-off screen at 160x48 in process: the domain calls, the table refill,
the plot build and the table's visible rows rendered (target: under 100 ms).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CHILD = r"""
import json, sys, time
t_import = time.perf_counter()
from magnets.tui.app import make_app
import datetime as dt
t_imported = time.perf_counter()
marks = {}

async def auto_pilot(pilot):
    app = pilot.app
    table = app.screen.query_one("#grades")
    while table.row_count == 0 and app.load_error is None:
        await pilot.pause(0.05)
    assert table.row_count > 0, f"library table is empty: {app.load_error}"
    marks["library_shown"] = time.perf_counter()
    marks["rows"] = table.row_count
    app.exit()

app = make_app(date=dt.date(2026, 6, 1))
_display = app._display


def first_frame(screen, renderable):
    # the first frame Textual hands to the driver (what a terminal would draw)
    if renderable is not None and "first_paint" not in marks and screen.query("#grades"):
        marks["first_paint"] = time.perf_counter()
    return _display(screen, renderable)


app._display = first_frame
app.run(headless=True, auto_pilot=auto_pilot, size=(120, 36))
print(json.dumps({"import_s": t_imported - t_import, "first_paint": marks["first_paint"],
                  "library_shown": marks["library_shown"], "rows": marks["rows"]}))
"""


def one_run() -> dict:
    start = time.perf_counter()
    # CLOCK_MONOTONIC is shared between processes on Linux, so the child's perf_counter
    # marks can be compared with the parent's launch time.
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "first_paint_s": data["first_paint"] - start,
        "library_shown_s": data["library_shown"] - start,
        "import_s": data["import_s"],
        "rows": data["rows"],
    }


async def tradeoff_updates(n: int = 10) -> list[float]:
    """Milliseconds per trade-off update (temperature +5 degC), paint work included."""
    import datetime as dt

    from magnets.tui.app import make_app

    app = make_app(date=dt.date(2026, 6, 1))
    times = []
    async with app.run_test(size=(160, 48)) as pilot:
        while app.session is None and app.load_error is None:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.press("2")
        await pilot.pause()
        screen = app.screen
        plot = screen.query_one("#scatter")
        table = screen.query_one("#ranked")
        for _ in range(n):
            start = time.perf_counter()
            app.set_reactive(type(app).temp_C, app.temp_C + 5)
            screen.recompute()
            plot.render()
            table._clear_caches()
            for y in range(table.size.height):
                table.render_line(y)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    one_run()  # warm the OS file cache and .pyc files
    runs = [one_run() for _ in range(args.runs)]
    for key, label in (
        ("first_paint_s", "first paint"),
        ("library_shown_s", "library shown"),
        ("import_s", "import magnets.tui.app"),
    ):
        values = [r[key] for r in runs]
        print(
            f"{label:24s} median {statistics.median(values):.3f} s  "
            f"(min {min(values):.3f}, max {max(values):.3f}, {len(values)} runs)"
        )
    target = 1.5
    med = statistics.median(r["first_paint_s"] for r in runs)
    print(
        f"first paint / target     {med / target:.2f} of {target} s; {runs[0]['rows']} grades shown"
    )
    import asyncio

    times = asyncio.run(tradeoff_updates())
    print(
        f"trade-off update 160x48  median {statistics.median(times):.0f} ms "
        f"(min {min(times):.0f}, max {max(times):.0f}, {len(times)} updates; target 100 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
