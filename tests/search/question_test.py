"""Issue 13's rules for reading a query, on a small real index: which words must match, how
plain words rank (coordination), what a word reaches (prefixes, near misses, identifier parts),
strict syntax unchanged, the words each hit matched, and when "did you mean" speaks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gitmem.search.changes import Document
from gitmem.search.engine import EVERYTHING, Hit, Reader
from gitmem.search.index import MAX_TERM, fast_terms
from gitmem.search.question import Reading, content_words, read
from gitmem.search.whoosh_engine import WhooshEngine

Row = dict[str, Any]

MEMORIES = {
    "pg": ("decision", "Use PostgreSQL over MongoDB", "We need joins and transactions."),
    "pool": ("fact", "Connection pool size", "The pool holds twenty connections to postgres."),
    "redis": ("fact", "Redis everywhere", "Redis for sessions. Redis for the queue. Redis."),
    "tokens": (
        "fact",
        "Session lifetime",
        "Refresh tokens expire after 30 days; retry on 401 from redis.",
    ),
    "csv": ("code", "Loading exports", "Call pandas read_csv with dtype=str on the exports."),
    "camel": ("code", "Config loader", "parseConfig reads the settings file; see app.settings."),
    "kebab": ("fact", "Hyphenated flags", "Pass --dry-run before applying a migration."),
    "quote": ("fact", "Quote of the day", "A third of 12 engineers hired this quarter."),
    "kafka": ("fact", "Event bus", "Kafkaesque retries: the consumer timeout is 30 s."),
    "shard": ("fact", "Storage layout", "Each shard holds a month of events."),
    "shardkey": ("fact", "Storage layout", "Each shardkey holds a month of events."),
}


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    path = tmp_path_factory.mktemp("ix") / "ix"
    documents = [
        Document(
            {
                "id": key,
                "type": kind,
                "title": title,
                "created": "2026-01-01T00:00:00+00:00",
                "location": f".memory/x/{key}.md",
            },
            body,
            1_767_225_600 + n,
        )
        for n, (key, (kind, title, body)) in enumerate(MEMORIES.items())
    ]
    engine = WhooshEngine()
    engine.build(path, documents, None)
    with engine.open(path, set()) as opened:
        yield opened


def hits(reader: Reader, text: str, match: str = "any") -> list[Hit]:
    return reader.search(text, EVERYTHING, lambda row: True, limit=20, match=match)


@pytest.fixture
def ids(reader: Reader) -> Callable[..., list[str]]:
    return lambda text, match="any": [hit.row["id"] for hit in hits(reader, text, match)]


# ----------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("why not mongodb", Reading("", ["why", "not", "mongodb"], False)),
        ("mongodb and redis or not", Reading("", ["mongodb", "and", "redis", "or", "not"], False)),
        ("mongodb AND redis", Reading("mongodb AND redis", [], True)),
        ("NOT redis", Reading("NOT redis", [], True)),
        ('"connection pool" size', Reading('"connection pool"', ["size"], False)),
        ('title:"pool size" db', Reading('title:"pool size"', ["db"], False)),
        ('-"pool size" db', Reading('-"pool size"', ["db"], False)),
        ("pool -redis +size", Reading("-redis +size", ["pool"], False)),
        ("type:decision why postgres", Reading("type:decision", ["why", "postgres"], False)),
        ("error: timeout", Reading("", ["error:", "timeout"], False)),  # not a field
        ("post* db", Reading("post*", ["db"], False)),
        ("how long do tokens live?", Reading("", ["how", "long", "do", "tokens", "live?"], False)),
        ('"unbalanced quote', Reading("", ['"unbalanced', "quote"], False)),
        ("ANDROID NOTES", Reading("", ["ANDROID", "NOTES"], False)),  # not operators
    ],
)
def test_read(text: str, reading: Reading) -> None:
    assert read(text) == reading


def test_question_words_need_not_match() -> None:
    words = ["why", "did", "we", "pick", "postgres", "over", "mongo", "and", "not", "redis"]
    assert content_words(words) == ["pick", "postgres", "mongo", "redis"]
    assert content_words(["how", "should", "we"]) == ["how", "should", "we"]  # nothing else


# ----------------------------------------------------------------------------- ranking


def test_a_question_finds_its_memory(ids: Callable[..., list[str]]) -> None:
    assert ids("why not mongodb")[0] == "pg"
    assert ids("why did we pick postgres over mongo?")[0] == "pg"
    assert ids("how long do refresh tokens live?")[0] == "tokens"
    # Only question words: they are the words then (and none is indexed): nothing.
    assert ids("why did we") == []


def test_lowercase_operators_are_words(ids: Callable[..., list[str]]) -> None:
    assert set(ids("mongodb and redis")) == {"pg", "redis", "tokens"}
    assert ids("mongodb AND redis") == []  # upper case: the operator
    assert set(ids("redis or mongodb")) == {"pg", "redis", "tokens"}
    assert "redis" in ids("postgres not redis")  # `not` is a word: redis is not excluded
    assert "redis" not in ids("postgres NOT redis")


def test_coordination_ranks_more_of_the_question_first(
    reader: Reader, ids: Callable[..., list[str]]
) -> None:
    # "redis" says redis four times (title included); "tokens" has both words, once each.
    found = {hit.row["id"]: hit for hit in hits(reader, "redis retry")}
    assert ids("redis retry")[:2] == ["tokens", "redis"]
    assert (found["tokens"].matched, found["redis"].matched) == (("redis", "retry"), ("redis",))
    assert found["tokens"].score > found["redis"].score


def test_match_all_requires_each_word(ids: Callable[..., list[str]]) -> None:
    assert ids("refresh retry", "all") == ["tokens"]
    assert ids("refresh joins", "all") == []
    assert set(ids("refresh joins")) == {"tokens", "pg"}


def test_prefix_expansion(reader: Reader, ids: Callable[..., list[str]]) -> None:
    assert ids("mongo") == ["pg"]
    (hit,) = hits(reader, "mongo")
    assert hit.matched == ("mongo",)
    assert ids("kafk") == ["kafka"]  # kafkaesque, from 4 letters
    assert ids("kaf") == []  # 3 letters: too short to stand for longer words


def test_exact_beats_expansion(ids: Callable[..., list[str]]) -> None:
    # The same memory but for the word: the exact one first.
    assert ids("shard") == ["shard", "shardkey"]
    assert ids("shardkey") == ["shardkey"]  # the longer word does not reach the shorter
    # (An expansion in a title can outweigh an exact word in a body: fields keep their weight.)
    assert set(ids("postgres")) == {"pool", "pg"}


def test_near_misses_only_for_words_that_match_nothing(ids: Callable[..., list[str]]) -> None:
    assert ids("postgrseql") == ["pg"]  # a swap: one edit
    assert ids("mongdb") == ["pg"]
    assert ids("transactoins joins")[0] == "pg"
    # "pool" exists: no near misses (`poll`, `tool`...), and a short word gets none.
    assert ids("pool") == ["pool"]
    assert ids("poool") == ["pool"]
    assert ids("qeu") == []


def test_identifiers_split(ids: Callable[..., list[str]]) -> None:
    assert ids("csv") == ["csv"]
    assert ids("read_csv")[0] == "csv"  # (the parts are words too: `reads` is another hit)
    assert ids("readCsv")[0] == "csv"
    assert ids("config") == ["camel"]  # parseConfig
    assert ids("settings")[0] == "camel"  # app.settings
    assert ids("dry") == ["kebab"]  # --dry-run
    assert ids('"dry run"') == ["kebab"]  # the parts are consecutive
    assert ids("dry-run") == ["kebab"]


def test_strict_syntax_keeps_its_meaning(ids: Callable[..., list[str]]) -> None:
    assert ids('"connection pool" size') == ["pool"]  # the phrase is required
    assert ids('"connection pool" redis') == []  # and one of the plain words
    assert ids('title:"pool size"') == ["pool"]
    assert ids('title:"pool size" connections') == ["pool"]
    assert set(ids("postgres -redis")) == {"pool", "pg"}  # tokens (redis) excluded
    assert ids("type:decision postgres mongo") == ["pg"]
    assert ids("type:fact mongodb") == []
    assert ids("+redis queue") == ["redis"]  # required, beside a ranked word
    assert ids("+mongodb redis") == []
    assert ids("redis OR mongodb") == ids("mongodb OR redis")
    assert ids("tok*") == ["tokens"]
    # Plain words beside the syntax: one of them must match, even if none is in any memory.
    assert ids("type:decision") == ["pg"]
    assert ids("type:decision xyzzy") == []
    assert ids("why -redis") == []  # (`why` is the word here: no memory has it)
    assert "pg" in ids("-redis")


def test_suggestions_only_when_they_help(reader: Reader) -> None:
    assert reader.suggest("+postgrseql") == "+postgresql"
    # Known words are not corrected; question words, numbers and far words are not either.
    assert reader.suggest("queue") is None  # "quote" is two edits away
    assert reader.suggest("queu") is None
    assert reader.suggest("hire") is None  # not "third"
    assert reader.suggest("do") is None  # not "12"
    assert reader.suggest("13") is None
    assert reader.suggest("whyy") is None  # 1 edit from nothing indexed
    assert reader.suggest("+quotr") == "+quote"


def test_a_huge_token_is_not_a_term() -> None:
    # Issue 15 case 7: stemming a 1 MB token took 27 s; it is not indexed at all now.
    assert fast_terms("a" * 4_000_000 + " deploy") == ["deploy"]
    assert fast_terms("x" * (MAX_TERM + 1)) == []
    assert fast_terms("x" * MAX_TERM) == ["x" * MAX_TERM]
    # Its separated parts still are (a minified line is words).
    assert fast_terms("y" * 2_000_000 + ".py") == ["py"]


def test_a_huge_token_indexes(tmp_path: Path) -> None:
    body = "z" * 1_048_576 + " rollout " + "Ab" * 1_048_576
    row = {"id": "big", "type": "fact", "title": "Blob", "location": ".memory/x/big.md"}
    engine = WhooshEngine()
    engine.build(tmp_path / "ix", [Document(row, body, 0)], None)
    with engine.open(tmp_path / "ix", set()) as opened:
        assert [hit.row["id"] for hit in hits(opened, "rollout")] == ["big"]
