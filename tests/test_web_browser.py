"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright's Python API, against
uvicorn serving a store built from the example article, the history and an article carrying script
payloads.

Clicks through dyad -> chart -> event -> evidence (cue highlighted), checks the other views render,
that the payload article's title and text are shown as text and no script of theirs ran, and that the
page raised no CSP violation or other console error. Skipped when Chromium is missing, except under CI
(``CI`` set), where a missing browser is a failure.

``python -m tests.test_web_browser --screenshot docs/dyad_view.png`` writes the README's screenshot.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_api import PAYLOAD_IMG, PAYLOAD_SCRIPT, PAYLOAD_TITLE, build_store

CHROMIUM = os.environ.get("DETENTE_CHROMIUM", "/usr/bin/chromium")


def _browser_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


if not _browser_available():
    if os.environ.get("CI"):
        raise RuntimeError(f"CI: Chromium not found at {CHROMIUM}; the set-up script installs Debian's chromium")
    pytest.skip(f"Chromium not found at {CHROMIUM}", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(db: Path, coder=None) -> Iterator[str]:
    """uvicorn serving the dashboard on 127.0.0.1 in a thread; yields the base URL."""
    import uvicorn

    from detente.web import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db, coder=coder), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def browser_page(width: int = 1280, height: int = 1000):
    """A Chromium page and the list its console errors and page errors are collected in."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") or "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.set_default_timeout(15_000)
            yield page, problems
        finally:
            browser.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder) -> Path:
    return build_store(tmp_path_factory.mktemp("browser") / "news.duckdb", coder, payload=True)


@pytest.fixture(scope="module")
def base(db) -> Iterator[str]:
    with running(db) as url:
        yield url


@pytest.fixture(scope="module")
def ids(db) -> dict:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        call = con.execute(
            "SELECT event_id, cue FROM events WHERE event = 'CONSULT' AND actor_country = 'RUS'"
            " AND recipient_country = 'USA' AND date = DATE '2024-07-12' AND modality = 'asserted'").fetchone()
        payload_article = con.execute("SELECT article_id FROM articles WHERE doc_id = 'payload'").fetchone()[0]
        payload_event = con.execute("SELECT event_id FROM mentions WHERE article_id = ? AND text LIKE '%onerror%'",
                                    [payload_article]).fetchone()[0]
    return {"call": call[0], "cue": call[1], "payload_article": payload_article, "payload_event": payload_event}


def no_script_ran(page) -> None:
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("main script").count() == 0


def test_dyad_chart_event_evidence(base, ids):
    with browser_page() as (page, problems):
        page.goto(f"{base}/#dyad")
        page.wait_for_selector("body[data-ready]")
        page.fill("#dyad-form input[name=a]", "RUS")
        page.fill("#dyad-form input[name=b]", "USA")
        page.select_option("#dyad-form select[name=by]", "month")
        page.click("#dyad-show")
        page.wait_for_selector("#dyad-chart[data-rendered] svg.marks")
        box = page.locator("#dyad-chart svg.marks").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
        assert "RUS-USA by month" in page.inner_text("#dyad-summary")
        # the latest contact of the pair and the silence before the 2024 calls
        gaps = page.inner_text("#dyad-gaps")
        assert gaps.splitlines()[0].startswith("2024-07-1") and "silence" in gaps
        listed = page.locator("#dyad-events button")
        assert listed.count() >= 5
        page.click(f"#dyad-events button[data-event-id='{ids['call']}']")
        page.wait_for_selector(f"#evidence[data-event-id='{ids['call']}'] mark.cue")
        marks = page.locator("#evidence mark.cue").all_inner_texts()
        assert marks and marks[0].lower() == ids["cue"].split()[0].lower()
        sentence = page.inner_text("#evidence blockquote.sentence >> nth=0")
        assert "Belousov" in sentence and marks[0] in sentence
        assert "RUSGOV" in page.inner_text("#evidence") and "USAGOV" in page.inner_text("#evidence")
        no_script_ran(page)
        assert not problems, problems


def test_chart_points_are_clickable(base, ids):
    """A real mouse click on an event's point in the chart opens its evidence (the point is found
    through the datum Vega's SVG renderer attaches to each mark element)."""
    with browser_page() as (page, problems):
        page.goto(f"{base}/#dyad")
        page.wait_for_selector("#dyad-chart[data-rendered] svg.marks")
        centres = page.evaluate("""(id) => [...document.querySelectorAll('#dyad-chart g.mark-symbol path')]
            .filter(p => p.__data__ && p.__data__.datum && p.__data__.datum.event_id === id)
            .map(p => { const b = p.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })""",
                                ids["call"])
        assert len(centres) == 1, "the event is drawn as one point"
        page.mouse.click(*centres[0])
        page.wait_for_selector("#evidence mark.cue")
        shown = int(page.get_attribute("#evidence", "data-event-id"))
        # points of one day between the pair may overlap: then the top one is shown
        assert shown == ids["call"] or "2024-07-12" in page.inner_text("#evidence h4")
        assert "Belousov" in page.inner_text("#evidence")
        assert not problems, problems


