"""The web UI in a real headless Chromium (Debian's, driven by Playwright; no browser download):
search as you type, open a record, follow a supersedes link, a transcript at a search hit, and
the XSS record shown as text with no dialog and no script of its own. Screenshots of each page go
to $GITMEM_SCREENSHOTS when set (docs/screenshots/ was made that way)."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser import CHROMIUM, FLAGS, needs_chromium
from serverepo import XSS_AUTHOR, XSS_BODY, XSS_TAG, XSS_TITLE, Served, served

SHOTS = os.environ.get("GITMEM_SCREENSHOTS")

pytestmark = [pytest.mark.slow, needs_chromium]
__all__ = ["served"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 850})
    dialogs: list[str] = []
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    assert dialogs == []  # no alert() ran, anywhere
    context.close()


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def test_search_as_you_type_then_record_then_supersedes(page: Any, served: Served) -> None:
    page.goto(served.url + "/")
    shot(page, "search-empty")
    page.locator("#q").press_sequentially("jsonb", delay=20)
    page.locator("#results mark").first.wait_for()  # the results of the query came in
    titles = page.locator("#results .hit a.rec").all_inner_texts()
    assert titles == ["Use PostgreSQL for the catalog"]
    assert page.locator("#results mark").first.inner_text() == "JSONB"
    assert page.url.endswith("/?q=jsonb")  # the permalink of what is shown
    shot(page, "search")

    page.keyboard.press("Escape")
    page.keyboard.press("j")  # keyboard navigation: the first hit, then Enter opens it
    page.keyboard.press("Enter")
    page.wait_for_url("**/records/pgsqdb000002")
    assert page.locator("h1").inner_text() == "Use PostgreSQL for the catalog"
    assert page.locator(".body strong").inner_text() == "flexible"  # Markdown rendered
    assert "Autovacuum must run nightly" in page.locator("#links").inner_text()
    nearby = page.locator("#nearby").inner_text()
    assert "Autovacuum must run nightly" in nearby
    shot(page, "record")
    if SHOTS:  # the dark theme follows the system's
        page.emulate_media(color_scheme="dark")
        shot(page, "record-dark")
        page.emulate_media(color_scheme="light")

    page.locator("a.older", has_text="Use SQLite for the catalog").click()
    page.wait_for_url("**/records/sq1tedb00001")
    assert page.locator(".banner").inner_text() == "Superseded by Use PostgreSQL for the catalog"
    page.locator("a.newer").click()  # and back up the chain
    page.wait_for_url("**/records/pgsqdb000002")


def test_facets_narrow_without_javascript(browser: Any, served: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(served.url + "/?q=catalog")
    tab.locator(".facets a", has_text="fact").click()
    tab.wait_for_url("**/?q=catalog&type=fact")
    titles = tab.locator("#results a.rec").all_inner_texts()
    assert titles == ["Autovacuum must run nightly"]
    tab.goto(served.url + "/?q=catalog")
    headings = tab.locator(".facets h3").all_text_contents()
    assert headings == ["type", "tag", "status", "author", "path"]
    tab.locator(".facets a", has_text="Ada Lovelace").click()
    tab.wait_for_url("**/?q=catalog&author=Ada+Lovelace+%3Cada%40example.com%3E")
    assert tab.locator("#results a.rec").all_inner_texts() == ["Autovacuum must run nightly"]
    tab.goto(served.url + "/?q=catalog")
    tab.locator(".facets a", has_text="src/db/").first.click()
    tab.wait_for_url("**/?q=catalog&path=src%2Fdb%2F")
    assert tab.locator("#results a.rec").all_inner_texts() == [  # src/db/ and what is under it
        "Use PostgreSQL for the catalog",
        "Autovacuum must run nightly",
    ]
    context.close()


def test_transcript_at_a_search_hit(page: Any, served: Served) -> None:
    page.goto(served.url + "/?q=vacuum")
    page.locator("#results a", has_text="transcript").click()
    page.wait_for_url("**/sessions/*?q=vacuum#hit-1")
    hits = page.locator(".msg.hit")
    assert hits.count() == 1
    assert "autovacuum was off on the catalog table" in hits.first.inner_text()
    assert page.locator("h1").inner_text() == "Session catalog slowness"
    shot(page, "transcript")


def test_conversations_searched_as_you_type_and_opened_at_the_message(
    page: Any, served: Served
) -> None:
    page.goto(served.url + "/")
    page.locator("#scope").select_option("sessions")  # "in conversations"
    page.locator("#q").press_sequentially("slow", delay=20)
    page.locator("#results .hit.message").first.wait_for()
    link = page.locator("#results .hit.message a.rec")
    assert link.all_inner_texts() == ["user, message 1 of “catalog slowness”"]
    assert page.locator("#results mark").first.inner_text() == "slow"
    assert page.url.endswith("/?q=slow&scope=sessions")  # the permalink of what is shown
    shot(page, "conversations")
    link.click()
    page.wait_for_url("**/sessions/*?q=slow#m-1")
    target = page.locator(".msg:target")  # the message of the hit, scrolled to and outlined
    assert "why is the catalog slow" in target.inner_text()
    assert target.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight }"
    )
    page.goto(served.url + "/?q=autovacuum&scope=all")  # both, in one ranking
    kinds = page.locator("#results .hit .type").all_inner_texts()
    assert sorted(kinds) == ["conversation", "fact"]  # the message and "Autovacuum must run"


def test_xss_record_renders_as_text(page: Any, served: Served) -> None:
    page.goto(served.url + "/records/xssxssxss001")
    assert page.locator("h1").inner_text() == XSS_TITLE
    body = page.locator(".body").inner_text()
    assert body.startswith("[x](javascript:alert(1)) and <script>alert(2)</script>")
    assert XSS_BODY.split(" <b")[0] in body
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    assert page.locator("[onerror], [onclick]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    # the only script of the page is ours
    assert page.eval_on_selector_all("script", "s => s.map(e => e.src)") == [
        served.url + "/static/app.js"
    ]
    page.goto(served.url + "/?q=onerror")
    page.locator("#results .hit").first.wait_for()
    assert page.locator("main img").count() == 0
    shot(page, "xss")


def test_other_pages_render(page: Any, served: Served) -> None:
    for path, heading, name in (
        ("/decisions", "Decisions", "decisions"),
        ("/timeline", "Timeline", "timeline"),
        ("/sessions", "Sessions", "sessions"),
        ("/reports", "Reports", "reports"),
        ("/deploys", "Deploy report", "deploys"),
    ):
        page.goto(served.url + path)
        assert page.locator("h1").first.inner_text() == heading
        shot(page, name)
    assert page.locator("svg.chart").count() == 1  # the deploys of production, by week
    page.goto(served.url + "/timeline?type=deploy&type=session")
    kinds = page.locator(".event .type").all_inner_texts()
    assert sorted(kinds) == ["deploy", "session"]
    assert page.locator(".event .badge.d-success").inner_text() == "success"
    page.goto(served.url + "/decisions")
    assert page.locator(".badge.s-superseded").count() >= 1
    colour = "e => getComputedStyle(e).backgroundColor"  # each status its colour
    assert page.eval_on_selector("tbody .badge.s-superseded", colour) == "rgb(130, 80, 223)"
    assert page.eval_on_selector("tbody .badge.s-accepted", colour) == "rgb(26, 127, 55)"
    page.goto(served.url + "/records/zzzzzz")
    assert page.locator(".error").inner_text() == "no memory with an id starting 'zzzzzz'"


def test_every_page_stays_on_the_server_and_shows_user_text_as_text(
    page: Any, served: Served
) -> None:
    """A tour of every view: nothing is fetched from anywhere else (no CDN: works offline),
    the XSS record's title, tag and author show as text wherever they appear, and no page has
    an image, a script or an event attribute of theirs (the page fixture: no dialog)."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    sid = httpx.get(served.url + "/api/v1/sessions").json()["sessions"][0]["id"]
    for path, shown in (
        ("/", XSS_TITLE),
        ("/?q=onerror", XSS_AUTHOR),
        ("/?q=onerror", XSS_TAG),  # a facet and a chip
        ("/records/xssxssxss001", XSS_TAG),
        ("/timeline", XSS_TITLE),
        ("/decisions", "Use PostgreSQL for the catalog"),
        ("/sessions", "catalog slowness"),
        (f"/sessions/{sid}?q=vacuum", "autovacuum was off"),
        ("/reports", "Decision index"),
        ("/reports/timeline", XSS_TITLE),
        ("/reports/activity", "Activity"),
        ("/deploys", "DORA measures"),
    ):
        page.goto(served.url + path)
        assert shown in page.locator("main").inner_text(), path
        assert page.locator("main img, main script, main svg [onload]").count() == 0, path
        assert page.locator("[onerror], [onclick], [onload]").count() == 0, path
        assert page.eval_on_selector_all("script", "s => s.map(e => e.src)") == [
            served.url + "/static/app.js"
        ], path
    assert fetched and all(url.startswith(served.url + "/") for url in fetched), fetched


