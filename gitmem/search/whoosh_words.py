"""Plain words as a ranked Whoosh query: each word reaches its exact terms, words it is a prefix
of, (when it matches nothing) its near misses in the index's own vocabulary, and its related
terms (`related`: `coroutine` -> async); the memories matching more of the words rank first
(`coordinated`).

Measured on `bench/retrieval.py` (a paraphrased question set over a real project's history):
see the README's Search section for what each rule bought.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from gitmem import NamedTuple
from gitmem.search import related
from gitmem.search.index import TOKEN, _parts, token_terms
from gitmem.search.question import QUESTION_WORDS, is_number
from gitmem.search.whoosh_load import IndexReader, matching, query

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


WORD_FIELDS = ("title", "summary", "body")  # stemmed; `tags` holds whole lowercased words
EXPANDED_FIELDS = (*WORD_FIELDS, "tags")  # where a word's prefixes and near misses are looked up
PREFIX_MIN = 4  # `k8s`, `api`, `ci`: too short to stand for the words they begin
PREFIX_MAX_TERMS = 6  # the most frequent of the words a prefix reaches
# Only a rare word reaches longer words (held by at most PREFIX_RARE of the memories, or by
# PREFIX_FEW): `postgres` where the memories say PostgreSQL. A common word (`view`, `test`) has
# its answers already, and its expansions cost a third of the query's CPU time for no better
# answers (bench/retrieval.py).
PREFIX_RARE = 0.01
PREFIX_FEW = 10
FUZZY_MAX_TERMS = 6
EXPANSION_BOOST = 0.5  # a prefix or a near miss counts half: an exact match outranks it
# A related term (`related-terms.txt`) counts less than the word (0 turns them off): `remove`
# where the question says `take out`.
RELATED_BOOST = 0.5
# An identifier in a question (`run_sync`, `flask.ext`) is a word per part, each reaching the
# whole: a memory naming the identifier matches all of them, one saying `run` or `flask` one.
SPLIT_IDENTIFIERS = True
COORDINATION = 2.0  # score x (matched words / words) ** COORDINATION (see `coordinated`)
OR_SCALE: float | None = None  # Whoosh's own coordination (`OrGroup.factory`): measured, unused

Key = tuple[str, bytes]  # (field, term) as Whoosh reports a hit's matched terms


class Plan(NamedTuple):
    query: query.Query
    word_of: dict[Key, set[str]]  # each term of the plain words: the words it stands for
    weights: dict[str, float]  # each plain word's weight in coordination (its rarity)


def max_edits(word: str) -> int:
    """Edits a near miss of `word` may be away: none for short words (too many neighbours)."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


Found = dict[str, dict[str, int]]  # term -> {field: documents holding it}


def _postings(
    reader: IndexReader, terms: Iterable[str], fields: tuple[str, ...] = WORD_FIELDS
) -> Found:
    """Which of `terms` each of `fields` holds, and in how many documents."""
    found: Found = {}
    for term in terms:
        for field in fields:
            count = int(reader.doc_frequency(field, term))
            if count:
                found.setdefault(term, {})[field] = count
    return found


def _most_frequent(found: Found, limit: int) -> Found:
    ranked = sorted(found, key=lambda term: (-sum(found[term].values()), term))
    return {term: found[term] for term in ranked[:limit]}


def prefix_terms(reader: IndexReader, word: str, exact: Iterable[str]) -> Found:
    """The indexed terms `word` begins (`postgres` -> postgresql), the most frequent."""
    lowered = word.lower()
    if len(lowered) < PREFIX_MIN or not lowered.isalpha():
        return {}
    found: Found = {}
    skip = {*exact, lowered}
    for field in EXPANDED_FIELDS:
        for term, info in reader.iter_prefix(field, lowered):
            text = term if isinstance(term, str) else term.decode("utf-8", "replace")
            if text not in skip:
                found.setdefault(text, {})[field] = int(info.doc_frequency())
    return _most_frequent(found, PREFIX_MAX_TERMS)


def transpositions(word: str) -> list[str]:
    """`word` with two neighbouring letters swapped, each way: the commonest typo, and two
    edits to Whoosh's automata (which do not count a swap as one)."""
    return [
        word[:n] + word[n + 1] + word[n] + word[n + 2 :]
        for n in range(len(word) - 1)
        if word[n] != word[n + 1]
    ]


def near_terms(reader: IndexReader, word: str, exact: Iterable[str]) -> Found:
    """Indexed terms within `max_edits` of `word` (or of its stem), not numbers, the most
    frequent: for a word that matches nothing (`postgrseql`)."""
    lowered = word.lower()
    edits = max_edits(lowered)
    if not edits or is_number(lowered):
        return {}
    near: set[str] = set()
    for form in {lowered, *exact}:
        for field in EXPANDED_FIELDS:
            # (The first letter in common: a misspelling rarely starts wrong, and it spares
            # walking the whole vocabulary.)
            near.update(reader.terms_within(field, form, edits, prefix=1))
            near.update(t for t in transpositions(form) if (field, t) in reader)
    near = {term for term in near - set(exact) if not is_number(term)}
    return _most_frequent(_postings(reader, near, EXPANDED_FIELDS), FUZZY_MAX_TERMS)


