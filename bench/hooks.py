"""What gitmem's hooks add to `git commit`, and how fast `git mem capture` backfills.

    .venv/bin/python bench/hooks.py [--runs 15] [--history 10000] [--no-pre-commit]

Generates its own repositories under a temporary directory and prints medians (ms) of
`git commit --allow-empty` with no hooks, with the hooks `git mem hooks install` puts in, and
with them through the pre-commit framework (this checkout's .pre-commit-hooks.yaml at its HEAD
commit; the framework's environment needs PyPI once and is cached in
~/.cache/gitmem-bench/pre-commit), for a message that captures nothing and one that captures.
References measured in the same run (`python -c pass`, `git --version`) let the figures be read
as ratios on a noisy machine. Then backfill speed on a generated history (git fast-import).

Hooks run with bytecode caching on (PYTHONPYCACHEPREFIX under the cache), as an installed
package would, even where PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CACHE = Path.home() / ".cache" / "gitmem-bench"


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHONDONT"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPYCACHEPREFIX=str(CACHE / "pycache"),
        PRE_COMMIT_HOME=str(CACHE / "pre-commit"),
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


ENV = environment()


def run(args: list[str], cwd: Path, input: bytes | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, env=ENV, input=input, capture_output=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return proc.stdout.decode()


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    run(args, cwd)
    return (time.perf_counter() - start) * 1000


def timed_cpu(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall ms and CPU ms (user + system, the process and the git it runs): CPU time barely
    moves with the machine's load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(args, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def make_repo(path: Path) -> Path:
    run(["git", "init", "-q", "-b", "main", str(path)], path.parent)
    run(["git", "config", "user.name", "Bench"], path)
    run(["git", "config", "user.email", "bench@example.com"], path)
    run(["git", "mem", "init"], path)
    run(["git", "add", ".memory"], path)
    run(["git", "commit", "-q", "-m", "initial"], path)
    return path


NOTHING = "update deps ({i})"
CAPTURES = "Queue jobs ({i})\n\nDecision: Use queue number {i} for jobs\n"


def interleaved(cases: dict[str, Callable[[int], float]], runs: int) -> dict[str, float]:
    """Medians of each case, the cases taking turns run after run, so that a machine whose
    load changes under the benchmark slows them all alike (references included)."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(-1, runs):  # -1: warm-up (caches, bytecode), not counted
        for name, once in cases.items():
            elapsed = once(i)
            if i >= 0:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def commit_case(repo: Path, template: str, label: str) -> Callable[[int], float]:
    def once(i: int) -> float:
        message = template.format(i=f"{label}-{i}")
        return timed(["git", "commit", "-q", "--allow-empty", "-m", message], repo)

    return once


def pre_commit_repo(base: Path) -> Path | None:
    if (
        not (ROOT / ".pre-commit-hooks.yaml").exists()
        or shutil.which("pre-commit", path=ENV["PATH"]) is None
    ):
        return None
    repo = make_repo(base / "pre-commit")
    rev = run(["git", "rev-parse", "HEAD"], ROOT).strip()
    (repo / ".pre-commit-config.yaml").write_text(
        "default_install_hook_types: [pre-commit, post-commit, post-rewrite]\n"
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n"
        "      - id: gitmem-check\n      - id: gitmem-capture\n      - id: gitmem-rewrite\n"
    )
    run(["git", "add", ".pre-commit-config.yaml"], repo)
    run(["git", "commit", "-q", "-m", "pre-commit config"], repo)
    run(["pre-commit", "install"], repo)
    run(["pre-commit", "install-hooks"], repo)  # builds (or reuses) the cached environment
    return repo


# ------------------------------------------------------------------ backfill

# One commit in five captures something (real histories: fewer).
MESSAGES = [
    "update deps",
    "Fix typo in docs",
    "fixing tests",
    "Refactor the parser",
    "fix(api): handle empty payloads in /orders",
    "bump version",
    "Add dashboards",
    "Tune pool\n\nDecision: Pool size {n}\nFact: the DB allows {n} connections",
    "Rename helpers in utils",
    "Add a metrics endpoint",
]


def fast_history(repo: Path, count: int) -> None:
    """`count` commits on main, each changing one of 200 files, in one fast-import run."""
    parent = run(["git", "rev-parse", "HEAD"], repo).strip()
    stream = [f"reset refs/heads/main\nfrom {parent}\n\n".encode()]
    for n in range(count):
        message = MESSAGES[n % len(MESSAGES)].format(n=n).encode() + b"\n"
        stamp = 1_763_000_000 + n * 60
        content = f"{n}\n".encode()
        stream.append(
            f"commit refs/heads/main\nauthor Dev {n % 7} <dev{n % 7}@example.com> {stamp} +0000\n"
            f"committer Dev {n % 7} <dev{n % 7}@example.com> {stamp} +0000\n"
            f"data {len(message)}\n".encode()
            + message
            + f"M 100644 inline src/module{n % 200}.py\ndata {len(content)}\n".encode()
            + content
            + b"\n"
        )
    run(["git", "fast-import", "--quiet"], repo, input=b"".join(stream))
    run(["git", "reset", "-q", "--hard", "main"], repo)


def backfill(base: Path, count: int) -> None:
    repo = make_repo(base / "history")
    start = time.perf_counter()
    fast_history(repo, count)
    generated = time.perf_counter() - start
    print(f"\nbackfill over {count} generated commits (fast-import: {generated:.1f} s)")
    timed(["git", "mem", "capture", "--dry-run"], repo)  # warm-up: page cache, bytecode
    dry = timed_cpu(["git", "mem", "capture", "--dry-run"], repo)
    first = timed_cpu(["git", "mem", "capture"], repo)
    summary = run(["git", "mem", "capture"], repo).strip()
    again = timed_cpu(["git", "mem", "capture"], repo)
    log = ["git", "log", "-z", "--name-only", "--format=%H%x00%B", "HEAD"]
    plain = timed_cpu(log, repo)
    python = timed_cpu([sys.executable, "-c", "pass"], repo)
    total = count + 1
    print(f"  {'':46} {'wall ms':>8} {'commits/s':>10} {'CPU ms':>8} {'commits/CPU s':>14}")
    for label, (wall, cpu) in (
        ("--dry-run (scan + rules, nothing written)", dry),
        ("first run (scan + write all notes, one CAS)", first),
        ("second run (scan + all already present)", again),
        ("reference: plain git log -z --name-only", plain),
        ("reference: python -c pass", python),
    ):
        rate = f"{total / wall * 1000:10.0f}" if "reference: py" not in label else " " * 10
        cpu_rate = f"{total / cpu * 1000:14.0f}" if cpu and "reference: py" not in label else ""
        print(f"  {label:46} {wall:8.0f} {rate} {cpu:8.0f} {cpu_rate}")
    print(f"  ({summary})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="commits timed per case")
    parser.add_argument("--history", type=int, default=10_000, help="commits to backfill")
    parser.add_argument("--no-pre-commit", action="store_true", help="skip the framework case")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gitmem-bench-") as tmp:
        base = Path(tmp)
        repos = {"no hooks": make_repo(base / "plain"), "gitmem hooks": make_repo(base / "hooked")}
        run(["git", "mem", "hooks", "install"], repos["gitmem hooks"])
        framework = None if args.no_pre_commit else pre_commit_repo(base)
        if framework is not None:
            repos["pre-commit framework"] = framework
        else:
            print("(pre-commit framework case skipped)")
        cases: dict[str, Callable[[int], float]] = {
            "python -c pass": lambda i: timed([sys.executable, "-c", "pass"], base),
            "git --version": lambda i: timed(["git", "--version"], base),
        }
        for name, repo in repos.items():
            cases[f"{name}/nothing"] = commit_case(repo, NOTHING, f"{name}-nothing")
            if name == "gitmem hooks":  # right after a commit that captures nothing
                cases["post-commit hook alone"] = lambda i: timed(
                    ["git", "mem", "hook", "post-commit"], repos["gitmem hooks"]
                )
            cases[f"{name}/captures"] = commit_case(repo, CAPTURES, f"{name}-captures")
        got = interleaved(cases, args.runs)
        python = got["python -c pass"]
        print(
            f"references (same runs, interleaved): python -c pass {python:.1f} ms, "
            f"git --version {got['git --version']:.1f} ms"
        )
        print(f"\ngit commit --allow-empty, median of {args.runs} (ms; added = minus no hooks)")
        print(f"  {'':22} {'captures nothing':>28} {'captures one decision':>28}")
        for name in repos:
            cells = []
            for kind in ("nothing", "captures"):
                total = got[f"{name}/{kind}"]
                added = total - got[f"no hooks/{kind}"]
                cells.append(f"{total:7.1f} (+{added:6.1f} = {added / python:4.1f} py)")
            print(f"  {name:22} {cells[0]:>28} {cells[1]:>28}")
        alone = got["post-commit hook alone"]
        print(
            f"  `git mem hook post-commit` alone, nothing to capture: {alone:.1f} ms "
            f"= {alone / python:.1f} py"
        )
        print("  (N py: in units of `python -c pass`; the issue's budget, where that is 14 ms:")
        print("   +50 ms = 3.6 py for a commit capturing nothing, +200 ms = 14 py capturing)")
        backfill(base, args.history)


if __name__ == "__main__":
    main()
