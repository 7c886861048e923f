"""How long `git mem checkpoint save` takes on a 1,000-file / 50 MB working tree.

    .venv/bin/python bench/checkpoint.py [--files 1000] [--mb 50] [--runs 5]

Generates a repository under a temporary directory: 90% text files (words, some of them
committed, the rest untracked) and 10% binary ones, 50 MB in all, plus an ignored directory.
Prints medians (ms) of: the first save (every blob is new to the object database), a save after
editing 1% of the files, a save with nothing changed, and `git mem checkpoint show`; next to
references measured in the same run (`python -c pass`, `git add -A` + `git write-tree` of the
same tree into a scratch index, `git commit` without hooks), so the figures read as ratios on a
noisy machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
ENV.update(
    PATH=f"{BIN}{os.pathsep}{ENV.get('PATH', '')}",
    GIT_CONFIG_GLOBAL="/dev/null",
    GIT_CONFIG_NOSYSTEM="1",
    GIT_AUTHOR_NAME="Bench",
    GIT_AUTHOR_EMAIL="bench@example.com",
    GIT_COMMITTER_NAME="Bench",
    GIT_COMMITTER_EMAIL="bench@example.com",
)
WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env or ENV, capture_output=True)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr.decode()}")
    return elapsed


def generate(root: Path, files: int, total_mb: int, rng: random.Random) -> list[Path]:
    run(["git", "init", "-q", "-b", "main", str(root)], root.parent)
    (root / ".gitignore").write_text("build/\n")
    (root / "build").mkdir()
    (root / "build" / "ignored.o").write_bytes(os.urandom(1 << 20))
    size = total_mb * (1 << 20) // files
    paths = []
    for i in range(files):
        path = root / f"d{i % 20:02d}" / f"f{i:04d}.{'bin' if i % 10 == 9 else 'txt'}"
        path.parent.mkdir(exist_ok=True)
        if path.suffix == ".bin":
            path.write_bytes(os.urandom(size))
        else:
            text = " ".join(rng.choices(WORDS, k=size // 6))
            path.write_text((text + "\n")[:size])
        paths.append(path)
    run(["git", "add", "-A", "--", *[str(p) for p in paths[: files // 2]]], root)
    run(["git", "commit", "-q", "-m", "half the files"], root)
    return paths


def median(values: list[float]) -> str:
    return f"{statistics.median(values):8.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="files in the tree")
    parser.add_argument("--mb", type=int, default=50, help="total size in MB")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="gitmem-bench-checkpoint-") as temp:
        root = Path(temp) / "repo"
        root.mkdir()
        paths = generate(root, args.files, args.mb, rng)
        save = ["git", "mem", "checkpoint", "save", "--stage", "bench"]
        figures: dict[str, list[float]] = {k: [] for k in
                   ("python", "git add+write-tree", "git commit", "first save", "1% edited",
                    "unchanged", "show")}  # fmt: skip
        for i in range(args.runs):
            figures["python"].append(run([sys.executable, "-c", "pass"], root))
            scratch = dict(ENV, GIT_INDEX_FILE=str(Path(temp) / f"scratch-{i}"))
            figures["git add+write-tree"].append(
                run(["git", "add", "-A", "."], root, scratch)
                + run(["git", "write-tree"], root, scratch)
            )
            figures["git commit"].append(
                run(["git", "commit", "-q", "--allow-empty", "--no-verify", "-m", "x"], root)
            )
            # A fresh name each run, but blobs from earlier runs are already stored: only the
            # first run measures a cold object database; later ones measure hashing + metadata.
            figures["first save"].append(run([*save, "--name", f"run{i}"], root))
            for path in rng.sample(paths, max(1, len(paths) // 100)):
                with open(path, "ab") as handle:
                    handle.write(b" edited\n")
            figures["1% edited"].append(run([*save, "--name", f"run{i}"], root))
            figures["unchanged"].append(run([*save, "--name", f"run{i}"], root))
            figures["show"].append(run(["git", "mem", "checkpoint", "show", f"run{i}"], root))
        size = sum(p.stat().st_size for p in paths) / (1 << 20)
        print(f"checkpoint save: {len(paths)} files, {size:.1f} MB, median of {args.runs} (ms)")
        for name, values in figures.items():
            print(f"  {name:<20} {median(values)}   (first run {values[0]:.0f})")


if __name__ == "__main__":
    main()
