"""The three-way notes merge and the lazy merge of fetched notes, on real notes commits.

Each merge case builds a base, a local and a remote notes commit with plain `git notes`, then
lets `integrate.integrate` merge the remote tip into refs/notes/mem and reads the result back with
`git notes --ref=mem show`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import assert_fsck_clean, init_repo, sh

from gitmem.store import git, integrate
from gitmem.store.notesmerge import merge_note

REMOTE_REF = "refs/notes/remotes/origin/mem"


def doc(id: str, title: str = "", updated: str | None = None, body: str = "text") -> str:
    """One record document as gitmem writes it (hand-written so the bytes are known)."""
    lines = ["---", f"id: {id}", "type: fact", f"title: {title or 'record ' + id}"]
    lines.append("created: 2026-01-01T10:00:00+00:00")
    if updated:
        lines.append(f"updated: {updated}")
    lines += ["body: |", f"  {body}", ""]
    return "\n".join(lines)


A, B, C = "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"
EARLY, LATE = "2026-02-01T10:00:00+00:00", "2026-03-01T10:00:00+01:00"
PROSE = "Hand-written note, not YAML:\n  indented line\n\nsecond paragraph\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo")


def set_note(repo: Path, text: str | None, rev: str = "HEAD") -> None:
    if text is None:
        sh(repo, "notes", "--ref=mem", "remove", "--ignore-missing", rev)
    else:
        # -C: the blob's bytes as they are (-m and -F would clean up blank lines and spaces)
        blob = sh(repo, "hash-object", "-w", "--stdin", input=text.encode()).strip()
        sh(repo, "notes", "--ref=mem", "add", "-f", "-C", blob, rev)


def tip(repo: Path, ref: str = git.NOTES_REF) -> str:
    return sh(repo, "rev-parse", "--verify", "-q", ref, check=False).strip()


def note(repo: Path, rev: str = "HEAD") -> str | None:
    proc = subprocess.run(["git", "notes", "--ref=mem", "show", rev], cwd=repo, capture_output=True)
    return proc.stdout.decode() if proc.returncode == 0 else None  # bytes as stored: CRLF too


def diverge(repo: Path, base: str | None, local: str | None, remote: str | None) -> str:
    """Notes commits base -> local (refs/notes/mem) and base -> remote (the tracking ref)."""
    if base is not None:
        set_note(repo, base)
    base_tip = tip(repo)
    set_note(repo, remote)
    sh(repo, "update-ref", REMOTE_REF, tip(repo))
    if base_tip:
        sh(repo, "update-ref", git.NOTES_REF, base_tip)
    else:
        sh(repo, "update-ref", "-d", git.NOTES_REF)
    set_note(repo, local)
    return tip(repo, REMOTE_REF)


# (case, base, local, remote, merged note, [(id, winner)] conflicts)
CASES = [
    ("added on both sides", doc(A), doc(A) + doc(B), doc(A) + doc(C), doc(A) + doc(B) + doc(C), []),
    ("added on both, no base note", None, doc(B), doc(C), doc(B) + doc(C), []),
    ("removed on the remote only", doc(A) + doc(B), doc(A) + doc(B), doc(A), doc(A), []),
    ("removed locally only", doc(A) + doc(B), doc(A), doc(A) + doc(B), doc(A), []),
    ("whole note removed remotely", doc(A), doc(A) + doc(B), None, doc(B), []),
    ("changed on the remote only", doc(A) + doc(B), doc(A) + doc(B),
     doc(A, "new", EARLY) + doc(B), doc(A, "new", EARLY) + doc(B), []),
    ("changed on both, remote newer", doc(A), doc(A, "mine", EARLY), doc(A, "theirs", LATE),
     doc(A, "theirs", LATE), [(A, "remote")]),
    ("changed on both, local newer", doc(A), doc(A, "mine", LATE), doc(A, "theirs", EARLY),
     doc(A, "mine", LATE), [(A, "local")]),
    ("changed here, removed there", doc(A) + doc(B), doc(A, "mine", EARLY) + doc(B), doc(B),
     doc(A, "mine", EARLY) + doc(B), [(A, "local")]),
    ("removed here, changed there", doc(A) + doc(B), doc(B), doc(A, "theirs", EARLY) + doc(B),
     doc(B) + doc(A, "theirs", EARLY), [(A, "remote")]),
    ("same change on both sides", doc(A), doc(A, "same", EARLY), doc(A, "same", EARLY),
     doc(A, "same", EARLY), []),
    ("prose note, records added on both", PROSE, PROSE + doc(B), PROSE + doc(C),
     PROSE + doc(B) + doc(C), []),
    ("prose appended on one side, record on the other", doc(A), doc(A) + "\n" + PROSE,
     doc(A) + doc(B), doc(A) + "\n" + PROSE + doc(B), []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "local", "remote", "merged", "conflicts"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_three_way_merge_of_one_note(repo, base, local, remote, merged, conflicts):
    theirs = diverge(repo, base, local, remote)
    ours = tip(repo)
    found = integrate.integrate(git.discover(repo), theirs, "origin's notes")
    assert note(repo) == merged
    assert [(c.id, c.winner) for c in found] == conflicts
    if ours == theirs:  # the same change made in the same second: the very same commit
        assert tip(repo) == ours
    else:
        parents = sh(repo, "rev-parse", f"{git.NOTES_REF}^1", f"{git.NOTES_REF}^2").split()
        assert parents == [ours, theirs]
    assert_fsck_clean(repo)


def test_conflict_says_which_side_won_and_why():
    base, local, remote = doc(A), doc(A, "mine", EARLY), doc(A, "theirs", LATE)
    merged, [conflict] = merge_note("f" * 40, base.encode(), local.encode(), remote.encode())
    assert merged == remote.encode()
    assert integrate.conflict_line(conflict) == (
        "conflict: aaaaaaaaaaaa on note ffffffffffff: title changed on both sides; kept the "
        f"remote value (updated {LATE}, newer); the local value stays in the notes history"
    )


def test_a_tie_is_broken_the_same_way_from_both_sides():
    one, two = doc(A, "one", EARLY), doc(A, "two", EARLY)
    left, _ = merge_note("f" * 40, doc(A).encode(), one.encode(), two.encode())
    right, _ = merge_note("f" * 40, doc(A).encode(), two.encode(), one.encode())
    assert left == right == two.encode()


def test_a_note_only_one_side_changed_is_taken_byte_for_byte(repo):
    odd = "---\nid: aaaaaaaaaaaa\ntype: fact\ntitle: x\ncreated: 2026-01-01T10:00:00Z\r\n"
    odd += "body: |\n  crlf and no offset\n\n\nappended by hand\n"
    theirs = diverge(repo, PROSE, PROSE, odd)
    integrate.integrate(git.discover(repo), theirs, "origin's notes")
    assert note(repo) == odd


def test_notes_on_different_commits_merge_and_fan_out_is_kept(repo):
    sh(repo, "commit", "-q", "--allow-empty", "-m", "second")
    info = git.discover(repo)
    set_note(repo, doc(A), "HEAD~1")
    base = tip(repo)
    set_note(repo, doc(B), "HEAD")
    sh(repo, "update-ref", REMOTE_REF, tip(repo))
    sh(repo, "update-ref", git.NOTES_REF, base)
    set_note(repo, None, "HEAD~1")  # removed here
    set_note(repo, doc(C), "HEAD~1")  # and a new note on the same commit
    integrate.integrate(info, tip(repo, REMOTE_REF), "origin's notes")
    assert note(repo, "HEAD~1") == doc(C)
    assert note(repo, "HEAD") == doc(B)


def test_fast_forward_and_adopt_need_no_merge_commit(repo):
    info = git.discover(repo)
    set_note(repo, doc(A))
    theirs = tip(repo)
    sh(repo, "update-ref", "-d", git.NOTES_REF)
    assert integrate.integrate(info, theirs, "x") == []
    assert tip(repo) == theirs  # adopted
    set_note(repo, doc(A) + doc(B))
    ahead = tip(repo)
    assert integrate.integrate(info, theirs, "x") == []
    assert tip(repo) == ahead  # theirs is already contained
    sh(repo, "update-ref", git.NOTES_REF, theirs)
    integrate.integrate(info, ahead, "x")
    assert tip(repo) == ahead  # fast-forward
    reflog = sh(repo, "reflog", "show", "--format=%gs", git.NOTES_REF)
    assert reflog.splitlines()[0] == "gitmem: sync: fast-forward to x"


def test_unrelated_histories_merge_as_a_union(repo):
    info = git.discover(repo)
    set_note(repo, doc(A))
    theirs = tip(repo)
    sh(repo, "update-ref", REMOTE_REF, theirs)
    sh(repo, "update-ref", "-d", git.NOTES_REF)
    set_note(repo, doc(B))  # a fresh notes history: no merge base
    assert sh(repo, "merge-base", tip(repo), theirs, check=False) == ""
    integrate.integrate(info, theirs, "origin's notes")
    assert note(repo) == doc(B) + doc(A)


# ------------------------------------------------------------------ lazy merge of fetched notes


def test_merge_fetched_merges_once_and_then_costs_nothing(repo):
    info = git.discover(repo)
    theirs = diverge(repo, doc(A), doc(A) + doc(B), doc(A) + doc(C))
    messages = integrate.merge_fetched(info)
    assert messages == [
        "git-mem: merged notes fetched from origin: 1 added, 0 removed, 0 updated, 0 conflicts"
    ]
    assert note(repo) == doc(A) + doc(B) + doc(C)
    assert (info.state_dir / integrate.STATE_FILE).read_text() == f"{REMOTE_REF} {theirs}\n"
    merged = tip(repo)
    assert integrate.merge_fetched(info) == []
    assert tip(repo) == merged


def test_merge_fetched_nothing_to_do_does_not_load_pygit2(repo):
    code = (
        "import sys; from gitmem.store import git; from gitmem.store import integrate; "
        "print(integrate.merge_fetched(git.discover()), 'pygit2' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert proc.stdout == "[] False\n", proc.stderr
    set_note(repo, doc(A))
    behind = tip(repo)
    set_note(repo, doc(A) + doc(B))
    sh(repo, "update-ref", REMOTE_REF, tip(repo))
    sh(repo, "update-ref", git.NOTES_REF, behind)
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert proc.stdout == (  # a fast-forward needs no pygit2 either
        "['git-mem: merged notes fetched from origin: 1 added, 0 removed, 0 updated, "
        "0 conflicts'] False\n"
    )
    assert note(repo) == doc(A) + doc(B)
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert proc.stdout == "[] False\n", proc.stderr  # remembered in the state file


def test_merge_fetched_finds_a_packed_tracking_ref_and_runs_no_git_without_one(
    repo, tmp_path, monkeypatch
):
    """The ref files say whether a tracking ref may exist (a read command's usual case: none,
    no git process); packed by `git pack-refs` it is still merged."""
    info = git.discover(repo)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert integrate.merge_fetched(info) == []
    assert not trace.exists()  # no git process at all
    monkeypatch.delenv("GIT_TRACE")
    diverge(repo, doc(A), doc(A) + doc(B), doc(A) + doc(C))
    sh(repo, "pack-refs", "--all")
    assert not (info.common_dir / integrate.TRACKING_PREFIX).exists()  # only in packed-refs
    assert integrate.merge_fetched(info) == [
        "git-mem: merged notes fetched from origin: 1 added, 0 removed, 0 updated, 0 conflicts"
    ]
    assert note(repo) == doc(A) + doc(B) + doc(C)


def test_merge_fetched_warns_and_goes_on_when_it_cannot_merge(repo):
    info = git.discover(repo)
    blob = sh(repo, "hash-object", "-w", "--stdin", input=b"not a commit\n").strip()
    sh(repo, "update-ref", REMOTE_REF, blob)
    [message] = integrate.merge_fetched(info)
    assert re.fullmatch(
        r"git-mem: warning: could not merge fetched notes \(refs/notes/remotes/origin/mem points"
        r" at a blob, not a commit; .*\); run `git mem sync` to retry",
        message,
    )


def test_merge_fetched_reports_conflicts(repo):
    diverge(repo, doc(A), doc(A, "mine", LATE), doc(A, "theirs", EARLY))
    sha = sh(repo, "rev-parse", "HEAD").strip()
    assert integrate.merge_fetched(git.discover(repo)) == [
        "git-mem: merged notes fetched from origin: 0 added, 0 removed, 0 updated, 1 conflict",
        f"git-mem: conflict: {A} on note {sha[:12]}: title changed on both sides; kept the "
        f"local value (updated {LATE}, newer); the remote value stays in the notes history",
    ]
    assert note(repo) == doc(A, "mine", LATE)


# ------------------------------------------------------------------ merging one record by field


def rec(
    updated: str | None = None,
    status: str = "active",
    tags: str = "[db, legacy]",
    links: str | None = None,
    body: str = "text",
    title: str = "record",
) -> str:
    """Record A as gitmem writes it, with the fields these cases change."""
    lines = ["---", f"id: {A}", "type: decision", f"title: {title}"]
    lines.append("created: 2026-01-01T10:00:00+00:00")
    if updated:
        lines.append(f"updated: {updated}")
    lines += [f"status: {status}", f"tags: {tags}"]
    if links:
        lines.append(f"links: {links}")
    lines += ["body: |", f"  {body}", ""]
    return "\n".join(lines)


# (case, base, local, remote, merged note, [(id, winner, reason starts)] conflicts)
FIELD_CASES = [
    ("a tag added here, the status changed there", rec(),
     rec(EARLY, tags="[db, legacy, storage]"), rec(LATE, status="accepted"),
     rec(LATE, status="accepted", tags="[db, legacy, storage]"), []),
    ("tags added and removed on both sides, as sets", rec(),
     rec(LATE, tags="[db, storage]"), rec(EARLY, tags="[legacy, aws]"),
     rec(LATE, tags="[storage, aws]"), []),
    ("links added on both sides, the body changed on one", rec(),
     rec(EARLY, links=f"[{B}]"), rec(LATE, links=f"[{C}]", body="new text"),
     rec(LATE, links=f"[{C}, {B}]", body="new text"), []),
    ("the title here, the body there", rec(),
     rec(EARLY, title="better title"), rec(LATE, body="new text"),
     rec(LATE, title="better title", body="new text"), []),
    ("the same status both ways, tags apart", rec(),
     rec(EARLY, status="accepted", tags="[db]"),
     rec(LATE, status="accepted", tags="[db, legacy, x]"),
     rec(LATE, status="accepted", tags="[db, x]"), []),
    ("the status both ways differently: the only conflict", rec(),
     rec(LATE, status="rejected", tags="[db, legacy, aws]"), rec(EARLY, status="accepted"),
     rec(LATE, status="rejected", tags="[db, legacy, aws]"), [(A, "local", "status changed")]),
    ("status and body both ways: one conflict naming both", rec(),
     rec(EARLY, status="rejected", body="mine"), rec(LATE, status="accepted", body="theirs",
                                                     tags="[db, legacy, aws]"),
     rec(LATE, status="accepted", body="theirs", tags="[db, legacy, aws]"),
     [(A, "remote", "status and body changed")]),
    ("added on both sides with no base: lists as a union", None,
     rec(EARLY, tags="[db]"), rec(LATE, tags="[aws]"),
     rec(LATE, tags="[aws, db]"), []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "local", "remote", "merged", "conflicts"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_a_record_changed_on_both_sides_merges_field_by_field(
    repo, base, local, remote, merged, conflicts
):
    theirs = diverge(repo, base, local, remote)
    ours = tip(repo)
    found = integrate.integrate(git.discover(repo), theirs, "origin's notes")
    assert note(repo) == merged
    assert [(c.id, c.winner) for c in found] == [(i, w) for i, w, _ in conflicts]
    for conflict, (_i, _w, start) in zip(found, conflicts, strict=True):
        assert conflict.reason.startswith(f"{start} on both sides; kept the {conflict.winner} ")
    parents = sh(repo, "rev-parse", f"{git.NOTES_REF}^1", f"{git.NOTES_REF}^2").split()
    assert parents == [ours, theirs]
    assert_fsck_clean(repo)
    # Every clone merging the same two versions gets the same bytes.
    sha = "f" * 40
    encoded = [None if t is None else t.encode() for t in (base, local, remote)]
    there, _ = merge_note(sha, encoded[0], encoded[2], encoded[1])
    assert there == merged.encode()


def test_a_two_field_conflict_reason():
    base = rec()
    local = rec(EARLY, status="rejected", body="mine")
    remote = rec(LATE, status="accepted", body="b")
    _merged, [conflict] = merge_note("f" * 40, base.encode(), local.encode(), remote.encode())
    assert integrate.conflict_line(conflict) == (
        "conflict: aaaaaaaaaaaa on note ffffffffffff: status and body changed on both sides; "
        f"kept the remote values (updated {LATE}, newer); the local values stay in the notes "
        "history"
    )
