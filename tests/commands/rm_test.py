"""`git mem rm`: a file is deleted; a note loses one document, and goes when it is empty."""

from __future__ import annotations

import json

import yaml


def commit_memory(g):
    g.run("add", ".memory")
    g.run("commit", "-qm", "memory")


def test_rm_deletes_the_file(repo, mem, g, ids):
    saved = mem("save", "-m", "Short lived")
    record_id, location = saved.saved_id, saved.location
    keep = mem("save", "-m", "Keeper").saved_id
    commit_memory(g)
    result = mem("rm", record_id[:6])
    assert result.code == 0, result.err
    assert result.out == f"removed {record_id} (Short lived) from {location}\n"
    assert result.err == ""
    assert not (repo / location).exists()
    assert ids() == [keep]
    result = mem("show", record_id)
    assert result.code == 1
    g.fsck(repo)


def test_rm_one_record_of_a_note_with_two(repo, mem, g, ids):
    head = g.run("rev-parse", "HEAD").strip()
    first = mem("save", "--commit", "HEAD", "-m", "first").saved_id
    second = mem("save", "--commit", "HEAD", "-m", "second").saved_id
    second_raw = mem("show", second, "--raw").out
    result = mem("rm", first)
    assert result.code == 0, result.err
    assert result.out == f"removed {first} (first) from note:{head}\n"
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert note == second_raw
    assert [doc["id"] for doc in yaml.safe_load_all(note)] == [second]
    assert ids() == [second]
    assert g.run("log", "-1", "--format=%s", "refs/notes/mem") == f"gitmem: rm {first}\n"
    g.fsck(repo)


def test_rm_the_last_record_removes_the_note(repo, mem, g, ids):
    (repo / "f").write_text("x")
    g.run("add", "f")
    g.run("commit", "-qm", "second")
    other = mem("save", "--commit", "HEAD~1", "-m", "on the first commit").saved_id
    record_id = mem("save", "--commit", "HEAD", "-m", "only one").saved_id
    assert mem("rm", record_id).code == 0
    proc = g.proc("notes", "--ref=mem", "show", "HEAD")
    assert proc.returncode == 1
    assert "no note found" in proc.stderr
    assert g.run("notes", "--ref=mem", "list").split() == [
        g.run("notes", "--ref=mem", "list", "HEAD~1").strip(),
        g.run("rev-parse", "HEAD~1").strip(),
    ]
    assert ids() == [other]
    # The last note of all: the notes ref stays, with an empty tree.
    assert mem("rm", other).code == 0
    assert g.run("notes", "--ref=mem", "list") == ""
    assert ids() == []
    g.fsck(repo)


def test_rm_keeps_hand_written_text_in_the_note(repo, mem, g):
    record_id = mem("save", "--commit", "HEAD", "-m", "gitmem record").saved_id
    g.run("notes", "--ref=mem", "append", "-m", "by hand", "HEAD")
    assert mem("rm", record_id).code == 0
    assert g.run("notes", "--ref=mem", "show", "HEAD").strip() == "by hand"


def test_rm_a_hand_written_note(repo, mem, g, ids):
    g.run("notes", "--ref=mem", "add", "-m", "written by hand", "HEAD")
    (record_id,) = ids()
    assert mem("rm", record_id).out.startswith(f"removed {record_id} (written by hand) from note:")
    assert g.proc("notes", "--ref=mem", "show", "HEAD").returncode == 1


def test_rm_warns_about_referrers(repo, mem, g):
    target = mem("save", "-m", "target").saved_id
    referrer = mem("save", "--link", target, "-m", "referrer").saved_id
    commit_memory(g)
    result = mem("rm", target)
    assert result.code == 0
    assert result.err == (
        f"git-mem: warning: still referenced by {referrer} (links/supersedes): `git mem doctor` "
        "will report it; edit those records, or use rm --clean-links\n"
    )


def test_rm_json(repo, mem, g):
    saved = mem("save", "-m", "x")
    commit_memory(g)
    result = mem("rm", saved.saved_id, "--json")
    assert json.loads(result.out) == {
        "id": saved.saved_id,
        "removed": saved.location,
        "referenced_by": [],
        "cleaned": [],
    }


