"""A branch against its base, in plain git: which base, the merge base, the commits, the
changed files (renames found) and their blobs. `git mem pr` reads these; nothing here writes."""

from __future__ import annotations

from gitmem.errors import GitMemError, UsageError
from gitmem.store import git

# (status letter, old blob, new blob, old path, new path) of one file `git diff-tree` lists.
DiffEntry = tuple[str, str, str, str, str]


def _upstream_remote(repo: git.RepoInfo) -> str | None:
    branch = git.run(["symbolic-ref", "-q", "--short", "HEAD"], cwd=repo.git_dir, check=False)
    name = branch.stdout.decode().strip()
    remotes = git.config_get_all(repo, f"branch.{name}.remote") if name else []
    return remotes[-1] if remotes and remotes[-1] != "." else None


def default_base(repo: git.RepoInfo, remote: str | None = None) -> str:
    """The upstream's default branch (`refs/remotes/<remote>/HEAD`), else main, else master."""
    if remote is not None and remote not in git.remotes(repo):
        raise UsageError(f"no remote named {remote!r}; see `git remote`")
    remote = remote or _upstream_remote(repo) or "origin"
    proc = git.run(
        ["symbolic-ref", "-q", f"refs/remotes/{remote}/HEAD"], cwd=repo.git_dir, check=False
    )
    target = proc.stdout.decode().strip()
    if proc.returncode == 0 and target and git.verify_commit(repo, target):
        return target.removeprefix("refs/remotes/")
    for name in ("main", "master"):
        for ref in (f"refs/heads/{name}", f"refs/remotes/{remote}/{name}"):
            if git.verify_commit(repo, ref):
                return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    raise UsageError(
        f"cannot tell which branch to compare with: no refs/remotes/{remote}/HEAD, main or "
        "master; name it: git mem pr BASE"
    )


def resolve(repo: git.RepoInfo, rev: str, what: str) -> str:
    sha = git.verify_commit(repo, rev)
    if sha is not None:
        return sha
    if (
        git.verify_commit(repo, "HEAD") is None
        and not git.run(
            ["for-each-ref", "--count=1", "refs/heads/", "refs/remotes/"], cwd=repo.git_dir
        ).stdout.strip()
    ):
        raise GitMemError("this repository has no commits yet: there is nothing to review")
    raise UsageError(f"unknown {what} {rev!r}: not a commit, branch or tag here")


def merge_base(repo: git.RepoInfo, base: str, head: str, names: tuple[str, str]) -> str:
    proc = git.run(["merge-base", base, head], cwd=repo.git_dir, check=False)
    out = proc.stdout.decode().split()
    if proc.returncode != 0 or not out:
        raise GitMemError(
            f"{names[0]} and {names[1]} have no common ancestor (unrelated histories, or a "
            "shallow clone: fetch more history with `git fetch --unshallow`)"
        )
    return out[0]


def diff(repo: git.RepoInfo, old: str, new: str) -> list[DiffEntry]:
    """(status letter, old blob, new blob, old path, new path) per changed file, renames found."""
    args = ["diff-tree", "-r", "-z", "-M", "--no-abbrev", "--raw", old, new]
    fields = git.run(args, cwd=repo.git_dir).stdout.decode("utf-8", "surrogateescape").split("\0")
    out: list[DiffEntry] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        _old_mode, _new_mode, old_blob, new_blob, status = fields[i][1:].split(" ")
        letter = status[0]
        if letter in "RC":
            out.append((letter, old_blob, new_blob, fields[i + 1], fields[i + 2]))
            i += 3
        else:
            out.append((letter, old_blob, new_blob, fields[i + 1], fields[i + 1]))
            i += 2
    return out


def log(repo: git.RepoInfo, base: str, head: str) -> list[tuple[str, bool, str]]:
    """(sha, is a merge, subject) of each commit in base..head, oldest first."""
    args = ["log", "--reverse", "--format=%H%x00%P%x00%s", f"{base}..{head}", "--"]
    out = git.run(args, cwd=repo.git_dir).stdout.decode("utf-8", "replace")
    commits = []
    for line in out.splitlines():
        sha, parents, subject = line.split("\0", 2)
        commits.append((sha, len(parents.split()) > 1, subject.strip()))
    return commits
