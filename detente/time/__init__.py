"""Dates: the event date of a clause (explicit, relative, or relative to a dated meeting)."""

from detente.time.calendar import (
    Calendar,
    CalendarEvent,
    CalendarMatch,
    calendar_events,
    default_calendar,
    find_calendar_event,
)
from detente.time.resolve import DateResolution, Precision, resolve_date, resolve_date_detail

__all__ = [
    "Calendar",
    "CalendarEvent",
    "CalendarMatch",
    "DateResolution",
    "Precision",
    "calendar_events",
    "default_calendar",
    "find_calendar_event",
    "resolve_date",
    "resolve_date_detail",
]
