"""The Whoosh engine on its own: the fast indexing analyzer agrees with Whoosh's, and the query
syntax (words, phrases, field:value, NOT/-word) and its plain-words fallback, on a real
Whoosh index in a temporary directory."""

from __future__ import annotations

import json
import marshal
import random
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gitmem.search import index, related, whoosh_engine, whoosh_query, whoosh_write
from gitmem.search.changes import Document
from gitmem.search.engine import EVERYTHING, Narrowing, Reader
from gitmem.search.index import ANALYZER, MAX_TERM, fast_terms, may_yield, token_terms
from gitmem.search.whoosh_engine import WhooshEngine

Row = dict[str, Any]


def analyzer_terms(text: str) -> list[str]:
    return [token.text for token in ANALYZER(text)]


# ----------------------------------------------------------------------------- fast_terms

WORDS = ["deploying", "deployment", "the", "and", "a", "I", "x1", "2026", "v2", "don't", "café"]
_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.lists(
        st.one_of(
            st.sampled_from(WORDS),
            st.text(alphabet="aAbZ0129_-.,;:'\"!?()[]{}/@#*^~ \t\n", max_size=8),
            st.text(alphabet=st.characters(categories=["L", "M", "N"]), max_size=6),
        ),
        max_size=12,
    ).map(" ".join),
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_text)
@example("İstanbul")  # "İ".lower() is two characters: "i" and a combining dot
@example("\u0391\u03a3'\u0392")  # Greek: whole-text lower() picks another sigma
def test_fast_terms_are_the_analyzers_terms(text: str) -> None:
    assert fast_terms(text) == analyzer_terms(text)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Deploying the deployment", ["deploy", "deploy"]),
        ("", []),
        ("a I x", []),  # stop words and one-letter words
        ("it is to be or not", []),
        # Identifiers: the whole (lowercased, unstemmed), then the parts (issue 13).
        (
            "Rollback, rollbacks; ROLLED-back!",
            ["rollback", "rollback", "rolled-back", "roll", "back"],
        ),
        ("v2 2026 x86_64 3.14", ["v2", "2026", "x86_64", "x86", "64", "3.14", "14"]),
        ("read_csv camelCase", ["read_csv", "read", "csv", "camelcase", "camel", "case"]),
        (
            "getHTTPResponse os.path",
            ["gethttpresponse", "get", "http", "respons", "os.path", "os", "path"],
        ),
        ("Café naïve façade", ["café", "naïv", "façad"]),
        ("don't", ["don"]),
        ("foo:bar path/to/file.py", ["foo", "bar", "path", "file.py", "file", "py"]),
        ("日本語のテキスト", ["日本語のテキスト"]),
    ],
)
def test_fast_terms_fixed_cases(text: str, terms: list[str]) -> None:
    assert fast_terms(text) == terms
    assert analyzer_terms(text) == terms


# ----------------------------------------------------------------------------- an index

HEAD = "0123456789abcdef0123456789abcdef01234567"
NOTE = "fedcba9876543210fedcba9876543210fedcba98"

ROWS: list[tuple[Row, str]] = [
    (
        {
            "id": "aaaa00000001",
            "type": "decision",
            "title": "Deployment pipeline uses blue green",
            "created": "2026-01-01T10:00:00+00:00",
            "author": "Alice Smith <alice@example.com>",
            "status": "accepted",
            "tags": ["deploy", "ci"],
            "source": "cli",
            "project": "Backend",
            "paths": ["src/deploy/pipeline.py"],
            "location": ".memory/decisions/2026-01-01-deployment.md",
        },
        "We ship with a blue green switch. Rollback is instant.\n",
    ),
    (
        {
            "id": "aaaa00000002",
            "type": "fact",
            "title": "Database pool size",
            "created": "2026-01-02T10:00:00+00:00",
            "author": "Bob <bob@example.com>",
            "tags": ["database"],
            "source": "import",
            "paths": ["src/db/"],
            "commits": [HEAD],
            "location": f"note:{NOTE}",
        },
        "The connection pool holds twenty connections; green then blue lights.\n",
    ),
    (
        {
            "id": "aaaa00000003",
            "type": "error",
            "title": "Rollback failed on Friday",
            "created": "2026-01-03T10:00:00+00:00",
            "author": "Alice Smith <alice@example.com>",
            "status": "deprecated",
            "source": "hook",
            "project": "frontend",
            "paths": ["./docs/runbook.md"],
            "location": ".memory/errors/2026-01-03-rollback.md",
        },
        "Deploying on Friday broke the pipeline.\n",
    ),
    (
        {
            "id": "aaaa00000004",
            "type": "fact",
            "title": "Parser notes",
            "created": "2026-01-04T10:00:00+00:00",
            "location": ".memory/facts/2026-01-04-parser.md",
        },
        "An unbalanced quote, a tag with a colon, foo and bar, alpha and omega.\n",
    ),
]
D1, D2, D3, D4 = (row["id"] for row, _body in ROWS)


