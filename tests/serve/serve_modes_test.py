"""The server's other modes over real HTTP, served in-process by uvicorn on free ports: read-only
(the default), remote (the token on every request, a browser's cookie), MCP at /mcp with the
token rule for write tools, and the command's refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serverepo import build

from gitmem.serve import runner
from gitmem.store import git

pytestmark = pytest.mark.slow  # three servers and a repository: a few seconds


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import _isolate

    base = tmp_path_factory.mktemp("modes")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, base / "home")
        build(base / "repo")
    return base / "repo"


@pytest.fixture
def serve(root: Path) -> Iterator[Callable[..., tuple[str, str]]]:
    """Start a server on `root` with (host, remote, writes); returns (url, token)."""
    stack: list[Any] = []

    def start(
        host: str = "127.0.0.1", remote: bool = False, writes: bool = False
    ) -> tuple[str, str]:
        repo = git.discover(root)
        sock = runner.bind(host, 0)
        port = sock.getsockname()[1]
        policy = runner.policy(repo, host, port, remote, writes)
        app, problem = runner.application(repo, policy)
        assert problem is None
        context = runner.listening(app, sock)
        context.__enter__()
        stack.append(context)
        return f"http://{host}:{port}", policy.token

    yield start
    for context in stack:
        context.__exit__(None, None, None)


def test_read_only_by_default(serve: Callable[..., tuple[str, str]]) -> None:
    url, token = serve()
    answer = httpx.post(
        url + "/api/v1/records", json={"text": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == (
        "this server is read-only: start it with git mem serve --allow-writes"
    )
    assert httpx.get(url + "/api/v1/records/pgsq").status_code == 200


def test_remote_wants_the_token_on_every_request(serve: Callable[..., tuple[str, str]]) -> None:
    # 127.0.0.2 is loopback too, but not one of the names the loopback rules trust: it stands
    # for "another address" without leaving this machine.
    url, token = serve("127.0.0.2", remote=True)
    bare = httpx.get(url + "/api/v1/records")
    assert bare.status_code == 401
    assert bare.json()["error"] == (
        "this server wants its token on every request: Authorization: Bearer TOKEN"
    )
    assert httpx.get(url + "/", headers={"Authorization": "Bearer nope"}).status_code == 401
    good = httpx.get(url + "/api/v1/records", headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    # A browser opens the printed link once; the token moves to a SameSite cookie.
    with httpx.Client() as browser:
        first = browser.get(url + "/", params={"token": token})
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert "HttpOnly; SameSite=Strict" in first.headers["set-cookie"]
        assert browser.get(url + "/").status_code == 200
        # ... which is good for reading only: a write wants the header
        assert browser.post(url + "/api/v1/backups", json={"action": "create"}).status_code == 401


def mcp_call(url: str, session: str | None, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-06-18",
    }
    if session:
        headers["Mcp-Session-Id"] = session
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(url + "/mcp", json=body, headers=headers, timeout=30)


def mcp_session(url: str, token: str | None = None) -> str:
    hello = mcp_call(
        url,
        None,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "http-test", "version": "1"},
            },
        },
        token,
    )
    assert hello.status_code == 200, hello.text
    session = hello.headers["mcp-session-id"]
    done = mcp_call(url, session, {"jsonrpc": "2.0", "method": "notifications/initialized"}, token)
    assert done.status_code == 202, done.text
    return session


def tool(url: str, session: str, name: str, args: dict[str, Any], token: str | None = None) -> Any:
    body = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": name, "arguments": args},
    }
    answer = mcp_call(url, session, body, token)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def test_mcp_over_http_reads_freely_and_writes_with_the_token(
    serve: Callable[..., tuple[str, str]],
) -> None:
    url, token = serve(writes=True)
    session = mcp_session(url)
    found = tool(url, session, "search", {"query": "postgresql"})
    assert [hit["id"] for hit in found["structuredContent"]["hits"]] == ["pgsqdb000002"]
    refused = tool(url, session, "save", {"text": "over http"})
    assert refused["isError"] is True
    assert refused["content"][0]["text"] == (
        "save: write tools need the token: Authorization: Bearer TOKEN (see git mem serve)"
    )
    mine = mcp_session(url, token)
    saved = tool(url, mine, "save", {"text": "Saved over MCP HTTP"}, token)
    assert saved.get("isError") is not True, saved
    new = saved["structuredContent"]["id"]
    assert httpx.get(f"{url}/api/v1/records/{new}").json()["title"] == "Saved over MCP HTTP"
    assert (
        httpx.delete(
            f"{url}/api/v1/records/{new}",
            params={"force": "1"},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        == 200
    )


def test_serve_refuses_another_address_without_allow_remote(mem: Callable[..., Any]) -> None:
    result = mem("serve", "--host", "0.0.0.0")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: --host 0.0.0.0 makes the memory reachable from other machines: add "
        "--allow-remote (every request then needs the token)\n"
    )
