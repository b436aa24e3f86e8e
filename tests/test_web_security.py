"""Hostile input against the API: SQL fragments, odd unicode and very long strings in every parameter
the OpenAPI schema declares (hypothesis), script payloads in stored articles, oversized bodies.

What must hold: a request is answered 200 (and then with no row the filter does not select), 404 for
an unknown thing, or 422; never a 500 or a database error. Stored HTML comes back only as JSON data
(never as markup of a page), and every response carries the security headers.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_api import PAYLOAD_IMG, PAYLOAD_SCRIPT, PAYLOAD_TITLE, build_store

SQL = [
    "' OR 1=1 --", "'; DROP TABLE events; --", '"; DROP TABLE events; --', "RUS' OR '1'='1", "RUS\" OR \"1\"=\"1",
    "1; SELECT * FROM articles", "RUS) OR (1=1", "%", "_", "\\", "RUS%", "*/ OR /*", "UNION SELECT 1,2,3",
    "RUS USA", "rus mil", "NATO", "RUSGOV", "2024-07-12", "2024-02-30", "0", "-1", "500", "501", "1e9",
    "CONSULT", "consult,accuse", "asserted", "RUS,USA", "RUS-USA", "2024-07-12.2",
]
HOSTILE = st.one_of(
    st.sampled_from(SQL),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.builds(lambda s, n: s * n, st.sampled_from(["A", "RUS ", "'", "é", "\u202e", "\x00"]), st.integers(100, 5000)),
    st.from_regex(r"[A-Za-z]{2,10}( [A-Za-z]{3})?", fullmatch=True),
)
SKIP_PARAMS = {("/api/code", "text")}


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder) -> Path:
    return build_store(tmp_path_factory.mktemp("websec") / "news.duckdb", coder, payload=True)


@pytest.fixture(scope="module")
def client(db, coder):
    from detente.web import create_app

    with TestClient(create_app(db, coder=coder), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def counts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("events", "articles", "mentions")}


@pytest.fixture(scope="module")
def spec(client) -> dict:
    return client.get("/openapi.json").json()


def get_routes(spec: dict) -> list[tuple[str, list[dict]]]:
    return [(path, ops["get"].get("parameters", [])) for path, ops in spec["paths"].items() if "get" in ops]


def fill(path: str, params: list[dict], name: str, value: str) -> tuple[str, dict]:
    """The URL and query of a request whose parameter ``name`` is ``value`` (the others: required
    ones get a valid value, optional ones are left out)."""
    query: dict = {}
    url = path
    for p in params:
        given_value = value if p["name"] == name else None
        if p["in"] == "path":
            default = {"event_id": "1", "key": "RUS", "article_id": "0123456789abcdef"}[p["name"]]
            url = url.replace("{" + p["name"] + "}", _quote(given_value if given_value is not None else default))
        elif given_value is not None:
            query[p["name"]] = given_value
        elif p.get("required"):
            query[p["name"]] = {"a": "RUS", "b": "USA", "q": "Russia"}.get(p["name"], "RUS")
    return url, query


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def check(resp, url: str, counts: dict) -> None:
    assert resp.status_code in (200, 404, 422), (url, resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    if resp.status_code != 200:
        assert isinstance(body.get("error"), str) and body["error"]
        assert "duckdb" not in body["error"].lower() and "Traceback" not in body["error"]
    elif "events" in body and isinstance(body["events"], list):
        assert len(body["events"]) <= counts["events"]


def test_every_get_parameter_against_hostile_values(client, spec, counts):
    routes = get_routes(spec)
    assert len(routes) >= 10
    cases = [(path, params, p["name"]) for path, params in routes for p in params
             if (path, p["name"]) not in SKIP_PARAMS]
    assert len(cases) >= 30

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(value=HOSTILE)
    def one(path, params, name, value):
        url, query = fill(path, params, name, value)
        check(client.get(url, params=query), f"{url} {query}", counts)

    for path, params, name in cases:
        one(path, params, name)
    # nothing was dropped or added by any of it
    for table, n in counts.items():
        assert client.get("/api/meta").json()["counts"][table] == n


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(actor=HOSTILE, recipient=HOSTILE)
def test_actor_filters_never_return_rows_they_do_not_select(client, counts, actor, recipient):
    for params in ({"actor": actor}, {"recipient": recipient}, {"actor": actor, "recipient": recipient}):
        r = client.get("/api/events", params={**params, "limit": 500})
        check(r, str(params), counts)
        if r.status_code != 200:
            continue
        for e in r.json()["events"]:
            for side, value in params.items():
                code = value.replace(" ", "").upper()
                assert code in (e[f"{side}_code"], e[f"{side}_country"], e[f"{side}_org"]), (params, e)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(value=HOSTILE)
def test_injection_in_dates_types_and_cursor_is_422_or_filtered(client, counts, value):
    for name in ("since", "until", "type", "cursor", "dyad", "country", "modality"):
        r = client.get("/api/events", params={name: value, "limit": 500})
        check(r, f"{name}={value!r}", counts)
        if r.status_code == 200 and name == "type":
            wanted = {t.strip().upper() for t in value.split(",")}
            assert {e["event"] for e in r.json()["events"]} <= wanted


def test_sql_fragments_that_pass_the_pattern_match_nothing(client):
    # letters and one space pass the code pattern: they must be data, not SQL
    for value in ("OR ONE", "DROP TAB", "UNION ALL", "SELECT FRO"):
        r = client.get("/api/events", params={"actor": value})
        assert r.status_code == 200 and r.json()["events"] == []


def test_stored_payloads_come_back_as_json_data_only(client, db):
    with duckdb.connect(str(db), read_only=True) as con:
        aid = con.execute("SELECT article_id FROM articles WHERE doc_id = 'payload'").fetchone()[0]
        eid = con.execute("SELECT event_id FROM mentions WHERE article_id = ? AND text LIKE '%onerror%'",
                          [aid]).fetchone()[0]
    r = client.get(f"/api/articles/{aid}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    art = r.json()["article"]
    assert art["title"] == PAYLOAD_TITLE and PAYLOAD_SCRIPT in art["text"] and PAYLOAD_IMG in art["text"]
    ev = client.get(f"/api/events/{eid}").json()
    assert any(PAYLOAD_IMG in m["text"] for m in ev["mentions"])
    # the page itself is a static file: no stored string is ever part of served HTML
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert "xss" not in page.text and "onerror" not in page.text


def test_page_script_builds_dom_from_text_only():
    js = (Path(__file__).resolve().parents[1] / "detente" / "web" / "static" / "app.js").read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*", "", js)  # comments may name what the code avoids
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, sink
    assert "textContent" in code and "createTextNode" in code


@pytest.mark.parametrize("url", ["/", "/api/meta", "/api/events?actor=%27", "/static/app.js", "/api/nothing",
                                 "/static/vendor/vega.min.js"])
def test_security_headers_everywhere(client, url):
    r = client.get(url)
    csp = r.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in r.headers


def test_no_cors_by_default_and_only_given_origins(db):
    from detente.web import create_app

    origin = {"origin": "https://elsewhere.example"}
    with TestClient(create_app(db)) as plain:
        r = plain.get("/api/meta", headers=origin)
        assert "access-control-allow-origin" not in r.headers
    with TestClient(create_app(db, cors_origins=["https://analyst.example"])) as cors:
        assert "access-control-allow-origin" not in cors.get("/api/meta", headers=origin).headers
        ok = cors.get("/api/meta", headers={"origin": "https://analyst.example"})
        assert ok.headers["access-control-allow-origin"] == "https://analyst.example"


def test_store_is_opened_read_only(client):
    store = client.app.state.web.store
    assert store.read_only
    with pytest.raises(duckdb.Error):
        store.con.cursor().execute("DELETE FROM events")


def test_oversized_and_lying_bodies(client):
    big = b'{"text": "' + b"a" * 200_000 + b'"}'
    r = client.post("/api/code", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "error" in r.json()
    r = client.post("/api/code", content=b'{"text": "x"}',
                    headers={"content-type": "application/json", "content-length": "not-a-number"})
    assert r.status_code in (400, 413, 422)


def test_serve_binds_loopback_by_default():
    import inspect

    from detente.web import serve

    sig = inspect.signature(serve)
    assert sig.parameters["host"].default == "127.0.0.1"
    assert sig.parameters["cors_origins"].default is None
