"""Blocks as GitHub-flavoured Markdown (charts are left to the HTML form)."""

from __future__ import annotations

from gitmem.reports.blocks import Block, Cell, Chart, Heading, Items, Link, Para, Table


def _cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        return f"[{_escape(cell.text)}]({cell.href.replace(' ', '%20')})"
    return _escape(cell)


def _escape(text: str) -> str:
    """One table cell on one line; a `|` would end the cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _block(block: Block) -> str | None:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {block.text}"
    if isinstance(block, Para):
        return block.text
    if isinstance(block, Items):
        return "\n".join(f"- {item}" for item in block.items)
    if isinstance(block, Table):
        lines = ["| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header)]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows]
        return "\n".join(lines)
    assert isinstance(block, Chart)
    return None


def render(title: str, blocks: list[Block]) -> str:
    parts = [f"# {title}"] + [text for text in map(_block, blocks) if text is not None]
    return "\n\n".join(parts) + "\n"
