"""The synthetic corpus shared by the benchmarks (bench/run.py, bench/search.py).

`build_corpus(root, size, seed)` makes a git repository with `size` memories: ~80% as
`.memory/<type-folder>/` files (written with gitmem.store.front_matter.serialize_file,
committed, mtimes aged an hour), ~20% as records in notes on a few hundred commits (one
gitmem.store.objects.update_notes call, which writes a fan-out tree). Everything is seeded and
deterministic.

The vocabulary is pluggable: `Uniform` (bench/run.py's ~90 words, kept so its figures stay
comparable) or `Zipf` (bench/search.py: English function words, ~300 software-engineering
words and a few thousand pseudo-words, drawn with a Zipf-like distribution, which is what makes
a search index's term dictionary and posting lists look like a real one's).
"""

from __future__ import annotations

import bisect
import itertools
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gitmem.store import git, objects
from gitmem.store.front_matter import serialize_file
from gitmem.store.note_stream import serialize_note_doc
from gitmem.store.record import CROCKFORD, Memory, slugify
from gitmem.store.types import TYPE_FOLDERS

NOTE_SHARE = 0.2

_WORDS = """
cache database schema migration index query latency retry timeout queue worker deploy
rollback canary feature flag config secret token auth session cookie header proxy gateway
service client server api endpoint payload json yaml parser lexer build test fixture mock
pipeline runner artifact release version tag branch merge rebase commit hook lint format
type check coverage benchmark profile memory leak thread lock mutex async await event
stream batch shard replica leader follower consensus snapshot log metric trace alert
dashboard oncall incident postmortem runbook backup restore vacuum
"""
_MORE_WORDS = """
abstraction adapter aggregate allocation allocator analyzer annotation archive argument array
assertion attribute audit authentication authorization autoscaling availability backlog
backoff backpressure bandwidth baseline binary binding bitmap blob bootstrap bottleneck bucket
buffer bug bundle bytecode cadence callback capacity certificate changelog channel checkpoint
checksum cipher classpath cleanup cli cluster codec collector column compaction compiler
component compression concurrency connection constraint container contention context contract
controller cookiecutter coroutine corruption cpu cron cursor daemon deadlock debugger
decorator dedup default dependency deprecation deserialize diagnostics diff digest directory
disk dispatcher dns docker docstring downtime driver dsl durability encoding encryption engine
entity enum environment ephemeral exception executor exponential export failover fallback
fanout filesystem firewall flaky fork framework frontend function garbage generator
goroutine grpc handler hash heap heartbeat histogram hostname hotfix http idempotent
immutable import incremental inheritance initializer injection inode install instance
integration interface interpreter invariant iterator jitter journal kernel keyspace kubernetes
lambda latch layout lazy library lifecycle linker listener loader locale logger lookup
loop manifest mapping marshal middleware migrate module monitor monorepo multiplexer
namespace network nginx node notification null object observer offset optimizer orchestrator
orm overflow package pagination panic parallel partition patch permission persistence
placeholder plugin pointer policy polling pool postgres prefetch primitive priority process
producer protocol provisioning pubsub quota race ratelimit reader rebalance reconcile record
recursion redis refactor reference regex registry regression renderer replication repository
request resolver resource response rest retention reviewer rotation router routine runtime
sandbox scheduler scope script sdk semaphore sentinel serializer serverless sharding sidecar
signal singleton socket sorting spec spinlock sql stack staging stale statement storage
strategy subprocess subscriber supervisor swap symlink syntax syscall telemetry template
tenant terraform thread throughput ticket tokenizer topology transaction transport tree
trigger tuple typing unicode upgrade upstream uptime validation validator variable vector
vendor virtualenv volume wal webhook websocket whitelist wrapper writer xml zone
"""
_FUNCTION_WORDS = """
the of and to in is that for it with as on be this by are we not or from at have an
was but if which should when all can will use so because then only do does into
"""
_TAGS = """
database postgresql redis api auth ci deploy infra frontend backend perf security testing
docs adr oncall billing search mobile data-pipeline observability
"""
WORDS = _WORDS.split()
TAGS = _TAGS.split()
TYPE_WEIGHTS = {
    "fact": 30,
    "decision": 20,
    "code": 10,
    "error": 15,
    "procedural": 10,
    "episodic": 10,
    "user": 5,
}
AUTHORS = [
    "Jane Doe <jane@example.com>",
    "Ravi Patel <ravi@example.com>",
    "Mei Chen <mei@example.com>",
    "claude-code <noreply@example.com>",
]
STATUSES = ["active"] * 8 + ["accepted", "proposed", "superseded", "deprecated"]


