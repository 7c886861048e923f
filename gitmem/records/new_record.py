"""A new memory built from the typed values the CLI, the MCP tools and the serve API give
(`actions.save` writes it): its title and body from the text, the config's defaults, paths and
ids resolved, validated before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gitmem.errors import RecordError, UsageError
from gitmem.records.store import Store
from gitmem.store import compose, git
from gitmem.store.record import Memory, new_id, now_iso
from gitmem.store.validation import validate

SLUG_HELP = "use lowercase letters, digits and hyphens, e.g. use-postgresql"


def title_and_body(text: str, title: str | None) -> tuple[str, str]:
    """The title (given, or the text's first non-empty line) and the body of a new memory."""
    body = text.strip("\n")
    if title is None:
        first = next((line for line in body.splitlines() if line.strip()), "")
        title = first.lstrip("#").strip()
    return compose.one_line_title(title), body + "\n"


def build(
    store: Store,
    *,
    text: str,
    type: str,
    title: str | None,
    tags: Sequence[str],
    status: str | None,
    summary: str | None,
    paths: Sequence[str],
    links: Sequence[str],
    supersedes: Sequence[str],
    project: str | None,
    metadata: Mapping[str, Any] | None,
    source: str,
    tool: str | None,
    session: str | None,
    slug: str | None,
    cwd: Path | None,
) -> Memory:
    """A new memory of these values, validated (a UsageError names the field): the title is
    `title` or the text's first line, tags and the project get the config's defaults, `paths`
    are made relative to the work tree (from `cwd`), `links` and `supersedes` resolved to ids."""
    repo = store.repo
    if not text.strip():
        raise UsageError("nothing to save: the text is empty")
    title, body = title_and_body(text, title)
    if slug is not None and not compose.SLUG_RE.fullmatch(slug):
        raise UsageError(f"bad --slug {slug!r}: {SLUG_HELP}")
    memory = Memory(
        id=new_id(),
        type=type,
        title=title,
        created=now_iso(),
        body=body,
        author=git.ident(repo),
        status=compose.status(status),
        tags=compose.tags([*store.config.default_tags, *tags]),
        summary=summary,
        project=project or store.config.default_project,
        source=source,
        tool=tool,
        paths=compose.repo_paths(repo, list(paths), cwd),
        links=resolve_ids(store, links),
        supersedes=resolve_ids(store, supersedes),
        session=session,
        metadata=dict(metadata or {}),
    )
    try:
        validate(memory, "the new memory", types=store.config.type_names)
    except RecordError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    return memory


def resolve_ids(store: Store, prefixes: Sequence[str]) -> list[str]:
    """Full ids of memory ids or unique prefixes (comma lists allowed, like the CLI's)."""
    return [store.resolve(prefix)["id"] for prefix in compose.split_list(list(prefixes))]
