"""What a report shows, as blocks both renderers read: Markdown prints them, HTML draws them.

Charts are HTML-only (an inline SVG); the Markdown form carries the same numbers in tables.
"""

from __future__ import annotations

from typing import NamedTuple


class Link(NamedTuple):
    text: str
    href: str
    record: str = ""  # the id of the record it links to (the web UI links there instead)


Cell = str | Link


class Heading(NamedTuple):
    level: int
    text: str


class Para(NamedTuple):
    text: str


class Table(NamedTuple):
    header: list[str]
    rows: list[list[Cell]]


class Items(NamedTuple):
    items: list[str]


class Segment(NamedTuple):
    value: int
    kind: str  # a CSS class: the legend and colour of this part of a bar


class Bar(NamedTuple):
    label: str  # under the bar (a week)
    segments: list[Segment]  # stacked bottom up


class Chart(NamedTuple):
    title: str
    bars: list[Bar]
    legend: list[str]  # the segment kinds, in stacking order


Block = Heading | Para | Table | Items | Chart


def duration(seconds: float | None) -> str:
    """A human duration: 45s, 12m, 3h 5m, 2d 4h; `-` for none."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def number(value: float) -> str:
    """2, 0.25, 1.333 — no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")
