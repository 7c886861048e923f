"""`git mem sync` merges a record both clones changed field by field: edits of different
fields both survive, only a field both changed differently is a conflict. Two real clones of a
bare remote on disk; every merged record is read back with plain `git notes`."""

from __future__ import annotations

import json
import re

import gitrepo
import pytest


class Team(gitrepo.Team):
    """Clones `git mem init`-ed; saves are notes on commits."""

    def save(self, where, text: str, rev: str = "HEAD") -> str:  # type: ignore[no-untyped-def]
        return self.mem(where, "save", "--commit", rev, "-m", text).saved_id

    def sync(self, where, *args: str):  # type: ignore[no-untyped-def]
        result = self.mem(where, "sync", *args)
        assert result.code == 0, result.err
        return result


@pytest.fixture
def team(tmp_path, g, monkeypatch, mem) -> Team:
    return Team(tmp_path, g, monkeypatch, mem, commits=2, init=True)


def test_edits_of_different_fields_on_two_clones_both_survive(team, g):
    """a adds a tag, b changes the status and drops a tag of the same record: sync merges the
    record field by field against the version both last shared; nothing is a conflict."""
    a, b = team.root / "a", team.clone("b")
    record = team.mem(
        a, "save", "--commit", "HEAD", "-t", "decision", "--tag", "db", "--tag", "legacy",
        "-m", "Use PostgreSQL for sessions",
    ).saved_id  # fmt: skip
    team.sync(a)
    team.sync(b)
    sha = g.run("rev-parse", "HEAD", cwd=a).strip()
    shared = g.run("notes", "--ref=mem", "show", sha, cwd=a)
    assert "tags: [db, legacy]\n" in shared and "status: active\n" in shared
    assert team.mem(a, "edit", record, "--add-tag", "storage").code == 0
    assert (
        team.mem(b, "edit", record, "--set", "status=accepted", "--remove-tag", "legacy").code == 0
    )
    mine = g.run("notes", "--ref=mem", "show", sha, cwd=a)
    theirs = g.run("notes", "--ref=mem", "show", sha, cwd=b)
    assert team.sync(b).out == (
        "fetched 0 records from origin\n"
        "merged: 0 added, 0 removed, 0 updated, 0 conflicts\n"
        "pushed 1 record to origin\n"
    )
    assert team.sync(a).out == (
        "fetched 1 record from origin\n"
        "merged: 0 added, 0 removed, 1 updated, 0 conflicts\n"
        "pushed 1 record to origin\n"
    )
    later = max(re.findall(r"^updated: (.*)$", mine + theirs, re.MULTILINE))
    expected = (
        mine.replace("status: active\n", "status: accepted\n")
        .replace("tags: [db, legacy, storage]\n", "tags: [db, storage]\n")
        .replace(re.search(r"^updated: .*$", mine, re.MULTILINE)[0], f"updated: {later}")
    )
    assert "tags: [db, legacy, storage]\n" in mine and expected != mine
    merged = g.run("notes", "--ref=mem", "show", sha, cwd=a)
    assert merged == expected
    shown = json.loads(team.mem(a, "show", record, "--json").out)
    assert (shown["status"], shown["tags"]) == ("accepted", ["db", "storage"])
    assert team.sync(b).out == (
        "fetched 1 record from origin\n"
        "merged: 0 added, 0 removed, 1 updated, 0 conflicts\n"
        "origin is up to date\n"
    )
    assert g.run("notes", "--ref=mem", "show", sha, cwd=b) == merged
    assert g.run("--git-dir", str(team.remote), "notes", "--ref=mem", "show", sha) == merged
    for clone in (a, b):
        g.fsck(clone)


def test_the_same_field_changed_on_two_clones_is_the_only_conflict(team, g):
    """Both change the status (differently), a also adds a tag and b rewrites the body:
    the status is a conflict the newer edit wins; the tag and the body are both kept."""
    a, b = team.root / "a", team.clone("b")
    record = team.save(a, "Queue jobs in SQS")
    team.sync(a)
    team.sync(b)
    sha = g.run("rev-parse", "HEAD", cwd=a).strip()
    assert team.mem(a, "edit", record, "--set", "status=rejected", "--add-tag", "aws").code == 0
    assert (
        team.mem(b, "edit", record, "--set", "status=accepted", "--body", "We chose SQS.\n").code
        == 0
    )
    # b's edit is stamped later, so the order does not hang on the clock.
    text = g.run("notes", "--ref=mem", "show", sha, cwd=b)
    stamp = re.search(r"^updated: .*$", text, re.MULTILINE)[0]
    later = text.replace(stamp, "updated: 2099-01-01T00:00:00+00:00")
    blob = g.run("hash-object", "-w", "--stdin", cwd=b, input=later).strip()
    g.run("notes", "--ref=mem", "add", "-f", "-C", blob, sha, cwd=b)
    team.sync(b)
    assert team.sync(a).out == (
        "fetched 1 record from origin\n"
        "merged: 0 added, 0 removed, 1 updated, 1 conflict\n"
        f"conflict: {record} on note {sha[:12]}: status changed on both sides; kept the remote "
        "value (updated 2099-01-01T00:00:00+00:00, newer); the local value stays in the notes "
        "history\n"
        "pushed 1 record to origin\n"
    )
    merged = g.run("notes", "--ref=mem", "show", sha, cwd=a)
    assert merged == later.replace("status: accepted\n", "status: accepted\ntags: [aws]\n")
    shown = json.loads(team.mem(a, "show", record, "--json").out)
    assert (shown["status"], shown["tags"], shown["body"]) == (
        "accepted",
        ["aws"],
        "We chose SQS.\n",
    )
    g.fsck(a)
