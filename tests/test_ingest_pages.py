"""Slideshow, digest and duplicated pages reduced to their article once; ordinary articles untouched."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from detente.ingest import read_path
from detente.ingest.pages import canonical_key, is_furniture, normalise, reduce_page, reduce_paragraphs
from detente.records import Article

from .conftest import REPO, shared_dir

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _page(name: str) -> Article:
    out = list(read_path(PAGES / name))
    assert len(out) == 1 and isinstance(out[0], Article), out
    return out[0]


def _paragraphs(art: Article) -> list[str]:
    return art.text.split("\n\n")


def _count(art: Article, paragraph: str) -> int:
    return sum(normalise(p) == normalise(paragraph) for p in _paragraphs(art))


# ---------------------------------------------------------------- furniture markers


@pytest.mark.parametrize(
    "line",
    [
        "Never miss a story! Click here to follow Detente Wire.",
        "More for you",
        "READ MORE: Why the Baltic states are buying drones",
        "Read more",
        "Sign up for our newsletter and get the day’s world news in your inbox every morning.",
        "Next slide",
        "1 of 12",
        "Slide 3/12",
        "(4 of 7)",
        "Continue reading",
        "Advertisement",
        "Recommended",
        "Share this article",
        "Facebook",
        "Photo: Reuters",
        "Story continues below advertisement",
        "5 min read",
        "—",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        # prose that starts like furniture, or mentions it
        "Read more than 300 pages of the report, the minister said.",
        "Share prices fell in Tokyo after the announcement.",
        "Signing up to the treaty took Bhutan ten years.",
        "Don't miss the deadline, the minister warned the delegations.",
        "Recommended measures include a ceasefire along the border.",
        "Photographs published by the ministry showed damaged buildings.",
        "More for you to consider, the envoy told the council, than the text of the accord.",
        "The ministers met 1 of 12 times this year.",
        # a long paragraph is prose whatever it opens with
        "Never miss a story, the editor told the staff, " + "and the reporters filed from Kyiv every day. " * 8,
    ],
)
def test_prose_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


# ---------------------------------------------------------------- pages


BALTIC = [
    "The defence ministers of Estonia, Latvia and Lithuania signed an agreement in Riga on Monday to buy "
    "medium-range air-defence systems together, the Latvian defence ministry said.",
    "Under the agreement, Latvia will run the tender on behalf of all three states and the first batteries "
    "are due to arrive in 2026.",
    "Germany offered to lend launchers to Lithuania until the new systems are in service, a spokesman for the "
    "German defence ministry said in Berlin.",
    "Russia's foreign ministry condemned the deal as a provocation and said Moscow would take measures to "
    "protect its security.",
    "Estonian officials said they expected Finland and Poland to join later talks on a wider regional "
    "air-defence network.",
]
BALTIC_HEADINGS = ["Ministers sign in Riga", "A shared purchase", "Germany offers launchers", "Moscow protests", "What comes next"]


def test_slideshow_title_list_and_slides_reduced_to_the_article_once() -> None:
    art = _page("baltic_slideshow.html")
    paras = _paragraphs(art)
    for p in BALTIC:
        assert _count(art, p) == 1, p
    # every slide heading stays once, in front of its slide's text (the list of titles goes)
    for heading, text in zip(BALTIC_HEADINGS, BALTIC):
        assert _count(art, heading) == 1, heading
        assert paras.index(heading) + 1 == paras.index(text)
    for furniture in ("Next slide", "1 of 5", "In this slideshow", "Never miss a story", "Advertisement", "More for you", "Share this article"):
        assert furniture not in art.text
    assert "Sign up" not in art.text
    assert art.title == "Five things to know about the Baltic air-defence deal"
    assert art.outlet == "Northern Ledger" and art.author == "Ilze Ozola" and art.language == "en"


def test_digest_teasers_dropped_stories_kept() -> None:
    art = _page("morning_digest.html")
    paras = _paragraphs(art)
    assert not any(p.endswith("…") for p in paras)  # the five teasers
    for opening in ("Kenya and Ethiopia agree to reopen", "Nigeria's president meets", "South Africa recalls",
                    "The African Union suspends Gabon", "Egypt and Sudan hold talks"):
        assert sum(p.startswith(opening) for p in paras) == 1, opening
    assert "Traders on both sides had lobbied for months for the crossing to reopen." in paras
    for furniture in ("More for you", "Read more", "Continue reading", "Sign up"):
        assert furniture not in art.text
    assert len(paras) == 1 + 5 * 2 + 1  # title, 5 x (heading, story), the Kenya story's second paragraph


def test_page_with_the_story_twice_keeps_it_once() -> None:
    art = _page("amp_duplicate.html")
    paras = _paragraphs(art)
    assert len(paras) == 5  # title + 4 paragraphs, not 10
    assert art.text.count("Fishing unions in northern Chile") == 1
    # the two copies differ in apostrophes only; the first copy is the one kept
    assert "Peru's foreign minister said" in art.text


def test_ordinary_article_loses_nothing() -> None:
    import trafilatura

    raw = (PAGES / "ordinary_article.html").read_bytes()
    doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=False)
    lines = [ln.strip() for ln in doc.text.splitlines() if ln.strip()]
    kept, dropped = reduce_paragraphs(lines)
    assert dropped == [] and kept == lines
    art = _page("ordinary_article.html")
    assert _paragraphs(art) == lines
    assert "A long negotiation" in art.text and "China's offer" in art.text  # subheadings are no furniture


def test_carousels_in_an_ordinary_article_stay_out() -> None:
    """Slide classes let slideshow slides through only when the slides hold prose: a carousel of
    links and a photo gallery in an ordinary article stay discarded, as trafilatura does."""
    from detente.ingest.readers import html_to_article

    carousel = (
        '<div class="carousel"><div class="slide"><a href="/a"><span>Pakistan and India trade accusations over '
        'Kashmir</span></a></div><div class="slide"><a href="/b"><span>Nepal\'s prime minister visits Beijing</span>'
        '</a></div></div><div class="gallery"><div class="slide"><img src="x.jpg"><p>Modi and Hasina shake hands in '
        'New Delhi.</p></div><div class="slide"><img src="y.jpg"><p>Farmers on the Teesta river.</p></div></div>'
    )
    html = (PAGES / "ordinary_article.html").read_text(encoding="utf-8")
    art = html_to_article(html.replace("<h2>A long negotiation</h2>", carousel + "<h2>A long negotiation</h2>"), "o", "o")
    assert isinstance(art, Article)
    assert _paragraphs(art) == _paragraphs(_page("ordinary_article.html"))


def test_synthetic_stories_lose_only_furniture_and_repeated_words() -> None:
    """On 2,250 ordinary (synthetic) news stories, whatever is dropped is either listed furniture or
    words the story still has elsewhere (a repeat, a title repeated before its section, a teaser)."""
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared not available")
    csv.field_size_limit(10**8)
    with (shared / "eval" / "ngec_synthetic_dev.csv").open(encoding="utf-8") as fh:
        stories = [row["text"] for row in csv.DictReader(fh)]
    assert len(stories) > 2000
    dropped_total = kept_total = 0
    for story in stories:
        reduced, dropped = reduce_page(story)
        kept_keys = normalise(reduced)
        kept_total += reduced.count("\n\n") + 1
        for d in dropped:
            dropped_total += 1
            if d.reason == "furniture":
                assert is_furniture(d.paragraph) or not normalise(d.paragraph)
            else:
                assert normalise(d.paragraph) in kept_keys, d
    assert dropped_total < 0.01 * kept_total


def test_shared_slideshow_text_title_list_dropped() -> None:
    """The slideshow example (a real page's text: title, 17 slide titles, slides, furniture)."""
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared not available")
    text = (shared / "examples" / "belousov_austin_call_2024.txt").read_text(encoding="utf-8")
    reduced, dropped = reduce_page(text)
    reasons = [d.reason for d in dropped]
    assert reasons.count("title list") == 17 and reasons.count("furniture") == 2
    paras = reduced.split("\n\n")
    assert paras[1] == "Russia surprised the world" and paras[2].startswith("Not long ago Russia made a move")
    assert "Never miss a story" not in reduced and "More for you" not in reduced
    assert paras.count("Condemning Russia and China") == 1


def test_reduction_is_fast_on_a_long_page() -> None:
    body = [f"Paragraph {i}: the delegation of country {i} met the envoy in Geneva on day {i}." for i in range(20_000)]
    page = ["Title list"] + [f"Slide {i}" for i in range(500)] + body + ["Next slide", "More for you"] + body[:5000]
    start = time.perf_counter()
    kept, dropped = reduce_paragraphs(page)
    assert time.perf_counter() - start < 6.0  # about 1.5 s alone on this machine; linear, not quadratic
    assert len(kept) == 1 + 500 + 20_000 and len(dropped) == 2 + 5000


# ---------------------------------------------------------------- the text identity behind content_hash


def test_canonical_key_ignores_typography_title_line_and_furniture() -> None:
    prose = (
        "Chile's foreign minister said the talks would resume in March - both sides agreed.\n\n"
        'Peru called the proposal "a fair basis" for a deal.'
    )
    variants = [
        prose,
        "Chile and Peru resume talks\n\n" + prose,  # title line of a plain-text file
        prose.upper(),
        prose.replace("'", "’").replace(" - ", " – ").replace('"a fair basis"', "“a fair basis”"),
        prose.replace("\n\n", "\n\n\n").replace(" ", "  "),
        prose + "\n\nNever miss a story! Click here to follow us.\n\nMore for you",
        prose + "\n\n" + prose,  # printed twice
    ]
    keys = {canonical_key(v) for v in variants}
    assert len(keys) == 1
    assert canonical_key(prose) != canonical_key(prose.replace("March", "April"))
    assert canonical_key("Chile and Peru resume talks", None)  # a text of one short line still has a key
    assert canonical_key("Chile and Peru resume talks") != canonical_key("Chile and Bolivia resume talks")


def test_content_hash_of_the_example_page_and_its_plain_text() -> None:
    page = list(read_path(REPO / "examples" / "nato_summit_slideshow.html"))[0]
    plain = list(read_path(REPO / "examples" / "nato_summit_call.txt"))[0]
    assert isinstance(page, Article) and isinstance(plain, Article)
    assert page.text != plain.text  # different typography, title, furniture ...
    assert page.content_hash() == plain.content_hash()
    other = _page("ordinary_article.html")
    assert other.content_hash() != page.content_hash()
    assert Article("x", page.text, title=page.title).content_hash() == page.content_hash()


def test_fast_paths_remove_what_the_regular_expressions_remove() -> None:
    """The content hash's string fast paths (``_ends_sentence`` for ``_FINAL``, ``lstrip``/``rstrip``
    of ASCII lines for ``_LEADING``/``_TRAILING``, ASCII folding without NFKC) give what the
    regular expressions give, on short strings of every character they treat specially."""
    import random
    import unicodedata

    from detente.ingest import pages

    alphabet = "ab Z1.!?…\"'”’»)]([«“‘`´–—\xa0\t\n\r\x0b\x1c|·•*>-,;:#"
    rnd = random.Random(7)
    for _ in range(20_000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
        assert pages._ends_sentence(s) == bool(pages._FINAL.search(s)), repr(s)
        folded = pages._LEADING.sub("", unicodedata.normalize("NFKC", s).translate(pages._QUOTES).lower().strip())
        assert pages._fold(s) == folded, repr(s)
        if s.isascii():
            assert s.lstrip(pages._LEADING_ASCII) == pages._LEADING.sub("", s), repr(s)
            assert s.rstrip(pages._TRAILING_ASCII) == pages._TRAILING.sub("", s), repr(s)
