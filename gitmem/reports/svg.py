"""A stacked bar chart as inline SVG: no script, no fonts to fetch, opens anywhere."""

from __future__ import annotations

from html import escape

from gitmem.reports.blocks import Chart

# Fill per segment kind (also the legend); a rect's `fill` is inline so the SVG stands alone.
COLOURS = {
    "success": "#2f9e44",
    "failure": "#e03131",
    "other": "#adb5bd",
    "records": "#1c7ed6",
}
WIDTH, HEIGHT = 1000, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 24, 40
MAX_LABELS = 16  # x-axis labels at most; the rest are in each bar's tooltip


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def chart(block: Chart) -> str:
    """`<svg class="chart">` with one `<rect class="bar">` per non-empty segment."""
    bars = block.bars
    peak = max((sum(s.value for s in bar.segments) for bar in bars), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    width = min(max(slot * 0.8, 1.0), 48.0)  # a few weeks: bars, not slabs
    step = max(1, -(-len(bars) // MAX_LABELS))
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(block.title)}">',
        f'<text x="{LEFT}" y="14" class="axis">{escape(block.title)} (max {peak})</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#868e96"/>',
    ]
    for n, bar in enumerate(bars):
        x = LEFT + n * slot + (slot - width) / 2
        base = float(TOP + plot_h)
        for segment in bar.segments:
            if segment.value <= 0:
                continue
            h = plot_h * segment.value / peak
            base -= h
            fill = COLOURS.get(segment.kind, "#495057")
            tip = escape(f"{bar.label}: {segment.value} {segment.kind}")
            out.append(
                f'<rect class="bar" x="{_num(x)}" y="{_num(base)}" width="{_num(width)}" '
                f'height="{_num(h)}" fill="{fill}"><title>{tip}</title></rect>'
            )
        if n % step == 0:
            out.append(
                f'<text x="{_num(x)}" y="{HEIGHT - BOTTOM + 16}" class="axis">'
                f"{escape(bar.label)}</text>"
            )
    x = LEFT
    for kind in block.legend:
        fill = COLOURS.get(kind, "#495057")
        out.append(
            f'<rect class="key" x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{fill}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" class="axis">{escape(kind)}</text>'
        )
        x += 90
    out.append("</svg>")
    return "\n".join(out)