ENGINE = WhooshEngine()
KEEP_ALL: Callable[[Row], bool] = lambda row: True  # noqa: E731


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("index") / "ix"
    documents = [
        Document(row, body, 1_767_261_600 + n * 86400) for n, (row, body) in enumerate(ROWS)
    ]
    ENGINE.build(built, documents, None)
    return built


@pytest.fixture(scope="module")
def reader(ix: Path) -> Iterator[Reader]:
    with ENGINE.open(ix, set()) as opened:
        yield opened


def search_ids(reader: Reader, text: str, match: str = "any") -> set[str]:
    hits = reader.search(text, EVERYTHING, KEEP_ALL, limit=1000, snippets=False, match=match)
    return {hit.row["id"] for hit in hits}


@pytest.fixture
def found(reader: Reader) -> Callable[[str], set[str]]:
    """The ids of the records the engine reads `text` as matching (never raises)."""
    return lambda text: search_ids(reader, text)


def test_stemming(found: Callable[[str], set[str]]) -> None:
    assert found("deploying") == {D1, D3}
    assert found("deployments") == {D1, D3}
    assert found("connection") == {D2}  # "connections" in the body
    assert found("rolled") == set()  # stems to "roll", not "rollback"


def test_plain_words_rank_any_word(reader: Reader, found: Callable[[str], set[str]]) -> None:
    # Issue 13: plain words are ranked, any of them matching; `match="all"` requires each.
    assert found("blue green") == {D1, D2}
    assert found("blue rollback") == {D1, D2, D3}
    assert search_ids(reader, "blue rollback", "all") == {D1}
    assert search_ids(reader, "blue green", "all") == {D1, D2}
    assert found("blue OR rollback") == {D1, D2, D3}
    assert found("blue AND rollback") == {D1}
    assert found("pipeline AND friday") == {D3}
    assert found("nonexistentword") == set()


def test_phrases(found: Callable[[str], set[str]]) -> None:
    assert found('"blue green"') == {D1}  # D2 has "green then blue"
    assert found('"green blue"') == set()
    assert found('"green then blue"') == {D2}
    assert found('"deploying on friday"') == {D3}  # stop words inside a phrase
    assert found('"pool twenty"') == set()  # "pool holds twenty": not adjacent
    # Stop words are not indexed (as in Whoosh's StopFilter): "broke the pipeline" matches.
    assert found('"broke pipeline"') == {D3}


