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
# Filter options that are not one field's values.
NOT_FIELD_FILTERS = {"since", "until", "include_retired", "include_unmerged"}


def test_the_index_holds_exactly_the_indexed_fields() -> None:
    indexed = {f.name for f in FIELDS if f.indexed}
    assert set(schema().names()) - NOT_RECORD_FIELDS == indexed


def test_filter_covers_exactly_the_filterable_fields() -> None:
    options = {f.name for f in dataclasses.fields(Filter)} - NOT_FIELD_FILTERS
    filterable = {f.name for f in FIELDS if f.filterable and f.kind != "time"}
    plural = {name: name + "es" if name.endswith("s") else name + "s" for name in filterable}
    plural |= {"tags": "tags", "paths": "paths", "commits": "commits"}
    assert options == {plural[name] for name in filterable}
    # Time fields filter through --since/--until.
    assert {f.name for f in FIELDS if f.filterable and f.kind == "time"} == {"created"}
