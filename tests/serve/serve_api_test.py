"""The REST API over real HTTP: `git mem serve --allow-writes` runs as a process on a free port
(one per module) and httpx talks to it as any client would."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import git
from serverepo import XSS_TITLE, Served, served

pytestmark = pytest.mark.slow  # a real server process: about a second to start
__all__ = ["served"]  # the module-scoped fixture


def get(server: Served, url: str, **params: Any) -> httpx.Response:
    return httpx.get(server.url + url, params=params, timeout=30, follow_redirects=True)


def ids(response: httpx.Response, key: str = "records") -> list[str]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()[key]]


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == status
    return str(body["error"])


def auth(server: Served, token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or server.token}"}


def test_records_filters_and_paging(served: Served) -> None:
    everything = ids(get(served, "/api/v1/records"))
    assert everything[2:] == ["xssxssxss001", "vacfact00003", "pgsqdb000002"], everything
    newest = [get(served, f"/api/v1/records/{i}").json() for i in everything[:2]]
    head = git("rev-parse", "--short=7", "HEAD", cwd=served.root).strip()
    assert sorted((r["type"], r["title"]) for r in newest) == [
        ("episodic", f"Deploy {head} to production: success"),
        ("episodic", "Session catalog slowness: Found the vacuum problem"),
    ]
    assert ids(get(served, "/api/v1/records", type="decision", all="true")) == [
        "pgsqdb000002",
        "sq1tedb00001",
    ]
    assert ids(get(served, "/api/v1/records", tag="ops")) == ["vacfact00003"]
    assert ids(get(served, "/api/v1/records", path="src/db/pool.py")) == [
        "vacfact00003",
        "pgsqdb000002",
    ]
    first = get(served, "/api/v1/records", limit=2).json()
    assert (first["count"], first["next_offset"]) == (2, 2)
    rest = get(served, "/api/v1/records", limit=2, offset=2).json()
    assert [r["id"] for r in rest["records"]] == ["xssxssxss001", "vacfact00003"]
    assert rest["next_offset"] == 4
    last = get(served, "/api/v1/records", limit=2, offset=4).json()
    assert ([r["id"] for r in last["records"]], last["next_offset"]) == (["pgsqdb000002"], None)
    # the --json shape of `git mem list`: no internal blob ids, every listed field
    assert set(first["records"][0]) >= {"id", "type", "title", "created", "status", "location"}


def test_every_list_filter(served: Served) -> None:
    records = "/api/v1/records"
    assert ids(get(served, records, status="accepted")) == ["pgsqdb000002"]
    assert ids(get(served, records, author="ada")) == ["vacfact00003"]
    assert ids(get(served, records, project="catalog")) == ["vacfact00003"]
    [deploy] = ids(get(served, records, source="ci"))
    [summary] = ids(get(served, records, source="session"))
    # (made in the same second: their order is not the point)
    assert sorted(ids(get(served, records, author="test user"))) == sorted([deploy, summary])
    assert ids(get(served, records, commit="HEAD")) == [deploy]
    assert ids(get(served, records, until="2026-02-02")) == ["pgsqdb000002"]
    assert ids(get(served, records, until="2026-02-02", all="true")) == [
        "pgsqdb000002",
        "sq1tedb00001",
    ]
    assert ids(get(served, records, since="2026-02-03", until="2026-02-04")) == ["vacfact00003"]
    # a filter repeated, or given as a,b: any of its values, as a repeated option
    repeated = [("type", "fact"), ("type", "decision"), ("status", "active")]
    both = ids(httpx.get(served.url + records, params=repeated, timeout=30))
    assert both == ["xssxssxss001", "vacfact00003"]
    assert ids(get(served, records, type="fact,decision", status="active")) == both
    # the search takes the same filters
    found = get(served, "/api/v1/search", q="catalog", project="catalog").json()
    assert [hit["id"] for hit in found["hits"]] == ["vacfact00003"]
    assert error(get(served, records, commit="\x00"), 400) == "cannot resolve '\\x00' to a commit"


def test_bad_parameters_are_400_with_the_cli_message(served: Served) -> None:
    assert error(get(served, "/api/v1/records", lmit="1"), 400).startswith(
        "unknown parameter 'lmit': expected type, tag,"
    )
    assert error(get(served, "/api/v1/records", limit="0"), 400) == (
        "limit must be between 1 and 1000, not 0"
    )
    assert error(get(served, "/api/v1/records", limit="ten"), 400) == (
        "limit must be a whole number, not 'ten'"
    )
    assert error(get(served, "/api/v1/records", since="someday"), 400).startswith(
        "cannot read 'someday' as a date"
    )
    assert error(get(served, "/api/v1/records", all="maybe"), 400) == (
        "all must be true or false, not 'maybe'"
    )
    assert error(get(served, "/api/v1/search", q="   "), 400) == (
        "nothing to search for in '   ': give at least one word"
    )
    assert error(get(served, "/api/v1/search", q="x", scope="sessions", type="fact"), 400) == (
        "type filter records: not with scope=sessions"
    )
    assert error(get(served, "/api/v1/reports/weather"), 400) == (
        "unknown report 'weather': use one of deploys, decisions, activity, errors, timeline"
    )
    assert error(get(served, "/api/v1/context", budget="1"), 400) == (
        "budget must be between 40 and 1000000, not 1"
    )
    assert error(get(served, "/api/v1/nothing"), 404) == "no such page: /api/v1/nothing"


def test_search_conversations_as_the_cli_does(served: Served) -> None:
    messages = get(served, "/api/v1/search", q="autovacuum", scope="sessions").json()
    assert [(hit["kind"], hit["role"], hit["message"]) for hit in messages["hits"]] == [
        ("message", "assistant", 2)
    ]
    mixed = get(served, "/api/v1/search", q="autovacuum", scope="all").json()
    assert {hit["kind"] for hit in mixed["hits"]} == {"record", "message"}


def test_record_by_prefix_and_unknown_ids(served: Served) -> None:
    record = get(served, "/api/v1/records/pgsq").json()
    assert (record["id"], record["title"]) == ("pgsqdb000002", "Use PostgreSQL for the catalog")
    assert record["location"] == ".memory/decisions/2026-02-01-use-postgres.md"
    assert record["body"].startswith("JSONB covers the **flexible** parts.")
    assert error(get(served, "/api/v1/records/zzzzzz"), 404) == (
        "no memory with an id starting 'zzzzzz'"
    )
    assert error(get(served, "/api/v1/records/po"), 400) == (
        "id prefix 'po' is too short: give at least 4 characters"
    )
    assert error(get(served, "/api/v1/sessions/ffffffff/messages"), 404) == (
        "no session with an id starting 'ffffffff'"
    )


def test_search_ranks_with_snippets(served: Served) -> None:
    found = get(served, "/api/v1/search", q="catalog postgresql").json()
    assert found["hits"][0]["id"] == "pgsqdb000002"  # any word may match; both words rank first
    strict = get(served, "/api/v1/search", q="catalog postgresql", match="all").json()
    assert [hit["id"] for hit in strict["hits"]] == ["pgsqdb000002"]
    assert found["hits"][0]["record"]["tags"] == ["database"]
    retired = get(served, "/api/v1/search", q="sqlite")
    assert retired.json()["hits"] == [] and retired.json()["hidden"] == "retired"
    assert [h["id"] for h in get(served, "/api/v1/search", q="sqlite", all="1").json()["hits"]] == [
        "sq1tedb00001"
    ]
    assert get(served, "/api/v1/search", q="type:fact bloats").json()["count"] == 1


def test_sessions_and_paged_messages(served: Served) -> None:
    sessions = get(served, "/api/v1/sessions").json()["sessions"]
    assert [(s["label"], s["status"], s["messages"]) for s in sessions] == [
        ("catalog slowness", "ended", 2)
    ]
    sid = sessions[0]["id"]
    page = get(served, f"/api/v1/sessions/{sid[:8]}/messages", limit=1, offset=1).json()
    assert (page["total"], page["next_offset"]) == (2, None)
    assert [(m["index"], m["role"], m["content"]) for m in page["messages"]] == [
        (1, "assistant", "autovacuum was off on the catalog table")
    ]


def test_reports_deploys_and_context(served: Served) -> None:
    decisions = get(served, "/api/v1/reports/decisions").json()
    assert decisions["chains"] == [
        [
            {"id": "sq1tedb00001", "title": "Use SQLite for the catalog"},
            {"id": "pgsqdb000002", "title": "Use PostgreSQL for the catalog"},
        ]
    ]
    markdown = get(served, "/api/v1/reports/decisions", format="markdown")
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.text.startswith("# Decision index\n")
    html = get(served, "/api/v1/reports/timeline", format="html")
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.text and XSS_TITLE not in html.text
    deploys = get(served, "/api/v1/deploys").json()
    assert [e["env"] for e in deploys["environments"]] == ["production"]
    assert deploys["deploys"] == 1
    pack = get(served, "/api/v1/context", budget="200", query="vacuum").json()
    assert pack["budget"] == 200 and pack["used"] <= 200
    text = get(served, "/api/v1/context", format="markdown").text
    assert "Autovacuum must run nightly" in text


def test_deploys_carry_the_dora_measures(served: Served) -> None:
    [env] = get(served, "/api/v1/deploys").json()["environments"]
    assert (env["env"], env["deployments"], env["success"], env["failure"]) == (
        "production",
        1,
        1,
        0,
    )
    assert env["frequency"]["successful"] == 1
    assert env["lead_time"]["changes"] == 2  # the two commits of the repository
    assert env["change_failure_rate"] == {"failed": 0, "completed": 1, "rate": 0.0}
    assert env["time_to_restore"] == {
        "incidents": 0,
        "restored": 0,
        "open": 0,
        "median_seconds": None,
    }
    assert env["latest"]["version"] == "1.4.0"
    page = get(served, "/deploys")  # the page: the deploy report in the app's own page
    assert page.url.path == "/reports/deploys"
    assert "<nav>" in page.text and "<h2>DORA measures</h2>" in page.text
    assert "<td>0.0% (0 of 1)</td><td>- (0 restored, 0 open)</td>" in page.text
    # the reports link their records to the record pages (not to files beside the page)
    decisions = get(served, "/reports/decisions").text
    assert '<a href="/records/pgsqdb000002">Use PostgreSQL for the catalog</a>' in decisions


def events(html: str) -> list[str]:
    """The timeline's events as `kind:/records/ID` (or `/sessions/ID`), top to bottom."""
    return [
        f"{kind}:{href}"
        for kind, href in re.findall(r'<li class="event k-([\w-]+)">.*?href="([^"]+)"', html, re.S)
    ]


