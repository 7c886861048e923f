"""Conversation search benchmark: `git mem search --sessions` over imported messages against
`git mem search` over records, in the same repository and the same run.

    .venv/bin/python bench/sessions_search.py [--messages 100000] [--records 10000]
                                              [--sessions 100] [--queries 20] [--keep]

Builds a repository with RECORDS memories (bench/corpus.py, Zipf vocabulary), generates one
Claude-Code-shaped JSONL file of MESSAGES messages over SESSIONS sessionIds with the same
vocabulary (user questions, assistant answers with a tool call now and then, tool results;
seeded), then measures with the real `git-mem` console script:

- `git mem import FILE` (whole process), and the first `git mem search --sessions`, which builds
  the message index: wall, CPU (the process and its writer children), peak memory;
- warm whole-process p50/p90 of `git mem search QUERY` (records), `git mem search --sessions
  QUERY` and `git mem search --everything QUERY`, round-robin with `python -c pass`, the
  queries 1-3 words drawn from the vocabulary (no stop words); the issue's target: sessions
  p50 within 2x of records p50;
- a re-import of the same file: what it wrote (nothing), and what the next refresh of the
  message index read (transcripts read, messages in the index before and after);
- one new session imported on top: the refresh reads that transcript only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import _FUNCTION_WORDS, ENV, GIT_MEM, PYTHON, Corpus, Zipf, build_corpus, machine

from gitmem.sessions import search as sessions_search
from gitmem.store import git

STARTED = time.perf_counter()
Measured = tuple[float, float, float, str]  # wall s, CPU s, peak RSS MB, stdout


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def generate(path: Path, corpus: Corpus, messages: int, sessions: int, first: int = 0) -> None:
    """Claude Code JSONL: one sessionId per session, messages 3 s apart."""
    rng = corpus.rng
    per = max(1, messages // sessions)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for s in range(first, first + sessions):
            sid = f"{s:08x}-0000-4000-8000-{s:012x}"
            start = 1_750_000_000 + s * 86_400
            count = per if s < first + sessions - 1 else messages - written
            parent = None
            for i in range(count):
                uuid = f"{s:08x}-{i:04x}-4000-8000-{rng.getrandbits(48):012x}"
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(start + i * 3))
                kind = i % 4
                if kind == 0:
                    message = {"role": "user", "content": corpus.words(8, 40).capitalize() + "?"}
                elif kind == 1:
                    content = [{"type": "text", "text": corpus.words(10, 80).capitalize() + "."}]
                    if rng.random() < 0.5:
                        file = f"/src/{corpus.word()}.py"
                        content.append(
                            {
                                "type": "tool_use",
                                "id": f"toolu_{uuid[-12:]}",
                                "name": "Read",
                                "input": {"file_path": file},
                            }
                        )
                    message = {"role": "assistant", "content": content}
                elif kind == 2:
                    block = {
                        "type": "tool_result",
                        "tool_use_id": f"toolu_{uuid[-12:]}",
                        "content": corpus.words(30, 150),
                    }
                    message = {"role": "user", "content": [block]}
                else:
                    text = corpus.words(10, 60).capitalize() + "."
                    message = {"role": "assistant", "content": [{"type": "text", "text": text}]}
                entry = {
                    "type": message["role"],
                    "sessionId": sid,
                    "uuid": uuid,
                    "parentUuid": parent,
                    "timestamp": stamp,
                    "message": message,
                }
                out.write(json.dumps(entry) + "\n")
                parent = uuid
                written += 1


def run_measured(argv: list[str], cwd: Path) -> Measured:
    """Wall s, CPU s (the process and its children), peak RSS MB (the largest of them)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode})")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, out


