"""Retrieval quality: do questions asked the way people and assistants ask them find their memory?

    .venv/bin/python bench/retrieval.py [--set flask|requests|black|all] [--variants] [--misses]
    .venv/bin/python bench/retrieval.py --set requests --regenerate /work/.mirror/psf+requests/repo

Each question set is the commit history of a real project (every non-merge commit, its subject
as the title and the start of its message as the body), kept compact in
`tests/fixtures/retrieval/<set>-commits.jsonl.gz` so the benchmark runs without the network;
`--regenerate` rebuilds that file from a mirror of the repository. The questions
(`tests/fixtures/retrieval/<set>-questions.json`) were written as a user of the project would
ask them, paraphrasing a commit (few words in common with its subject) without trying them on
either engine first; each names the commit(s) that answer it. Every other commit is a
distractor. `flask` (pallets/flask) is the set the ranking was developed on; `requests`
(psf/requests) was written before any change it measures and is held out: its targets drawn at
random (tests/fixtures/retrieval/README.md says how); `black` (psf/black), drawn the same way,
was written and committed before the semantic (embedding) ranking was tried on anything.

For gitmem (the Whoosh engine in process, `Reader.search` as `git mem search` calls it) and, in
the same run on the same corpus, an SQLite FTS5 baseline (porter tokenizer; title, summary,
body, tags; the question's words minus the same question words gitmem drops, ORed; bm25 with
column weights 4, 2, 1, 2 as gitmem's field boosts), it prints hit@1, hit@3 (the expected
memory first, in the first three), MRR (of the first ten) and the CPU time of a query in
process (median). `--variants` adds the ranking
alternatives measured for issue 13 (coordination factors, Whoosh's `OrGroup.factory` scale, no
prefix or near-miss expansion, every word required as before); `--misses` lists the questions
each engine missed at 3.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gitmem.search import whoosh_query, whoosh_search, whoosh_words
from gitmem.search.changes import Document
from gitmem.search.engine import EVERYTHING, Reader
from gitmem.search.question import content_words
from gitmem.search.whoosh_engine import WhooshEngine
from gitmem.semantic import model, rerank

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "retrieval"
SETS = {
    "flask": "pallets/flask",
    "requests": "psf/requests",
    "black": "psf/black",
}  # question set: its project
BODY_CHARS = 1000  # of each commit message's body: enough to answer, small enough to commit
TOP = 10


def corpus_file(name: str) -> Path:
    return FIXTURES / f"{name}-commits.jsonl.gz"


def regenerate(name: str, mirror: Path) -> None:
    """The corpus file of set `name` from a git directory of its project."""
    out = subprocess.run(
        ["git", "--git-dir", str(mirror), "log", "--no-merges", "--format=%H%x00%at%x00%B%x1e"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = []
    for entry in out.split("\x1e"):
        if not entry.strip():
            continue
        sha, when, message = entry.strip("\n").split("\x00", 2)
        subject, _, body = message.strip().partition("\n")
        rows.append(
            {
                "id": sha[:8],
                "created": int(when),
                "title": subject.strip()[:300],
                "body": " ".join(body.split())[:BODY_CHARS],
            }
        )
    path = corpus_file(name)
    # (mtime 0: the same history gives the same bytes)
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as packed,
    ):
        for row in rows:
            packed.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
    print(f"{len(rows)} commits -> {path} ({path.stat().st_size:,} bytes)")


def load(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with gzip.open(corpus_file(name), "rt", encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f]
    return corpus, json.loads((FIXTURES / f"{name}-questions.json").read_text())


def documents(corpus: list[dict[str, Any]]) -> list[Document]:
    out = []
    for memory in corpus:
        created = datetime.fromtimestamp(memory["created"], UTC).isoformat()
        row = {
            "id": memory["id"],
            "type": "fact",
            "title": memory["title"],
            "created": created,
            "location": f".memory/facts/{memory['id']}.md",
        }
        out.append(Document(row, memory["body"], memory["created"]))
    return out


# ------------------------------------------------------------------------------------ engines

Ranker = Callable[[str], list[str]]


@contextlib.contextmanager
def gitmem_index(corpus: list[dict[str, Any]]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ix"
        WhooshEngine().build(path, documents(corpus), None)
        yield path


def gitmem_ranker(reader: Reader, match: str = "any") -> Ranker:
    def rank(question: str) -> list[str]:
        hits = reader.search(
            question, EVERYTHING, lambda row: True, limit=TOP, snippets=False, match=match
        )
        return [hit.row["id"] for hit in hits]

    return rank


def strict_ranker(reader: Any) -> Ranker:
    """Before issue 13: the question in the strict reading (every word required)."""
    searcher = reader._searcher

    def rank(question: str) -> list[str]:
        q = whoosh_query.parse(searcher.schema, question)
        planned = whoosh_words.Plan(q, {}, {})
        hits = whoosh_search.search(
            searcher, planned, EVERYTHING, lambda row: True, limit=TOP, snippets=False
        )
        return [hit.row["id"] for hit in hits]

    return rank


def fts5_ranker(corpus: list[dict[str, Any]]) -> Ranker:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, summary, body, tags, id UNINDEXED, "
        "tokenize='porter unicode61')"
    )
    db.executemany(
        "INSERT INTO docs VALUES (?, '', ?, '', ?)",
        [(m["title"], m["body"], m["id"]) for m in corpus],
    )
    db.commit()

    def rank(question: str) -> list[str]:
        words = content_words(re.findall(r"\w+", question))
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
        rows = db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 4.0, 2.0, 1.0, 2.0) "
            "LIMIT ?",
            (match, TOP),
        )
        return [row[0] for row in rows]

    return rank


# ------------------------------------------------------------------------------------ scoring


def score(rank: Ranker, questions: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    hit1 = hit3 = 0
    reciprocal = []
    misses = []
    took = []
    for item in questions:
        began = time.process_time()  # CPU: the machine these run on is shared
        ranked = rank(item["question"])
        took.append(time.process_time() - began)
        positions = [n for n, found in enumerate(ranked) if found in item["expected"]]
        first = positions[0] if positions else None
        hit1 += first == 0
        hit3 += first is not None and first < 3
        reciprocal.append(1 / (first + 1) if first is not None else 0.0)
        if first is None or first >= 3:
            where = "not in the top 10" if first is None else f"at {first + 1}"
            misses.append(f"{item['question']!r} ({where})")
    n = len(questions)
    figures = {
        "hit@1": hit1 / n,
        "hit@3": hit3 / n,
        "MRR": sum(reciprocal) / n,
        "ms": statistics.median(took) * 1000,
    }
    return figures, misses


def row(name: str, figures: dict[str, float]) -> str:
    return (
        f"| {name} | {figures['hit@1']:.1%} | {figures['hit@3']:.1%} | {figures['MRR']:.3f} "
        f"| {figures['ms']:.1f} |"
    )


@contextlib.contextmanager
def setting(module: Any, **values: Any) -> Iterator[None]:
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("no coordination (plain OR of the words)", {"COORDINATION": 0.0}),
    ("coordination: matched share^0.5", {"COORDINATION": 0.5}),
    ("coordination: matched share^1", {"COORDINATION": 1.0}),
    ("coordination: matched share^3", {"COORDINATION": 3.0}),
    ("Whoosh OrGroup.factory(0.9), no own coordination", {"COORDINATION": 0.0, "OR_SCALE": 0.9}),
    ("Whoosh OrGroup.factory(0.5), no own coordination", {"COORDINATION": 0.0, "OR_SCALE": 0.5}),
    ("no prefix expansion", {"PREFIX_MIN": 1000}),
    ("prefix expansion for every word, however common", {"PREFIX_RARE": 1.0}),
    ("prefix expansion from 5 letters", {"PREFIX_MIN": 5}),
    ("expansions count 0.25", {"EXPANSION_BOOST": 0.25}),
    ("expansions count 0.75", {"EXPANSION_BOOST": 0.75}),
    ("question words must match too", {"QUESTION_WORDS": frozenset()}),
    ("no related terms (related-terms.txt)", {"RELATED_BOOST": 0.0}),
    ("related terms count 0.25", {"RELATED_BOOST": 0.25}),
    ("related terms count 0.75", {"RELATED_BOOST": 0.75}),
    ("identifiers whole (not a word per part)", {"SPLIT_IDENTIFIERS": False}),
]


SEMANTIC_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    (
        f"semantic: re-rank the top {depth}, similarity weight {weight}",
        {"DEPTH": depth, "WEIGHT": weight},
    )
    for depth in (10, 20, 50)
    for weight in (0.35, 0.65, 0.8, 0.9)
    if (depth, weight) != (rerank.DEPTH, rerank.WEIGHT)
]

FTS5 = "SQLite FTS5 (OR, bm25 4/2/1/2)"
SEMANTIC = f"gitmem + semantic extra (all-MiniLM-L6-v2 re-ranks the top {rerank.DEPTH})"


def run_set(name: str, args: argparse.Namespace) -> dict[str, float] | None:
    """Print set `name`'s table (and variants, misses); gitmem's figures, None on bad labels."""
    corpus, questions = load(name)
    ids = {m["id"] for m in corpus}
    missing = [q["question"] for q in questions if not set(q["expected"]) & ids]
    if missing:
        print(f"expected memories missing from the corpus: {missing}", file=sys.stderr)
        return None
    print(
        f"## {name}: {len(questions)} questions over {len(corpus):,} memories "
        f"({SETS[name]} commits; {len(corpus) - len(questions):,} distractors)\n"
    )
    print("| engine | hit@1 | hit@3 | MRR | query CPU p50, ms |")
    print("|---|---|---|---|---|")
    engine = WhooshEngine()
    with gitmem_index(corpus) as path:
        results: dict[str, tuple[dict[str, float], list[str]]] = {}
        with engine.open(path, set()) as reader:
            results["gitmem"] = score(gitmem_ranker(reader), questions)
        if model.installed():
            with engine.open(path, set()) as reader:
                reader.rerank = rerank.Mixer()
                results[SEMANTIC] = score(gitmem_ranker(reader), questions)
        results[FTS5] = score(fts5_ranker(corpus), questions)
        with engine.open(path, set()) as reader:
            results["gitmem --match all"] = score(gitmem_ranker(reader, "all"), questions)
            results["gitmem before issue 13 (every word required)"] = score(
                strict_ranker(reader), questions
            )
        for engine_name, (figures, _misses) in results.items():
            print(row(engine_name, figures))
        if args.variants:
            print("\nRanking alternatives (gitmem, one change each):\n")
            print("| variant | hit@1 | hit@3 | MRR | query CPU p50, ms |")
            print("|---|---|---|---|---|")
            for variant, values in VARIANTS:
                with setting(whoosh_words, **values), engine.open(path, set()) as reader:
                    figures, _misses = score(gitmem_ranker(reader), questions)
                print(row(variant, figures))
            for variant, values in SEMANTIC_VARIANTS if model.installed() else []:
                with setting(rerank, **values), engine.open(path, set()) as reader:
                    reader.rerank = rerank.Mixer(rerank.DEPTH)
                    figures, _misses = score(gitmem_ranker(reader), questions)
                print(row(variant, figures))
    gitmem, fts = results["gitmem"][0], results[FTS5][0]
    print()
    for engine_name in ("gitmem", SEMANTIC):
        if engine_name not in results:
            continue
        ours = results[engine_name][0]
        for label, met in (
            ("hit@1 >= FTS5 hit@1", ours["hit@1"] >= fts["hit@1"]),
            ("hit@3 >= FTS5 hit@3", ours["hit@3"] >= fts["hit@3"]),
            ("hit@3 >= 90%", ours["hit@3"] >= 0.9),
        ):
            print(f"- {engine_name} {label}: {'MET' if met else 'MISSED'}")
    if args.misses:
        for engine_name in ("gitmem", SEMANTIC, FTS5):
            if engine_name not in results:
                continue
            print(f"\nMissed at 3 by {engine_name}:")
            for miss in results[engine_name][1]:
                print(f"- {miss}")
    print()
    return gitmem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set", choices=[*SETS, "all"], default="flask", help="the question set (default flask)"
    )
    parser.add_argument("--regenerate", type=Path, metavar="GIT_DIR", help="rebuild the corpus")
    parser.add_argument("--variants", action="store_true", help="also the ranking alternatives")
    parser.add_argument("--misses", action="store_true", help="list the questions missed at 3")
    args = parser.parse_args()
    names = list(SETS) if args.set == "all" else [args.set]
    if args.regenerate:
        if len(names) != 1:
            parser.error("--regenerate rebuilds one set's corpus: name it with --set")
        regenerate(names[0], args.regenerate)
        return 0
    for name in names:
        if run_set(name, args) is None:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
