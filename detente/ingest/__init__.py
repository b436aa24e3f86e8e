"""Ingestion: files, pages, feeds, URLs and JSON Lines into ``Article`` records (or named ``InputError``s).

``readers`` reads files and streams (text, HTML, JSONL); ``pages`` reduces slideshow and digest pages
to their article; ``language`` detects the language; ``fetch`` fetches URLs safely; ``feeds`` reads
RSS/Atom feeds and OPML lists. ``detente.ingestion`` runs them in a job that codes and stores.
"""

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
