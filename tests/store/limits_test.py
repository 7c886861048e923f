"""Bounded parsing of records (issue 15, cases 1, 5, 6): YAML anchors and aliases are refused
before anything is built, nesting, keys, value length and size are capped, and every reader
skips such a record with a warning and goes on with the rest."""

from __future__ import annotations

import gitrepo
import pytest

from gitmem.errors import RecordError
from gitmem.store import limits
from gitmem.store.front_matter import parse_file, serialize_file
from gitmem.store.note_stream import parse_note

GOOD, BAD = "aaaa00000001", "bbbb00000001"
HEAD = "id: {id}\ntype: fact\ntitle: {title}\ncreated: 2026-01-01T00:00:00+00:00\n"

# Eight levels of nine aliases each: 9**8 (43 million) values from 300 bytes.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
DEEP = "meta: " + "[" * 999 + "]" * 999 + "\n"


def record_file(extra: str, record_id: str = BAD, title: str = "Bad") -> str:
    return "---\n" + HEAD.format(id=record_id, title=title) + extra + "---\n\ntext\n"


def refusal(extra: str) -> str:
    with pytest.raises(RecordError) as caught:
        parse_file(record_file(extra), ".memory/facts/bad.md")
    return str(caught.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (BOMB, ".memory/facts/bad.md:6: YAML anchors are not allowed (&a)"),
        ("meta: *a\n", ".memory/facts/bad.md:6: YAML aliases are not allowed (*a)"),
        (DEEP, ".memory/facts/bad.md:6: nested deeper than 20 levels"),
        (
            "meta: " + "[" * 21 + "]" * 21 + "\n",
            ".memory/facts/bad.md:6: nested deeper than 20 levels",
        ),
        (
            "summary: " + "x" * 100_001 + "\n",
            ".memory/facts/bad.md:6: a value of 100,001 characters (the limit is 100,000)",
        ),
        (
            "meta: {" + ", ".join(f"k{n}: 1" for n in range(1_000)) + "}\n",
            ".memory/facts/bad.md:6: more than 1,000 keys",
        ),
        (
            "paths: [" + ", ".join(["x" * 99] * 10_000) + "]\n",
            ".memory/facts/bad.md:2: front matter of 1,010,082 characters (the limit is 1,000,000)",
        ),
    ],
)
def test_refused_front_matter(extra: str, message: str) -> None:
    assert refusal(extra) == message


def test_the_limits_allow_real_records() -> None:
    nested = "meta: " + "[" * 20 + "]" * 20 + "\n"
    assert parse_file(record_file(nested, title="A & B *bold*"), "x.md").title == "A & B *bold*"
    assert limits.MAX_DEPTH == 20 and limits.MAX_KEYS == 1_000


def test_a_bomb_document_in_a_note_is_an_error_chunk_and_the_others_read() -> None:
    good = "---\n" + HEAD.format(id=GOOD, title="Good") + "body: |\n  **fine** & well\n"
    bomb = "---\n" + HEAD.format(id=BAD, title="Bomb") + BOMB + "body: x\n"
    chunks = parse_note(good + bomb, "note:c0ffee", "2026-01-01T00:00:00+00:00")
    assert [c.memory.id if c.memory else None for c in chunks] == [GOOD, None]
    assert str(chunks[1].error) == "note:c0ffee:13: YAML anchors are not allowed (&a)"


def test_a_large_note_body_is_not_capped() -> None:
    body = "".join(f"  line {n} " + "x" * 90 + "\n" for n in range(20_000))
    note = "---\n" + HEAD.format(id=GOOD, title="Big") + "body: |\n" + body
    [chunk] = parse_note(note, "note:c0ffee", "2026-01-01T00:00:00+00:00")
    assert chunk.memory is not None and len(chunk.memory.body) > 1_900_000


@pytest.fixture
def bomb_repo(repo, mem, g):
    assert mem("init").code == 0
    g.write_record(repo, "facts/good.md", GOOD)
    (repo / ".memory" / "facts" / "bomb.md").write_text(record_file(BOMB))
    return repo


def test_every_reader_skips_a_bomb_file_and_reads_the_rest(bomb_repo, mem):
    warning = (
        "git-mem: warning: skipped .memory/facts/bomb.md:6: YAML anchors are not allowed (&a)\n"
    )
    listed = mem("list")
    assert listed.code == 0
    assert GOOD in listed.out and BAD not in listed.out
    assert listed.err == warning
    assert GOOD in mem("search", "Some").out
    assert GOOD in mem("show", GOOD, "--json").out
    assert mem("show", BAD).err == f"git-mem: error: no memory with an id starting '{BAD}'\n"
    doctor = mem("doctor")
    assert doctor.code == 1
    assert doctor.out == (
        ".memory/facts/bomb.md:6: YAML anchors are not allowed (&a)\n1 problem in 1 record\n"
    )


