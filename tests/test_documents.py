"""Document splitting (rule-based, no spaCy) and the spaCy pipeline loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.nlp import is_boilerplate, sentence_spans, split_document
from detente.nlp.documents import MAX_SENTENCE_CHARS
from detente.records import Article
from tests.conftest import REPO

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def slideshow() -> Article:
    return Article("baltic", (FIXTURES / "slideshow_article.txt").read_text(encoding="utf-8"))


def test_offsets_point_into_the_article(slideshow: Article) -> None:
    for s in split_document(slideshow):
        raw = slideshow.text[s.start : s.end]
        assert len(raw) == len(s.text)
        assert " ".join(raw.split()) == " ".join(s.text.split())
        assert "\n" not in s.text


def test_indices_are_consecutive_and_doc_id_set(slideshow: Article) -> None:
    sents = split_document(slideshow)
    assert [s.index for s in sents] == list(range(len(sents)))
    assert {s.doc_id for s in sents} == {"baltic"}


def test_slide_titles_listed_twice_are_kept_once(slideshow: Article) -> None:
    texts = [s.text for s in split_document(slideshow)]
    assert texts.count("Ministers arrive in Tallinn") == 1
    assert texts.count("A new drone coalition") == 1
    # the first occurrence (the list at the top) is the one kept
    assert texts.index("A new drone coalition") < texts.index("Finland joins the exercise")


def test_page_furniture_dropped(slideshow: Article) -> None:
    joined = " ".join(s.text for s in split_document(slideshow))
    for furniture in ("Never miss a story", "Click here", "More for you", "Share", "Read more", "cookies", "Sign up"):
        assert furniture not in joined


def test_abbreviations_and_quotes(slideshow: Article) -> None:
    texts = [s.text for s in split_document(slideshow)]
    assert 'Gen. Martin Herem, the Estonian commander, told reporters the plan "is long overdue."' in texts
    assert "He said the U.S. would be consulted." in texts
    assert any(t.startswith("Lithuania's minister said") and "Mr. Pevkur's ministry" in t for t in texts)
    assert "Officials from St. Petersburg were not invited." in texts


def test_headlines_are_their_own_sentences(slideshow: Article) -> None:
    texts = [s.text for s in split_document(slideshow)]
    assert texts[0] == "Ten things to know about the Baltic defence talks"
    assert "Finland joins the exercise" in texts


def test_hard_wrapped_lines_are_joined(slideshow: Article) -> None:
    texts = [s.text for s in split_document(slideshow)]
    wrapped = [t for t in texts if t.startswith("Finland sent two warships")]
    assert len(wrapped) == 1 and wrapped[0].endswith("and sailed east.")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. said no. He left.", ["The U.S. said no.", "He left."]),
        ("They met at No. 10 Downing Street. Talks ended.", ["They met at No. 10 Downing Street.", "Talks ended."]),
        ("George W. Bush met Jan. 6 rioters' critics. Nothing followed.", ["George W. Bush met Jan. 6 rioters' critics.", "Nothing followed."]),
        ("Talks began at 3 p.m. The minister left at 5 p.m. on Friday.", ["Talks began at 3 p.m.", "The minister left at 5 p.m. on Friday."]),
        ('"We are ready," he said. "Are you?" she asked!', ['"We are ready," he said.', '"Are you?" she asked!']),
        ("Is it over? Yes. It is.", ["Is it over?", "Yes.", "It is."]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_document(Article("t", text))] == expected


def test_long_runs_are_split_or_dropped() -> None:
    clause = "the delegation from Kenya discussed border post {} with officials from Somalia"
    run_on = "; ".join(clause.format(i) for i in range(40)) + "."
    table = " | ".join(["12.4", "33.1", "0.7", "19.9"] * 200)
    blob = "QmFsdGljIGRlZmVuY2UgdGFsa3M" * 100  # an encoded image or script: letters, no words
    text = f"Intro sentence.\n\n{run_on}\n\n{table}\n\n{blob}\n\nLast sentence."
    sents = split_document(Article("long", text))
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sents)
    assert sents[0].text == "Intro sentence." and sents[-1].text == "Last sentence."
    assert not any("|" in s.text or "QmFs" in s.text for s in sents)  # table and blob dropped
    assert sum(s.text.count("Kenya") for s in sents) == 40  # the run-on text is kept, in pieces
    for s in sents:
        assert text[s.start : s.end] == s.text


def test_boilerplate_patterns_do_not_eat_news() -> None:
    assert is_boilerplate("Click here to follow our WhatsApp channel")
    assert is_boilerplate("Share this article")
    assert is_boilerplate("Never miss a story: sign up for the newsletter")
    assert not is_boilerplate("Russia said it would share intelligence with China.")
    assert not is_boilerplate("Read the statement, the ministry told reporters in Kyiv on Monday.")
    assert not is_boilerplate("NATO leaders signed up to a new spending target of 5 percent of GDP.")


@pytest.mark.parametrize(
    "block, rest",
    [
        ("WASHINGTON, July 16 (Detente Wire) - Belousov called Austin.", "Belousov called Austin."),
        ("KYIV (Reuters) — Ukraine said it shot down 20 drones.", "Ukraine said it shot down 20 drones."),
        ("UNITED NATIONS, Sept. 20 (Xinhua) -- The council met.", "The council met."),
        ("NATO - the alliance met.", "NATO - the alliance met."),  # no date or agency: not a dateline
    ],
)
def test_dateline_left_out_of_first_sentence(block: str, rest: str) -> None:
    sents = split_document(Article("d", f"Headline\n\n{block}"))
    assert sents[1].text == rest and block.endswith(rest) and sents[1].start == len("Headline\n\n") + len(block) - len(rest)


def test_non_prose_lines_dropped() -> None:
    text = (
        "Kenya and Somalia reopened their border.\n\nhttps://news.example.org/africa/2024/kenya-somalia-border-reopens\n\n"
        "May 12, 2016\n\n2.\n\nTalks continue."
    )
    assert [s.text for s in split_document(Article("np", text))] == ["Kenya and Somalia reopened their border.", "Talks continue."]


def test_sentence_spans_and_empty_text() -> None:
    assert split_document(Article("e", "")) == []
    assert split_document(Article("e", " \n\n \t ")) == []
    assert sentence_spans("One. Two.") == [(0, 4), (5, 9)]


def test_ascii_fast_paths_equal_the_unicode_definitions() -> None:
    """The repeat key and the letter share are computed from bytes for ASCII text; they must equal
    the regular-expression and str.isalpha definitions on every ASCII character."""
    import random
    import re

    from detente.nlp.documents import _prose_like, normalise

    rnd = random.Random(3)
    texts = [s.text for s in split_document(Article("nato", (REPO / "examples/nato_summit_call.txt").read_text()))]
    texts += ["".join(rnd.choice([chr(c) for c in range(128)]) for _ in range(rnd.randint(0, 40)))
              for _ in range(20_000)]
    texts += ["", " ", "__", "A_b", "x\x0b\x1fy", "1.5%", "tab\tand\nline"]
    for t in texts:
        assert t.isascii()
        assert normalise(t) == re.sub(r"[\W_]+", " ", t.lower()).strip(), repr(t)
        letters = sum(map(str.isalpha, t)) / max(1, len(t))
        words = len(t.split())
        assert _prose_like(t) == (letters >= 0.5 and words > 0 and len(t) / words <= 20), repr(t)
    assert normalise("Élysée, 2 mai_2024!") == "élysée 2 mai 2024"  # other text: the regex itself
    assert not _prose_like("Ⅻ ² ½ 中文 ..") and _prose_like("Déjà vu à Genève")


# ---------------------------------------------------------------- spaCy pipeline


def test_pipeline_loads_without_ner_and_is_cached() -> None:
    from detente.nlp import load_pipeline

    nlp = load_pipeline()
    assert nlp is load_pipeline()
    assert "ner" not in nlp.pipe_names
    for needed in ("tagger", "parser", "attribute_ruler"):  # the ruler's slot also lemmatizes
        assert needed in nlp.pipe_names
    doc = nlp("Russia's defence minister called his American counterpart.")
    assert any(t.dep_ == "nsubj" and t.text == "minister" for t in doc)
    assert [(t.lemma_, t.pos_) for t in doc if t.text == "called"] == [("call", "VERB")]
    assert "lemmatizer" in load_pipeline(fast_pos=False).pipe_names  # spaCy's own components


def test_missing_model_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.nlp.model import ModelNotInstalled, model_name

    monkeypatch.setenv("DETENTE_SPACY_MODEL", "no_such_pipeline_xyz")
    with pytest.raises(ModelNotInstalled, match="no-such-pipeline-xyz"):
        model_name()


def test_numpy_matrix_products_parse_like_blis() -> None:
    """tok2vec multiplies through numpy's OpenBLAS (one thread) instead of blis: faster, same parse."""
    import spacy
    from thinc.api import NumpyOps

    from detente.nlp import load_pipeline
    from detente.nlp.blas import use_numpy_gemm
    from detente.nlp.model import model_name

    nlp = load_pipeline()
    nodes = list(nlp.get_pipe("tok2vec").model.walk())
    assert all(isinstance(n.ops, NumpyOps) and not n.ops.use_blis for n in nodes)  # every layer switched (this
    # machine's numpy ships OpenBLAS; the ops are detente.nlp.tok2vec's InferenceOps, a NumpyOps)
    blis_nlp = spacy.load(model_name(), exclude=["ner"])
    assert all(isinstance(n.ops, NumpyOps) and n.ops.use_blis for n in blis_nlp.get_pipe("tok2vec").model.walk())
    text = ("Russian Defence Minister Andrei Belousov spoke by phone with U.S. Defense Secretary Lloyd Austin on "
            "Friday, the ministry said, only their second call since March. NATO leaders accused China of "
            "enabling Russia's war and pledged new air defences for Ukraine.")
    fast, slow = nlp(text), blis_nlp(text)
    assert [(t.dep_, t.head.i, t.tag_) for t in fast] == [(t.dep_, t.head.i, t.tag_) for t in slow]
    vec_fast = fast.tensor if fast.tensor.size else None
    assert use_numpy_gemm(blis_nlp)  # and the switch applies to a pipeline loaded elsewhere
    assert vec_fast is None or abs(blis_nlp(text).tensor - vec_fast).max() < 1e-3
