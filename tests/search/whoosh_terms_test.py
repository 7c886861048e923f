"""`whoosh_terms`: a segment's term lookups answered from the process's cache say what the
segment's own table says (present or not, frequencies, term infos, postings), however often
asked, and a term info Whoosh changes in place (`combine_terminfos`) is never the kept one."""

from __future__ import annotations

from pathlib import Path

from whoosh_topk_test import build, documents

from gitmem.search import whoosh_terms, whoosh_write
from gitmem.search.changes import encode_row
from gitmem.search.index import fields_of


def test_cached_lookups_answer_as_the_segments_do(tmp_path: Path) -> None:
    docs = documents(60)
    ix = build(tmp_path / "ix", docs[:40])
    writer = ix.writer()
    for doc in docs[40:]:
        row = {**doc.row, "title": f"{doc.row['title']} onlylater"}
        writer.add_document(**fields_of(doc._replace(row=row), encode_row(row)))
    writer.commit(merge=False)
    ix = whoosh_write.open_index(tmp_path / "ix")
    terms = [("body", b"pool"), ("body", b"zebra"), ("title", b"onlylat"), ("body", b"nosuch")]
    terms += [("tags", b"tag1"), ("title", b"onlylater")]
    with ix.searcher() as plain, ix.searcher() as cached:
        whoosh_terms.cache_terms(cached)
        assert len(cached.leaf_searchers()) == 2
        for _round in range(3):  # (the second and third from the cache)
            for field, text in terms:
                a, b = plain.reader(), cached.reader()
                assert ((field, text) in a) == ((field, text) in b)
                assert a.doc_frequency(field, text) == b.doc_frequency(field, text)
                assert a.frequency(field, text) == b.frequency(field, text)
                if (field, text) not in a:
                    continue
                # (one segment holds "onlylat": Whoosh shifts its ids by the offset in place)
                x, y = a.term_info(field, text), b.term_info(field, text)
                assert (x.min_id(), x.max_id(), x.doc_frequency(), x.max_weight()) == (
                    y.min_id(),
                    y.max_id(),
                    y.doc_frequency(),
                    y.max_weight(),
                )
                assert list(a.postings(field, text).all_ids()) == list(
                    b.postings(field, text).all_ids()
                )
        assert ("title", b"onlylat") in cached.reader()


def _stepped(m: object, skip: int | None = None) -> list[tuple[int, float, bytes]]:
    """Every posting as Whoosh's collectors step a matcher: id, weight, value."""
    out = []
    if skip is not None:
        m.skip_to(skip)  # type: ignore[attr-defined]
    while m.is_active():  # type: ignore[attr-defined]
        out.append((m.id(), m.weight(), m.value()))  # type: ignore[attr-defined]
        m.next()  # type: ignore[attr-defined]
    return out


def test_matchers_read_on_first_use_step_as_whoosh_reads_them(tmp_path: Path) -> None:
    # The cached terms' matchers read their postings' headers only when first used (and a
    # deleted-documents filter decodes only ids to step past them): the same postings,
    # weights, values and block qualities as Whoosh's own, deleted documents or not.
    from whoosh.codec.whoosh3 import W3LeafMatcher

    ix = build(tmp_path / "ix", documents(400))  # ("pool": every record, 4 blocks)
    with ix.searcher() as plain, ix.searcher() as cached:
        whoosh_terms.cache_terms(cached)
        leaf = cached.reader().leaf_readers()[0][0]
        m = leaf.postings("body", b"pool")
        assert type(m) is W3LeafMatcher and m.__dict__["_unread"]  # (nothing read yet)
        for field, text in [("body", b"pool"), ("body", b"zebra"), ("title", b"titl")]:
            a, b = plain.reader().postings(field, text), cached.reader().postings(field, text)
            assert _stepped(b) == _stepped(a) != []
            a, b = plain.postings(field, text), cached.postings(field, text)  # (scored)
            assert b.block_quality() == a.block_quality()
            assert b.supports_block_quality() and b.max_quality() == a.max_quality()
            a, b = plain.reader().postings(field, text), cached.reader().postings(field, text)
            assert _stepped(b, skip=300) == _stepped(a, skip=300)
    writer = ix.writer()
    for n in (0, 1, 2, 130, 131, 399):  # (the first postings of a term among them)
        writer.delete_document(n)
    writer.commit(merge=False)
    ix = whoosh_write.open_index(tmp_path / "ix")
    with ix.searcher() as plain, ix.searcher() as cached:
        whoosh_terms.cache_terms(cached)
        for field, text in [("body", b"pool"), ("body", b"zebra")]:
            a, b = plain.reader().postings(field, text), cached.reader().postings(field, text)
            assert type(b.child) is W3LeafMatcher
            assert _stepped(b) == _stepped(a) != []
            assert 0 not in [d for d, _w, _v in _stepped(cached.reader().postings(field, text))]
