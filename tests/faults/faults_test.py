"""Fault injection (issue 15): every write path, SIGKILLed at random points.

For each path (file save, note save, edit, capture, sync merge, checkpoint save, import, session
end, reindex) the real `git mem` runs several times and its process group is killed after a
random delay; then `git fsck --strict` must be clean, every acknowledged write (a run that
exited 0) must be there, and the next command must work without a traceback. The size fits
CI; `GITMEM_FAULT_RUNS=20` runs more, `GITMEM_FAULT_SEED` replays one (faultkit.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from faultkit import SEED, fsck_strict, hammer, records, run_ok

pytestmark = pytest.mark.slow


@pytest.fixture
def ready(repo: Path, mem: Any) -> Path:
    assert mem("init").code == 0
    return repo


def _ids(runs: list[Any]) -> set[str]:
    return {run.out.split()[1] for run in runs if run.out.startswith("saved ")}


def test_file_save(ready: Path) -> None:
    result = hammer(ready, lambda i: ["save", "-m", f"Fault file {i}"])
    fsck_strict(ready, SEED)
    listed = {r["id"] for r in records(ready, SEED)}
    assert _ids(result.acked) <= listed, f"seed {SEED}"
    run_ok(["save", "-m", "After the faults"], ready, SEED)


def test_note_save(ready: Path) -> None:
    result = hammer(ready, lambda i: ["save", "--commit", "HEAD", "-m", f"Fault note {i}"])
    fsck_strict(ready, SEED)
    listed = {r["id"] for r in records(ready, SEED)}
    assert _ids(result.acked) <= listed, f"seed {SEED}"
    run_ok(["save", "--commit", "HEAD", "-m", "After the faults"], ready, SEED)
    run_ok(["doctor"], ready, SEED)


@pytest.mark.parametrize("where", ["file", "note"])
def test_edit(ready: Path, where: str) -> None:
    extra = ["--commit", "HEAD"] if where == "note" else []
    record_id = run_ok(["save", *extra, "-m", "Edited under fire"], ready, SEED).split()[1]
    result = hammer(ready, lambda i: ["edit", record_id, "--set", f"title=Fault edit {i}"])
    fsck_strict(ready, SEED)
    title = json.loads(run_ok(["show", record_id, "--json"], ready, SEED))["title"]
    last_acked = max(run.index for run in result.acked)
    # Never older than the last acknowledged edit (a killed run may have written its own).
    assert int(title.rsplit(" ", 1)[1]) >= last_acked, f"seed {SEED}: {title}"
    run_ok(["edit", record_id, "--set", "title=After the faults"], ready, SEED)


def test_capture(ready: Path, g: Any) -> None:
    for n in range(4):
        (ready / f"f{n}").write_text(f"{n}\n")
        g.run("add", f"f{n}")
        g.run("commit", "-q", "-m", f"Change {n}\n\nDecision: Use fault {n}")
    result = hammer(ready, lambda i: ["capture"])
    fsck_strict(ready, SEED)
    titles = sorted(r["title"] for r in records(ready, SEED))
    assert result.acked  # the first run always is
    # Every decision captured exactly once: a killed run neither loses nor duplicates one.
    assert titles == [f"Use fault {n}" for n in range(4)], f"seed {SEED}: {titles}"
    run_ok(["capture"], ready, SEED)


def _note_doc(record_id: str, title: str) -> str:
    return (
        f"---\nid: {record_id}\ntype: fact\ntitle: {title}\n"
        "created: 2026-01-01T00:00:00+00:00\nbody: |\n  text\n"
    )


def _add_note(g: Any, where: Path, record_id: str) -> None:
    """A record appended to HEAD's note with plain git (fast: no `git mem` process)."""
    old = g.proc("notes", "--ref=mem", "show", "HEAD", cwd=where).stdout
    old = old if old.startswith("---") else ""  # no note yet: git printed nothing
    text = old + _note_doc(record_id, f"Record {record_id}")
    g.run("notes", "--ref=mem", "add", "-f", "-F", "-", "HEAD", cwd=where, input=text)


