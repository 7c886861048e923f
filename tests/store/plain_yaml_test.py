"""store.plain_yaml: the canonical form gitmem writes, read without PyYAML, must read exactly as
PyYAML reads it (front_matter._read_yaml), and anything else must be left to PyYAML: hostile or
odd front matter takes the fallback, with PyYAML's errors (file, line, field) unchanged.

tests/store/record_test.py checks the same on records generated with every field; here: the
resolvers against PyYAML's own, hand-picked odd texts, generated hostile ones, literal blocks,
and that `show` of a record gitmem wrote imports no PyYAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from importtime import gitmem_loads

from gitmem.errors import RecordError
from gitmem.store import plain_yaml
from gitmem.store.front_matter import _read_yaml, parse_file
from gitmem.store.note_stream import parse_note

HEAD = "id: abcd00001234\ntype: fact\ntitle: T\ncreated: 2026-01-01T00:00:00+00:00\n"
SOURCE = ".memory/facts/x.md"


def exactly(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (a str is not a date, 1 is not True)."""
    if type(a) is not type(b) or a != b:
        return False
    if isinstance(a, list):
        return all(exactly(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return all(exactly(a[key], b[key]) for key in a)
    return True


def agrees(text: str, body_key: bool) -> bool:
    """Check that the fast reader, when it reads `text`, reads it as PyYAML does; True when
    it read it, False when it left it to PyYAML."""
    fast = plain_yaml.read(text, body_key)
    if fast is None:
        return False
    slow, keep_raw = _read_yaml(text, SOURCE, 2, body_key, "front matter")  # must not raise
    assert keep_raw
    assert [(key, line) for key, line, _ in fast] == [(key, line) for key, line, _ in slow]
    for (key, _, mine), (_, _, theirs) in zip(fast, slow, strict=True):
        assert exactly(mine, theirs), (key, mine, theirs)
    return True


def pyyaml_resolves_to_string(plain: str) -> bool:
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, plain, (True, False))
    return bool(tag == "tag:yaml.org,2002:str")


PLAIN_SAMPLES = [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "on", "Off",
    "y", "n", "true", "False", "TRUE", "tru", "1", "-1", "+1", "0", "017", "018", "0o17",
    "0x1f", "0x_", "0b101", "0b", "1_000", "1:30", "190:20:30", "1.5", "1.", ".5", "1e3",
    "1.0e+3", "1.0e3", ".inf", "-.inf", "+.Inf", ".nan", ".NaN", ".n", "2026-11-20",
    "2026-1-2", "2026-11-20T14:03:11+00:00", "2026-11-20 14:03:11", "2026-11-20t14:03:11Z",
    "2026-11-20T14:03:11.5 -5", "20261120", "<<", "<", "=", "==", "0039p2s9nfcb",
    "zhcpze7efyax", "123456789012", "1234567e8901", "Not on will use", "No way", "-",
    ".env", "+", "1:3x", "2026-13-45", "!", "&", "*", "2026-01-02T03:04:05+06:00",
    "2026-1-2T3:04:05",
    "2026-01-02 03:04:05.123 Z", "2026-01-02T03:04:05-6", "2026-01-02t03:04:05+06:00x",
]  # fmt: skip


@pytest.mark.parametrize("plain", PLAIN_SAMPLES)
def test_resolvers_are_pyyamls(plain: str) -> None:
    assert plain_yaml.resolves_to_string(plain) == pyyaml_resolves_to_string(plain)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-+.:_eExXbBoOtTnNyYaAfFlLsSuU ~<=Zz", max_size=26))
def test_resolvers_agree_on_generated_scalars(plain: str) -> None:
    assert plain_yaml.resolves_to_string(plain) == pyyaml_resolves_to_string(plain)


# Front matter gitmem writes for itself, or that its serializer could write: read fast.
CANONICAL = [
    HEAD,
    HEAD + "author: Ravi Patel <ravi@example.com>\nstatus: active\nsource: cli\n",
    HEAD + "tags: [adr, postgresql]\ncommits: [02b77161ce1d68a6dd77d28f0bcb95593d495f46]\n",
    HEAD + "paths: [src/db/, 'a: b', 'it''s', \"x\"]\nlinks: []\n",
    HEAD + "summary: 'yes'\nproject: '1.5'\ntool: \"caf\u00e9\"\n",
    HEAD + "metadata: {sprint: x, 'a, b': 'c: d'}\nx-jira: ABC-12\n",
    HEAD + "metadata: {}\nreviewers: [jane, bob]\n",
    HEAD + "tags: a, b ,c\n",
    HEAD + "updated: 2026-02-28T23:59:59.123456-05:30\n",
    HEAD + "updated: 2026-02-28T23:59:59Z\n",
    HEAD + "summary: R&D, *not* [1] {2} 50% a:b a#b\n",
    HEAD + "summary: Caf\u00e9 \u2014 \u65e5\u672c \U0001f600\n",
    HEAD.replace("T\n", "'  padded  '\n"),
    HEAD.rstrip("\n"),
    # Not what gitmem writes, but read alike (validation then refuses the date without a time).
    HEAD.replace("2026-01-01T00:00:00+00:00", "2026-01-01"),
]
NOTE_DOCS = [
    HEAD + "body: |\n  ## Context\n\n  text\n",
    HEAD + "body: |-\n  no line break at the end\n",
    HEAD + "body: |+\n  kept\n\n\n",
    HEAD + "body: |2\n    starts with spaces\n  then not\n",
    HEAD + "body: |\n\n\n  after two empty lines\n",
    HEAD + "body: |\n  a\n  \n     \n  b\n",
    HEAD + "body: |\n  ---\n  id: x\n  \ttab\n",
    HEAD + "body: |\n  a\n    more indented\n\n",
    HEAD + "body: |\n  a",
    HEAD + "body: |+\n  a\n\n  ",
    HEAD + "body: |\n  last\nsummary: after the body\n",
    HEAD + "body: plain text\n",
    HEAD + "body: |\n x\n",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_front_matter_is_read_as_pyyaml_reads_it(text: str) -> None:
    assert agrees(text, body_key=False)


@pytest.mark.parametrize("text", NOTE_DOCS)
def test_canonical_note_documents_are_read_as_pyyaml_reads_them(text: str) -> None:
    assert agrees(text, body_key=True)


# Odd front matter: valid YAML or not, PyYAML reads it (the fast reader declines).
ODD = [
    "", "\n", "# a comment\n" + HEAD, HEAD + "\n", HEAD + "# c\n", HEAD + "summary: a # c\n",
    HEAD + "summary: a: b\n", HEAD + "summary: a:\n", HEAD + "summary:\n", HEAD + "summary:  x\n",
    HEAD + "summary: x \n", HEAD + "summary: ~\n", HEAD + "summary: null\n",
    HEAD + "summary: yes\n", HEAD + "summary: 1.5\n", HEAD + "summary: 0x_\n",
    HEAD + "summary: 2026-01-01\n", HEAD + "summary: <<\n", HEAD + "summary: =\n",
    HEAD + "summary: &a x\n", HEAD + "summary: *a\n", HEAD + "summary: !!str 1\n",
    HEAD + "summary: - x\n", HEAD + "summary: a\tb\n", HEAD + "summary: a\n  continued\n",
    HEAD + "summary: 'a\n  b'\n", HEAD + 'summary: "a\\x41"\n', HEAD + "summary: 'a'b'\n",
    HEAD + "summary: |\n  x\n", HEAD + "summary: >\n  x\n", HEAD + "tags:\n- a\n- b\n",
    HEAD + "tags: [a,b]\n", HEAD + "tags: [a, ]\n", HEAD + "tags: [ a]\n", HEAD + "tags: [a:b]\n",
    HEAD + "tags: [1]\n", HEAD + "tags: [~]\n", HEAD + "tags: [[a]]\n", HEAD + "tags: {a: b}\n",
    HEAD + "metadata: {a: 1}\n", HEAD + "metadata: {a, b: c}\n", HEAD + "metadata: {a: b, a: c}\n",
    HEAD + "metadata: x\n", HEAD + "metadata: [x]\n", HEAD + "title: [x]\n", HEAD + "id: x\n",
    HEAD + "yes: x\n", HEAD + "'q': x\n", HEAD + "a b: x\n", " " + HEAD, "---\n" + HEAD,
    HEAD + "...\n", HEAD + "summary: a\r\n", HEAD + "summary: a\x85b\n",
    HEAD + "summary: a\u2028b\n", HEAD + "summary: \ufeffa\n", HEAD + "summary: a\x7fb\n",
    HEAD + "summary: a\x1bb\n", "%YAML 1.1\n---\n" + HEAD, HEAD + "summary: No\u00a0way\n",
    HEAD + "created: 2026-02-30T00:00:00+00:00\n",
    HEAD.replace("2026-01-01T00:00:00+00:00", "2026-02-30T00:00:00+00:00"),
    HEAD.replace("2026-01-01T00:00:00+00:00", "2026-01-01T24:00:00+00:00"),
    HEAD.replace("2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+24:00"),
    HEAD + "summary: " + "x" * 100_001 + "\n",
]  # fmt: skip
ODD_NOTES = [
    HEAD + "body: |\n  a\n b\n", HEAD + "body: |\n  a\n \n",
    HEAD + "body: |\n  \ta\n", HEAD + "body: |\n\n", HEAD + "body: |\n",
    HEAD + "body: |\n   \n  a\n",
    HEAD + "body: | # c\n  a\n", HEAD + "body: |0\n  a\n", HEAD + "body: |2\n a\n",
    HEAD + "body: |\n  a\n\nProse appended by `git notes append`.\n", HEAD + "body: 42\n",
    HEAD + "body: [a]\n", HEAD + "body: |\n  a\n\tb\n",
]  # fmt: skip


def pyyaml_reading(text: str, body_key: bool) -> Any:
    try:
        return _read_yaml(text, SOURCE, 2, body_key, "front matter")
    except RecordError as error:
        return str(error)


@pytest.mark.parametrize("text", ODD)
def test_odd_front_matter_is_left_to_pyyaml(text: str) -> None:
    assert not agrees(text, body_key=False)


@pytest.mark.parametrize("text", ODD_NOTES)
def test_odd_note_documents_are_left_to_pyyaml(text: str) -> None:
    assert not agrees(text, body_key=True)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("summary: a: b", "6: invalid YAML: mapping values are not allowed in this context"),
        ("title: x", "6: title: duplicate key"),
        ("yes: x", "6: keys must be strings, got 'yes'"),
        ("tags: [1, ~]", "6: tags: expected a list of strings"),
        ("summary: [x]", "6: summary: expected a single value, not a list or mapping"),
        ("x: 2026-02-30", "6: x: invalid value '2026-02-30' (day is out of range for month)"),
        ("updated: 2026-02-30T00:00:00+00:00", "6: updated: invalid value "
         "'2026-02-30T00:00:00+00:00' (day is out of range for month)"),
    ],
)  # fmt: skip
def test_errors_are_pyyamls_file_line_field(text: str, error: str) -> None:
    """The fast reader declines and the error is PyYAML's path's, as before it existed."""
    with pytest.raises(RecordError) as raised:
        parse_file(f"---\n{HEAD}{text}\n---\n", SOURCE, ["fact"])
    assert str(raised.value) == f"{SOURCE}:{error}"


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BITS = [
    "\n", " ", "  ", ": ", ":", ", ", ",", "[", "]", "{", "}", "'", '"', "''", "#", " #", "&a",
    "*a", "!", "|", "|-", "|+", "|2", ">", "-", "- ", "?", "%", "@", "`", "~", "\t", "\\",
    "yes", "no", "null", "1", "0x", "1.5", ".inf", "<<", "=", "2026-01-01", "T12:00:00",
    "+01:00", "Z", "id", "tags", "metadata", "body", "title", "x", "a b", "\u00e9", "\u2028",
    "\x85", "\r", "\ufeff", "\x00",
]  # fmt: skip


