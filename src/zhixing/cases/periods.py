"""扣除审限期间: periods the time limit does not count (审限规定第九条; rules.md §3).

    cases_period_start  a period of one kind (拍卖、变卖, 审计、评估 …) begins
    cases_period_end    it ends
    extension_request   延长审限: the handler asks, in the limit's last five days
    extension_decide    the director (for the president, 院长) approves or refuses;
                        approval adds three months to the limit

Each is a batch in one transaction with one event per case, and each
recomputes the cases' open `time_limit` milestones from the filing date, the
title kind and all of the case's periods (rules.deadlines.time_limit_due), in
one bulk update.

While a period is open the limit does not run, so it has no last day yet: it
will be the day the period ends plus the days the limit had left. Such a
milestone stores TIME_LIMIT_PAUSED (9999-12-31) as its due date, and its basis
says which period is running and how many days the limit has left. The
overdue list (due_on < today, done_on null) then never shows a case whose
limit is not running, however long the auction takes, with no daily job to
push a date along: a stored "today + days left" would turn overdue by itself
after those days. A case whose limit was already spent when the period began
stays overdue: it keeps the past date its limit reached. When the last open
period ends, the real extended date is written back.

A second open period of the same kind on a case, or ending a period a case
does not have, records nothing for that case and says why in the outcome's
`skipped`: calling a service twice is harmless, and a batch is not refused
for one case. An unknown kind or a date after today refuses the whole batch
(PeriodRefused, in Chinese) and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import CaseEvent, EnforcementCase, ExcludedPeriod, Extension, Milestone
from zhixing.cases.services import TransitionRefused
from zhixing.courts.models import Officer
from zhixing.courts.services import court_calendar
from zhixing.rules.calendar import chinese_date
from zhixing.rules.deadlines import (
    DEFAULT_MILESTONES,
    EXTENSION_MONTHS,
    excluded_days,
    extension_may_request,
    time_limit_due,
)
from zhixing.rules.measures import EXCLUDED_PERIOD_KINDS

# The due date of a time limit that is not running (see the module docstring).
TIME_LIMIT_PAUSED = date(9999, 12, 31)
BASIS = "审限规定第九条"
_LIMIT_BASIS = next(m.basis for m in DEFAULT_MILESTONES if m.kind == "time_limit")


class PeriodRefused(TransitionRefused):
    """The whole batch was refused (unknown kind, a date after today)."""


@dataclass
class PeriodsOutcome:
    """Which cases got the change; for the others, why nothing was recorded."""

    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LimitNow:
    """A case's time limit after a recompute."""

    due_on: date  # as stored: TIME_LIMIT_PAUSED while not running
    running: bool
    days_left: int  # if every open period ended today (negative: overdue)


def cases_period_start(
    *,
    cases: Sequence[EnforcementCase],
    kind: str,
    actor: Officer | None,
    now: datetime,
    start_on: date | None = None,
) -> PeriodsOutcome:
    """A period of `kind` begins on each case (on `start_on`, today by default)."""
    label = _label(kind)
    today = timezone.localdate(now)
    start_on = start_on or today
    if start_on > today:
        raise PeriodRefused(f"扣除审限期间不能晚于今天开始（开始日期{chinese_date(start_on)}）")
    outcome = PeriodsOutcome()
    with transaction.atomic():
        states = _lock(cases)
        open_since = dict(
            ExcludedPeriod.objects.filter(
                case_id__in=list(states), kind=kind, end_on__isnull=True
            ).values_list("case_id", "start_on")
        )
        todo = []
        for c in _unique(cases):
            if states[c.id] == "closed":
                outcome.skipped[c.id] = "案件已结案，不再登记扣除审限期间"
            elif c.id in open_since:
                outcome.skipped[c.id] = (
                    f"已有进行中的{label}期间（自{chinese_date(open_since[c.id])}起），未重复登记"
                )
            else:
                todo.append(c)
        ExcludedPeriod.objects.bulk_create(
            ExcludedPeriod(court_id=c.court_id, case_id=c.id, kind=kind, start_on=start_on)
            for c in todo
        )
        limits = _time_limits_recompute([c.id for c in todo], today)
        events = []
        for c in todo:
            detail = f"扣除审限期间开始：{label}（{BASIS}），自{chinese_date(start_on)}起不计入审限"
            data = {"period": kind, "start_on": start_on.isoformat()}
            detail += _limit_text(limits.get(c.id), data)
            events.append(_event(c, "period_started", detail, data, actor, now))
        CaseEvent.objects.bulk_create(events)
    outcome.done = [c.id for c in todo]
    return outcome


