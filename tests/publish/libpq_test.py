"""The libpq reader `search --server` uses (gitmem/publish/libpq.py) against the real server:
parameters and values survive the trip, errors are one line, and a connection it cannot make
falls back to psycopg, which says why."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pgfixtures import cluster, database

from gitmem.errors import GitMemError
from gitmem.publish import connect, libpq

__all__ = ["cluster", "database"]  # fixtures, used by name


def test_parameters_and_values_round_trip(database: str) -> None:
    if libpq.library() is None:
        pytest.skip("psycopg_binary's libpq is not installed (psycopg's C or Python build)")
    conn = libpq.Connection.connect(database, 10, "gitmem-test")
    assert conn is not None
    try:
        texts = ['a "quoted" word', "back\\slash", "{braces, comma}", "100% ünïcode", ""]
        row = conn.execute(
            "SELECT %s::text[], %s::int + 1, %s::float8 / 2, %s::timestamptz, %s::text IS NULL,"
            " '{\"k\": [1, 2]}'::jsonb, true, 'x%%y'",
            [texts, 41, 3, datetime(2026, 1, 2, 3, 4, tzinfo=UTC), None],
        ).fetchone()
        assert row is not None
        array, number, half, moment, null, document, flag, literal = row
        assert array.startswith('{"a \\"quoted\\" word","back\\\\slash",')  # text, as given
        assert number == 42 and half == 1.5 and null is True and flag is True
        assert document == {"k": [1, 2]} and literal == "x%y"
        assert moment.startswith("2026-01-02 03:04:00")
        unquoted = conn.execute(
            "SELECT x FROM unnest(%s::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n", [texts]
        ).fetchall()
        assert [value for (value,) in unquoted] == texts
        with pytest.raises(GitMemError, match=r"^the database refused a query: ERROR: .*nosuch"):
            conn.execute("SELECT * FROM nosuch")
        with pytest.raises(GitMemError, match="query has 1 placeholders for 0 parameters"):
            conn.execute("SELECT %s")
    finally:
        conn.close()


def test_a_connection_it_cannot_make_is_worded_by_psycopg(database: str, tmp_path: Path) -> None:
    wrong = database.replace(":s3cret-gitmem@", ":wrong@")
    with pytest.raises(GitMemError) as caught, connect.reader(wrong):
        pass
    assert re.fullmatch(r"PostgreSQL at \S+/test_\d+ refused the password for 'gitmem'",
                        str(caught.value))  # fmt: skip
    with connect.reader(database) as conn:
        found: Any = conn.execute("SELECT current_database()").fetchone()
    assert found[0].startswith("test_")


def test_a_one_shot_search_imports_none_of_what_it_does_not_use(
    database: str, tmp_path: Path
) -> None:
    """`search --server URL`'s start-up is most of its time: psycopg (~200 ms), inspect (a
    dataclass without a docstring computes one with it, ~5 ms), tomllib (the URL is given) and
    urllib.parse (a plain URL needs no urlsplit) stay out."""
    import subprocess
    import sys

    import psycopg

    from gitmem.publish import schema

    if libpq.library() is None:
        pytest.skip("psycopg_binary's libpq is not installed (psycopg's C or Python build)")
    with psycopg.connect(database) as conn:
        schema.migrate(conn)
    code = (
        "import sys; from gitmem.main import main; code = main(sys.argv[1:]); unused ="
        " {'psycopg', 'inspect', 'tomllib', 'urllib.parse'}; print(code, *sorted(unused &"
        " set(sys.modules)))"
    )
    argv = [sys.executable, "-c", code, "search", f"--server={database}", "pool", "size"]
    found = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
    assert (
        found.stderr
        == "git-mem: warning: no memories match 'pool size' in any published repository\n"
    )
    assert found.stdout == "1\n"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("postgresql://u:p@db.example.com:5432/memory", None),
        ("postgres://u@db/x", None),
        ("postgresql://u:p@/memory?host=/tmp/socket&port=5432", None),
        ("postgresql://u@[::1]:5432/x", None),  # brackets: urlsplit checks it
        ("postgresql://u:p@ss@db/x", None),  # two @: likewise
        ("postgresql://u@db:/x", None),
        ("postgresql://u@db:65535/x", None),
        ("postgresql://u@db:65536/x", "Port out of range 0-65535"),
        ("postgresql://u@db:notaport/x", "Port could not be cast to integer value as 'notaport'"),
        ("postgresql://u@db:\u0661\u0662/x", "Port could not be cast to integer value as"),
        ("postgresql://u@d\uff03b/x", "netloc 'u@d\uff03b' contains invalid characters under NFKC"),
        ("postgresql://u:p\u00e9@db/x", None),  # not ASCII, nothing NFKC makes a separator
    ],
)
def test_url_check_agrees_with_urlsplit(url: str, error: str | None) -> None:
    if error is None:
        connect.check(url)
        return
    with pytest.raises(GitMemError, match=re.escape(f"bad database URL {url!r}: {error}")):
        connect.check(url)


def test_search_of_an_empty_database_names_it(database: str, tmp_path: Path) -> None:
    """The database's name in `require`'s message is worked out only for a message."""
    import subprocess
    import sys

    argv = [sys.executable, "-m", "gitmem.main", "search", f"--server={database}", "pool"]
    found = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
    place = connect.where(database)
    name = re.search(r"@/(\w+)\?", database)
    assert name and place.startswith("/") and place.endswith(f"/socket/{name[1]}")
    assert (found.returncode, found.stdout, found.stderr) == (
        128,
        "",
        f"git-mem: error: nothing was published to {place} yet: run `git mem publish` first\n",
    )
