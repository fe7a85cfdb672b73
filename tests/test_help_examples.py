"""Issue 12, item 8: every example in every `--help` text and in the README runs against the
built-in library and exits 0 (two help examples used to fail: `show YXG28`,
`substitute ARN-N42H`)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from magnets.cli import main
from magnets.cli.entry import EPILOG, build_parser

ROOT = Path(__file__).resolve().parents[1]

#: Examples not run, and why. The TUI needs a terminal (tests/tui drives it); the others name
#: a file the reader is meant to supply (the placeholder in the text says so).
SKIP = (
    (re.compile(r"^magnets$"), "opens the TUI"),
    (re.compile(r"^magnets tui\b"), "opens the TUI"),
    (re.compile(r"\bparts\.(csv|xlsx)\b"), "placeholder for the reader's own BOM"),
    (re.compile(r"(?<![/\w])(my_)?fleet\.toml\b"), "placeholder for the reader's own fleet"),
    (re.compile(r"~/"), "placeholder for the reader's own library folder"),
)


def _command(line: str) -> str:
    """The command of an example line: no trailing description or comment, no redirection."""
    text = line.strip().split(" #")[0]
    text = re.split(r"\s{2,}", text)[0]
    return re.sub(r"\s*>\s*\S+", "", text).strip()


def _help_examples() -> list[tuple[str, str]]:
    _, modules = build_parser()
    texts = {"magnets --help": EPILOG}
    texts |= {f"magnets {n} --help": m.DESCRIPTION or "" for n, m in modules.items()}
    found = []
    for where, text in texts.items():
        after = text.split("examples:", 1)[1] if "examples:" in text else ""
        for line in after.splitlines():
            if line.strip().startswith("magnets"):
                found.append((where, _command(line)))
    return found


def _readme_examples() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    return [
        ("README.md", _command(line))
        for block in blocks
        for line in block.splitlines()
        if re.match(r"^magnets(\s|$)", line.strip())
    ]


EXAMPLES = _help_examples() + _readme_examples()


def _skip_reason(cmd: str) -> str | None:
    return next((why for pattern, why in SKIP if pattern.search(cmd)), None)


def test_examples_were_found():
    # every command's help has examples, and the README's quick tour is read too
    wheres = {w for w, _ in EXAMPLES}
    assert "README.md" in wheres and "magnets bom --help" in wheres and len(EXAMPLES) > 40
    assert sum(_skip_reason(c) is None for _, c in EXAMPLES) > 30


@pytest.mark.parametrize(("where", "cmd"), EXAMPLES, ids=[f"{w}: {c}" for w, c in EXAMPLES])
def test_every_documented_example_runs(where, cmd, tmp_path, monkeypatch, capsys):
    why = _skip_reason(cmd)
    if why:
        pytest.skip(why)
    monkeypatch.chdir(tmp_path)  # outputs such as -o evaluated.csv land here
    argv = [str(ROOT / a) if a.startswith("materials/") else a for a in shlex.split(cmd)[1:]]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, f"{where}: `{cmd}` exited {code}: {err}"
    assert "Traceback" not in err
