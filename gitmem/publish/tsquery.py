"""The `git mem search` query syntax as PostgreSQL full-text SQL, for `ask` (the `--server`
reads): plain words become prefix `to_tsquery`s, any of them matching; "phrases" become
`phraseto_tsquery`s; AND, OR, NOT, ( ) and -word combine them strictly; field:value terms
(`RECORD_FIELDS`, `MESSAGE_FIELDS`) become SQL conditions with one parameter each. No database
is touched here: `parse` only writes SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gitmem.store.record import normalize_tag

TOKEN = re.compile(r'-?"[^"]*"|[()]|[^\s()]+')
WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


@dataclass
class Query:
    """A query as SQL: a tsquery expression, its parameters, filters, and the plain words."""

    tsquery: str = ""
    params: list[Any] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    condition_params: list[Any] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # the query's tokens, as split


def literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings: only quotes are special). Query
    pieces are inlined, not parameters: the parser reorders them (strict terms first)."""
    # % doubled: the statement also has parameters, so psycopg reads %-placeholders in it.
    return "'" + text.replace("\x00", "").replace("'", "''").replace("%", "%%") + "'"


def word_query(word: str, params: list[Any]) -> str | None:
    """A plain word as a prefix tsquery (its parts: `don't` is don & t), or None if it has
    no letter or digit."""
    parts = re.findall(r"[^\W_]+", word.lower())
    if not parts:
        return None
    # to_tsquery stems each word (english) and :* makes it a prefix; a stop word is dropped.
    return f"to_tsquery('english', {literal(' & '.join(f'{part}:*' for part in parts))})"


def _phrase_query(phrase: str, params: list[Any]) -> str | None:
    if not WORD.search(phrase):
        return None
    return f"phraseto_tsquery('english', {literal(phrase)})"


class _Parser:
    """Recursive descent over tokens: or := and (OR and)*; and := unary ((AND)? unary)*."""

    def __init__(self, text: str, query: Query, fields: dict[str, str]) -> None:
        self.tokens = TOKEN.findall(text)
        self.position = 0
        self.query = query
        self.fields = fields  # field name -> SQL condition taking one parameter

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token: str = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> str | None:
        expression = self.or_expression()
        while self.peek() is not None:  # a stray ")" : skip it, go on
            self.take()
            more = self.or_expression()
            expression = _join(expression, more, "&&")
        return expression

    def or_expression(self) -> str | None:
        expression = self.and_expression()
        while self.peek() == "OR":
            self.take()
            expression = _join(expression, self.and_expression(), "||")
        return expression

    def and_expression(self) -> str | None:
        """Strict items all hold; plain words are any-of. `a AND b` makes both strict."""
        items: list[tuple[str | None, bool]] = []
        joined = False
        while (token := self.peek()) is not None and token not in (")", "OR"):
            if token == "AND":
                self.take()
                if items:
                    items[-1] = (items[-1][0], False)
                joined = True
                continue
            item, is_plain = self.unary()
            items.append((item, is_plain and not joined))
            joined = False
        strict: str | None = None
        plain: str | None = None
        for item, is_plain in items:
            if is_plain:
                plain = _join(plain, item, "||")
            else:
                strict = _join(strict, item, "&&")
        return _join(strict, plain, "&&")

    def unary(self) -> tuple[str | None, bool]:
        token = self.take()
        params = self.query.params
        if token == "NOT" and self.peek() not in (None, ")", "OR"):
            inner, _ = self.unary()
            return (f"(!! {inner})" if inner else None), False
        if token == "(":
            inner = self.or_expression()
            if self.peek() == ")":
                self.take()
            return (f"({inner})" if inner else None), False
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        if body.startswith('"'):
            item = _phrase_query(body.strip('"'), params)
        else:
            name, colon, value = body.partition(":")
            if colon and value and name.lower() in self.fields:
                condition = self.fields[name.lower()]
                self.query.conditions.append(f"NOT ({condition})" if negated else condition)
                self.query.condition_params.append(_field_value(name.lower(), value))
                return None, False
            item = word_query(body, params)
            if item and not negated:
                self.query.words.append(body)
                return item, True
        if negated:
            return (f"(!! {item})" if item else None), False
        return item, False


def _join(left: str | None, right: str | None, operator: str) -> str | None:
    if left is None:
        return right
    if right is None:
        return left
    return f"({left} {operator} {right})"


def _field_value(name: str, value: str) -> str:
    if name == "tag":
        return normalize_tag(value)
    return value.lower() if name in ("type", "status", "source", "project") else value


RECORD_FIELDS = {
    "type": "r.type = %s",
    "tag": "r.tags @> ARRAY[%s]",
    "status": "r.status = %s",
    "author": "r.author ILIKE '%%' || %s || '%%'",
    "project": "lower(r.project) = %s",
    "source": "r.source = %s",
    "path": "EXISTS (SELECT 1 FROM unnest(r.paths) p WHERE"
    " (%s || '/') LIKE rtrim(split_part(p, '*', 1), '/') || '/%%')",
    "commit": "EXISTS (SELECT 1 FROM unnest(r.commits || substr(r.location, 6)) c"
    " WHERE c <> '' AND c LIKE %s || '%%')",
    "repo": "repo.name ILIKE '%%' || %s || '%%'",
}
MESSAGE_FIELDS = {
    "role": "m.role = %s",
    "session": "m.session_id LIKE %s || '%%'",
    "repo": "repo.name ILIKE '%%' || %s || '%%'",
}


def parse(text: str, fields: dict[str, str]) -> Query:
    """`text` as SQL; `fields`: the field:value names it knows (`RECORD_FIELDS`, ...)."""
    query = Query()
    parser = _Parser(text, query, fields)
    query.tokens = list(parser.tokens)
    query.tsquery = parser.parse() or ""
    return query
