"""`git mem serve` benchmark: API and page latency against the whole-process CLI.

    .venv/bin/python bench/serve.py [--sizes 10000 100000] [--calls 40] [--keep]
        [--repos /work/corpus/c10k /work/corpus/c100k]

For each size: builds a repository (bench/corpus.py, the Zipf vocabulary of bench/search.py;
80% files, 20% notes), brings the index up to date with `git mem reindex`, starts the real
`git-mem serve --port 0` process, and times over HTTP (one keep-alive client, requests one at a
time, what the client sees):

- `GET /api/v1/search?q=...` (1-3 words drawn from random records, limit 10);
- `GET /api/v1/records/{id}` (8-character prefixes);
- `GET /?q=...` the search page (facets, snippets, HTML);
- `GET /records/{id}` a record page and `GET /timeline` its first page (HTML);
- `GET /decisions` (the newest 100 decisions, counts of all) and `GET /reports/activity`:
  computed once per repository state and reused until something changes (`serve.reuse`), so
  the first request (after start or after any change) is timed on its own, then repeats;
- in the same run, the references: `git-mem search --json` whole process (the same queries) and
  `python -c pass`.

Medians and p95 in ms, and each median as a ratio to the CLI's. Every request re-reads what
changed (the catalog refresh: a stat per .memory/ file and the manifest), like every CLI run and
MCP call. The machine is shared and noisy: compare rows of one run. `--repos`: one prepared
repository per size (bench/corpus.py's, bench/prepared.py), copied instead of generated.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from corpus import ENV, GIT_MEM, PYTHON, Corpus, Zipf, build_corpus, machine
from prepared import copy_corpus, queries

from gitmem.store.record import Memory


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed_get(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    answer = client.get(url, params=params)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"GET {url} {params}: {answer.status_code} {answer.text[:200]}")
    return elapsed


def process_ms(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True)
    if proc.returncode not in (0, 1):  # 1: nothing found
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return (time.perf_counter() - start) * 1000


def start_server(root: Path) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [GIT_MEM, "serve", "--port", "0"],
        cwd=root,
        env=ENV,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert server.stderr is not None
    first = server.stderr.readline()
    found = re.search(r"at (http://\S+)/ ", first)
    if not found:
        raise SystemExit(f"serve did not start: {first}{server.stderr.read()}")
    return server, found[1]


def one_size(size: int, calls: int, seed: int, keep: bool, source: Path | None) -> list[str]:
    base = Path(tempfile.mkdtemp(prefix="gitmem-bench-serve-"))
    root = base / "repo"
    memories: list[tuple[Memory, str]] = []
    if source is not None:
        log(f"copying {source} to {root}")
        memories = copy_corpus(source, root, seed)
    else:
        log(f"building a {size:,}-memory repository in {root}")
        corpus = Corpus(seed, Zipf(seed), title_words=(4, 10))
        build_corpus(root, size, seed, corpus, memories, log)
    log("building the index (git mem reindex)")
    process_ms([GIT_MEM, "reindex"], root)
    rng = random.Random(seed)
    texts = queries(rng, memories, calls)
    prefixes = [rng.choice(memories)[0].id[:8] for _ in range(calls)]
    pages = [rng.choice(memories)[0].id for _ in range(calls)]  # a record page's permalink

    server, url = start_server(root)
    try:
        with httpx.Client(timeout=120) as client:
            timed_get(client, url + "/api/v1/search", {"q": texts[0]})  # warm: the first refresh
            log(f"{calls} API searches, {calls} records/{{id}}, {calls} of each page")
            api = [timed_get(client, url + "/api/v1/search", {"q": t}) for t in texts]
            show = [timed_get(client, f"{url}/api/v1/records/{p}") for p in prefixes]
            page = [timed_get(client, url + "/", {"q": t}) for t in texts]
            record = [timed_get(client, f"{url}/records/{i}") for i in pages]
            timeline = [timed_get(client, url + "/timeline") for _ in pages]
            # The first of each computes (every record read), the rest reuse it.
            decisions_first = [timed_get(client, url + "/decisions")]
            decisions = [timed_get(client, url + "/decisions") for _ in pages]
            report_first = [timed_get(client, url + "/reports/activity")]
            report = [timed_get(client, url + "/reports/activity") for _ in pages]
            # A change made by another process: the next request sees it, so computes again.
            process_ms([GIT_MEM, "save", "-t", "decision", "-m", "Bench change"], root)
            changed = [timed_get(client, url + "/decisions")]
    finally:
        server.terminate()
        server.wait(10)
    log("references: git-mem search --json, python -c pass")
    cli = [process_ms([GIT_MEM, "search", "--json", t], root) for t in texts[:15]]
    python = [process_ms([PYTHON, "-c", "pass"], root) for _ in range(15)]
    reference = statistics.median(cli)

    def row(name: str, values: list[float]) -> str:
        median = statistics.median(values)
        return (
            f"| {name} | {median:.0f} | {p95(values):.0f} | {median / reference:.2f} "
            f"| {len(values)} |"
        )

    if keep:
        log(f"kept {root}")
    else:
        shutil.rmtree(base, ignore_errors=True)
    return [
        f"### {size:,} memories\n",
        "| measure | median ms | p95 ms | x CLI search | n |",
        "|---|---|---|---|---|",
        row("`GET /api/v1/search?q=` (1-3 words, limit 10)", api),
        row("`GET /api/v1/records/{id}` (8-char prefix)", show),
        row("`GET /?q=` search page (HTML, facets, snippets)", page),
        row("`GET /records/{id}` record page (chain, links, same paths)", record),
        row("`GET /timeline` (the newest 100 events)", timeline),
        row(
            "`GET /decisions` first request: computes (decisions + superseding rows)",
            decisions_first,
        ),
        row("`GET /decisions` repeated, nothing changed (reused)", decisions),
        row("`GET /reports/activity` first request: computes (every record read)", report_first),
        row("`GET /reports/activity` repeated, nothing changed (reused)", report),
        row("`GET /decisions` first request after a `git mem save`", changed),
        row("reference: `git-mem search --json` whole process", cli),
        row("reference: `python -c pass`", python),
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    parser.add_argument(
        "--repos", type=Path, nargs="+", help="prepared repositories, one per size, copied"
    )
    args = parser.parse_args()
    if args.repos and len(args.repos) != len(args.sizes):
        parser.error("--repos: give one repository per size")
    lines = [f"## git mem serve\n\n{machine()}\n"]
    for i, size in enumerate(args.sizes):
        source = args.repos[i] if args.repos else None
        lines += one_size(size, args.calls, args.seed, args.keep, source)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
