"""An exact, inference-only fast path for the pipeline's token-to-vector model (tok2vec).

tok2vec is the largest cost of parsing (about half of spaCy's time per article). Three changes make it
cheaper without changing a single bit of its output, so tags, lemmas and parses stay the same:

* Maxout through ``numpy.maximum`` over the pieces (``InferenceOps.maxout``): thinc's ``cpu_maxout`` is
  a scalar loop that also records which piece won, which only training needs; it cost as much as the
  matrix products of the maxout layers. The maximum is exact, so the values are those of thinc.
* Layer normalisation (``_layernorm_forward``) with the very numpy operations of thinc's
  ``LayerNorm`` in the same order, minus the work done twice there (the mean inside ``var``, ``X - mu``)
  and minus the temporary arrays.
* The embedding (``CachedEmbed``): the first half of tok2vec maps each token on its own, from six
  hashed features (NORM, PREFIX, SUFFIX, SHAPE, SPACY, IS_SPACE), to a 96-float row; only the encoder
  after it looks at neighbours. News repeats its words, so each row is computed once per process and
  key (the six feature values exactly, not the word) and then copied from a table.

Why the cached rows are bit-identical: each step of the embedding (hash-table sums, the maxout's
matrix product, layer normalisation) treats rows independently, and OpenBLAS computes a row of a
product the same way whatever the number of rows, as long as there are at least 5 (with 1 to 4 rows
it takes another code path; measured, see ``tests/test_nlp_tok2vec.py``). So missing rows are
computed in batches padded to ``MIN_ROWS`` rows, and a batch of documents with fewer than
``MIN_ROWS`` tokens in all goes through the model unchanged.

Only pipelines whose tok2vec has the expected shape get the cache; anything else (other models,
static vectors in the embedding) keeps the plain model. None of this supports training: the
pipeline loaded by ``detente.nlp.load_pipeline`` is only ever used to predict.
"""

from __future__ import annotations

from typing import Any

import numpy
from thinc.api import Model, NumpyOps
from thinc.types import Ragged

MIN_ROWS = 16
"""Fewest rows given to the embedding's matrix product (OpenBLAS changes method below 5 rows)."""
CACHE_ROWS = 100_000
"""Embedding rows kept before the cache is emptied (96 floats each: about 38 MB, plus the keys)."""
# leaves of the embedding whose output row depends only on the token's own feature values
_ROW_WISE = frozenset({"ints-getitem", "hashembed", "maxout", "layernorm", "dropout"})


class InferenceOps(NumpyOps):
    """NumpyOps whose ``maxout`` returns no argmax: exact maxima, for prediction only."""

    name = "numpy"

    def maxout(self, X):  # type: ignore[override]
        best = numpy.maximum(X[:, :, 0], X[:, :, 1]) if X.shape[2] > 1 else X[:, :, 0].copy()
        for piece in range(2, X.shape[2]):
            numpy.maximum(best, X[:, :, piece], out=best)
        return best, None  # no "which": backprop_maxout would fail, and nothing here trains


def _no_backprop(_d: Any) -> Any:
    raise NotImplementedError("detente's fast tok2vec is inference-only")


def _layernorm_forward(model: Model, X, is_train: bool):
    """thinc's LayerNorm forward, operation for operation (numpy's ``var`` inlined with the mean
    already computed), so the result is bit-identical."""
    mu = X.mean(axis=1, keepdims=True)
    d = X - mu
    var = numpy.add.reduce(d * d, axis=1, keepdims=True)
    numpy.true_divide(var, numpy.intp(X.shape[1]), out=var, casting="unsafe")  # as numpy's _var
    var += 1e-08
    d *= var ** (-1.0 / 2.0)
    d *= model.get_param("G")
    d += model.get_param("b")
    return d, _no_backprop


def _fast_layernorm(node: Model) -> Model:
    return Model("layernorm", _layernorm_forward, ops=node.ops,
                 dims={"nI": node.get_dim("nI"), "nO": node.get_dim("nO")},
                 params={"G": node.get_param("G"), "b": node.get_param("b")})


