"""The domain never loads the faces' libraries: every module of ``magnets`` (found by
walking the package, not listed by hand) is imported alone in a fresh interpreter.

Rules (the domain never imports textual or rich): no module loads textual or the TUI;
outside ``magnets.cli`` no module loads rich either (the command line may use rich,
lazily). The import graph is also checked statically by ``lint-imports``; the AST
test below covers the one edge import-linter cannot see (imports of the installed name
``magnets.tui``, which grimp does not find inside ``magnets/``).
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import magnets


def _domain_modules() -> list[str]:
    """Every module and package under ``magnets/``: the TUI and the data files excluded
    (should an install place them inside the package directory), and ``__main__``, which
    runs the program when imported (``python -m magnets``), not a module to import."""
    names = ["magnets"]
    for info in pkgutil.walk_packages(magnets.__path__, prefix="magnets."):
        if info.name.startswith(("magnets.tui", "magnets.materials")):
            continue
        if info.name.rpartition(".")[2] == "__main__":
            continue
        names.append(info.name)
    return sorted(names)


DOMAIN = _domain_modules()
CLI = "magnets.cli"


def _is_cli(name: str) -> bool:
    return name == CLI or name.startswith(CLI + ".")


def test_walk_finds_every_layer():
    # A walk that silently found nothing would make the tests below pass vacuously: the
    # modules named here are one per package of the layout.
    for name in (
        "magnets.errors",
        "magnets.units",
        "magnets.io",
        "magnets.data.library",
        "magnets.physics.thermal",
        "magnets.substitution",
        "magnets.bom.read",
        "magnets.fleet.model",
        "magnets.cli.entry",
        "magnets.cli.tui",
    ):
        assert name in DOMAIN, name


@pytest.mark.parametrize("module", DOMAIN)
def test_module_does_not_load_the_ui(module):
    banned = ["textual", "magnets.tui"] + ([] if _is_cli(module) else ["rich"])
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"bad = [m for m in {banned!r} if m in sys.modules]\n"
        "sys.exit('loaded ' + ', '.join(bad) if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout


def _imported_names(path: Path, module: str) -> set[str]:
    """Absolute names of every import in ``path`` (function-local ones included)."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = importlib.util.resolve_name("." * node.level + base, package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_only_the_command_line_imports_the_tui():
    # The walk's modules are files of the source tree; only magnets.cli may name the TUI.
    offenders = {}
    for module in DOMAIN:
        if _is_cli(module):
            continue
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, module
        tui = {
            n
            for n in _imported_names(Path(spec.origin), module)
            if n == "magnets.tui" or n.startswith("magnets.tui.")
        }
        if tui:
            offenders[module] = sorted(tui)
    assert offenders == {}


def test_the_ast_check_sees_a_function_local_tui_import(tmp_path):
    # The check above must catch the lazy form the CLI uses (an import inside a function).
    path = tmp_path / "mod.py"
    path.write_text("def run():\n    from ..tui.app import make_app\n    return make_app\n")
    assert "magnets.tui.app" in _imported_names(path, "magnets.physics.mod")


def test_cli_parser_does_not_import_textual_or_pandas():
    code = (
        "import sys\nfrom magnets.cli import build_parser\nbuild_parser()\n"
        "bad = [m for m in ('textual', 'pandas', 'pymatgen') if m in sys.modules]\n"
        "sys.exit(', '.join(bad) if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
