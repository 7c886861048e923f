"""The formats `git mem import` reads (see importer.py): Claude Code JSONL, generic JSONL of
`{role, content, timestamp}`, generic JSON exports (ChatGPT `mapping` trees too).

Each parser turns one file into `Parsed` sessions and tells `Findings` what it skipped: a
malformed line as `FILE:LINE: what is wrong` (counted in `lines_skipped`), a line of a
bookkeeping type (file-history-snapshot, queue-operation, ...) as `ignored`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gitmem.sessions.json_bounds import TOO_DEEP_MESSAGE, loads_document, loads_line, too_deep
from gitmem.sessions.transcripts import Message
from gitmem.store.record import derived_id

Tick = Callable[[int], None]


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    lines_skipped: int = 0
    ignored: int = 0  # lines of types that are not messages, left out on purpose


@dataclass
class Parsed:
    """One session found in the sources."""

    id: str
    format: str
    origin: str | None
    label: str | None = None
    tool: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    def header(self) -> dict[str, Any]:
        times = [m.timestamp for m in self.messages if m.timestamp]
        return {
            "session": self.id,
            "label": self.label,
            "tool": self.tool,
            "source": "import",
            "started": min(times) if times else None,
            "ended": max(times) if times else None,
            "summary_id": None,
            "origin": self.origin,
            "format": self.format,
            **self.extra,
        }


# ------------------------------------------------------------------------------ content


def _text_of(content: Any) -> str:
    """A message's content (a string, or a list of blocks) as plain text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return ""
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" or (kind is None and isinstance(block.get("text"), str)):
            parts.append(str(block.get("text") or ""))
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input"), ensure_ascii=False, sort_keys=True)
            parts.append(f"[tool_use {block.get('name', '?')}] {arguments}")
        elif kind == "tool_result":
            error = " (error)" if block.get("is_error") else ""
            parts.append(f"[tool_result{error}] {_text_of(block.get('content'))}".rstrip())
        elif kind in ("thinking", "redacted_thinking"):
            continue
        elif kind == "image":
            parts.append("[image]")
        elif isinstance(kind, str):
            parts.append(f"[{kind}]")
    return "\n\n".join(part for part in parts if part)


def _only_tool_results(content: Any) -> bool:
    return (
        isinstance(content, list)
        and bool(content)
        and all(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)
    )


def _timestamp(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        stamp = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="microseconds")
    return None


# ------------------------------------------------------------------------------ formats


def detect(path: Path, data: bytes) -> str:
    """claude-code, jsonl or json, from the first meaningful line (the extension decides
    nothing on its own: exports are often misnamed)."""
    stripped = data.lstrip()
    if stripped.startswith(b"["):
        return "json"
    for line in data.splitlines()[:50]:
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):  # too deep: not a message
            continue
        if isinstance(item, dict) and ("sessionId" in item or "leafUuid" in item):
            return "claude-code"
        if isinstance(item, dict) and "role" in item:
            return "jsonl"
    if stripped.startswith(b"{") and path.suffix == ".json":
        return "json"
    return "jsonl"


@dataclass
class Leaves:
    """What links Claude Code files of one run: a `summary` line often sits in a later file
    (a resumed conversation) than the message its `leafUuid` names."""

    owner: dict[str, str] = field(default_factory=dict)  # message uuid -> session id
    summaries: list[tuple[str, str]] = field(default_factory=list)  # (leafUuid, summary)


def claude_code(
    path: Path, lines: list[bytes], report: Findings, tick: Tick, leaves: Leaves | None = None
) -> list[Parsed]:
    found: dict[str, Parsed] = {}
    owner: dict[str, str] = {}  # message uuid -> sessionId
    summaries: list[tuple[str, str]] = []  # (leafUuid, summary)
    for number, item in _json_lines(path, lines, report, tick):
        if not isinstance(item, dict):
            _problem(report, path, number, "not a JSON object")
            continue
        kind = item.get("type")
        if kind == "summary":
            if isinstance(item.get("summary"), str) and isinstance(item.get("leafUuid"), str):
                summaries.append((item["leafUuid"], item["summary"]))
            continue
        if kind not in ("user", "assistant", "system"):
            report.ignored += 1
            continue
        origin = item.get("sessionId")
        if not isinstance(origin, str) or not origin:
            _problem(report, path, number, f"a {kind} line without a sessionId")
            continue
        message = item.get("message")
        if kind == "system":
            content: Any = item.get("content")
        elif isinstance(message, dict):
            content = message.get("content")
        else:
            _problem(report, path, number, f"a {kind} line without a message object")
            continue
        text = _text_of(content)
        if not text.strip():
            report.ignored += 1  # e.g. only thinking blocks
            continue
        role = "tool" if kind == "user" and _only_tool_results(content) else kind
        session = found.get(origin)
        if session is None:
            sid = derived_id("import", "claude-code", origin)
            extra = {
                key: item[name]
                for key, name in (("cwd", "cwd"), ("branch", "gitBranch"))
                if isinstance(item.get(name), str) and item[name]
            }
            session = found[origin] = Parsed(
                sid, "claude-code", origin, tool="claude-code", extra=extra
            )
        session.messages.append(Message.new(role, text, _timestamp(item.get("timestamp")), number))
        if isinstance(item.get("uuid"), str):
            owner[item["uuid"]] = origin
    for leaf, summary in summaries:  # the last summary of a session wins, as Claude Code shows
        if leaf in owner:
            found[owner[leaf]].label = summary
    if leaves is not None:
        leaves.owner.update((uuid, found[origin].id) for uuid, origin in owner.items())
        leaves.summaries += summaries
    return list(found.values())