def test_timeline_pages(served: Served) -> None:
    whole = events(get(served, "/timeline").text)
    assert len(whole) == 7 and whole[-1] == "decision:/records/sq1tedb00001", whole
    assert sorted({e.split(":")[0] for e in whole}) == [
        "decision",
        "deploy",
        "episodic",
        "fact",
        "session",
    ]
    paged, url = [], "/timeline?limit=3"
    while url:
        html = httpx.get(served.url + url.replace("&amp;", "&"), timeout=30).text
        paged += events(html)
        older = re.search(r'<a href="([^"]+)" rel="next">older', html)
        url = older[1] if older else ""
        if len(paged) > 3:  # a later page links back to the one before it
            assert re.search(r'rel="prev">← newer', html)
    assert paged == whole
    kinds = events(get(served, "/timeline", type="decision", limit="1", offset="1").text)
    assert kinds == ["decision:/records/sq1tedb00001"]
    assert events(get(served, "/timeline", type="session").text)[0].startswith("session:/sessions/")


def test_record_page_shows_its_front_matter_home_and_commits(served: Served) -> None:
    sha = git("rev-parse", "HEAD", cwd=served.root).strip()
    [deploy] = ids(get(served, "/api/v1/records", source="ci"))
    note = get(served, f"/records/{deploy}").text
    assert f"<code>note:{sha}</code> — a note on commit <code>{sha}</code>" in note
    assert f'<a href="/?commit={sha}">memories of this commit</a>' in note
    assert "<tr><th>deploy</th><td>env=production, status=success, version=1.4.0</td></tr>" in (
        note
    )
    fact = get(served, "/records/vacfact00003").text
    assert "<tr><th>project</th><td>catalog</td></tr>" in fact
    assert "<tr><th>author</th><td>Ada Lovelace &lt;ada@example.com&gt;</td></tr>" in fact
    assert "<code>.memory/facts/2026-02-03-vacuum.md</code> — a file in the work tree" in fact


