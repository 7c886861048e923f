"""Reading a query text as a Whoosh query: our syntax (the README's "Search" section) on top of
Whoosh's parser, plain words where the parser cannot make sense of it, and the filters Whoosh
applies exactly.
"""

from __future__ import annotations

from gitmem import LaterPattern
from gitmem.search import question, whoosh_words
from gitmem.search.engine import WORD, Narrowing
from gitmem.search.index import FIELD_ALIASES, TEXT_FIELDS, fast_terms
from gitmem.search.whoosh_load import IndexReader, fields, load_qparser, query
from gitmem.search.whoosh_words import Plan
from gitmem.store.record import RETIRED_STATUSES

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any

    from whoosh import qparser

# Patterns of our syntax only (a plain-words search never reads them): compiled on first
# use, not at import (~1 ms of every one-shot search).
_PATH_VALUE = LaterPattern(r"(?i)\b(paths?:)(?:\./)?(\S+?)/*(?=\s|\)|$)")
_COMMIT_VALUE = LaterPattern(r"(?i)\b(commits?:)([0-9a-f]{4,39})\b(?!\*)")
_MINUS_WORD = LaterPattern(r"(^|\s)-(?=[\w\"(])")
_PLUS_WORD = LaterPattern(r"(^|\s)\+(?=[\w\"(])")


def narrowing_query(narrow: Narrowing) -> query.Query | None:
    parts: list[query.Query] = []
    for field, values in (
        ("type", narrow.types),
        ("source", narrow.sources),
        ("project", [v.lower() for v in narrow.projects]),  # (indexed lowercased)
    ):
        if values:
            parts.append(query.Or([query.Term(field, v) for v in values]))
    parts.extend(query.Term("tags", tag) for tag in narrow.tags)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def effective_status(q: query.Query, superseded: set[str]) -> query.Query:
    """`q` with `status:X` meaning the status records read as (`query.effective_status`).

    A record named in another's `supersedes` reads as superseded whatever its own `status`
    says (unless it is deprecated or rejected); the index holds only its own.
    """
    if not superseded:
        return q
    ids = query.Or([query.Term("id", record_id) for record_id in sorted(superseded)])
    retired = query.Or([query.Term("status", status) for status in sorted(RETIRED_STATUSES)])

    def rewrite(node: query.Query) -> query.Query:
        if not isinstance(node, query.Term) or node.fieldname != "status":
            return node
        if node.text == "superseded":
            return query.Or([node, query.AndNot(ids, retired)])
        if node.text not in RETIRED_STATUSES:
            return query.AndNot(node, ids)
        return node

    return q.accept(rewrite)


def _parser(schema: fields.Schema) -> qparser.QueryParser:
    qparser = load_qparser()  # only a query in our syntax is parsed
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.remove_plugin_class(qparser.BoostPlugin)  # `word^2`: not part of our syntax
    return parser


def _rewrite(text: str) -> str:
    """Our syntax on top of Whoosh's: `-word` excludes, `commit:abc123` is a prefix."""
    text = _MINUS_WORD.sub(r"\1NOT ", text)
    text = _PLUS_WORD.sub(r"\1", text)
    text = _PATH_VALUE.sub(r"\1\2", text)
    return _COMMIT_VALUE.sub(lambda m: m.group(1) + m.group(2).lower() + "*", text)


def plain_query(text: str) -> query.Query:
    """`text` as plain words (every word required, in any text field): `--match all` of a
    text whose syntax the parser cannot read."""
    parts = []
    for word in WORD.findall(text):
        terms = fast_terms(word)
        if terms:
            fields_ = [query.Term(field, terms[0]) for field in ("title", "summary", "body")]
            parts.append(query.Or([*fields_, query.Term("tags", word.lower())]))
    return query.And(parts) if parts else query.NullQuery


def strict_query(schema: fields.Schema, text: str) -> query.Query | None:
    """`text` in our syntax, every plain word required; None if the parser cannot read it."""
    try:
        parsed = _parser(schema).parse(_rewrite(text))
    except Exception:  # the parser's errors have no common base class
        return None
    if parsed is query.NullQuery or _malformed(parsed):
        return None
    parsed = _phrases_where_positions(schema, parsed)
    if isinstance(parsed, query.Not):  # only exclusions: everything else
        return query.AndNot(query.Every(), parsed.query)
    return parsed


