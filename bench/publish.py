"""Publish benchmark: `git mem publish` into PostgreSQL, then `--server` reads across repositories.

    .venv/bin/python bench/publish.py [--scale 1.0] [--repos 20] [--queries 40] [--jobs 2]
        [--url URL] [--corpus DIR]

At --scale 1 (the issue's size): 20 generated repositories holding 100,000 records and
2,000,000 session messages in all (per repository 5,000 records, 80% `.memory/` files and 20%
notes, from bench/corpus.py's uniform ~90-word vocabulary, so that every query word is in about
a quarter of all messages and most records: the worst case for a search that ranks its matches; 100
sessions of 1,000 messages written to
refs/gitmem/sessions with one fast-import; `--corpus DIR` keeps them there and later runs copy
them instead). --scale 0.1 is a tenth of everything. Without --url a
throwaway cluster is started (tests/pgcluster.py: Debian's PostgreSQL, default settings but
fsync on, a private socket) and removed at the end.

Measures, each as a whole process of the real `git-mem` script:
- full publish of every repository, one after another: records/s, messages/s; then the same
  into a second, empty database `--jobs` at a time (CI jobs publishing at once); and the same
  messages loaded by a bare `COPY` into an unindexed table (the reference: what PostgreSQL
  alone takes for the bytes);
- incremental publish after changing 1% of the records (rewritten files) and adding 1% more
  messages (to 1% of the sessions), in every repository: its time as a share of the full one;
- `git mem search --server` p50/p95 for 1-, 2- and 3-word queries over records and over
  messages (`--sessions`), round-robin with `python -c pass` (the start-up floor) and `psql -c
  'SELECT 1'` (a connection's floor), with the CPU each search took in its process and in the
  server;
- each `git mem report --server KIND`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpus import ENV, GIT_MEM, PYTHON, Corpus, build_corpus, machine, sh
from prepared import copy_repository

REPORTS = ("activity", "timeline", "components", "errors", "sessions", "extraction")
ROLES = ("user", "assistant", "assistant", "tool")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_sessions(
    root: Path, corpus: Corpus, sessions: int, per_session: int, seed: int
) -> list[bytes]:
    """`sessions` transcripts of `per_session` messages on refs/gitmem/sessions, one
    fast-import; returns the message lines (JSONL) for the COPY reference."""
    from gitmem.sessions.transcripts import Message

    rng = random.Random(seed)
    lines: list[bytes] = []
    stream = [b"commit refs/gitmem/sessions\ncommitter Bench <b@example.com> 1700000000 +0000\n"]
    stream.append(b"data 14\nbench sessions\n")
    base = 1_700_000_000
    for n in range(sessions):
        sid = f"s{seed:03d}-{n:05d}"
        start = base + rng.randrange(0, 2 * 365 * 86400)
        header = {
            "session": sid,
            "label": corpus.words(2, 4),
            "tool": rng.choice(["claude-code", "cursor", "aider"]),
            "source": "import",
            "started": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(start)),
        }
        if rng.random() < 0.4:
            header["summary_id"] = corpus.new_id()
        body = [json.dumps(header, separators=(",", ":"))]
        for m in range(per_session):
            when = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(start + 20 * m))
            message = Message.new(ROLES[m % 4], corpus.words(8, 40), when)
            line = json.dumps(message.to_json(), ensure_ascii=False, separators=(",", ":"))
            body.append(line)
            lines.append(line.encode())
        data = ("\n".join(body) + "\n").encode()
        stream.append(f"M 100644 inline {sid}.jsonl\ndata {len(data)}\n".encode() + data)
    stream.append(b"\n")
    sh(root, "fast-import", "--quiet", input=b"".join(stream))
    return lines


def append_messages(root: Path, corpus: Corpus, share: float, seed: int) -> int:
    """Add messages to `share` of the sessions (1% more messages in all); returns how many."""
    from gitmem.sessions import transcripts
    from gitmem.store import git

    rng = random.Random(seed)
    repo = git.discover(root)
    snapshot = transcripts.Snapshot(repo, transcripts.tip(repo))
    chosen = rng.sample(sorted(snapshot.blobs), max(1, round(len(snapshot.blobs) * share)))
    added = 0
    changes: dict[str, bytes | None] = {}
    for sid, transcript in snapshot.transcripts(chosen).items():
        extra = len(transcript.messages)  # doubling 1% of the sessions: +1% messages
        last = transcript.messages[-1].timestamp or "2026-01-01T00:00:00+00:00"
        for m in range(extra):
            when = f"{last[:11]}23:{m // 60 % 60:02d}:{m % 60:02d}+00:00"
            transcript.messages.append(
                transcripts.Message.new("user", corpus.words(8, 40), f"{when[:-6]}.{m:06d}+00:00")
            )
        added += extra
        changes[sid] = transcript.encode()
    transcripts.update(repo, lambda _s: changes, "bench: more messages")
    return added


def change_records(root: Path, corpus: Corpus, share: float, seed: int) -> int:
    """Rewrite `share` of the `.memory/` files (a new body); returns how many."""
    rng = random.Random(seed)
    files = sorted((root / ".memory").rglob("*.md"))
    chosen = rng.sample(files, max(1, round(len(files) * share)))
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        path.write_text(text + f"\nChanged: {corpus.words(5, 12)}\n", encoding="utf-8")
    return len(chosen)


def run(argv: list[str], cwd: Path) -> float:
    return timed(argv, cwd)[0]


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one process."""
    before = client_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return elapsed, client_cpu() - before


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def server_cpu(cluster: object | None) -> float:
    """CPU seconds the cluster's exited backends used so far (the postmaster's children's
    user + system time): a load-independent measure of the server's work. 0 without a
    cluster of our own."""
    if cluster is None:
        return 0.0
    pid = (cluster.data / "postmaster.pid").read_text().split()[0]  # type: ignore[attr-defined]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def client_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def second_database(url: str) -> str:
    """An empty database next to `url`'s (same server), for the concurrent run."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gitmem_concurrent")
        conn.execute("CREATE DATABASE gitmem_concurrent")
    from urllib.parse import urlsplit

    return urlsplit(url)._replace(path="/gitmem_concurrent").geturl()


def publish_concurrently(repos: list[Path], url: str, jobs: int) -> float:
    """Wall seconds to publish every repository with `jobs` `git mem publish` at a time."""
    start = time.perf_counter()
    waiting = list(repos)
    running: list[subprocess.Popen[bytes]] = []
    while waiting or running:
        while waiting and len(running) < jobs:
            root = waiting.pop(0)
            running.append(
                subprocess.Popen(
                    [GIT_MEM, "publish", url],
                    cwd=root,
                    env=ENV,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        time.sleep(0.05)
        for proc in [p for p in running if p.poll() is not None]:
            running.remove(proc)
            if proc.returncode != 0:
                assert proc.stderr is not None
                raise SystemExit(f"publish failed: {proc.stderr.read().decode()}")
    return time.perf_counter() - start


def copy_reference(url: str, lines: list[bytes]) -> float:
    """Seconds for a bare COPY of the same messages into an unindexed table."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMP TABLE ref (role text, content text, hash text, ts text)")
        start = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy("COPY ref FROM STDIN") as copy:
            for line in lines:
                item = json.loads(line)
                copy.write_row((item["role"], item["content"], item["hash"], item["timestamp"]))
        conn.commit()
        return time.perf_counter() - start


