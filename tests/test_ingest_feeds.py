"""RSS/Atom feeds and OPML lists: from files (offline) and from the local test site (entries fetched).

Only 127.0.0.1 is ever contacted; the network guard fails a test that tries anything else.
"""

from __future__ import annotations

from datetime import date

import pytest

from detente.ingest.feeds import (
    html_fragment_text,
    is_url,
    read_feed,
    read_opml,
    read_source,
    read_url,
)
from detente.ingest.fetch import Fetcher
from detente.ingest.readers import is_feed_path
from detente.records import Article, InputError
from tests.local_http import FEEDS_DIR, network, site  # noqa: F401 - fixtures




@pytest.fixture
def local_fetcher():
    with Fetcher(allow_private=True, politeness=0.0, backoff=0.01, deadline=10.0) as f:
        yield f


def split(results):
    arts = [r for r in results if isinstance(r, Article)]
    errs = [r for r in results if isinstance(r, InputError)]
    assert len(arts) + len(errs) == len(results)
    return arts, errs


# ---------------------------------------------------------------- files, offline


def test_feed_file_with_content_offline():
    arts, errs = split(list(read_feed(FEEDS_DIR / "world_news.rss", None, default_date=date(2024, 1, 1))))
    assert [a.title for a in arts] == [
        "NATO allies pledge air defence systems for Ukraine",
        "India and Bangladesh agree to share Teesta river data",
        "Brazil recalls ambassador",
    ]
    nato, india, brazil = arts
    # content:encoded, as paragraphs of plain text
    assert nato.id == nato.url == "https://courier.example/world/nato-air-defence"
    assert nato.date == date(2024, 7, 11)
    assert nato.outlet == "Northern Courier: World"
    assert nato.author == "Marta Lindqvist"
    assert nato.language == "en"
    assert "Patriot batteries" in nato.text and "<p>" not in nato.text
    assert nato.text.count("\n\n") == 3  # four paragraphs
    assert "Allies announced new air defence deliveries" not in nato.text  # the teaser is not the story
    # a long HTML summary is the story
    assert "Teesta" in india.text and india.date == date(2024, 7, 10)
    # without a fetcher a short summary is all there is
    assert brazil.text.startswith("Brazil recalled its ambassador")
    # the empty entry, named by feed and position
    assert len(errs) == 1
    assert errs[0].input == f"{FEEDS_DIR / 'world_news.rss'}#entry-3"
    assert errs[0].stage == "feed" and "neither text nor a link" in errs[0].reason


def test_entry_date_in_the_future_is_passed_over(tmp_path):
    """A broken feed's "2999" would date every event of the entry: it is treated as no date."""
    feed = (FEEDS_DIR / "world_news.rss").read_text(encoding="utf-8")
    broken = tmp_path / "future.rss"
    broken.write_text(feed.replace("Thu, 11 Jul 2024 17:45:00", "Thu, 11 Jul 2999 17:45:00"), encoding="utf-8")
    arts, _ = split(list(read_feed(broken, None, default_date=date(2024, 1, 1))))
    dates = {a.title: a.date for a in arts}
    assert dates["NATO allies pledge air defence systems for Ukraine"] == date(2024, 1, 1)
    assert dates["India and Bangladesh agree to share Teesta river data"] == date(2024, 7, 10)


def test_atom_file_uses_the_entry_source_as_outlet():
    (art,) = list(read_feed(FEEDS_DIR / "briefing.atom", None))
    assert isinstance(art, Article)
    assert art.outlet == "Caspian Dispatch"
    assert art.date == date(2024, 5, 10)
    assert art.title.startswith("Armenia and Azerbaijan")
    assert "Almaty" in art.text


def test_short_entry_whose_link_cannot_be_fetched_is_an_error_naming_it(local_fetcher):
    results = list(read_feed(FEEDS_DIR / "world_news.rss", local_fetcher))
    arts, errs = split(results)
    assert [a.title for a in arts][:2] == [
        "NATO allies pledge air defence systems for Ukraine",
        "India and Bangladesh agree to share Teesta river data",
    ]
    brazil = [e for e in errs if "brazil" in e.input]
    assert len(brazil) == 1
    assert brazil[0].input == "https://courier.example/world/brazil-recalls-ambassador"
    assert brazil[0].stage == "fetch" and "cannot resolve host courier.example" in brazil[0].reason


