"""How a query text reads: strict syntax, or a question in plain words (issue 13).

A person or an assistant asks "why did we pick postgres over mongo?"; the words that carry the
question (why, did, we, over) are in no memory's title, and requiring every word finds nothing.
Plain words are therefore ranked, not required: any of them may match, a memory matching more
of them ranks first, and the words below (English function words and question words) need not
match at all. The syntax keeps its strict meaning: upper-case AND/OR/NOT make the whole text a
boolean expression; quotes, `-word`, `+word`, `field:value` and `*` wildcards are required (or
excluded) beside the plain words. Lower-case and/or/not are words.

No engine here: `whoosh_query` builds the engine's query from a `Reading`.
"""

from __future__ import annotations

import re

from gitmem import NamedTuple

# Words a question does not need to match: function words and question words.
_QUESTION_WORDS = """
    a about above after again against all also am an and any anyone are aren as at be
    because been before being below between both but by can cannot could couldn did didn do
    does doesn doing don done down during each else ever every few for from further get got
    had has have having he her here hers herself him himself his how i if in into is isn it
    its itself just let me more most must my myself no nor not now of off on once only or
    other ought our ours ourselves out over own same shall she should shouldn so some such
    than that the their theirs them themselves then there these they this those through to
    too under until up us very was wasn we were weren what whats when where whether which
    while who whom whose why will with won would wouldn yet you your yours yourself
    yourselves tbd may might anything something someone somebody thing things way ways
"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())

_FIELDS = (
    "type tag tags status author project source path paths commit commits id title summary body"
)
FIELDS = frozenset(_FIELDS.split())

_OPERATOR = re.compile(r"(?<![\w-])(?:AND|OR|NOT)(?![\w-])")
# One item of a text that is not a boolean expression: a quoted phrase (maybe excluded), a
# field's value, an excluded or required word, or anything else up to the next space.
_ITEM = re.compile(r'(?:(?<=\s)|^)[-+]?(?:\w+:)?"[^"]*"|\S+')
_FIELD_VALUE = re.compile(r"[-+]?(\w+):\S")
_WILDCARD = re.compile(r"\*|\w\?\w")


class Reading(NamedTuple):
    strict: str  # required and excluded items (our syntax), "" if none
    words: list[str]  # plain words: ranked, any of them may match
    boolean: bool  # upper-case AND/OR/NOT: the whole text is strict


def read(text: str, fields: frozenset[str] = FIELDS) -> Reading:
    """Split `text` into its strict items and its plain words (`field:value` counts as syntax
    for the `fields` of the index asked)."""
    if _OPERATOR.search(text):
        return Reading(text, [], True)
    strict: list[str] = []
    plain: list[str] = []
    for match in _ITEM.finditer(text):
        item = match.group(0)
        field = _FIELD_VALUE.match(item)
        signed = item[0] in "-+" and len(item) > 1 and (item[1].isalnum() or item[1] in '"_')
        quoted = item.lstrip("-+").startswith('"') and item.endswith('"') and len(item) > 1
        valued = field is not None and field.group(1).lower() in fields
        if signed or quoted or valued or _WILDCARD.search(item):
            strict.append(item)
        else:
            plain.append(item)
    return Reading(" ".join(strict), plain, False)


def content_words(words: list[str]) -> list[str]:
    """The words of a question that must carry it: all of them when every one is a function
    word (a search for "how" is for "how")."""
    kept = [word for word in words if word.lower() not in QUESTION_WORDS]
    return kept or words


def is_number(word: str) -> bool:
    return any(ch.isdigit() for ch in word)
