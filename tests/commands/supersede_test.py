"""`git mem supersede OLD NEW`: OLD reads as superseded, NEW lists OLD in `supersedes`."""

from __future__ import annotations

import json

import yaml

from gitmem.store.front_matter import parse_file


def test_supersede_files(repo, mem, g, ids):
    old = mem("save", "-t", "decision", "-m", "Use MySQL")
    new = mem("save", "-t", "decision", "-m", "Use PostgreSQL")
    result = mem("supersede", old.saved_id[:5], new.saved_id[:5])
    assert result.code == 0, result.err
    assert result.out == f"{old.saved_id} (Use MySQL) is superseded by {new.saved_id}\n"
    old_memory = parse_file((repo / old.location).read_text(), "x")
    new_memory = parse_file((repo / new.location).read_text(), "x")
    assert old_memory.status == "superseded"
    assert old_memory.updated is not None
    assert new_memory.supersedes == [old.saved_id]
    assert new_memory.status == "active"
    # list hides the old one; --all shows it.
    assert ids() == [new.saved_id]
    # (both created in the same second: the order between them is by id)
    assert sorted(ids("--all")) == sorted([new.saved_id, old.saved_id])
    assert ids("--status", "superseded") == [old.saved_id]
    g.fsck(repo)


def test_supersede_is_idempotent(repo, mem):
    old = mem("save", "-m", "old")
    new = mem("save", "-m", "new")
    assert mem("supersede", old.saved_id, new.saved_id).code == 0
    texts = [(repo / r.location).read_text() for r in (old, new)]
    result = mem("supersede", old.saved_id, new.saved_id)
    assert result.code == 0
    assert [(repo / r.location).read_text() for r in (old, new)] == texts


def test_supersede_notes(repo, mem, g, ids):
    old = mem("save", "--commit", "HEAD", "-m", "old note").saved_id
    new = mem("save", "--commit", "HEAD", "-m", "new note").saved_id
    assert mem("supersede", old, new).code == 0
    docs = {
        doc["id"]: doc for doc in yaml.safe_load_all(g.run("notes", "--ref=mem", "show", "HEAD"))
    }
    assert docs[old]["status"] == "superseded"
    assert docs[new]["supersedes"] == [old]
    assert ids() == [new]
    assert set(ids("--all")) == {old, new}
    g.fsck(repo)


def test_a_file_superseding_a_note(repo, mem, ids):
    old = mem("save", "--commit", "HEAD", "-m", "old note").saved_id
    new = mem("save", "-m", "new file")
    assert mem("supersede", old, new.saved_id).code == 0
    assert parse_file((repo / new.location).read_text(), "x").supersedes == [old]
    assert ids() == [new.saved_id]


def test_listing_in_supersedes_alone_hides_the_old_record(repo, mem, g, ids):
    # A hand-edited `supersedes` is enough: the old record reads as superseded.
    old = mem("save", "-m", "old").saved_id
    new = mem("save", "-m", "new")
    assert mem("edit", new.saved_id, "--set", f"supersedes={old}").code == 0
    assert ids() == [new.saved_id]
    assert sorted(ids("--all")) == sorted([new.saved_id, old])


def test_supersede_itself_is_refused(repo, mem):
    record_id = mem("save", "-m", "x").saved_id
    result = mem("supersede", record_id, record_id[:4])
    assert result.code == 2
    assert result.err == "git-mem: error: a memory cannot supersede itself\n"


def test_supersede_unknown(repo, mem):
    record_id = mem("save", "-m", "x").saved_id
    result = mem("supersede", "zzzz", record_id)
    assert result.code == 1
    assert result.err == "git-mem: error: no memory with an id starting 'zzzz'\n"


def test_supersede_json(repo, mem):
    old = mem("save", "-m", "old").saved_id
    new = mem("save", "-m", "new").saved_id
    result = mem("supersede", old, new, "--json")
    assert json.loads(result.out) == {"old": old, "new": new}


def test_supersede_end_to_end(repo, g):
    old = g.git_mem("save", "-m", "old", cwd=repo).stdout.split()[1]
    new = g.git_mem("save", "-m", "new", cwd=repo).stdout.split()[1]
    proc = g.git_mem("supersede", old, new, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    listing = g.git_mem("list", cwd=repo).stdout
    assert new in listing and old not in listing
    assert old in g.git_mem("list", "--all", cwd=repo).stdout