def test_local_opml_reads_every_feed_and_names_the_missing_one():
    arts, errs = split(list(read_opml(FEEDS_DIR / "desk.opml", None)))
    assert len(arts) == 4
    assert {a.outlet for a in arts} == {"Northern Courier: World", "Caspian Dispatch"}
    missing = [e for e in errs if e.input.endswith("missing_feed.rss")]
    assert len(missing) == 1 and missing[0].reason == "no such file"
    assert missing[0].input == str(FEEDS_DIR / "missing_feed.rss")


@pytest.mark.parametrize(
    "name, why",
    [
        ("broken.rss", "not an RSS/Atom feed: "),
        ("not_a_feed.xml", "not an RSS/Atom feed: an HTML page"),
        ("no_such.rss", "no such file"),
    ],
)
def test_broken_feed_files_are_one_error(name, why):
    results = list(read_feed(FEEDS_DIR / name, None))
    assert len(results) == 1 and isinstance(results[0], InputError)
    assert results[0].input == str(FEEDS_DIR / name)
    assert results[0].reason.startswith(why)


def test_broken_feed_reason_says_where(tmp_path):
    (err,) = read_feed(FEEDS_DIR / "broken.rss", None)
    assert "line" in err.reason
    binary = tmp_path / "junk.rss"
    binary.write_bytes(b"\x00\x01\x02\xff" * 50)
    (err,) = read_feed(binary, None)
    assert isinstance(err, InputError) and err.reason.startswith("not an RSS/Atom feed")
    empty = tmp_path / "empty.rss"
    empty.write_bytes(b"")
    (err,) = read_feed(empty, None)
    assert err.reason == "empty file"
    no_items = tmp_path / "quiet.rss"
    no_items.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    (err,) = read_feed(no_items, None)
    assert err.reason == "feed has no entries"


def test_bad_opml(tmp_path):
    not_opml = tmp_path / "list.opml"
    not_opml.write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    (err,) = read_opml(not_opml, None)
    assert "root element is <rss>" in err.reason
    empty_list = tmp_path / "empty.opml"
    empty_list.write_text('<opml version="2.0"><head/><body><outline text="folder"/></body></opml>')
    (err,) = read_opml(empty_list, None)
    assert "names no feeds" in err.reason
    entity = tmp_path / "xxe.opml"
    entity.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<opml version="2.0"><body><outline xmlUrl="&x;"/></body></opml>'
    )
    results = list(read_opml(entity, None))
    assert all(isinstance(r, InputError) for r in results)
    assert not any("root:" in r.reason for r in results)  # the external entity was never read


def test_private_and_odd_entry_links_refused_without_a_packet(network):
    with Fetcher(politeness=0.0, backoff=0.01) as f:
        results = list(read_feed(FEEDS_DIR / "private_link.rss", f))
    assert len(results) == 3 and all(isinstance(r, InputError) for r in results)
    metadata, intranet, local_file = results
    assert "metadata" in metadata.reason
    assert intranet.input == "http://10.0.0.1/admin" and "(private network)" in intranet.reason
    assert "scheme 'file:' refused" in local_file.reason
    assert network.connected == []


# ---------------------------------------------------------------- URLs, local site


def test_feed_url_entries_fetched_from_the_site(site, local_fetcher):
    url = site.url("/site/links.rss")
    arts, errs = split(list(read_url(url, local_fetcher)))
    assert len(arts) == 2
    doha, grain = arts
    assert doha.url == site.url("/site/ceasefire_talks.html")
    assert doha.title == "Envoys meet in Doha as ceasefire talks resume"  # the feed's title, not the page's
    assert "Egyptian delegation" in doha.text  # the page, not the one-line summary
    assert doha.date == date(2024, 7, 15)
    assert doha.outlet == "The Meridian Ledger - World"
    assert doha.author == "Hana Sorensen"
    assert grain.url == site.url("/site/grain_corridor.html")  # relative link resolved against the feed
    assert grain.date == date(2024, 7, 16)
    assert "joint inspection centre" in grain.text
    assert len(errs) == 1
    assert errs[0].input == site.url("/status/404") and errs[0].reason == "HTTP 404 Not Found"