def test_openapi_lists_every_endpoint(served: Served) -> None:
    schema = get(served, "/api/v1/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    assert sorted(schema["paths"]) == [
        "/api/v1/backups",
        "/api/v1/context",
        "/api/v1/deploys",
        "/api/v1/records",
        "/api/v1/records/{id}",
        "/api/v1/records/{id}/supersede",
        "/api/v1/reports/{kind}",
        "/api/v1/search",
        "/api/v1/sessions",
        "/api/v1/sessions/{id}/messages",
    ]
    assert sorted(schema["paths"]["/api/v1/records/{id}"]) == ["delete", "get", "patch"]
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)  # each its own
    for path, item in schema["paths"].items():  # every {name} of a path is declared
        for operation in item.values():
            declared = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
            assert declared == re.findall(r"{(\w+)}", path), path
    writes = [op for item in schema["paths"].values() for m, op in item.items() if m != "get"]
    assert all(op["security"] == [{"bearer": []}] for op in writes)


def test_listens_on_loopback_only_by_default(served: Served) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    assert served.url == f"http://127.0.0.1:{port}"
    listening = [  # the kernel's table of TCP sockets: local address, state 0A = LISTEN
        line.split()[1]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"
    ]
    assert listening == [f"0100007F:{port:04X}"]  # 127.0.0.1, not 0.0.0.0


