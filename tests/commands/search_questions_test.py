"""Issue 13 end to end: questions asked the way people and assistants ask them find their
memory through `git mem search`, `git mem context --query` and the MCP `search` tool."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession
from mcpclient import drive, ok

PG, TOKENS, CI, POOL, QUEUE = (f"dddd0000000{n}" for n in range(1, 6))


@pytest.fixture
def memories(repo: Path, g: Any) -> None:
    """Five memories; the two the questions are about are the oldest (last by date)."""
    for n, (relpath, record_id, kind, title, body) in enumerate(
        [
            ("decisions/pg.md", PG, "decision", "Use PostgreSQL over MongoDB",
             "We need joins and transactions; documents did not fit our reporting."),
            ("facts/tokens.md", TOKENS, "fact", "Session lifetime",
             "Refresh tokens expire after 30 days; access tokens after 15 minutes."),
            ("facts/ci.md", CI, "fact", "CI runs on every push",
             "The pipeline runs lint, types and tests on every push."),
            ("facts/pool.md", POOL, "fact", "Connection pool size",
             "The pool holds twenty connections to the database."),
            ("decisions/queue.md", QUEUE, "decision", "Jobs go through Redis queues",
             "Background jobs are queued in Redis; workers poll every second."),
        ]
    ):  # fmt: skip
        g.write_record(
            repo, relpath, record_id, type=kind, title=title, body=body + "\n",
            created=f"2026-01-0{n + 1}T10:00:00+00:00",
        )  # fmt: skip


QUESTIONS = [
    ("why not mongodb", PG),
    ("why did we pick postgres over mongo?", PG),
    ("how long do refresh tokens live?", TOKENS),
    ("what does the pipeline check on each push?", CI),
    ("how many database connections do we keep open?", POOL),
    ("where do background jobs wait", QUEUE),
]


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_search_answers_questions(
    memories: None, mem: Callable[..., Any], question: str, expected: str
) -> None:
    result = mem("search", "--ids", question)
    assert result.code == 0, result.err
    assert result.out.split()[0] == expected


def test_search_json_says_which_words_matched(memories: None, mem: Callable[..., Any]) -> None:
    found = json.loads(mem("search", "--json", "why did we pick postgres over mongo?").out)
    assert found["hits"][0]["id"] == PG
    assert found["hits"][0]["matched"] == ["mongo", "postgres"]
    # `--match all`: every word must match (its prefixes and near misses count).
    assert json.loads(mem("search", "--json", "--match", "all", "postgres mongo").out)["count"] == 1
    result = mem("search", "--match", "all", "postgres", "redis")
    assert (result.code, result.out) == (1, "")
    assert result.err == "git-mem: warning: no memories match 'postgres redis'\n"
    result = mem("search", "--match", "some", "postgres")
    assert result.code == 2
    assert "argument --match: invalid choice: 'some'" in result.err


def test_did_you_mean_only_when_it_helps(memories: None, mem: Callable[..., Any]) -> None:
    # Nothing like `queue` for `quote`; `do` is a question word; numbers are not corrected.
    for query in ('"quote"', "+do", "+12 +pool"):
        result = mem("search", query)
        assert (result.code, result.err) == (1, f"git-mem: warning: no memories match {query!r}\n")
    result = mem("search", "+mongdb")  # (corrections come from titles and tags)
    assert result.err == (
        "git-mem: warning: no memories match '+mongdb'; did you mean '+mongodb'?\n"
    )


def test_context_query_answers_questions(memories: None, mem: Callable[..., Any]) -> None:
    out = mem("context", "--query", "how long do refresh tokens live?").out
    facts = out.split("## Facts\n", 1)[1].splitlines()
    assert facts[0].startswith(f"- [{TOKENS}] ")
    out = mem("context", "--query", "why did we pick postgres over mongo?").out
    decisions = out.split("## Decisions\n", 1)[1].splitlines()
    assert decisions[0].startswith(f"- [{PG}] ")
    out = mem("context").out  # by date without the question: the newest first
    assert out.split("## Decisions\n", 1)[1].splitlines()[0].startswith(f"- [{QUEUE}] ")


@pytest.mark.slow
def test_mcp_search_answers_questions(memories: None, repo: Path) -> None:
    async def scenario(session: ClientSession) -> None:
        for question, expected in QUESTIONS:
            found = await ok(session, "search", {"query": question})
            assert found["hits"][0]["id"] == expected, question
        found = await ok(session, "search", {"query": "refresh tokens", "match": "all"})
        assert [hit["id"] for hit in found["hits"]] == [TOKENS]
        assert found["hits"][0]["matched"] == ["refresh", "tokens"]
        found = await ok(session, "search", {"query": "refresh redis", "match": "all"})
        assert found["count"] == 0

    drive(repo, scenario)