def test_feed_url_with_full_content_fetches_no_links(site, local_fetcher):
    arts, errs = split(list(read_feed(site.url("/site/wire.atom"), local_fetcher)))
    assert not errs and len(arts) == 2
    assert site.count("/wire/") == 0
    pact, kenya = arts
    assert pact.author == "Kenji Moriyama" and pact.date == date(2024, 7, 8)
    assert kenya.date == date(2024, 7, 9)  # only <updated>
    assert pact.outlet == "Harbour Wire" and pact.language == "en"
    assert "reciprocal access agreement" in pact.text


def test_fetch_entries_off_uses_the_summaries(site, local_fetcher):
    before = site.count("/site/ceasefire_talks.html")
    arts, errs = split(list(read_url(site.url("/site/links.rss"), local_fetcher, fetch_entries=False)))
    assert len(arts) == 3 and not errs
    assert arts[0].text == "Negotiators met in Doha on Monday to revive stalled talks."
    assert site.count("/site/ceasefire_talks.html") == before


def test_opml_url_reads_both_feeds_once(site, local_fetcher):
    arts, errs = split(list(read_opml(site.url("/site/list.opml"), local_fetcher)))
    assert {a.outlet for a in arts} == {"The Meridian Ledger - World", "Harbour Wire"}
    assert len(arts) == 4 and len(errs) == 1  # the 404 entry
    assert site.count("/site/wire.atom") >= 1
    wire_hits_before = site.count("/site/wire.atom")
    list(read_source(site.url("/site/list.opml"), local_fetcher, fetch_entries=False))
    assert site.count("/site/wire.atom") == wire_hits_before + 1  # listed twice, read once


def test_read_url_of_a_page_or_a_mislabelled_feed(site, local_fetcher):
    (page,) = list(read_url(site.url("/site/grain_corridor.html"), local_fetcher))
    assert isinstance(page, Article) and page.title.startswith("Turkey offers to mediate")
    mislabelled = list(read_url(site.url("/feed-as-html"), local_fetcher, fetch_entries=False))
    assert len(mislabelled) == 3 and all(isinstance(r, Article) for r in mislabelled)


def test_feed_urls_that_are_not_feeds(site, local_fetcher):
    (html_as_feed,) = list(read_feed(site.url("/html-as-feed"), local_fetcher))
    assert isinstance(html_as_feed, InputError)
    assert html_as_feed.reason == "not an RSS/Atom feed: the URL serves an HTML page (application/rss+xml)"
    (page,) = list(read_feed(site.url("/site/grain_corridor.html"), local_fetcher))
    assert isinstance(page, InputError) and "serves an HTML page (text/html)" in page.reason
    (image,) = list(read_feed(site.url("/image.png"), local_fetcher))
    assert isinstance(image, InputError) and "content type image/png" in image.reason
    (gone,) = list(read_feed(site.url("/status/404"), local_fetcher))
    assert isinstance(gone, InputError) and gone.stage == "fetch" and gone.reason == "HTTP 404 Not Found"


def test_urls_need_a_fetcher_and_the_default_one_refuses_the_local_site(site):
    (off,) = list(read_feed(site.url("/site/links.rss"), None))
    assert isinstance(off, InputError) and "no fetcher" in off.reason
    with Fetcher(politeness=0.0) as f:
        (refused,) = list(read_url(site.url("/site/links.rss"), f))
    assert isinstance(refused, InputError) and refused.reason.startswith("refused address: 127.0.0.1 (loopback)")


# ---------------------------------------------------------------- helpers


def test_source_kinds():
    assert is_feed_path("news.RSS") and is_feed_path("a/b.atom") and is_feed_path("x.xml") and is_feed_path("list.opml")
    assert not is_feed_path("page.html") and not is_feed_path("corpus.jsonl")
    assert is_url("https://example.org/feed") and is_url("ftp://x/y") and is_url("javascript:alert(1)")
    assert not is_url("feeds/world.rss") and not is_url(FEEDS_DIR / "world_news.rss")


def test_html_fragment_text_keeps_paragraphs_and_drops_scripts():
    html = "<div>Lead<p>First &amp; second.</p><script>track()</script><ul><li>one</li><li>two</li></ul>tail<br>next</div>"
    assert html_fragment_text(html) == "Lead\n\nFirst & second.\n\none\n\ntwo\n\ntail next"