def test_token_is_kept_private(served: Served) -> None:
    path = served.root / ".git" / "gitmem" / "serve-token"
    assert path.read_text().strip() == served.token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_writes_need_the_token(served: Served) -> None:
    new = {"text": "Pool size is 20\n\nMeasured under load.", "type": "fact", "tags": ["db"]}
    url = served.url + "/api/v1/records"
    assert error(httpx.post(url, json=new), 401) == (
        "no token: writes need Authorization: Bearer TOKEN (see git mem serve)"
    )
    assert error(httpx.post(url, json=new, headers=auth(served, "x" * 43)), 401).startswith(
        "a wrong token"
    )
    assert error(httpx.delete(url + "/vacfact00003"), 401).startswith("no token")
    assert get(served, "/api/v1/records/vacfact00003").status_code == 200  # still there


def test_write_then_read(served: Served) -> None:
    url, headers = served.url + "/api/v1/records", auth(served)
    made = httpx.post(
        url,
        json={"text": "Pool size is 20\n\nMeasured under load.", "type": "fact", "tags": ["db"]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    new = made.json()["id"]
    assert made.json()["location"].startswith(".memory/facts/")
    assert get(served, f"/api/v1/records/{new}").json()["title"] == "Pool size is 20"
    assert new in ids(get(served, "/api/v1/records", tag="db"))

    changed = httpx.patch(
        f"{url}/{new}", json={"status": "accepted", "body": "Now 30."}, headers=headers
    )
    assert changed.json() == {"id": new, "changed": True, "location": made.json()["location"]}
    record = get(served, f"/api/v1/records/{new}").json()
    assert (record["status"], record["body"]) == ("accepted", "Now 30.\n")
    assert error(httpx.patch(f"{url}/{new}", json={"colour": "red"}, headers=headers), 400) == (
        "unknown field 'colour': expected some of type, title, status, summary, project, tags, "
        "paths, links, metadata, body"
    )

    done = httpx.post(f"{url}/vacfact00003/supersede", json={"by": new}, headers=headers)
    assert done.json() == {"old": "vacfact00003", "new": new}
    assert "vacfact00003" not in ids(get(served, "/api/v1/records"))

    gone = httpx.delete(f"{url}/{new}", params={"force": "true"}, headers=headers)
    assert gone.json()["id"] == new
    assert error(get(served, f"/api/v1/records/{new}"), 404).startswith("no memory with an id")


def test_bad_bodies(served: Served) -> None:
    url, headers = served.url + "/api/v1/records", auth(served)
    bad = httpx.post(url, content=b"{not json", headers=headers)
    assert error(bad, 400).startswith("the request body is not JSON:")
    assert error(httpx.post(url, json=["a"], headers=headers), 400) == (
        "the request body must be a JSON object"
    )
    assert error(httpx.post(url, json={"type": "fact"}, headers=headers), 400) == (
        "missing field 'text'"
    )
    assert error(httpx.post(url, json={"text": "x", "type": "poem"}, headers=headers), 400) == (
        "unknown type 'poem': expected one of fact, decision, code, error, procedural, episodic, "
        "user"
    )
    assert error(httpx.post(url, json={"text": "x", "tags": 3}, headers=headers), 400) == (
        "tags must be a list of strings"
    )
    for change, message in (
        ({"tags": [1]}, "tags must be a list of strings"),
        ({"paths": "src/"}, "paths must be a list of strings"),
        ({"metadata": 3}, "metadata must be an object (a null value removes a key)"),
        ({"title": 7}, "title must be a string"),
        ({"title": ""}, "title cannot be empty"),
    ):
        patched = httpx.patch(f"{url}/pgsqdb000002", json=change, headers=headers)
        assert error(patched, 400) == message
    itself = httpx.post(f"{url}/pgsq/supersede", json={"by": "pgsq"}, headers=headers)
    assert error(itself, 400) == "a memory cannot supersede itself"


def test_oversized_requests_are_refused(served: Served) -> None:
    url, headers = served.url + "/api/v1/records", auth(served)
    big = {"text": "x" * (2 * 1024 * 1024)}
    assert error(httpx.post(url, json=big, headers=headers), 413) == (
        "the request body is larger than 1048576 bytes"
    )

    def chunks() -> Any:  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b"x" * 65536

    streamed = httpx.post(url, content=chunks(), headers=headers)
    assert error(streamed, 413) == "the request body is larger than 1048576 bytes"


def test_host_and_origin_are_checked(served: Served) -> None:
    port = served.url.rsplit(":", 1)[1]
    rebound = httpx.get(served.url + "/api/v1/records", headers={"Host": f"evil.example:{port}"})
    assert error(rebound, 421) == (
        f"unexpected Host 'evil.example:{port}': open http://127.0.0.1:{port}/"
    )
    assert get(served, "/api/v1/records").status_code == 200
    local = httpx.get(served.url + "/api/v1/records", headers={"Host": f"localhost:{port}"})
    assert local.status_code == 200
    foreign = httpx.post(
        served.url + "/api/v1/records",
        json={"text": "x"},
        headers={**auth(served), "Origin": "http://evil.example"},
    )
    assert error(foreign, 403) == (
        "requests from 'http://evil.example' are not allowed: this server takes its own"
    )
    same = httpx.get(served.url + "/api/v1/records", headers={"Origin": served.url})
    assert same.status_code == 200
    assert "access-control-allow-origin" not in same.headers
    assert "script-src 'self'" in same.headers["content-security-policy"]


def test_backups_create_list_verify(served: Served) -> None:
    url = served.url + "/api/v1/backups"
    assert error(httpx.post(url, json={"action": "create"}), 401).startswith("no token")
    made = httpx.post(url, json={"action": "create"}, headers=auth(served), timeout=60)
    assert made.status_code == 201, made.text
    listed = get(served, "/api/v1/backups").json()["backups"]
    name = listed[0]["name"]
    assert made.json()["path"].endswith("/" + name)
    checked = httpx.post(url, json={"action": "verify", "name": name}, headers=auth(served))
    assert checked.json()["records"] == made.json()["records"]
    escape = httpx.post(url, json={"action": "verify", "name": "../../x"}, headers=auth(served))
    assert error(escape, 400) == "verify needs the name of a bundle in the backups folder"
    missing = httpx.post(url, json={"action": "verify", "name": "no.bundle"}, headers=auth(served))
    assert error(missing, 404) == "no backup named 'no.bundle' (GET /api/v1/backups lists them)"


def test_pages_answer_bad_input_with_an_error_page(served: Served) -> None:
    for path, params, status, message in (
        ("/", {"since": "someday"}, 400, "cannot read &#39;someday&#39; as a date"),
        ("/", {"colour": "red"}, 400, "unknown parameter &#39;colour&#39;"),
        ("/records/zzzzzz", {}, 404, "no memory with an id starting &#39;zzzzzz&#39;"),
        ("/sessions/zzzzzz", {}, 404, "no session with an id starting &#39;zzzzzz&#39;"),
        ("/reports/weather", {}, 400, "unknown report &#39;weather&#39;"),
        ("/", {"q": "x", "scope": "everywhere"}, 400, "unknown scope &#39;everywhere&#39;"),
        ("/", {"q": "x", "scope": "sessions", "tag": "ops"}, 400, "tag filter memories: not in"),
        ("/nowhere", {}, 404, "no such page: /nowhere"),
    ):
        answer = get(served, path, **params)
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert message in answer.text, (path, answer.text)
    for path, params in (("/", {"commit": "HEAD"}), ("/timeline", {"type": "decision"})):
        answer = get(served, path, **params)
        assert answer.status_code == 200, (path, answer.text)
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    fragment = get(served, "/", q="jsonb", fragment="1").text
    assert fragment.startswith('\n<div class="layout">') or '<div class="layout">' in fragment
    assert "<html" not in fragment and "<mark>JSONB</mark>" in fragment
    assert get(served, "/records/pgsq").url.path == "/records/pgsqdb000002"  # the permalink


ODD = ("\x00", "../../../etc/passwd", "ä" * 300)  # a NUL, a way out, a long non-ASCII value


def test_odd_input_is_never_a_500(served: Served) -> None:
    """Every parameter of every GET endpoint and page, each odd value: an answer or a one-line
    error, never a 500 (a NUL once reached `git rev-parse` as an argument and was one). The
    record filters are read by one `Query.filter` everywhere: tried on /records only."""
    from gitmem.serve.api import ENDPOINTS
    from gitmem.serve.pages import SEARCH_PARAMS
    from gitmem.serve.params import FILTERS

    sid = get(served, "/api/v1/sessions").json()["sessions"][0]["id"]
    asked = [
        (
            "/api/v1" + e.path.replace("{id}", sid if "sessions" in e.path else "pgsq"),
            [n for n in e.params if e.path == "/records" or n not in FILTERS],
        )
        for e in ENDPOINTS
        if e.method == "GET"
    ]
    asked += [
        ("/", [n for n in SEARCH_PARAMS if n not in FILTERS]),
        ("/timeline", ["type"]),
        (f"/sessions/{sid}", ["q"]),
    ]
    client = httpx.Client(base_url=served.url, timeout=30)  # one connection: ~300 requests
    for path, names in asked:
        path = path.replace("{kind}", "decisions")
        for name in names:
            for value in ODD:
                params = {name: value}
                if name != "q" and path.endswith("/search"):
                    params["q"] = "catalog"
                answer = client.get(path, params=params, follow_redirects=True)
                assert answer.status_code in (200, 400, 404), (path, name, value, answer.text)
                if answer.status_code != 200 and path.startswith("/api/"):
                    error(answer, answer.status_code)
    for template in ("/api/v1/records/", "/api/v1/reports/", "/records/", "/reports/"):
        for raw in ("%00%00%00%00", "%FF%FE%FD%FC", "..%2F..%2Fetc", "a" * 300):
            answer = client.get(template + raw)
            assert answer.status_code in (400, 404), (template, raw, answer.text)
    client.close()
    headers = auth(served)
    for method, path, body, status, message in (
        ("POST", "/records", {"text": "x", "commit": "\x00"}, 400, "cannot resolve"),
        ("POST", "/backups", {"action": "create", "branch": "\x00"}, 400, "'refs/heads/"),
        ("POST", "/backups", {"action": "verify", "name": "a\x00"}, 404, "no backup named"),
        ("POST", "/records/vacf/supersede", {"by": "\x00" * 5}, 404, "no memory with an id"),
        ("PATCH", "/records/vacf", {"links": ["\x00" * 5]}, 404, "no memory with an id"),
    ):
        answer = httpx.request(
            method, served.url + "/api/v1" + path, json=body, headers=headers, timeout=30
        )
        assert error(answer, status).startswith(message), (path, body)


def cli_json(served: Served, *args: str) -> Any:
    import json

    from serverepo import run

    return json.loads(run(served.root, *args))


def test_answers_are_the_documents_the_cli_prints(served: Served) -> None:
    """The same core as the CLI: each endpoint's document is what `--json` prints (plus the
    paging fields, and `hidden` on a search)."""
    listed = get(served, "/api/v1/records", type="fact").json()
    cli = cli_json(served, "list", "--json", "--type", "fact")
    assert (listed["count"], listed["records"]) == (cli["count"], cli["records"])
    assert get(served, "/api/v1/records/pgsq").json() == cli_json(served, "show", "--json", "pgsq")
    found = get(served, "/api/v1/search", q="catalog postgresql").json()
    assert found.pop("hidden") is None
    assert found == cli_json(served, "search", "--json", "catalog", "postgresql")
    messages = get(served, "/api/v1/search", q="autovacuum", scope="sessions").json()
    assert messages == cli_json(served, "search", "--sessions", "--json", "autovacuum")
    assert get(served, "/api/v1/sessions").json() == cli_json(served, "session", "list", "--json")
    pack = get(served, "/api/v1/context", budget="300", query="vacuum").json()
    assert pack == cli_json(served, "context", "--json", "--budget", "300", "--query", "vacuum")
    report = get(served, "/api/v1/reports/decisions").json()
    assert report == cli_json(served, "report", "decisions", "--format", "json")


def test_fresh_after_changes_made_behind_its_back(served: Served) -> None:
    """A long-lived server sees what other processes do at once: a CLI save, an edit of the
    file in an editor, a deploy note, a CLI rm."""
    from serverepo import run

    saved = cli_json(served, "save", "--json", "-t", "fact", "-m", "Fresh from the CLI")
    new = saved["id"]
    assert get(served, f"/api/v1/records/{new}").json()["title"] == "Fresh from the CLI"
    path = served.root / saved["location"]
    path.write_text(path.read_text().replace("Fresh from the CLI", "Edited in an editor"))
    assert get(served, f"/api/v1/records/{new}").json()["title"] == "Edited in an editor"
    assert [h["id"] for h in get(served, "/api/v1/search", q="editor").json()["hits"]] == [new]
    run(served.root, "deploy", "--env", "staging", "--version", "1.5.0")
    envs = [e["env"] for e in get(served, "/api/v1/deploys").json()["environments"]]
    assert sorted(envs) == ["production", "staging"]
    run(served.root, "rm", "--force", new)
    assert error(get(served, f"/api/v1/records/{new}"), 404).startswith("no memory with an id")
