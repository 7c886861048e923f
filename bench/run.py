"""Whole-process latency of `git mem` on a synthetic corpus, against the issue's targets.

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--repeat 15] [--keep] [--no-importtime]

For each size N it builds a repository in a temporary directory: ~80% of the N memories as
`.memory/` files (written with gitmem.record.serialize_file, committed), ~20% as records in
notes on a few hundred commits (one gitmem.git.update_notes call). It then times the real
`git-mem` console script as a subprocess (save as a file and as a note, list, list --type,
show of a file record and of a note record), after a warm-up run of each, round-robin with
references measured in the same run (`python -c pass` with the same interpreter, `import yaml`,
`import pygit2`, `git rev-parse HEAD`). It prints wall-time median, p90 and minimum and the CPU
median per command and size, and, once, the biggest `python -X importtime` costs of
`git-mem show`. Results and their analysis: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from gitmem import git
from gitmem.record import (
    CROCKFORD,
    TYPE_FOLDERS,
    Memory,
    serialize_file,
    serialize_note_doc,
    slugify,
)

BIN = Path(sys.executable).parent
GIT_MEM = str(BIN / "git-mem")
PYTHON = sys.executable
TARGET_MS = 100  # the issue: save and show within 100 ms at 10k memories
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


# ------------------------------------------------------------------------------- corpus


class Corpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids: set[str] = set()

    def new_id(self) -> str:
        while True:
            candidate = "".join(self.rng.choice(CROCKFORD) for _ in range(12))
            if not candidate.isdigit() and candidate not in self.ids:
                self.ids.add(candidate)
                return candidate

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

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
        title = self.words(3, 9).capitalize()
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
            memory.paths = [f"src/{self.rng.choice(WORDS)}/"]
        if commits:
            memory.commits = commits
        return memory


def sh(cwd: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=ENV)
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


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
ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "gitmem-bench-pycache")
# What a sandbox with PYTHONDONTWRITEBYTECODE=1 sees: gitmem compiled from source every run.
NO_PYC_ENV = {k: v for k, v in ENV.items() if k != "PYTHONPYCACHEPREFIX"}
NO_PYC_ENV["PYTHONDONTWRITEBYTECODE"] = "1"


def build_corpus(root: Path, size: int, seed: int) -> dict[str, str]:
    """A repository with `size` memories; returns sample ids and counts for the benchmark."""
    corpus = Corpus(seed)
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
        path = f"src/{corpus.rng.choice(WORDS)}.py"
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
    for _ in range(n_files):
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
    (memory_dir / "config.toml").write_text("# bench corpus\n")
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
    changes: dict[str, bytes | None] = {
        sha: "".join(serialize_note_doc(m) for m in records).encode()
        for sha, records in per_commit.items()
    }
    repo = git.discover(root)
    git.update_notes(repo, lambda _snapshot: changes, "bench: notes")
    # Ages the files past the catalog's racy window, as on a real checkout.
    old = time.time() - 3600
    for path in memory_dir.rglob("*.md"):
        os.utime(path, (old, old))
    return {
        "file_id": corpus.rng.choice(file_ids),
        "note_id": corpus.rng.choice(note_ids),
        "files": str(n_files),
        "notes": str(n_notes),
        "noted_commits": str(len(per_commit)),
    }


# ---------------------------------------------------------------------------- measuring


class Sample(NamedTuple):
    wall: float  # ms, the whole process as the user waits for it
    cpu: float  # ms of user + system CPU of the process and its children (git), less noisy


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=env or ENV)
    elapsed = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return Sample(elapsed, cpu)


def p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def bench_size(
    size: int, repeat: int, keep: bool, seed: int, imports: bool
) -> tuple[dict[str, list[Sample]], str | None]:
    workdir = Path(tempfile.mkdtemp(prefix=f"gitmem-bench-{size}-"))
    root = workdir / "repo"
    started = time.perf_counter()
    sample = build_corpus(root, size, seed)
    built = time.perf_counter() - started
    print(
        f"\n# {size} memories: {sample['files']} files, {sample['notes']} note records on "
        f"{sample['noted_commits']} commits (built in {built:.1f} s, {root})",
        flush=True,
    )
    timed([GIT_MEM, "list"], root)  # builds the catalog cache
    file_prefix, note_prefix = sample["file_id"][:6], sample["note_id"][:6]
    text = (
        "Bench memory {i}: the retry budget is 3\n\nRetries back off exponentially, capped at 2 s."
    )
    Case = tuple[Callable[[int], list[str]], dict[str, str]]
    references: dict[str, Case] = {
        "python -c pass": (lambda i: [PYTHON, "-c", "pass"], ENV),
        "python -c 'import yaml'": (lambda i: [PYTHON, "-c", "import yaml"], ENV),
        "python -c 'import pygit2'": (lambda i: [PYTHON, "-c", "import pygit2"], ENV),
        "git rev-parse HEAD": (lambda i: ["git", "rev-parse", "HEAD"], ENV),
    }
    writes: dict[str, Case] = {
        "save -m (file)": (
            lambda i: [GIT_MEM, "save", "-m", text.format(i=i), "--tag", "bench"],
            ENV,
        ),
        "save --commit HEAD": (
            lambda i: [GIT_MEM, "save", "--commit", "HEAD", "-m", text.format(i=i)],
            ENV,
        ),
    }
    reads: dict[str, Case] = {
        "list": (lambda i: [GIT_MEM, "list"], ENV),
        "list --type decision": (lambda i: [GIT_MEM, "list", "--type", "decision"], ENV),
        "show (file record)": (lambda i: [GIT_MEM, "show", file_prefix], ENV),
        "show (note record)": (lambda i: [GIT_MEM, "show", note_prefix], ENV),
        "show (file record), no .pyc": (lambda i: [GIT_MEM, "show", file_prefix], NO_PYC_ENV),
    }
    results: dict[str, list[Sample]] = {}

    def rounds(cases: dict[str, Case]) -> None:
        """Round-robin, so a burst of load from elsewhere hits every command alike."""
        for argv, env in cases.values():
            timed(argv(-1), root, env)  # warm-up: caches, page cache, .pyc files
        for i in range(repeat):
            for name, (argv, env) in cases.items():
                results.setdefault(name, []).append(timed(argv(i), root, env))

    rounds(references | writes)
    timed([GIT_MEM, "list"], root)  # the catalog takes in what the saves wrote
    rounds(reads)

    # What a session does: save, then look: the read pays for the catalog update.
    after: list[Sample] = []
    for i in range(repeat):
        timed(writes["save -m (file)"][0](1000 + i), root)
        after.append(timed(reads["show (file record)"][0](i), root))
    results["show right after a save"] = after
    order = [*references, *writes, *reads, "show right after a save"]
    results = {name: results[name] for name in order}
    profile = importtime(root, size, file_prefix) if imports else None
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return results, profile


TARGETS = {
    "save -m (file)": TARGET_MS,
    "save --commit HEAD": TARGET_MS,
    "show (file record)": TARGET_MS,
    "show (note record)": TARGET_MS,
    "show right after a save": TARGET_MS,
}


def table(all_results: dict[int, dict[str, list[Sample]]]) -> str:
    sizes = sorted(all_results)
    names = list(next(iter(all_results.values())))
    head = "| command | " + " | ".join(
        f"{s:,}: wall median / p90 (min) | {s:,}: CPU median" for s in sizes
    )
    head += " | target (wall median at the largest size) |\n"
    head += "|---|" + "---:|---:|" * len(sizes) + "---|\n"
    rows = []
    for name in names:
        cells = []
        for size in sizes:
            wall = [sample.wall for sample in all_results[size][name]]
            cpu = [sample.cpu for sample in all_results[size][name]]
            cells.append(f"{statistics.median(wall):.0f} / {p90(wall):.0f} ({min(wall):.0f})")
            cells.append(f"{statistics.median(cpu):.0f}")
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            top = max(sizes)
            median = statistics.median(sample.wall for sample in all_results[top][name])
            verdict = f"≤ {target} ms: {'met' if median <= target else 'MISSED'}"
            if top < 10_000:
                verdict += f" (at {top:,})"
        rows.append(f"| `{name}` | " + " | ".join(cells) + f" | {verdict} |")
    return head + "\n".join(rows) + "\n"


def importtime(root: Path, size: int, prefix: str) -> str:
    """The biggest import costs of one `git-mem show`, by self time and cumulative."""
    subprocess.run([GIT_MEM, "show", prefix], cwd=root, capture_output=True, env=ENV)
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", GIT_MEM, "show", prefix],
        cwd=root,
        capture_output=True,
        env=ENV,
        text=True,
    )
    entries = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            entries.append((int(match[1]), int(match[2]), len(match[3]), match[4]))
    total = sum(e[0] for e in entries)
    lines = [
        f"`python -X importtime git-mem show` ({size:,} memories): {total / 1000:.0f} ms "
        f"of imports in {len(entries)} modules",
        "",
        "| self ms | cumulative ms | module |",
        "|---:|---:|---|",
    ]
    for self_us, cumulative, _depth, name in sorted(entries, reverse=True)[:15]:
        lines.append(f"| {self_us / 1000:.1f} | {cumulative / 1000:.1f} | {name} |")
    lines += [
        "",
        "Top-level imports by cumulative time:",
        "",
        "| cumulative ms | module |",
        "|---:|---|",
    ]
    top = [e for e in entries if e[2] <= 1]
    for _self, cumulative, _depth, name in sorted(top, key=lambda e: -e[1])[:10]:
        lines.append(f"| {cumulative / 1000:.1f} | {name} |")
    return "\n".join(lines) + "\n"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma list (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per command")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    parser.add_argument("--no-importtime", action="store_true", help="skip the import profile")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(f"gitmem bench, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine(), flush=True)
    results: dict[int, dict[str, list[Sample]]] = {}
    profile = None
    for size in sizes:
        imports = not args.no_importtime and size == max(sizes)
        results[size], text = bench_size(size, args.repeat, args.keep, args.seed, imports)
        profile = text or profile
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nWhole-process wall time in ms, {args.repeat} runs each after one warm-up "
        f"(load average at the end: {load})\n"
    )
    print(table(results))
    if profile:
        print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
