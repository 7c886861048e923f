"""`git mem doctor`'s checks: every record, the links between them, and the git setup."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from gitmem.errors import GitMemError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.changes import Problem
from gitmem.search.query import Filter
from gitmem.store import config, objects
from gitmem.store.front_matter import foreign_reader_problem
from gitmem.store.initialize import missing_settings


def check(
    store: Store, config_checks: Iterable[Callable[[config.Config], None]] = ()
) -> tuple[list[Problem], int]:
    """Every problem found, and how many records were read. `config_checks`: the domain
    packages' checks of their own tables in the config (capture's rules), which the caller
    brings, since records must not import a domain package."""
    problems: list[Problem] = []
    where = f".memory/{config.CONFIG_NAME}"
    try:
        settings = store.config
    except GitMemError as error:
        problems.append(Problem(where, str(error).removeprefix(f"{where}: ")))
        store._config = settings = config.EMPTY  # read the records as if there were none
    for config_check in config_checks:
        try:
            config_check(settings)
        except GitMemError as error:  # the config's other settings still apply
            problems.append(Problem(where, str(error).removeprefix(f"{where}: ")))
    catalog = store.catalog()
    problems.extend(catalog.warnings)
    rows = finder.records(store, Filter(include_retired=True, include_unmerged=True))
    by_id: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_id[row["id"]].append(row["location"])
    for record_id, places in by_id.items():
        if len(places) > 1:
            for place in places:
                others = ", ".join(p for p in places if p != place) or place
                problems.append(Problem(place, f"duplicate id {record_id} (also in {others})"))
    for row in rows:
        for key in ("links", "supersedes"):
            for target in row.get(key, []):
                if target not in by_id:
                    problems.append(
                        Problem(
                            row["location"], f"{row['id']}: {key} names unknown memory {target}"
                        )
                    )
        location = row["location"]
        if location.startswith(".memory/"):
            folder = location.split("/")[1] if location.count("/") >= 2 else ""
            expected = store.config.folder(row["type"])
            if folder != expected:
                problems.append(
                    Problem(
                        location,
                        f"a {row['type']} belongs in .memory/{expected}/ (it is read anyway)",
                    )
                )
    problems.extend(_foreign_readers(store, rows))
    problems.extend(_orphaned_notes(store, rows))
    for key, value in missing_settings(store.repo):
        problems.append(Problem("git config", f"{key} lacks {value}; run `git mem init`"))
    return problems, len(rows)


def _orphaned_notes(store: Store, rows: list[dict[str, object]]) -> list[Problem]:
    shas = {str(row["location"])[5:] for row in rows if str(row["location"]).startswith("note:")}
    if not shas:
        return []
    missing = objects.missing_objects(store.repo, sorted(shas))
    return [
        Problem(
            f"note:{sha}",
            "the commit this note is about no longer exists "
            "(`git notes --ref=mem prune` drops such notes)",
        )
        for sha in missing
    ]


def _foreign_readers(store: Store, rows: list[dict[str, object]]) -> list[Problem]:
    """Files other tools cannot read."""
    problems = []
    work_tree = store.repo.work_tree
    for row in rows:
        location = str(row["location"])
        if work_tree is None or not location.startswith(".memory/"):
            continue
        problem = foreign_reader_problem(work_tree / location, str(row["id"]))
        if problem is not None:
            problems.append(Problem(location, problem))
    return problems
