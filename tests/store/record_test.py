"""The memory record: round trips, byte-for-byte preservation, validation wording.

Property tests generate records with every field the registry names, using values chosen to trip a
YAML serialiser (strings YAML would read as booleans, numbers, nulls, comments or list items;
bodies with `---` lines, trailing spaces, tabs, unicode), and check that what gitmem writes it
reads back unchanged, in files and in note streams.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta, timezone

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gitmem.errors import EXIT_USAGE, RecordError
from gitmem.store import note_stream, plain_yaml, record, types
from gitmem.store.fields import FIELD_ORDER
from gitmem.store.front_matter import _read_yaml, parse_file, serialize_file
from gitmem.store.note_stream import parse_note, serialize_note_doc
from gitmem.store.record import (
    CROCKFORD,
    ID_RE,
    SHA_RE,
    SOURCES,
    STATUSES,
    TAG_RE,
    Memory,
    blob_sha,
    derived_id,
    new_id,
)
from gitmem.store.types import TYPE_FOLDERS
from gitmem.store.validation import path_problem

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CREATED = "2026-11-20T14:03:11+00:00"
FILE = ".memory/decisions/2026-11-20-use-postgresql.md"
NOTE = "note:" + "ab" * 20

# ------------------------------------------------------------------------------ strategies

# Strings a YAML 1.1 reader turns into something other than the same string when unquoted.
YAML_SPECIAL = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "1.5",
    "1e3",
    "1.0e+3",
    ".inf",
    "-.inf",
    ".nan",
    "0x1f",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "1:30",
    "2026-11-20",
    "2026-11-20T14:03:11+00:00",
    ": x",
    "a: b",
    "a:b",
    "#x",
    "a #b",
    "- a",
    "-",
    "'q'",
    '"q"',
    "[a, b]",
    "{a: b}",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "|",
    ">",
    "?",
    "? x",
    "<<",
    "=",
    "---",
    "...",
    " leading",
    "trailing ",
    "  ",
    "tab\tinside",
    "caf\u00e9 \u2014 \u65e5\u672c\u8a9e \U0001f600",
    "\u00a0nbsp",
    "back\\slash",
]

# Printable single-line text: no control, format, surrogate or line/paragraph separator chars.
line_chars = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
single_line = st.one_of(
    st.sampled_from(YAML_SPECIAL),
    st.text(line_chars, min_size=1, max_size=40),
).filter(lambda text: "\t" not in text or text == "tab\tinside")
optional_line = st.none() | single_line

# Ids as gitmem makes them, and any 12 Crockford characters (all digits, 0x..., 1e..., ...).
ids = st.one_of(
    st.text(max_size=20).map(lambda seed: derived_id("test", seed)),
    st.text(CROCKFORD, min_size=12, max_size=12),
    st.sampled_from(
        ["123456789012", "000000000017", "0x1234abcdef", "0b1010101010", "1234567e8901"]
    ),
)

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
timestamps = st.builds(
    lambda dt, tz, spec: dt.replace(tzinfo=tz).isoformat(timespec=spec),
    st.datetimes(),
    offsets,
    st.sampled_from(["seconds", "minutes", "milliseconds", "microseconds"]),
)

tags = st.from_regex(TAG_RE, fullmatch=True).filter(lambda tag: len(tag) <= 30)
commits = st.from_regex(SHA_RE, fullmatch=True)
path_segment = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="/\\"),
    min_size=1,
    max_size=12,
).filter(lambda seg: seg not in ("..", "."))
paths = st.builds(
    lambda segs, slash: "/".join(segs) + slash,
    st.lists(path_segment, min_size=1, max_size=4),
    st.sampled_from(["", "/"]),
).filter(lambda path: path_problem(path) is None)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(YAML_SPECIAL),
    st.text(max_size=30),
)
metadata = st.dictionaries(
    st.one_of(st.sampled_from(YAML_SPECIAL), st.text(max_size=20)), scalars, max_size=4
)
extra_keys = st.one_of(
    st.sampled_from(["reviewers", "x-jira", "yes", "null", "1.5", "#x", "- a", "Title", "body "]),
    st.text(max_size=20),
).filter(lambda key: key not in FIELD_ORDER and key != "body")
extra_values = st.one_of(scalars, st.lists(scalars, max_size=3), metadata)
extras = st.dictionaries(extra_keys, extra_values, max_size=3)

BODY_LINES = [
    "---",
    "--- ",
    "...",
    "",
    " ",
    "\t",
    "id: 7k3q9x2m4pva",
    "title: x",
    "# Heading",
    "- a",
]
body_lines = st.lists(
    st.one_of(
        st.sampled_from(BODY_LINES),
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")),
    ),
    max_size=8,
)
bodies = st.one_of(
    st.text(),
    st.builds(
        lambda lines, end: "\n".join(lines) + end,
        body_lines,
        st.sampled_from(["", "\n", " \n", "\n\n"]),
    ),
)


@st.composite
def memories(draw: st.DrawFn) -> Memory:
    return Memory(
        id=draw(ids),
        type=draw(st.sampled_from(sorted(TYPE_FOLDERS))),
        title=draw(single_line),
        created=draw(timestamps),
        body=draw(bodies),
        updated=draw(st.none() | timestamps),
        author=draw(optional_line),
        status=draw(st.sampled_from(STATUSES)),
        tags=draw(st.lists(tags, max_size=4)),
        summary=draw(optional_line),
        project=draw(optional_line),
        source=draw(st.none() | st.sampled_from(SOURCES)),
        tool=draw(optional_line),
        commits=draw(st.lists(commits, max_size=3)),
        paths=draw(st.lists(paths, max_size=3)),
        links=draw(st.lists(ids, max_size=3)),
        supersedes=draw(st.lists(ids, max_size=2)),
        session=draw(optional_line),
        metadata=draw(metadata),
        extra=draw(extras),
    )


def note_chunks(text: str) -> list[note_stream.NoteChunk]:
    return parse_note(text, NOTE, CREATED)


# ---------------------------------------------------------------------- property: round trips


@pytest.mark.slow
@SETTINGS
@given(memories())
def test_file_round_trip(memory: Memory) -> None:
    text = serialize_file(memory)
    parsed = parse_file(text, FILE)
    assert parsed == memory
    # What gitmem wrote, read and written again unmodified, is byte-identical.
    assert serialize_file(parsed) == text


@SETTINGS
@given(memories())
def test_note_doc_round_trip(memory: Memory) -> None:
    doc = serialize_note_doc(memory)
    assert doc.startswith("---\n")
    chunks = note_chunks(doc)
    assert len(chunks) == 1
    assert chunks[0].error is None
    assert chunks[0].memory == memory
    assert not chunks[0].memory.foreign
    assert chunks[0].text == doc
    assert serialize_note_doc(chunks[0].memory) == doc


def _pyyaml_reads_alike(text: str, body_key: bool) -> None:
    """What store.plain_yaml reads (None: it leaves the text to PyYAML) is what PyYAML reads:
    the same keys, lines and values, of the same types (tests/store/plain_yaml_test.py)."""
    fast = plain_yaml.read(text, body_key)
    if fast is not None:
        slow, keep_raw = _read_yaml(text, FILE, 2, body_key, "front matter")
        assert keep_raw
        assert [(k, line, type(v), v) for k, line, v in fast] == [
            (k, line, type(v), v) for k, line, v in slow
        ]
        for (_, _, mine), (_, _, theirs) in zip(fast, slow, strict=True):
            if isinstance(mine, list | dict):
                items = mine.values() if isinstance(mine, dict) else mine
                expected = theirs.values() if isinstance(theirs, dict) else theirs
                assert [type(i) for i in items] == [type(i) for i in expected]


@pytest.mark.slow
@SETTINGS
@given(memories())
def test_the_plain_reader_reads_what_gitmem_writes_as_pyyaml_does(memory: Memory) -> None:
    text = serialize_file(memory)
    _pyyaml_reads_alike(text[4 : text.index("\n---\n") + 1], body_key=False)
    _pyyaml_reads_alike(serialize_note_doc(memory)[4:], body_key=True)


@settings(SETTINGS, max_examples=50)
@given(st.lists(memories(), min_size=1, max_size=4))
def test_note_stream_of_many_docs(records: list[Memory]) -> None:
    docs = [serialize_note_doc(memory) for memory in records]
    chunks = note_chunks("".join(docs))
    assert [chunk.error for chunk in chunks] == [None] * len(records)
    assert [chunk.memory for chunk in chunks] == records
    assert [chunk.text for chunk in chunks] == docs


NOTE_PIECES = [
    "---\n",
    "---",
    "--- \n",
    "...\n",
    "\n",
    "\n\n",
    "id: 7k3q9x2m4pva\n",
    "id:\n",
    "type: decision\n",
    "title: x\n",
    f"created: {CREATED}\n",
    "body: |\n  text\n",
    "prose line\n",
    "  indented\n",
    "- item\n",
    ": x\n",
    "\r\n",
    "id: 0x_\n",
    "x: 2026-02-30\n",
]
note_texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(NOTE_PIECES), st.text(max_size=10)), max_size=12).map(
        "".join
    ),
    st.lists(memories().map(serialize_note_doc) | st.sampled_from(NOTE_PIECES), max_size=4).map(
        "".join
    ),
)


@pytest.mark.slow
@settings(SETTINGS, max_examples=150)
@given(note_texts)
@example("id: \udcff\n")  # bytes that were not UTF-8, decoded with surrogateescape
@example("id: x\x07\n")  # a control character YAML refuses
@example("---\nid: 7k3q9x2m4pva\ncreated: 2026-02-30\n")  # a date that does not exist
def test_note_chunks_concatenate_to_the_note(text: str) -> None:
    chunks = note_chunks(text)
    assert "".join(chunk.text for chunk in chunks) == text
    for chunk in chunks:
        assert chunk.memory is not None or chunk.error is not None or not chunk.text.strip()
        if chunk.error is not None:
            assert isinstance(chunk.error, RecordError)
            assert str(chunk.error).startswith(NOTE + ":")


first_words = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=10)
later_lines = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"))


@settings(SETTINGS, max_examples=100)
@given(
    memories(),
    first_words,
    st.text(st.sampled_from("abc ,.!?-")),
    st.lists(later_lines, max_size=3),
)
def test_git_notes_append_after_a_record(
    memory: Memory, word: str, rest: str, more: list[str]
) -> None:
    """`git notes append -m TEXT` adds a blank line and TEXT: the record survives unchanged and
    TEXT reads as a foreign record of its own."""
    lines = [word + rest.rstrip()] + [line for line in more if not re.fullmatch(r"---[ \t]*", line)]
    appended = "\n" + "\n".join(lines) + "\n"
    doc = serialize_note_doc(memory)
    chunks = note_chunks(doc + appended)
    assert "".join(chunk.text for chunk in chunks) == doc + appended
    assert (chunks[0].text, chunks[0].memory) == (doc, memory)
    assert len(chunks) >= 2


# ------------------------------------------------------------------------- hand-written files

HAND_WRITTEN = """\
---
# Written by hand. gitmem keeps this comment, the odd spacing and the keys it does not know.
id:     7k3q9x2m4pva
type: decision
title: Use PostgreSQL over MongoDB
created: 2026-11-20T14:03:11+00:00   # the day we decided
status:   accepted
tags:
  - database
  - postgresql   # the engine
