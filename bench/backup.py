"""Bundle size and whole-process time of `git mem backup create | verify | restore`.

    .venv/bin/python bench/backup.py [--size 10000] [--repeat 5] [--checkpoints 3]

Builds bench/corpus.py's repository of SIZE memories (files and notes) with a few checkpoints,
then prints medians next to references measured in the same run: `python -c pass`, a plain
`git bundle create` of the same refs, and a plain `git fetch` of that bundle into an empty
repository (what a restore cannot do faster than). Restores go into a fresh `git init` each
round (everything is created) and into the source itself (everything is already there).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, build_corpus, machine, sh


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="memories in the corpus")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement")
    parser.add_argument("--checkpoints", type=int, default=3, help="checkpoints of the tree")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gitmem-bench-backup-"))
    try:
        source = root / "source"
        sample = build_corpus(source, args.size, args.seed)
        # Checkpoints of the whole tree, written with plain git in the contract's format (so
        # the figure does not hang on the checkpoint code).
        tree, parent = sh(source, "rev-parse", "HEAD^{tree}").strip(), None
        for i in range(args.checkpoints):
            meta = {"gitmem_checkpoint": 1, "name": "wip", "stage": f"s{i}", "files": []}
            message = f"checkpoint wip: s{i}\n\n{json.dumps(meta, indent=2, sort_keys=True)}\n"
            parents: list[str] = ["-p", parent] if parent else []
            parent = sh(source, "commit-tree", tree, *parents, input=message.encode()).strip()
        if parent:
            sh(source, "update-ref", "refs/gitmem/checkpoints/wip", parent)
        refs = sh(source, "for-each-ref", "--format=%(refname)").split()
        rows: dict[str, list[float]] = {}

        def measure(label: str, argv: list[str], cwd: Path) -> None:
            rows.setdefault(label, []).append(timed(argv, cwd))

        bundle = root / "b.bundle"
        for i in range(args.repeat):
            plain = root / f"plain-{i}.bundle"
            measure("python -c pass", [PYTHON, "-c", "pass"], root)
            measure(
                "git bundle create (same refs)",
                ["git", "bundle", "create", "-q", str(plain), *refs],
                source,
            )
            empty = root / f"fetch-{i}"
            sh(root, "init", "-q", str(empty))
            measure(
                "git fetch of that bundle into git init",
                ["git", "fetch", "-q", str(plain), "+refs/*:refs/x/*"],
                empty,
            )
            bundle.unlink(missing_ok=True)
            measure(
                "git mem backup create", [PYTHON, GIT_MEM, "backup", "create", str(bundle)], source
            )
            measure(
                "git mem backup verify", [PYTHON, GIT_MEM, "backup", "verify", str(bundle)], source
            )
            target = root / f"target-{i}"
            sh(root, "init", "-q", "-b", "main", str(target))
            measure(
                "git mem backup restore into git init",
                [PYTHON, GIT_MEM, "backup", "restore", str(bundle)],
                target,
            )
            measure(
                "git mem backup restore --dry-run (source)",
                [PYTHON, GIT_MEM, "backup", "restore", "--dry-run", str(bundle)],
                source,
            )
            measure(
                "git mem backup restore, all up to date",
                [PYTHON, GIT_MEM, "backup", "restore", str(bundle)],
                source,
            )
            plain.unlink()
            shutil.rmtree(empty)
            shutil.rmtree(target)
        size = bundle.stat().st_size
        print(f"{machine()}")
        print(
            f"{args.size:,} memories ({sample['files']} files, {sample['notes']} in notes on "
            f"{sample['noted_commits']} commits), {args.checkpoints} checkpoints, {len(refs)} refs"
        )
        print(f"bundle: {size:,} bytes ({size / 2**20:.1f} MiB)")
        print(f"median of {args.repeat} rounds, whole process:")
        for label, values in rows.items():
            print(f"  {statistics.median(values) * 1000:8.0f} ms  {label}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