class _BestMatcher(matching.DisjunctionMaxMatcher):  # type: ignore[misc]
    """The best score of the sub-matchers on the current document.

    Whoosh 2.7.4's DisjunctionMaxMatcher takes the best score of its two sub-matchers wherever
    each stands: on a document only one of them matches, the other (already on a later
    document) lends that document's score. An expansion-only memory then scored like the
    word's best exact one, and exact matches did not outrank expansions.
    """

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return float(b.score())
        if not b.is_active():
            return float(a.score())
        here_a, here_b = a.id(), b.id()
        if here_a != here_b:
            return float(a.score() if here_a < here_b else b.score())
        return max(float(a.score()), float(b.score()))


class BestOf(query.DisjunctionMax):  # type: ignore[misc]
    """DisjunctionMax scored by `_BestMatcher`: a document's best way of matching a word."""

    def _matcher(self, subs: list[query.Query], searcher: Any, context: Any) -> Any:
        reader = searcher.reader()
        return self._tree_matcher(
            subs,
            _BestMatcher,
            searcher,
            context,
            lambda q: q.estimate_size(reader),
            tiebreak=self.tiebreak,
        )


def _queries(found: Found, boost: float = 1.0) -> list[query.Query]:
    return [
        query.Term(field, term, boost=boost)
        for term, fields in found.items()
        for field in fields  # (only where it is: an absent term still costs a lookup)
    ]


def _terms_here(reader: IndexReader, terms: list[str], fields: tuple[str, ...]) -> list[str]:
    """The `fields` in which every one of `terms` is indexed."""
    return [f for f in fields if all(reader.doc_frequency(f, t) for t in terms)]


def phrase_queries(
    reader: IndexReader, terms: list[str], boost: float, found: Found
) -> list[query.Query]:
    """`terms` in a row (one term: that term) in each word field holding them all; `found`
    gets each term's document counts (an upper bound of the phrase's)."""
    here = _terms_here(reader, terms, WORD_FIELDS)
    for term in terms:
        for field in here:
            found.setdefault(term, {})[field] = int(reader.doc_frequency(field, term))
    if len(terms) == 1:
        return [query.Term(field, terms[0], boost=boost) for field in here]
    return [query.Phrase(field, terms, boost=boost) for field in here]


def related_queries(
    reader: IndexReader, unit: related.Unit, skip: set[str], found: Found
) -> list[query.Query]:
    """The related members of `unit` (those of its groups the index holds), at RELATED_BOOST.
    A member with a stop word (`log in`) is not looked for: the index does not hold the stop
    word, and `log` alone is not `login`."""
    if not RELATED_BOOST:
        return []
    out: list[query.Query] = []
    for member in unit.related:
        if not all(member.key):
            continue
        terms = [word[0] for word in member.key]  # (an identifier: its whole)
        if len(terms) == 1 and terms[0] in skip:
            continue
        out += phrase_queries(reader, terms, RELATED_BOOST, found)
        if len(terms) == 1 and reader.doc_frequency("tags", member.text):
            found.setdefault(member.text, {})["tags"] = int(
                reader.doc_frequency("tags", member.text)
            )
            out.append(query.Term("tags", member.text, boost=RELATED_BOOST))
    return out


