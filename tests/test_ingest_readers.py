"""Readers: every input kind, and every bad-input path yields a named InputError, never a crash."""

from __future__ import annotations

import gzip
import json
import time
import io
import logging
import shutil
from datetime import date
from pathlib import Path

import pytest

from detente.ingest import parse_date, read_path, read_stream
from detente.records import Article, InputError

FIXTURES = Path(__file__).parent / "fixtures"
NEWS = "Brazil and Argentina signed a trade accord in Buenos Aires on Monday, officials said.\n"


def _one(path: Path, **kw) -> Article | InputError:
    out = list(read_path(path, **kw))
    assert len(out) == 1
    return out[0]


# ---------------------------------------------------------------- .txt


def test_text_file_id_is_stem_and_date_filled(tmp_path: Path) -> None:
    p = tmp_path / "trade-accord.txt"
    p.write_text(NEWS, encoding="utf-8")
    art = _one(p, default_date=date(2024, 7, 16))
    assert isinstance(art, Article)
    assert art.id == "trade-accord" and art.text == NEWS and art.date == date(2024, 7, 16)


def test_text_file_with_bom(tmp_path: Path) -> None:
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + NEWS.encode())
    art = _one(p)
    assert isinstance(art, Article) and art.text == NEWS


def test_empty_and_blank_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n\t \n")
    for name, reason in (("empty.txt", "empty"), ("blank.txt", "empty")):
        err = _one(tmp_path / name)
        assert isinstance(err, InputError)
        assert err.input.endswith(name) and err.stage == "read" and reason in err.reason


def test_binary_file_rejected(tmp_path: Path) -> None:
    p = tmp_path / "photo.txt"
    p.write_bytes(bytes(range(256)) * 64)  # NUL bytes and control bytes
    err = _one(p)
    assert isinstance(err, InputError) and "binary" in err.reason


def test_non_utf8_text_decoded_with_a_note(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = (
        "Le ministre des Affaires étrangères a déclaré que la réunion à Genève était « très utile ». "
        "Les délégations se retrouveront en février à Bruxelles pour une deuxième série de négociations. "
    ) * 3
    p = tmp_path / "geneve.txt"
    p.write_bytes(text.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="detente.ingest"):
        art = _one(p)
    assert isinstance(art, Article)
    assert art.text == text  # not garbled
    assert any("not UTF-8" in r.getMessage() and "geneve.txt" in r.getMessage() for r in caplog.records)


def test_cyrillic_code_page_decoded(tmp_path: Path) -> None:
    text = "Министр иностранных дел заявил, что переговоры в Женеве были полезными. " * 4
    p = tmp_path / "moscow.txt"
    p.write_bytes(text.encode("cp1251"))
    art = _one(p)
    assert isinstance(art, Article) and art.text == text


def test_utf16_with_bom_is_text_not_binary(tmp_path: Path) -> None:
    p = tmp_path / "utf16.txt"
    p.write_bytes(NEWS.encode("utf-16"))
    art = _one(p)
    assert isinstance(art, Article) and art.text == NEWS


def test_undecodable_bytes_rejected(tmp_path: Path) -> None:
    p = tmp_path / "noise.txt"
    # high bytes in no real encoding's pattern, no NUL: neither UTF-8 nor detectable text
    p.write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFE, 0xFF, 0x80]) * 500)
    err = _one(p)
    assert isinstance(err, InputError)
    assert "UTF-8" in err.reason or "binary" in err.reason


def test_words_in_byte_noise_rejected_though_a_code_page_decodes_them(tmp_path: Path) -> None:
    """A single-byte code page turns any bytes into characters; decoded noise must still read as a
    language, or it is refused."""
    import random

    rng = random.Random(46)  # a seed whose noise charset-normalizer takes for Mac Latin-2
    p = tmp_path / "noise-words.txt"
    p.write_bytes(b"".join(b"talks " + bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randint(1, 4))) for _ in range(120)))
    err = _one(p)
    assert isinstance(err, InputError) and "noise-words.txt" in err.input
    assert "reads as no language" in err.reason


