"""Whole-process time of `git mem import` on a Claude-Code-shaped transcript.

    .venv/bin/python bench/import.py [--messages 100000] [--sessions 100] [--repeat 3]

Generates one JSONL file of MESSAGES messages over SESSIONS sessionIds in Claude Code's shape
(user text, assistant text with thinking blocks, tool_use and tool_result pairs, summary and
file-history-snapshot lines; seeded, deterministic), then times, each round in a fresh
repository: a first import (everything new), a re-import (everything a duplicate, no commit),
and next to them in the same run `python -c pass` and `wc -l` of the file (reading it at all).
Prints medians of wall time and of CPU time (the process and its git children) and messages/s.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from corpus import GIT_MEM, PYTHON, machine, sh, timed

_TEXT = """
cache retry timeout index query parser lexer client server deploy rollback config token session
merge commit branch test fixture benchmark latency queue worker payload schema migration lock
thread async stream batch snapshot metric trace alert the a of to and in is it that for on with
as this be are was by not but from or have an they which one
"""
WORDS = _TEXT.split()


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def generate(path: Path, messages: int, sessions: int, seed: int) -> int:
    """Write the transcript; returns the number of messages it holds."""
    rng = random.Random(seed)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        per = messages // sessions
        for s in range(sessions):
            sid = f"{rng.getrandbits(32):08x}-0000-4000-8000-{s:012x}"
            base = {
                "isSidechain": False,
                "userType": "external",
                "cwd": "/home/dev/project",
                "sessionId": sid,
                "version": "1.0.83",
                "gitBranch": "main",
            }
            start = 1_750_000_000 + s * 86_400
            parent = None
            count = per if s < sessions - 1 else messages - written
            for i in range(count):
                uuid = f"{s:08x}-{i:04x}-4000-8000-{rng.getrandbits(48):012x}"
                when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + i * 3))
                stamp = f"{when}.{rng.randint(0, 999):03d}Z"
                kind = i % 4
                if kind == 0:
                    entry = {
                        "type": "user",
                        "message": {"role": "user", "content": sentence(rng, 8, 40)},
                    }
                elif kind == 1:
                    content = [
                        {"type": "thinking", "thinking": sentence(rng, 20, 60), "signature": "x"},
                        {"type": "text", "text": sentence(rng, 10, 80)},
                        {
                            "type": "tool_use",
                            "id": f"toolu_{uuid[:12]}",
                            "name": "Read",
                            "input": {"file_path": f"/src/{rng.choice(WORDS)}.py"},
                        },
                    ]
                    entry = {
                        "type": "assistant",
                        "message": {"role": "assistant", "content": content},
                    }
                elif kind == 2:
                    block = {
                        "type": "tool_result",
                        "tool_use_id": f"toolu_{uuid[:12]}",
                        "content": sentence(rng, 30, 150),
                    }
                    entry = {"type": "user", "message": {"role": "user", "content": [block]}}
                else:
                    entry = {
                        "type": "assistant",
                        "message": {
                            "role": "assistant",
                            "content": [{"type": "text", "text": sentence(rng, 10, 60)}],
                        },
                    }
                entry.update(base, uuid=uuid, parentUuid=parent, timestamp=stamp)
                out.write(json.dumps(entry) + "\n")
                parent = uuid
                written += 1
                if i % 50 == 0:
                    snap = {"type": "file-history-snapshot", "messageId": uuid, "snapshot": {}}
                    out.write(json.dumps(snap) + "\n")
            out.write(
                json.dumps({"type": "summary", "summary": sentence(rng, 3, 6), "leafUuid": parent})
                + "\n"
            )
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gitmem-bench-import-"))
    try:
        transcript = root / "transcript.jsonl"
        count = generate(transcript, args.messages, args.sessions, args.seed)
        size = transcript.stat().st_size
        rows: dict[str, list[tuple[float, float]]] = {}
        for i in range(args.repeat):
            repo = root / f"repo-{i}"
            sh(root, "init", "-q", str(repo))
            sh(repo, "config", "user.name", "Bench")
            sh(repo, "config", "user.email", "bench@example.com")
            rows.setdefault("python -c pass", []).append(timed([PYTHON, "-c", "pass"], root))
            rows.setdefault("wc -l (read the file)", []).append(
                timed(["wc", "-l", str(transcript)], root)
            )
            argv = [GIT_MEM, "import", str(transcript)]
            rows.setdefault("git mem import (first)", []).append(timed(argv, repo))
            rows.setdefault("git mem import (again)", []).append(timed(argv, repo))
        print(machine())
        print(
            f"{count} messages in {args.sessions} sessions, {size / 1e6:.1f} MB; "
            f"medians of {args.repeat}"
        )
        print(f"{'':<28}{'wall s':>10}{'CPU s':>10}{'msgs/s':>12}")
        for label, values in rows.items():
            wall = statistics.median(v[0] for v in values)
            cpu = statistics.median(v[1] for v in values)
            rate = f"{count / wall:,.0f}" if label.startswith("git mem") else ""
            print(f"{label:<28}{wall:>10.3f}{cpu:>10.3f}{rate:>12}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
