"""Text processing: the spaCy pipeline and the rule-based document splitter."""

from detente.nlp.documents import dateline_length, is_boilerplate, normalise, sentence_spans, split_document
from detente.nlp.model import ModelNotInstalled, load_pipeline, model_name

__all__ = [
    "ModelNotInstalled",
    "dateline_length",
    "is_boilerplate",
    "load_pipeline",
    "model_name",
    "normalise",
    "sentence_spans",
    "split_document",
]
