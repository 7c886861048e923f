"""Blocks as GitHub-flavoured Markdown (charts are left to the HTML form).

Every text is escaped as `git mem pr` escapes (`output.markdown_text`): a title holding
`<script>`, `<!--`, `@octocat` or `](javascript:` renders as written, never as HTML, a comment,
a mention or a link, and a `|` never ends a table cell.
"""

from __future__ import annotations

from urllib.parse import quote

from gitmem.output import markdown_text
from gitmem.reports.blocks import Block, Cell, Chart, Heading, Items, Link, Para, Table


def _cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        return f"[{markdown_text(cell.text)}]({quote(cell.href, safe='/#')})"
    return markdown_text(cell)


def _block(block: Block) -> str | None:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {markdown_text(block.text)}"
    if isinstance(block, Para):
        return markdown_text(block.text)
    if isinstance(block, Items):
        return "\n".join(f"- {markdown_text(item)}" for item in block.items)
    if isinstance(block, Table):
        header = [markdown_text(name) for name in block.header]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(block.header)]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows]
        return "\n".join(lines)
    assert isinstance(block, Chart)
    return None


def render(title: str, blocks: list[Block]) -> str:
    parts = [f"# {markdown_text(title)}"] + [
        text for text in map(_block, blocks) if text is not None
    ]
    return "\n\n".join(parts) + "\n"
