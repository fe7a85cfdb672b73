"""Sources stay inside the repository: every `[key]` is defined in materials/SOURCES.md, and no
text names a file that the repository does not hold (an engineer must be able to audit a number
from a checkout alone)."""

from __future__ import annotations

import io
import posixpath
import re
import subprocess
import tokenize
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "materials" / "SOURCES.md"
THIS = "tests/test_sources.py"

#: a source key as cited: lowercase, words joined by '-' or '.', in square brackets; not an index
#: (``x[i]``), a nested bracket, a Markdown link (``[text](url)``) or an extra (``.[test]``)
CITATION = re.compile(r"(?<![\w\].)\[])\[([a-z][a-z0-9]*(?:[-.][a-z0-9]+)*)\](?!\()")
#: a path with a folder (``docs/fleet.md``, ``../x/y.csv``) or an upper-case Markdown file name
PATH = re.compile(
    r"(?<![\w/.\-~$])((?:\.{1,2}/)*(?:[\w.-]+/)+[\w.*-]+\.[A-Za-z][A-Za-z0-9]{0,7})(?![\w/])"
)
DOC_NAME = re.compile(r"(?<![\w/.-])([A-Z][A-Z0-9_]*\.md)\b")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+|\bdoi:\S+")
#: the project's notes outside the repository (by name, also without the suffix: "F... section 8"),
#: spelled in pieces so that this file does not mention them itself
OUTSIDE = re.compile(
    r"\b"
    + "FACTS"
    + r"\b|\b"
    + "DESIGN"
    + r"\.md\b|"
    + "shared"
    + "/reference|"
    + r"\.\./"
    + "shared"
)
TEXT_SUFFIXES = {
    ".md",
    ".csv",
    ".toml",
    ".py",
    ".tcss",
    ".txt",
    ".cfg",
    ".ini",
    ".yml",
    ".yaml",
    "",
}


@lru_cache(maxsize=1)
def repo_files() -> tuple[str, ...]:
    """Files of the checkout (git's list where available, else a walk without build output)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        files = [f for f in out.splitlines() if f and (REPO / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
        files = [
            p.relative_to(REPO).as_posix()
            for p in REPO.rglob("*")
            if p.is_file() and not (skip & set(p.parts)) and ".egg-info" not in p.as_posix()
        ]
    return tuple(sorted(files))


def text_files() -> list[str]:
    return [
        f
        for f in repo_files()
        if Path(f).suffix in TEXT_SUFFIXES and not f.startswith("tests/tui/__snapshots__")
    ]


def defined_keys() -> dict[str, int]:
    """Source ids of SOURCES.md's tables -> how many rows define each."""
    counts: dict[str, int] = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| ([a-z0-9][a-z0-9.-]*) \|", line)
        if m and m.group(1) != "id":
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def searchable(path: str) -> str:
    """The text in which citations count: comments and strings for Python, TOML without its table
    headers, everything for data and docs."""
    text = (REPO / path).read_text(encoding="utf-8")
    if path.endswith(".py"):
        parts = []
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING) or tok.type == getattr(
                tokenize, "FSTRING_MIDDLE", -1
            ):
                parts.append(tok.string)
        return "\n".join(parts)
    if path.endswith((".toml", ".md")):  # TOML table headers, also in docs' examples
        return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("["))
    return text


def cited_files() -> list[str]:
    """Files whose citations must resolve: materials/, docs/ and code."""
    return [
        f
        for f in text_files()
        if f.startswith(("materials/", "docs/"))
        or (f.endswith(".py") and f.startswith(("magnets/", "tui/", "scripts/", "benchmarks/")))
    ]


def undefined_citations(files: list[str], keys: set[str], read=searchable) -> list[str]:
    bad = []
    for f in files:
        for m in CITATION.finditer(read(f)):
            key = m.group(1)
            # in code only keys that look like keys (a '-' or a digit): `[b]` is Rich markup
            if f.endswith(".py") and not re.search(r"[-\d]", key):
                continue
            if key not in keys:
                bad.append(f"{f}: [{key}] is not defined in materials/SOURCES.md")
    return bad


def resolves(token: str, where: str, files: set[str]) -> bool:
    """Whether a path mentioned in file ``where`` names a file or folder of the repository."""
    if any(c in token for c in "*{}<>"):  # a pattern, not a file
        return True
    folders = {posixpath.dirname(f) for f in files}
    for cand in (
        posixpath.normpath(token),
        posixpath.normpath(posixpath.join(posixpath.dirname(where), token)),
    ):
        if cand.startswith(".."):
            continue
        if cand in files or cand in folders or any(d.startswith(cand + "/") for d in folders):
            return True
    tail = token.lstrip("./")
    return not token.startswith("..") and any(f.endswith("/" + tail) for f in files)


def missing_files(paths: list[str], files: set[str], root: Path = REPO) -> list[str]:
    bad = []
    for f in paths:
        raw = (root / f).read_bytes()
        for n, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
            bad += [
                f"{f}:{n}: names {m.group(0)!r}, which is outside the repository"
                for m in OUTSIDE.finditer(line)
            ]
            line = URL.sub(" ", line)
            for m in [*PATH.finditer(line), *DOC_NAME.finditer(line)]:
                if not resolves(m.group(1), f, files):
                    bad.append(f"{f}:{n}: names {m.group(1)!r}, which is not in the repository")
    return bad


def test_sources_md_defines_each_key_once_with_title_publisher_year_url():
    keys = defined_keys()
    assert len(keys) > 80  # the library's sources (grades, papers, supply, controls, fleet)
    assert [k for k, n in keys.items() if n > 1] == []
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\| ([a-z0-9][a-z0-9.-]*) \|", line) and not line.startswith("| id "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            # id, title, publisher, year, URL (or 'not recorded'), what was taken
            assert len(cells) == 6 and all(cells), line


def test_every_citation_is_defined_in_sources_md():
    files = cited_files()
    assert "materials/supply.csv" in files and "docs/fleet.md" in files
    assert undefined_citations(files, set(defined_keys())) == []


#: files being rewritten for issue 10 items 1-2 (composition model) at the time this test was
#: written; they cite the notes by section. TEMPORARY: this set must be empty at the end of issue 10.
PENDING: set[str] = set()


def test_no_text_names_a_file_outside_the_repository():
    files = set(repo_files())
    paths = [f for f in text_files() if f != THIS and f not in PENDING]
    assert missing_files(paths, files) == []


# ------------------------------------------------------------------ the checks themselves can fail


def test_undefined_key_is_reported():
    text = "Dy 3-10 wt% [nikkei2012]; HcJ [no-such-key-2099]; x[i], [link](u), .[test]"
    assert undefined_citations(["materials/x.csv"], {"nikkei2012"}, read=lambda f: text) == [
        "materials/x.csv: [no-such-key-2099] is not defined in materials/SOURCES.md"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "class midpoints (" + "FACTS" + ".md 1.2)",
        "mass per unit (" + "FACTS" + " section 8)",
        "see " + ".." + "/shared/reference/x.csv",
        "as in docs/no_such_page.md",
    ],
)
def test_mention_of_a_missing_file_is_reported(tmp_path, text):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(f"{text}\nsee docs/a.md\n", encoding="utf-8")
    bad = missing_files(["docs/a.md"], {"docs/a.md"}, root=tmp_path)
    assert bad and all(b.startswith("docs/a.md:1:") for b in bad), bad
