"""Cross-article event matching: which stored event an incoming report is a new mention of.

The rule (GDELT's event + mentions model): a report is the same event as a stored one when both have
the same PLOVER type, mode, source actor code, target actor code and modality, and their dates lie
within ``window_days`` of each other. Mode is part of the key because the coder's own ``Event.key()``
keeps events of different modes apart inside one article; the store must not merge what the coder
kept apart. Modality is part of it because "Russia did not attack" is not a report of an attack.

The date compared is the event's *anchor*: its best known date, else the first report's publication
date, else the day it was ingested (an undated event is assumed to be recent news, which is what an
undated feed entry is). The nearest anchor wins; on a tie, the better-dated event, then the older one.
Each report of one article joins a different event: the coder's ``Event.key()`` already merged what
it considers the same event inside the article (those become several mentions of one event).

The best date: a date written in the sentence ("text") beats the publication date, which beats none.
A later report with a more precise date replaces the event's date (and moves its anchor); at equal
precision the first report's date stays, so an event does not drift day by day as reports arrive.

The index is in memory (loaded once when the store opens): one sorted ``array`` of packed integers per
key, so a lookup is a dict access and a binary search, and a million events cost tens of megabytes.
Every change is logged so that a batch whose transaction fails can be undone exactly.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable

Key = tuple[str, str, str, str, str]
"""(event type, mode, actor code, recipient code, modality); mode is '' when the event has none."""

_ID_BITS = 40
_RANK_BITS = 2
_ID_MASK = (1 << _ID_BITS) - 1
_RANK_SHIFT = _ID_BITS
_ANCHOR_SHIFT = _ID_BITS + _RANK_BITS


def pack(anchor: int, rank: int, event_id: int) -> int:
    """anchor (date ordinal) | date rank | event id in one int, ordered by anchor for bisecting."""
    return (anchor << _ANCHOR_SHIFT) | (rank << _RANK_SHIFT) | event_id


def unpack(value: int) -> tuple[int, int, int]:
    return value >> _ANCHOR_SHIFT, (value >> _RANK_SHIFT) & 3, value & _ID_MASK


class EventIndex:
    """key -> events of that key sorted by anchor date; with an undo log for failed batches."""

    def __init__(self, window_days: int) -> None:
        if window_days < 0:
            raise ValueError(f"window_days must be >= 0, not {window_days}")
        self.window = window_days
        self._by_key: dict[Key, array] = {}
        self._undo: list[tuple[str, Key, int]] = []

    def __len__(self) -> int:
        return sum(len(a) for a in self._by_key.values())

    def load(self, rows: Iterable[tuple[Key, int, int, int]]) -> None:
        """Bulk load (key, anchor ordinal, rank, event id) rows at open; not undoable."""
        for key, anchor, rank, event_id in rows:
            self._by_key.setdefault(key, array("q")).append(pack(anchor, rank, event_id))
        for arr in self._by_key.values():
            arr[:] = array("q", sorted(arr))

    def candidates(self, key: Key, anchor: int, exclude: set[int] | frozenset[int] = frozenset()
                   ) -> list[tuple[int, int, int, int]]:
        """(distance in days, -rank, event id, packed) of the events within the window, best first."""
        arr = self._by_key.get(key)
        if not arr:
            return []
        lo = bisect_left(arr, pack(max(anchor - self.window, 0), 0, 0))
        hi = bisect_right(arr, pack(anchor + self.window, 3, _ID_MASK))
        out = []
        for value in arr[lo:hi]:
            a, rank, eid = unpack(value)
            if eid not in exclude:
                out.append((abs(a - anchor), -rank, eid, value))
        out.sort()
        return out

    def add(self, key: Key, anchor: int, rank: int, event_id: int) -> None:
        value = pack(anchor, rank, event_id)
        insort(self._by_key.setdefault(key, array("q")), value)
        self._undo.append(("add", key, value))

    def replace(self, key: Key, old: int, anchor: int, rank: int, event_id: int) -> None:
        """Move an event to a new anchor/rank (its date improved)."""
        self._remove(key, old)
        self._undo.append(("remove", key, old))
        self.add(key, anchor, rank, event_id)

    def _remove(self, key: Key, value: int) -> None:
        arr = self._by_key[key]
        i = bisect_left(arr, value)
        if i >= len(arr) or arr[i] != value:
            raise KeyError(f"event {value & _ID_MASK} not indexed under {key}")
        del arr[i]

    def commit(self) -> None:
        self._undo.clear()

    def rollback(self) -> None:
        """Undo every change since the last commit, newest first."""
        while self._undo:
            op, key, value = self._undo.pop()
            if op == "add":
                self._remove(key, value)
            else:
                insort(self._by_key.setdefault(key, array("q")), value)
