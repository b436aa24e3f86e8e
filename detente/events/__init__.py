"""Event coding: the PLOVER/CAMEO ontology, the cue lexicon and (in ``coder``) the event coder."""

from detente.events.cues import CueEntry, CueLexicon, CueMatch, default_lexicon
from detente.events.ontology import CameoCode, Ontology, OntologyError, default_ontology

__all__ = [
    "CameoCode",
    "CueEntry",
    "CueLexicon",
    "CueMatch",
    "Ontology",
    "OntologyError",
    "default_lexicon",
    "default_ontology",
]
