"""`git mem sync --global`: the personal memory's branch travels too, not only its notes.

In a team repository the branch holding `.memory/` is shared the way code is (pull requests);
the personal repository has nobody to do that, and gitmem commits every change there itself.
So its sync rebases the local commits on the remote's (two machines adding memories make
different files, which never conflict) and pushes, never forced. A real conflict (one file
changed on both machines) stops with the rebase undone and says where to resolve it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gitmem.errors import GitMemError
from gitmem.store import git, personal


@dataclasses.dataclass(frozen=True)
class BranchSync:
    branch: str
    fetched: int  # commits taken from the remote
    pushed: int  # commits sent to it

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _count(repo: git.RepoInfo, revs: str) -> int:
    proc = git.run(["rev-list", "--count", revs], cwd=repo.work_tree)
    return int(proc.stdout.decode().strip() or 0)


def sync_branch(repo: git.RepoInfo, remote: str, push: bool = True) -> BranchSync:
    assert repo.work_tree is not None
    branch = git.run(["symbolic-ref", "--short", "HEAD"], cwd=repo.work_tree)
    name = branch.stdout.decode().strip()
    tracking = f"refs/remotes/{remote}/{name}"
    fetch = ["fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{name}:{tracking}"]
    proc = git.run(fetch, cwd=repo.work_tree, check=False)
    theirs = proc.returncode == 0 and git.commit_tip(repo, tracking) is not None
    if proc.returncode != 0:
        probe = ["ls-remote", "--exit-code", remote, f"refs/heads/{name}"]
        if git.run(probe, cwd=repo.work_tree, check=False).returncode != 2:
            raise GitMemError(f"could not fetch {name} from {remote}: {git.error_line(proc)}")
    fetched = _count(repo, f"HEAD..{tracking}") if theirs else 0
    if fetched:
        env = personal.identity_env(repo)
        rebase = git.run(["rebase", "--quiet", tracking], cwd=repo.work_tree, check=False, env=env)
        if rebase.returncode != 0:
            unmerged = ["diff", "--name-only", "--diff-filter=U"]
            conflicts = git.run(unmerged, cwd=repo.work_tree, check=False).stdout.decode().split()
            git.run(["rebase", "--abort"], cwd=repo.work_tree, check=False)
            if not conflicts:
                raise GitMemError(f"could not rebase on {remote}/{name}: {git.error_line(rebase)}")
            raise GitMemError(
                f"your personal memory and {remote}'s both changed {', '.join(conflicts)}; "
                f"nothing was changed here: resolve it in {repo.work_tree} "
                f"(git pull --rebase {remote} {name})"
            )
    pushed = _count(repo, f"{tracking}..HEAD") if theirs else _count(repo, "HEAD")
    if push and pushed:
        out = git.run(
            ["push", "--quiet", remote, f"HEAD:refs/heads/{name}"], cwd=repo.work_tree, check=False
        )
        if out.returncode != 0:
            raise GitMemError(f"could not push {name} to {remote}: {git.error_line(out)}")
    return BranchSync(name, fetched, pushed if push else 0)
