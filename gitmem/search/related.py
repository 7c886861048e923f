"""Related terms: a question says "take out", the memory says "removed" (issue 13).

Lexical search finds a memory only through the words it shares with the question, and people
ask in their own words: `coroutines` for async, `refresh` for auto-reloading, `settings` for
configuration. `related-terms.txt` (beside this module; its header says where it comes from)
lists groups of words developers use for the same thing; each member of a group reaches the
others, as a weaker match than the word itself (the engine weighs it: `whoosh_words`).

No engine here, and no stemming of its own: the caller passes its analysis (`Terms`), so a
question's words and the table's are compared as the index compares them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from gitmem import NamedTuple

TABLE = Path(__file__).with_name("related-terms.txt")
LONGEST = 3  # words in the longest member ("continuous integration", "pip install")

Terms = Callable[[str], tuple[str, ...]]  # a token's terms, as the index analyses it
Key = tuple[tuple[str, ...], ...]  # a member: each of its words' terms


class Member(NamedTuple):
    text: str  # as the table writes it: "take out"
    key: Key


class Unit(NamedTuple):
    """A word of a question, or several read together because the table has them together."""

    text: str  # the question's own words: "take out", "removed"
    key: Key
    related: tuple[Member, ...]  # the other members of its groups, in the table's order


def groups(text: str) -> list[list[str]]:
    """The groups of a table's text: one per line, comma-separated, `#` comments."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            members = [" ".join(m.lower().split()) for m in line.split(",")]
            found.append([m for m in members if m])
    return found


@cache
def _table_bytes() -> bytes:
    return TABLE.read_bytes()


@cache
def table_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in groups(_table_bytes().decode("utf-8")))


FORMAT = 1  # of `Table.members`: bump when what `Table.of` makes changes


def signature() -> tuple[int, int]:
    """What a table kept is learnt by: its format and a checksum of `related-terms.txt` (a
    table built from another text, or made another way, is not learnt)."""
    import zlib

    return FORMAT, zlib.crc32(_table_bytes())


def key_of(text: str, terms: Terms) -> Key:
    return tuple(terms(word) for word in text.split())


Members = dict[Key, list[tuple[str, Key]]]  # a member's key -> the related members (text, key)


class Table:
    """The groups, looked up by their members' terms."""

    def __init__(self, members: Members) -> None:
        self.members = members  # (plain tuples: what `learn` is given back, by marshal)

    @classmethod
    def of(cls, groups_: tuple[tuple[str, ...], ...], terms: Terms) -> Table:
        members: Members = {}
        for group in groups_:
            listed = [(text, key_of(text, terms)) for text in group]
            for _text, key in listed:
                if not any(key):
                    continue  # only stop words: nothing to look up
                related = members.setdefault(key, [])
                for other in listed:
                    if other[1] != key and other not in related:
                        related.append(other)
        return cls(members)

    def related(self, key: Key) -> tuple[Member, ...]:
        return tuple(Member(text, k) for text, k in self.members.get(key, ()))

    def units(self, tokens: list[str], terms: Terms) -> list[Unit]:
        """`tokens` (a question's, in order) as units: the longest run of tokens that is a
        member of a group becomes one unit ("take out"); any other token is a unit alone."""
        keys = [terms(token) for token in tokens]
        out: list[Unit] = []
        n = 0
        while n < len(tokens):
            for length in range(min(LONGEST, len(tokens) - n), 0, -1):
                key = tuple(keys[n : n + length])
                found = self.members.get(key)
                if found is not None or length == 1:
                    text = " ".join(tokens[n : n + length])
                    out.append(Unit(text, key, self.related(key)))
                    n += length
                    break
        return out


# A table per analysis: built from the text, or learnt from what a process that built it kept
# (`learn`: the Whoosh engine keeps it beside the index; building it is ~1.3 ms of a one-shot
# search, its ~500 words stemmed ~3.5 ms more).
_LEARNT: dict[Terms, Table] = {}
_BUILT: dict[Terms, Table] = {}


def table(terms: Terms) -> Table:
    """The table of `related-terms.txt`, read once per analysis."""
    found = _LEARNT.get(terms) or _BUILT.get(terms)
    if found is None:
        found = _BUILT.setdefault(terms, Table.of(table_groups(), terms))
    return found


def learn(terms: Terms, kept_signature: object, members: object) -> bool:
    """Take `members` (the `Table.members` of `terms`' analysis that `known` gave) as the
    table for `terms`, if they were built from this text (`kept_signature`); whether they
    were."""
    if type(members) is not dict or kept_signature != signature():
        return False
    _LEARNT.setdefault(terms, Table(members))
    return True


def known(terms: Terms) -> tuple[tuple[int, int], Members] | None:
    """The table of `terms` this process built or learnt, to keep (None: neither)."""
    found = _LEARNT.get(terms) or _BUILT.get(terms)
    return None if found is None else (signature(), found.members)
