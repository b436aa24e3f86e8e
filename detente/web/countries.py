"""ISO 3166 alpha-3 -> numeric codes, for the map: the world atlas keys its shapes by numeric code,
the store by alpha-3. Done server-side with ``pycountry`` so the page needs no code table of its own."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=512)
def numeric_of(iso3: str) -> tuple[str | None, str | None]:
    """(numeric code as the atlas writes it, e.g. "643", English name), or (None, None) for a code
    ISO does not list (Kosovo's XKX has no numeric code and no shape of its own in the atlas)."""
    import pycountry

    country = pycountry.countries.get(alpha_3=(iso3 or "").upper())
    if country is None:
        return None, None
    return country.numeric, getattr(country, "common_name", None) or country.name
