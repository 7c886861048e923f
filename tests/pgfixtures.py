"""A real PostgreSQL for the publish tests: one throwaway cluster per test session (initdb +
pg_ctl in a temporary directory, a private Unix socket, run as `nobody` when the tests run as
root; tests/pgcluster.py), and a fresh database per test.

Fixtures imported by the test modules that need them, not a conftest.py of tests/publish/: a
second module named `conftest` would shadow the root one for `from conftest import ...`."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgcluster

_numbers = itertools.count()


@pytest.fixture(scope="session")
def cluster() -> Iterator[pgcluster.Cluster]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip(
            "psycopg is not installed: pip install -e '.[dev]' (it brings the postgres extra)"
        )
    bindir = pgcluster.binaries()
    if bindir is None:
        pytest.skip(
            "PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql): "
            "apt-get install postgresql; .ci/run installs it"
        )
    server = pgcluster.Cluster(bindir)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database(cluster: pgcluster.Cluster, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a new, empty database (GITMEM_DATABASE_URL is cleared)."""
    import psycopg

    monkeypatch.delenv("GITMEM_DATABASE_URL", raising=False)
    name = f"test_{next(_numbers)}"
    with psycopg.connect(cluster.url_for(db="postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return cluster.url_for(db=name)


@pytest.fixture
def sql(database: str) -> Callable[..., list[tuple[object, ...]]]:
    """Run one statement on the test database (autocommit) and return its rows."""
    import psycopg

    def run(statement: str, *params: object) -> list[tuple[object, ...]]:
        with psycopg.connect(database, autocommit=True) as conn:
            cursor = conn.execute(statement.encode(), params or None)
            return cursor.fetchall() if cursor.description else []

    return run