def test_depth_999_is_a_listed_problem_not_a_recursion_error(repo, mem, g):
    assert mem("init").code == 0
    g.write_record(repo, "facts/good.md", GOOD)
    (repo / ".memory" / "facts" / "deep.md").write_text(record_file(DEEP))
    listed = mem("list")
    assert listed.code == 0 and GOOD in listed.out
    assert listed.err == (
        "git-mem: warning: skipped .memory/facts/deep.md:6: nested deeper than 20 levels\n"
    )
    assert mem("doctor").out == (
        ".memory/facts/deep.md:6: nested deeper than 20 levels\n1 problem in 1 record\n"
    )


def test_pre_commit_refuses_a_bomb_file(bomb_repo, mem, g):
    g.run("add", ".memory")
    result = mem("hook", "pre-commit")
    assert result.code == 1
    assert result.err == (
        ".memory/facts/bomb.md:6: YAML anchors are not allowed (&a)\n"
        "git-mem: error: 1 problem in memory files; fix them (a false positive secret: add "
        "'gitmem: allow-secret' to its line) or commit with --no-verify\n"
    )


def test_a_bomb_note_pulled_by_plain_git_fetch_does_not_hang_list(tmp_path, g, monkeypatch, mem):
    team = gitrepo.Team(tmp_path, g, monkeypatch, mem, init=True)
    a, b = team.clone("a2"), team.clone("b")
    bomb = "---\n" + HEAD.format(id=BAD, title="Bomb") + BOMB + "body: x\n"
    g.run("notes", "--ref=mem", "add", "-m", bomb, "HEAD", cwd=a)
    g.run("push", "-q", "origin", "refs/notes/mem", cwd=a)
    assert team.mem(b, "save", "-m", "good record").code == 0
    g.run("fetch", "-q", "origin", "refs/notes/mem:refs/notes/mem", cwd=b)
    head = team.tip(b, "HEAD")
    listed = team.mem(b, "list")
    assert listed.code == 0
    assert "good record" in listed.out and "Bomb" not in listed.out
    assert listed.err == (
        f"git-mem: warning: skipped note:{head}:6: YAML anchors are not allowed (&a)\n"
    )
    doctor = team.mem(b, "doctor")
    assert doctor.code == 1
    assert (
        doctor.out == f"note:{head}:6: YAML anchors are not allowed (&a)\n1 problem in 1 record\n"
    )


def test_a_value_shared_twice_is_written_out_twice_not_as_an_alias() -> None:
    shared = ["x", "y"]
    memory = parse_file(record_file(""), "x.md")
    memory.extra["meta"] = {"a": shared, "b": shared}
    text = serialize_file(memory)
    assert "meta:\n  a: [x, 'y']\n  b: [x, 'y']\n---\n" in text
    assert parse_file(text, "x.md").extra["meta"] == {"a": ["x", "y"], "b": ["x", "y"]}


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("just text\n", "x.md:2: expected a mapping of fields, got a str"),
        (
            "x" * 100_001 + "\n",
            "x.md:2: a value of 100,001 characters (the limit is 100,000)",
        ),
    ],
)
def test_front_matter_that_is_one_scalar(front: str, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_file("---\n" + front + "---\n", "x.md")
    assert str(caught.value) == message


def test_an_alias_hidden_from_the_quick_check_is_caught_in_the_node_tree() -> None:
    # "body: |" inside a quoted value makes the next lines look like a note's body, which is
    # not scanned for anchors; the walk of the composed tree still meets the node twice (and
    # names the line the shared node starts on: the anchor's).
    doc = HEAD.format(id=BAD, title="T") + 'meta:\n  x: "a\nbody: |\n  b"\n  y: &a [1]\n  z: *a\n'
    [chunk] = parse_note("---\n" + doc, "note:c0ffee", "2026-01-01T00:00:00+00:00")
    assert str(chunk.error) == "note:c0ffee:10: YAML aliases are not allowed"


def test_markdown_in_a_note_body_is_not_mistaken_for_an_alias() -> None:
    doc = HEAD.format(id=GOOD, title="T") + "body: |\n  **bold** & *em*\n\n  * item\n"
    [chunk] = parse_note("---\n" + doc, "note:c0ffee", "2026-01-01T00:00:00+00:00")
    assert chunk.memory is not None and chunk.memory.body == "**bold** & *em*\n\n* item\n"
