"""Fuzzing the readers of untrusted text (issue 15): the front-matter parser, the note-stream
parser and the conversation importers get generated hostile text (YAML anchors, aliases, tags,
merge keys, deep nesting, control characters, broken JSON, deep JSON) and must answer with a
record, a `RecordError` naming where, or a reported problem: never another exception, and
never more memory than a bound far above what a legitimate record of that size needs.

Time is bounded by what the limits refuse (tests/store/limits_test.py measures the alias bomb);
here a bomb built from the fragments must be refused, not expanded.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gitmem.errors import RecordError
from gitmem.sessions import import_formats
from gitmem.sessions.json_bounds import MAX_JSON_DEPTH
from gitmem.store.front_matter import parse_file
from gitmem.store.note_stream import parse_note

pytestmark = pytest.mark.slow

HEAD = "---\nid: abcd00001234\ntype: fact\ntitle: T\ncreated: 2026-01-01T00:00:00+00:00\n"
YAML_BITS = [
    "---\n", "...\n", "\n", "  ", "- ", ": ", "? ", "[", "]", "{", "}", ",", "&a ", "*a", "&b ",
    "*b", "<<: *a\n", "!!python/object:os.system ", "!!binary ", "!tag ", "|\n", ">\n", '"',
    "'", "\\x41", "\\u202e", "#", "%YAML 1.1\n", "a: ", "b: [*a, *a, *a]\n", "id: ", "tags: ",
    "body: |\n  ", "\x1b[31m", "\x00", "\u202e", "\ufeff", "9" * 30, "0x1f", "2026-01-01",
    "title: ", "created: ", "type: fact\n", "links: [", "metadata: {", "\r\n", "\t",
]  # fmt: skip
JSON_BITS = [
    "{", "}", "[", "]", ",", ":", '"role"', '"content"', '"user"', '"text"', '"type"',
    '"tool_use"', '"input"', '"sessionId"', '"message"', '"mapping"', '"parent"', "null", "1e999",
    "-0", "true", '"\\ud800"', '"\\u0000"', "\n", " ", "[" * 200, "]" * 200, '"x"',
]  # fmt: skip

MEMORY_BOUND = 64 * 1024 * 1024  # bytes a parse of one generated text may allocate at peak


def hostile(bits: list[str], max_size: int = 60) -> st.SearchStrategy[str]:
    fragments = st.lists(st.sampled_from(bits) | st.text(max_size=8), max_size=max_size)
    return fragments.map("".join)


def bounded(parse: Callable[[], Any]) -> Any:
    """Run `parse` and check its peak allocation stays under MEMORY_BOUND."""
    tracemalloc.start()
    try:
        return parse()
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < MEMORY_BOUND, f"peak {peak} bytes"


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(hostile(YAML_BITS))
@example("&a [1]\n")
@example("---\na: &a [x, x]\nb: [*a, *a]\n---\n\nbody\n")
@example("---\n" + "a: " + "[" * 999 + "]" * 999 + "\n---\n\nbody\n")
def test_front_matter_never_raises_anything_but_a_record_error(tail: str) -> None:
    for text in (tail, HEAD + tail, HEAD + tail + "\n---\n\nbody\n", "---\n" + tail + "\n---\n"):
        try:
            bounded(lambda text=text: parse_file(text, ".memory/facts/x.md", ["fact"]))
        except RecordError as error:
            assert error.source == ".memory/facts/x.md"
            assert len(str(error).splitlines()) <= 1, str(error)  # one line for the user


@SETTINGS
@given(hostile(YAML_BITS))
@example("---\nid: abcd00001234\na: &x [1]\nb: *x\n")
@example("---\nid: x\nmeta: " + "[" * 2000 + "]" * 2000 + "\n")
def test_note_stream_never_raises_and_gives_back_its_text(tail: str) -> None:
    for text in (tail, HEAD + tail, HEAD + "body: |\n  text\n" + tail):
        chunks = bounded(
            lambda text=text: parse_note(text, "note:" + "a" * 40, "2026-01-01T00:00:00+00:00")
        )
        assert "".join(chunk.text for chunk in chunks) == text


def test_an_alias_bomb_built_from_the_fragments_is_refused() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    text = HEAD + "\n".join(levels) + "\n---\n\nbody\n"
    with pytest.raises(RecordError, match="YAML anchors are not allowed"):
        bounded(lambda: parse_file(text, ".memory/facts/bomb.md", ["fact"]))
    note = HEAD + "\n".join(levels) + "\n"
    chunks = bounded(lambda: parse_note(note, "note:" + "b" * 40, "2026-01-01T00:00:00+00:00"))
    assert [chunk.memory for chunk in chunks] == [None]


def _import(kind: str, data: bytes, tmp: Path) -> import_formats.Findings:
    report = import_formats.Findings()
    path = tmp / "x.json"
    lines = data.splitlines()
    if kind == "json":
        import_formats.generic_json(path, data, "d" * 12, report)
    elif kind == "jsonl":
        import_formats.generic_jsonl(path, lines, "d" * 12, report, lambda n: None)
    else:
        import_formats.claude_code(path, lines, report, lambda n: None)
    return report


@SETTINGS
@given(hostile(JSON_BITS, max_size=80), st.sampled_from(["json", "jsonl", "claude-code"]))
@example('[{"role": "user", "content": ' + "[" * 5000 + "]" * 5000 + "}]", "json")
@example('{"role": "user", "content": ' + "[" * 5000 + "]" * 5000 + "}", "jsonl")
@example('{"type": "user", "sessionId": "s", "message": {"content": [{"type": "tool_use", '
         '"input": ' + "[" * 900 + "]" * 900 + "}]}}", "claude-code")  # fmt: skip
def test_importers_never_raise(
    tmp_path_factory: pytest.TempPathFactory, text: str, kind: str
) -> None:
    tmp = tmp_path_factory.getbasetemp()
    report = bounded(lambda: _import(kind, text.encode("utf-8", "surrogatepass"), tmp))
    for problem in report.problems:
        assert problem.startswith(str(tmp / "x.json")), problem


def test_a_deep_message_is_named_as_too_deep(tmp_path: Path) -> None:
    deep = '{"role": "user", "content": ' + "[" * 5000 + "]" * 5000 + "}"
    report = _import(
        "jsonl", (deep + "\n" + json.dumps({"role": "user", "content": "ok"})).encode(), tmp_path
    )
    assert report.problems == [
        f"{tmp_path / 'x.json'}:1: nested deeper than {MAX_JSON_DEPTH} levels"
    ]
