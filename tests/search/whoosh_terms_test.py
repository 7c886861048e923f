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
