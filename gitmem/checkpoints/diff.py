"""What changed between two checkpoints: files added, removed and changed, with word deltas."""

from __future__ import annotations

from typing import Any, NamedTuple

from gitmem.checkpoints.checkpoint import Checkpoint, human_size


class Change(NamedTuple):
    path: str
    status: str  # added, removed, changed
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def words_delta(self) -> int | None:
        """Words gained (negative: lost); None when a side is binary."""
        old = 0 if self.before is None else self.before.get("words")
        new = 0 if self.after is None else self.after.get("words")
        return None if old is None or new is None else int(new) - int(old)

    def to_json(self) -> dict[str, Any]:
        def side(row: dict[str, Any] | None) -> dict[str, Any] | None:
            return None if row is None else {k: row.get(k) for k in ("size", "words", "sha256")}

        return {
            "path": self.path,
            "status": self.status,
            "before": side(self.before),
            "after": side(self.after),
            "words_delta": self.words_delta,
        }


def compare(old: Checkpoint, new: Checkpoint) -> tuple[list[Change], int]:
    """The files added, removed and changed from `old` to `new` (by path, sorted) and how many
    are unchanged (same sha256)."""
    before = {row["path"]: row for row in old.files}
    after = {row["path"]: row for row in new.files}
    changes = []
    unchanged = 0
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a is None:
            changes.append(Change(path, "added", None, b))
        elif b is None:
            changes.append(Change(path, "removed", a, None))
        elif a.get("sha256") != b.get("sha256"):
            changes.append(Change(path, "changed", a, b))
        else:
            unchanged += 1
    return changes, unchanged


def _signed(value: int | None) -> str:
    return "binary" if value is None else f"{value:+d} words"


def diff_text(old: Checkpoint, new: Checkpoint, changes: list[Change], unchanged: int) -> str:
    lines = [
        f"from {old.name} @ {old.timestamp} ({old.commit[:12]})",
        f"to   {new.name} @ {new.timestamp} ({new.commit[:12]})",
    ]
    marks = {"added": "A", "removed": "D", "changed": "M"}
    for change in changes:
        detail = _signed(change.words_delta)
        if change.status == "changed" and change.before and change.after:
            sizes = f"{human_size(change.before['size'])} -> {human_size(change.after['size'])}"
            detail = f"{detail}, {sizes}"
        lines.append(f"{marks[change.status]}  {change.path}  ({detail})")
    counts = {status: sum(c.status == status for c in changes) for status in marks}
    words = new.totals["words"] - old.totals["words"]
    lines.append(
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
        f"{unchanged} unchanged; words {words:+d}"
    )
    return "\n".join(lines)
