"""A hit's snippet: the passage of its body holding the most matched terms, those words marked.

Pure text and the index's analysis (`index.token_terms`): no Whoosh here. A warm query shows
ten snippets; each is a few set operations and a `str.find` per marked word, not a test and a
match object per word of the body.
"""

from __future__ import annotations

from operator import methodcaller

from gitmem.search.engine import MARK_END, MARK_START
from gitmem.search.index import TOKEN, may_yield, token_terms, yield_prefixes

SNIPPET_SCAN = 20_000  # characters of a body searched for the passage: huge bodies stay cheap

# The words (tokens) snippets resolved, and for each term the words that have it
# (`token_terms`): which of a body's words hold a matched term is then a few set operations
# at C speed, not a lookup and a test per word. A word is resolved (stemmed) only when it can
# hold a term asked for (`may_yield`): resolving every word met again as well cost a young
# service more stemming than it saved tests (measured over its first 30 queries). One slot,
# replaced whole when full, so a thread (`serve`) never sees one part without the other.
WORDS_KEPT = 200_000
_WORDS: list[tuple[set[str], dict[str, set[str]]]] = [(set(), {})]


def holding(words: set[str], terms: set[str]) -> set[str]:
    """The `words` (tokens) one of whose terms (`token_terms`) is in `terms` (stems)."""
    known, words_of = _WORDS[0]
    unknown = words - known
    if unknown:
        if len(known) + len(unknown) > WORDS_KEPT:
            known, words_of = _WORDS[0] = (set(), {})
            unknown = words
        prefixes = yield_prefixes(terms)
        # Plain lower-case words (most) sorted out at C speed: `may_yield`'s first test.
        plain = set(filter(str.isalpha, filter(str.isascii, filter(str.islower, unknown))))
        for word in filter(methodcaller("startswith", prefixes), plain):
            _resolve(word, known, words_of)
        for word in unknown - plain:
            if may_yield(word, prefixes):  # (else: holds none of these, not stemmed for them)
                _resolve(word, known, words_of)
    held = [words_of[term] for term in terms if term in words_of]
    if len(held) <= 1:
        return words & held[0] if held else set()
    return words & set().union(*held)


def _resolve(word: str, known: set[str], words_of: dict[str, set[str]]) -> None:
    for term in token_terms(word):
        found = words_of.get(term)
        if found is None:
            found = words_of[term] = set()
        found.add(word)
    known.add(word)  # (after its terms: a word known is in every set it belongs to)


def _is_word(char: str) -> bool:
    """`\\w` of `re` (str patterns): alphanumeric in Unicode's sense, or `_`."""
    return char.isalnum() or char == "_"


def token_spans(text: str, marked: set[str]) -> list[tuple[int, int]]:
    """Where `TOKEN.finditer(text)` finds one of `marked` (tokens of `text`), in order,
    found by `str.find` of each: an occurrence counts where a token starts (no word
    character before it, nor `-`/`.` right after one: that continues an identifier) and
    TOKEN's match from there is the word itself, not a longer identifier."""
    spans: list[tuple[int, int]] = []
    for word in marked:
        size = len(word)
        at = text.find(word)
        while at >= 0:
            if at == 0 or not (
                _is_word(text[at - 1])
                or (text[at - 1] in "-." and at >= 2 and _is_word(text[at - 2]))
            ):
                found = TOKEN.match(text, at)
                if found is not None and found.end() == at + size:
                    spans.append((at, at + size))
            at = text.find(word, at + 1)
    spans.sort()
    return spans


def snippet(body: str, terms: set[str], width: int = 200) -> str:
    """The passage of `body` holding the most matched `terms` (stems), those words marked."""
    text = " ".join(body[:SNIPPET_SCAN].split())
    # Each distinct word decided once (words repeat); the text then searched for those marked
    # only when there is one.
    marked = holding(set(TOKEN.findall(text)), terms)
    spans = token_spans(text, marked) if marked else []
    if not spans:
        return text[:width] + ("…" if len(text) > width or len(body) > SNIPPET_SCAN else "")
    # The window of `width` characters starting at a match that holds the most matches.
    best, best_count, last = 0, 0, 0
    for first, (start, _stop) in enumerate(spans):
        last = max(last, first)
        while last + 1 < len(spans) and spans[last + 1][1] <= start + width:
            last += 1
        if last - first + 1 > best_count:
            best, best_count = first, last - first + 1
    begin = text.rfind(" ", 0, max(0, spans[best][0] - width // 4)) + 1
    end = min(len(text), begin + width)
    if end < len(text) and " " in text[begin:end]:
        end = text.rfind(" ", begin, end)
    out = []
    cursor = begin
    for start, stop in spans:
        if start >= begin and stop <= end:
            out += [text[cursor:start], MARK_START, text[start:stop], MARK_END]
            cursor = stop
    out.append(text[cursor:end])
    more = end < len(text) or len(body) > SNIPPET_SCAN
    return ("…" if begin else "") + "".join(out) + ("…" if more else "")
