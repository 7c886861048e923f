"""Answering from the Whoosh index: records by filter, ranked hits with snippets, spelling
suggestions. Rows are stored as JSON (`changes.encode_row`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping

from gitmem.search import whoosh_prune, whoosh_topk
from gitmem.search.engine import WORD, Doc, Hit, Narrowing, Rerank, Row
from gitmem.search.index import TEXT_FIELDS, token_terms
from gitmem.search.question import QUESTION_WORDS, is_number
from gitmem.search.snippets import snippet
from gitmem.search.whoosh_columns import text_column, whole_column
from gitmem.search.whoosh_load import Searcher, load_sorting, query
from gitmem.search.whoosh_query import narrowing_query
from gitmem.search.whoosh_words import (
    Key,
    Plan,
    coordinated,
    matched_words,
    max_edits,
    transpositions,
)

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


def rows(searcher: Searcher, narrow: Narrowing, keep: Callable[[Row], bool]) -> Iterator[Row]:
    """Every record `narrow` and `keep` accept, newest first (ties: id, descending)."""
    narrowed = narrowing_query(narrow)
    reader = searcher.reader()
    if not reader.doc_count():
        return  # (an empty index has no columns to read)
    if narrowed is None:
        docnums: Iterable[int] = reader.all_doc_ids()
    else:
        docnums = searcher.docs_for_query(narrowed)
    # The sort keys of every document in one read of each column (sorting through Whoosh reads
    # them one document at a time: a second per 10k documents).
    created = whole_column(reader.column_reader("created", translate=False))  # sorts as numbers
    ids = list(reader.column_reader("id"))
    for docnum in sorted(docnums, key=lambda d: (created[d], ids[d]), reverse=True):
        row = json.loads(searcher.stored_fields(docnum)["row"])
        if keep(row):
            yield row


RERANKED = 200  # hits scored by Whoosh that coordination may reorder (at least)


def search(
    searcher: Searcher,
    planned: Plan,
    narrow: Narrowing,
    keep: Callable[[Row], bool],
    *,
    limit: int,
    newest: bool = False,
    retired: Callable[[Row], bool] = lambda row: False,
    snippets: bool = True,
    rerank: tuple[str, Rerank] | None = None,
) -> list[Hit]:
    """The best `limit` records for `planned` that `keep` accepts; `retired` ones rank last.

    By relevance, Whoosh's BM25F scores of the best RERANKED hits are scaled by the share of
    the plain words each matched (`whoosh_words.coordinated`), then ordered again; with
    `rerank` (the question and a re-ranker: the semantic extra), the best of those are scored
    again from their texts and ordered again.
    """
    narrowed = narrowing_query(narrow)
    q = planned.query
    combined = query.And([q, narrowed]) if narrowed is not None else q
    order = load_sorting().FieldFacet("created", reverse=True) if newest else None
    coordinate = len(planned.weights) > 1 and not newest
    wanted = max(limit * 2 + 20, RERANKED if coordinate else 0)
    collected = None
    if order is None:  # (by date, or a query `whoosh_topk` does not read: Whoosh's collector)
        collected = whoosh_prune.collect(searcher, combined, wanted)
        if collected is None:
            collected = whoosh_topk.collect(searcher, combined)
    every = rerank is not None and bool(planned.weights) and not newest  # (re-ranked: all)
    while True:
        if collected is not None and collected.depth is not None and wanted > collected.depth:
            # (pruned again for the deeper N: exact for it as for the first)
            collected = whoosh_prune.collect(searcher, combined, wanted)
            if collected is None:
                collected = whoosh_topk.collect(searcher, combined)
        results = _search(searcher, combined, wanted, order, planned, collected)
        kept, enough = _kept(results, planned, coordinate, keep, retired, limit, every)
        if enough or len(results.top_n) < wanted:
            break
        wanted *= 4  # `keep` refused many: look further down the ranking
    bodies = None  # the "text" column: opening it reads the column's offsets, once a search
    if rerank is not None and every and len(kept) > 1:
        bodies = text_column(searcher)
        kept = _reranked(bodies, kept, *rerank)
    kept.sort(key=lambda item: retired(item[0]))  # stable: retired below, order kept
    kept = kept[:limit]
    if not snippets or not kept:
        return [Hit(row, score, "", doc, matched) for row, score, doc, matched in kept]
    if bodies is None:
        bodies = text_column(searcher)
    terms = {term.decode() for field, term in results.matched_terms() if field in TEXT_FIELDS}
    return [
        Hit(
            row,
            score,
            snippet((bodies[doc] or b"").decode("utf-8", "replace"), terms),
            doc,
            matched,
        )
        for row, score, doc, matched in kept
    ]


_NO_HIGHLIGHTER = object()  # what a `Results` gitmem makes has instead of a Highlighter

Kept = tuple[Row, float, Doc, tuple[str, ...]]  # a hit's row, score, document, words matched


def _kept(
    results: Any,
    planned: Plan,
    coordinate: bool,
    keep: Callable[[Row], bool],
    retired: Callable[[Row], bool],
    limit: int,
    every: bool,
) -> tuple[list[Kept], bool]:
    """The hits `keep` accepts, best first (by coordinated score when `coordinate`, stable:
    Whoosh's order among equal scores), and whether there are at least `limit`.

    Unless `every`, the rows (JSON of the stored fields, read one by one) are read in that
    order only until `limit` not retired are kept, the retired ones met placed after them:
    the first `limit` of what a stable sort by `retired` of them all gives, without reading
    the ~200 rows coordination ranks."""
    # (`scored` of each hit, read from the results' lists without a Whoosh `Hit` each; the
    # words of each distinct set of matched terms worked out once.)
    docterms = results.docterms
    words_of: dict[tuple[Key, ...], tuple[str, ...]] = {}
    ranked: list[tuple[int, float, tuple[str, ...]]] = []
    for raw, docnum in results.top_n:
        terms = tuple(docterms.get(docnum, ()))
        matched = words_of.get(terms)
        if matched is None:
            matched = words_of[terms] = tuple(matched_words(planned, terms))
        score = float(raw or 0.0)
        if coordinate:
            score = coordinated(score, matched, planned.weights)
        ranked.append((docnum, score, matched))
    if coordinate:
        ranked.sort(key=lambda item: -item[1])
    stored = results.searcher.stored_fields
    current: list[Kept] = []
    old: list[Kept] = []
    for docnum, score, matched in ranked:
        row = json.loads(stored(docnum)["row"])
        if not keep(row):
            continue
        item = (row, score, Doc(docnum), matched)
        if every or not retired(row):
            current.append(item)
            if not every and len(current) >= limit:
                break
        else:
            old.append(item)
    return current + old, len(current) + len(old) >= limit


def _reranked(
    bodies: Any,
    kept: list[tuple[Row, float, Doc, tuple[str, ...]]],
    question: str,
    rerank: Rerank,
) -> list[tuple[Row, float, Doc, tuple[str, ...]]]:
    """The best `rerank.depth` of `kept` ordered by `rerank`'s scores (of their titles and
    `bodies`, the "text" column), the rest after them as they were."""
    head, tail = kept[: rerank.depth], kept[rerank.depth :]
    texts = [
        f"{row.get('title') or ''}\n{(bodies[doc] or b'').decode('utf-8', 'replace')}"
        for row, _score, doc, _matched in head
    ]
    scores = rerank(question, [score for _row, score, _doc, _matched in head], texts)
    rescored = [
        (row, new, doc, matched)
        for (row, _old, doc, matched), new in zip(head, scores, strict=True)
    ]
    rescored.sort(key=lambda item: -item[1])  # (stable: the lexical order among equals)
    if not tail:
        return rescored
    # The rest keep their order, their scores scaled to stay below the re-ranked ones.
    scale = min(1.0, rescored[-1][1] / tail[0][1]) if tail[0][1] > 0 else 1.0
    return rescored + [(row, score * scale, doc, matched) for row, score, doc, matched in tail]


def _search(
    searcher: Searcher,
    q: query.Query,
    limit: int,
    order: Any,
    planned: Plan,
    collected: whoosh_topk.Collected | None = None,
) -> Any:
    """`searcher.search(q, limit=limit, sortedby=order, terms=True)`, the same results, the
    terms each hit matched read only for the hits returned (`_matched_terms`), not recorded
    for every document collected (~10% of a query's time, more the more documents match).
    By relevance, from `collected` (`whoosh_topk`: the same hits, scores and terms seen)."""
    if collected is not None:
        from whoosh.searching import Results

        # (No highlighter: snippets are `snippet`'s; Whoosh's would load `whoosh.highlight`.)
        results = Results(searcher, q, collected.top(limit), highlighter=_NO_HIGHLIGHTER)
        results.termdocs = dict.fromkeys(collected.seen, ())
    else:
        collector = _seen_terms_collector(searcher.collector(limit=limit, sortedby=order))
        searcher.search_with_collector(q, collector)
        results = collector.results()
    keys = sorted(planned.word_of)
    known = collected.postings if collected is not None else None
    results.docterms = _matched_terms(searcher, [hit.docnum for hit in results], keys, known)
    return results


def _seen_terms_collector(child: Any) -> Any:
    from whoosh.collectors import TermsCollector

    class SeenTermsCollector(TermsCollector):  # type: ignore[misc]
        """TermsCollector's matcher context (`needs_current`: the same matchers, the same
        scores) and its set of terms matched anywhere (what snippets mark), without the terms
        of each document: a term seen once is not looked at again."""

        def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
            super().prepare(top_searcher, q, context)
            self.seen: set[Key] = set()

        def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
            super().set_subsearcher(subsearcher, offset)
            self.unseen = [tm for tm in self.termmatchers if tm.term() not in self.seen]

        def collect(self, sub_docnum: int) -> None:
            self.child.collect(sub_docnum)
            if self.unseen:
                still = []
                for tm in self.unseen:
                    if tm.is_active() and tm.id() == sub_docnum:
                        self.seen.add(tm.term())
                    else:
                        still.append(tm)
                self.unseen = [tm for tm in still if tm.term() not in self.seen]

        def results(self) -> Any:
            found = self.child.results()
            found.termdocs = dict.fromkeys(self.seen, ())
            found.docterms = {}
            return found

    return SeenTermsCollector(child)


def _matched_terms(
    searcher: Searcher,
    docnums: list[int],
    keys: list[Key],
    known: list[Mapping[Key, Container[int]]] | None = None,
) -> dict[int, list[Key]]:
    """Which of `keys` (field, term) each of `docnums` holds: its postings, skipped to each
    (or, for a term `known` already holds whole for that segment, looked up there)."""
    out: dict[int, list[Key]] = {docnum: [] for docnum in docnums}
    if not docnums or not keys:
        return out
    for number, (leaf, offset) in enumerate(searcher.leaf_searchers()):
        reader = leaf.reader()
        end = offset + reader.doc_count_all()
        local = sorted(d - offset for d in docnums if offset <= d < end)
        if not local:
            continue
        read = known[number] if known is not None else {}
        for key in keys:
            docs = read.get(key)
            if docs is not None:  # (a hit is never a deleted document)
                for docnum in local:
                    if docnum in docs:
                        out[docnum + offset].append(key)
                continue
            if key not in reader:
                continue
            matcher = reader.postings(*key)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    out[docnum + offset].append(key)
    return out


def scored(hit: Any, planned: Plan, coordinate: bool) -> tuple[float, tuple[str, ...]]:
    """A hit's score (scaled by the coordination factor when `coordinate`) and the plain
    words it matched."""
    matched = tuple(matched_words(planned, hit.matched_terms() or ()))
    score = float(hit.score or 0.0)
    return (coordinated(score, matched, planned.weights) if coordinate else score), matched


def suggest(searcher: Searcher, text: str) -> str | None:
    """`text` with unknown words replaced by the closest known ones, if that changes it.

    Only words no memory has are corrected (the rarest there are), never question words or
    numbers (`do` is not a misspelling of `12`), and only as far as a near miss may be
    (`whoosh_words.max_edits`: `hire` is not `third`); the caller checks that the correction
    finds something.
    """
    reader = searcher.reader()
    # Titles (their unstemmed words) first, then tags. (Whoosh's MultiCorrector is broken.)
    correctors = [reader.corrector("title"), reader.corrector("tags")]
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(0)
        before, after = text[: match.start()], text[match.end() :]
        if word in ("AND", "OR", "NOT") or after.startswith(":") or before.endswith(":"):
            return word  # syntax, not a word to correct
        lowered = word.lower()
        terms = token_terms(word)
        if not terms or lowered in QUESTION_WORDS or is_number(word):
            return word
        if any(reader.doc_frequency(field, term) for term in terms for field in TEXT_FIELDS):
            return word
        edits = max_edits(lowered)
        for field, corrector in zip(("spell_title", "tags"), correctors, strict=True):
            if not edits:
                break
            found = [
                *map(str, corrector.suggest(lowered, limit=5, maxdist=edits)),
                *(t for t in transpositions(lowered) if (field, t) in reader),
            ]
            found = [s for s in found if not is_number(s)]
            if found:
                changed = True
                return found[0]
        return word

    corrected = WORD.sub(fix, text)
    return corrected if changed else None