def cases_period_end(
    *,
    cases: Sequence[EnforcementCase],
    kind: str,
    actor: Officer | None,
    now: datetime,
    end_on: date | None = None,
) -> PeriodsOutcome:
    """The open period of `kind` ends on each case (on `end_on`, today by default)."""
    label = _label(kind)
    today = timezone.localdate(now)
    end_on = end_on or today
    if end_on > today:
        raise PeriodRefused(f"扣除审限期间不能晚于今天结束（结束日期{chinese_date(end_on)}）")
    outcome = PeriodsOutcome()
    with transaction.atomic():
        _lock(cases)
        running = {
            case_id: (pk, start)
            for pk, case_id, start in ExcludedPeriod.objects.filter(
                case_id__in=[c.id for c in cases], kind=kind, end_on__isnull=True
            ).values_list("id", "case_id", "start_on")
        }
        todo = []
        for c in _unique(cases):
            if c.id not in running:
                outcome.skipped[c.id] = f"没有进行中的{label}期间，无需结束"
            elif end_on < running[c.id][1]:
                outcome.skipped[c.id] = (
                    f"结束日期{chinese_date(end_on)}早于{label}期间的开始日期"
                    f"{chinese_date(running[c.id][1])}，未登记"
                )
            else:
                todo.append(c)
        ExcludedPeriod.objects.filter(id__in=[running[c.id][0] for c in todo]).update(end_on=end_on)
        limits = _time_limits_recompute([c.id for c in todo], today)
        events = []
        for c in todo:
            start = running[c.id][1]
            days = (end_on - start).days
            detail = f"扣除审限期间结束：{label}，共{days}天（{BASIS}）"
            data = {
                "period": kind,
                "start_on": start.isoformat(),
                "end_on": end_on.isoformat(),
                "days": days,
            }
            detail += _limit_text(limits.get(c.id), data, extended=True)
            events.append(_event(c, "period_ended", detail, data, actor, now))
        CaseEvent.objects.bulk_create(events)
    outcome.done = [c.id for c in todo]
    return outcome


# ---------------------------------------------------------------- helpers


def _label(kind: str) -> str:
    if kind not in EXCLUDED_PERIOD_KINDS:
        known = "、".join(f"“{v}”" for v in EXCLUDED_PERIOD_KINDS.values())
        raise PeriodRefused(f"未知的扣除审限期间事由：“{kind}”（{BASIS}只扣除{known}）")
    return EXCLUDED_PERIOD_KINDS[kind]


def _unique(cases: Sequence[EnforcementCase]) -> list[EnforcementCase]:
    return list({c.id: c for c in cases}.values())


def _lock(cases: Sequence[EnforcementCase]) -> dict[int, str]:
    """Lock the cases' rows (in id order, as transition does) so two officers
    cannot open the same period twice; their states by id."""
    return dict(
        EnforcementCase.objects.select_for_update()
        .filter(id__in=[c.id for c in cases])
        .order_by("id")
        .values_list("id", "state")
    )


def _event(case, kind: str, detail: str, data: dict, actor, now: datetime) -> CaseEvent:
    return CaseEvent(
        court_id=case.court_id,
        case_id=case.id,
        at=now,
        kind=kind,
        actor=actor,
        detail=detail,
        data=data,
    )


