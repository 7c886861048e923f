"""Snippets mark exactly the words the straightforward way marks: every token of the body
whose terms meet the matched terms, found where TOKEN's scan finds it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gitmem.search import snippets
from gitmem.search.engine import MARK_END, MARK_START
from gitmem.search.index import TOKEN, token_terms

PIECES = [
    *"aAbZ019_-. .-\t",
    *["É", "é", "²", "٣", "ß", "İ", "ﬁ"],
    *["deploy", "Deploying", "deployed", "dying", "die", "ability", "able", "runs", "Run"],
    *["read_csv", "readCsv", "os.path.join", "kebab-case", "a..b", "x-.y", "v2.1"],
]
_texts = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)


def _marked_plainly(text: str, terms: set[str]) -> set[str]:
    return {word for word in set(TOKEN.findall(text)) if not terms.isdisjoint(token_terms(word))}


def _spans_plainly(text: str, marked: set[str]) -> list[tuple[int, int]]:
    return [m.span() for m in TOKEN.finditer(text) if m.group(0) in marked]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    """A process that resolved no word yet (and the one the test ran in, afterwards)."""
    words = snippets._WORDS[0]
    snippets._WORDS[0] = (set(), {})
    yield
    snippets._WORDS[0] = words


@settings(max_examples=300, deadline=None)
@given(
    text=_texts,
    chosen=st.sets(st.integers(0, 30), max_size=3),
    extra=st.sampled_from(["deploy", "die", "abl", "run", "read", "csv", "os", "a", "kebab"]),
)
@example(text="dying die", chosen={0}, extra="die")
@example(text="os.path.join os", chosen=set(), extra="os")
def test_marked_words_and_their_places_are_the_plain_ones(
    text: str, chosen: set[int], extra: str
) -> None:
    snippets._WORDS[0] = (set(), {})
    _same_as_plainly(text, chosen, extra)


def _same_as_plainly(text: str, chosen: set[int], extra: str) -> None:
    tokens = TOKEN.findall(text)
    terms = {t for n in chosen if n < len(tokens) for t in token_terms(tokens[n])} | {extra}
    for _again in range(2):  # (the second time: the words met are known)
        marked = snippets.holding(set(tokens), terms)
        assert marked == _marked_plainly(text, terms)
        assert snippets.token_spans(text, marked) == _spans_plainly(text, marked)


def test_a_snippet_marks_every_form_of_a_matched_word() -> None:
    body = "Deploying on Friday broke the deploy.\n\nWe redeploy, and deployment-notes say why."
    got = snippets.snippet(body, {"deploy"})
    assert got == (
        f"{MARK_START}Deploying{MARK_END} on Friday broke the {MARK_START}deploy{MARK_END}. "
        f"We redeploy, and {MARK_START}deployment-notes{MARK_END} say why."
    )  # (an identifier is marked whole where a part of it matched; `redeploy` is its own stem)
