"""Changing records: field assignments, editor sessions, superseding. Never prints."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gitmem.errors import RecordError, UsageError
from gitmem.records.store import Store, Stored
from gitmem.store import compose, secrets
from gitmem.store.fields import FIELD_ORDER, LIST_FIELDS, REQUIRED
from gitmem.store.front_matter import parse_file, parse_value, serialize_file
from gitmem.store.record import Memory, now_iso
from gitmem.store.types import template_for
from gitmem.store.validation import validate

READ_ONLY = ("id", "created")
# The fields `--set` knows (and `metadata.KEY`); any other key needs `--set-unknown`.
SETTABLE = tuple(name for name in FIELD_ORDER if name not in READ_ONLY)


def _split(assignment: str, option: str) -> tuple[str, str]:
    key, sep, value = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        example = "reviewer=alice" if option == "--set-unknown" else "status=accepted"
        raise UsageError(f"bad {option} {assignment!r}: expected FIELD=VALUE, e.g. {example}")
    return key, value


def set_field(memory: Memory, assignment: str) -> None:
    """`--set field=value`: text fields take the value as is, lists a comma list.

    A key that is not a field of the schema is refused (a typo must not become a new field);
    `set_unknown` adds one on purpose."""
    key, value = _split(assignment, "--set")
    if key in READ_ONLY:
        raise UsageError(f"{key} cannot be changed")
    if key == "body":
        raise UsageError("use --body TEXT (or --body - to read stdin) to change the body")
    if key == "metadata" or key.startswith("metadata."):
        name = key.removeprefix("metadata").removeprefix(".")
        if not name:
            raise UsageError("set one metadata key at a time: --set metadata.KEY=VALUE")
        memory.metadata = {**memory.metadata, **compose.metadata([f"{name}={value}"])}
    elif key == "tags":
        memory.tags = compose.tags([value])
    elif key in LIST_FIELDS:
        setattr(memory, key, compose.split_list([value]))
    elif key in FIELD_ORDER:
        setattr(memory, key, value.strip() or None)
    else:
        raise UsageError(
            f"unknown field {key!r}: --set takes {', '.join(SETTABLE)} or metadata.KEY; "
            f"to add a field of your own, use --set-unknown {key}=VALUE"
        )


def set_unknown(memory: Memory, assignment: str) -> None:
    """`--set-unknown key=value`: a field outside the schema, kept as written (YAML value)."""
    key, value = _split(assignment, "--set-unknown")
    if key in FIELD_ORDER or key == "body":
        raise UsageError(f"{key} is a known field: use --set {key}=VALUE")
    if key.startswith("metadata."):
        raise UsageError(f"use --set {key}=VALUE for a metadata key")
    memory.extra[key] = parse_value(value)


def unset_field(memory: Memory, key: str) -> None:
    if key in REQUIRED:
        raise UsageError(f"{key} is required and cannot be removed")
    if key in FIELD_ORDER:
        blank = Memory(id="", type="", title="", created="")
        setattr(memory, key, getattr(blank, key))
    elif key in memory.extra:
        del memory.extra[key]
    else:
        raise UsageError(f"{key} is not a field of this memory")


def finish(
    store: Store,
    stored: Stored,
    memory: Memory,
    *,
    redact: bool = False,
    redacted: list[secrets.Finding] | None = None,
) -> str:
    """Validate and write an edited record; returns its (possibly new) location.

    A secret the edit adds is refused (`secrets.SecretError`, nothing written); with `redact`
    every secret of the record is replaced by `[REDACTED:<kind>]` (and listed in `redacted`)."""
    if memory == stored.memory and not redact:
        return stored.location
    known = None if redact else secrets.secret_values(stored.memory)
    memory, found = secrets.guard(memory, redact=redact, what="the edited memory", known=known)
    if redacted is not None:
        redacted += found
    if memory == stored.memory:
        return stored.location
    memory.updated = now_iso()
    try:
        validate(memory, stored.location, types=store.config.type_names)
    except RecordError as error:
        raise UsageError(f"{error.field}: {error.message}; nothing was written") from None
    return store.replace(stored, memory)


def mark_superseded(store: Store, old: str) -> None:
    """Set OLD's status to superseded (NEW already lists it in `supersedes`)."""
    stored = store.get(old)
    memory = dataclasses.replace(stored.memory, status="superseded")
    finish(store, stored, memory)


