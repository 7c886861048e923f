"""`git mem import` of deeply nested JSON (issue 15, case 6): a too-deep record is skipped with a
warning naming it, the rest is imported; nothing aborts the import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gitmem.sessions.json_bounds import MAX_JSON_DEPTH, TOO_DEEP, _cut, loads_document, too_deep

DEEP = "[" * 5000 + "]" * 5000  # past Python's recursion limit
NEAR = "[" * 500 + "]" * 500  # parses, but past the documented limit


def _message(text: str, **extra: Any) -> dict[str, Any]:
    return {"role": "user", "content": text, **extra}


def test_a_deep_jsonl_line_is_skipped_and_the_rest_imported(
    repo: Path, mem: Any, tmp_path: Path
) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        json.dumps(_message("first")) + "\n"
        + DEEP + "\n"
        + json.dumps(_message("nested", meta=json.loads(NEAR))) + "\n"
        + json.dumps(_message("last")) + "\n"
    )  # fmt: skip
    result = mem("import", str(chat))
    assert result.code == 0, result.err
    assert result.err == (
        f"git-mem: warning: {chat}:2: nested deeper than {MAX_JSON_DEPTH} levels\n"
        f"git-mem: warning: {chat}:3: nested deeper than {MAX_JSON_DEPTH} levels\n"
    )
    assert result.out.startswith(
        "imported 1 session from 1 file: 2 messages added, 0 duplicates skipped, 2 lines skipped\n"
    )


def test_a_deep_claude_code_line_is_skipped(repo: Path, mem: Any, tmp_path: Path) -> None:
    line = {
        "type": "user",
        "sessionId": "s-1",
        "uuid": "u1",
        "message": {"role": "user", "content": "hi"},
    }
    deep = dict(
        line,
        uuid="u2",
        message={"role": "user", "content": [{"type": "tool_use", "input": json.loads(NEAR)}]},
    )
    log = tmp_path / "claude.jsonl"
    log.write_text(json.dumps(line) + "\n" + json.dumps(deep) + "\n" + DEEP + "\n")
    result = mem("import", str(log), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["problems"] == [
        f"{log}:2: nested deeper than {MAX_JSON_DEPTH} levels",
        f"{log}:3: nested deeper than {MAX_JSON_DEPTH} levels",
    ]
    assert data["messages_added"] == 1


def test_a_deep_message_in_a_json_export_is_skipped_the_others_kept(
    repo: Path, mem: Any, tmp_path: Path
) -> None:
    export = tmp_path / "export.json"
    # The whole document is past the recursion limit: it is parsed again around the deep part.
    export.write_text(
        '[{"role": "user", "content": "one"}, '
        '{"role": "user", "content": ' + DEEP + "}, "
        '{"role": "assistant", "content": "three"}]'
    )
    result = mem("import", str(export), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["problems"] == [
        f"{export}: conversation 1, message 2: nested deeper than {MAX_JSON_DEPTH} levels"
    ]
    assert data["messages_added"] == 2


def test_the_cut_replaces_only_what_opens_at_the_limit() -> None:
    text = '{"a": "[[[not brackets", "b": ' + DEEP + ', "c": [1, {"d": "]"}]}'
    document = loads_document(text.encode())
    assert document["a"] == "[[[not brackets" and document["c"] == [1, {"d": "]"}]
    assert too_deep(document["b"]) and not too_deep(document["c"])
    inner = document["b"]
    for _ in range(MAX_JSON_DEPTH - 3):  # b is at depth 2; the list at 99 holds the marker
        inner = inner[0]
    assert inner == [TOO_DEEP]
    assert _cut(b"[[[") == b"[[["  # broken JSON is left for json to report
