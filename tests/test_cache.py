"""The load cache (detente.cache): what an earlier process built is loaded equal, and a stale,
corrupt, foreign or unwritable cache is passed over."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

import pytest

from detente import cache
from detente.actors.kb import KnowledgeBase
from detente.actors.resolve import ActorResolver
from detente.actors.scan import Scanner, _name_pattern
from detente.events.cues import CueLexicon
from detente.geo.gazetteer import Gazetteer

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = (REPO / "examples" / "nato_summit_call.txt").read_text(encoding="utf-8")
PHRASES = ["US Defense Secretary Lloyd Austin", "Russian President Vladimir Putin", "the Kremlin",
           "former Hamas official", "President Bush", "Chinese UN peacekeepers", "ethnic Albanians"]


class Counted:
    """A builder that counts its calls: a cache hit does not build."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self):
        self.calls += 1
        return self.build()


@pytest.fixture
def cache_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    return folder


@pytest.fixture(scope="module")
def lexicon_pair(tmp_path_factory: pytest.TempPathFactory):
    """A cue lexicon built, then the same loaded from a cache folder."""
    folder = tmp_path_factory.mktemp("lexicon-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(cache.ENV_VAR, str(folder))
        build = Counted(CueLexicon)
        built = cache.cached("cue-lexicon", build)
        loaded = cache.cached("cue-lexicon", build)
    assert build.calls == 1
    return built, loaded, folder


def test_knowledge_base_loaded_equals_built(cache_in: Path) -> None:
    build = Counted(KnowledgeBase.load)
    built = cache.cached("actors-kb", build)
    loaded = cache.cached("actors-kb", build)
    assert build.calls == 1 and loaded is not built
    assert [p.name for p in cache_in.glob("actors-kb-*.pickle")]
    assert vars(loaded) == vars(built)
    # shared objects stay shared: the surname index points at the people of the people list
    people = {id(p) for p in loaded.people}
    assert all(id(p) in people for ps in loaded.surnames.values() for p in ps)
    a, b = ActorResolver(built), ActorResolver(loaded)
    for phrase in PHRASES:
        assert a.resolve(phrase) == b.resolve(phrase), phrase


def test_gazetteer_loaded_equals_built(cache_in: Path) -> None:
    build = Counted(Gazetteer)
    built = cache.cached("gazetteer", build)
    loaded = cache.cached("gazetteer", build)
    assert build.calls == 1
    assert vars(loaded) == vars(built)
    for name in ("Kharkiv", "Black Sea", "Georgia", "Washington", "Kiev"):
        assert loaded.lookup(name) == built.lookup(name) is not None


def test_lexicon_loaded_equals_built(lexicon_pair) -> None:
    built, loaded, _ = lexicon_pair
    assert {k: v for k, v in vars(loaded).items() if k != "ontology"} == \
        {k: v for k, v in vars(built).items() if k != "ontology"}
    assert vars(loaded.ontology) == vars(built.ontology)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", EXAMPLE) if s]
    assert [loaded.scan(s) for s in sentences] == [built.scan(s) for s in sentences]
    assert any(built.scan(s) for s in sentences) and not all(built.scan(s) for s in sentences)


def test_scanner_pattern_from_the_cache_is_the_compiled_one(cache_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = KnowledgeBase.load()
    first = Scanner(kb)  # compiles and stores the program
    second = Scanner(kb)  # loads it
    assert len(list(cache_in.glob("actor-scanner-*.pickle"))) == 1
    monkeypatch.setenv(cache.ENV_VAR, "off")
    plain = Scanner(kb)  # re.compile, as without a cache
    names = sorted(plain._plain | plain._proper | plain._acronyms)
    assert second._pattern.pattern == plain._pattern.pattern == _name_pattern(names)
    assert (second._pattern.flags, second._pattern.groups) == (plain._pattern.flags, plain._pattern.groups)
    sentences = [s for s in EXAMPLE.splitlines() if s.strip()]
    assert sum(len(plain.scan(s)) for s in sentences) > 10
    for s in sentences:
        assert first.scan(s) == second.scan(s) == plain.scan(s)


def test_cached_pattern_keeps_groups_and_flags(cache_in: Path) -> None:
    source = r"(?P<name>[a-zé]+)-(\d+)|(?:x)"
    calls = []

    def make() -> str:
        calls.append(1)
        return source

    for _ in range(2):
        pat = cache.cached_pattern("test-pattern", make, source, flags=re.IGNORECASE)
        ref = re.compile(source, re.IGNORECASE)
        assert (pat.pattern, pat.flags, pat.groups, dict(pat.groupindex)) == \
            (ref.pattern, ref.flags, ref.groups, dict(ref.groupindex))
        text = "Élan-12, x and BETA-7"
        assert [m.groupdict() | {"span": m.span()} for m in pat.finditer(text)] == \
            [m.groupdict() | {"span": m.span()} for m in ref.finditer(text)]
    assert len(calls) == 1  # the second pattern came from the cache


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupt_file_is_rebuilt_with_a_warning(lexicon_pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture, damage: str) -> None:
    built, _, folder = lexicon_pair
    (good,) = folder.glob("cue-lexicon-*.pickle")
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    path = tmp_path / good.name
    data = good.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data = data[:-100] + bytes([data[-100] ^ 0x01]) + data[-99:]
    elif damage == "garbage":
        data = os.urandom(len(data))
    else:
        data = b""
    path.write_bytes(data)
    path.chmod(0o600)
    build = Counted(CueLexicon)
    with caplog.at_level(logging.WARNING, logger="detente.cache"):
        lexicon = cache.cached("cue-lexicon", build)
    assert build.calls == 1
    assert "corrupt" in caplog.text
    assert lexicon.forms == built.forms
    assert path.read_bytes()[:16] == good.read_bytes()[:16]  # written again, and read below
    cache.cached("cue-lexicon", build)
    assert build.calls == 1


def test_changed_files_change_the_key(tmp_path: Path, cache_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = Path(cache.__file__).resolve().parent
    copy = tmp_path / "detente"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cache.package_digest(copy) == cache.package_digest(package)
    agents = copy / "data" / "agents.yaml"
    agents.write_bytes(agents.read_bytes() + b"\n# one more line\n")
    assert cache.package_digest(copy) != cache.package_digest(package)
    (copy / "data" / "agents.yaml").unlink()
    (copy / "data" / "agents.yml").write_bytes((package / "data" / "agents.yaml").read_bytes())
    assert cache.package_digest(copy) != cache.package_digest(package)  # a renamed file counts too

    build = Counted(lambda: {"built": True})
    cache.cached("changing", build)
    cache.cached("changing", build)
    assert build.calls == 1
    monkeypatch.setattr(cache, "fingerprint", lambda: "other files")
    cache.cached("changing", build)
    assert build.calls == 2  # another fingerprint: the old file is not read
    cache.cached("changing", build, "another input")
    assert build.calls == 3


def test_fingerprint_covers_versions_and_dependencies() -> None:
    assert cache.fingerprint() == cache.fingerprint()
    for dist in cache.DEPENDENCIES:
        ident = cache._dependency_identity(dist)
        assert ident.startswith(dist) and "missing" not in ident  # all are declared dependencies
    assert cache._dependency_identity("surely-not-an-installed-package").endswith("missing")


@pytest.mark.parametrize("value", ["off", "OFF", "0", "none", "false", "no"])
def test_disabled(value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_VAR, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() is None
    build = Counted(lambda: ["fresh"])
    assert cache.cached("disabled", build) == cache.cached("disabled", build) == ["fresh"]
    assert build.calls == 2
    pat = cache.cached_pattern("disabled-pattern", lambda: r"\bab+", "x")
    assert pat.findall("abb cab ab") == ["abb", "ab"]
    assert list(tmp_path.iterdir()) == []


def test_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "detente"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/xdg")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "detente"
    monkeypatch.setenv(cache.ENV_VAR, "  ")  # blank: as if unset
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "detente"


def test_unwritable_cache_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.ENV_VAR, str(blocker / "cache"))
    build = Counted(lambda: {"value": 1})
    with caplog.at_level(logging.WARNING, logger="detente.cache"):
        assert cache.cached("unwritable", build) == {"value": 1}
        assert cache.cached("unwritable", build) == {"value": 1}
    assert build.calls == 2
    assert "not written" in caplog.text
    assert caplog.text.count("not written") == 1  # once per folder, not once per structure


def test_file_others_can_write_is_not_read(cache_in: Path, caplog: pytest.LogCaptureFixture) -> None:
    build = Counted(lambda: {"value": 2})
    cache.cached("shared", build)
    (path,) = cache_in.glob("shared-*.pickle")
    assert path.stat().st_mode & 0o777 == 0o600 and cache_in.stat().st_mode & 0o777 == 0o700
    path.chmod(0o666)
    with caplog.at_level(logging.WARNING, logger="detente.cache"):
        assert cache.cached("shared", build) == {"value": 2}
    assert build.calls == 2 and "writable by others" in caplog.text
    assert path.stat().st_mode & 0o777 == 0o600  # replaced by a private file
    cache.cached("shared", build)
    assert build.calls == 2


def test_old_files_are_pruned(cache_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.cached("pruned-other", lambda: "kept")  # a name that starts like it is another structure
    for i in range(cache.KEEP_PER_NAME + 3):
        monkeypatch.setattr(cache, "fingerprint", lambda i=i: f"files {i}")
        cache.cached("pruned", lambda i=i: i)
        newest = cache._path("pruned", ())
        os.utime(newest, (1_000_000 + i, 1_000_000 + i))
    left = sorted(cache_in.glob("pruned-*.pickle"))
    assert len([p for p in left if not p.name.startswith("pruned-other")]) == cache.KEEP_PER_NAME
    assert newest in left and any(p.name.startswith("pruned-other") for p in left)


def test_calendar_patterns_from_the_cache(cache_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.time.calendar import default_calendar

    build = default_calendar.__wrapped__  # a fresh calendar each call (default_calendar keeps one)
    stored, loaded = build(), build()
    assert len(list(cache_in.glob("calendar-*.pickle"))) == 2  # any case, lower case
    monkeypatch.setenv(cache.ENV_VAR, "off")
    plain = build()
    for cal in (stored, loaded):
        assert (cal._regex.pattern, cal._regex.flags) == (plain._regex.pattern, plain._regex.flags)
        lower, plain_lower = cal._lower_regex, plain._lower_regex
        assert (lower.pattern, lower.flags) == (plain_lower.pattern, plain_lower.flags)
    texts = [EXAMPLE, "Leaders met at the NATO summit in Vilnius, a day after the G20 summit.", "NO SUMMIT HERE"]
    assert any(plain.matches(t) for t in texts)
    for t in texts:
        assert loaded.matches(t) == plain.matches(t)
        assert loaded._regex.findall(t.upper()) == plain._regex.findall(t.upper())


def test_default_lexicon_shares_the_ontology() -> None:
    from detente.events.cues import default_lexicon
    from detente.events.ontology import default_ontology

    assert default_lexicon().ontology is default_ontology()


def test_no_fingerprint_no_cache(cache_in: Path, monkeypatch: pytest.MonkeyPatch,
                                 caplog: pytest.LogCaptureFixture) -> None:
    def unreadable() -> str:
        raise PermissionError("data/agents.yaml")

    monkeypatch.setattr(cache, "fingerprint", unreadable)
    monkeypatch.setattr(cache, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="detente.cache"):
        assert cache.cached("unhashable", lambda: [3]) == [3]
    assert "cannot be hashed" in caplog.text and not cache_in.exists()


def test_bad_pattern_is_the_callers_error(cache_in: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="detente.cache"), pytest.raises(re.error):
        cache.cached_pattern("bad-pattern", lambda: "(unclosed", "bad")
    assert caplog.text == ""


def test_language_lists_loaded_equal_built(cache_in: Path) -> None:
    import numpy as np

    from detente.ingest import language

    build = Counted(language.build_model)
    built = cache.cached("language-lists", build)
    loaded = cache.cached("language-lists", build)
    assert build.calls == 1 and loaded is not built
    assert loaded._replace(tables=None) == built._replace(tables=None)
    assert loaded.tables.keys() == built.tables.keys()
    for script, table in built.tables.items():
        other = loaded.tables[script]
        assert other.lists == table.lists and other.rows == table.rows
        assert other.weights.dtype == table.weights.dtype and np.array_equal(other.weights, table.weights)
