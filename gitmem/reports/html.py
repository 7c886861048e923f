"""Blocks as one self-contained HTML page: inline CSS, inline SVG charts, no script."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from gitmem.reports.blocks import Block, Cell, Chart, Heading, Items, Link, Para, Table
from gitmem.reports.svg import chart

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #212529; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; background: #fff; }
h1 { font-size: 1.6em; border-bottom: 2px solid #dee2e6; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .8em 0; }
th, td { border: 1px solid #dee2e6; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f1f3f5; }
tr:nth-child(even) td { background: #f8f9fa; }
svg.chart { display: block; margin: 1em 0; background: #fcfcfd; border: 1px solid #e9ecef; }
svg .axis { font: 11px system-ui, sans-serif; fill: #495057; }
a { color: #1864ab; }
"""


Href = Callable[[Link], str]


def _file(link: Link) -> str:
    return link.href


def _cell(cell: Cell, href: Href) -> str:
    if isinstance(cell, Link):
        return f'<a href="{escape(href(cell))}">{escape(cell.text)}</a>'
    return escape(cell)


def _block(block: Block, href: Href) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Items):
        return "<ul>\n" + "\n".join(f"<li>{escape(item)}</li>" for item in block.items) + "\n</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(name)}</th>" for name in block.header)
        rows = "\n".join(
            "<tr>" + "".join(f"<td>{_cell(cell, href)}</td>" for cell in row) + "</tr>"
            for row in block.rows
        )
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
    assert isinstance(block, Chart)
    return f"<h2>{escape(block.title)}</h2>\n{chart(block)}"


def fragment(title: str, blocks: list[Block], href: Href = _file) -> str:
    """The report's heading and blocks without a page around them (the web UI puts them in
    its own, links to records going where `href` says; by default to their files)."""
    body = "\n".join(_block(block, href) for block in blocks)
    return f"<h1>{escape(title)}</h1>\n{body}"


def render(title: str, blocks: list[Block]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{fragment(title, blocks)}\n</body>\n</html>\n"
    )