def test_exclusion(found: Callable[[str], set[str]]) -> None:
    assert found("blue -rollback") == {D2}
    assert found("blue NOT rollback") == {D2}
    assert found("blue -database") == {D1}
    assert found("-rollback") == {D2, D4}  # only an exclusion: everything else
    assert found("NOT pipeline") == {D2, D4}
    assert found('pipeline -"blue green"') == {D3}
    assert found("blue-green") == {D1, D2}  # a hyphen inside a word is not a NOT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("type:decision", {D1}),
        ("type:fact", {D2, D4}),
        ("type:fact pool", {D2}),
        ("tag:deploy", {D1}),
        ("tags:database", {D2}),
        ("tag:Database", {D2}),
        ("tag:deploy OR tag:database", {D1, D2}),
        ("status:accepted", {D1}),
        ("status:deprecated rollback", {D3}),
        ("author:alice", {D1, D3}),
        ("author:bob", {D2}),
        ("author:alice friday", {D3}),
        ("project:backend", {D1}),
        ("project:frontend", {D3}),
        ("source:import", {D2}),
        ("source:hook", {D3}),
        ("path:src/db", {D2}),
        ("path:src/db/", {D2}),
        ("path:src", {D1, D2}),
        ("path:src/deploy/pipeline.py", {D1}),
        ("path:./src/deploy", {D1}),
        ("path:docs", {D3}),
        ("paths:docs/runbook.md", {D3}),
        ("path:src/d", set()),  # a directory prefix, not a string prefix
        ("commit:0123456", {D2}),
        ("commit:0123456789ABCDEF", {D2}),
        (f"commit:{HEAD}", {D2}),
        ("commit:fedcba98", {D2}),  # the commit the note is attached to
        ("commit:0124", set()),
        ("type:fact -tag:database", {D4}),
    ],
)
def test_field_values(found: Callable[[str], set[str]], text: str, expected: set[str]) -> None:
    assert found(text) == expected


def test_field_value_keeps_the_case_the_project_was_written_in(
    found: Callable[[str], set[str]],
) -> None:
    # The record says `project: Backend`: the value as written must find it.
    assert found("project:Backend") == {D1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"unbalanced', {D4}),
        ('"unbalanced quote', {D4}),
        ('unbalanced"', {D4}),
        (":", set()),
        ("-", set()),
        ("foo AND", {D4}),
        ("AND foo", {D4}),
        ("foo OR", {D4}),
        ("NOT", set()),
        ("tag:", {D4}),
        ("colon:", {D4}),
        (":colon", {D4}),
        ("[alpha TO", {D4}),
        ("[alpha TO omega", {D4}),
        ("(foo", {D4}),
        ("foo)", {D4}),
        ("foo^2", {D4}),
        ("nosuchfield:foo", {D4}),  # plain words "nosuchfield" and "foo": any of them
        ("title:", set()),
    ],
)
def test_unparseable_queries_are_plain_words(
    ix: Path, reader: Reader, found: Callable[[str], set[str]], text: str, expected: set[str]
) -> None:
    assert found(text) == expected
    # "Plain words": with every word required, what `plain_query` finds, and nothing else.
    with whoosh_write.open_index(ix).searcher() as searcher:
        plain = {
            json.loads(hit["row"])["id"]
            for hit in searcher.search(whoosh_query.plain_query(text), limit=None)
        }
    assert search_ids(reader, text, "all") == plain


def test_a_lone_star_is_plain_words(found: Callable[[str], set[str]]) -> None:
    # Not a wildcard matching every record: no words, nothing found (the CLI refuses it first).
    assert found("*") == set()


SYNTAX = '" : - * ( ) [ ] { } ^ ~ AND OR NOT TO tag: path: commit: type: blue foo \\ / + ? = @ !'


@settings(max_examples=150, deadline=None)
@example('"" "= ,0" ')  # once: "Phrase search: 'tags' field has no positions"
@given(
    st.lists(
        st.one_of(
            st.sampled_from(SYNTAX.split()),
            st.text(max_size=4),
        ),
        max_size=8,
    ).map(lambda parts: "".join(p + " " * (i % 2) for i, p in enumerate(parts)))
)
def test_parse_never_raises(reader: Reader, text: str) -> None:
    search_ids(reader, text)


def test_suggest(reader: Reader) -> None:
    assert reader.suggest("pipelne") == "pipeline"
    assert reader.suggest("blue pipelne -rollbak") == "blue pipeline -rollback"
    assert reader.suggest("blue pipeline") is None
    assert reader.suggest("type:decisoin") is None  # a field value, not a word


