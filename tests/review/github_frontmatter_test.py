"""Memory files render on GitHub: `git mem save` and `git mem edit` write front matter that a
strict YAML 1.1 reader (GitHub renders front matter as a table, and fails on invalid YAML or
tabs) reads back to exactly the strings saved, with no tab characters, quoted where needed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml


class StrictYaml11Loader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader plus the rest of YAML 1.1's booleans (y, Y, n, N),
    which PyYAML leaves out and other 1.1 readers (e.g. go-yaml v2) take for booleans."""

    bool_values: ClassVar[dict[str, bool]] = {**yaml.SafeLoader.bool_values, "y": True, "n": False}


StrictYaml11Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN")
)


def front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return text[4 : text.index("\n---\n", 3) + 1]


def load_strict(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=StrictYaml11Loader)  # a SafeLoader: no arbitrary objects
    assert isinstance(data, dict)
    c_data = yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml, as Ruby's Psych uses
    assert c_data == data
    return data


def saved_file(mem, *args: str) -> Path:
    result = mem("save", *args, "-m", "The body.")
    assert result.code == 0, result.err
    return Path(result.location)


def check_file(path: Path) -> dict[str, Any]:
    """The front matter has no tabs and no raw control characters, and reads back strictly."""
    text = front_matter(path)
    assert "\t" not in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]", text), text
    return load_strict(text)


HOSTILE = [
    "key: value",
    "- leading dash",
    "-",
    "# not a comment",
    "title # with a hash",
    '"double" quotes',
    "'single' quotes",
    "it's",
    "@mention",
    "*alias",
    "&anchor",
    "!tag",
    "!!str",
    "%directive",
    "{flow: map}",
    "[flow, seq]",
    "> folded",
    "| literal",
    "`backtick`",
    "?",
    "? question",
    ": colon",
    "a:b",
    "trailing colon:",
    "comma, separated",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Y",
    "N",
    "true",
    "False",
    "null",
    "~",
    "1.0",
    "42",
    "0x1f",
    "0o17",
    "017",
    "1e3",
    "1_000",
    "1,000",
    "-1,5.0",
    "1:20",
    ".inf",
    ".NaN",
    "2026-01-01",
    "2026-01-01T10:00:00Z",
    "=",
    "<<",
    "...",
    "---",
    "Ünïcödé — 日本語 🚀",
    "שלום עולם",
    "a\u00a0non-breaking space",
    "zero\u200bwidth",
    "\\backslash\\n",
    "x" * 3000,
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_read_back_exactly(repo: Path, mem, value: str) -> None:
    title = value[:100] + " end" if len(value) > 100 else value  # save cuts titles at 120
    title = " ".join(title.split())  # save makes a title one line of words
    path = saved_file(
        mem,
        f"--title={title}",
        f"--summary={value}",
        f"--project={value}",
        f"--tool={value}",
        f"--meta=note={value}",
    )
    data = check_file(path)
    assert data["title"] == title
    assert data["summary"] == value
    assert data["project"] == value
    assert data["tool"] == value
    # --meta reads numbers and true/false as such; everything else stays the text given.
    shown = json.loads(mem("show", "--json", data["id"]).out)
    assert data["metadata"] == shown["metadata"]
    assert shown["title"] == title and shown["summary"] == value


TAGS = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "null",
    "1.0",
    "42",
    "0x1f",
    "1e3",
    "0b101",
    "2026-01-01",
    "c++",
    "a/b",
    "v1.2.3",
    "0o17",
    "nan",
]


def test_hostile_tags_and_paths(repo: Path, mem) -> None:
    paths = [
        "src/*.py",
        "src/**/x.py",
        "#hash",
        "-dash",
        "@at",
        "yes",
        "1.0",
        "x/a: b",
        "[x]",
        "{y}",
        "!bang",
        "%pct",
        "&amp",
        "*star",
        "it's",
        '"q"',
        "ü/日本.md",
    ]
    args = [f"--tag={tag}" for tag in TAGS] + [f"--path={p}" for p in paths]
    data = check_file(saved_file(mem, "--title", "Tags", *args))
    assert data["tags"] == TAGS
    assert data["paths"] == paths


def test_tabs_and_control_characters_never_reach_the_file(repo: Path, mem) -> None:
    """A tab in a title becomes a space (titles are one line of words); elsewhere it is kept,
    escaped inside double quotes, as are control characters and line separators."""
    summary = "a\tb\x07c\x1bd\u2028e\u2029f\ufeffg\x85h\x7fi"
    path = saved_file(
        mem, "--title", "tab\there", "--summary", summary, "--meta", "k=x\ty", "--tag", "t"
    )
    data = check_file(path)
    assert data["title"] == "tab here"
    assert data["summary"] == summary
    assert data["metadata"] == {"k": "x\ty"}
    assert '\nsummary: "a\\tb' in front_matter(path)


def test_values_are_quoted_where_a_reader_would_take_them_for_something_else(
    repo: Path, mem
) -> None:
    """The exact lines GitHub shows in the diff: plain where plain is safe, quoted otherwise."""
    cases = {
        "Use PostgreSQL": "title: Use PostgreSQL",
        "yes": "title: 'yes'",
        "y": "title: 'y'",
        "N": "title: 'N'",
        "1.0": "title: '1.0'",
        "1,000": "title: '1,000'",  # Ruby's Psych (GitHub) reads 1000
        "0o17": "title: '0o17'",  # YAML 1.2 reads 15
        "2026-01-01": "title: '2026-01-01'",
        "- item": "title: '- item'",
        "# heading": "title: '# heading'",
        "@team": "title: '@team'",
        "key: value": "title: 'key: value'",
        "it's": "title: it's",
        "'quoted'": "title: '''quoted'''",
    }
    for title, line in cases.items():
        text = front_matter(saved_file(mem, f"--title={title}"))
        assert line in text.splitlines(), (title, text)


def test_edit_writes_renderable_front_matter_too(repo: Path, mem) -> None:
    path = saved_file(mem, "--title", "Plain")
    record_id = load_strict(front_matter(path))["id"]
    for field, value in [("title", "n"), ("summary", "- #x: {y}"), ("metadata.flag", "on")]:
        result = mem("edit", record_id, "--set", f"{field}={value}")
        assert result.code == 0, result.err
    # The new title renamed the file (it was named after the old one): read it where it is now.
    assert result.out == f"updated {record_id} in {path.parent / path.name.replace('plain', 'n')}\n"
    path = path.parent / path.name.replace("plain", "n")
    data = check_file(path)
    assert (data["title"], data["summary"]) == ("n", "- #x: {y}")
    assert data["metadata"] == json.loads(mem("show", "--json", record_id).out)["metadata"]
    assert data["updated"]  # a timestamp YAML reads as one: GitHub shows it as a date
