"""What the secret detector costs: on the save path, and on big or hostile text.

    .venv/bin/python bench/secret_detector.py [--runs 15]

Part 1, whole process (medians, round-robin in one run): `python -c pass`, importing
gitmem.store.secrets, `git mem save -m TEXT` in a fresh repository (file and `--commit`), and,
if detect-secrets is importable (it is no dependency: `pip install detect-secrets` to compare),
importing its scanner with its default plugins, which is what adopting it would add to every save.

Part 2, in process (medians of `secrets.find`): a typical 2 KB record, 1 MB of prose without
keywords, 1 MB of prose full of keywords (token, key, password, URLs), one 4 MB token, and
1 MB built from what the patterns start with. Each row is also a ratio to one plain
`re.search` of an AWS-key regex over the same text, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitmem.store import secrets  # noqa: E402

BIN = Path(sys.executable).parent


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _process(args: list[str], cwd: Path, env: dict[str, str]) -> Callable[[], object]:
    def run() -> object:
        proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(args)} failed: {proc.stderr.decode()}")
        return proc

    return run


def whole_process(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gitmem-secrets-bench-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            GIT_CONFIG_GLOBAL="/dev/null",
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="B",
            GIT_AUTHOR_EMAIL="b@example.com",
            GIT_COMMITTER_NAME="B",
            GIT_COMMITTER_EMAIL="b@example.com",
        )
        subprocess.run(["git", "init", "-q", str(tmp)], check=True, env=env)
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=tmp, env=env)
        py = sys.executable
        text = "The staging database is reset every Sunday at 02:00 UTC; see the runbook."
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "import gitmem.store.secrets": [py, "-c", "import gitmem.store.secrets"],
            "git mem save -m TEXT": [str(BIN / "git-mem"), "save", "-m", text],
            "git mem save --commit HEAD -m TEXT": [
                str(BIN / "git-mem"), "save", "--commit", "HEAD", "-m", text
            ],
        }  # fmt: skip
        probe = subprocess.run([py, "-c", "import detect_secrets"], capture_output=True)
        if probe.returncode == 0:
            cases["import detect-secrets scanner + default plugins"] = [
                py,
                "-c",
                "from detect_secrets.core.scan import scan_line\n"
                "from detect_secrets.settings import default_settings\n"
                "with default_settings(): list(scan_line('x = 1'))",
            ]
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):  # round-robin: the machine's noise hits every row alike
            for name, args in cases.items():
                start = time.perf_counter()
                _process(args, tmp, env)()
                times[name].append((time.perf_counter() - start) * 1000)
        base = statistics.median(times["python -c pass"])
        print(f"whole process, {runs} rounds round-robin (median ms, x python -c pass):\n")
        print("| command | median ms | x `python -c pass` |\n|---|---:|---:|")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"| `{name}` | {median:.0f} | {median / base:.1f} |")
        if probe.returncode != 0:
            print("\n(detect-secrets not installed: `pip install detect-secrets` to compare)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def in_process(runs: int) -> None:
    record = (
        "We moved orders to PostgreSQL: JSONB covers the flexible parts, and the team knows "
        "it. Alternatives: MongoDB (no joins), DynamoDB (cost). Consequences: migrations. "
    ) * 12
    prose = ("We decided to use PostgreSQL over MongoDB because the data is relational. " * 20
             + "\n") * 700  # fmt: skip
    keywordy = ("The API key and token rotate; password=hunter2; see https://example.com/x "
                "and auth: none. " * 20 + "\n") * 600  # fmt: skip
    hostile = "a.a." * 60_000 + "password= " * 25_000 + "ghp_" * 25_000 + "key:" * 50_000
    texts = {
        "typical record (2 KB)": record,
        "1 MB prose, no keywords": prose,
        "1 MB prose full of keywords": keywordy,
        "one 4 MB token": "x" * 4_000_000,
        "1 MB of pattern prefixes": hostile,
    }
    aws = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
    print(f"\nin process, median of {runs} (ms; x one plain AWS-key `re.search`):\n")
    print("| text | chars | secrets.find ms | reference ms | ratio |\n|---|---:|---:|---:|---:|")
    for name, text in texts.items():
        found = _median_ms(lambda text=text: secrets.find(text), runs)
        reference = _median_ms(lambda text=text: aws.search(text), runs)
        ratio = found / reference if reference else float("inf")
        print(f"| {name} | {len(text):,} | {found:.2f} | {reference:.2f} | {ratio:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    whole_process(args.runs)
    in_process(args.runs)


if __name__ == "__main__":
    main()