# --------------------------------------------------------------------------- vocabulary


class Uniform:
    """bench/run.py's vocabulary: ~90 words, each equally likely."""

    def __init__(self, words: list[str] | None = None) -> None:
        self.words = words or WORDS

    def draw(self, rng: random.Random) -> str:
        return rng.choice(self.words)


class Zipf:
    """Function words, ~370 software words and `pseudo` made-up words, Zipf-distributed.

    Rank r has weight 1 / (r + 2.7) (Zipf-Mandelbrot, exponent 1): the commonest words fill a
    large share of every text, most words are rare. Function words take the top ranks, the
    software words are spread over the top few hundred, the pseudo-words fill the long tail.
    """

    def __init__(self, seed: int, pseudo: int = 3000) -> None:
        rng = random.Random(f"vocabulary-{seed}")
        real = sorted(set(WORDS + _MORE_WORDS.split()))
        rng.shuffle(real)
        made = pseudo_words(rng, pseudo, exclude=set(real) | set(_FUNCTION_WORDS.split()))
        tail = made + real[150:]
        rng.shuffle(tail)
        # ranks: function words, then 150 real words mixed with the first pseudo-words, ...
        head = real[:150] + tail[:150]
        rng.shuffle(head)
        self.words = _FUNCTION_WORDS.split() + head + tail[150:]
        weights = [1 / (rank + 2.7) for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> str:
        return self.words[bisect.bisect(self.cumulative, rng.random() * self.total)]


def pseudo_words(rng: random.Random, count: int, exclude: set[str]) -> list[str]:
    """`count` distinct pronounceable made-up words of 2-3 syllables."""
    onsets = [*"bcdfghjklmnprstvwz" * 3, "br", "cr", "dr", "fl", "gr", "pl", "pr", "sk", "st", "tr"]
    vowels = [*"aeiou", "ai", "ea", "io", "ou"]
    codas = ["", "", "", "n", "r", "s", "t", "l", "x", "nd", "st"]
    found: set[str] = set()
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice([2, 2, 2, 3, 3])
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
        word += rng.choice(codas)
        if word not in found and word not in exclude:
            found.add(word)
            words.append(word)
    return words


# ------------------------------------------------------------------------------- corpus


class Corpus:
    def __init__(
        self,
        seed: int,
        vocabulary: Uniform | Zipf | None = None,
        title_words: tuple[int, int] = (3, 9),
    ) -> None:
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.vocabulary = vocabulary or Uniform()
        self.title_words = title_words

    def new_id(self) -> str:
        while True:
            candidate = "".join(self.rng.choice(CROCKFORD) for _ in range(12))
            if not candidate.isdigit() and candidate not in self.ids:
                self.ids.add(candidate)
                return candidate

    def word(self) -> str:
        return self.vocabulary.draw(self.rng)

    def words(self, low: int, high: int) -> str:
        return " ".join(self.word() for _ in range(self.rng.randint(low, high)))

    def body(self, type_name: str) -> str:
        """300-3000 characters of Markdown: headings, prose, lists, now and then code."""
        target = int(self.rng.triangular(300, 3000, 900))
        sections = {
            "decision": ["Context", "Decision", "Alternatives", "Consequences"],
            "error": ["Symptom", "Root cause", "Fix"],
            "procedural": ["Steps"],
            "code": ["Pattern"],
        }.get(type_name, [])
        parts: list[str] = []
        size = 0
        heading = iter(sections)
        while size < target:
            title = next(heading, None)
            if title:
                parts.append(f"## {title}\n")
            roll = self.rng.random()
            if roll < 0.2:
                item = "\n".join(f"- {self.words(3, 10)}" for _ in range(self.rng.randint(2, 5)))
                parts.append(item + "\n")
            elif roll < 0.3:
                code = "\n".join(f"    {self.words(2, 6)}()" for _ in range(self.rng.randint(2, 6)))
                parts.append(f"```python\n{code}\n```\n")
            else:
                sentences = [
                    self.words(6, 16).capitalize() + "." for _ in range(self.rng.randint(2, 5))
                ]
                parts.append(" ".join(sentences) + "\n")
            size = sum(len(p) + 1 for p in parts)
        return "\n".join(parts)[:3000].rstrip() + "\n"

    def memory(self, when: datetime, commits: list[str] | None = None) -> Memory:
        type_name = self.rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        title = self.words(*self.title_words).capitalize()
        memory = Memory(
            id=self.new_id(),
            type=type_name,
            title=title,
            created=when.isoformat(timespec="seconds"),
            body=self.body(type_name),
            author=self.rng.choice(AUTHORS),
            status=self.rng.choice(STATUSES),
            tags=sorted(set(self.rng.sample(TAGS, self.rng.randint(0, 4)))),
            source=self.rng.choice(["cli", "cli", "hook", "mcp"]),
        )
        if self.rng.random() < 0.3:
            memory.summary = self.words(5, 12).capitalize()
        if self.rng.random() < 0.3:
            memory.paths = [f"src/{self.word()}/"]
        if commits:
            memory.commits = commits
        return memory


ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "NO_COLOR": "1",
    "LC_ALL": "C.UTF-8",
}
# Bytecode is cached as on a user's machine, but outside the source tree (an editable install
# would otherwise write gitmem/__pycache__ into the checkout).
for _name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_NOTES_REF"):
    ENV.pop(_name, None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
# One-shot commands measure one-shot work: in a repository of more than 5,000 records a read
# would otherwise start the index service (`[search] service = auto`) and later reads would be
# answered warm. bench/service.py turns it on where it measures it.
ENV["GITMEM_SERVICE"] = "off"
# The lexical engine is what these benches measure: with the semantic extra installed (.ci/run
# installs it), `[search] semantic = auto` would re-rank every search and load its model in every
# process (bench/semantic_cost.py measures that). GITMEM_SEMANTIC=on in the caller's environment
# measures with it; in-process timings read os.environ, subprocesses ENV.
os.environ.setdefault("GITMEM_SEMANTIC", "off")
ENV["GITMEM_SEMANTIC"] = os.environ["GITMEM_SEMANTIC"]
ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "gitmem-bench-pycache")
# What a sandbox with PYTHONDONTWRITEBYTECODE=1 sees: gitmem compiled from source every run.
NO_PYC_ENV = {k: v for k, v in ENV.items() if k != "PYTHONPYCACHEPREFIX"}
NO_PYC_ENV["PYTHONDONTWRITEBYTECODE"] = "1"


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process and its children) of one run of
    `argv`, which must succeed."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env or ENV, capture_output=True)
    wall = time.perf_counter() - start
    after = os.times()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()}")
    cpu = (
        after.children_user - before.children_user + after.children_system - before.children_system
    )
    return wall, cpu