def mutations() -> st.SearchStrategy[str]:
    """Canonical records with hostile bits put in, cut out or repeated."""
    texts = st.sampled_from(CANONICAL + NOTE_DOCS)
    pieces = st.lists(st.sampled_from(BITS) | st.text(max_size=4), min_size=1, max_size=4)
    return st.builds(
        lambda text, at, cut, bits: text[:at] + "".join(bits) + text[at + cut :],
        texts,
        st.integers(0, 200),
        st.integers(0, 3),
        pieces,
    )


@SETTINGS
@given(st.one_of(mutations(), st.lists(st.sampled_from(BITS), max_size=30).map("".join)))
@example(HEAD + "metadata: {'a': b, c: 'd, e: f'}\n")
@example(HEAD + "paths: ['a'', b', c]\n")
@example(HEAD + "body: |+\n  a\n  \n")
def test_whatever_the_fast_reader_reads_pyyaml_reads_alike(text: str) -> None:
    agrees(text, body_key=False)
    agrees(text, body_key=True)


def test_show_of_a_record_gitmem_wrote_imports_no_pyyaml(repo: Path, mem: Any, g: Any) -> None:
    """`git mem show` of a saved record reads it without PyYAML; a hand-written one with a
    comment is read (by PyYAML) as before."""
    saved = mem("save", "-m", "Use PostgreSQL", "--tag", "db").saved_id
    g.write_record(repo, "facts/by-hand.md", "abcd00001234", title="By hand")
    path = repo / ".memory/facts/by-hand.md"
    path.write_text(path.read_text().replace("---\n", "---\n# written by hand\n", 1))
    assert mem("list").code == 0  # the index exists and is current
    for record, loads_yaml in ((saved, False), ("abcd00001234", True)):
        proc, loaded = gitmem_loads(["show", record[:8]], repo, GITMEM_SERVICE="off")
        assert proc.returncode == 0, proc.stderr
        assert "gitmem.store.plain_yaml" in loaded
        assert ("yaml" in loaded) is loads_yaml


def test_a_note_gitmem_wrote_reads_the_same_both_ways() -> None:
    doc = "---\n" + NOTE_DOCS[0]
    (chunk,) = parse_note(doc, "note:" + "a" * 40, "2026-01-01T00:00:00+00:00", ["fact"])
    assert chunk.memory is not None
    assert (chunk.memory.title, chunk.memory.body) == ("T", "## Context\n\ntext\n")
    assert chunk.memory.origin is not None and chunk.memory.origin.raw["title"] == "title: T\n"
