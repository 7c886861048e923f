"""The decision index and the report pages are computed once per repository state and reused
(`serve.reuse`): over real HTTP against a running server, every change made by another
process before a request (a CLI save, an edit in an editor, a commit moving HEAD, a CLI rm)
is in that request's page and API answer; and in process, an unchanged state is not computed
again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from conftest import git
from serverepo import Served, build, run, served

from gitmem.records.warm import WarmRepo
from gitmem.serve.reuse import Reuse
from gitmem.store import git as gitstore

pytestmark = pytest.mark.slow  # a real server process
__all__ = ["served"]


def page(server: Served, url: str) -> str:
    answer = httpx.get(server.url + url, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.text


def rows(html: str) -> list[str]:
    """The titles of the decision index's rows, in order."""
    return re.findall(r'<tr><td>[^<]*</td><td><a href="/records/\w+" class="rec">([^<]*)</a>', html)


def test_pages_see_every_change_made_before_the_request(served: Served) -> None:
    before = page(served, "/decisions")
    assert rows(before) == ["Use PostgreSQL for the catalog", "Use SQLite for the catalog"]
    assert page(served, "/decisions") == before  # reused: the same page
    activity = page(served, "/reports/activity")
    counted = httpx.get(served.url + "/api/v1/reports/decisions", timeout=30).json()["count"]
    saved = json.loads(run(served.root, "save", "--json", "-t", "decision", "-m", "Adopt Redis"))
    assert rows(page(served, "/decisions"))[0] == "Adopt Redis"
    assert "Adopt Redis" in page(served, "/reports/decisions")
    assert page(served, "/reports/activity") != activity
    again = httpx.get(served.url + "/api/v1/reports/decisions", timeout=30).json()
    assert (again["count"], again["decisions"][-1]["title"]) == (counted + 1, "Adopt Redis")
    path = served.root / saved["location"]
    path.write_text(path.read_text().replace("Adopt Redis", "Adopt Valkey"))
    assert rows(page(served, "/decisions"))[0] == "Adopt Valkey"
    assert "Adopt Valkey" in page(served, "/reports/timeline")
    run(served.root, "rm", "--force", saved["id"])
    assert rows(page(served, "/decisions")) == rows(before)
    assert "Adopt Valkey" not in page(served, "/reports/decisions")


def test_decision_index_pages(served: Served) -> None:
    first = page(served, "/decisions?limit=1")
    assert rows(first) == ["Use PostgreSQL for the catalog"]
    assert 'decisions 1-1 of 2 · <a href="/decisions?limit=1&amp;offset=1" rel="next">' in first
    second = page(served, "/decisions?limit=1&offset=1")
    assert rows(second) == ["Use SQLite for the catalog"]
    assert 'decisions 2-2 of 2 · <a href="/decisions?limit=1&amp;offset=0" rel="prev">' in second
    assert rows(page(served, "/decisions?offset=5")) == []
    answer = httpx.get(served.url + "/decisions?limit=0", timeout=30)
    assert answer.status_code == 400


def test_reused_until_the_state_moves(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    build(root)
    warm = WarmRepo(gitstore.discover(root))
    reuse = Reuse()
    try:

        def titles(store: object) -> int:
            return len(run(root, "list", "--json"))  # any work: what is counted is the calls

        first = reuse.get(warm.store(), "view", titles)
        assert reuse.get(warm.store(), "view", titles) == first
        assert reuse.computed == 1
        run(root, "save", "-t", "fact", "-m", "One more")
        assert reuse.get(warm.store(), "view", titles) > first
        assert reuse.computed == 2
        git("commit", "-q", "--allow-empty", "-m", "HEAD moves", cwd=root)
        reuse.get(warm.store(), "view", titles)
        assert reuse.computed == 3  # what is unmerged, a deploy's lead time: HEAD matters
        reuse.get(warm.store(), "view", titles)
        assert reuse.computed == 3
    finally:
        warm.close()