def test_themes_follow_the_system(page: Any, served: Served) -> None:
    background = "getComputedStyle(document.body).backgroundColor"
    for path in ("/", "/records/pgsqdb000002", "/reports/deploys"):
        for scheme, colour in (("light", "rgb(255, 255, 255)"), ("dark", "rgb(13, 17, 23)")):
            page.emulate_media(color_scheme=scheme)
            page.goto(served.url + path)
            assert page.evaluate(background) == colour, (path, scheme)
    # the report's chart is drawn on the theme's panel colour
    chart = page.eval_on_selector("svg.chart", "e => getComputedStyle(e).backgroundColor")
    assert chart == "rgb(22, 27, 34)"
    shot(page, "deploys-dark")
    page.emulate_media(color_scheme="light")


FOREIGN_PAGE = """<!DOCTYPE html><html><body>
<form id="f" method="post" action="{url}/api/v1/records" enctype="text/plain">
<input name='{{"text": "Planted by another site", "x": "' value='"}}'>
<button id="go">go</button></form>
</body></html>"""


@pytest.fixture
def foreign_site(served: Served) -> Iterator[str]:
    """Another origin (a port of its own) serving a page that aims a form at the API."""
    html = FOREIGN_PAGE.format(url=served.url).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{site.server_address[1]}"
    site.shutdown()
    site.server_close()


def test_a_page_elsewhere_can_neither_write_nor_read(
    page: Any, served: Served, foreign_site: str
) -> None:
    """CSRF: a form on another site posting to the API is refused by its Origin (and it could
    not send the token anyway); a script there cannot read the API either."""
    page.goto(foreign_site + "/")
    read = page.evaluate(
        "url => fetch(url).then(r => 'read ' + r.status, e => 'blocked: ' + e.name)",
        served.url + "/api/v1/records",
    )
    assert read == "blocked: TypeError"
    with page.expect_navigation():
        page.locator("#go").click()
    answer = page.locator("body").inner_text()
    assert f"requests from '{foreign_site}' are not allowed: this server takes its own" in answer
    listed = httpx.get(served.url + "/api/v1/search", params={"q": "planted"}).json()
    assert listed["hits"] == []
