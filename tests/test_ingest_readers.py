"""Readers: every input kind, and every bad-input path yields a named InputError, never a crash."""

from __future__ import annotations

import gzip
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
