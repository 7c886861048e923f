"""The related-terms table (gitmem/search/related-terms.txt) and how a question uses it: each
member of a group reaches every other member, both ways; a run of words the table has
together is read as one; a related term finds a memory, and counts less than the word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitmem.search import related
from gitmem.search.changes import Document
from gitmem.search.engine import EVERYTHING, Reader
from gitmem.search.index import token_terms
from gitmem.search.whoosh_engine import WhooshEngine


def test_the_table_reads() -> None:
    groups = related.table_groups()
    assert len(groups) > 100
    for group in groups:
        assert len(group) >= 2, group
        assert len(set(group)) == len(group), group  # no member twice
        assert all(member == member.lower().strip() for member in group), group
    assert ("async", "asynchronous", "await", "coroutine", "asyncio") in groups


def test_every_member_reaches_every_other_both_ways() -> None:
    table = related.table(token_terms)
    for group in related.table_groups():
        keys = {member: related.key_of(member, token_terms) for member in group}
        for member, key in keys.items():
            if not any(key):
                continue  # only stop words: never looked up
            reached = {other.key for other in table.related(key)}
            for other, other_key in keys.items():
                if other_key != key:
                    assert other_key in reached, (member, other)
    # Both directions, spelled out for one pair.
    take_out = related.key_of("take out", token_terms)
    removed = related.key_of("removed", token_terms)  # (stems agree: remove, removed)
    assert removed in {m.key for m in table.related(take_out)}
    assert take_out in {m.key for m in table.related(removed)}


def test_groups_text() -> None:
    text = "# comment\n\nRemove, delete ,  take   out  # trailing\nx,y\n"
    assert related.groups(text) == [["remove", "delete", "take out"], ["x", "y"]]


def test_a_run_of_words_in_the_table_is_one_unit() -> None:
    table = related.table(token_terms)
    units = table.units(["why", "take", "out", "the", "coroutines"], token_terms)
    assert [u.text for u in units] == ["why", "take out", "the", "coroutines"]
    assert "remove" in {m.text for m in units[1].related}
    assert "async" in {m.text for m in units[3].related}
    assert units[0].related == ()


MEMORIES = {
    "jsonp": ("Removed padded JSON again", "Browsers support cross-site requests now."),
    "async": ("Support async views", "A view may be an async def function."),
    "reload": ("Auto-reload templates in debug mode", "The loader watches the files."),
    "discard": ("Discard stale sessions", "A nightly job."),
    "purge": ("Purge stale sessions", "A nightly job."),
}


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    path: Path = tmp_path_factory.mktemp("ix") / "ix"
    documents = [
        Document(
            {
                "id": key,
                "type": "fact",
                "title": title,
                "created": "2026-01-01T00:00:00+00:00",
                "location": f".memory/x/{key}.md",
            },
            body,
            1_767_225_600 + n,
        )
        for n, (key, (title, body)) in enumerate(MEMORIES.items())
    ]
    engine = WhooshEngine()
    engine.build(path, documents, None)
    with engine.open(path, set()) as opened:
        yield opened


def ids(reader: Reader, text: str) -> list[str]:
    hits = reader.search(text, EVERYTHING, lambda row: True, limit=10)
    return [hit.row["id"] for hit in hits]


def test_a_related_term_finds_the_memory(reader: Reader) -> None:
    assert ids(reader, "why did we take out the padded json?")[0] == "jsonp"
    assert ids(reader, "can views be coroutines?") == ["async"]
    assert ids(reader, "templates do not refresh") == ["reload"]
    hit = reader.search("coroutines", EVERYTHING, lambda row: True, limit=1)[0]
    assert hit.matched == ("coroutines",)  # the question's word, matched through its kin


def test_the_word_itself_outranks_its_related_terms(reader: Reader) -> None:
    # (The same memory but for the word, and neither word elsewhere: the same rarity.)
    assert ids(reader, "discard stale sessions")[:2] == ["discard", "purge"]
    assert ids(reader, "purge stale sessions")[:2] == ["purge", "discard"]
    assert ids(reader, "delete stale sessions")[:2] in (["discard", "purge"], ["purge", "discard"])


def test_an_identifier_in_a_question_is_a_word_per_part(reader: Reader) -> None:
    # `auto-reload`: its parts are words; the memory naming it matches both.
    hit = reader.search("auto-reload", EVERYTHING, lambda row: True, limit=1)[0]
    assert (hit.row["id"], hit.matched) == ("reload", ("auto", "reload"))
