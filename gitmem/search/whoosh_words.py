"""Plain words as a ranked Whoosh query: each word reaches its exact terms, words it is a prefix
of, and (when it matches nothing) its near misses in the index's own vocabulary; the memories
matching more of the words rank first (`coordinated`).

Measured on `bench/retrieval.py` (a paraphrased question set over a real project's history):
see the README's Search section for what each rule bought.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from gitmem.search.index import TOKEN, token_terms
from gitmem.search.question import content_words, is_number
from gitmem.search.whoosh_load import IndexReader, query

WORD_FIELDS = ("title", "summary", "body")  # stemmed; `tags` holds whole lowercased words
PREFIX_MIN = 4  # `k8s`, `api`, `ci`: too short to stand for the words they begin
PREFIX_MAX_TERMS = 12  # the most frequent of the words a prefix reaches
FUZZY_MAX_TERMS = 6
EXPANSION_BOOST = 0.5  # a prefix or a near miss counts half: an exact match outranks it
COORDINATION = 1.0  # score x (matched words / words) ** COORDINATION (see `coordinated`)

Key = tuple[str, bytes]  # (field, term) as Whoosh reports a hit's matched terms


class Plan(NamedTuple):
    query: query.Query
    word_of: dict[Key, set[str]]  # each term of the plain words: the words it stands for
    words: int  # how many plain words count for coordination (0: no coordination)


def max_edits(word: str) -> int:
    """Edits a near miss of `word` may be away: none for short words (too many neighbours)."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def _frequency(reader: IndexReader, term: str) -> int:
    return sum(int(reader.doc_frequency(field, term)) for field in WORD_FIELDS)


def prefix_terms(reader: IndexReader, word: str, exact: Iterable[str]) -> list[str]:
    """The indexed terms `word` begins (`postgres` -> postgresql), most frequent first."""
    lowered = word.lower()
    if len(lowered) < PREFIX_MIN or not lowered.isalpha():
        return []
    found: set[str] = set()
    for field in WORD_FIELDS:
        for term in reader.expand_prefix(field, lowered):
            found.add(term.decode("utf-8", "replace"))
    found -= set(exact)
    ranked = sorted(found, key=lambda term: (-_frequency(reader, term), term))
    return ranked[:PREFIX_MAX_TERMS]


def near_terms(reader: IndexReader, word: str, exact: Iterable[str]) -> list[str]:
    """Indexed terms within `max_edits` of `word` (or of its stem), not numbers, most
    frequent first: for a word that matches nothing (`postgrseql`)."""
    lowered = word.lower()
    edits = max_edits(lowered)
    if not edits or is_number(lowered):
        return []
    found: set[str] = set()
    for form in {lowered, *exact}:
        for field in WORD_FIELDS:
            # (The first letter in common: a misspelling rarely starts wrong, and it spares
            # walking the whole vocabulary.)
            found.update(reader.terms_within(field, form, edits, prefix=1))
    found = {term for term in found - set(exact) if not is_number(term)}
    ranked = sorted(found, key=lambda term: (-_frequency(reader, term), term))
    return ranked[:FUZZY_MAX_TERMS]


def _any_field(terms: Iterable[str], tag: str | None, boost: float = 1.0) -> list[query.Query]:
    out: list[query.Query] = [
        query.Term(field, term, boost=boost) for term in terms for field in WORD_FIELDS
    ]
    if tag:
        out.append(query.Term("tags", tag, boost=boost))
    return out


def word_query(reader: IndexReader, word: str, word_of: dict[Key, set[str]]) -> query.Query | None:
    """One word: its exact terms (an identifier's whole and parts), else the best of its
    prefix expansions and near misses, counted at EXPANSION_BOOST."""
    exact = list(dict.fromkeys(token_terms(word)))
    if not exact:
        return None
    tag = word.lower()
    choices: list[query.Query] = [query.Or(_any_field(exact, tag))]
    keys: list[Key] = [(f, t.encode()) for t in exact for f in WORD_FIELDS] + [
        ("tags", tag.encode())
    ]
    expanded = prefix_terms(reader, word, exact)
    matched = any(_frequency(reader, term) for term in exact) or reader.doc_frequency("tags", tag)
    if not expanded and not matched:
        expanded = near_terms(reader, word, exact)
    if expanded:
        choices.append(query.Or(_any_field(expanded, None, EXPANSION_BOOST)))
        keys += [(f, t.encode()) for t in expanded for f in WORD_FIELDS]
    for key in keys:
        word_of.setdefault(key, set()).add(word)
    # The best way the word matches, not their sum: `mongo` finding mongodb and mongoose in a
    # memory is still one word of the question.
    return choices[0] if len(choices) == 1 else query.DisjunctionMax(choices)


def words_query(reader: IndexReader, items: list[str], *, require_all: bool = False) -> Plan:
    """Plain words (`question.read`'s), any of which may match (or each, `require_all`)."""
    tokens = [token for item in items for token in TOKEN.findall(item)]
    word_of: dict[Key, set[str]] = {}
    clauses: list[query.Query] = []
    seen: set[tuple[str, ...]] = set()
    for word in content_words(tokens):
        terms = token_terms(word)
        if terms in seen:
            continue  # `deploy deploying`: one word twice
        seen.add(terms)
        clause = word_query(reader, word, word_of)
        if clause is not None:
            clauses.append(clause)
    if not clauses:
        return Plan(query.NullQuery, {}, 0)
    if len(clauses) == 1:
        return Plan(clauses[0], word_of, 1)
    if require_all:
        return Plan(query.And(clauses), word_of, len(clauses))
    return Plan(query.Or(clauses), word_of, len(clauses))


def matched_words(plan: Plan, matched: Iterable[Key]) -> list[str]:
    """The plain words a hit matched (by its matched terms), sorted."""
    words: set[str] = set()
    for key in matched:
        words |= plan.word_of.get(key, set())
    return sorted(words)


def coordinated(score: float, matched: int, words: int) -> float:
    """A hit's score scaled by the share of the question's words it matched: a memory
    matching two words of three outranks one matching a single word many times."""
    if words <= 1:
        return score
    return score * math.pow(matched / words, COORDINATION)