class EmbeddingCache:
    """Embedding rows by the token's exact feature values (bytes of its uint64 feature row)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.clear()

    def clear(self) -> None:
        self.index: dict[bytes, int] = {}
        self.table = numpy.zeros((min(1024, CACHE_ROWS), self.width), dtype="float32")
        self.size = 0

    def add(self, keys: list[bytes], rows) -> None:
        """Store new rows; the caller empties the cache first when they would not fit."""
        need = self.size + len(keys)
        if need > len(self.table):
            bigger = numpy.zeros((max(need, min(2 * len(self.table), CACHE_ROWS)), self.width), dtype="float32")
            bigger[: self.size] = self.table[: self.size]
            self.table = bigger
        self.table[self.size : need] = rows
        for i, key in enumerate(keys, self.size):
            self.index[key] = i
        self.size = need


_CACHES: dict[int, EmbeddingCache] = {}
"""Each cached embedding's rows, by thinc model id (kept out of ``attrs``, which thinc serialises)."""


def embedding_cache(model: Model) -> EmbeddingCache:
    """The row cache of a ``detente_cached_embed`` node (created on first use)."""
    cache = _CACHES.get(model.id)
    if cache is None:
        cache = _CACHES[model.id] = EmbeddingCache(model.get_dim("nO"))
    return cache


def _cached_embed_forward(model: Model, docs, is_train: bool):
    """The embedding's rows for ``docs`` (a list of arrays, as ``ragged2list`` gives), from the cache."""
    plain: Model = model.layers[0]
    if is_train:
        return plain(docs, is_train)
    feats = plain.layers[0].predict(docs)  # extract_features: the exact values the hash tables read
    lengths = numpy.asarray([len(f) for f in feats], dtype="int32")
    n_tokens = int(lengths.sum())
    if n_tokens < MIN_ROWS or n_tokens > CACHE_ROWS:
        return plain.predict(docs), _no_backprop
    ids = numpy.ascontiguousarray(numpy.concatenate(feats), dtype="uint64")
    keys = ids.view(numpy.dtype((numpy.void, ids.shape[1] * 8))).ravel().tolist()
    cache = embedding_cache(model)
    if cache.size + n_tokens > CACHE_ROWS:
        cache.clear()  # a long run meets ever new words; stay within the memory budget
    get = cache.index.get
    rows = [get(k, -1) for k in keys]
    if -1 in rows:
        first: dict[bytes, int] = {}
        for i, (key, row) in enumerate(zip(keys, rows)):
            if row < 0 and key not in first:
                first[key] = i
        sel = list(first.values())
        sel += [sel[0]] * (MIN_ROWS - len(sel))  # padded: OpenBLAS treats tiny products differently
        X: Any = Ragged(ids[sel], numpy.asarray([len(sel)], dtype="int32"))
        for layer in plain.layers[2:-1]:  # list2ragged and ragged2list are not needed on one array
            X = layer.predict(X)
        cache.add(list(first), X.dataXd[: len(first)])
        rows = [get(k) for k in keys]
    flat = cache.table.take(numpy.asarray(rows, dtype=numpy.intp), axis=0)
    return model.ops.unflatten(flat, lengths), _no_backprop


def _embed_is_cacheable(embed: Model) -> bool:
    """extract_features >> list2ragged >> (row-wise layers) >> ragged2list, nothing else."""
    names = [layer.name for layer in embed.layers]
    if len(names) < 4 or names[0] != "extract_features" or names[1] != "list2ragged" or names[-1] != "ragged2list":
        return False
    for layer in embed.layers[2:-1]:
        if not layer.name.startswith("with_array"):
            return False
        leaves = {n.name for n in layer.walk() if not n.layers}
        if not leaves <= _ROW_WISE:
            return False
    return True


def speed_up_tok2vec(nlp) -> bool:
    """Put the exact fast path into ``nlp``'s tok2vec (in place); True if the embedding is cached."""
    if "tok2vec" not in nlp.pipe_names:
        return False
    model: Model = nlp.get_pipe("tok2vec").model
    for node in list(model.walk()):
        if isinstance(node.ops, NumpyOps) and not isinstance(node.ops, InferenceOps):
            node.ops = InferenceOps(use_blis=getattr(node.ops, "use_blis", True))
    for node in list(model.walk()):
        if node.name == "layernorm" and set(node.param_names) == {"G", "b"} and node.has_param("G"):
            model.replace_node(node, _fast_layernorm(node))
    embed = model.layers[0] if model.layers else None
    if embed is None or embed.name == "detente_cached_embed":
        return embed is not None  # already done
    if not _embed_is_cacheable(embed):
        return False
    cached = Model("detente_cached_embed", _cached_embed_forward, layers=[embed], ops=embed.ops,
                   dims={"nO": embed.get_dim("nO")})
    return model.replace_node(embed, cached)
