"""`git mem edit`: options, the editor, validation before writing, byte-for-byte preservation."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import yaml

from gitmem.store.front_matter import parse_file

ID = "cccc00000001"
HAND_WRITTEN = """\
---
id: cccc00000001
type: fact
title: Custom keys
created: 2026-01-01T00:00:00+00:00
x-review:   {by: jane,   when: 2026-01-02}   # keep me
tags: [one, two]
zz_list:
  - a
  -   b
---

Body text.
"""
UPDATED_RE = r"updated: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\n"


@pytest.fixture
def record(repo):
    path = repo / ".memory" / "facts" / "custom.md"
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    return path


def test_set_keeps_unknown_keys_byte_for_byte(record, mem, g, repo):
    result = mem("edit", ID, "--set", "status=accepted")
    assert result.code == 0, result.err
    assert result.out == f"updated {ID} in .memory/facts/custom.md\n"
    text = record.read_text()
    assert re.fullmatch(
        "---\nid: cccc00000001\ntype: fact\ntitle: Custom keys\n"
        "created: 2026-01-01T00:00:00\\+00:00\n"
        + UPDATED_RE
        + "status: accepted\ntags: \\[one, two\\]\n"
        "x-review:   \\{by: jane,   when: 2026-01-02\\}   # keep me\n"
        "zz_list:\n  - a\n  -   b\n---\n\nBody text.\n",
        text,
    ), text
    g.fsck(repo)


def test_set_several_fields(record, mem):
    result = mem(
        "edit", ID, "--set", "title=New title", "--set", "summary=short",
        "--set", "paths=src/a.py, docs/", "--set-unknown", "x-new=[1, 2]",
    )  # fmt: skip
    assert result.code == 0, result.err
    memory = parse_file(record.read_text(), "x")
    assert memory.title == "New title"
    assert memory.summary == "short"
    assert memory.paths == ["src/a.py", "docs/"]
    assert memory.extra["x-new"] == [1, 2]
    assert memory.extra["x-review"] == {"by": "jane", "when": datetime.date(2026, 1, 2)}


def test_set_type_moves_the_file(record, mem, repo, ids):
    result = mem("edit", ID, "--set", "type=decision")
    assert result.code == 0, result.err
    assert result.out == f"updated {ID} in .memory/decisions/2026-01-01-custom-keys.md\n"
    assert not record.exists()
    moved = repo / ".memory" / "decisions" / "2026-01-01-custom-keys.md"
    assert "x-review:   {by: jane,   when: 2026-01-02}   # keep me\n" in moved.read_text()
    assert ids("--type", "decision") == [ID]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--set", "status=bogus"],
            "status: expected one of active, proposed, accepted, "
            "superseded, deprecated, rejected, got 'bogus'; nothing was written",
        ),
        (
            ["--set", "type=bogus"],
            "type: expected one of code, decision, episodic, error, fact, "
            "procedural, user (or a type declared in .memory/config.toml); nothing was written",
        ),
        (["--set", "id=abcdabcdabcd"], "id cannot be changed"),
        (["--set", "created=2020-01-01T00:00:00Z"], "created cannot be changed"),
        (["--set", "status"], "bad --set 'status': expected FIELD=VALUE, e.g. status=accepted"),
        (
            ["--set", "paths=../up"],
            "paths: expected repository-relative paths, got '../up' "
            "('..' escapes the repository); nothing was written",
        ),
        (["--set", "links=nope"], "links: expected memory ids, got 'nope'; nothing was written"),
        (["--unset", "title"], "title is required and cannot be removed"),
        (["--unset", "nope"], "nope is not a field of this memory"),
        (["--add-tag", "#x"], "bad tag '#x': use lowercase letters, digits and hyphens"),
    ],
)
def test_invalid_options_write_nothing(record, mem, args, error):
    before = record.stat()
    result = mem("edit", ID, *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"git-mem: error: {error}\n"
    assert record.read_text() == HAND_WRITTEN
    assert record.stat().st_mtime_ns == before.st_mtime_ns


def test_unset(record, mem):
    assert mem("edit", ID, "--unset", "x-review", "--unset", "tags").code == 0
    text = record.read_text()
    assert "x-review" not in text
    assert "tags" not in text
    assert "zz_list:\n  - a\n  -   b\n" in text


def test_add_and_remove_tags(record, mem):
    assert mem("edit", ID, "--add-tag", "Three,two", "--add-tag", "four").code == 0
    assert parse_file(record.read_text(), "x").tags == ["one", "two", "three", "four"]
    assert mem("edit", ID, "--remove-tag", "one,four").code == 0
    assert parse_file(record.read_text(), "x").tags == ["two", "three"]


def test_tag_options_leave_other_hand_written_tags_alone(repo, mem, g):
    path = g.write_record(repo, "facts/t.md", ID, tags="[Big Data, c++]")
    assert mem("edit", ID, "--set", "status=accepted").code == 0
    assert "tags: [Big Data, c++]\n" in path.read_text()
    assert mem("edit", ID, "--add-tag", "new").code == 0
    assert parse_file(path.read_text(), "x").tags == ["Big Data", "c++", "new"]


def test_body_from_stdin_and_argument(record, mem):
    assert mem("edit", ID, "--body", "-", stdin="\n\nNew body\n\nline two\n\n\n").code == 0
    assert record.read_text().endswith("---\n\nNew body\n\nline two\n")
    assert mem("edit", ID, "--body", "Inline").code == 0
    assert record.read_text().endswith("---\n\nInline\n")
    assert "x-review:   {by: jane,   when: 2026-01-02}   # keep me\n" in record.read_text()


def test_updated_is_set(record, mem):
    assert "updated:" not in record.read_text()
    assert mem("edit", ID, "--set", "summary=x").code == 0
    assert re.search("^" + UPDATED_RE, record.read_text(), re.M)


def test_no_op_edit_does_not_rewrite_the_file(record, mem):
    before = record.stat()
    for args in (
        ["--set", "status=active"],
        ["--add-tag", "one"],
        ["--remove-tag", "absent"],
        ["--body", "Body text."],
    ):
        result = mem("edit", ID, *args)
        assert result.code == 0, result.err
        assert result.out == f"no changes to {ID}\n"
    after = record.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert record.read_text() == HAND_WRITTEN


def test_editor_no_change_does_not_rewrite(record, mem, editor):
    editor("true")
    before = record.stat()
    result = mem("edit", ID)
    assert result.code == 0, result.err
    assert result.out == f"no changes to {ID}\n"
    assert record.stat().st_mtime_ns == before.st_mtime_ns
    assert record.read_text() == HAND_WRITTEN


def test_edit_in_the_editor(record, mem, editor, tmp_path):
    seen = tmp_path / "seen.md"
    editor(
        f'cp "$1" {seen}\n'
        'sed -i "s/^Body text.$/Edited body./; s/^tags: \\[one, two\\]$/tags: [one]/" "$1"'
    )
    result = mem("edit", ID[:5])
    assert result.code == 0, result.err
    assert result.out == f"updated {ID} in .memory/facts/custom.md\n"
    # The editor sees the record as gitmem writes it: the design's key order, unknown keys as
    # they were.
    shown = seen.read_text()
    assert shown.startswith(HAND_WRITTEN.split("x-review")[0])
    assert "x-review:   {by: jane,   when: 2026-01-02}   # keep me\n" in shown
    assert shown.endswith("---\n\nBody text.\n")
    text = record.read_text()
    assert text.endswith("---\n\nEdited body.\n")
    assert "tags: [one]\n" in text
    assert "x-review:   {by: jane,   when: 2026-01-02}   # keep me\n" in text
    assert re.search("^" + UPDATED_RE, text, re.M)


def test_invalid_edit_keeps_the_file_and_says_where_the_text_is(record, mem, editor, repo):
    editor('sed -i "s/^type: fact$/type: bogus/; s/^Body text.$/My precious edit./" "$1"')
    result = mem("edit", ID)
    assert result.code == 2
    draft = repo / ".git" / "gitmem" / "edits" / f"{ID}.md"
    assert result.err == (
        f"git-mem: error: {draft}:3: type: expected one of code, decision, episodic, error, "
        "fact, procedural, user (or a type declared in .memory/config.toml); nothing was "
        f"written, your edit is in {draft}\n"
    )
    assert record.read_text() == HAND_WRITTEN
    assert "My precious edit." in draft.read_text()
    assert "type: bogus" in draft.read_text()


def test_broken_yaml_in_the_editor(record, mem, editor, repo):
    editor('sed -i "s/^title: Custom keys$/title: [unclosed/" "$1"')
    result = mem("edit", ID)
    assert result.code == 2
    assert "your edit is in " in result.err
    assert result.err.startswith(f"git-mem: error: {repo / '.git/gitmem/edits' / ID}.md:")
    assert record.read_text() == HAND_WRITTEN


def test_changing_the_id_in_the_editor_is_refused(record, mem, editor, repo):
    editor('sed -i "s/^id: cccc00000001$/id: dddd00000001/" "$1"')
    result = mem("edit", ID)
    assert result.code == 2
    draft = repo / ".git" / "gitmem" / "edits" / f"{ID}.md"
    assert result.err == (
        f"git-mem: error: the id cannot be changed (was {ID}); your edit is in {draft}\n"
    )
    assert record.read_text() == HAND_WRITTEN


def test_failing_editor_changes_nothing(record, mem, editor):
    editor('echo junk > "$1"; exit 1')
    result = mem("edit", ID)
    assert result.code == 128
    assert "exited with 1; your text is in " in result.err
    assert record.read_text() == HAND_WRITTEN


def test_edit_one_document_of_a_note(repo, mem, g):
    head = g.run("rev-parse", "HEAD").strip()
    first = mem("save", "--commit", "HEAD", "-m", "first").saved_id
    second = mem("save", "--commit", "HEAD", "-m", "second").saved_id
    third = mem("save", "--commit", "HEAD", "-m", "third").saved_id
    g.run("notes", "--ref=mem", "append", "-m", "hand-written tail", "HEAD")
    before = g.run("notes", "--ref=mem", "show", "HEAD")
    raw = {rid: mem("show", rid, "--raw").out for rid in (first, second, third)}
    result = mem("edit", second, "--set", "status=accepted", "--add-tag", "x")
    assert result.code == 0, result.err
    assert result.out == f"updated {second} in note:{head}\n"
    after = g.run("notes", "--ref=mem", "show", "HEAD")
    new_second = mem("show", second, "--raw").out
    assert after == before.replace(raw[second], new_second)
    assert after.startswith(raw[first])
    assert raw[third] in after
    assert after.endswith("\nhand-written tail\n")
    doc = yaml.safe_load(new_second)
    assert (doc["status"], doc["tags"], doc["body"]) == ("accepted", ["x"], "second\n")
    assert "updated" in doc
    assert g.run("log", "-1", "--format=%s", "refs/notes/mem") == f"gitmem: edit {second}\n"
    g.fsck(repo)


def test_no_op_edit_of_a_note_makes_no_notes_commit(repo, mem, g):
    record_id = mem("save", "--commit", "HEAD", "-m", "note").saved_id
    tip = g.run("rev-parse", "refs/notes/mem")
    assert mem("edit", record_id, "--set", "status=active").out == f"no changes to {record_id}\n"
    assert g.run("rev-parse", "refs/notes/mem") == tip


def test_edit_a_note_in_the_editor(repo, mem, g, editor):
    record_id = mem("save", "--commit", "HEAD", "-m", "note text").saved_id
    editor('sed -i "s/^note text$/edited note/" "$1"')
    assert mem("edit", record_id).code == 0
    doc = yaml.safe_load(g.run("notes", "--ref=mem", "show", "HEAD"))
    assert doc["body"] == "edited note\n"
    assert doc["id"] == record_id


def test_edit_json(record, mem):
    result = mem("edit", ID, "--set", "status=accepted", "--json")
    assert json.loads(result.out) == {
        "id": ID,
        "changed": True,
        "location": ".memory/facts/custom.md",
    }
    result = mem("edit", ID, "--set", "status=accepted", "--json")
    assert json.loads(result.out)["changed"] is False


def test_edit_unknown_id(repo, mem):
    result = mem("edit", "zzzz", "--set", "status=accepted")
    assert result.code == 1
    assert result.err == "git-mem: error: no memory with an id starting 'zzzz'\n"


def test_edit_end_to_end_with_core_editor(record, g, repo, tmp_path, monkeypatch):
    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\nsed -i "s/^Body text.$/From git./" "$1"\n')
    script.chmod(0o755)
    monkeypatch.delenv("GIT_EDITOR")
    g.run("config", "core.editor", str(script))
    proc = g.git_mem("edit", ID, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"updated {ID} in .memory/facts/custom.md\n"
    assert record.read_text().endswith("\nFrom git.\n")
    g.fsck(repo)


def test_set_metadata_key_and_refuse_body(repo, mem):
    saved = mem("save", "-m", "A fact", "--meta", "sprint=42", "--meta", "team=core")
    record_id = saved.saved_id
    result = mem("edit", record_id, "--set", "metadata.sprint=43")
    assert result.code == 0, result.err
    data = json.loads(mem("show", record_id, "--json").out)
    assert data["metadata"] == {"sprint": 43, "team": "core"}
    refused = mem("edit", record_id, "--set", "body=new")
    assert (refused.code, refused.err) == (
        2,
        "git-mem: error: use --body TEXT (or --body - to read stdin) to change the body\n",
    )


# ------------------------------------------------------------------ unknown keys, renames


def test_set_of_an_unknown_field_is_refused_and_names_the_known_ones(record, mem):
    result = mem("edit", ID, "--set", "nonsense=1")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        "git-mem: error: unknown field 'nonsense': --set takes type, title, updated, author, "
        "status, tags, summary, project, source, tool, commits, paths, links, supersedes, "
        "session, metadata or metadata.KEY; to add a field of your own, use --set-unknown "
        "nonsense=VALUE\n"
    )
    assert record.read_text() == HAND_WRITTEN


def test_set_unknown_adds_a_field_on_purpose(record, mem):
    result = mem("edit", ID, "--set-unknown", "reviewer=alice")
    assert result.code == 0, result.err
    assert result.out == f"updated {ID} in .memory/facts/custom.md\n"
    assert "\nreviewer: alice\n" in record.read_text()
    result = mem("edit", ID, "--set-unknown", "status=accepted")
    assert result.code == 2
    assert result.err == "git-mem: error: status is a known field: use --set status=VALUE\n"


def test_retitle_renames_a_tracked_file_with_git_mv(repo, mem, g):
    saved = mem("save", "--title", "Use Redis for sessions", "-m", "Sessions live in Redis.")
    old = saved.location
    g.run("add", ".memory")
    g.run("commit", "-qm", "memory")
    result = mem("edit", saved.saved_id, "--set", "title=Use Valkey for sessions")
    new = old.replace("use-redis-for-sessions", "use-valkey-for-sessions")
    assert result.code == 0, result.err
    assert result.out == f"updated {saved.saved_id} in {new}\n"
    assert not (repo / old).exists()
    assert "title: Use Valkey for sessions\n" in (repo / new).read_text()
    # Staged the way `git mv` stages it: the rename; the new title is an unstaged change.
    assert g.run("status", "--porcelain") == f"RM {old} -> {new}\n"
    assert mem("show", saved.saved_id[:6]).code == 0


def test_retitle_renames_an_untracked_file_and_keeps_a_chosen_slug(repo, mem):
    saved = mem("save", "--title", "Old name", "-m", "text")
    result = mem("edit", saved.saved_id, "--set", "title=New name")
    assert result.out == f"updated {saved.saved_id} in {saved.location[:-12]}-new-name.md\n"
    assert not (repo / saved.location).exists()
    chosen = mem("save", "--title", "Old name", "--slug", "my-pick", "-m", "text")
    result = mem("edit", chosen.saved_id, "--set", "title=Another name")
    assert result.out == f"updated {chosen.saved_id} in {chosen.location}\n"
    assert chosen.location.endswith("-my-pick.md")