def test_narrowing_and_rows_order(reader: Reader) -> None:
    assert [r["id"] for r in reader.records(EVERYTHING, KEEP_ALL)] == [D4, D3, D2, D1]
    facts = Narrowing(["fact"], [], [], [])
    assert [r["id"] for r in reader.records(facts, KEEP_ALL)] == [D4, D2]
    tagged = Narrowing([], ["deploy", "ci"], [], ["backend"])
    assert [r["id"] for r in reader.records(tagged, KEEP_ALL)] == [D1]
    assert reader.count() == 4


def test_write_replaces_by_location(tmp_path: Path) -> None:
    built = tmp_path / "ix"
    row, body = ROWS[0]
    ENGINE.build(built, [Document(row, body, 0)], None)
    changed = {**row, "title": "Canary releases"}
    generation = ENGINE.update(built, [row["location"]], [Document(changed, body, 0)], None)
    assert ENGINE.is_current(built, generation)
    with ENGINE.open(built, set()) as reader:
        assert reader.count() == 1
        hits = reader.search("canary", EVERYTHING, KEEP_ALL, limit=1000)
        assert [hit.row["title"] for hit in hits] == ["Canary releases"]
        assert len(reader.search("deployment", EVERYTHING, KEEP_ALL, limit=1000)) == 0


# ------------------------------------------------------------------ snippets: may_yield

# Snowball's exceptional forms and its suffix rewrites at the shortest lengths they apply.
TRICKY = "dying lying tying skies skis sky cries ties died ugly early only singly gently idly news"


def _words_of_the_related_table() -> list[str]:
    return sorted({w for group in related.table_groups() for m in group for w in m.split()})


# Snowball English's suffixes and rewrites, its exceptional forms, and bits of words: words made
# of them reach every rewrite, chained (`rationalizing`: ing, then alize, then al).
_SUFFIX_TEXT = (
    "ational tional enci anci abli entli izer ization ation ator alism aliti alli fulness ousli "
    "ousness iveness iviti biliti bli ogi fulli lessli li alize icate iciti ical ful ness ative "
    "al ance ence er ic able ible ant ement ment ent ism ate iti ous ive ize ion e l ll s ss "
    "sses ied ies us eed eedly ed edly ing ingly y at bl iz gener commun arsen dy ly ty sky ski "
    "die news atlas cosmos bias andes a e i o u b c d g h k m n p r t v w x z yy ye ya"
)
SUFFIXES = _SUFFIX_TEXT.split()


def _keeps_its_start(word: str) -> None:
    for term in token_terms(word):
        start = term[: max(1, len(term) - index.NEW_AT_END)]
        assert word.lower().startswith(start), (word, term)
        assert may_yield(word, (start,)) and may_yield(word, index.yield_prefixes([term]))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=5),
    st.lists(st.sampled_from(SUFFIXES), min_size=1, max_size=3),
    st.booleans(),
)
@example("", ["dying"], False)
@example("", ["biliti"], True)
def test_a_words_terms_keep_all_but_their_last_two_letters(
    start: str, suffixes: list[str], capital: bool
) -> None:
    """What lets a snippet skip stemming a word no matched term can be (`may_yield`): a
    plain word's stem is the word's start and at most two letters it does not have."""
    word = start + "".join(suffixes)
    _keeps_its_start(word.capitalize() if capital else word)


def test_a_words_terms_keep_their_start_over_many_words() -> None:
    rng = random.Random(14)
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(20_000):
        start = "".join(rng.choice(letters) for _ in range(rng.randrange(6)))
        _keeps_its_start(start + "".join(rng.sample(SUFFIXES, rng.randrange(1, 4))))
    all_but = set(letters) - {"d"}
    assert not may_yield("dying", tuple(all_but)) and may_yield("dying", ("d",))
    assert not may_yield("deploying", ("deployx",)) and may_yield("Deploying", ("deplo",))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=120))
@example("a")
@example("the")
@example("x" * (MAX_TERM + 1))
def test_a_plain_words_terms_are_what_the_general_way_gives(word: str) -> None:
    """`token_terms` takes a plain lower-case word's term without splitting it: the same
    terms as splitting it gives, stemmed or not, whole or not."""
    for token in [word, *TRICKY.split(), *_words_of_the_related_table()]:
        for morph, whole in [(True, True), (True, False), (False, True), (False, False)]:
            expected = index._general_terms(token, morph, whole)
            assert token_terms(token, morph=morph, whole=whole) == expected, (token, morph)


