"""The HTML report in a real browser: headless Chromium renders the page offline, the chart
is in the DOM with one bar per non-empty week segment, and the screenshot shows the bars."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, FLAGS, needs_chromium
from reportrepo import build_history, write_deploys

from gitmem.reports.svg import COLOURS

pytestmark = needs_chromium


def chromium(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, "--window-size=1200,900", f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def png_pixels(path: Path) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = depth = kind = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", body[:10])
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and kind in (2, 6), (depth, kind)
    channels = 3 if kind == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    for y in range(height):
        start = y * (stride + 1)
        kind_of_filter, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            if kind_of_filter == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind_of_filter == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind_of_filter == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind_of_filter == 4:
                corner = previous[i - channels] if i >= channels else 0
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                paeth = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + paeth) & 0xFF
        pixels += [tuple(line[x : x + 3]) for x in range(0, stride, channels)]
        previous = line
    return width, height, pixels


def rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_deploys_page_renders_in_headless_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mem: Callable[..., Any], g: Any
) -> None:
    root = g.make_repo(tmp_path / "dora", commit=False)
    write_deploys(root, build_history(root))
    monkeypatch.chdir(root)
    page = tmp_path / "deploys.html"
    assert mem("report", "deploys", "--format", "html", "-o", str(page)).code == 0

    # The DOM after Chromium parsed it: two charts (production, staging), a bar per non-empty
    # (week, outcome): production W02 success+failure, W03 success+started, W04 success+
    # rolled back, W05 failure = 7; staging W02, W03 success+failure, W04, W05 = 5.
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    charts = re.findall(r'<svg class="chart".*?</svg>', dom, re.DOTALL)
    assert [chart.count('<rect class="bar"') for chart in charts] == [7, 5]
    assert "<title>2026-W03: 2 success</title>" in charts[0]

    shot = tmp_path / "deploys.png"
    chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1200, 900)
    colours = Counter(pixels)
    assert len(colours) > 50, "a blank or nearly blank page"
    # The bars are drawn: thousands of pixels of the success and the failure colour.
    assert colours[rgb(COLOURS["success"])] > 2000
    assert colours[rgb(COLOURS["failure"])] > 1000


def test_activity_page_has_a_bar_per_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mem: Callable[..., Any], g: Any
) -> None:
    root = g.make_repo(tmp_path / "dora", commit=False)
    write_deploys(root, build_history(root))
    monkeypatch.chdir(root)
    page = tmp_path / "activity.html"
    assert mem("report", "activity", "--format", "html", "-o", str(page)).code == 0
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    (chart,) = re.findall(r'<svg class="chart".*?</svg>', dom, re.DOTALL)
    # The 17 deploy records by week: W02 P1 P2 S1, W03 eight, W04 P6 P7 P8 S6, W05 P9 S7.
    assert re.findall(r"<title>(.*?)</title>", chart) == [
        "2026-W02: 3 records",
        "2026-W03: 8 records",
        "2026-W04: 4 records",
        "2026-W05: 2 records",
    ]
    assert chart.count('<rect class="bar"') == 4
