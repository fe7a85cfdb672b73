"""Write the README screenshots: docs/screenshot-<screen>.svg and .png.

    python scripts/screenshots.py [--size 120x36] [--date 2026-06-01] [--no-png]

Builds the app with ``make_app`` (as the CLI does), waits for the library and each
screen's worker, and saves every top-level screen with ``app.save_screenshot()``. PNGs are
converted from the SVGs with ``rsvg-convert`` (librsvg2-bin) when it is installed.
The as-of date is fixed so the export-control marks do not change from run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: name -> keys pressed before the screenshot (after the library has loaded)
SHOTS = {
    "library": [],
    "grade": [],  # opened by id below
    "tradeoff": ["2"],  # 150 degC: the reference's family (NdFeB), ranked by Dy+Tb
    "bom": ["3", "a"],
    "fleet": ["4"],
    "help": ["question_mark"],
    # HL-G52SH (Dy diffused) beside HL-G50SHT (Tb diffused)
    "compare": ["slash", *"hl-g5", "enter", "down", "space", "down", "down", "space", "c"],
}


async def shoot(name: str, keys: list[str], size: tuple[int, int], date: dt.date) -> Path:
    from magnets.tui.app import make_app
    from magnets.tui.pilot import ready

    app = make_app(date=date)
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        if name == "grade":
            app.open_grade("HL-G48UHT")  # a Tb-diffused grade: the curves of a GBD magnet
            await ready(app, pilot)
        for key in keys:  # one at a time: a key may start a worker the next one needs
            await pilot.press(key)
            await ready(app, pilot)
        app.clear_notifications()
        await pilot.pause()
        path = DOCS / f"screenshot-{name}.svg"
        app.save_screenshot(filename=path.name, path=str(DOCS))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="120x36", help="terminal size WxH (default 120x36)")
    parser.add_argument(
        "--date",
        default="2026-06-01",
        type=dt.date.fromisoformat,
        help="as-of date for export-control flags (default 2026-06-01)",
    )
    parser.add_argument("--no-png", action="store_true", help="write the SVGs only")
    parser.add_argument(
        "screens", nargs="*", default=list(SHOTS), help="screens to shoot (default: all)"
    )
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    DOCS.mkdir(exist_ok=True)
    rsvg = None if args.no_png else shutil.which("rsvg-convert")
    if not args.no_png and rsvg is None:
        print(
            "rsvg-convert not found (apt-get install librsvg2-bin): writing SVGs only",
            file=sys.stderr,
        )
    for name in args.screens:
        svg = asyncio.run(shoot(name, SHOTS[name], (w, h), args.date))
        print(svg.relative_to(ROOT))
        if rsvg:
            png = svg.with_suffix(".png")
            # rsvg-convert drops the runs of leading spaces Textual writes (right-aligned
            # numbers would shift left) unless the SVG says to preserve white space
            text = svg.read_text()
            if 'xml:space="preserve"' not in text:
                svg.write_text(text.replace("<svg ", '<svg xml:space="preserve" ', 1))
            subprocess.run([rsvg, "-w", str(w * 12), str(svg), "-o", str(png)], check=True)
            print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