def test_sync_merge(ready: Path, g: Any, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    g.run("init", "-q", "--bare", str(origin))
    g.run("remote", "add", "origin", str(origin))
    g.run("push", "-q", "origin", "main")
    run_ok(["save", "--commit", "HEAD", "-m", "Before the faults"], ready, SEED)
    run_ok(["sync"], ready, SEED)
    peer = tmp_path / "peer"
    g.run("clone", "-q", "-b", "main", str(origin), str(peer))
    g.run("fetch", "-q", "origin", "refs/notes/mem:refs/notes/mem", cwd=peer)
    g.run("config", "user.name", "Peer", cwd=peer)
    g.run("config", "user.email", "peer@example.com", cwd=peer)
    theirs: list[str] = []
    mine: list[str] = []

    def diverge(index: int) -> None:
        # Both sides change the note on the same commit between syncs: a real merge each time.
        theirs.append(f"feed{index:08d}")
        g.run("fetch", "-q", "origin", "+refs/notes/mem:refs/notes/mem", cwd=peer)  # catch up
        _add_note(g, peer, theirs[-1])
        g.run("push", "-q", "origin", "refs/notes/mem", cwd=peer)
        mine.append(f"beef{index:08d}")
        _add_note(g, ready, mine[-1])

    result = hammer(ready, lambda i: ["sync"], before=diverge)
    fsck_strict(ready, SEED)
    local = {r["id"] for r in records(ready, SEED)}
    assert set(mine) <= local, f"seed {SEED}: a local record was lost"
    for run in result.acked:
        assert set(theirs[: run.index + 1]) <= local, f"seed {SEED}: run {run.index}"
    run_ok(["sync"], ready, SEED)
    local = {r["id"] for r in records(ready, SEED)}
    assert set(mine) | set(theirs) <= local, f"seed {SEED}"
    remote_notes = g.run("notes", "--ref=mem", "show", "main", cwd=origin)
    assert all(record_id in remote_notes for record_id in mine + theirs), f"seed {SEED}"
    fsck_strict(origin, SEED)


def test_checkpoint_save(ready: Path) -> None:
    def change(index: int) -> None:
        (ready / "work.txt").write_text(f"draft {index}\n")

    result = hammer(
        ready, lambda i: ["checkpoint", "save", "--name", "wip", "--stage", f"s{i}"], before=change
    )
    fsck_strict(ready, SEED)
    listed = json.loads(run_ok(["checkpoint", "list", "--json"], ready, SEED))
    stages = {c.get("stage") for c in _checkpoints(listed)}
    assert {f"s{run.index}" for run in result.acked} <= stages, f"seed {SEED}: {stages}"
    run_ok(["checkpoint", "save", "--name", "wip", "--stage", "after"], ready, SEED)


def _checkpoints(listed: Any) -> list[dict[str, Any]]:
    """Every checkpoint in `checkpoint list --json`, whatever its nesting."""
    found: list[dict[str, Any]] = []
    stack = [listed]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "stage" in item:
                found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_import(ready: Path, tmp_path: Path) -> None:
    def chat(index: int) -> Path:
        path = tmp_path / f"chat-{index}.jsonl"
        lines = [{"role": "user", "content": f"question {index}.{n}"} for n in range(20)]
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        return path

    result = hammer(ready, lambda i: ["import", str(chat(i)), "--json"])
    fsck_strict(ready, SEED)
    sessions = json.loads(run_ok(["session", "list", "--json"], ready, SEED))
    known = json.dumps(sessions)
    for run in result.acked:
        for session in json.loads(run.out)["sessions"]:
            assert session["id"] in known, f"seed {SEED}: run {run.index}"
    again = json.loads(run_ok(["import", str(chat(0)), "--json"], ready, SEED))
    assert again["messages_added"] == 0  # the first run's import is whole: nothing twice


def test_session_end(ready: Path) -> None:
    def start(index: int) -> None:
        # --replace parks a session a killed `end` left active (it can be ended later).
        run_ok(["session", "start", "--replace", "--label", f"fault {index}"], ready, SEED)
        run_ok(["session", "log", f"message {index}"], ready, SEED)

    result = hammer(
        ready, lambda i: ["session", "end", "--summary", f"Fault summary {i}"], before=start
    )
    fsck_strict(ready, SEED)
    titles = {r["title"] for r in records(ready, SEED)}
    for run in result.acked:
        assert any(f"Fault summary {run.index}" in title for title in titles), f"seed {SEED}"
    # The next command works; an end killed half way is finished by running it again.
    run_ok(["session", "list"], ready, SEED)


def test_reindex(ready: Path) -> None:
    for n in range(5):
        run_ok(["save", "-m", f"Indexed {n}"], ready, SEED)
    before = sorted(r["id"] for r in records(ready, SEED))
    hammer(ready, lambda i: ["reindex"] if i % 2 else ["reindex", "--full"])
    fsck_strict(ready, SEED)
    assert sorted(r["id"] for r in records(ready, SEED)) == before, f"seed {SEED}"
    found = json.loads(run_ok(["search", "Indexed", "--json"], ready, SEED))
    assert len(found["hits"]) == 5, f"seed {SEED}"
