"""`git mem publish [URL]`: mirror this repository's memory into PostgreSQL."""

from __future__ import annotations

import argparse
import dataclasses

from gitmem.output import emit, plural, warn
from gitmem.publish import connect, local, publish, schema
from gitmem.store import git


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    url = connect.resolve(args.url, local.memory_dir_of(repo))
    state = local.read(repo, args.repository)
    with connect.connect(url) as conn:
        outcome = publish.run(conn, state)
    for problem in state.problems:  # found while reading what changed
        warn(f"skipped {problem}")
    place = connect.where(url)
    if outcome.changed:
        human = (
            f"published {outcome.repository} to {place}: "
            f"records +{outcome.records_added} -{outcome.records_removed}, "
            f"{plural(outcome.sessions_changed + outcome.sessions_removed, 'session')} changed, "
            f"messages +{outcome.messages_added} -{outcome.messages_removed} "
            f"({plural(outcome.records_total, 'record')}, "
            f"{plural(outcome.messages_total, 'message')} in all) in {outcome.seconds:.1f} s"
        )
    else:
        human = f"{outcome.repository} is up to date at {place}"
    if outcome.migrated_from == 0:
        human = f"created the schema (version {schema.VERSION})\n{human}"
    elif outcome.migrated_from is not None:
        human = (
            f"migrated the schema from version {outcome.migrated_from} to {schema.VERSION}\n{human}"
        )
    document = {**dataclasses.asdict(outcome), "changed": outcome.changed, "database": place}
    emit(args.json, document, human)
    return 0
