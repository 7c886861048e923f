"""A record's Markdown as safe HTML, and search snippets with their matches marked.

Two locks on one door: markdown-it-py renders with raw HTML off (a `<script>` in a body is
shown as text) and refuses `javascript:` and `data:` links itself; nh3 (ammonia) then keeps
only known tags and attributes and the http, https and mailto schemes, so no event attribute,
script or style survives whatever the renderer lets through.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import TYPE_CHECKING

from gitmem.search.engine import MARK_END, MARK_START

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SCHEMES = {"http", "https", "mailto"}


@cache
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(text: str) -> str:
    """The Markdown `text` as sanitised HTML."""
    import nh3

    html = _renderer().render(text)
    return str(nh3.clean(html, url_schemes=SCHEMES, link_rel="noopener noreferrer nofollow"))


def snippet(text: str) -> str:
    """A search snippet: escaped, with the matched words in <mark>."""
    return escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
