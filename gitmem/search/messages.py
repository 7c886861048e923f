"""What the index of session messages holds and answers (`sessions_index`, `whoosh_messages`):
plain types, so that neither the sessions domain nor `show` loads Whoosh to name them."""

from __future__ import annotations

from typing import NamedTuple


class MessageDoc(NamedTuple):
    """One message as the index holds it; `number` counts from 1 in its transcript."""

    session: str
    number: int
    role: str
    time: str | None
    text: str


class MessageHit(NamedTuple):
    message: MessageDoc  # `text` is left empty: the snippet is what a hit shows
    score: float
    snippet: str  # the best passage, matched words between engine.MARK_START and MARK_END