def test_rm_refuses_ambiguous_and_unknown(repo, mem, g):
    g.write_record(repo, "facts/a.md", "abcd00000001")
    g.write_record(repo, "facts/b.md", "abcd00000002")
    result = mem("rm", "abcd")
    assert result.code == 2
    assert result.err.startswith("git-mem: error: id prefix 'abcd' is ambiguous: ")
    assert (repo / ".memory" / "facts" / "a.md").exists()
    assert (repo / ".memory" / "facts" / "b.md").exists()
    result = mem("rm", "zzzz")
    assert result.code == 1
    assert result.err == "git-mem: error: no memory with an id starting 'zzzz'\n"


def test_rm_end_to_end(repo, g):
    proc = g.git_mem("save", "--commit", "HEAD", "-m", "note", cwd=repo)
    record_id = proc.stdout.split()[1]
    proc = g.git_mem("rm", record_id, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert g.proc("notes", "--ref=mem", "show", "HEAD", cwd=repo).returncode == 1
    g.fsck(repo)


# ------------------------------------------------------------------ uncommitted work, links


def test_rm_refuses_an_untracked_file_without_force(repo, mem, ids):
    saved = mem("save", "-m", "Written a minute ago")
    result = mem("rm", saved.saved_id)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"git-mem: error: {saved.location} is untracked: removing it would lose it for good; "
        "commit it first, or pass --force\n"
    )
    assert (repo / saved.location).exists()
    result = mem("rm", saved.saved_id, "--force")
    assert result.code == 0, result.err
    assert result.out == f"removed {saved.saved_id} (Written a minute ago) from {saved.location}\n"
    assert ids() == []


def test_rm_refuses_a_file_changed_since_the_last_commit(repo, mem, g):
    saved = mem("save", "-m", "Committed once")
    commit_memory(g)
    assert mem("edit", saved.saved_id, "--add-tag", "later").code == 0
    result = mem("rm", saved.saved_id)
    assert result.code == 2
    assert result.err == (
        f"git-mem: error: {saved.location} is modified since the last commit: removing it "
        "would lose it for good; commit it first, or pass --force\n"
    )
    g.run("add", ".memory")  # staged, not committed: still refused
    result = mem("rm", saved.saved_id)
    assert result.code == 2
    assert "is modified since the last commit" in result.err
    g.run("commit", "-qm", "tag")
    assert mem("rm", saved.saved_id).code == 0


def test_rm_a_superseded_record_with_clean_links_keeps_doctor_happy(repo, mem, g):
    assert mem("init").code == 0
    saved = mem("save", "-t", "decision", "-m", "Use MySQL")
    old = saved.saved_id
    new = mem("save", "-t", "decision", "--supersedes", old, "-m", "Use PostgreSQL").saved_id
    other = mem("save", "--link", old, "-m", "Why MySQL was tried").saved_id
    commit_memory(g)
    result = mem("rm", old, "--clean-links")
    assert result.code == 0, result.err
    head, *cleaned = result.out.splitlines()
    assert head == f"removed {old} (Use MySQL) from {saved.location}"
    assert sorted(cleaned) == sorted(f"removed the reference to it from {r}" for r in (new, other))
    assert result.err == ""
    assert "supersedes" not in mem("show", new, "--raw").out
    assert "links" not in mem("show", other, "--raw").out
    result = mem("doctor")
    assert result.code == 0, result.out


def test_rm_a_superseded_record_without_clean_links_names_who_points_at_it(repo, mem, g):
    old = mem("save", "-t", "decision", "-m", "Use MySQL").saved_id
    new = mem("save", "-t", "decision", "--supersedes", old, "-m", "Use PostgreSQL").saved_id
    commit_memory(g)
    result = mem("rm", old)
    assert result.code == 0
    assert result.err == (
        f"git-mem: warning: still referenced by {new} (links/supersedes): `git mem doctor` "
        "will report it; edit those records, or use rm --clean-links\n"
    )
    assert mem("doctor").code == 1
