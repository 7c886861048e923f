"""`git mem serve --database URL`: /api/v1/org/search and /api/v1/org/reports/KIND answer from
the published database over real HTTP (a real `git mem serve` process, the throwaway cluster),
with the documents `search --server --json` and `report --server --json` print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pgfixtures import cluster, database, sql
from publish_test import Mem, _helpers, seed
from serverepo import serving

__all__ = ["_helpers", "cluster", "database", "sql"]  # fixtures, used by name
pytestmark = pytest.mark.slow  # real server processes


def get(base: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    return str(body["error"])


def test_org_api_reads_the_published_database(repo: Path, mem: Mem, database: str) -> None:
    seed(repo, mem)
    assert mem("publish", database).code == 0
    cli = json.loads(mem("search", "--server", database, "--json", "postgres").out)
    cli_messages = json.loads(
        mem("search", "--server", database, "--sessions", "--json", "flaky").out
    )
    cli_report = json.loads(mem("report", "--server", database, "sessions", "--format", "json").out)
    with serving(repo, "--database", database) as server:
        found = get(server.url, "/api/v1/org/search", q="postgres")
        assert found.status_code == 200, found.text
        assert found.json() == cli
        assert [hit["repository"] for hit in cli["hits"]] == ["repo"]
        messages = get(server.url, "/api/v1/org/search", q="flaky", scope="sessions")
        assert messages.json() == cli_messages and cli_messages["count"] == 1
        typed = get(server.url, "/api/v1/org/search", q="flaky", type="decision")
        assert typed.json()["count"] == 0
        report = get(server.url, "/api/v1/org/reports/sessions")
        assert report.status_code == 200 and report.json() == cli_report
        markdown = get(server.url, "/api/v1/org/reports/sessions", format="markdown")
        assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
        assert markdown.text.startswith("# ")

        assert error(get(server.url, "/api/v1/org/reports/decisions"), 404) == (
            "no report 'decisions' across repositories: activity, timeline, components, "
            "errors, sessions, extraction"
        )
        assert error(get(server.url, "/api/v1/org/search", q="x", sort="best"), 400) == (
            "unknown sort 'best': use one of relevance, newest"
        )
        assert error(get(server.url, "/api/v1/org/search", q="x", env="prod"), 400).startswith(
            "unknown parameter 'env': expected q, scope, limit, sort, type, "
        )
        assert error(
            get(server.url, "/api/v1/org/search", q="x", scope="sessions", tag="adr"), 400
        ) == ("tag filter records: not with scope=sessions")
        # The repository's own API is unchanged beside it.
        local = get(server.url, "/api/v1/search", q="postgres")
        assert [hit["id"] for hit in local.json()["hits"]] == ["7k3q9x2m4pva"]


def test_org_api_without_a_database_or_with_a_wrong_password(
    repo: Path, mem: Mem, database: str
) -> None:
    seed(repo, mem)
    with serving(repo) as server:
        assert error(get(server.url, "/api/v1/org/search", q="x"), 404) == (
            "this server has no database: start git mem serve with --database URL, or set "
            "GITMEM_DATABASE_URL or [publish] url in .memory/config.toml"
        )
    wrong = database.replace(":s3cret-gitmem@", ":wrong@")
    with serving(repo, "--database", wrong) as server:  # starts: the request says why
        message = error(get(server.url, "/api/v1/org/reports/activity"), 422)
        assert message.startswith("PostgreSQL at ") and "refused the password for 'gitmem'" in (
            message
        )
        assert "wrong" not in message
    unpublished = database  # nothing published there yet
    with serving(repo, "--database", unpublished) as server:
        assert error(get(server.url, "/api/v1/org/search", q="x"), 422).startswith(
            "nothing was published to "
        )
