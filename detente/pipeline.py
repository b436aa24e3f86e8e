"""Composes the stages for one article: sentences -> prefilter -> parse -> events -> dates, places.

Speed comes from the prefilter: a sentence is parsed only when the fast scanners find both an
actor-like mention and a cue word in it; most sentences of news copy have neither. Parsing is batched
through ``nlp.pipe``. ``code_many`` spreads articles over worker processes, each loading the model and
the knowledge base once.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing as mp
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date

from detente.records import Article, Event, InputError, Sentence

MAX_SENTENCE_CHARS = 1_000


class Coder:
    """Article -> Events. Loads spaCy, the actor knowledge base and the cue lexicon once."""

    def __init__(self, nlp=None, resolver=None, lexicon=None):
        from detente.actors import default_resolver
        from detente.events.coder import EventCoder
        from detente.events.cues import default_lexicon
        from detente.events.ontology import default_ontology
        from detente.geo import country_location, locate
        from detente.nlp import load_pipeline
        from detente.time import find_calendar_event, resolve_date

        self.nlp = nlp or load_pipeline()
        self.resolver = resolver or default_resolver()
        self.lexicon = lexicon or default_lexicon()
        self.events = EventCoder(self.resolver, self.lexicon, default_ontology(), date_resolver=resolve_date,
                                 locator=locate, country_location=country_location,
                                 find_meeting=find_calendar_event, contexts_for=_contexts_for())
        self.stats = {"sentences": 0, "parsed": 0, "events": 0}

    # -- one article --------------------------------------------------------------------------------

    def scan(self, sentence: Sentence) -> tuple[bool, list[tuple[int, int, str]]]:
        """(worth parsing?, actor-like spans). Worth parsing: an actor-like mention and a cue word, and
        not absurdly long."""
        spans = self.resolver.scan(sentence.text)
        if not spans or len(sentence.text) > MAX_SENTENCE_CHARS:
            return False, spans
        return self.lexicon.scan(sentence.text), spans

    def code(self, article: Article) -> list[Event]:
        return next(iter(self._code_batch([article])))[1]

    def code_sentence_text(self, text: str, date: date | None = None, doc_id: str = "s") -> list[Event]:
        """One sentence (or short text) as its own document; used by the gold-set evaluation."""
        return self.code(Article(id=doc_id, text=text, date=date))

    def _code_batch(self, articles: list[Article]) -> Iterator[tuple[Article, list[Event]]]:
        from detente.events.coder import DocContext
        from detente.nlp import split_document

        per_article: list[tuple[Article, list[tuple[Sentence, bool, list]]]] = []
        texts: list[str] = []
        for art in articles:
            scanned = []
            for s in split_document(art):
                parse, spans = self.scan(s)
                scanned.append((s, parse, spans))
                if parse:
                    texts.append(parse_form(s.text, spans))
            self.stats["sentences"] += len(scanned)
            per_article.append((art, scanned))
        self.stats["parsed"] += len(texts)
        docs = iter(self.nlp.pipe(texts, batch_size=256)) if texts else iter(())
        for art, scanned in per_article:
            ctx = DocContext(article=art, anchor=art.date)
            if any(parse for _, parse, _ in scanned):
                ctx.hint = self.events.find_meeting(art.text[:20_000], art.date)
            events: list[Event] = []
            seen: set[tuple] = set()
            for s, parse, spans in scanned:
                # every sentence feeds the memory that pronouns and "the alliance" refer back to
                ctx.enter_sentence(self._named_actors(s.text, spans, art.date))
                if not parse:
                    continue
                doc = next(docs)
                for e in self.events.code(doc[:], s.index, ctx, text=s.text):
                    e.char_start, e.char_end = s.start, s.end
                    k = e.key()
                    if k in seen:
                        continue  # the same event told twice in one document is one event
                    seen.add(k)
                    events.append(e)
            self.stats["events"] += len(events)
            yield art, events

    def _named_actors(self, text: str, spans, when: date | None):
        """This sentence's actor mentions for the pronoun memory, resolved only if ever recalled."""
        resolve = self.events.resolve_phrase
        return [(start, functools.partial(resolve, text[start:end], when)) for start, end, _ in spans]

    # -- many articles ------------------------------------------------------------------------------

    def code_many(self, articles: Iterable[Article | InputError], workers: int = 1,
                  batch: int = 64) -> Iterator[tuple[Article | InputError, list[Event] | InputError]]:
        """Code a stream of articles (InputErrors pass straight through), in order.

        With ``workers > 1`` the articles are coded in worker processes that each build their own Coder.
        One article that breaks the coder becomes an InputError; the rest go on.
        """
        if workers <= 1:
            for chunk in _chunks(articles, batch):
                yield from self._code_chunk(chunk)
            return
        ctx = mp.get_context("fork" if os.name == "posix" else "spawn")
        with ctx.Pool(workers, initializer=_init_worker) as pool:
            for results in pool.imap(_work, _chunks(articles, batch)):
                yield from results

    def _code_chunk(self, chunk: list[Article | InputError]):
        arts = [a for a in chunk if isinstance(a, Article)]
        coded: dict[int, list[Event] | InputError] = {}
        try:
            for art, events in self._code_batch(arts):
                coded[id(art)] = events
        except Exception:  # one bad article must not sink the batch: retry one by one
            for art in arts:
                try:
                    coded[id(art)] = self.code(art)
                except Exception as exc:  # noqa: BLE001 - reported as a named input error
                    coded[id(art)] = InputError(art.id, "code", f"{type(exc).__name__}: {exc}")
        for item in chunk:
            yield (item, item) if isinstance(item, InputError) else (item, coded[id(item)])


