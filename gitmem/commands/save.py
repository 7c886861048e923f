"""`git mem save`: a new memory, as a `.memory/` file or a note on a commit."""

from __future__ import annotations

import argparse
import sys

from gitmem import compose, editing, git, sessions
from gitmem.errors import RecordError, UsageError
from gitmem.output import print_json
from gitmem.record import Memory, new_id, now_iso, validate
from gitmem.store import Store

SLUG_HELP = "use lowercase letters, digits and hyphens, e.g. use-postgresql"


def _text_from_args(args: argparse.Namespace) -> str | None:
    if args.message:
        return "\n\n".join(args.message)
    if args.text == ["-"]:
        return sys.stdin.read()
    if "-" in args.text:
        raise UsageError("'-' (read stdin) must be the only text argument")
    return " ".join(args.text) if args.text else None


def _title_and_body(text: str, title: str | None) -> tuple[str, str]:
    body = text.strip("\n")
    if title is None:
        first = next((line for line in body.splitlines() if line.strip()), "")
        title = first.lstrip("#").strip()
    title = " ".join(title.split())
    if len(title) > 120:
        title = title[:117].rstrip() + "..."
    return title, body + "\n"


def build(store: Store, args: argparse.Namespace, text: str) -> Memory:
    repo = store.repo
    if not text.strip():
        raise UsageError("nothing to save: the text is empty")
    title, body = _title_and_body(text, args.title)
    if args.slug is not None and not compose.SLUG_RE.fullmatch(args.slug):
        raise UsageError(f"bad --slug {args.slug!r}: {SLUG_HELP}")
    memory = Memory(
        id=new_id(),
        type=args.type,
        title=title,
        created=now_iso(),
        body=body,
        author=git.ident(repo),
        status=compose.status(args.status),
        tags=compose.tags([*store.config.default_tags, *args.tag]),
        summary=args.summary,
        project=args.project or store.config.default_project,
        source="cli",
        tool=args.tool,
        paths=compose.repo_paths(repo, args.path),
        links=[store.resolve(p)["id"] for p in compose.split_list(args.link)],
        supersedes=[store.resolve(p)["id"] for p in compose.split_list(args.supersedes)],
        metadata=compose.metadata(args.meta),
        session=sessions.active_id(store),
    )
    try:
        validate(memory, "the new memory", types=store.config.type_names)
    except RecordError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    return memory


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    store = Store(repo)
    if args.type not in store.config.type_names:
        raise UsageError(
            f"unknown type {args.type!r}: expected one of {', '.join(store.config.type_names)}"
        )
    commit = git.resolve_commit(repo, args.commit) if args.commit else None
    if commit is None:
        store.require_work_tree()
    text = _text_from_args(args)
    if text is None:
        if not sys.stdin.isatty():
            raise UsageError(
                "nothing to save: give the text with -m, as arguments, or '-' to read stdin"
            )
        text = editing.compose_in_editor(store, args.type)
    memory = build(store, args, text)
    if commit is not None:
        memory.commits = [commit]
        location = store.save_note(memory, commit)
    else:
        location = store.save_file(memory, args.slug)
    for old in memory.supersedes:
        editing.mark_superseded(store, old)
    if args.json:
        print_json(
            {"id": memory.id, "type": memory.type, "title": memory.title, "location": location}
        )
    else:
        print(f"saved {memory.id} ({memory.type}) in {location}")
    return 0
