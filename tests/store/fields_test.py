"""The record-field registry (store/fields.py) and the `Memory` type declare the same fields."""

from __future__ import annotations

import dataclasses

from gitmem.store.fields import FIELDS
from gitmem.store.record import Memory

# What each kind of field holds, as `Memory` annotates it.
KIND_TYPES = {
    "text": {"str", "str | None"},
    "time": {"str", "str | None"},
    "list": {"list[str]"},
    "mapping": {"dict[str, Any]"},
}
NOT_FIELDS = {"body", "extra", "origin", "foreign"}  # the record's text and bookkeeping


def test_every_registered_field_is_a_memory_attribute_of_its_kind() -> None:
    annotations = {
        f.name: str(f.type) for f in dataclasses.fields(Memory) if f.name not in NOT_FIELDS
    }
    assert set(annotations) == {f.name for f in FIELDS}
    for field in FIELDS:
        assert annotations[field.name] in KIND_TYPES[field.kind], field.name


def test_required_fields_have_no_default() -> None:
    no_default = {
        f.name
        for f in dataclasses.fields(Memory)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    assert no_default == {f.name for f in FIELDS if f.required}