def in_process(url: str, queries: dict[str, list[str]]) -> dict[str, list[float]]:
    """The same queries through one open connection: the database's share of a search."""
    import psycopg

    from gitmem.publish import ask
    from gitmem.search.query import Filter

    found: dict[str, list[float]] = {}
    with psycopg.connect(url) as conn:
        for key, texts in queries.items():
            for text in texts:
                start = time.perf_counter()
                if key.startswith("messages"):
                    ask.messages(conn, text, limit=10)
                else:
                    ask.records(conn, text, Filter(), limit=10)
                found.setdefault(key, []).append(time.perf_counter() - start)
    return found


def search_table(
    url: str,
    root: Path,
    queries: dict[str, list[str]],
    inside: dict[str, list[float]],
    cluster: object | None,
) -> None:
    """Each query as a whole `git mem search --server` process, round-robin with `python -c
    pass` and `psql -c 'SELECT 1'`; one table."""
    bindir = getattr(cluster, "bindir", None)
    psql = [str(bindir / "psql") if bindir else "psql", "-X", "-q", url, "-c", "SELECT 1"]
    floor: list[float] = []
    psql_times: list[float] = []
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}  # per search: the process's CPU, the server's
    before = load()
    say(f"searching (load average {before})")
    for n in range(len(next(iter(queries.values())))):
        for key, texts in queries.items():
            extra = ["--sessions"] if key.startswith("messages") else []
            server_before = server_cpu(cluster)
            wall, used = timed(
                [GIT_MEM, "search", f"--server={url}", *extra, *texts[n].split()], root
            )
            timings.setdefault(key, []).append(wall)
            cpu.setdefault(key, []).extend([used, server_cpu(cluster) - server_before])
            if key.startswith("messages"):
                floor.append(run([PYTHON, "-c", "pass"], root))
                psql_times.append(run(psql, root))
    base = statistics.median(floor)
    psql_base = statistics.median(psql_times)
    print(
        f"\n`python -c pass`: median {1000 * base:.0f} ms; `psql -c 'SELECT 1'` (connects as the"
        f" search does) median {1000 * psql_base:.0f} ms; load average {before} before, {load()}"
        " after\n"
    )
    print(
        "| search --server | p50 ms | p95 ms | p50 / python -c pass | p50 / psql"
        " | CPU per search: git-mem / PostgreSQL ms | in the database: p50 ms | p95 ms |"
        "\n|---|---|---|---|---|---|---|---|"
    )
    for key, values in timings.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        db50, db95 = statistics.median(inside[key]), percentile(inside[key], 0.95)
        # Means: the server's CPU is read in clock ticks (10 ms) of exited backends.
        mine = statistics.mean(cpu[key][0::2])
        theirs = statistics.mean(cpu[key][1::2])
        print(
            f"| {key} | {1000 * p50:.0f} | {1000 * p95:.0f} | {p50 / base:.1f}x"
            f" | {p50 / psql_base:.1f}x | {1000 * mine:.0f} / {1000 * theirs:.0f}"
            f" | {1000 * db50:.1f} | {1000 * db95:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100k records, 2M messages")
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--queries", type=int, default=40, help="queries per word count")
    parser.add_argument("--url", help="an existing database (default: a throwaway cluster)")
    parser.add_argument("--keep", action="store_true", help="keep the repositories")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="generate the repositories into this directory once and copy them from there on"
        " later runs of the same --scale and --repos (generation is most of a run's time)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="also publish every repository into a second, empty database this many at a time"
        " (as CI jobs would); 1: only the serial run",
    )
    args = parser.parse_args()

    records_per_repo = max(10, round(100_000 * args.scale / args.repos))
    sessions_per_repo = max(1, round(100 * args.scale))
    messages_per_session = 1000
    cluster = None
    url = args.url
    if url is None:
        import pgcluster

        bindir = pgcluster.binaries()
        if bindir is None:
            raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
        cluster = pgcluster.Cluster(bindir, fsync=True)
        cluster.start()
        url = cluster.url
    work = Path(tempfile.mkdtemp(prefix="gitmem-bench-publish-"))
    try:
        print(f"# publish benchmark ({machine()})\n")
        repos: list[Path] = []
        all_lines: list[bytes] = []
        corpora: list[Corpus] = []
        start = time.perf_counter()
        made = args.corpus / f"scale{args.scale:g}-repos{args.repos}" if args.corpus else None
        copied = made is not None and (made / "messages.jsonl").exists()
        if made is not None and copied:
            for n in range(args.repos):
                repos.append(work / f"repo{n:02d}")
                copy_repository(made / repos[-1].name, repos[-1])
                corpora.append(Corpus(1000 + n))  # words for the incremental changes
            all_lines = (made / "messages.jsonl").read_bytes().splitlines()
            say(f"copied the corpus from {made}")
        else:
            for n in range(args.repos):
                root = work / f"repo{n:02d}"
                corpus = Corpus(n)
                build_corpus(root, records_per_repo, n, corpus)
                all_lines += write_sessions(
                    root, corpus, sessions_per_repo, messages_per_session, n
                )
                repos.append(root)
                corpora.append(corpus)
                say(f"built {root.name}")
            if made is not None:
                made.mkdir(parents=True, exist_ok=True)
                for root in repos:
                    shutil.copytree(root, made / root.name, symlinks=True)
                (made / "messages.jsonl").write_bytes(b"\n".join(all_lines) + b"\n")
        total_records = records_per_repo * args.repos
        total_messages = len(all_lines)
        print(
            f"{args.repos} repositories, {total_records:,} records, "
            f"{sessions_per_repo * args.repos:,} sessions, {total_messages:,} messages "
            f"({'copied' if copied else 'generated'} in {time.perf_counter() - start:.0f} s)\n"
        )

        full = 0.0
        loads = [load()]
        server_before, client_before = server_cpu(cluster), client_cpu()
        for root in repos:
            seconds = run([GIT_MEM, "publish", url], root)
            full += seconds
            say(f"published {root.name} in {seconds:.1f} s")
        server_used = server_cpu(cluster) - server_before
        client_used = client_cpu() - client_before
        loads.append(load())
        concurrent = None
        if args.jobs > 1:
            for root in repos:  # cold, as the serial run was: no digests cached by it
                for cache in (root / ".git" / "gitmem").glob("publish-*.json"):
                    cache.unlink()
            other = second_database(url)
            concurrent = publish_concurrently(repos, other, args.jobs)
            loads.append(load())
            say(f"published all, {args.jobs} at a time, in {concurrent:.1f} s")
        reference = copy_reference(url, all_lines)
        print(f"load average: before the publishes {loads[0]}, after {' / '.join(loads[1:])}\n")
        print("| measure | value |\n|---|---|")
        print(f"| full publish, all repositories (wall) | {full:.1f} s |")
        print(
            f"| CPU: git-mem processes / PostgreSQL backends | {client_used:.1f} s / "
            f"{server_used:.1f} s |"
        )
        print(f"| records/s (records / whole wall time) | {total_records / full:,.0f} |")
        print(f"| messages/s (messages / whole wall time) | {total_messages / full:,.0f} |")
        if concurrent is not None:
            print(
                f"| full publish, {args.jobs} repositories at a time (another empty database)"
                f" | {concurrent:.1f} s: {total_messages / concurrent:,.0f} messages/s |"
            )
        if server_used:
            print(f"| messages per PostgreSQL CPU-second | {total_messages / server_used:,.0f} |")
            print(f"| messages per git-mem CPU-second | {total_messages / client_used:,.0f} |")
        print(
            f"| bare COPY of the messages, unindexed | {reference:.1f} s "
            f"({total_messages / reference:,.0f}/s; publish = {full / reference:.1f}x) |"
        )

        changed = added = 0
        for n, root in enumerate(repos):
            changed += change_records(root, corpora[n], 0.01, 100 + n)
            added += append_messages(root, corpora[n], 0.01, 200 + n)
        incremental = sum(run([GIT_MEM, "publish", url], root) for root in repos)
        again = sum(run([GIT_MEM, "publish", url], root) for root in repos)
        print(
            f"| incremental: {changed:,} records rewritten, {added:,} messages added | "
            f"{incremental:.1f} s ({100 * incremental / full:.1f}% of full) |"
        )
        print(f"| publish again, nothing changed (all repositories) | {again:.1f} s |")

        probe = corpora[0]
        queries: dict[str, list[str]] = {}
        for words in (1, 2, 3):
            for _ in range(args.queries):
                query = " ".join(probe.word() for _ in range(words))
                for label in ("records", "messages"):
                    queries.setdefault(f"{label}, {words} word{'s' if words > 1 else ''}", [])
                    queries[f"{label}, {words} word{'s' if words > 1 else ''}"].append(query)
        inside = in_process(url, queries)
        search_table(url, repos[0], queries, inside, cluster)
        print("\n| report --server | seconds |\n|---|---|")
        for kind in REPORTS:
            seconds = run([GIT_MEM, "report", f"--server={url}", kind], repos[0])
            print(f"| {kind} | {seconds:.2f} |")
    finally:
        if cluster is not None:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
