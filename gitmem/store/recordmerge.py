"""Three-way merge of one record, field by field, for the notes merge (`notesmerge`).

Two clones that edit different fields of one record both keep their edit. Against the merge
base (the record as both sides last shared it; none when both added it):

- a field only one side changed takes that side's value (a removal too);
- list fields (`tags`, `commits`, `paths`, `links`, `supersedes`) changed on both sides merge as
  sets: what either side added is in, what either side removed is out;
- `updated` changed on both sides takes the later time;
- any other field (a scalar, the body, `metadata`, an unknown key) changed on both sides to
  different values is a conflict: the newer record's value wins (its `updated`, else `created`;
  a tie goes to the larger text, so that every clone merging the same two versions agrees).

Nothing here touches git or text: callers pass parsed records and serialise the result.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from gitmem.store.fields import FIELD_ORDER, LIST_FIELDS
from gitmem.store.record import Memory, parse_time

_MISSING: Any = object()  # a field the record does not have
_EMPTY = Memory(id="", type="", title="", created="")  # the defaults of the other fields


@dataclasses.dataclass(frozen=True)
class RecordMerge:
    """The merged values (`memory`, None when they equal one side's exactly: `same_as`),
    the fields changed on both sides to different values, and whose value those took."""

    memory: Memory | None
    same_as: str | None  # "local" or "remote": take that side's text byte for byte
    conflicts: tuple[str, ...]
    winner: str  # "local" or "remote"


def values(memory: Memory | None) -> dict[str, Any]:
    """A record's fields (those with a value, unknown keys too) and its body."""
    if memory is None:
        return {}
    return {**memory.fields(), "body": memory.body}


def when(memory: Memory | None) -> datetime | None:
    """The time a record was last written (`updated`, else `created`), if it parses."""
    if memory is None:
        return None
    try:
        return parse_time(memory.updated or memory.created)
    except ValueError:
        return None


def remote_is_newer(local: Memory, remote: Memory, local_text: str, remote_text: str) -> bool:
    """Which version wins a field both sides changed; the same answer from either side."""
    lt, rt = when(local), when(remote)
    if lt is not None and rt is not None and lt != rt:
        return rt > lt
    return remote_text > local_text


def _later(a: Any, b: Any) -> Any:
    try:
        return a if parse_time(str(a)) >= parse_time(str(b)) else b
    except ValueError:
        return max(str(a), str(b))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _set_merge(base: Any, first: Any, second: Any) -> list[Any]:
    """Items both sides kept, plus what either added; in `first`'s order, then `second`'s."""
    old, one, two = _as_list(base), _as_list(first), _as_list(second)
    return list(
        dict.fromkeys(
            item
            for item in one + two
            if (item in one and item in two) or (item not in old and (item in one or item in two))
        )
    )


def merge_record(
    base: Memory | None, local: Memory, remote: Memory, local_text: str, remote_text: str
) -> RecordMerge:
    """Merge two versions of one record (same id) against the base version."""
    old, mine, theirs = values(base), values(local), values(remote)
    remote_wins = remote_is_newer(local, remote, local_text, remote_text)
    winner = "remote" if remote_wins else "local"
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for key in dict.fromkeys([*mine, *theirs]):
        was, here, there = (v.get(key, _MISSING) for v in (old, mine, theirs))
        if here == there or was == there:
            value = here
        elif was == here:
            value = there
        elif key == "updated" and here is not _MISSING and there is not _MISSING:
            value = _later(here, there)
        elif key in LIST_FIELDS:
            value = _set_merge(was, there, here) if remote_wins else _set_merge(was, here, there)
            value = value or _MISSING
        else:
            value = there if remote_wins else here
            conflicts.append(key)
        if value is not _MISSING:
            merged[key] = value
    if merged == mine:
        return RecordMerge(None, "local", tuple(conflicts), winner)
    if merged == theirs:
        return RecordMerge(None, "remote", tuple(conflicts), winner)
    known = {name: merged.get(name, getattr(_EMPTY, name)) for name in FIELD_ORDER}
    extra = {key: value for key, value in merged.items() if key not in known and key != "body"}
    # (`replace` keeps local's origin: keys left as they were keep their exact text)
    memory = dataclasses.replace(local, **known, body=merged.get("body", ""), extra=extra)
    return RecordMerge(memory, None, tuple(conflicts), winner)