def parse_form(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text the parser sees: a Title Case headline ("Bulgaria Government Rejects Request") is put
    in sentence case, except the first word and the actor names found by the scanner, because the
    small English pipeline tags every capitalised word as a proper noun and finds no verb. Same
    length as ``text``, so character offsets still hold. Typographic quotes become ASCII ones (one
    character for one): the small pipeline parses “curly” quotes worse than straight ones."""
    text = text.translate(_ASCII_QUOTES)
    if text.rstrip().endswith("."):  # a sentence, not a headline (most texts: no words to find)
        return text
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    content = [(a, b) for a, b in words if b - a >= 4]
    caps = sum(1 for a, b in content if text[a].isupper())
    if len(content) < 3 or caps < 0.8 * len(content):
        return text
    keep = [False] * len(text)
    for a, b, _ in spans:
        for i in range(a, min(b, len(text))):
            keep[i] = True
    chars = list(text)
    for n, (a, b) in enumerate(words):
        if n == 0 or keep[a] or text[a:b].isupper():
            continue  # first word, actor names and acronyms keep their case
        chars[a] = chars[a].lower()
    return "".join(chars)


# Unicode quotation marks -> the ASCII mark the parser was trained on most (same length: offsets hold).
_ASCII_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u2033"} | {c: "'" for c in "\u2018\u2019\u201a\u201b\u2032"})

_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _contexts_for():
    try:
        from detente.events.contexts import contexts_for
    except ImportError:  # pragma: no cover - contexts are optional decoration
        return None
    return contexts_for


_WORKER: Coder | None = None


YOUNG_COLLECTION_EVERY = 20_000
"""Allocations between two young collections in a coding process (Python's default: 700)."""


def settle() -> None:
    """Take what is loaded so far (the model, the knowledge base, the gazetteer: some 200,000 objects
    that live as long as the process) out of the garbage collector's sight, and collect the young
    generation less often. Otherwise every full collection walks them all again (0.14 s each, once
    every 150 or so 600-word articles, about 2.5% of a long run), and a young collection every 700
    allocations walks a sentence's objects that would have died anyway (measured with
    ``gc.callbacks``: 130 collections per 150 articles, 2 with this threshold; coding makes almost
    no cycles). For processes that code until they exit (workers, the CLI), not for a library
    caller: what is frozen is never collected."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)


def _init_worker() -> None:
    global _WORKER
    _WORKER = Coder()
    settle()


def _work(chunk):
    assert _WORKER is not None
    return list(_WORKER._code_chunk(chunk))


def _chunks(items: Iterable, n: int) -> Iterator[list]:
    buf: list = []
    for it in items:
        buf.append(it)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf
