"""Resume time for a 1,000-file / 50 MB checkpoint, whole process.

    .venv/bin/python bench/checkpoint_resume.py [--files 1000] [--mb 50] [--runs 5]

Prints medians next to references measured in the same run (`python -c pass`, `git commit`
without hooks, `cp -r` of the same tree), so figures from a noisy machine read as ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def mem(repo: Path, *args: str) -> None:
    proc = subprocess.run([str(BIN / "git-mem"), *args], cwd=repo, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"git mem {' '.join(args)} failed: {proc.stderr.decode()}")


def median_ms(runs: int, setup: Callable[[], None], action: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        setup()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def make_tree(repo: Path, files: int, total_mb: int) -> None:
    """Half text (word counts), half incompressible binary, in 20 directories."""
    size = total_mb * 1024 * 1024 // files
    words = (b"lorem ipsum dolor sit amet consectetur " * (size // 39 + 1))[:size]
    for i in range(files):
        path = repo / f"dir{i % 20:02d}" / f"file{i:04d}.{'txt' if i % 2 else 'bin'}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(words if i % 2 else os.urandom(size))


def remove_tree(repo: Path) -> None:
    for child in repo.iterdir():
        if child.name.startswith("dir"):
            shutil.rmtree(child)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    nothing = lambda: None  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="bench-resume-") as temp:
        repo = Path(temp) / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        git(repo, "config", "user.name", "Bench")
        git(repo, "config", "user.email", "bench@example.com")
        make_tree(repo, opts.files, opts.mb)
        start = time.perf_counter()
        mem(repo, "checkpoint", "save", "--name", "bench")
        save_ms = (time.perf_counter() - start) * 1000
        snapshot = Path(temp) / "snapshot"
        shutil.copytree(repo, snapshot, ignore=shutil.ignore_patterns(".git"))
        resume = ["checkpoint", "resume", "--name", "bench", "--latest"]

        rows = [
            (
                "python -c pass",
                median_ms(opts.runs, nothing, lambda: _run([sys.executable, "-c", "pass"])),
            ),
            (
                "git commit --allow-empty (no hooks)",
                median_ms(
                    opts.runs,
                    nothing,
                    lambda: git(repo, "commit", "-q", "--allow-empty", "-m", "x"),
                ),
            ),
            (
                f"cp -r of the {opts.files} files",
                median_ms(
                    opts.runs,
                    lambda: shutil.rmtree(Path(temp) / "copy", ignore_errors=True),
                    lambda: _run(["cp", "-r", str(snapshot), str(Path(temp) / "copy")]),
                ),
            ),
            ("checkpoint save (first, once)", save_ms),
            (
                "resume, all files deleted (restore + verify)",
                median_ms(opts.runs, lambda: remove_tree(repo), lambda: mem(repo, *resume)),
            ),
            (
                "resume, all files deleted, --no-verify",
                median_ms(
                    opts.runs, lambda: remove_tree(repo), lambda: mem(repo, *resume, "--no-verify")
                ),
            ),
            (
                "resume, nothing changed (all unchanged)",
                median_ms(opts.runs, nothing, lambda: mem(repo, *resume)),
            ),
            (
                "resume --dry-run, all files deleted",
                median_ms(opts.runs, lambda: remove_tree(repo), lambda: mem(repo, *resume, "-n")),
            ),
        ]
        print(f"{opts.files} files, {opts.mb} MB, median of {opts.runs} runs (save: one run)")
        for label, ms in rows:
            print(f"  {label:<48} {ms:9.0f} ms")


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True)


if __name__ == "__main__":
    main()