paths: [src/db/, alembic/env.py]
links: 0x1234abcdef, 123456789012
metadata: { sprint: 42, team: 'platform' }
reviewers: [alice,   bob]
x-jira:    "DB-42"
owner:
    name: Jane Doe
    since: 2025

---

## Context

Relational data.   \n\t- and a tab
---
not the front matter
"""


def test_hand_written_file_reads() -> None:
    memory = parse_file(HAND_WRITTEN, FILE)
    assert memory.id == "7k3q9x2m4pva"
    assert memory.status == "accepted"
    assert memory.tags == ["database", "postgresql"]
    assert memory.paths == ["src/db/", "alembic/env.py"]
    assert memory.metadata == {"sprint": 42, "team": "platform"}
    assert memory.links == ["0x1234abcdef", "123456789012"]  # `a, b` reads as a list
    assert memory.extra == {
        "reviewers": ["alice", "bob"],
        "x-jira": "DB-42",
        "owner": {"name": "Jane Doe", "since": 2025},
    }
    assert memory.body == (
        "## Context\n\nRelational data.   \n\t- and a tab\n---\nnot the front matter\n"
    )


def test_unmodified_hand_written_file_is_byte_identical() -> None:
    assert serialize_file(parse_file(HAND_WRITTEN, FILE)) == HAND_WRITTEN


def test_changing_the_title_changes_only_the_title_line() -> None:
    memory = parse_file(HAND_WRITTEN, FILE)
    memory.title = "Use PostgreSQL 16 over MongoDB: final"
    out = serialize_file(memory)
    before, after = HAND_WRITTEN.splitlines(keepends=True), out.splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert changed == [before.index("title: Use PostgreSQL over MongoDB\n")]
    assert after[changed[0]] == "title: 'Use PostgreSQL 16 over MongoDB: final'\n"
    assert parse_file(out, FILE) == memory


def test_changing_an_unknown_key_and_clearing_a_field() -> None:
    memory = parse_file(HAND_WRITTEN, FILE)
    memory.extra["x-jira"] = "DB-43"
    memory.tags = []
    out = serialize_file(memory)
    assert "x-jira: DB-43\n" in out
    assert 'x-jira:    "DB-42"' not in out
    assert "tags:" not in out and "  - postgresql   # the engine\n" not in out
    # Everything else is still the text it was read from.
    for kept in ("id:     7k3q9x2m4pva\n", "reviewers: [alice,   bob]\n", "    since: 2025\n"):
        assert kept in out
    assert out.startswith("---\n# Written by hand.")
    assert parse_file(out, FILE) == memory


def test_unknown_keys_survive_a_note_read_modify_write() -> None:
    note = (
        "---\n"
        "id: 7k3q9x2m4pva\n"
        "type: decision\n"
        "title: Old title\n"
        "created: 2026-11-20T14:03:11+00:00\n"
        "status: active\n"
        "x-ci-run:   {id: 991, url: 'https://ci.example/991'}   # from CI\n"
        "body: |\n"
        "  text\n"
    )
    memory = note_chunks(note)[0].memory
    assert memory is not None
    assert serialize_note_doc(memory) == note
    memory.title = "New title"
    assert serialize_note_doc(memory) == note.replace("title: Old title", "title: New title")


def test_flow_style_front_matter_still_round_trips() -> None:
    """Keys not each at the start of a line cannot keep their text; the values still survive."""
    text = (
        "---\n{id: 7k3q9x2m4pva, type: fact, title: x, created: '2026-11-20T14:03:11+00:00'}\n---\n"
    )
    memory = parse_file(text, FILE)
    assert memory.title == "x"
    assert parse_file(serialize_file(memory), FILE) == memory


def test_bom_and_custom_types() -> None:
    text = "\ufeff---\nid: 7k3q9x2m4pva\ntype: incident\ntitle: x\ncreated: 2026-11-20T14:03:11Z\n"
    text += "---\n"
    with pytest.raises(RecordError):
        parse_file(text, FILE)
    memory = parse_file(text, FILE, types=["incident"])
    assert memory.type == "incident"
    assert types.folder_for("incident") == "incident"
    assert types.folder_for("code") == "patterns"


# ---------------------------------------------------------------------------- validation


def front(*lines: str) -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n\nbody\n"


GOOD = (
    "id: 7k3q9x2m4pva",
    "type: decision",
    "title: Use PostgreSQL",
    "created: 2026-11-20T14:03:11+00:00",
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            front("id: 7k3q9x2m4pva", "type: [decision", "title: x"),
            f"{FILE}:4: invalid YAML: did not find expected ',' or ']'",
            id="malformed-yaml",
        ),
        pytest.param(
            front("id: 7k3q9x2m4pva", "title: a: b"),
            f"{FILE}:3: invalid YAML: mapping values are not allowed in this context",
            id="malformed-yaml-colon",
        ),
        pytest.param(
            front(*GOOD, "x: bell\x07"),
            f"{FILE}:6: invalid YAML: unacceptable character #x0007: "
            "control characters are not allowed",
            id="control-character",
        ),
        pytest.param(
            front("- a", "- b"),
            f"{FILE}:2: expected a mapping of fields, got a list",
            id="front-matter-a-list",
        ),
        pytest.param(
            front("just text"),
            f"{FILE}:2: expected a mapping of fields, got a str",
            id="front-matter-a-string",
        ),
        pytest.param(
            "---\n---\nbody\n",
            f"{FILE}:2: empty front matter; expected a mapping with id, type, title, created",
            id="empty-front-matter",
        ),
        pytest.param(
            front("id: 7k3q9x2m4pva", "type: decision", "created: 2026-11-20T14:03:11+00:00"),
            f"{FILE}:2: title: missing required field",
            id="missing-title",
        ),
        pytest.param(
            front(
                "id: 7k3q9x2m4pva",
                "type: decision",
                "title: ''",
                "created: 2026-11-20T14:03:11+00:00",
            ),
            f"{FILE}:2: title: missing required field",
            id="empty-title",
        ),
        pytest.param(
            front("type: decision", "title: x", "created: 2026-11-20T14:03:11+00:00"),
            f"{FILE}:2: id: missing required field",
            id="missing-id",
        ),
        pytest.param(
            front(*GOOD, "tags: {database: yes}"),
            f"{FILE}:6: tags: expected a list, e.g. [a, b]",
            id="tags-a-mapping",
        ),
        pytest.param(
            front(*GOOD, "tags: [[a]]"),
            f"{FILE}:6: tags: expected a list of strings",
            id="tags-nested",
        ),
        pytest.param(
            front(*GOOD, "tags: [a, ~]"),
            f"{FILE}:6: tags: expected a list of strings",
            id="tags-null-item",
        ),
        pytest.param(
            front(
                "id: 7k3q9x2m4pva",
                "type: decision",
                "title: [a, b]",
                "created: 2026-11-20T14:03:11+00:00",
            ),
            f"{FILE}:4: title: expected a single value, not a list or mapping",
            id="title-a-list",
        ),
        pytest.param(
            front(
                "id: 7k3q9x2m4pva",
                "type: decision",
                "title: |",
                "  two",
                "  lines",
                "created: 2026-11-20T14:03:11+00:00",
            ),
            f"{FILE}:4: title: expected a non-empty single line",
            id="title-two-lines",
        ),
        pytest.param(
            front(*GOOD, "metadata: [1, 2]"),
            f"{FILE}:6: metadata: expected a mapping with string keys, e.g. {{sprint: 42}}",
            id="metadata-a-list",
        ),
        pytest.param(
            front("id: 7K3Q9X2M4PVA", *GOOD[1:]),
            f"{FILE}:2: id: expected 12 characters of lowercase Crockford base32, "
            f"got '7K3Q9X2M4PVA'",
            id="id-uppercase",
        ),
        pytest.param(
            front("id: 7k3q9x2m4pv", *GOOD[1:]),
            f"{FILE}:2: id: expected 12 characters of lowercase Crockford base32, "
            f"got '7k3q9x2m4pv'",
            id="id-too-short",
        ),
        pytest.param(
            front("id: 7k3q9x2m4pvu", *GOOD[1:]),
            f"{FILE}:2: id: expected 12 characters of lowercase Crockford base32, "
            f"got '7k3q9x2m4pvu'",
            id="id-not-crockford",
        ),
        pytest.param(
            front(*GOOD[:3], "created: 2026-11-20T14:03:11"),
            f"{FILE}:5: created: expected an ISO 8601 timestamp with offset, "
            "got '2026-11-20T14:03:11'",
            id="created-without-offset",
        ),
        pytest.param(
            front(*GOOD[:3], "created: 2026-11-20"),
            f"{FILE}:5: created: expected an ISO 8601 timestamp with offset, got '2026-11-20'",
            id="created-a-date",
        ),
        pytest.param(
            front(*GOOD[:3], "created: 2026-02-30T00:00:00+00:00"),
            f"{FILE}:5: created: invalid value '2026-02-30T00:00:00+00:00' "
            "(day is out of range for month)",
            id="created-impossible-date",
        ),
        pytest.param(
            front(*GOOD, "due: 2026-13-01"),
            f"{FILE}:6: due: invalid value '2026-13-01' (month must be in 1..12)",
            id="unknown-key-impossible-date",
        ),
        pytest.param(
            front(*GOOD, "updated: yesterday"),
            f"{FILE}:6: updated: expected an ISO 8601 timestamp with offset, got 'yesterday'",
            id="updated-relative",
        ),
        pytest.param(
            front("id: 7k3q9x2m4pva", "type: bogus", *GOOD[2:]),
            f"{FILE}:3: type: expected one of code, decision, episodic, error, fact, procedural, "
            "user (or a type declared in .memory/config.toml)",
            id="unknown-type",
        ),
        pytest.param(
            front(*GOOD, "status: done"),
            f"{FILE}:6: status: expected one of active, proposed, accepted, superseded, "
            "deprecated, rejected, got 'done'",
            id="unknown-status",
        ),
        pytest.param(
            front(*GOOD, "source: web"),
            f"{FILE}:6: source: expected one of cli, hook, ci, mcp, import, session, got 'web'",
            id="unknown-source",
        ),
        pytest.param(
            front(*GOOD, "paths: [src/, ../x]"),
            f"{FILE}:6: paths: expected repository-relative paths, got '../x' "
            "('..' escapes the repository)",
            id="path-dotdot",
        ),
        pytest.param(
            front(*GOOD, "paths: [src/../../x]"),
            f"{FILE}:6: paths: expected repository-relative paths, got 'src/../../x' "
            "('..' escapes the repository)",
            id="path-dotdot-inside",
        ),
        pytest.param(
            front(*GOOD, "paths: [/etc]"),
            f"{FILE}:6: paths: expected repository-relative paths, got '/etc' (absolute path)",
            id="path-absolute",
        ),
        pytest.param(
            front(*GOOD, "paths: ['C:\\Windows']"),
            f"{FILE}:6: paths: expected repository-relative paths, got 'C:\\\\Windows' "
            "(absolute path)",
            id="path-drive",
        ),
        pytest.param(
            front(*GOOD, "links: [abc]"),
            f"{FILE}:6: links: expected memory ids, got 'abc'",
            id="links-not-ids",
        ),
        pytest.param(
            front(*GOOD, "commits: [HEAD]"),
            f"{FILE}:6: commits: expected commit ids (hex), got 'HEAD'",
            id="commits-not-hex",
        ),
        pytest.param(
            front(*GOOD, "tags: [a]", "title: again"),
            f"{FILE}:7: title: duplicate key",
            id="duplicate-key",
        ),
        pytest.param(
            front(*GOOD, "1: x"),
            f"{FILE}:6: keys must be strings, got '1'",
            id="key-not-a-string",
        ),
        pytest.param(
            "id: 7k3q9x2m4pva\ntype: decision\n",
            f"{FILE}:1: expected front matter starting with a '---' line",
            id="no-front-matter",
        ),
        pytest.param(
            "---\n" + "".join(line + "\n" for line in GOOD),
            f"{FILE}:1: front matter is not closed by a '---' line",
            id="unclosed-front-matter",
        ),
    ],
)
def test_validation_error_wording(text: str, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_file(text, FILE)
    assert str(caught.value) == message
    assert caught.value.exit_code == EXIT_USAGE
    assert caught.value.source == FILE


def test_validation_error_attributes() -> None:
    with pytest.raises(RecordError) as caught:
        parse_file(front(*GOOD, "status: done"), FILE)
    assert (caught.value.source, caught.value.line, caught.value.field) == (FILE, 6, "status")


def test_note_errors_name_the_note_and_the_line_in_the_whole_note() -> None:
    good = serialize_note_doc(Memory(id="7k3q9x2m4pva", type="fact", title="ok", created=CREATED))
    bad = "---\nid: 8k3q9x2m4pva\ntype: fact\ntitle: bad\ncreated: 2026-11-20T14:03:11+00:00\n"
    bad += "status: done\n"
    chunks = note_chunks(good + bad + good)
    assert [chunk.memory is not None for chunk in chunks] == [True, False, True]
    assert chunks[1].text == bad
    line = good.count("\n") + 6
    assert str(chunks[1].error) == (
        f"{NOTE}:{line}: status: expected one of active, proposed, accepted, superseded, "
        "deprecated, rejected, got 'done'"
    )


def test_undecodable_note_is_an_error_not_a_crash() -> None:
    text = b"id: 7k3q9x2m4pva\ntitle: caf\xe9\n".decode("utf-8", "surrogateescape")
    chunks = note_chunks(text)
    assert [chunk.text for chunk in chunks] == [text]
    assert str(chunks[0].error) == f"{NOTE}:2: invalid YAML: the text is not valid UTF-8"


def test_undecodable_foreign_note_reads_as_prose() -> None:
    data = b"caf\xe9 notes\n"
    chunks = note_chunks(data.decode("utf-8", "surrogateescape"))
    assert len(chunks) == 1
    memory = chunks[0].memory
    assert memory is not None and memory.foreign
    assert memory.id == derived_id("note-blob", blob_sha(data))
    assert memory.title == "caf\ufffd notes"


# --------------------------------------------------------------------------------------- ids


@pytest.mark.parametrize("value", ["0x1234abcdef", "123456789012", "000000000017", "0b1010101010"])
def test_number_like_ids_written_unquoted_read_back_as_strings(value: str) -> None:
    text = front(
        f"id: {value}", *GOOD[1:], "status: active", f"links: [{value}]", f"supersedes: {value}"
    )
    memory = parse_file(text, FILE)
    assert memory.id == value
    assert memory.links == [value]
    assert memory.supersedes == [value]
    assert serialize_file(memory) == text  # untouched: kept as written
    fresh = dataclasses.replace(memory, origin=None)
    assert parse_file(serialize_file(fresh), FILE) == memory  # written afresh: quoted


def _bytes_for(candidate: str) -> bytes:
    """The 8 random bytes new_id turns into `candidate`."""
    number = 0
    for char in candidate:
        number = number * 32 + CROCKFORD.index(char)
    return (number << 4).to_bytes(8, "big")


def _yaml_reads_as_string(value: str) -> bool:
    return yaml.safe_load(f"id: {value}") == {"id": value}


def test_new_id_skips_candidates_yaml_reads_as_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    candidates = ["123456789012", "000000000017", "0x1234abcdef", "0b1010101010", "12345e678901"]
    candidates.append("7k3q9x2m4pva")
    assert [record.encode_base32(_bytes_for(c)) for c in candidates] == candidates
    assert not any(_yaml_reads_as_string(c) for c in candidates[:4])
    feed = iter(_bytes_for(c) for c in candidates)
    monkeypatch.setattr(record, "_entropy", lambda n: next(feed))
    assert new_id() == "7k3q9x2m4pva"


@settings(SETTINGS, max_examples=300)
@given(
    st.binary(min_size=8, max_size=8) | st.text(CROCKFORD, min_size=12, max_size=12).map(_bytes_for)
)
def test_new_id_is_always_a_yaml_string(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    feed = iter([data, _bytes_for("7k3q9x2m4pva")])
    monkeypatch.setattr(record, "_entropy", lambda n: next(feed))
    value = new_id()
    assert ID_RE.fullmatch(value)
    assert _yaml_reads_as_string(value)


def test_real_new_ids() -> None:
    made = {new_id() for _ in range(2000)}
    assert len(made) == 2000
    assert all(ID_RE.fullmatch(value) and _yaml_reads_as_string(value) for value in made)


@given(st.lists(st.text(max_size=10), max_size=3))
def test_derived_id_is_deterministic(parts: list[str]) -> None:
    assert derived_id(*parts) == derived_id(*parts)
    assert ID_RE.fullmatch(derived_id(*parts))


def test_blob_sha_matches_git() -> None:
    assert blob_sha(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


# --------------------------------------------------------------------------- foreign notes


def test_hand_written_note_is_one_foreign_episodic_record() -> None:
    chunks = parse_note("hand written\n", "note:abc", CREATED)
    assert len(chunks) == 1
    assert chunks[0].text == "hand written\n"
    memory = chunks[0].memory
    assert memory is not None
    assert memory.foreign
    assert memory.id == derived_id("note-blob", blob_sha(b"hand written\n"))
    assert (memory.type, memory.title, memory.created, memory.body) == (
        "episodic",
        "hand written",
        CREATED,
        "hand written\n",
    )
    assert memory.status == "active"


def test_git_notes_append_to_a_gitmem_note() -> None:
    memory = Memory(id="7k3q9x2m4pva", type="decision", title="t", created=CREATED, body="b\n")
    doc = serialize_note_doc(memory)
    chunks = parse_note(doc + "\nappended text\n", "note:abc", CREATED)
    assert len(chunks) == 2
    assert (chunks[0].text, chunks[0].memory) == (doc, memory)
    assert not chunks[0].memory.foreign
    foreign = chunks[1].memory
    assert chunks[1].text == "\nappended text\n"
    assert foreign is not None and foreign.foreign
    assert foreign.id == derived_id("note-blob", blob_sha(b"\nappended text\n"))
    assert (foreign.type, foreign.title) == ("episodic", "appended text")


def test_gitmem_record_appended_to_a_hand_written_note() -> None:
    memory = Memory(id="7k3q9x2m4pva", type="fact", title="t", created=CREATED)
    doc = serialize_note_doc(memory)
    chunks = parse_note("hand written\n\n" + doc, "note:abc", CREATED)
    assert [chunk.text for chunk in chunks] == ["hand written\n\n", doc]
    assert chunks[0].memory is not None and chunks[0].memory.foreign
    assert chunks[1].memory == memory


def test_multi_paragraph_prose_is_one_foreign_record() -> None:
    text = "first\n\n---\n\nsecond paragraph\n"
    chunks = parse_note(text, "note:abc", CREATED)
    assert len(chunks) == 1
    assert chunks[0].text == text
    assert chunks[0].memory is not None
    assert chunks[0].memory.id == derived_id("note-blob", blob_sha(text.encode()))
    assert chunks[0].memory.title == "first"


def test_foreign_title_is_first_line_truncated() -> None:
    text = "\n\n   " + "w" * 100 + "\nmore\n"
    memory = parse_note(text, "note:abc", CREATED)[0].memory
    assert memory is not None
    assert memory.title == "w" * 77 + "..."


def test_empty_and_blank_notes() -> None:
    assert parse_note("", "note:abc", CREATED) == []
    chunks = parse_note("\n\n", "note:abc", CREATED)
    assert [(chunk.text, chunk.memory, chunk.error) for chunk in chunks] == [("\n\n", None, None)]
