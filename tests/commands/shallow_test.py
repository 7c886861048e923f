"""Shallow and partial clones (issue 15, case 9): a note on a commit the clone does not have is
not called dangling. Doctor says it cannot tell, suggests no pruning, and does not fail."""

from __future__ import annotations

import json

import pytest


def _origin_with_notes(repo, mem, g) -> list[str]:
    """Three commits, a note on each; returns their shas, oldest first."""
    assert mem("init").code == 0
    shas = []
    for n in range(3):
        (repo / f"f{n}").write_text(f"{n}\n")
        g.run("add", f"f{n}")
        g.run("commit", "-q", "-m", f"commit {n}")
        shas.append(g.run("rev-parse", "HEAD").strip())
        assert mem("save", "--commit", "HEAD", "-m", f"About commit {n}").code == 0
    return shas


@pytest.mark.slow
def test_doctor_in_a_shallow_clone_cannot_tell_and_suggests_no_prune(tmp_path, repo, mem, g):
    shas = _origin_with_notes(repo, mem, g)
    clone = tmp_path / "clone"
    g.run("clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    g.run("fetch", "-q", "origin", "refs/notes/mem:refs/notes/mem", cwd=clone)
    assert g.proc("cat-file", "-e", shas[0], cwd=clone).returncode != 0
    assert g.git_mem("init", cwd=clone).returncode == 0

    doctor = g.git_mem("doctor", cwd=clone)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert doctor.stdout == (
        "cannot tell whether the commits of 2 notes still exist: this shallow clone does not "
        "have them (run `git fetch --unshallow`, then doctor again; do not prune these notes)\n"
        "no problems in 3 records\n"
    )
    assert "prune`" not in doctor.stdout and "no longer exists" not in doctor.stdout
    document = json.loads(g.git_mem("doctor", "--json", cwd=clone).stdout)
    assert document["problems"] == []
    assert sorted(document["undecided_notes"]) == sorted(shas[:2])

    # Every record is still read, and nothing was dropped from the notes.
    listed = json.loads(g.git_mem("list", "--json", cwd=clone).stdout)["records"]
    assert len(listed) == 3
    assert len(g.run("notes", "--ref=mem", "list", cwd=clone).splitlines()) == 3

    g.run("fetch", "-q", "--unshallow", cwd=clone)
    assert g.git_mem("doctor", cwd=clone).stdout == "no problems in 3 records\n"


def test_a_complete_clone_still_reports_a_note_on_a_commit_that_is_gone(repo, mem, g):
    # The other side of the rule: only an incomplete history makes doctor unsure.
    assert mem("init").code == 0
    tree = g.run("rev-parse", "HEAD^{tree}").strip()
    orphan = g.run("commit-tree", tree, "-m", "soon gone").strip()
    assert mem("save", "--commit", orphan, "-m", "about a doomed commit").code == 0
    g.run("reflog", "expire", "--expire=now", "--all")
    g.run("gc", "-q", "--prune=now")
    result = mem("doctor", "--json")
    assert result.code == 1
    assert json.loads(result.out)["undecided_notes"] == []
