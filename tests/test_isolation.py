"""The domain never loads Textual: each module is imported in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN = [
    "magnets",
    "magnets.data.library",
    "magnets.data.chemistry",
    "magnets.data.controls",
    "magnets.data.catalog",
    "magnets.io",
    "magnets.units",
    "magnets.errors",
    "magnets.cli.entry",
]
OPTIONAL = [
    "magnets.physics.thermal",
    "magnets.physics.coercivity",
    "magnets.substitution",
    "magnets.physics.calibration",
    "magnets.bom.evaluate",
    "magnets.fleet.model",
]


@pytest.mark.parametrize("module", DOMAIN + OPTIONAL)
def test_module_does_not_import_textual(module):
    code = (
        "import importlib, importlib.util, sys\n"
        f"name = {module!r}\n"
        "if importlib.util.find_spec(name) is None: sys.exit(0)\n"
        "importlib.import_module(name)\n"
        "bad = [m for m in ('textual', 'rich', 'magnets.tui') if m in sys.modules]\n"
        "sys.exit(', '.join(bad) if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_cli_parser_does_not_import_textual_or_pandas():
    code = (
        "import sys\nfrom magnets.cli import build_parser\nbuild_parser()\n"
        "bad = [m for m in ('textual', 'pandas', 'pymatgen') if m in sys.modules]\n"
        "sys.exit(', '.join(bad) if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