def queries(vocabulary: Zipf, count: int, seed: int) -> list[str]:
    """1-3 word queries drawn by the corpus's own frequencies, stop words left out."""
    rng = random.Random(f"queries-{seed}")
    stop = set(_FUNCTION_WORDS.split())
    found = []
    while len(found) < count:
        words = []
        while len(words) < 1 + len(found) % 3:
            word = vocabulary.draw(rng)
            if word not in stop and len(word) > 2 and word not in words:
                words.append(word)
        found.append(" ".join(words))
    return found


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the repository")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gitmem-bench-sessions-"))
    repo = root / "repo"
    try:
        vocabulary = Zipf(args.seed)
        log(f"building {args.records:,} records")
        build_corpus(repo, args.records, args.seed, Corpus(args.seed, vocabulary, (4, 10)))
        log(f"generating {args.messages:,} messages in {args.sessions} sessions")
        chat = root / "chat.jsonl"
        generate(chat, Corpus(args.seed + 1, vocabulary), args.messages, args.sessions)
        size_mb = chat.stat().st_size / 2**20
        log("warming the records index")
        run_measured([GIT_MEM, "search", "warmup"], repo)
        log("import")
        imported = run_measured([GIT_MEM, "import", str(chat)], repo)
        log("first search --sessions: builds the message index")
        built = run_measured([GIT_MEM, "search", "--sessions", "warmup"], repo)
        os.chdir(repo)
        info = git.discover()
        index = sessions_search.index(info)
        messages_indexed, index_mb = index.count, du(index.root)

        log(f"{args.queries} queries x (records, sessions, everything, python -c pass)")
        times: dict[str, list[float]] = {
            "records": [],
            "sessions": [],
            "everything": [],
            "pass": [],
        }
        hits: dict[str, int] = {"records": 0, "sessions": 0, "everything": 0}
        for text in queries(vocabulary, args.queries, args.seed):
            for name, argv in (
                ("records", [GIT_MEM, "search", text]),
                ("sessions", [GIT_MEM, "search", "--sessions", text]),
                ("everything", [GIT_MEM, "search", "--everything", text]),
                ("pass", [PYTHON, "-c", "pass"]),
            ):
                wall, _cpu, _rss, out = run_measured(argv, repo)
                times[name].append(wall)
                if name in hits and out:
                    hits[name] += 1

        log("re-import")
        tip_before = git.commit_tip(info, "refs/gitmem/sessions")
        reimport = run_measured([GIT_MEM, "import", str(chat)], repo)
        tip_after = git.commit_tip(info, "refs/gitmem/sessions")
        after_search = run_measured([GIT_MEM, "search", "--sessions", "warmup"], repo)
        again = sessions_search.index(info)

        log("one more session")
        more = root / "more.jsonl"
        generate(more, Corpus(args.seed + 2, vocabulary), 1000, 1, first=args.sessions)
        run_measured([GIT_MEM, "import", str(more)], repo)
        incremental = run_measured([GIT_MEM, "search", "--sessions", "warmup"], repo)
        grown = sessions_search.index(info)  # already fresh: reads nothing more
        report(
            args,
            size_mb,
            imported,
            built,
            messages_indexed,
            index_mb,
            times,
            hits,
            (tip_before == tip_after, reimport, after_search, again.transcripts_read, again.count),
            (incremental, grown.count),
        )
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(
    args: argparse.Namespace,
    size_mb: float,
    imported: Measured,
    built: Measured,
    messages_indexed: int,
    index_mb: float,
    times: dict[str, list[float]],
    hits: dict[str, int],
    reimport: tuple[
        bool, tuple[float, float, float, str], tuple[float, float, float, str], int, int
    ],
    incremental: tuple[tuple[float, float, float, str], int],
) -> None:
    print(f"## Session search: {args.messages:,} messages beside {args.records:,} records\n")
    print(f"Machine: {machine()}\n")
    print(f"Transcript file: {size_mb:.1f} MB, {args.sessions} sessions.\n")
    print("| step | wall s | CPU s | peak MB |")
    print("|---|---:|---:|---:|")
    print(
        f"| `git mem import` (first) | {imported[0]:.1f} | {imported[1]:.1f} | {imported[2]:.0f} |"
    )
    print(
        f"| first `search --sessions` (builds the index: {messages_indexed:,} messages, "
        f"{index_mb:.0f} MB) | {built[0]:.1f} | {built[1]:.1f} | {built[2]:.0f} |"
    )
    rate = messages_indexed / built[0] if built[0] else 0
    print(f"\nIndex build: {rate:,.0f} messages/s wall.\n")
    print(f"Whole process, warm, {args.queries} queries each, round-robin (ms):\n")
    print("| command | p50 | p90 | queries with hits | p50 / records p50 |")
    print("|---|---:|---:|---:|---:|")
    base = statistics.median(times["records"])
    for name, label in (
        ("pass", "`python -c pass`"),
        ("records", f"`git mem search Q` ({args.records:,} records)"),
        ("sessions", f"`git mem search --sessions Q` ({messages_indexed:,} messages)"),
        ("everything", "`git mem search --everything Q` (both)"),
    ):
        values = times[name]
        found = f"{hits[name]}/{len(values)}" if name in hits else "-"
        ratio = statistics.median(values) / base
        print(
            f"| {label} | {ms(statistics.median(values))} | {ms(pct(values, 90))} | {found} "
            f"| {ratio:.2f} |"
        )
    ratio = statistics.median(times["sessions"]) / base
    verdict = "MET" if ratio <= 2 else "MISSED"
    print(f"\nTarget: sessions p50 within 2x of records p50: {ratio:.2f}x, {verdict}.\n")
    same_tip, again, after, read, count = reimport
    print(
        f"Re-import of the same file: {again[0]:.1f} s wall; refs/gitmem/sessions "
        f"{'unchanged' if same_tip else 'MOVED'}; the next `search --sessions` "
        f"({ms(after[0])} ms) read {read} transcripts; messages in the index: "
        f"{messages_indexed:,} before, {count:,} after "
        f"({'nothing added' if count == messages_indexed and read == 0 else 'CHANGED'})."
    )
    search, total = incremental
    print(
        f"One new session of 1,000 messages imported on top: the next `search --sessions` "
        f"took {search[0]:.2f} s (reads that transcript only); messages in the index: {total:,}."
    )


if __name__ == "__main__":
    sys.exit(main())