def _limit_text(limit: LimitNow | None, data: dict, *, extended: bool = False) -> str:
    """The event's words on the time limit; its facts go into `data`."""
    if limit is None:  # no open time limit: closed, or an objection
        return ""
    data["due_on"] = None if not limit.running else limit.due_on.isoformat()
    data["days_left"] = limit.days_left
    if not limit.running:
        return f"；审限暂停计算，剩余审限{limit.days_left}天"
    late = f"逾期{-limit.days_left}天" if limit.days_left < 0 else ""
    if extended:
        return f"；法定结案期限顺延至{chinese_date(limit.due_on)}" + (f"，已{late}" if late else "")
    return f"；审限已届满，{late}"  # a period that began after the limit ran out


def _time_limits_recompute(case_ids: list[int], today: date) -> dict[int, LimitNow]:
    """Set each open time_limit milestone of these cases from all their periods.

    Two queries, the calendar of each court and one bulk update, whatever the
    number of cases."""
    if not case_ids:
        return {}
    milestones = list(
        Milestone.objects.filter(case_id__in=case_ids, kind="time_limit", done_on__isnull=True)
        .exclude(case__state="closed")
        .select_related("court", "case__title")
    )
    periods = defaultdict(list)
    for case_id, kind, start, end in ExcludedPeriod.objects.filter(
        case_id__in=[m.case_id for m in milestones]
    ).values_list("case_id", "kind", "start_on", "end_on"):
        periods[case_id].append((kind, start, end))
    extended = defaultdict(int)  # months approved (延长审限)
    for case_id, months in Extension.objects.filter(
        case_id__in=[m.case_id for m in milestones], status="approved"
    ).values_list("case_id", "months"):
        extended[case_id] += months
    calendars = {}
    result, changed = {}, []
    for m in milestones:
        if m.court_id not in calendars:
            calendars[m.court_id] = court_calendar(m.court)
        spans = [(s, e) for _, s, e in periods[m.case_id]]
        due = time_limit_due(
            filed_on=m.case.filed_on,
            title_kind=m.case.title.kind,
            calendar=calendars[m.court_id],
            excluded=spans,
            overrides=m.court.deadline_overrides,
            today=today,
            extension_months=extended[m.case_id],
        )
        open_now = {k for k, _, e in periods[m.case_id] if e is None}
        open_kinds = [k for k in EXCLUDED_PERIOD_KINDS if k in open_now]
        days_left = (due - today).days
        if open_kinds and days_left >= 0:
            labels = "及".join(EXCLUDED_PERIOD_KINDS[k] for k in open_kinds)
            basis = f"{_LIMIT_BASIS}、第九条：{labels}期间不计入，剩余{days_left}天"
            limit = LimitNow(TIME_LIMIT_PAUSED, False, days_left)
        else:
            days = excluded_days(filed_on=m.case.filed_on, excluded=spans, today=today)
            basis = f"{_LIMIT_BASIS}、第九条：扣除{days}天" if days else _LIMIT_BASIS
            limit = LimitNow(due, True, days_left)
        if extended[m.case_id]:
            basis += f"；经批准延长{extended[m.case_id]}个月"
        result[m.case_id] = limit
        if (m.due_on, m.basis) != (limit.due_on, basis[:80]):
            m.due_on, m.basis = limit.due_on, basis[:80]
            changed.append(m)
    Milestone.objects.bulk_update(changed, ["due_on", "basis"], batch_size=500)
    return result


# ---------------------------------------------------------------- extension


class ExtensionRefused(TransitionRefused):
    """延长审限 refused (outside the window, not the handler, not the director …)."""