def _json_lines(
    path: Path, lines: list[bytes], report: Findings, tick: Tick
) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) of each non-blank line; the others reported and skipped."""
    for number, raw in enumerate(lines, 1):
        tick(number)
        if not raw.strip():
            continue
        try:
            yield number, loads_line(raw)
        except ValueError as error:
            _problem(report, path, number, _invalid(error))


def _invalid(error: ValueError) -> str:
    if error.args[0] == TOO_DEEP_MESSAGE:
        return TOO_DEEP_MESSAGE
    return f"not valid JSON ({error.args[0].split(':')[0]})"


def _problem(report: Findings, path: Path, line: int | None, what: str) -> None:
    report.lines_skipped += 1
    report.problems.append(f"{path}:{line}: {what}" if line else f"{path}: {what}")


def _message_from(item: Any, position: int) -> Message | str:
    """A generic message, or what is wrong with it."""
    if not isinstance(item, dict):
        return "not a JSON object"
    role = item.get("role")
    if not role and isinstance(item.get("author"), dict):  # ChatGPT: author.role
        role = item["author"].get("role")
    if not isinstance(role, str) or not role:
        return "no role"
    content = item.get("content", item.get("text"))
    if isinstance(content, dict) and "parts" in content:  # ChatGPT
        content = [p for p in content["parts"] if isinstance(p, str)]
    text = _text_of(content)
    if not text.strip():
        return "no content"
    role = role.lower()
    when = _timestamp(item.get("timestamp", item.get("create_time", item.get("created_at"))))
    return Message.new(role, text, when, position)


def generic_jsonl(
    path: Path, lines: list[bytes], digest: str, report: Findings, tick: Tick
) -> list[Parsed]:
    session = Parsed(derived_id("import", "jsonl", digest), "jsonl", None)
    for number, item in _json_lines(path, lines, report, tick):
        message = _message_from(item, number)
        if isinstance(message, str):
            _problem(report, path, number, message)
            continue
        session.messages.append(message)
    return [session] if session.messages else []


def _chatgpt_messages(mapping: dict[str, Any], current: Any) -> list[Any]:
    """A ChatGPT `mapping` tree as a list: the branch ending at `current_node`."""
    chain = []
    node = mapping.get(current) if isinstance(current, str) else None
    seen: set[str] = set()  # a cycle in a damaged export must not loop forever
    while isinstance(node, dict):
        chain.append(node.get("message"))
        parent = node.get("parent")
        if not isinstance(parent, str) or parent in seen:
            break
        seen.add(parent)
        node = mapping.get(parent)
    if chain:
        return [m for m in reversed(chain) if m]
    nodes = [n.get("message") for n in mapping.values() if isinstance(n, dict) and n.get("message")]
    return sorted(nodes, key=lambda m: float(m.get("create_time") or 0))


def generic_json(path: Path, data: bytes, digest: str, report: Findings) -> list[Parsed]:
    try:
        document = loads_document(data)  # a too-deep value becomes a marker its record holds
    except ValueError as error:
        line = getattr(error, "lineno", None)
        _problem(report, path, line, _invalid(error))
        return []
    conversations: list[Any]
    if isinstance(document, dict):
        conversations = [document]
    elif (
        isinstance(document, list)
        and document
        and all(isinstance(c, dict) and ("messages" in c or "mapping" in c) for c in document)
    ):
        conversations = document
    elif isinstance(document, list):
        conversations = [{"messages": document}]
    else:
        _problem(report, path, None, "expected a list of messages or conversations")
        return []
    found = []
    for number, conversation in enumerate(conversations, 1):
        if "mapping" in conversation and isinstance(conversation["mapping"], dict):
            items = _chatgpt_messages(conversation["mapping"], conversation.get("current_node"))
        elif isinstance(conversation.get("messages"), list):
            items = conversation["messages"]
        else:
            _problem(report, path, None, f"conversation {number}: no messages")
            continue
        origin = conversation.get("id", conversation.get("conversation_id"))
        origin = str(origin) if isinstance(origin, str | int) and origin != "" else None
        key = origin or f"{digest}:{number}"
        title = conversation.get("title", conversation.get("name"))
        session = Parsed(
            derived_id("import", "json", key),
            "json",
            origin,
            label=title if isinstance(title, str) and title.strip() else None,
        )
        for position, item in enumerate(items, 1):
            message = TOO_DEEP_MESSAGE if too_deep(item) else _message_from(item, position)
            if isinstance(message, str):
                if message != "no content" or "mapping" not in conversation:
                    _problem(
                        report, path, None, f"conversation {number}, message {position}: {message}"
                    )
                continue  # a ChatGPT tree has empty system nodes: not worth a warning
            session.messages.append(message)
        if session.messages:
            found.append(session)
    return found
