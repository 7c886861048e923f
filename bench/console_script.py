"""What the console script's form costs a one-shot read, whole process: pip's entry-point
wrapper (pyproject's [project.scripts]: it imports `re` before gitmem) against a script
written out that imports gitmem first (bin/git-mem of 2f65dfd, setuptools' script-files).

    .venv/bin/python bench/console_script.py --repo PATH [--runs 31]

PATH: an indexed repository (a bench/corpus.py one, its index built). Both forms run the same
checkout with this Python (the written-out one is put in a temporary directory, its `#!` this
Python), the service off, alternating, after a warm-up; `python -c pass` is the reference of
the same run. Prints medians, their ratios to the reference, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRITTEN_OUT = """\
import sys

from gitmem.main import main

sys.exit(main())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    env = {**os.environ, "GITMEM_SERVICE": "off"}
    entry = Path(sys.executable).parent / "git-mem"
    with tempfile.TemporaryDirectory() as tmp:
        written = Path(tmp) / "git-mem"
        written.write_text(f"#!{sys.executable}\n{WRITTEN_OUT}")
        written.chmod(0o755)
        forms = {"entry point": str(entry), "written out": str(written)}

        def timed(argv: list[str]) -> float:
            start = time.perf_counter()
            proc = subprocess.run(argv, cwd=args.repo, env=env, capture_output=True)
            took = (time.perf_counter() - start) * 1000
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{argv}: {proc.stderr.decode()}")
            return took

        listed = subprocess.run(
            [str(entry), "list", "--limit", "1", "--json"],
            cwd=args.repo,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        record = json.loads(listed.stdout)["records"][0]["id"]
        commands = {
            "list --limit 20": ["list", "--limit", "20"],
            f"show {record[:6]}": ["show", record[:6]],
            "search retry timeout": ["search", "retry", "timeout"],
        }
        for argv in commands.values():  # warm-up: caches written, files in the page cache
            for path in forms.values():
                timed([path, *argv])
        times: dict[tuple[str, str], list[float]] = {(c, f): [] for c in commands for f in forms}
        reference: list[float] = []
        for run in range(args.runs):
            reference.append(timed([sys.executable, "-c", "pass"]))
            for name, argv in commands.items():
                order = list(forms.items())
                for form, path in order if run % 2 else reversed(order):
                    times[(name, form)].append(timed([path, *argv]))
    ref = statistics.median(reference)
    print(f"python -c pass: {ref:.1f} ms; load average {os.getloadavg()}")
    for name in commands:
        written_ms = statistics.median(times[(name, "written out")])
        entry_ms = statistics.median(times[(name, "entry point")])
        print(
            f"{name:24} written out {written_ms:6.1f} ms ({written_ms / ref:.2f}x)   "
            f"entry point {entry_ms:6.1f} ms ({entry_ms / ref:.2f}x)   "
            f"difference {entry_ms - written_ms:+.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
