"""Reads and writes about courts: the calendar a court counts days with."""

from zhixing.courts.models import CalendarDay, Court
from zhixing.rules.calendar import WorkingCalendar, national_calendar


def court_calendar(court: Court) -> WorkingCalendar:
    """The national calendar, with the court's own table for later years."""
    extra = CalendarDay.objects.filter(court=court).values_list("day", "is_working_day")
    return national_calendar(list(extra))


def token_create(*, username: str) -> str:
    """A new API token for an officer; only its hash is stored."""
    from zhixing.courts.models import ApiToken, Officer

    officer = Officer.objects.filter(user__username=username).select_related("court").first()
    if officer is None:
        raise LookupError(f"没有用户名为“{username}”的干警")
    raw = ApiToken.generate()
    ApiToken.objects.create(court=officer.court, officer=officer, digest=ApiToken.hash(raw))
    return raw