def test_payload_article_renders_inert(base, ids):
    with browser_page() as (page, problems):
        page.goto(f"{base}/#article/{ids['payload_article']}")
        page.wait_for_selector("#article-events li")
        assert page.inner_text("#article-title") == PAYLOAD_TITLE
        text = page.inner_text("#article-text")
        assert PAYLOAD_SCRIPT in text and PAYLOAD_IMG in text
        no_script_ran(page)
        # the payload event in the dyad view's list and its evidence
        page.goto(f"{base}/#dyad")
        page.wait_for_selector(f"#dyad-events button[data-event-id='{ids['payload_event']}']")
        page.click(f"#dyad-events button[data-event-id='{ids['payload_event']}']")
        page.wait_for_selector(f"#evidence[data-event-id='{ids['payload_event']}'] mark.cue")
        assert PAYLOAD_IMG in page.inner_text("#evidence")
        # the event page and the events table show the sentence as text too
        page.goto(f"{base}/#event/{ids['payload_event']}")
        page.wait_for_selector(f"#event-detail[data-event-id='{ids['payload_event']}']")
        assert PAYLOAD_IMG in page.inner_text("#event-detail")
        page.goto(f"{base}/#events")
        page.wait_for_selector("#events-table tbody tr")
        page.fill("#events-form input[name=since]", "2024-07-17")
        page.click("#events-form button[type=submit]")
        page.wait_for_function("() => document.querySelectorAll('#events-table tbody tr').length <= 3")
        assert PAYLOAD_IMG in page.inner_text("#events-table")
        time.sleep(0.3)  # an onerror handler would fire once the bogus image failed to load
        no_script_ran(page)
        assert not problems, problems


def test_other_views_render(base):
    with browser_page() as (page, problems):
        page.goto(f"{base}/#events")
        page.wait_for_selector("#events-table tbody tr")
        page.fill("#events-form input[name=actor]", "NATO")
        page.click("#events-form button[type=submit]")
        page.wait_for_function("() => [...document.querySelectorAll('#events-table tbody tr td:nth-child(3)')]"
                               ".every(td => td.textContent.startsWith('NATO'))")
        page.goto(f"{base}/#surprises")
        page.wait_for_selector("#surprises-list li a")
        assert "bits" in page.inner_text("#surprises-list")
        page.goto(f"{base}/#actor")
        page.fill("#actor-form input[name=q]", "Belousov")
        page.click("#actor-form button[type=submit]")
        page.click("#actor-results button >> text=Andrey Belousov")
        page.wait_for_selector("#actor-detail table.offices")
        assert "2024-05" in page.inner_text("#actor-detail table.offices")
        page.goto(f"{base}/#map")
        page.wait_for_selector("#map-chart[data-rendered] svg.marks")
        assert "RUS" in page.inner_text("#map-list")
        # a bad filter shows the API's reason, not a broken page
        page.goto(f"{base}/#events")
        page.evaluate("() => { const i = document.querySelector('#events-form input[name=country]');"
                      " i.removeAttribute('pattern'); i.value = 'R1'; }")
        page.click("#events-form button[type=submit]")
        page.wait_for_selector("#error:not([hidden])")
        assert "country" in page.inner_text("#error")
        assert not [p for p in problems if "422" not in p], problems


def screenshot(out: Path) -> Path:
    """Build the example store in a temporary folder and photograph the dyad view with evidence open."""
    import tempfile
    from datetime import date

    from detente.pipeline import Coder

    with tempfile.TemporaryDirectory() as tmp:
        db = build_store(Path(tmp) / "news.duckdb", Coder())
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            call = con.execute("SELECT event_id FROM events WHERE event = 'CONSULT' AND actor_country = 'RUS'"
                               " AND recipient_country = 'USA' AND date = ?", [date(2024, 7, 12)]).fetchone()[0]
        with running(db) as base, browser_page(1280, 1280) as (page, _problems):
            page.goto(f"{base}/#dyad")
            page.wait_for_selector("#dyad-chart[data-rendered] svg.marks")
            page.click(f"#dyad-events button[data-event-id='{call}']")
            page.wait_for_selector("#evidence mark.cue")
            page.evaluate("() => window.scrollTo(0, 0)")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=False)
    return out


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--screenshot":
        print(screenshot(Path(sys.argv[2])))
    else:
        sys.exit("usage: python -m tests.test_web_browser --screenshot docs/dyad_view.png")