def sh(cwd: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=ENV)
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


def build_corpus(
    root: Path,
    size: int,
    seed: int,
    corpus: Corpus | None = None,
    keep: list[tuple[Memory, str]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """A repository with `size` memories; returns sample ids and counts for the benchmark.

    `keep`: gets every memory written and where it lives (`.memory/...` or `note:<sha>`).
    """
    corpus = corpus or Corpus(seed)
    say = progress or (lambda message: None)
    sh(root.parent, "init", "-q", "-b", "main", str(root))
    sh(root, "config", "user.name", "Bench User")
    sh(root, "config", "user.email", "bench@example.com")
    sh(root, "config", "notes.rewriteRef", git.NOTES_REF)

    # A few hundred code commits, in one fast-import run.
    n_commits = max(100, min(400, size // 25))
    start = datetime(2024, 11, 1, 9, 0, tzinfo=UTC)
    stream = []
    for i in range(n_commits):
        message = f"{corpus.words(3, 8).capitalize()}\n".encode()
        stamp = int((start + timedelta(hours=8 * i)).timestamp())
        path = f"src/{corpus.word()}.py"
        content = f"# {corpus.words(4, 12)}\n".encode()
        stream.append(
            f"commit refs/heads/main\ncommitter Bench User <bench@example.com> {stamp} +0000\n"
            f"data {len(message)}\n".encode()
            + message
            + f"M 100644 inline {path}\ndata {len(content)}\n".encode()
            + content
            + b"\n"
        )
    sh(root, "fast-import", "--quiet", input=b"".join(stream))
    sh(root, "reset", "-q", "--hard", "main")
    commits = sh(root, "rev-list", "--reverse", "main").split()

    n_notes = round(size * NOTE_SHARE)
    n_files = size - n_notes
    span = timedelta(days=730)
    memory_dir = root / ".memory"
    file_ids: list[str] = []
    for done in range(n_files):
        when = start + span * corpus.rng.random()
        memory = corpus.memory(when)
        folder = memory_dir / TYPE_FOLDERS[memory.type]
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{memory.created[:10]}-{slugify(memory.title)}"
        path = folder / f"{stem}.md"
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.md"
        path.write_text(serialize_file(memory), encoding="utf-8")
        file_ids.append(memory.id)
        if keep is not None:
            keep.append((memory, path.relative_to(root).as_posix()))
        if done and done % 10_000 == 0:
            say(f"{done:,} of {n_files:,} files written")
    (memory_dir / "config.toml").write_text("# bench corpus\n")
    say("committing the files")
    sh(root, "add", "-A", ".memory")
    sh(root, "commit", "-q", "-m", "memories")

    # Notes: records spread over the code commits, all written by one CAS update.
    per_commit: dict[str, list[Memory]] = {}
    note_ids: list[str] = []
    for _ in range(n_notes):
        sha = corpus.rng.choice(commits)
        when = start + span * corpus.rng.random()
        memory = corpus.memory(when, commits=[sha])
        per_commit.setdefault(sha, []).append(memory)
        note_ids.append(memory.id)
        if keep is not None:
            keep.append((memory, f"note:{sha}"))
    changes: dict[str, bytes | None] = {
        sha: "".join(serialize_note_doc(m) for m in records).encode()
        for sha, records in per_commit.items()
    }
    say("writing the notes")
    repo = git.discover(root)
    objects.update_notes(repo, lambda _snapshot: changes, "bench: notes")
    # Ages the files past the catalog's racy window, as on a real checkout.
    old = time.time() - 3600
    for path in memory_dir.rglob("*.md"):
        os.utime(path, (old, old))
    # Aging changed the files' stat data: git's index would see every file as possibly changed
    # (and every read would re-hash them) until a `git status` refreshed it, as a user's would.
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root, capture_output=True)
    return {
        "file_id": corpus.rng.choice(file_ids),
        "note_id": corpus.rng.choice(note_ids),
        "files": str(n_files),
        "notes": str(n_notes),
        "noted_commits": str(len(per_commit)),
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pygit2
    import yaml

    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, {git_version.strip()}, "
        f"pygit2 {pygit2.__version__} (libgit2 {pygit2.LIBGIT2_VERSION}), PyYAML "
        f"{yaml.__version__} (libyaml: {yaml.__with_libyaml__}); load average {load}"
    )


BIN = Path(sys.executable).parent
GIT_MEM = str(BIN / "git-mem")
PYTHON = sys.executable


def importtime_report(argv: list[str], cwd: Path, title: str, rows: int = 12) -> str:
    """`python -X importtime` of one command (after a warm-up run): its biggest imports by
    self time, and the top-level ones by cumulative time, as Markdown tables."""
    command = [PYTHON, "-X", "importtime", *argv]
    subprocess.run(command, cwd=cwd, capture_output=True, env=ENV)
    proc = subprocess.run(command, cwd=cwd, capture_output=True, env=ENV, text=True)
    entries = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            entries.append((int(match[1]), int(match[2]), len(match[3]), match[4]))
    total = sum(e[0] for e in entries)
    lines = [
        f"{title}: {total / 1000:.0f} ms of imports in {len(entries)} modules",
        "",
        "| self ms | cumulative ms | module |",
        "|---:|---:|---|",
    ]
    for self_us, cumulative, _depth, name in sorted(entries, reverse=True)[:rows]:
        lines.append(f"| {self_us / 1000:.1f} | {cumulative / 1000:.1f} | {name} |")
    lines += ["", "Top-level imports by cumulative time:", "", "| cumulative ms | module |"]
    lines.append("|---:|---|")
    top = [e for e in entries if e[2] <= 1]
    for _self, cumulative, _depth, name in sorted(top, key=lambda e: -e[1])[:rows]:
        lines.append(f"| {cumulative / 1000:.1f} | {name} |")
    return "\n".join(lines) + "\n"
