"""The warm index service with real processes: answers byte-identical to the in-process ones,
changes between two commands seen by the second, and every failure (a service killed
mid-request, a stale socket, another version, a timeout, a moved or deleted repository)
ending in a correct in-process answer without a traceback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from servicekit import (
    OFF,
    alive,
    assert_same,
    eventually,
    gm,
    kill,
    run,
    served,
    service_pid,
    status,
)

from gitmem.semantic import model
from gitmem.service import paths, protocol

pytestmark = pytest.mark.slow

DECISION = """\
---
id: 7k3q9x2m4pva
type: decision
title: Use PostgreSQL over MongoDB
created: 2026-11-20T14:03:11+00:00
tags: [database, adr]
---

JSONB covers the flexible parts; migrations stay in alembic.
"""
FACT = """\
---
id: 3h8d2kqw9xzb
type: fact
title: Staging resets every Sunday
created: 2026-11-21T09:00:00+00:00
---

The staging database is reset from production every Sunday night.
"""


@pytest.fixture(autouse=True)
def runtime_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A short private runtime directory of the test's own for the sockets; the service as a
    user has it (the root conftest turns it off for every other test)."""
    path = Path(tempfile.mkdtemp(prefix="gm"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(path))
    monkeypatch.delenv("GITMEM_SERVICE")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def memory(repo: Path) -> Iterator[Path]:
    """A repository with two records, committed; any service started in it is stopped after."""
    (repo / ".memory" / "decisions").mkdir(parents=True)
    (repo / ".memory" / "facts").mkdir()
    (repo / ".memory/decisions/2026-11-20-use-postgresql.md").write_text(DECISION)
    (repo / ".memory/facts/2026-11-21-staging-resets.md").write_text(FACT)
    subprocess.run(["git", "add", ".memory"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "memories"], cwd=repo, check=True)
    gm(repo, "list")  # the index, built once in process
    yield repo
    _stop(repo)


def _stop(repo: Path) -> None:
    """Stop the repository's service, and make sure it is gone (a test may have confused it)."""
    info = repo / ".git/gitmem/service/service.json"
    pid = json.loads(info.read_text())["pid"] if info.exists() else None
    run(repo, "service", "stop")
    if pid is not None:
        kill(pid)


def start(repo: Path, env: dict[str, str] | None = None) -> int:
    answer = run(repo, "service", "start", env=env)
    assert answer.code == 0, answer.err.decode()
    return service_pid(repo)


READS = [
    ("search", "postgres"),
    ("search", "postgres", "--json"),
    ("search", "staging", "database", "-n", "1", "--type", "fact"),
    ("search", "postgres", "-mongodb"),
    ("search", "nothingmatchesthis"),
    ("search", "postgrse"),
    ("search", "postgres", "--ids"),
    ("list",),
    ("list", "--limit", "1"),
    ("list", "--json"),
    ("list", "--type", "decision", "--json"),
    ("list", "--json"),  # (after a --type: the service's parser, reused, keeps nothing of it)
    ("search", "staging", "--type", "fact", "--type", "decision"),
    ("search", "staging"),
    ("ls", "--tag", "nosuchtag"),
    ("show", "7k3q"),
    ("show", "7k3q", "--json"),
    ("show", "3h8d2kqw9xzb", "--raw"),
    ("show", "zzzz"),
    ("show", "7k"),
    ("context", "--query", "postgres"),
    ("context", "--json", "--query", "staging", "--budget", "500"),
]


def test_answers_are_byte_identical_to_in_process(memory: Path) -> None:
    start(memory)
    for args in READS:
        assert_same(memory, *args)
    assert_same(memory / ".memory", "list", "--path", "decisions")  # from a subdirectory


def test_answers_on_a_terminal_are_identical_too(memory: Path) -> None:
    start(memory)
    for args in [("search", "postgres"), ("list",), ("show", "7k3q")]:
        answer = assert_same(memory, *args, terminal=True)
        assert b"\x1b[" in answer.out  # coloured: the client's terminal, not the service's
    assert_same(memory, "search", "postgrse", terminal=True)  # a warning, on stderr
    no_color = run(memory, "list", env={"NO_COLOR": "1"})
    assert b"\x1b[" not in no_color.out


def test_a_change_between_two_commands_is_seen_by_the_second(memory: Path) -> None:
    start(memory)
    decision = memory / ".memory/decisions/2026-11-20-use-postgresql.md"
    decision.write_text(DECISION.replace("Use PostgreSQL", "Adopt CockroachDB"))
    assert "Adopt CockroachDB" in assert_same(memory, "search", "cockroachdb").text
    assert "Adopt CockroachDB" in assert_same(memory, "show", "7k3q").text
    added = memory / ".memory/facts/2026-12-01-new.md"
    added.write_text(FACT.replace("3h8d2kqw9xzb", "9n2m4p6q8r0s").replace("Staging", "Nightly"))
    assert "9n2m4p6q8r0s" in assert_same(memory, "list").text
    renamed = memory / ".memory/facts/2026-12-01-renamed.md"
    added.rename(renamed)
    assert ".memory/facts/2026-12-01-renamed.md" in assert_same(memory, "show", "9n2m").text
    renamed.unlink()
    assert "9n2m4p6q8r0s" not in assert_same(memory, "list").text
    assert assert_same(memory, "show", "9n2m").code == 1


def test_notes_by_plain_git_and_by_the_commit_hook(memory: Path) -> None:
    gm(memory, "init")
    gm(memory, "hooks", "install")
    start(memory)
    subprocess.run(
        ["git", "notes", "--ref=mem", "add", "-m", "Rollback needs the flyway baseline", "HEAD"],
        cwd=memory,
        check=True,
    )
    assert "flyway" in assert_same(memory, "search", "flyway").text
    (memory / "app.py").write_text("print('orders')\n")
    subprocess.run(["git", "add", "app.py"], cwd=memory, check=True)
    message = "Store orders in PostgreSQL\n\nDecision: use PostgreSQL for the orders table\n"
    subprocess.run(["git", "commit", "-qm", message], cwd=memory, check=True)
    assert "orders table" in assert_same(memory, "search", "orders", "table").text
    assert_same(memory, "list", "--json")


def test_a_branch_switch_that_changes_memory(memory: Path) -> None:
    start(memory)
    subprocess.run(["git", "checkout", "-qb", "other"], cwd=memory, check=True)
    (memory / ".memory/facts/2026-11-21-staging-resets.md").unlink()
    subprocess.run(["git", "commit", "-qam", "drop the fact"], cwd=memory, check=True)
    assert "3h8d2kqw9xzb" not in assert_same(memory, "list").text
    subprocess.run(["git", "checkout", "-q", "main"], cwd=memory, check=True)
    assert "3h8d2kqw9xzb" in assert_same(memory, "list").text
    assert "Staging" in assert_same(memory, "search", "staging").text


def test_two_worktrees_share_one_service(memory: Path, tmp_path: Path) -> None:
    second = tmp_path / "second"
    subprocess.run(["git", "worktree", "add", "-q", "-b", "side", str(second)], cwd=memory)
    start(memory)
    (second / ".memory/facts/2026-12-02-only-here.md").write_text(
        FACT.replace("3h8d2kqw9xzb", "5t6v7w8x9y0z").replace("Staging", "Sidecar")
    )
    assert "5t6v7w8x9y0z" in assert_same(second, "list").text
    assert "5t6v7w8x9y0z" not in assert_same(memory, "list").text
    assert "Sidecar" in assert_same(second, "search", "sidecar").text
    assert assert_same(memory, "search", "sidecar").code == 1
    assert len(status(memory)["worktrees"]) == 2  # type: ignore[arg-type]
    assert status(second)["pid"] == status(memory)["pid"]


@pytest.mark.parametrize("fault", ["kill-before-answer", "kill-mid-answer"])
def test_a_service_killed_mid_request(memory: Path, fault: str) -> None:
    pid = start(memory, env={"GITMEM_SERVICE_FAULT": fault})
    alone = run(memory, "search", "postgres", env=OFF)
    answer = run(memory, "search", "postgres")
    assert answer == alone  # answered in process, once, complete
    assert eventually(lambda: not alive(pid))
    assert run(memory, "show", "7k3q") == run(memory, "show", "7k3q", env=OFF)  # stale socket
    assert run(memory, "service", "status").code == 1


def test_a_stale_socket_from_a_dead_service(memory: Path, runtime_dir: Path) -> None:
    pid = start(memory)
    os.kill(pid, signal.SIGKILL)
    assert eventually(lambda: not alive(pid))
    sock = paths.socket_path(os.path.realpath(memory / ".git"))
    assert os.path.exists(sock)  # left behind
    assert run(memory, "list") == run(memory, "list", env=OFF)
    assert run(memory, "service", "status").out.startswith(b"not running")
    new = start(memory)  # takes the lock, replaces the socket
    assert new != pid
    assert_same(memory, "list")


def test_sigterm_and_stop_remove_the_socket(memory: Path) -> None:
    sock = paths.socket_path(os.path.realpath(memory / ".git"))
    pid = start(memory)
    os.kill(pid, signal.SIGTERM)
    assert eventually(lambda: not alive(pid) and not os.path.exists(sock))
    start(memory)
    assert gm(memory, "service", "stop") == "stopped the service\n"
    assert not os.path.exists(sock)
    assert gm(memory, "service", "stop") == "no service was running\n"


def test_two_clients_starting_a_service_at_once(memory: Path) -> None:
    starts = [
        subprocess.Popen(
            ["git", "mem", "service", "start", "--json"], cwd=memory, stdout=subprocess.PIPE
        )
        for _ in range(3)
    ]
    documents = [json.loads(proc.communicate()[0]) for proc in starts]
    assert [proc.returncode for proc in starts] == [0, 0, 0]
    assert len({document["pid"] for document in documents}) == 1
    log = (memory / ".git/gitmem/service/service.log").read_text()
    assert log.count(" started: pid ") == 1  # the others found the lock taken
    assert_same(memory, "list")


def test_a_service_of_another_protocol_version(memory: Path) -> None:
    # `service start` waits for an answer it can read: start this one by hand.
    git_dir = os.path.realpath(memory / ".git")
    subprocess.Popen(
        [sys.executable, "-m", "gitmem.daemon", git_dir, str(memory)],
        cwd="/",
        env={**os.environ, "GITMEM_SERVICE_FAULT": "protocol"},
        start_new_session=True,
    )
    assert eventually(lambda: os.path.exists(paths.socket_path(git_dir)))
    assert run(memory, "service", "status").out.startswith(b"not answering")
    assert run(memory, "search", "postgres") == run(memory, "search", "postgres", env=OFF)
    assert run(memory, "list", "--json") == run(memory, "list", "--json", env=OFF)


def test_a_client_of_another_version_makes_the_service_exit(memory: Path) -> None:
    pid = start(memory)
    sock = paths.socket_path(os.path.realpath(memory / ".git"))
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(sock)
        protocol.send_json(conn, {"protocol": 0, "version": "0.0.1", "kind": "run"})
        assert protocol.receive_json(conn)["status"] == "version"
    assert eventually(lambda: not alive(pid) and not os.path.exists(sock))
    assert run(memory, "list") == run(memory, "list", env=OFF)


def test_a_slow_service_times_out_to_in_process(memory: Path) -> None:
    start(memory, env={"GITMEM_SERVICE_FAULT": "slow:5"})
    fast = {"GITMEM_SERVICE_TIMEOUT": "0.5"}
    assert run(memory, "show", "7k3q", env=fast) == run(memory, "show", "7k3q", env=OFF)


def test_the_repository_moved_or_deleted_under_the_service(memory: Path, tmp_path: Path) -> None:
    pid = start(memory)
    sock = paths.socket_path(os.path.realpath(memory / ".git"))
    moved = tmp_path / "moved"
    memory.rename(moved)
    assert run(moved, "list") == run(moved, "list", env=OFF)
    assert eventually(lambda: not alive(pid) and not os.path.exists(sock))
    pid = start(moved)
    sock = paths.socket_path(os.path.realpath(moved / ".git"))
    shutil.rmtree(moved)
    assert eventually(lambda: not alive(pid) and not os.path.exists(sock))
    memory.mkdir()  # for the fixture's teardown


def test_a_deep_repository_gets_a_short_socket(memory: Path, tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60) / "repo"
    deep.parent.mkdir(parents=True)
    shutil.copytree(memory, deep, symlinks=True)
    assert len(str(deep / ".git")) > 110
    start(deep)
    try:
        assert_same(deep, "search", "postgres")
    finally:
        _stop(deep)


def test_settings_auto_on_off_and_idle(memory: Path) -> None:
    config = memory / ".memory/config.toml"
    config.write_text('[search]\nservice = "off"\n')
    refused = run(memory, "service", "start")
    assert refused.code == 2
    assert b"service = off" in refused.err
    config.write_text('[search]\nservice = "bogus"\n')
    assert run(memory, "service", "start").err == (
        b"git-mem: error: .memory/config.toml: [search] service = 'bogus': expected auto, "
        b"on or off\n"
    )
    config.write_text('[search]\nservice = "on"\nservice_idle = 1\n')
    gm(memory, "list")  # answered in process; `on` starts a service after it
    assert eventually(lambda: status(memory)["running"] is True)
    pid = service_pid(memory)
    assert eventually(lambda: not alive(pid), 15)  # idle for a second
    config.write_text('[search]\nservice = "auto"\n')
    gm(memory, "list")  # two records: auto starts nothing
    assert run(memory, "service", "status").code == 1
    start(memory)
    config.write_text('[search]\nservice = "off"\n')
    pid = service_pid(memory)
    assert run(memory, "list") == run(memory, "list", env=OFF)  # declined, in process
    assert eventually(lambda: not alive(pid))


def test_auto_starts_a_service_for_a_large_repository_only(memory: Path) -> None:
    from gitmem.service import client, control

    where = paths.find_repository(str(memory))
    assert where is not None
    control.after_in_process(client.Outcome(None, where, start=True), control.AUTO_RECORDS)
    assert run(memory, "service", "status").code == 1  # not more than the threshold
    control.after_in_process(client.Outcome(None, where, start=False), 10 * control.AUTO_RECORDS)
    assert run(memory, "service", "status").code == 1  # a service answered or declined
    control.after_in_process(client.Outcome(None, where, start=True), control.AUTO_RECORDS + 1)
    assert eventually(lambda: status(memory).get("answering") is True)
    assert_same(memory, "list")  # started without git's dispatch, asked through it


def test_the_scripts_and_git_dispatch_share_one_service(memory: Path) -> None:
    start(memory)
    before = served(memory)
    direct = subprocess.run(["git-mem", "list"], cwd=memory, capture_output=True)
    assert served(memory) == before + 1
    assert direct.stdout == run(memory, "list", env=OFF).out


@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_under_semantic_auto_the_service_ranks_as_a_one_shot_command(
    memory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[search] semantic = "auto"` re-ranks in resident processes (MCP, serve) only, and the
    service is not one: a search it answers is byte-identical to the in-process one, lexical,
    on a question the model orders the other way."""
    monkeypatch.delenv("GITMEM_SEMANTIC")  # (the root conftest's "off")
    question = "how long do login sessions live?"
    for name, record_id, title, body in [
        ("stored", "cccc00000001", "Login sessions are stored in Redis", "Kept in a Redis hash."),
        ("expires", "cccc00000002", "Login sessions expire after thirty days",
         "After a month without activity the user signs in again."),
    ]:  # fmt: skip
        (memory / f".memory/facts/{name}.md").write_text(
            f"---\nid: {record_id}\ntype: fact\ntitle: {title}\n"
            f"created: 2026-01-1{len(name)}T09:00:00+00:00\n---\n\n{body}\n"
        )
    start(memory)
    answer = assert_same(memory, "search", "--ids", question)
    assert [line[:12] for line in answer.text.splitlines()] == ["cccc00000001", "cccc00000002"]
    on = run(memory, "search", "--ids", question, env={**OFF, "GITMEM_SEMANTIC": "on"})
    assert [line[:12] for line in on.text.splitlines()] == ["cccc00000002", "cccc00000001"]
