"""`git mem save`: a new memory, as a `.memory/` file or a note on a commit."""

from __future__ import annotations

import argparse
import sys

from gitmem.errors import ConflictError, UsageError
from gitmem.output import emit, safe, warn
from gitmem.records import actions, editing
from gitmem.records.actions import Saved
from gitmem.records.store import Store
from gitmem.store import compose, git, secrets


def _text_from_args(args: argparse.Namespace) -> str | None:
    if args.message:
        return "\n\n".join(args.message)
    if args.text == ["-"]:
        return sys.stdin.read()
    if "-" in args.text:
        raise UsageError("'-' (read stdin) must be the only text argument")
    return " ".join(args.text) if args.text else None


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    store = Store(repo)
    # The checks that need no text come first: nobody should write in the editor for nothing.
    actions.check_type(store, args.type)
    commit = git.resolve_commit(repo, args.commit) if args.commit else None
    if commit is None:
        store.require_work_tree()
    text = _text_from_args(args)
    drafted = text is None  # written in the editor: a refusal says where the draft is kept
    if text is None:
        if not sys.stdin.isatty():
            raise UsageError(
                "nothing to save: give the text with -m, as arguments, or '-' to read stdin"
            )
        text = editing.compose_in_editor(store, args.type, titled=args.title is not None)
    try:
        saved = _save(store, args, text, commit)
    except secrets.SecretError as error:
        if not drafted:
            raise
        kept = f"your text is in {editing.new_draft_path(store, args.type)}"
        raise secrets.SecretError(error.what, error.findings, kept=kept) from None
    except ConflictError as error:  # a near-duplicate: the text typed in the editor is kept
        if drafted:
            draft = editing.new_draft_path(store, args.type)
            raise ConflictError(f"{error} (your text is kept in {draft})") from None
        raise
    if saved.redacted and not args.json:
        warn(f"redacted {secrets.describe_listed(saved.redacted)} before saving")
    emit(args.json, saved.to_json(), safe(f"saved {saved.id} ({saved.type}) in {saved.location}"))
    return 0


def _save(store: Store, args: argparse.Namespace, text: str, commit: str | None) -> Saved:
    return actions.save(
        store,
        text=text,
        type=args.type,
        title=args.title,
        tags=args.tag,
        status=args.status,
        summary=args.summary,
        paths=args.path,
        links=args.link,
        supersedes=args.supersedes,
        project=args.project,
        metadata=compose.metadata(args.meta),
        commit=commit,
        source="cli",
        tool=args.tool,
        slug=args.slug,
        refuse_near_duplicate=not args.force,
        redact=args.redact,
    )