def extension_request(
    *, case: EnforcementCase, reason: str, actor: Officer, now: datetime
) -> Extension:
    """申请延长审限: the case's handler asks for three more months, in the last
    five days of the limit (rules.deadlines.extension_may_request)."""
    reason = (reason or "").strip()
    if actor is None or actor.id != case.handler_id:
        raise ExtensionRefused("只有本案承办人可以申请延长审限")
    if not reason:
        raise ExtensionRefused("申请理由：请填写需要延长审限的特殊情况")
    today = timezone.localdate(now)
    with transaction.atomic():
        states = _lock([case])
        if states[case.id] == "closed":
            raise ExtensionRefused(f"案件{case.case_number}已结案，不能申请延长审限")
        limit = Milestone.objects.filter(case=case, kind="time_limit", done_on__isnull=True).first()
        if limit is None:
            raise ExtensionRefused("本案没有正在计算的审限")
        statuses = list(Extension.objects.filter(case=case).values_list("status", flat=True))
        due = None if limit.due_on >= TIME_LIMIT_PAUSED else limit.due_on
        decision = extension_may_request(
            limit_due_on=due,
            today=today,
            granted=statuses.count("approved"),
            pending="pending" in statuses,
        )
        if not decision:
            raise ExtensionRefused(decision.explain(), {case.id: decision})
        ext = Extension.objects.create(
            court_id=case.court_id,
            case=case,
            months=EXTENSION_MONTHS,
            reason=reason,
            limit_due_on=due,
            requested_at=now,
            requested_by=actor,
        )
        CaseEvent.objects.create(
            **_event_fields(case, now, actor),
            kind="extension_requested",
            detail=f"申请延长审限{EXTENSION_MONTHS}个月（审限于{chinese_date(due)}届满）：{reason}",
            data={"extension": ext.id, "months": EXTENSION_MONTHS, "limit_due_on": due.isoformat()},
        )
    return ext


def extension_decide(
    *, extension: Extension, approve: bool, reason: str, actor: Officer, now: datetime
) -> Extension:
    """审批延长审限: the director approves (the time limit moves on by the
    months, with the excluded periods still counted) or refuses with a reason."""
    reason = (reason or "").strip()
    if actor is None or actor.role != Officer.Role.DIRECTOR or actor.court_id != extension.court_id:
        raise ExtensionRefused("只有执行局长可以审批延长审限")
    if not approve and not reason:
        raise ExtensionRefused("审批意见：不批准的，请填写理由")
    today = timezone.localdate(now)
    with transaction.atomic():
        case = EnforcementCase.objects.get(pk=extension.case_id)
        _lock([case])
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.status != Extension.Status.PENDING:
            raise ExtensionRefused(f"该申请已审批（{ext.get_status_display()}）")
        ext.decided_at, ext.decided_by = now, actor
        ext.decision_reason = reason or "同意"
        if approve:
            ext.status = Extension.Status.APPROVED
            ext.save()  # before the recompute, which reads approved extensions
            limit = _time_limits_recompute([case.id], today).get(case.id)
            ext.new_due_on = limit.due_on if limit and limit.running else None
            ext.save(update_fields=["new_due_on"])
            detail = f"批准延长审限{ext.months}个月（{ext.decision_reason}）"
            if limit is not None and limit.running:
                detail += f"；法定结案期限延至{chinese_date(limit.due_on)}"
            elif limit is not None:
                detail += f"；审限暂停计算，剩余审限{limit.days_left}天"
        else:
            ext.status = Extension.Status.REFUSED
            ext.save()
            detail = f"不批准延长审限：{reason}"
        CaseEvent.objects.create(
            **_event_fields(case, now, actor),
            kind="extension_decided",
            detail=detail,
            data={
                "extension": ext.id,
                "approved": bool(approve),
                "months": ext.months if approve else 0,
                "due_on": ext.new_due_on.isoformat() if ext.new_due_on else None,
            },
        )
    return ext


def _event_fields(case: EnforcementCase, now: datetime, actor: Officer | None) -> dict:
    return {"court_id": case.court_id, "case_id": case.id, "at": now, "actor": actor}
