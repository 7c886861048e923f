"""Record bodies and transcript messages as HTML: markdown-it-py with raw HTML off, then nh3.
Every known way to smuggle a script, an event attribute or a dangerous URL through Markdown
comes out inert (checked on the parsed output, not by string search alone)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from gitmem.search.engine import MARK_END, MARK_START
from gitmem.serve.markdown import render, snippet

ATTACKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x](https://example.com "t\\" onmouseover=alert(1) x=\\"")',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://example.com"></iframe>',
    "<style>body{display:none}</style>",
    "<svg onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]
SAFE_SCHEMES = ("http:", "https:", "mailto:")
DANGEROUS_TAGS = {"script", "iframe", "style", "object", "embed", "svg", "details", "form"}


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("text", ATTACKS)
def test_markdown_comes_out_inert(text: str) -> None:
    html = render(text)
    parsed = Collect()
    parsed.feed(html)
    for tag, attrs in parsed.tags:
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            if name in ("href", "src"):
                # as a browser reads it: tabs and newlines dropped, then a scheme is letters,
                # digits, + - . up to the first colon (java%09script: is a relative path)
                link = "".join(ch for ch in (value or "") if ch > " ").lower()
                scheme = re.match(r"[a-z][a-z0-9+.-]*:", link)
                assert scheme is None or scheme[0] in SAFE_SCHEMES, html


def test_markdown_still_renders_what_it_should() -> None:
    html = render("**bold** [docs](https://example.com/a?b=1&c=2) `<b>`\n\n| a |\n|---|\n| 1 |\n")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">' in html
    assert "<code>&lt;b&gt;</code>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert render("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_snippets_escape_and_mark_only_the_matches() -> None:
    raw = f"a <b onclick=x>{MARK_START}pool{MARK_END} & <script>"
    assert snippet(raw) == "a &lt;b onclick=x&gt;<mark>pool</mark> &amp; &lt;script&gt;"
