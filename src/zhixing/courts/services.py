"""Reads and writes about courts: the calendar a court counts days with,
API tokens, and who is away (休假、培训、出差…) on a day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from zhixing.courts.models import Absence, CalendarDay, Court, Officer
from zhixing.rules.calendar import WorkingCalendar, national_calendar


def court_calendar(court: Court) -> WorkingCalendar:
    """The national calendar, with the court's own table for later years."""
    extra = CalendarDay.objects.filter(court=court).values_list("day", "is_working_day")
    return national_calendar(list(extra))


def token_create(*, username: str) -> str:
    """A new API token for an officer; only its hash is stored."""
    from zhixing.courts.models import ApiToken

    officer = Officer.objects.filter(user__username=username).select_related("court").first()
    if officer is None:
        raise LookupError(f"没有用户名为“{username}”的干警")
    raw = ApiToken.generate()
    ApiToken.objects.create(court=officer.court, officer=officer, digest=ApiToken.hash(raw))
    return raw


# ---------------------------------------------------------------- absences


class AbsenceRefused(ValueError):
    """Absences refused, nothing recorded. `errors` are the filing doors' shape:
    [{"row", "field", "label", "message"}], Chinese, one per fault."""

    def __init__(self, errors: list[dict]):
        super().__init__("；".join(e["message"] for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class AbsenceInput:
    officer: Officer
    start_on: date
    end_on: date
    reason: str
    note: str = ""


def may_manage_team(actor: Officer | None, team_id: int | None) -> bool:
    """执行局长 and the command centre manage every team; a team leader their own."""
    if actor is None:
        return True  # the robot, the demo, the shell
    if actor.role in (Officer.Role.DIRECTOR, Officer.Role.CENTRE):
        return True
    return bool(actor.is_leader and team_id and actor.team_id == team_id)


def absences_record(
    *, court: Court, entries: Sequence[AbsenceInput], actor: Officer | None, now: datetime
) -> list[Absence]:
    """登记不在岗 (休假、培训、出差…): many at once, all or none. An absence may
    not end before it starts nor overlap another of the same officer (already
    recorded or in the batch); only the officer's team leader, the centre or
    the director may record it."""
    errors = []

    def fault(i, field_, label, message):
        errors.append({"row": i, "field": field_, "label": label, "message": message})

    for i, e in enumerate(entries):
        who = e.officer.name
        if e.officer.court_id != court.id:
            fault(i, "officer", "干警", f"{who}不是本院干警")
        elif not may_manage_team(actor, e.officer.team_id):
            fault(
                i,
                "officer",
                "干警",
                f"只有{who}所在团队的负责人、指挥中心或执行局长可以登记其不在岗",
            )
        if e.reason not in Absence.Reason.values:
            fault(
                i,
                "reason",
                "事由",
                f"事由“{e.reason}”不在可选范围内（{'、'.join(Absence.Reason.labels)}）",
            )
        if e.end_on < e.start_on:
            fault(
                i,
                "end_on",
                "结束日期",
                f"{who}的结束日期{e.end_on:%Y-%m-%d}早于开始日期{e.start_on:%Y-%m-%d}",
            )
    if errors:
        raise AbsenceRefused(errors)
    with transaction.atomic():
        # Lock the officers' rows so two leaders cannot record overlapping absences at once.
        ids = sorted({e.officer.id for e in entries})
        list(
            Officer.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id")
        )
        lo = min((e.start_on for e in entries), default=None)
        hi = max((e.end_on for e in entries), default=None)
        existing = defaultdict(list)
        if entries:
            for a in Absence.objects.filter(officer_id__in=ids, start_on__lte=hi, end_on__gte=lo):
                existing[a.officer_id].append((a.start_on, a.end_on, a.get_reason_display()))
        for i, e in enumerate(entries):
            for start, end, label in existing[e.officer.id]:
                if start <= e.end_on and e.start_on <= end:
                    fault(
                        i,
                        "start_on",
                        "开始日期",
                        f"{e.officer.name}{e.start_on:%Y-%m-%d}至{e.end_on:%Y-%m-%d}与已登记的{label}"
                        f"（{start:%Y-%m-%d}至{end:%Y-%m-%d}）重叠",
                    )
                    break
            existing[e.officer.id].append((e.start_on, e.end_on, Absence.Reason(e.reason).label))
        if errors:
            raise AbsenceRefused(errors)
        return Absence.objects.bulk_create(
            Absence(
                court=court,
                officer=e.officer,
                start_on=e.start_on,
                end_on=e.end_on,
                reason=e.reason,
                note=e.note.strip(),
                recorded_by=actor,
                recorded_at=now,
            )
            for e in entries
        )


def absences_cancel(*, absences: Sequence[Absence], actor: Officer | None) -> int:
    """撤销 absences recorded by mistake (the same people who may record them)."""
    for a in absences:
        if not may_manage_team(actor, a.officer.team_id):
            raise AbsenceRefused(
                [
                    {
                        "row": 0,
                        "field": "officer",
                        "label": "干警",
                        "message": f"无权撤销{a.officer.name}的不在岗登记",
                    }
                ]
            )
    with transaction.atomic():
        n, _ = Absence.objects.filter(id__in=[a.id for a in absences]).delete()
    return n


def officers_away(*, court: Court | int, day: date) -> dict[int, Absence]:
    """Officers an absence covers on `day`: officer id -> the absence (one query).
    `court` may be the court or its id."""
    court_id = court if isinstance(court, int) else court.id
    return {
        a.officer_id: a
        for a in Absence.objects.filter(
            court_id=court_id, start_on__lte=day, end_on__gte=day
        ).order_by("start_on", "id")
    }
