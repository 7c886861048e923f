"""MCP server benchmark: `git mem mcp` as an assistant sees it, over stdio.

    .venv/bin/python bench/mcp_server.py [--size 10000] [--calls 60] [--starts 5] [--keep]
        [--repo /work/corpus/c100k]

Builds a repository of `--size` memories (bench/corpus.py, the Zipf vocabulary of
bench/search.py; 80% files, 20% notes), brings the index up to date with `git mem reindex`, then,
driving the real `git-mem mcp` through the SDK's stdio client (spawn, initialize, calls):

- start-up, `--starts` times: spawn to the `initialize` answer, and to the first `search`
  answer (the first call also refreshes the catalog);
- round trips in one server process: `--calls` `search` calls (1-3 words drawn from random
  records, limit 10) and `--calls` `show` calls (8-character id prefixes), wall time seen by
  the client;
- the same searches in process (`finder.search` on one Store, no MCP, no JSON) and the
  whole-process CLI (`git-mem search ... --json`), to show what MCP adds and saves;
- the refresh with nothing changed, in process: a Store's (asks git, as every one-shot
  command) and a `records.warm.WarmRepo`'s (what the server does per call);
- the reference rows, measured in the same run: `python -c pass` and `python -c 'import mcp'`.

Medians, p95 and (for processes) median CPU time (user + system) in milliseconds. The machine
is shared and noisy: compare rows of one run, not runs. (Not named bench/mcp.py: run as a
script, bench/ comes first on sys.path, and that name would shadow the `mcp` package.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, Corpus, Zipf, build_corpus, machine
from mcp import ClientSession, StdioServerParameters, stdio_client, types
from prepared import copy_corpus, queries

from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.records.warm import WarmRepo
from gitmem.search.query import Filter
from gitmem.store import git
from gitmem.store.record import Memory


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ms(seconds: float) -> float:
    return seconds * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def row(label: str, wall: list[float], cpu: list[float] | None = None) -> str:
    cpu_text = f"{statistics.median(cpu):.1f}" if cpu else "—"
    return (
        f"| {label} | {statistics.median(wall):.1f} | {pct(wall, 95):.1f} | {cpu_text} "
        f"| {len(wall)} |"
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ms(usage.ru_utime + usage.ru_stime)


def process(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU milliseconds of one whole process."""
    before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=ENV)
    wall = ms(time.perf_counter() - started)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return wall, children_cpu() - before


def params(root: Path) -> StdioServerParameters:
    return StdioServerParameters(command=GIT_MEM, args=["mcp"], cwd=str(root), env=ENV)


async def session_run(root: Path, work: Callable[[ClientSession], Awaitable[None]]) -> None:
    with open(os.devnull, "w") as devnull:
        async with stdio_client(params(root), errlog=devnull) as (read, write):
            info = types.Implementation(name="bench", version="1")
            async with ClientSession(read, write, client_info=info) as session:
                await work(session)


async def start_up(root: Path, query: str) -> tuple[float, float, float]:
    """Spawn to `initialize` answered, spawn to first `search` answered, the server's CPU."""
    marks: dict[str, float] = {}
    before = children_cpu()
    started = time.perf_counter()

    async def work(session: ClientSession) -> None:
        await session.initialize()
        marks["init"] = ms(time.perf_counter() - started)
        result = await session.call_tool("search", {"query": query})
        assert not result.is_error, result
        marks["search"] = ms(time.perf_counter() - started)

    await session_run(root, work)
    return marks["init"], marks["search"], children_cpu() - before


async def round_trips(
    root: Path, texts: list[str], prefixes: list[str]
) -> tuple[list[float], list[float], float]:
    """Client-side wall times of each `search` and each `show`, and the server's whole CPU."""
    search_times: list[float] = []
    show_times: list[float] = []
    before = children_cpu()

    async def work(session: ClientSession) -> None:
        await session.initialize()
        await session.call_tool("search", {"query": texts[0]})  # warm-up (catalog refresh)
        for text in texts:
            started = time.perf_counter()
            result = await session.call_tool("search", {"query": text})
            search_times.append(ms(time.perf_counter() - started))
            assert not result.is_error, result
        for prefix in prefixes:
            started = time.perf_counter()
            result = await session.call_tool("show", {"id": prefix})
            show_times.append(ms(time.perf_counter() - started))
            assert not result.is_error, result

    await session_run(root, work)
    return search_times, show_times, children_cpu() - before


