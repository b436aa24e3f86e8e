"""The event ontology: CAMEO codes (Goldstein weight, QuadClass) and PLOVER types, modes, contexts.

Everything here is read from ``data/ontology/cameo.tsv`` and ``data/ontology/plover.yaml``; this
module only indexes the two files and answers questions about them, so that the cue lexicon, the
coder and the store agree on one set of codes and one set of scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detente.data import load_table, load_yaml


class OntologyError(ValueError):
    """Inconsistent event data (unknown type, mode or code, or a code outside its type's families)."""


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    name: str
    goldstein: float
    quad_class: int

    @property
    def root(self) -> str:
        """The two-digit CAMEO root category ("0841" -> "08")."""
        return self.code[:2]


@dataclass(frozen=True, slots=True)
class PloverType:
    name: str
    definition: str
    cameo_families: tuple[str, ...]
    default: str
    score: float
    modes: dict[str, dict[str, Any]]


class Ontology:
    """Read-only view of the CAMEO table and the PLOVER ontology; use ``default_ontology()``."""

    def __init__(self) -> None:
        self._cameo: dict[str, CameoCode] = {}
        for row in load_table("ontology/cameo.tsv"):
            code = row["code"].strip()
            self._cameo[code] = CameoCode(code, row["name"], float(row["goldstein"]), int(row["quad_class"]))
        raw = load_yaml("ontology/plover.yaml")
        self._types: dict[str, PloverType] = {}
        for name, spec in raw["types"].items():
            self._types[name] = PloverType(
                name=name,
                definition=spec["definition"],
                cameo_families=tuple(str(c) for c in spec["cameo"]),
                default=str(spec["default"]),
                score=float(spec["score"]),
                modes={m: dict(v or {}) for m, v in (spec.get("modes") or {}).items()},
            )
        self._contexts: tuple[str, ...] = tuple(raw["contexts"])
        self._check_self()

    def _check_self(self) -> None:
        """The ontology file must be consistent with the CAMEO table it points into."""
        for t in self._types.values():
            self.validate(t.name, None, t.default)
            for mode, spec in t.modes.items():
                self.validate(t.name, mode, str(spec["cameo"]))

    # --- CAMEO -------------------------------------------------------------------------------
    def cameo(self, code: str) -> CameoCode:
        """The CAMEO code; an unknown 4-digit code falls back to its 3-digit parent (same weight)."""
        code = str(code).strip()
        found = self._cameo.get(code)
        if found is None and len(code) == 4:
            found = self._cameo.get(code[:3])
        if found is None:
            raise OntologyError(f"unknown CAMEO code {code!r}")
        return found

    def cameo_codes(self) -> list[str]:
        return list(self._cameo)

    def is_cameo(self, code: str) -> bool:
        return str(code) in self._cameo

    # --- PLOVER ------------------------------------------------------------------------------
    def types(self) -> list[str]:
        return list(self._types)

    def plover(self, event_type: str) -> PloverType:
        try:
            return self._types[event_type]
        except KeyError:
            raise OntologyError(f"unknown PLOVER type {event_type!r}") from None

    def modes(self, event_type: str) -> list[str]:
        return list(self.plover(event_type).modes)

    def contexts(self) -> list[str]:
        return list(self._contexts)

    def default_cameo(self, event_type: str, mode: str | None = None) -> str:
        """The CAMEO code standing for a type (or type + mode) when a cue gives no code of its own."""
        t = self.plover(event_type)
        if mode:
            if mode not in t.modes:
                raise OntologyError(f"{event_type} has no mode {mode!r}")
            return str(t.modes[mode]["cameo"])
        return t.default

    def score(self, event_type: str, mode: str | None = None) -> float:
        """PLOVER conflict-cooperation score; a mode without a score of its own takes the type's."""
        t = self.plover(event_type)
        if mode and mode in t.modes and "score" in t.modes[mode]:
            return float(t.modes[mode]["score"])
        return t.score

    def type_for_cameo(self, code: str) -> list[str]:
        """PLOVER types whose CAMEO families include ``code`` (usually one)."""
        return [t.name for t in self._types.values() if any(code.startswith(f) for f in t.cameo_families)]

    def validate(self, event_type: str, mode: str | None, cameo: str | None) -> None:
        """Raise ``OntologyError`` unless type, mode and CAMEO code fit together."""
        t = self.plover(event_type)
        if mode is not None and mode not in t.modes:
            raise OntologyError(f"{event_type} has no mode {mode!r} (modes: {', '.join(t.modes) or 'none'})")
        if cameo is None:
            return
        if str(cameo) not in self._cameo:
            raise OntologyError(f"unknown CAMEO code {cameo!r}")
        if not any(str(cameo).startswith(f) for f in t.cameo_families):
            raise OntologyError(
                f"CAMEO {cameo} is outside {event_type}'s families ({', '.join(t.cameo_families)})"
            )


@lru_cache(maxsize=1)
def default_ontology() -> Ontology:
    """The shared, cached ontology."""
    return Ontology()
