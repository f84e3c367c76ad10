"""Interviews as iCalendar events (RFC 5545): the invitation mailed with each schedule, update
and cancellation, and the "add to calendar" download. One UID per interview; each change mailed
raises SEQUENCE, so calendars replace the event they hold instead of adding another."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import connection
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from tenant_apps.interviews.models import Interview

PRODID = "-//Placemate//Interviews//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def interview_uid(interview: Interview, *, host: str) -> str:
    return f"interview-{interview.pk}@{host}"


def interview_calendar(
    interview: Interview, *, host: str, method: str = "REQUEST", url: str = ""
) -> bytes:
    """The interview (with `round`, `application__drive__company`, `student__user` loaded) as a
    calendar of one event, at the college's local time with its VTIMEZONE."""
    zone = ZoneInfo(connection.tenant.time_zone)
    drive = interview.application.drive
    round_name = interview.round.name or interview.round.get_kind_display()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", interview_uid(interview, host=host))
    event.add("sequence", interview.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", interview.scheduled_at.astimezone(zone))
    event.add("dtend", interview.ends_at.astimezone(zone))
    event.add("summary", f"{round_name}: {drive.title} at {drive.company.name}")
    where = interview.venue or interview.meeting_link
    if where:
        event.add("location", where)
    details = [f"{round_name} for {drive.title} ({drive.company.name})."]
    if interview.meeting_link:
        details.append(f"Meeting link: {interview.meeting_link}")
    if interview.interviewer:
        details.append(f"Interviewer: {interview.interviewer}")
    event.add("description", "\n".join(details))
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    attendee = vCalAddress(f"mailto:{interview.student.user.email}")
    attendee.params["cn"] = vText(
        interview.student.user.get_full_name() or interview.student.user.email
    )
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    add_timezones(calendar)
    return calendar.to_ical()


@lru_cache(maxsize=128)
def vtimezone(tzid: str) -> Timezone | None:
    """The VTIMEZONE of a zone over icalendar's default years: a function of the time zone
    database alone that takes tens of milliseconds to compute, so once per process and zone."""
    try:
        return Timezone.from_tzid(tzid)
    except ValueError:  # a zone icalendar does not know: none, as `add_missing_timezones`
        return None


def add_timezones(calendar: Calendar) -> None:
    """`calendar.add_missing_timezones()`, with each zone's component computed once."""
    for tzid in sorted(calendar.get_missing_tzids()):
        component = vtimezone(tzid)
        if component is not None:
            calendar.subcomponents.insert(len(calendar.timezones), component)


def filename(interview: Interview) -> str:
    return f"interview-{interview.pk}.ics"
