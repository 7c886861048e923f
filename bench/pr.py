"""How long `git mem pr` takes on a realistic branch.

    .venv/bin/python bench/pr.py [--sizes 1000,10000] [--runs 9] [--files 40] [--commits 12]

For each size N, builds a repository with N memories (bench/corpus.py: 80% `.memory/` files,
20% note records, 30% of records with `paths: [src/<word>/]`), then a branch off main with
`--commits` commits that touch `--files` code files under src/<word>/ (so path matches and
file-name searches find something), add 3 memory files, change the status of 2 and remove 1,
and carry a captured note. It times the whole process (the real `git-mem` console script, index
warm) for `pr` and `pr --json`, round-robin with `python -c pass` as the reference row, and
prints medians of wall and CPU time (user + system, with the git processes it runs), which
moves far less than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, Corpus, build_corpus, machine, sh, timed

from gitmem.store.front_matter import serialize_file


def timed_ms(argv: list[str], cwd: Path) -> tuple[float, float]:
    wall, cpu = timed(argv, cwd)
    return wall * 1000, cpu * 1000


def make_branch(root: Path, corpus: Corpus, files: int, commits: int) -> dict[str, int]:
    sh(root, "checkout", "-q", "-b", "feature")
    memory_files = sorted((root / ".memory").rglob("*.md"))
    per_commit = max(1, files // commits)
    written = 0
    for i in range(commits):
        for _ in range(per_commit):
            path = root / "src" / corpus.word() / f"{corpus.word()}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"# {corpus.words(4, 12)}\n")
            written += 1
        if i == 0:
            for _ in range(3):
                memory = corpus.memory(datetime(2026, 11, 1, tzinfo=UTC))
                folder = root / ".memory" / "decisions"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"bench-{memory.id}.md").write_text(serialize_file(memory))
            for path in memory_files[:2]:
                text = path.read_text()
                new = "deprecated" if "\nstatus: accepted\n" in text else "accepted"
                path.write_text(re.sub(r"(?m)^status: .*$", f"status: {new}", text, count=1))
            memory_files[2].unlink()
        sh(root, "add", "-A")
        sh(root, "commit", "-q", "-m", corpus.words(3, 8).capitalize())
    sh(root, "notes", "--ref=mem", "add", "-m", "Captured: pool size is 20", "HEAD~1")
    return {"code files": written, "commits": commits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--commits", type=int, default=12)
    args = parser.parse_args()
    print(machine())
    print()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="gitmem-bench-pr-") as tmp:
            root = Path(tmp) / "repo"
            corpus = Corpus(seed=size)
            print(f"building {size:,} records ...", file=sys.stderr)
            build_corpus(root, size, seed=size, corpus=corpus)
            shape = make_branch(root, corpus, args.files, args.commits)
            cases = {
                "python -c pass": [PYTHON, "-c", "pass"],
                "git mem pr": [GIT_MEM, "pr"],
                "git mem pr --json": [GIT_MEM, "pr", "--json"],
            }
            subprocess.run([GIT_MEM, "reindex"], cwd=root, env=ENV, capture_output=True)
            out = subprocess.run(
                [GIT_MEM, "pr"], cwd=root, env=ENV, capture_output=True, text=True
            ).stdout
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
            for i in range(-1, args.runs):  # -1: warm-up, not counted
                for name, argv in cases.items():
                    result = timed_ms(argv, root)
                    if i >= 0:
                        times[name].append(result)
            listed = out.count("\n- ")
            print(
                f"### {size:,} records; branch: {shape['commits']} commits, "
                f"{shape['code files']} code files, 6 memory-file changes, 1 note; "
                f"{listed} items listed"
            )
            print()
            print("| command | wall ms (median) | CPU ms (median) |")
            print("|---|---:|---:|")
            for name, values in times.items():
                wall = statistics.median(v[0] for v in values)
                cpu = statistics.median(v[1] for v in values)
                print(f"| {name} | {wall:.0f} | {cpu:.0f} |")
            print()


if __name__ == "__main__":
    main()
