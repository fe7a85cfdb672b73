"""Packaging: every Python folder is installed, under the magnets namespace only."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = conf["package-dir"]
    listed = set(conf["packages"])
    assert all(name == "magnets" or name.startswith("magnets.") for name in listed)
    found = set()
    for pkg, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([pkg, *rel.parts]))
    assert found <= listed, f"not installed: {sorted(found - listed)}"


def test_console_script_points_at_cli():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert conf["project"]["scripts"]["magnets"] == "magnets.cli:main"


def test_data_found_through_the_package():
    from importlib import resources

    root = resources.files("magnets.materials")
    assert (root / "families.csv").is_file()
    assert any(p.name.endswith(".csv") for p in (root / "grades").iterdir())