def test_twenty_megabytes_rejected_with_reason(tmp_path: Path) -> None:
    p = tmp_path / "dump.txt"
    line = NEWS * 10
    with p.open("w", encoding="utf-8") as fh:
        for _ in range(20 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    err = _one(p)
    assert isinstance(err, InputError) and "too large" in err.reason and "dump.txt" in err.input


def test_max_chars_is_configurable(tmp_path: Path) -> None:
    p = tmp_path / "short.txt"
    p.write_text(NEWS * 3)
    err = _one(p, max_chars=100)
    assert isinstance(err, InputError) and "too long" in err.reason
    assert isinstance(_one(p, max_chars=10_000), Article)


# ---------------------------------------------------------------- .html


def test_html_article_and_metadata() -> None:
    art = _one(FIXTURES / "article.html")
    assert isinstance(art, Article)
    assert art.id == "article"
    assert "Istanbul on Monday" in art.text and "sixty days" in art.text
    assert "Subscribe" not in art.text and "All rights reserved" not in art.text
    assert art.date == date(2023, 3, 14)
    assert art.outlet == "Harbour Gazette"
    assert art.author == "Dana Kuru"
    assert art.url == "https://harbour-gazette.example/world/grain-talks"
    assert art.title and "grain talks" in art.title
    assert art.language == "en"
    assert "\n\n" in art.text  # paragraphs kept apart for the splitter


def test_html_date_override(tmp_path: Path) -> None:
    art = _one(FIXTURES / "article.html", default_date=date(2023, 3, 20), override_date=True)
    assert isinstance(art, Article) and art.date == date(2023, 3, 20)


@pytest.mark.parametrize("content", [b"<html><body></body></html>", b"<<<>>>", b"\x00\x01\x02<html>"])
def test_bad_html(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "bad.html"
    p.write_bytes(content)
    err = _one(p)
    assert isinstance(err, InputError) and err.stage == "read" and err.input.endswith("bad.html")


# ---------------------------------------------------------------- .jsonl


def test_jsonl_bad_lines_named_and_the_rest_go_on() -> None:
    out = list(read_path(FIXTURES / "articles.jsonl", default_date=date(2024, 1, 1)))
    arts = [o for o in out if isinstance(o, Article)]
    errs = {o.input.rsplit(":", 1)[1]: o.reason for o in out if isinstance(o, InputError)}
    assert [a.id for a in arts] == ["a1", "a8", f"{FIXTURES / 'articles.jsonl'}:9"]
    assert arts[0].date == date(2023, 3, 16) and arts[0].outlet == "Example Wire" and arts[0].title
    assert arts[1].date == date(2024, 6, 25)  # full timestamp
    assert arts[2].date == date(2024, 1, 1)  # filled from the default
    assert "not JSON" in errs["2"]
    assert "not an object" in errs["3"]
    assert "missing 'text'" in errs["4"]
    assert "empty 'text'" in errs["5"]
    assert "bad date" in errs["6"]
    assert "7" not in errs  # a blank line is no error


def test_jsonl_gz_and_broken_gz(tmp_path: Path) -> None:
    good = tmp_path / "batch.jsonl.gz"
    with gzip.open(good, "wb") as gz:
        gz.write((FIXTURES / "articles.jsonl").read_bytes())
    assert [o.id for o in read_path(good) if isinstance(o, Article)][:2] == ["a1", "a8"]
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(good.read_bytes()[:40])
    out = list(read_path(broken))
    assert out and all(isinstance(o, InputError) for o in out)
    notgz = tmp_path / "plain.jsonl.gz"
    shutil.copy(FIXTURES / "articles.jsonl", notgz)
    out = list(read_path(notgz))
    assert len(out) == 1 and isinstance(out[0], InputError) and "plain.jsonl.gz" in out[0].input


def test_jsonl_empty_and_binary(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "bin.jsonl").write_bytes(b"\x00\x01\x02" * 100)
    for name in ("empty.jsonl", "bin.jsonl"):
        out = list(read_path(tmp_path / name))
        assert len(out) == 1 and isinstance(out[0], InputError) and name in out[0].input


def test_jsonl_huge_record_rejected_others_kept(tmp_path: Path) -> None:
    p = tmp_path / "mixed.jsonl"
    p.write_text(
        '{"id": "big", "text": "' + "word " * 1000 + '"}\n{"id": "ok", "text": "Peru and Chile met."}\n'
    )
    out = list(read_path(p, max_chars=1000))
    assert isinstance(out[0], InputError) and "too long" in out[0].reason and out[0].input.endswith(":1")
    assert isinstance(out[1], Article) and out[1].id == "ok"


def test_read_stream_stdin_like() -> None:
    lines = io.StringIO('{"id": "s1", "text": "Mali expelled the French ambassador."}\n{oops\n')
    out = list(read_stream(lines, default_date=date(2022, 1, 31)))
    assert isinstance(out[0], Article) and out[0].date == date(2022, 1, 31)
    assert isinstance(out[1], InputError) and out[1].input == "-:2"
    raw = io.BytesIO(b'{"id": "s2", "text": "Ghana hosted talks."}\n\xff\xfe bad bytes\n')
    out = list(read_stream(raw, name="stdin"))
    assert out[0].id == "s2" and isinstance(out[1], InputError) and out[1].input == "stdin:2"


def test_folder_and_unsupported_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NEWS)
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4")
    out = list(read_path(tmp_path))
    assert [o.id for o in out] == ["a"]
    err = _one(tmp_path / "b.pdf")
    assert isinstance(err, InputError) and "unsupported" in err.reason
    err = _one(tmp_path / "missing.txt")
    assert isinstance(err, InputError) and "no such file" in err.reason


def test_parse_date() -> None:
    assert parse_date("2024-07-16") == date(2024, 7, 16)
    assert parse_date("2024-07-16T23:59:00+02:00") == date(2024, 7, 16)
    assert parse_date(None) is None and parse_date("") is None
    for bad in ("16/07/2024", "2024-13-01", "2024-02-30", 20240716, "yesterday"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_read_inputs_keeps_order_across_files(tmp_path: Path) -> None:
    from detente.ingest import read_inputs

    (tmp_path / "z.txt").write_text(NEWS)
    out = list(read_inputs([tmp_path / "z.txt", FIXTURES / "articles.jsonl", tmp_path / "nope.txt"], default_date=date(2024, 7, 16)))
    assert out[0].id == "z" and out[0].date == date(2024, 7, 16)
    assert isinstance(out[-1], InputError) and "nope.txt" in out[-1].input
    assert sum(isinstance(o, Article) for o in out) == 4


# ---------------------------------------------------------------- pages: the example slideshow page

from detente.ingest.readers import MAX_HTML_BYTES, MAX_MARKUP_CHARS, html_to_article  # noqa: E402

from .conftest import REPO  # noqa: E402

PAGES = FIXTURES / "pages"


def test_example_slideshow_page_metadata() -> None:
    art = _one(REPO / "examples" / "nato_summit_slideshow.html")
    assert isinstance(art, Article)
    assert art.id == "nato_summit_slideshow"
    assert art.title == "Russian defence chief phones Pentagon as NATO summit wraps up"
    assert art.date == date(2024, 7, 16)
    assert art.outlet == "Detente Wire"
    assert art.author == "Mara Lindqvist"
    assert art.url == "https://detente-wire.example/world/2024/07/16/russia-pentagon-call-nato-summit"
    assert art.language == "en"
    for furniture in ("Never miss a story", "More for you", "Next slide", "4 of 4", "Sign up", "In this story",
                      "Stoltenberg bids farewell", "Privacy", "All rights reserved"):
        assert furniture not in art.text
    assert art.text.count("A call after the summit") == 1


def _triples(events) -> list[tuple[str, str, str]]:
    return [(e.event, e.actor.code() if e.actor else "", e.recipient.code() if e.recipient else "") for e in events]


def test_example_page_and_plain_text_are_one_article_with_the_same_events(coder) -> None:
    """The issue's seed check: the slideshow page and its plain text are one article (same content
    hash, so the store keeps one) and are coded to the same events."""
    page = _one(REPO / "examples" / "nato_summit_slideshow.html")
    plain = _one(REPO / "examples" / "nato_summit_call.txt", default_date=date(2024, 7, 16))
    assert isinstance(page, Article) and isinstance(plain, Article)
    assert page.content_hash() == plain.content_hash()
    page_events, plain_events = _triples(coder.code(page)), _triples(coder.code(plain))
    assert len(page_events) >= 10
    assert page_events == plain_events
    assert ("CONSULT", "RUSGOV", "USAGOV") in page_events


# ---------------------------------------------------------------- pages: broken and hostile HTML


ORDINARY = (PAGES / "ordinary_article.html").read_bytes()


def _timed(html: bytes | str, name: str = "page.html", limit: float = 5.0) -> Article | InputError:
    start = time.perf_counter()
    out = html_to_article(html, "page", name)
    assert time.perf_counter() - start < limit
    return out


def test_truncated_page_refused_unclosed_tags_give_the_text_there_is() -> None:
    cut = ORDINARY[: ORDINARY.index(b"<h2>A long negotiation") + 30]
    err = _timed(cut)
    assert isinstance(err, InputError) and "truncated HTML" in err.reason
    art = _timed(
        b"<html><body><div><p>India and Bangladesh signed an agreement in New Delhi on Saturday to manage the "
        b"Teesta river together, officials said.<p>Modi and Hasina met for two hours before the signing.<div><span>"
        b"</body></html>"
    )
    assert isinstance(art, Article) and "Modi and Hasina met" in art.text


@pytest.mark.parametrize(
    "html, reason",
    [
        (b"", "empty page"),
        (b"  \n\t ", "empty page"),
        (b"<html><head><title>x</title></head><body></body></html>", "no article text"),
        (b"<html><body>" + b"<script>console.log('x');</script>" * 1000 + b"</body></html>", "no article text"),
        (bytes(range(256)) * 100, "binary"),
        (b"<html><body><p>Menu</p><p>Share</p><p>More for you</p><p>Advertisement</p></body></html>", "furniture"),
    ],
)
def test_pages_without_an_article_are_named_errors(html: bytes, reason: str) -> None:
    err = _timed(html, "broken.html")
    assert isinstance(err, InputError) and err.input == "broken.html" and err.stage == "read"
    assert reason in err.reason


def test_fifty_megabyte_page_refused_by_size_at_once(tmp_path: Path) -> None:
    big = b"<html><body>" + b"<p>The envoy met the minister.</p>" * (50_000_000 // 34) + b"</body></html>"
    err = _timed(big, "big.html", limit=0.5)
    assert isinstance(err, InputError) and "page too large" in err.reason and f"{MAX_HTML_BYTES:,}" in err.reason
    p = tmp_path / "big.html"
    p.write_bytes(big)
    start = time.perf_counter()
    err = _one(p)
    assert time.perf_counter() - start < 0.5
    assert isinstance(err, InputError) and "page too large" in err.reason and "big.html" in err.input


def test_big_page_of_scripts_and_inline_images_still_gives_its_article() -> None:
    head, body = ORDINARY.split(b"<body>")
    page = (head + b"<body><script>" + b"var x = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa';" * 200_000 + b"</script>"
            b"<style>" + b".a{color:red}" * 10_000 + b"</style><img src='data:image/png;base64," + b"QUJD" * 200_000
            + b"'>" + body + b"<script>never closed, so the rest of the page is script, as in a browser")
    assert 8_000_000 < len(page) < MAX_HTML_BYTES
    art = _timed(page, limit=5.0)
    assert isinstance(art, Article) and art.date == date(2024, 6, 22) and art.author == "Ritu Sen"
    assert "India and Bangladesh signed an agreement" in art.text


def test_dense_markup_beyond_the_extraction_cap_is_refused_quickly() -> None:
    para = b"<p>" + b"The minister said the talks in Geneva would go on next week, officials said. " * 5 + b"</p>\n"
    page = b"<html><body><article>" + para * (9_000_000 // len(para)) + b"</article></body></html>"
    err = _timed(page, limit=2.0)
    assert isinstance(err, InputError) and "markup too large" in err.reason and f"{MAX_MARKUP_CHARS:,}" in err.reason


def test_page_encodings() -> None:
    ru = ("<html><head><title>Переговоры</title></head><body><article><p>"
          + "Министры иностранных дел двух стран встретились во вторник в Женеве, чтобы обсудить прекращение огня. " * 4
          + "</p></article></body></html>")
    art = _timed(ru.encode("cp1251"))  # no charset declared
    assert isinstance(art, Article) and "Министры иностранных дел" in art.text and art.language == "ru"
    fr = ("<html lang='en'><head><meta charset='utf-8'><title>Genève</title></head><body><article><p>"
          + "Le ministre des Affaires étrangères a déclaré que la réunion à Genève était très utile pour les deux délégations. " * 3
          + "</p></article></body></html>")
    art = _timed(fr.encode("latin-1"))  # declared UTF-8, written in Latin-1
    assert isinstance(art, Article) and "étrangères" in art.text
    # the template says English, the text is confidently French: the detection wins
    assert art.language == "fr"
    art = _timed(fr)  # already-decoded text, as the URL fetcher passes it
    assert isinstance(art, Article) and "réunion à Genève" in art.text


def test_declared_language_kept_when_detection_is_weak() -> None:
    page = b"<html lang='de'><head><title>Kurz</title></head><body><article><p>Berlin, 3. Mai.</p><p>Treffen in Genf.</p></article></body></html>"
    art = _timed(page)
    assert isinstance(art, Article) and art.language == "de"


def test_text_and_jsonl_readers_record_the_detected_language(tmp_path: Path) -> None:
    fr = (FIXTURES / "languages" / "fr.txt").read_text(encoding="utf-8")
    (tmp_path / "fr.txt").write_text(fr, encoding="utf-8")
    assert _one(tmp_path / "fr.txt").language == "fr"
    assert _one(REPO / "examples" / "nato_summit_call.txt").language == "en"
    lines = [
        json.dumps({"id": "a", "text": fr}),
        json.dumps({"id": "b", "text": fr, "language": "fr-CA"}),
        json.dumps({"id": "c", "text": "Peru and Chile met."}),
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = list(read_path(tmp_path / "batch.jsonl"))
    assert [o.language for o in out] == ["fr", "fr", None]  # a given language is kept, as its primary subtag


def test_markup_debris_is_no_article() -> None:
    page = b"<html><body><script>var x=1;</script><div<style>p{}</style><img src=x onerror=1>\"'<b><i></body></html>"
    err = _timed(page)
    assert isinstance(err, InputError) and "no article text" in err.reason


def test_publication_dates_in_the_future_or_before_the_press_are_refused(tmp_path) -> None:
    import datetime as dt
    import json

    from detente.ingest import read_inputs
    from detente.records import Article, InputError

    tomorrow_plus = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    lines = [{"id": "future", "text": "Russia accused NATO of aggression.", "date": tomorrow_plus},
             {"id": "ancient", "text": "Russia accused NATO of aggression.", "date": "0001-01-01"},
             {"id": "fine", "text": "Russia accused NATO of aggression.", "date": "2024-07-12"}]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    out = list(read_inputs([str(path)]))
    errors = [o for o in out if isinstance(o, InputError)]
    assert [e.input for e in errors] == [f"{path}:1", f"{path}:2"]
    assert "in the future" in errors[0].reason and "before 1800" in errors[1].reason
    assert [a.id for a in out if isinstance(a, Article)] == ["fine"]
