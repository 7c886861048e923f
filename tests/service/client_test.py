"""The service client without a service: what it asks about, how it finds the repository and
the socket, and that it imports nothing but the standard library."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from gitmem.service import client, paths


def _outside_stdlib(imports: str) -> set[str]:
    code = (
        f"import sys; {imports}; "
        "print(*sorted(m for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    return set(out.split())


@pytest.fixture(autouse=True)
def _service_as_users_have_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITMEM_SERVICE")  # the root conftest turns it off for other tests


def test_the_client_imports_only_the_standard_library() -> None:
    # What start-up itself loads (an editable install's finder, site hooks) is not ours.
    added = _outside_stdlib("import gitmem.service.client, gitmem.service.control")
    assert sorted(added - _outside_stdlib("pass")) == [
        "gitmem",
        "gitmem.early",  # standard library only too: it finds the repository first
        "gitmem.service",
        "gitmem.service.client",
        "gitmem.service.control",
        "gitmem.service.paths",
        "gitmem.service.protocol",
        "gitmem.spawn",  # what gitmem.early starts git with: `os` only
    ]


@pytest.mark.parametrize(
    ("argv", "asked"),
    [
        (["search", "postgres"], True),
        (["ls", "--json"], True),
        (["show", "7k3q", "--raw"], True),
        (["context", "--query", "db"], True),
        (["search", "--", "-h"], True),  # a query word, after --
        (["save", "-m", "x"], False),
        (["search", "postgres", "--server"], False),
        (["search", "--repos=../a", "x"], False),
        (["list", "-g"], False),
        (["show", "-h"], False),
        (["context", "--write", "CLAUDE.md"], False),
        ([], False),
    ],
)
def test_which_commands_are_worth_asking(argv: list[str], asked: bool) -> None:
    assert client.eligible(argv) is asked


def test_off_for_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITMEM_SERVICE", "off")
    assert not client.eligible(["list"])


def test_the_repository_is_found_as_git_finds_it(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_dir = os.path.realpath(repo / ".git")
    (repo / "sub" / "deeper").mkdir(parents=True)
    assert paths.find_repository(str(repo / "sub" / "deeper")) == paths.Where(
        git_dir, git_dir, str(repo)
    )
    second = tmp_path / "second"
    subprocess.run(["git", "worktree", "add", "-q", "-b", "b", str(second)], cwd=repo, check=True)
    found = paths.find_repository(str(second))
    assert found is not None
    assert found.common_dir == git_dir
    assert found.git_dir == os.path.realpath(repo / ".git" / "worktrees" / "second")
    assert paths.find_repository(str(repo / ".git")) is None  # inside the git dir
    assert paths.find_repository("/") is None
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    assert paths.find_repository(str(repo)) is None  # git's discovery is not ours to redo


def test_no_service_means_in_process_and_maybe_a_start(
    repo: Path, mem: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    outcome = client.answer(["list"])
    assert outcome.code is None
    assert outcome.start
    assert outcome.where is not None
    assert outcome.where.common_dir == os.path.realpath(repo / ".git")
    assert client.answer(["save", "x"]) == client.Outcome(None)


def test_only_our_own_private_socket_is_trusted(tmp_path: Path) -> None:
    private = Path(paths.private_dir(str(tmp_path / "private")))
    assert private.stat().st_mode & 0o777 == 0o700
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(private / "s.sock"))
        assert paths.trusted_socket(str(private / "s.sock"))
        private.chmod(0o755)  # others could swap it
        assert not paths.trusted_socket(str(private / "s.sock"))
        with pytest.raises(PermissionError):
            paths.private_dir(str(private))
    (tmp_path / "file.sock").write_text("")
    assert not paths.trusted_socket(str(tmp_path / "file.sock"))
    assert not paths.trusted_socket(str(tmp_path / "missing.sock"))


def test_the_socket_path_is_short_however_deep_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    deep = "/" + "/".join(["a" * 50] * 10) + "/.git"
    path = paths.socket_path(deep)
    assert len(path.encode()) < 60
    assert path != paths.socket_path(deep + "x")


def test_other_commands_pay_for_no_protocol(repo: Path) -> None:
    """`git mem -h`, the commit hook and every write load no socket or JSON code for the
    service; nor does a read when no service runs."""
    code = (
        "import sys; from gitmem.service import client; "
        "[client.answer(argv) for argv in (['-h'], ['hook', 'post-commit'], ['save', 'x'], "
        "['list'])]; print('gitmem.service.protocol' in sys.modules, 'socket' in sys.modules)"
    )
    env = {**os.environ, "XDG_RUNTIME_DIR": str(repo / "run")}
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True)
    assert out.stdout == b"False False\n", out.stderr
