"""The search side of the record-field registry (store/fields.py): the Whoosh schema indexes
exactly the fields marked `indexed`, and `Filter` filters on exactly those marked `filterable`.
A new field that should be searched or filtered fails here until search/ says how."""

from __future__ import annotations

import dataclasses

from gitmem.search.index import schema
from gitmem.search.query import Filter
from gitmem.store.fields import FIELDS

# The index's own columns: where a record lives, its body, the stored row and snippet text,
# and Whoosh's spelling copy of the title (for "did you mean").
NOT_RECORD_FIELDS = {"location", "body", "row", "text", "spell_title"}


def test_the_index_holds_exactly_the_indexed_fields() -> None:
    indexed = {f.name for f in FIELDS if f.indexed}
    assert set(schema().names()) - NOT_RECORD_FIELDS == indexed


# Each filterable field and the Filter options that filter on it.
FILTER_OPTIONS = {
    "type": {"types"},
    "created": {"since", "until"},
    "author": {"authors"},
    "status": {"statuses"},
    "tags": {"tags"},
    "project": {"projects"},
    "source": {"sources"},
    "commits": {"commits"},
    "paths": {"paths"},
}


def test_filter_covers_exactly_the_filterable_fields() -> None:
    filterable = {f.name for f in FIELDS if f.filterable}
    assert set(FILTER_OPTIONS) == filterable
    options = {f.name for f in dataclasses.fields(Filter)} - {"include_retired", "include_unmerged"}
    assert options == set().union(*FILTER_OPTIONS.values())