def in_process(root: Path, texts: list[str]) -> list[float]:
    store = Store(git.discover(root))
    finder.search(store, Filter(), texts[0], limit=10)  # warm-up
    times = []
    for text in texts:
        started = time.perf_counter()
        finder.search(store, Filter(), text, limit=10)
        times.append(ms(time.perf_counter() - started))
    return times


def refreshes(root: Path, n: int = 15) -> tuple[list[float], list[float]]:
    """In-process refresh with nothing changed: a new Store's catalog() each time (what a
    one-shot command pays), and a WarmRepo's store().catalog() (what the server pays)."""
    info = git.discover(root)
    cold = []
    for _ in range(n):
        started = time.perf_counter()
        Store(info).catalog()
        cold.append(ms(time.perf_counter() - started))
    warm = WarmRepo(info)
    warm.store().catalog()  # starts watching
    times = []
    for _ in range(n):
        started = time.perf_counter()
        warm.store().catalog()
        times.append(ms(time.perf_counter() - started))
    assert warm.fallback == "", warm.fallback
    warm.close()
    return cold, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument(
        "--repo", type=Path, help="a prepared repository (bench/corpus.py's), copied"
    )
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="gitmem-bench-mcp-"))
    root = base / "repo"
    memories: list[tuple[Memory, str]] = []
    if args.repo is not None:
        log(f"copying {args.repo} to {root}")
        memories = copy_corpus(args.repo, root, args.seed)
        args.size = len(Store(git.discover(root)).catalog().find(""))
    else:
        log(f"building a {args.size:,}-memory repository in {root}")
        corpus = Corpus(args.seed, Zipf(args.seed), title_words=(4, 10))
        build_corpus(root, args.size, args.seed, corpus, memories, log)
    log("building the index (git mem reindex)")
    process([GIT_MEM, "reindex"], root)

    rng = random.Random(args.seed)
    texts = queries(rng, memories, args.calls)
    prefixes = [rng.choice(memories)[0].id[:8] for _ in range(args.calls)]

    log(f"start-up x{args.starts}")
    starts = [asyncio.run(start_up(root, texts[i % len(texts)])) for i in range(args.starts)]
    log(f"round trips: {args.calls} search + {args.calls} show in one server")
    search_times, show_times, server_cpu = asyncio.run(round_trips(root, texts, prefixes))
    log("in-process searches, CLI searches, reference processes")
    inproc = in_process(root, texts)
    cold_refresh, warm_refresh = refreshes(root)
    cli = [process([GIT_MEM, "search", "--json", text], root) for text in texts[:15]]
    python = [process([PYTHON, "-c", "pass"], root) for _ in range(15)]
    import_mcp = [process([PYTHON, "-c", "import mcp"], root) for _ in range(args.starts)]

    calls = 1 + 2 * args.calls
    print(f"## git mem mcp, {args.size:,} memories\n")
    print(machine() + "\n")
    print("| measure | median ms | p95 ms | CPU ms (median) | n |")
    print("|---|---|---|---|---|")
    print(row("start-up: spawn to `initialize` answered", [s[0] for s in starts]))
    print(
        row(
            "start-up: spawn to first `search` answered",
            [s[1] for s in starts],
            [s[2] for s in starts],
        )
    )
    print(row("`search` round trip (1-3 words, limit 10), one server", search_times))
    print(row("`show` round trip (8-char prefix), one server", show_times))
    print(row("`finder.search` in process (same queries, no MCP)", inproc))
    print(row("refresh, nothing changed, in process: a new Store (one-shot)", cold_refresh))
    print(row("refresh, nothing changed, in process: WarmRepo (the server)", warm_refresh))
    print(row("whole process `git-mem search --json` (CLI)", *map(list, zip(*cli, strict=True))))
    print(row("reference: `python -c pass`", *map(list, zip(*python, strict=True))))
    print(row("reference: `python -c 'import mcp'`", *map(list, zip(*import_mcp, strict=True))))
    print(
        f"\nServer CPU for the round-trip session ({calls} calls, start-up included): "
        f"{server_cpu:.0f} ms, {server_cpu / calls:.1f} ms per call."
    )
    if args.keep:
        log(f"kept {root}")
    else:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
