"""`git mem mcp` and malformed input (issue 15, case 15), as raw bytes over the real server's
stdin/stdout: malformed JSON, invalid UTF-8, a batch, `params` given as a string, a missing
`jsonrpc` and an oversized request each get their JSON-RPC error (parse error -32700, invalid
request -32600) and the server answers the next call."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcpclient import GIT_MEM

from gitmem.assist.mcp_transport import MAX_REQUEST_BYTES, Refused, check, read_line

INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw-bytes", "version": "1"},
    },
}


class Raw:
    """A `git mem mcp` process spoken to line by line."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [str(GIT_MEM), "mcp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data if data.endswith(b"\n") else data + b"\n")
        self.proc.stdin.flush()

    def reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the server closed its output"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, data: bytes) -> dict[str, Any]:
        self.send(data)
        return self.reply()

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)


def _error(code: int, message: str, request_id: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


@pytest.mark.slow
def test_malformed_requests_get_json_rpc_errors_and_the_server_keeps_answering(repo: Path) -> None:
    server = Raw(repo)
    try:
        assert server.ask(json.dumps(INIT).encode())["id"] == 0
        server.send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
        expected = [
            (
                b"{not json",
                _error(
                    -32700,
                    "parse error: Expecting property name enclosed in double quotes: "
                    "line 1 column 2 (char 1)",
                ),
            ),
            (
                b"\xff\xfe{}",
                _error(-32700, "parse error: not valid UTF-8 (byte 0xff at offset 0)"),
            ),
            (
                b'{"jsonrpc":"2.0","id":5,"method":"tools/list","params":"x"}',
                _error(-32600, "invalid request: params must be an object, not str", 5),
            ),
            (
                b'[{"jsonrpc":"2.0","id":6,"method":"tools/list"}]',
                _error(-32600, "invalid request: expected a JSON-RPC object, not a batch (array)"),
            ),
            (
                b'{"id":"seven","method":"tools/list"}',
                _error(-32600, 'invalid request: expected "jsonrpc": "2.0"', "seven"),
            ),
            (b"[" * 100_000, _error(-32700, "parse error: JSON nested too deeply")),
        ]
        for sent, answer in expected:
            assert server.ask(sent) == answer, sent[:40]
        big = b'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"save",'
        big += b'"arguments":{"text":"' + b"x" * (MAX_REQUEST_BYTES + 10) + b'"}}}'
        assert server.ask(big) == _error(
            -32600,
            f"request too large: {len(big)} bytes, more than the limit of {MAX_REQUEST_BYTES} "
            "bytes (save long text as a .memory/ file instead)",
            8,
        )
        # Still serving: a real call after all that.
        listed = server.ask(b'{"jsonrpc":"2.0","id":9,"method":"tools/list"}')
        assert listed["id"] == 9 and "save" in {tool["name"] for tool in listed["result"]["tools"]}
    finally:
        assert server.close() == 0


def test_read_line_keeps_at_most_the_limit_and_finds_the_next_line(tmp_path: Path) -> None:
    path = tmp_path / "in"
    path.write_bytes(b"a" * 300_000 + b"\nnext\nlast")
    with open(path, "rb") as stream:
        first = read_line(stream, limit=1000)
        assert first is not None and len(first[0]) == 1001 and first[1] == 300_000
        assert read_line(stream, limit=1000) == (b"next", 4)
        assert read_line(stream, limit=1000) == (b"last", 4)
        assert read_line(stream, limit=1000) is None


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        (
            b'{"jsonrpc":"2.0","id":1,"method":7}',
            -32600,
            "invalid request: method must be a string",
        ),
        (b'{"jsonrpc":"2.0","id":1}', -32600, "invalid request: no method"),
        (b"42", -32600, "invalid request: expected a JSON-RPC object, not int"),
        (b'{"a":', -32700, "parse error: Expecting value: line 1 column 6 (char 5)"),
    ],
)
def test_check_names_what_is_wrong(line: bytes, code: int, message: str) -> None:
    with pytest.raises(Refused) as refused:
        check(line, len(line))
    assert (refused.value.code, refused.value.message) == (code, message)


def test_check_passes_a_well_formed_message_and_skips_blank_lines() -> None:
    line = b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
    assert check(line, len(line)) == line.decode()
    assert check(b"  ", 2) is None
