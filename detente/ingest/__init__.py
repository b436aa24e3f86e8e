"""Ingestion: files and streams (text, HTML, JSON Lines) into ``Article`` records."""

from detente.ingest.readers import (
    MAX_CHARS,
    decode_bytes,
    html_to_article,
    parse_date,
    read_inputs,
    read_path,
    read_stream,
    record_to_article,
)

__all__ = [
    "MAX_CHARS",
    "decode_bytes",
    "html_to_article",
    "parse_date",
    "read_inputs",
    "read_path",
    "read_stream",
    "record_to_article",
]