def _phrases_where_positions(schema: fields.Schema, parsed: query.Query) -> query.Query:
    """A quoted phrase searched in a field that keeps no positions (`tags`) asks for each of
    its words there: Whoosh would raise when the search starts."""

    def rewrite(node: query.Query) -> query.Query:
        if isinstance(node, query.Phrase) and not schema[node.fieldname].format.supports(
            "positions"
        ):
            return query.And([query.Term(node.fieldname, word) for word in node.words])
        return node

    return parsed.accept(rewrite)


def parse(schema: fields.Schema, text: str) -> query.Query:
    """The query `text` asks for in an index of `schema`, every plain word required (the
    strict reading); text Whoosh's parser cannot make sense of is plain words."""
    parsed = strict_query(schema, text)
    return plain_query(text) if parsed is None else parsed


def _and_not_next(self: Any) -> bool:
    # whoosh.matching.AndNotMatcher._find_next, with its first side run out before it asks
    # where that side stands: `skip_to` past its last document called it so.
    pos = self.a
    neg = self.b
    if not neg.is_active() or not pos.is_active():
        return False
    pos_id = pos.id()
    r = False
    if neg.id() < pos_id:
        neg.skip_to(pos_id)
    while pos.is_active() and neg.is_active() and pos_id == neg.id():
        nr = pos.next()
        if not pos.is_active():
            break
        r = r or nr
        pos_id = pos.id()
        neg.skip_to(pos_id)
    return r


def patch_and_not() -> None:
    """Whoosh 2.7.4's AND NOT matcher asks its first side for its document after skipping
    that side past its end, and raises IndexError: building the matchers of `pool -zebra`
    in a segment where the skip (an intersection with `--type`) runs `pool` out. (The
    search that raised took the index for damaged and rebuilt it.)"""
    import whoosh
    from whoosh.matching import AndNotMatcher

    if whoosh.__version__ == (2, 7, 4) and AndNotMatcher._find_next is not _and_not_next:
        AndNotMatcher._find_next = _and_not_next


def plan(
    reader: IndexReader,
    schema: fields.Schema,
    text: str,
    *,
    match: str = "any",
    names: frozenset[str] = question.FIELDS,
) -> Plan:
    """The query `text` asks for (`question.read`): strict items required, plain words ranked
    (`match` "any") or each required ("all"), each word reaching its prefixes and, when it
    matches nothing, its near misses (`whoosh_words`). `names`: the index's field names that
    `name:value` may use."""
    patch_and_not()
    reading = question.read(text, names)
    if reading.boolean:
        return Plan(parse(schema, text), {}, {})
    strict = strict_query(schema, reading.strict) if reading.strict else None
    words = reading.words
    if reading.strict and strict is None:  # unreadable syntax: all of it is plain words
        words = text.split()
    plain = whoosh_words.words_query(reader, words, require_all=match == "all")
    if strict is None:
        return plain or Plan(query.NullQuery, {}, {})
    if plain is None:  # only syntax: `type:decision`, `-redis`
        return Plan(strict, {}, {})
    if plain.query is query.NullQuery:  # plain words no memory has: one of them must match
        return plain
    if isinstance(strict, query.AndNot) and isinstance(strict.a, query.Every):
        return plain._replace(query=query.AndNot(plain.query, strict.b))
    return plain._replace(query=query.And([strict, plain.query]))


_SYNTAX_LEFTOVER = LaterPattern(r"""[:"'()\[\]{}^~]|^[-+]+$""")  # (as above)


def _malformed(q: query.Query) -> bool:
    """Leftovers of syntax the parser read as words: `foo:`, a lone quote, a dangling AND."""
    for leaf in q.leaves():
        if isinstance(leaf, query.Every):
            return True  # a lone `*`: not a way to list everything
        texts = getattr(leaf, "words", None) or [getattr(leaf, "text", None)]
        for text in texts:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            if isinstance(text, str) and (
                text.lower() in ("and", "or", "not")
                or _SYNTAX_LEFTOVER.search(text)
                or not text.strip("*?")  # a lone wildcard: everything
            ):
                return True
    return False
