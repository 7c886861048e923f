"""Debian's headless Chromium for the tests that render pages (the HTML report, the web UI):
where it is, the flags it runs with on this closed network, and the mark that skips a test
where it is missing (.ci/run installs it)."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# network refuses; a new profile per run keeps runs apart.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (.ci/run installs it: apt-get install chromium)",
)
