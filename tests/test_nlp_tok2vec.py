"""The fast tok2vec (detente.nlp.tok2vec) must give spaCy's own vectors bit for bit, hence the same parses."""

from __future__ import annotations

import json

import numpy
import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

from detente.nlp import load_pipeline, split_document
from detente.records import Article
from tests.conftest import REPO, shared_dir

_ATTRS = [TAG, POS, LEMMA, HEAD, DEP, MORPH]


def _sentences() -> list[str]:
    """Real sentences: the example article, the fixtures, and the PLOVER gold texts when present."""
    texts = [s.text for s in split_document(Article("nato", (REPO / "examples/nato_summit_call.txt").read_text()))]
    texts += [s.text for s in split_document(Article("slides", (REPO / "tests/fixtures/slideshow_article.txt").read_text()))]
    shared = shared_dir()
    gold = shared / "eval" / "plover_gsr_dev.jsonl" if shared else None
    if gold is not None and gold.is_file():
        with gold.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()][:200]
    from bench.corpus import generate  # synthetic wire copy: many sentences in few seconds

    for art in generate(6, seed=11, words=600):
        texts += [s.text for s in split_document(art)]
    # tiny documents: fewer tokens in a batch than the cache's minimum go through the plain model
    return texts + ["Russia", "NATO met.", "", "Iran and Iraq signed a deal."]


@pytest.fixture(scope="module")
def pipelines():
    return load_pipeline(fast_tok2vec=False), load_pipeline()


def _snapshot(docs):
    return [(d.to_array(_ATTRS), d.tensor.copy()) for d in docs]


def _assert_same(plain, fast) -> None:
    assert len(plain) == len(fast)
    for (pa, pt), (fa, ft) in zip(plain, fast):
        assert numpy.array_equal(pa, fa)
        assert pt.shape == ft.shape and numpy.array_equal(pt.view("uint32"), ft.view("uint32"))


def test_fast_path_is_installed(pipelines) -> None:
    from detente.nlp.tok2vec import InferenceOps

    plain, fast = pipelines
    names = {n.name for n in fast.get_pipe("tok2vec").model.walk()}
    assert "detente_cached_embed" in names
    assert "detente_cached_embed" not in {n.name for n in plain.get_pipe("tok2vec").model.walk()}
    assert all(isinstance(n.ops, InferenceOps) for n in fast.get_pipe("tok2vec").model.walk())
    # the model still serialises (the cache is not in its attrs) and loads back
    load_pipeline.__wrapped__().get_pipe("tok2vec").model.from_bytes(fast.get_pipe("tok2vec").model.to_bytes())


@pytest.mark.parametrize("batch_size", [256, 7, 1])
def test_vectors_and_parses_bit_identical(pipelines, batch_size: int) -> None:
    """Cold and warm cache, big and tiny batches: same tensors (bits), tags, lemmas, heads, labels.
    (Compared at the same batch size: spaCy's own vectors of a batch of 1 to 4 tokens differ in the
    last bits from the same tokens in a bigger batch, and the fast path keeps that.)"""
    from detente.nlp.tok2vec import embedding_cache

    plain, fast = pipelines
    texts = _sentences()
    embed = next(n for n in fast.get_pipe("tok2vec").model.walk() if n.name == "detente_cached_embed")
    embedding_cache(embed).clear()  # cold
    want = _snapshot(plain.pipe(texts, batch_size=batch_size))
    _assert_same(want, _snapshot(fast.pipe(texts, batch_size=batch_size)))  # rows computed as they are met
    assert embedding_cache(embed).size > 0
    _assert_same(want, _snapshot(fast.pipe(texts, batch_size=batch_size)))  # rows from the cache
    if batch_size > 1:  # other batches: other neighbours in each product, same rows
        _assert_same(_snapshot(plain.pipe(texts[::-1], batch_size=batch_size)),
                     _snapshot(fast.pipe(texts[::-1], batch_size=batch_size)))


def test_cache_is_bounded_and_still_exact(pipelines, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.nlp import tok2vec

    plain, fast = pipelines
    monkeypatch.setattr(tok2vec, "CACHE_ROWS", 400)
    texts = _sentences()[:120]
    embed = next(n for n in fast.get_pipe("tok2vec").model.walk() if n.name == "detente_cached_embed")
    tok2vec.embedding_cache(embed).clear()
    got = _snapshot(fast.pipe(texts, batch_size=8))
    assert 0 < tok2vec.embedding_cache(embed).size <= 400 and len(tok2vec.embedding_cache(embed).table) <= 400
    _assert_same(_snapshot(plain.pipe(texts)), got)


def test_rows_of_a_small_padded_batch_equal_rows_of_a_big_one(pipelines) -> None:
    """The premise of the cache: OpenBLAS computes a row of the embedding the same way in a product of
    MIN_ROWS rows as in one of thousands (numpy's BLAS may change; this says so if it does)."""
    from thinc.types import Ragged

    from detente.nlp.tok2vec import MIN_ROWS

    _, fast = pipelines
    embed = next(n for n in fast.get_pipe("tok2vec").model.walk() if n.name == "detente_cached_embed")
    plain_embed = embed.layers[0]
    docs = [fast.make_doc(t) for t in _sentences()]
    ids = numpy.concatenate(plain_embed.layers[0].predict(docs))
    big = numpy.concatenate(plain_embed.predict(docs))
    for start in (0, 5, 333):
        part = ids[start : start + MIN_ROWS]
        X = Ragged(part, numpy.asarray([len(part)], dtype="int32"))
        for layer in plain_embed.layers[2:-1]:
            X = layer.predict(X)
        assert numpy.array_equal(X.dataXd.view("uint32"), big[start : start + MIN_ROWS].view("uint32"))


def test_maxout_and_layernorm_match_thinc() -> None:
    from thinc.api import LayerNorm, NumpyOps

    from detente.nlp.tok2vec import InferenceOps, _fast_layernorm

    rng = numpy.random.default_rng(3)
    Z = rng.standard_normal((500, 96, 3)).astype("float32")
    Z[7, 5] = 0.5  # ties between pieces
    assert numpy.array_equal(InferenceOps(use_blis=False).maxout(Z)[0], NumpyOps(use_blis=False).maxout(Z)[0])
    ln = LayerNorm(nI=96)
    ln.initialize()
    ln.set_param("G", rng.standard_normal(96).astype("float32"))
    ln.set_param("b", rng.standard_normal(96).astype("float32"))
    X = (rng.standard_normal((300, 96)) * 5 + 2).astype("float32")
    assert numpy.array_equal(_fast_layernorm(ln).predict(X).view("uint32"), ln.predict(X).view("uint32"))


def test_embedding_with_other_layers_is_not_cached() -> None:
    """Only row-wise layers may be cached: a layer that looks at neighbours or at word vectors not
    among the hashed features would make cached rows wrong, so such a pipeline keeps its model."""
    from thinc.api import Model, chain, list2ragged, ragged2list, with_array

    from detente.nlp.tok2vec import _embed_is_cacheable

    def leaf(name: str) -> Model:
        return Model(name, lambda model, X, is_train: (X, lambda d: d))

    good = chain(leaf("extract_features"), list2ragged(), with_array(leaf("hashembed")),
                 with_array(chain(leaf("maxout"), leaf("layernorm"))), ragged2list())
    bad = chain(leaf("extract_features"), list2ragged(), with_array(leaf("static_vectors")), ragged2list())
    assert _embed_is_cacheable(good)
    assert not _embed_is_cacheable(bad)
