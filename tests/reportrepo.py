"""A generated repository for the report tests: 300 commits on main (a merged hotfix branch)
and deploy records to staging and production over four weeks, with explicit timestamps.

History (T0 = Monday 2026-01-05 00:00 UTC; hours below are hours after T0):
- main: c1..c300, c_i committed at 2*i h; c110 is a merge commit (parents c109 and x3);
- hotfix: x1, x2, x3 off c100, committed at 200.5 h, 201 h, 201.5 h.

Deploys (hour, commit, status) — every DORA figure in the tests is derived from this table:

production                         staging
P1  103    c50   success           S1  81     c40   success
P2  161    c80   failure           S2  201    c100  success
P3  182    c90   success           S2b 203    x3    success
P4  300.5  c150  started           S3  241    c120  failure
P5  301    c150  success           S4  251    c125  failure
P6  404    c200  rolled-back       S5  261    c130  success
P7  410    c150  success           S6  501    c250  success
P8  445    c220  success           S7  520    MISSING (not in the repo) success
P9  602    c300  failure
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gitmem.deploy import deploy
from gitmem.deploy.ci_env import CIInfo
from gitmem.deploy.deploy import Request
from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.record import Memory

T0 = datetime(2026, 1, 5, tzinfo=UTC)
HOUR = 3600
MISSING = "d" * 40  # a deployed commit this repository lacks (as in a shallow clone)

PRODUCTION = [
    (103, "c50", "success"),
    (161, "c80", "failure"),
    (182, "c90", "success"),
    (300.5, "c150", "started"),
    (301, "c150", "success"),
    (404, "c200", "rolled-back"),
    (410, "c150", "success"),
    (445, "c220", "success"),
    (602, "c300", "failure"),
]
STAGING = [
    (81, "c40", "success"),
    (201, "c100", "success"),
    (203, "x3", "success"),
    (241, "c120", "failure"),
    (251, "c125", "failure"),
    (261, "c130", "success"),
    (501, "c250", "success"),
    (520, "missing", "success"),
]


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def commit_hours(name: str) -> float:
    """When a commit of the table was committed, in hours after T0."""
    if name.startswith("x"):
        return 200 + 0.5 * int(name[1:])
    return 2 * int(name[1:])


def _commit(ref: str, mark: int, hours: float, parents: list[int]) -> bytes:
    stamp = int(at(hours).timestamp())
    message = f"commit {mark}\n".encode()
    lines = [
        f"commit {ref}",
        f"mark :{mark}",
        f"committer Dev <dev@example.com> {stamp} +0000",
        f"data {len(message)}",
    ]
    head = ("\n".join(lines) + "\n").encode() + message
    links = "".join(
        f"{'from' if n == 0 else 'merge'} :{parent}\n" for n, parent in enumerate(parents)
    )
    content = f"{mark}\n".encode()
    change = f"M 100644 inline file{mark % 7}.txt\ndata {len(content)}\n".encode() + content
    return head + links.encode() + change + b"\n"


def build_history(root: Path) -> dict[str, str]:
    """The commits above in `root` (an initialised repository): name -> sha."""
    stream = []
    for i in range(1, 101):
        stream.append(
            _commit("refs/heads/main", i, commit_hours(f"c{i}"), [i - 1] if i > 1 else [])
        )
    for j in range(1, 4):
        parent = 100 if j == 1 else 1000 + j - 1
        stream.append(_commit("refs/heads/hotfix", 1000 + j, commit_hours(f"x{j}"), [parent]))
    for i in range(101, 301):
        parents = [i - 1, 1003] if i == 110 else [i - 1]
        stream.append(_commit("refs/heads/main", i, commit_hours(f"c{i}"), parents))
    marks = root / ".git" / "report-marks"
    subprocess.run(
        ["git", "fast-import", "--quiet", f"--export-marks={marks}"],
        cwd=root,
        input=b"".join(stream),
        check=True,
    )
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
    names = {}
    for line in marks.read_text().splitlines():
        mark, sha = line.split()
        number = int(mark[1:])
        names[f"x{number - 1000}" if number > 1000 else f"c{number}"] = sha
    marks.unlink()
    names["missing"] = MISSING
    return names


def deploy_memory(store: Store, env: str, hours: float, sha: str, status: str, run: int) -> Memory:
    """A deploy record exactly as `git mem deploy` builds it in a GitHub Actions job."""
    ci = CIInfo(provider="github-actions", run_id=str(run), job="deploy")
    request = Request(env=env, commit=sha, status=status, version=f"v{run}")
    return deploy.build(store, request, ci, created=at(hours).isoformat())


def write_deploys(root: Path, names: dict[str, str]) -> None:
    """Every deploy of the table as a note on its commit (the missing one: on c250's note)."""
    store = Store(git.discover(root))
    run = 0
    for env, table in (("production", PRODUCTION), ("staging", STAGING)):
        for hours, name, status in table:
            run += 1
            sha = names[name]
            holder = names["c250"] if name == "missing" else sha
            store.save_note(deploy_memory(store, env, hours, sha, status, run), holder)