def new_draft_path(store: Store, type_name: str) -> Path:
    """Where `compose_in_editor` keeps the draft of a new memory (until the next one)."""
    return _scratch(store, f"new-{type_name}.md")


def edit_draft_path(store: Store, record_id: str) -> Path:
    """Where `edit_in_editor` keeps the edited text (until the next edit of that memory)."""
    return _scratch(store, f"{record_id}.md")


def _scratch(store: Store, name: str) -> Path:
    path = store.repo.state_dir / "edits" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# The first line of a template draft: the title goes here (a template starts with headings).
TITLE_PLACEHOLDER = "TITLE: replace this line with the memory's title"


def compose_in_editor(store: Store, type_name: str, *, titled: bool = False) -> str:
    """The text of a new memory written in the editor, starting from the type's template.

    A template starts with section headings, so its draft asks for the title on its first
    line (unless `titled`: --title gave it); a draft whose first line is still that
    placeholder, or one of the template's headings, is refused, never saved as "Context"."""
    template = template_for(type_name)
    asks_title = bool(template) and not titled
    draft = f"{TITLE_PLACEHOLDER}\n\n{template}" if asks_title else template
    hint = (
        "replace the first line with the title, then fill in the sections"
        if asks_title
        else "the first line is the title (unless --title was given), the rest is the text"
    )
    path = new_draft_path(store, type_name)
    path.write_text(
        f"{draft}\n<!-- New {type_name}: {hint}. Save an empty file to abort. -->\n",
        encoding="utf-8",
    )
    compose.run_editor(store.repo, path)
    text = compose.strip_template_comments(path.read_text(encoding="utf-8"))
    if text.strip() in ("", compose.strip_template_comments(draft).strip()):
        raise UsageError(f"nothing to save: the text was left empty (draft kept in {path})")
    return _with_title(text, template, path) if asks_title else text


def _with_title(text: str, template: str, path: Path) -> str:
    """The draft without the title placeholder, once a real title is on its first line."""
    lines = text.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first == TITLE_PLACEHOLDER:
        raise UsageError(
            "no title: the first line is still the placeholder; replace it with the memory's "
            f"title, or pass --title (draft kept in {path})"
        )
    headings = {line.strip() for line in template.splitlines() if line.startswith("#")}
    if first in headings:
        raise UsageError(
            f"no title: the first line is the template's heading {first!r}; write the title "
            f"above it, or pass --title (draft kept in {path})"
        )
    kept: list[str] = []
    skip_blank = False
    for line in lines:  # the placeholder goes (the title was written above it), and its gap
        if line.strip() == TITLE_PLACEHOLDER:
            skip_blank = True
            continue
        if not (skip_blank and not line.strip()):
            kept.append(line)
        skip_blank = False
    return "\n".join(kept) + "\n"


def edit_in_editor(store: Store, stored: Stored) -> Memory:
    """The record after the user edited it as a front-matter file; kept on disk if invalid."""
    memory = stored.memory
    path = edit_draft_path(store, memory.id)
    initial = serialize_file(memory)
    path.write_text(initial, encoding="utf-8")
    compose.run_editor(store.repo, path)
    text = path.read_text(encoding="utf-8")
    if text == initial:
        return memory
    try:
        edited = parse_file(text, str(path), store.config.type_names)
    except RecordError as error:
        raise UsageError(f"{error}; nothing was written, your edit is in {path}") from None
    if edited.id != memory.id:
        raise UsageError(f"the id cannot be changed (was {memory.id}); your edit is in {path}")
    return edited
