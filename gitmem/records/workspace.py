"""Searching several repositories at once (`git mem search --repos`, `--workspace`).

Each repository is searched with its own index, as `git mem search` would there; the hits are
ranked together by score (the same BM25F over the same fields, so comparable) and each names
its repository. The workspace's list lives in the user's config,
`$XDG_CONFIG_HOME/gitmem/config.toml` (else `~/.config/gitmem/config.toml`):

    [workspace]
    repos = ["~/src/api", "~/src/web", "~/src/infra"]
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.errors import GitMemError, UsageError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.engine import Hit
from gitmem.search.query import Filter
from gitmem.store import git


class Place(NamedTuple):
    name: str  # how hits name it: the directory name, made unique
    store: Store


class WorkspaceHit(NamedTuple):
    repository: str
    path: Path
    hit: Hit


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "gitmem" / "config.toml"


def configured() -> list[str]:
    """`[workspace] repos` of the user's config; a UsageError naming the file if unreadable."""
    path = user_config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f'no workspace configured: add [workspace] repos = ["PATH", ...] to {path}'
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: {error}") from None
    repos = data.get("workspace", {}).get("repos")
    if not isinstance(repos, list) or not all(isinstance(r, str) for r in repos) or not repos:
        raise UsageError(f"{path}: [workspace] repos must be a non-empty list of paths")
    return repos


def open_places(paths: Sequence[str], notify: Callable[[str], None] | None = None) -> list[Place]:
    """A Store for each path (a repository or a directory inside one), each repository once."""
    places: list[Place] = []
    seen: set[Path] = set()
    for value in paths:
        path = Path(value).expanduser()
        if not path.is_dir():
            raise UsageError(f"--repos {value}: not a directory")
        try:
            repo = git.discover(path)
        except GitMemError as error:
            raise UsageError(f"--repos {value}: {error}") from None
        top = (repo.work_tree or repo.git_dir).resolve()
        if top in seen:
            continue
        seen.add(top)
        name = top.name
        taken = {place.name for place in places}
        number = 2
        while name in taken:
            name, number = f"{top.name}-{number}", number + 1
        places.append(Place(name, Store(repo, notify=notify)))
    return places


def search(
    places: Sequence[Place],
    make_filter: Callable[[Store], Filter],
    text: str,
    *,
    limit: int,
    newest: bool = False,
    snippets: bool = True,
) -> list[WorkspaceHit]:
    """The best `limit` hits over every place, best first (newest first with `newest`)."""
    found: list[WorkspaceHit] = []
    for place in places:
        result = finder.search(
            place.store, make_filter(place.store), text, limit=limit, newest=newest,
            snippets=snippets,
        )  # fmt: skip
        path = place.store.repo.work_tree or place.store.repo.git_dir
        found += [WorkspaceHit(place.name, path, hit) for hit in result.hits]
    if newest:
        found.sort(key=lambda h: (str(h.hit.row.get("created", "")), h.repository), reverse=True)
    else:
        found.sort(key=lambda h: (-h.hit.score, h.repository, str(h.hit.row["id"])))
    return found[:limit]


def to_json(text: str, hits: Sequence[WorkspaceHit]) -> dict[str, Any]:
    """`git mem search --json`'s shape, each hit with its repository's name and path."""
    document = finder.found_json(finder.Found([h.hit for h in hits], None, ""), text)
    for entry, hit in zip(document["hits"], hits, strict=True):
        entry["repository"] = hit.repository
        entry["repository_path"] = str(hit.path)
    return document
