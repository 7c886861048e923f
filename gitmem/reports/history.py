"""The commit graph behind deployed commits, read with one `git log` (lead time needs it).

One walk of the history instead of an `is_ancestor` call per (commit, deploy) pair: with 1k
deploys over thousands of commits the pairwise way is millions of git calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from gitmem.store import git


class Commit(NamedTuple):
    time: int  # committer time, seconds since the epoch
    parents: tuple[str, ...]


class Graph(NamedTuple):
    commits: dict[str, Commit]  # every commit reachable from the deployed ones
    missing: list[str]  # deployed commits this repository does not have (a shallow clone)


def present(repo: git.RepoInfo, shas: list[str]) -> tuple[list[str], list[str]]:
    """Split `shas` into commits the repository has and ones it lacks."""
    if not shas:
        return [], []
    proc = git.run(
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
        cwd=repo.git_dir,
        input="".join(f"{sha}\n" for sha in shas).encode(),
    )
    have: list[str] = []
    lack: list[str] = []
    for sha, line in zip(shas, proc.stdout.decode().splitlines(), strict=True):
        (have if line.endswith(" commit") else lack).append(sha)
    return have, lack


def read(repo: git.RepoInfo, deployed: Iterable[str]) -> Graph:
    """The history of every deployed commit: each commit's time and parents."""
    have, lack = present(repo, sorted(set(deployed)))
    commits: dict[str, Commit] = {}
    if have:
        proc = git.run(
            ["log", "--stdin", "--format=%H %ct %P"],
            cwd=repo.git_dir,
            input="".join(f"{sha}\n" for sha in have).encode(),
        )
        for line in proc.stdout.decode().splitlines():
            sha, when, *parents = line.split()
            commits[sha] = Commit(int(when), tuple(parents))
    return Graph(commits, lack)


def first_reached(graph: Graph, tips: list[str]) -> Iterator[tuple[str, int]]:
    """(commit, index of the first tip whose history holds it), tips taken in order.

    A commit already reached stops the walk: its whole history was reached with it.
    """
    seen: set[str] = set()
    for index, tip in enumerate(tips):
        stack = [tip]
        while stack:
            sha = stack.pop()
            if sha in seen or sha not in graph.commits:
                continue
            seen.add(sha)
            yield sha, index
            stack.extend(graph.commits[sha].parents)
