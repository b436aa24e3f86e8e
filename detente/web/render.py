"""JSON bodies written directly from columns: the two answers a dashboard asks for on every click.

``json.dumps`` of an event page or a dyad series spends most of its time on dicts of Python values
built only to be encoded (about 0.9 ms of a page's 1.7 ms of CPU, 1 ms of a series' 3.6 ms): here
each column is turned into JSON text at once (repeated strings and dates looked up from texts made
at start-up) and the rows are filled into one template. The bytes are those of ``dumps`` of the
dicts (same keys and order, floats as ``repr``, ``ensure_ascii=False``, NaN and infinities as
null): ``tests/test_web_memory.py`` compares both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from json.encoder import encode_basestring  # the C encoder's own string escaping (ensure_ascii=False)
from typing import Any

import numpy as np
import pyarrow as pa

NULL = "null"


def dumps(content: Any) -> str:
    """The API's JSON: compact, UTF-8 text as is, NaN and infinities as null (pandas' missing values)."""
    try:  # most answers hold no NaN: walking them to replace it costs more than the encoding
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_default)
    except ValueError:
        return json.dumps(clean(content), ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                          default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def clean(value: Any) -> Any:
    """Replace NaN/inf (pandas' missing values) by None, recursively."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


class Raw(str):
    """JSON text already made, put into an object as it is (``obj``)."""


def obj(items: Sequence[tuple[str, Any]]) -> str:
    """``dumps(dict(items))``, except that ``Raw`` values go in as they are."""
    return "{" + ",".join(encode_basestring(k) + ":" + (v if isinstance(v, Raw) else dumps(v)) for k, v in items) + "}"


def floats(values: np.ndarray) -> list[str]:
    """Each float as ``json.dumps`` writes it (``repr``), NaN and infinities as null."""
    v = np.asarray(values, dtype=float)
    out = [repr(x) for x in v.tolist()]
    bad = ~np.isfinite(v)
    if bad.any():
        for i in np.flatnonzero(bad).tolist():
            out[i] = NULL
    return out


_SHORT: dict[float, str] = {}
"""Texts of rounded floats seen before: a series' figures have two or three decimals and repeat
(0.5, -0.333 ...), and a lookup costs a fifth of ``repr``. Bounded; zeros are not kept (-0.0 == 0.0)."""
_SHORT_MAX = 200_000


def short_floats(values: list[float]) -> list[str]:
    """``floats`` of values rounded to a few decimals (``DyadIndex.to_rows``' figures), remembered."""
    get = _SHORT.get

    def text(x: float) -> str:
        if x != x or x in (math.inf, -math.inf):
            return NULL
        t = repr(x)
        if x != 0 and len(_SHORT) < _SHORT_MAX:
            _SHORT[x] = t
        return t

    return [get(x) or text(x) for x in values]


def rows(keys: Sequence[str], columns: Sequence[Sequence[str]]) -> Raw:
    """A JSON array of objects with ``keys`` from columns of JSON texts (one text per row)."""
    template = "{" + ",".join(encode_basestring(k) + ":%s" for k in keys) + "}"
    return Raw("[" + ",".join([template % r for r in zip(*columns)]) + "]")


# -- columns of an Arrow table ----------------------------------------------------------------------

Encoder = Callable[[np.ndarray], list[str]]
"""Row positions -> the JSON texts of one column at those rows."""


def column_encoder(column: pa.ChunkedArray | pa.Array) -> Encoder:
    """The fastest exact encoder for the column's type: integers and floats through numpy, dates from
    a table of ISO texts, strings through the JSON encoder's escaping, anything else value by value."""
    if isinstance(column, pa.ChunkedArray):  # one chunk (the table is combined): its array, not a copy
        arr = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    else:
        arr = column
    kind = arr.type
    valid = None if arr.null_count == 0 else np.asarray(arr.is_valid())
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_date32(kind):
        numbers = arr.cast(pa.int32()) if pa.types.is_date32(kind) else arr
        if valid is not None:
            numbers = numbers.fill_null(math.nan if pa.types.is_floating(kind) else 0)
        values = numbers.to_numpy(zero_copy_only=False)  # no copy for numbers without nulls
        if pa.types.is_integer(kind):
            def convert(v: np.ndarray) -> list[str]:
                return [str(x) for x in v.tolist()]
        elif pa.types.is_floating(kind):
            convert = floats
        else:
            convert = _dates(values)
        if valid is None:
            return lambda p: convert(values[p])

        def with_nulls(p: np.ndarray) -> list[str]:
            out = convert(values[p])
            for i in np.flatnonzero(~valid[p]).tolist():
                out[i] = NULL
            return out

        return with_nulls
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        def strings(p: np.ndarray) -> list[str]:
            return [NULL if s is None else encode_basestring(s) for s in arr.take(pa.array(p)).to_pylist()]

        return strings

    def values_of(p: np.ndarray) -> list[str]:  # lists, booleans, timestamps ...: as dumps writes them
        return [NULL if v is None else dumps(v) for v in arr.take(pa.array(p)).to_pylist()]

    return values_of


def _dates(days: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    """Days since 1970 -> '"YYYY-MM-DD"', from a table of the texts of every day of the column's range
    (a few thousand); a range too wide for a table (a stray year 1 or 9999) converts on request."""
    if not len(days):
        return lambda v: []
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > 100_000:
        return lambda v: ['"' + s + '"' for s in np.datetime_as_string(v.astype("datetime64[D]")).tolist()]
    texts = np.array(['"' + s + '"' for s in np.datetime_as_string(np.arange(lo, hi + 1).astype("datetime64[D]")).tolist()],
                     dtype=object)
    return lambda v: texts[v.astype(np.int64) - lo].tolist()


def repeated_encoder(values: list[Any], index: np.ndarray) -> Encoder:
    """A column kept as a list of distinct values and an index per row: their texts, made once."""
    texts = np.array([NULL if v is None else dumps(v) for v in values], dtype=object)
    return lambda p: texts[index[p]].tolist()
