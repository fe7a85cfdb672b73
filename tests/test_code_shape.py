"""Size limits of the developers' guide, enforced (ruff has no rule for either).

No module in ``magnets/`` is over 500 lines, and no function or method (``def`` or
``async def``, nested ones included) in ``magnets/`` or ``tui/`` is over 80 lines. The
guide's aims are 400 and 60; these are the hard limits.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _module_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _long_functions(source: str, limit: int) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of each function longer than ``limit`` lines.

    The length runs from the ``def`` line to the function's last line (decorators not
    counted; docstring, comments and blank lines inside it counted).
    """
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}."
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert child.end_lineno is not None
                length = child.end_lineno - child.lineno + 1
                if length > limit:
                    found.append((name[:-1], child.lineno, length))
            visit(child, name)

    visit(ast.parse(source), "")
    return found


def test_the_walk_sees_both_packages():
    # An empty walk would let the limits below pass without looking at anything.
    names = {p.relative_to(ROOT).as_posix() for p in _python_files("magnets", "tui")}
    assert "magnets/errors.py" in names
    assert "tui/app.py" in names


def test_the_measure_counts_a_method_from_def_to_last_line():
    # A method of 82 lines (def + 81 body lines) nested in a class, and a short function.
    body = "".join(f"        x{i} = {i}\n" for i in range(81))
    source = f"class A:\n    @staticmethod\n    def big():\n{body}\ndef small():\n    pass\n"
    assert _long_functions(source, 80) == [("A.big", 3, 82)]
    assert _long_functions(source, 82) == []


def test_no_module_over_the_limit():
    too_long = [
        f"{p.relative_to(ROOT).as_posix()}: {n} lines"
        for p in _python_files("magnets")
        if (n := _module_lines(p)) > MAX_MODULE_LINES
    ]
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by idea):\n" + (
        "\n".join(too_long)
    )


def test_no_function_over_the_limit():
    too_long = [
        f"{p.relative_to(ROOT).as_posix()}:{line} {name}: {n} lines"
        for p in _python_files("magnets", "tui")
        for name, line, n in _long_functions(p.read_text(encoding="utf-8"), MAX_FUNCTION_LINES)
    ]
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines (split them):\n" + (
        "\n".join(too_long)
    )
