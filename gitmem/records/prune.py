"""`git mem prune`: retiring stale records.

Prune never deletes: a stale record gets `status: deprecated`, so it leaves search, lists and
context packs but stays in the files, the notes and their history, and one `edit` brings it
back. Deploy records are never pruned: they say what ran where, however old.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from gitmem.records import actions, finder
from gitmem.records.store import Store
from gitmem.search.changes import Row
from gitmem.search.query import Filter, effective_status, time_or_min

RETIRED_AS = "deprecated"


class Stale(NamedTuple):
    row: Row
    status: str  # the status it had: what `edit --set status=...` restores
    last_changed: str  # `updated`, else `created`

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.row["id"],
            "type": self.row["type"],
            "title": self.row["title"],
            "location": self.row["location"],
            "status": self.status,
            "last_changed": self.last_changed,
        }


def last_changed(row: Row) -> str:
    return str(row.get("updated") or row.get("created", ""))


def stale(store: Store, flt: Filter, older_than: datetime | None) -> list[Stale]:
    """The active records `flt` accepts that nothing has changed since `older_than`, oldest
    first (deploy records never)."""
    found: list[Stale] = []
    catalog = store.catalog()
    for row in finder.records(store, flt):
        if "deploy" in row:
            continue
        changed = last_changed(row)
        # (an unreadable time reads as very old: such a record is offered, never hidden)
        if older_than is not None and time_or_min(changed) >= older_than:
            continue
        found.append(Stale(row, effective_status(row, catalog.superseded), changed))
    return sorted(found, key=lambda item: (item.last_changed, item.row["id"]))


def retire(store: Store, records: Sequence[Stale]) -> list[actions.Updated]:
    """Set each record's status to deprecated (and `updated`), one validated write each."""
    return [
        actions.update(store, item.row["id"], fields={"status": RETIRED_AS}) for item in records
    ]
