"""Cutting the inputs into partitions the cluster can read on its own.

The client only looks at file names and sizes (and, for a big uncompressed JSONL file, the positions
of its newlines); the articles themselves are read inside the tasks, so a corpus larger than the
client's memory is never loaded there. A partition is one of:

* a byte range of a big ``.jsonl``/``.ndjson`` file, starting and ending on a line boundary, with the
  number of its first line so that error names (``file:line``) and default ids are the ones the local
  engine gives;
* a run of consecutive small files (text, HTML, JSONL, ``.jsonl.gz``; a compressed file cannot be cut).

A partition's identity (``pid``) hashes what it reads (resolved paths and byte range), never when or
by whom it was run: a retried task or a second run of the same job writes to the same output files.
``order`` is its place in the input order, which the merge follows so that the store sees the articles
in the order the local engine would have written them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from detente.records import Article, InputError

DEFAULT_PARTITION_BYTES = 4 * 1024 * 1024
"""About 1,000 news articles: half a minute of one worker core. Many more partitions than workers
keep every worker busy to the end, and a retry costs little."""

MAX_FILES_PER_PARTITION = 2_000
"""A folder of many tiny pages still makes tasks of a useful size, but not unboundedly many files."""

_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True)
class Partition:
    """What one task reads. ``paths`` is one file for a byte range, else the files in input order."""

    pid: str
    order: tuple[int, int, int]
    paths: tuple[str, ...]
    start: int | None = None
    end: int | None = None
    first_line: int = 1
    note: InputError | None = field(default=None, compare=False)
    """An input that cannot be read at all by the cluster (a URL, a feed, stdin): reported by the task."""

    @property
    def label(self) -> str:
        """A human name for progress and error messages."""
        if self.note is not None:
            return self.note.input
        if self.start is not None:
            return f"{self.paths[0]} bytes {self.start}-{self.end}"
        if len(self.paths) == 1:
            return self.paths[0]
        return f"{self.paths[0]} (+{len(self.paths) - 1} files)"

    def to_json(self) -> dict:
        return {"pid": self.pid, "order": list(self.order), "paths": list(self.paths), "start": self.start,
                "end": self.end, "first_line": self.first_line}


def _pid(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()[:20]


def _is_url(text: str) -> bool:
    return "://" in text[:12] or text.lower().startswith(("http:", "https:"))


def _splittable(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".jsonl", ".ndjson"))


def _looks_binary(path: Path) -> bool:
    """The local reader rejects a binary JSONL file as a whole; such a file is not cut, so the error is
    reported once, by the reader itself."""
    from detente.ingest.readers import _binary_reason

    try:
        with path.open("rb") as fh:
            return _binary_reason(fh.read(65536)) is not None
    except OSError:
        return True


def split_points(path: Path, size: int, part_bytes: int) -> list[tuple[int, int]]:
    """(byte offset, first line number) of each range of about ``part_bytes``, cut after a newline.

    Reads the file once, sequentially, counting newlines (a few hundred MB/s); holds one chunk in
    memory."""
    points = [(0, 1)]
    target = part_bytes
    pos = 0
    lines = 0
    with path.open("rb") as fh:
        while target < size:
            chunk = fh.read(_SCAN_CHUNK)
            if not chunk:
                break
            offset = 0
            while target < pos + len(chunk):
                i = chunk.find(b"\n", max(target - pos, offset))
                if i < 0:
                    break  # the line goes on into the next chunk
                cut = pos + i + 1
                if cut < size:
                    points.append((cut, lines + chunk.count(b"\n", 0, i + 1) + 1))
                target = cut + part_bytes
                offset = i + 1
            lines += chunk.count(b"\n")
            pos += len(chunk)
    return points


def _files_of(item: str) -> tuple[list[Path], InputError | None]:
    """The files the local engine would read for one input, in its order; or why the cluster cannot."""
    from detente.ingest import readers

    if item == "-":
        return [], InputError("-", "read", "standard input cannot be read by a cluster; use --engine local")
    if _is_url(item):
        return [], InputError(item, "read", "URLs and feeds are fetched by the local engine (--engine local)")
    p = Path(item)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and (readers._kind(f) or readers.is_feed_path(f)))
        if not files:
            return [], InputError(item, "read", "folder holds no text, HTML, JSONL, feed or OPML files")
        return files, None
    return [p], None


def plan_partitions(inputs: Iterable[str | os.PathLike[str]],
                    partition_bytes: int = DEFAULT_PARTITION_BYTES) -> list[Partition]:
    """The partitions of ``inputs`` (files, folders), in input order. Inputs the cluster cannot read
    (URLs, feeds, ``-``) become partitions that only report an error, so nothing passes silently."""
    from detente.ingest import readers

    if partition_bytes < 1:
        raise ValueError(f"partition size must be at least 1 byte, got {partition_bytes}")
    out: list[Partition] = []
    for i, raw in enumerate(inputs):
        item = str(raw)
        files, err = _files_of(item)
        if err is not None:
            out.append(Partition(_pid("note", item, err.reason), (i, 0, 0), (item,), note=err))
            continue
        group: list[tuple[int, Path]] = []
        group_bytes = 0

        def flush() -> None:
            nonlocal group, group_bytes
            if group:
                paths = tuple(str(f.resolve()) if f.exists() else str(f) for _, f in group)
                out.append(Partition(_pid("files", paths), (i, group[0][0], 0), tuple(str(f) for _, f in group)))
            group, group_bytes = [], 0

        for j, f in enumerate(files):
            if readers.is_feed_path(f):
                flush()
                note = InputError(str(f), "read", "feeds are fetched by the local engine (--engine local)")
                out.append(Partition(_pid("note", str(f)), (i, j, 0), (str(f),), note=note))
                continue
            try:
                size = f.stat().st_size
            except OSError:
                size = 0  # the reader in the task names the problem
            if size > partition_bytes and _splittable(f) and not _looks_binary(f):
                flush()
                points = split_points(f, size, partition_bytes)
                real = str(f.resolve())
                for k, (start, line) in enumerate(points):
                    end = points[k + 1][0] if k + 1 < len(points) else size
                    out.append(Partition(_pid("range", real, start, end), (i, j, start), (str(f),),
                                         start=start, end=end, first_line=line))
                continue
            if group and (group_bytes + size > partition_bytes or len(group) >= MAX_FILES_PER_PARTITION):
                flush()
            group.append((j, f))
            group_bytes += size
        flush()
    return out


def _range_lines(path: str, start: int, end: int, first_line: int) -> Iterator[bytes]:
    """The lines starting in [start, end), preceded by ``first_line - 1`` blank lines so the reader
    numbers them as in the whole file (blank lines are skipped by the reader at no cost)."""
    yield from itertools.repeat(b"", first_line - 1)
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = start
        while pos < end:
            line = fh.readline()
            if not line:
                break
            pos += len(line)
            yield line


def read_partition(part: Partition, default_date: date | None = None) -> Iterator[Article | InputError]:
    """The articles (and bad inputs) of one partition, in input order, as the local readers give them."""
    for _, item in read_partition_sources(part, default_date):
        yield item


def read_partition_sources(part: Partition, default_date: date | None = None
                           ) -> Iterator[tuple[str, Article | InputError]]:
    """``read_partition`` with the file each item came from (the store's ``source_input``)."""
    from detente.ingest import readers

    if part.note is not None:
        yield part.note.input, part.note
        return
    if part.start is None:
        for p in part.paths:
            for item in readers.read_path(p, default_date=default_date):
                yield p, item
        return
    name = part.paths[0]
    try:
        lines = _range_lines(name, part.start, part.end or 0, part.first_line)
        for item in readers.read_stream(lines, name, default_date=default_date):
            # "no JSON lines" belongs to the file, not to one range of it that happens to be blank
            if part.start > 0 and isinstance(item, InputError) and item.input == name \
                    and item.reason.startswith("empty input"):
                continue
            yield name, item
    except OSError as exc:
        yield name, InputError(name, "read", f"cannot read: {type(exc).__name__}: {exc}")
