"""Query strings and JSON bodies read the way the CLI reads its options, with its messages.

A parameter nobody expects is an error (a misspelt filter must not silently match everything),
like an unknown option of `git mem list`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from gitmem.errors import UsageError
from gitmem.records.finder import local_filter
from gitmem.records.store import Store
from gitmem.search.query import FILTER_OPTIONS, LIST_OPTIONS, Filter, filter_of, parse_when

# The filters of `git mem list` and `search` (`--type` ... `--all`), by query parameter.
FILTERS = (*FILTER_OPTIONS, "all")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class Query:
    """The parameters of one request: repeated names are lists, as repeated options are."""

    def __init__(self, items: Iterable[tuple[str, str]], allowed: Sequence[str]) -> None:
        self.values: dict[str, list[str]] = {}
        for key, value in items:
            if key not in allowed:
                expected = ", ".join(allowed) if allowed else "none"
                raise UsageError(f"unknown parameter {key!r}: expected {expected}")
            self.values.setdefault(key, []).append(value)

    def many(self, name: str) -> list[str]:
        """Every value of `name`; a value may list several, comma-separated (`tag=a,b`)."""
        return [part.strip() for v in self.values.get(name, []) for part in v.split(",")]

    def one(self, name: str, default: str | None = None) -> str | None:
        found = self.values.get(name)
        if not found:
            return default
        if len(found) > 1:
            raise UsageError(f"{name} is given {len(found)} times: give it once")
        return found[0]

    def number(self, name: str, default: int, low: int, high: int) -> int:
        text = self.one(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise UsageError(f"{name} must be a whole number, not {text!r}") from None
        if not low <= value <= high:
            raise UsageError(f"{name} must be between {low} and {high}, not {value}")
        return value

    def flag(self, name: str) -> bool:
        text = (self.one(name) or "").lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise UsageError(f"{name} must be true or false, not {text!r}")

    def choice(self, name: str, choices: Sequence[str]) -> str:
        text = self.one(name, choices[0])
        assert text is not None
        if text not in choices:
            raise UsageError(f"unknown {name} {text!r}: use one of {', '.join(choices)}")
        return text

    def when(self, name: str) -> datetime | None:
        """A time parameter (`2026-11-01`, `3 days ago`), as `--since`/`--until` read it."""
        text = self.one(name)
        return parse_when(text) if text else None

    def filter(self, store: Store) -> Filter:
        """The filter `--type ... --all` would make (`commands.list.make_filter`)."""
        return local_filter(
            store,
            self.options(),
            since=self.one("since"),
            until=self.one("until"),
            everything=self.flag("all"),
            cwd=store.repo.work_tree,
        )

    def filter_of(self, paths: list[str], commits: list[str], *, unmerged: bool) -> Filter:
        """The filter of the record flags with `paths` and `commits` as the caller reads them
        (this repository's, or as given for a database of many, as
        `commands.list.database_filter`)."""
        return filter_of(
            {**self.options(), "path": paths, "commit": commits},
            since=self.one("since"),
            until=self.one("until"),
            everything=self.flag("all"),
            unmerged=unmerged,
        )

    def options(self) -> dict[str, list[str]]:
        """The values of the repeatable record filters (`type` ... `commit`), by name."""
        return {name: self.many(name) for name in LIST_OPTIONS}


def body_object(data: Any, allowed: Sequence[str], required: Sequence[str] = ()) -> dict[str, Any]:
    """A JSON request body: an object with only `allowed` keys and every `required` one."""
    if not isinstance(data, dict):
        raise UsageError("the request body must be a JSON object")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r}: expected some of {', '.join(allowed)}")
    for name in required:
        if name not in data:
            raise UsageError(f"missing field {name!r}")
    return data


def text_field(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string")
    return value


def list_field(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{name} must be a list of strings")
    return value
