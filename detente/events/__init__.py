"""Event coding: the PLOVER/CAMEO ontology, the cue lexicon and (in ``coder``) the event coder."""

from detente.events.contexts import contexts_for
from detente.events.cues import (
    CueEntry,
    CueLexicon,
    CueMatch,
    CueModality,
    cue_modality,
    default_lexicon,
    evaluate,
    recoded_event,
    speech_verbs,
)
from detente.events.ontology import CameoCode, Ontology, OntologyError, default_ontology

__all__ = [
    "CameoCode",
    "CueEntry",
    "CueLexicon",
    "CueMatch",
    "CueModality",
    "Ontology",
    "OntologyError",
    "contexts_for",
    "cue_modality",
    "default_lexicon",
    "default_ontology",
    "evaluate",
    "recoded_event",
    "speech_verbs",
]