def word_query(
    reader: IndexReader,
    unit: related.Unit,
    word_of: dict[Key, set[str]],
    weights: dict[str, float],
) -> query.Query | None:
    """One word (or a few read together): its exact terms (an identifier's whole and parts),
    else the best of its prefix expansions and near misses, counted at EXPANSION_BOOST, and its
    related terms at RELATED_BOOST. None for a word that is no term (`a`, `-`), NullQuery when
    no memory has it."""
    word = unit.text
    expanded: Found = {}
    near: Found = {}
    if len(unit.key) == 1:
        exact_terms = list(dict.fromkeys(unit.key[0]))
        if not exact_terms:
            return None
        exact = _postings(reader, exact_terms)
        tag = word.lower()
        if reader.doc_frequency("tags", tag):
            exact.setdefault(tag, {})["tags"] = int(reader.doc_frequency("tags", tag))
        exact_queries = _queries(exact)
        holding = max((max(fields.values()) for fields in exact.values()), default=0)
        if holding <= max(PREFIX_FEW, PREFIX_RARE * int(reader.doc_count())):
            expanded = prefix_terms(reader, word, exact_terms)
        if not expanded and not exact:
            near = near_terms(reader, word, exact_terms)
    else:  # several words read together: in a row
        exact_terms = [term for terms in unit.key for term in terms[:1]]
        if not exact_terms:
            return None
        exact = {}
        exact_queries = phrase_queries(reader, exact_terms, 1.0, exact)
    expanded.update(near)
    kin: Found = {}
    kin_queries = related_queries(reader, unit, {*exact_terms, *expanded}, kin)
    choices = [
        query.Or(q) for q in (exact_queries, _queries(expanded, EXPANSION_BOOST), kin_queries) if q
    ]
    if not choices:
        return query.NullQuery
    for found in (exact, expanded, kin):
        for term, fields in found.items():
            for field in fields:
                word_of.setdefault((field, term.encode()), set()).add(word)
    # How many memories hold the word (its most frequent form where it is): a rare word
    # (`tornado`) says more about what is asked than a common one (`docs`).
    holding = max(max(fields.values()) for fields in (exact or expanded or kin).values())
    weights[word] = idf(int(reader.doc_count()), holding)
    # The best way the word matches, not their sum: `mongo` finding mongodb and mongoose in a
    # memory is still one word of the question.
    return choices[0] if len(choices) == 1 else BestOf(choices)


def identifier_parts(unit: related.Unit) -> list[related.Unit]:
    """`unit` as its parts if it is one identifier (`run_sync`: run, sync), each part's terms
    with the whole's; else `unit`."""
    if len(unit.key) != 1 or len(unit.key[0]) < 2:
        return [unit]
    whole = unit.key[0][0]
    if whole != unit.text.lower():
        return [unit]  # not an identifier kept whole: a word of several terms
    table = related.table(token_terms)
    out = []
    for part in _parts(unit.text):
        terms = token_terms(part)
        if terms:
            key = (tuple(dict.fromkeys((*terms, whole))),)
            out.append(related.Unit(part, key, table.related((terms,))))
    return out or [unit]


def units(tokens: list[str]) -> list[related.Unit]:
    """A question's tokens as the words to look for: runs the related-terms table has together
    ("take out") read as one; function and question words (`question.QUESTION_WORDS`) left
    out unless every word is one (a search for "how" is for "how")."""
    if RELATED_BOOST:
        read = related.table(token_terms).units(tokens, token_terms)
    else:
        read = [related.Unit(t, (token_terms(t),), ()) for t in tokens]
    if SPLIT_IDENTIFIERS:
        read = [part for unit in read for part in identifier_parts(unit)]
    kept = [u for u in read if len(u.key) > 1 or u.text.lower() not in QUESTION_WORDS]
    return kept or read


def words_query(reader: IndexReader, items: list[str], *, require_all: bool = False) -> Plan | None:
    """Plain words (`question.read`'s), any of which may match (or each, `require_all`);
    None when there is no word to search for (only punctuation, one-letter words)."""
    tokens = [token for item in items for token in TOKEN.findall(item)]
    word_of: dict[Key, set[str]] = {}
    weights: dict[str, float] = {}
    clauses: list[query.Query] = []
    seen: set[related.Key] = set()
    for unit in units(tokens):
        if not any(unit.key):
            continue
        if unit.key in seen:
            continue  # `deploy deploying`: one word twice
        seen.add(unit.key)
        clause = word_query(reader, unit, word_of, weights)
        if clause is query.NullQuery and require_all:
            return Plan(query.NullQuery, {}, {})  # a word no memory has
        if clause is not None and clause is not query.NullQuery:
            clauses.append(clause)
    if not seen:
        return None
    if not clauses:
        return Plan(query.NullQuery, {}, {})  # words, none of which any memory has
    if len(clauses) == 1:
        return Plan(clauses[0], word_of, weights)
    if require_all:
        return Plan(query.And(clauses), word_of, weights)
    return Plan(query.Or(clauses, scale=OR_SCALE), word_of, weights)


def matched_words(plan: Plan, matched: Iterable[Key]) -> list[str]:
    """The plain words a hit matched (by its matched terms), sorted."""
    words: set[str] = set()
    for key in matched:
        words |= plan.word_of.get(key, set())
    return sorted(words)


def idf(documents: int, holding: int) -> float:
    """BM25's inverse document frequency."""
    return math.log(1 + (documents - holding + 0.5) / (holding + 0.5))


def coordinated(score: float, matched: Iterable[str], weights: dict[str, float]) -> float:
    """A hit's score scaled by the share of the question it matched, each word weighing its
    rarity (`idf`): a memory matching more of what is asked outranks one matching a single
    word many times, and the rare word of a question counts for more than a common one."""
    total = sum(weights.values())
    if len(weights) <= 1 or not total:
        return score
    share = sum(weights.get(word, 0.0) for word in matched) / total
    return score * math.pow(share, COORDINATION)
