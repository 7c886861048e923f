"""Bounded JSON for `git mem import`: a record nested too deeply is skipped, never the import.

Python's `json` recurses once per level: a line of a thousand `[` raised RecursionError and
aborted a whole import. A value is refused past `MAX_JSON_DEPTH` levels (real transcripts use
about ten). A whole-file export whose parse itself runs out of recursion is parsed again with
each too-deep value replaced by a marker (`TOO_DEEP`), so only the records holding one are
skipped and the rest are imported.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 100
"""Levels of nesting of one imported line, message or conversation (`[[1]]` is 2)."""
TOO_DEEP = "\x00gitmem: nested too deeply"
TOO_DEEP_MESSAGE = f"nested deeper than {MAX_JSON_DEPTH} levels"

# A JSON string (escapes included), or one bracket: what the depth scan looks at.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `value` nests deeper than `limit` or holds the `TOO_DEEP` marker (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in item)
        elif item == TOO_DEEP:
            return True
    return False


def loads_line(raw: bytes) -> Any:
    """One JSON value; ValueError for bad JSON or one nested past `MAX_JSON_DEPTH`."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValueError(TOO_DEEP_MESSAGE) from None
    if too_deep(value):
        raise ValueError(TOO_DEEP_MESSAGE)
    return value


def loads_document(data: bytes) -> Any:
    """A whole JSON document; where its parse runs out of recursion, every value opened at
    `MAX_JSON_DEPTH` levels is replaced by `TOO_DEEP` (for `too_deep` to find in its record).
    ValueError for bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        return json.loads(_cut(data))


def _cut(data: bytes) -> bytes:
    """`data` with each container that opens at depth `MAX_JSON_DEPTH` replaced by the marker."""
    marker = json.dumps(TOO_DEEP).encode()
    out: list[bytes] = []
    kept = 0  # data[:kept] is in `out`
    depth = 0
    cut_from: int | None = None
    for match in _TOKEN.finditer(data):
        token = match[0]
        if token in (b"[", b"{"):
            depth += 1
            if depth == MAX_JSON_DEPTH and cut_from is None:
                cut_from = match.start()
        elif token in (b"]", b"}"):
            if depth == MAX_JSON_DEPTH and cut_from is not None:
                out += [data[kept:cut_from], marker]
                kept, cut_from = match.end(), None
            depth -= 1
    if cut_from is not None:  # never closed: the JSON is broken anyway, json says where
        return data
    out.append(data[kept:])
    return b"".join(out)