def test_may_yield_on_real_words() -> None:
    for word in TRICKY.split() + _words_of_the_related_table() + WORDS:
        token = word.lower()
        for term in token_terms(token):
            assert may_yield(token, index.yield_prefixes([term])), (word, term)
            assert may_yield(word.capitalize(), index.yield_prefixes([term])), (word, term)
    # Not a plain word: always "may" (identifiers, capitals, digits, accents).
    for token in ["read_csv", "ReadCSV", "DEPLOY", "x1", "café", "os.path", "A"]:
        assert may_yield(token, ())


# ------------------------------------------------------------ the related-terms table kept


def test_the_related_terms_table_is_kept_beside_the_index(tmp_path: Path) -> None:
    built = tmp_path / "ix-1"
    documents = [Document(row, body, 1_767_261_600) for row, body in ROWS]
    ENGINE.build(built, documents, None)
    (tmp_path / "stems").write_bytes(b"a stem cache an earlier version kept")
    with ENGINE.open(built, set()) as opened:
        hits = opened.search("deploying friday", EVERYTHING, KEEP_ALL, limit=10)
    assert not (tmp_path / "stems").exists()
    kept = tmp_path / whoosh_engine.RELATED
    version, checksum, payload = marshal.loads(kept.read_bytes())
    assert version == ENGINE.version and checksum == zlib.crc32(payload)
    # The table as this analysis builds it from this text (learnt back: the same table).
    signature, members = marshal.loads(payload)
    assert signature == related.signature()
    assert members == related.Table.of(related.table_groups(), index.token_terms).members
    assert members[(("delet",),)][:2] == [("remove", (("remov",),)), ("drop", (("drop",),))]
    assert whoosh_engine._load_table(kept, ENGINE.version)
    assert not whoosh_engine._load_table(kept, ENGINE.version + 1)  # another analysis
    tampered = payload.replace(b"remov", b"remox")
    for damaged in (
        b"",
        b"\x00garbage",
        marshal.dumps((ENGINE.version, {"a": 1})),
        marshal.dumps((ENGINE.version, checksum, tampered)),
        marshal.dumps((ENGINE.version, zlib.crc32(b"x"), b"x")),
        marshal.dumps((ENGINE.version, zlib.crc32(b"N"), b"N")),  # (marshal's None)
    ):
        kept.write_bytes(damaged)
        assert not whoosh_engine._load_table(kept, ENGINE.version)
        with ENGINE.open(built, set()) as opened:  # answers all the same, and keeps anew
            again = opened.search("deploying friday", EVERYTHING, KEEP_ALL, limit=10)
        assert [(h.row["id"], h.snippet) for h in again] == [(h.row["id"], h.snippet) for h in hits]
        assert whoosh_engine._load_table(kept, ENGINE.version)


def test_a_table_kept_for_another_text_is_not_learnt(tmp_path: Path) -> None:
    members = related.Table.of((("remove", "delete"),), index.token_terms).members
    assert not related.learn(
        index.token_terms, (related.FORMAT + 1, related.signature()[1]), members
    )
    assert not related.learn(index.token_terms, related.signature(), [members])
    assert related.table(index.token_terms).members != members


def test_the_stem_caches_stay_bounded_in_a_long_lived_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A service or server meets new words without end: each cache is emptied at `CACHED`
    entries, and a word met again after that still gets its own terms."""
    monkeypatch.setattr(index, "CACHED", 50)
    monkeypatch.setattr(index, "_stems", {})
    monkeypatch.setattr(index, "_cache", {})
    words = [f"running{n:03d}x" for n in range(200)] + [
        f"walk{chr(97 + n % 26)}ing" for n in range(60)
    ]
    first = {word: index.token_terms(word) for word in words}
    assert len(index._stems) <= 50 and len(index._cache) <= 50
    assert {word: index.token_terms(word) for word in words} == first
    assert index.token_terms("connections") == ("connect",)
