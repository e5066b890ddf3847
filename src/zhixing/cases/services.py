"""The only place that changes cases. Every change is a batch: one case is a
batch of one. Each service runs in one transaction and writes its events.

    cases_file        立案: numbers, parties, titles, milestones, `filed` events
    transition        the one door for state: guard, version check, event
    cases_record_step a legal step done (notice sent, restriction ordered …)
    cases_close       结案, with the guard of its closing mode
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zhixing.cases.models import (
    CaseEvent,
    CaseNumberCounter,
    CaseParty,
    EnforceableTitle,
    EnforcementCase,
    Milestone,
    Party,
)
from zhixing.courts.models import Court, Officer
from zhixing.courts.services import court_calendar
from zhixing.rules import Decision, Reason
from zhixing.rules.case_number import ADJUDICATION_TYPES, format_case_number
from zhixing.rules.deadlines import check_application_period, milestones_due
from zhixing.rules.money import format_yuan
from zhixing.rules.states import ACTIONS, CLOSING_MODES, check_action

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartyInput:
    kind: str
    name: str
    id_code: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class TitleInput:
    number: str
    kind: str
    effective_on: date
    due_on: date


@dataclass(frozen=True)
class FilingApplication:
    """A validated application for enforcement (intake/parsing.py builds it)."""

    type_code: str
    title: TitleInput
    creditors: tuple[PartyInput, ...]
    debtors: tuple[PartyInput, ...]
    amount_claimed: int  # fen


@dataclass(frozen=True)
class EventSpec:
    kind: str
    detail: str
    data: dict = field(default_factory=dict)


class TransitionRefused(Exception):
    """A guard said no. `decisions` maps case id (or None) to the refusal."""

    def __init__(self, message: str, decisions: Mapping[int | None, Decision] | None = None):
        super().__init__(message)
        self.decisions = dict(decisions or {})


class StaleCase(TransitionRefused):
    """Someone else changed the case since it was read."""


# ---------------------------------------------------------------- filing


def cases_file(
    *,
    court: Court,
    actor: Officer | None,
    applications: Sequence[FilingApplication],
    now: datetime,
) -> list[EnforcementCase]:
    """立案: file many applications at once, in one transaction."""
    if not applications:
        return []
    filed_on = timezone.localdate(now)
    calendar = court_calendar(court)
    with transaction.atomic():
        parties = _parties_upsert(court, [p for a in applications for p in (*a.creditors, *a.debtors)])
        titles = EnforceableTitle.objects.bulk_create(
            EnforceableTitle(
                court=court,
                number=a.title.number,
                kind=a.title.kind,
                effective_on=a.title.effective_on,
                due_on=a.title.due_on,
            )
            for a in applications
        )
        seqs = _numbers_take(court, filed_on.year, [a.type_code for a in applications])
        cases = EnforcementCase.objects.bulk_create(
            EnforcementCase(
                court=court,
                case_number=format_case_number(filed_on.year, court.code, a.type_code, seq),
                type_code=a.type_code,
                year=filed_on.year,
                seq=seq,
                title=title,
                amount_claimed=a.amount_claimed,
                filed_on=filed_on,
                state="filed",
            )
            for a, title, seq in zip(applications, titles, seqs)
        )
        CaseParty.objects.bulk_create(
            CaseParty(court=court, case=case, party=parties[p.id_code], role=role, position=i)
            for case, a in zip(cases, applications)
            for role, group in (("creditor", a.creditors), ("debtor", a.debtors))
            for i, p in enumerate(group)
        )
        events = []
        milestones = []
        for case, a in zip(cases, applications):
            late = check_application_period(due_on=a.title.due_on, filed_on=filed_on)
            detail = f"立案，案号{case.case_number}，申请执行标的额{format_yuan(a.amount_claimed)}元"
            data = {"type_code": a.type_code, "amount_claimed": a.amount_claimed}
            if not late:
                detail += f"。注意：{late.explain()}"
                data["late_application"] = late.explain()
            events.append(_event(case, EventSpec("filed", detail, data), actor, now))
            if a.type_code in ADJUDICATION_TYPES:
                continue  # objections and reviews run on their own limits, not enforcement's
            for m in milestones_due(
                anchor="filed",
                start=filed_on,
                title_kind=a.title.kind,
                calendar=calendar,
                overrides=court.deadline_overrides,
            ):
                milestones.append(
                    Milestone(court=court, case=case, kind=m.kind, due_on=m.due_on, basis=m.basis)
                )
        CaseEvent.objects.bulk_create(events)
        Milestone.objects.bulk_create(milestones)
        if settings.ROBOT_KICK:
            transaction.on_commit(_kick_robot)
    log.info("filed %d cases for %s", len(cases), court.code)
    return cases


def _kick_robot():
    from zhixing.robot import robot_kick

    robot_kick()


def _parties_upsert(court: Court, inputs: Iterable[PartyInput]) -> dict[str, Party]:
    """One row per real party, keyed by id_code. An existing party keeps its
    name; a phone or address it lacked is filled in."""
    wanted: dict[str, PartyInput] = {}
    for p in inputs:
        wanted.setdefault(p.id_code, p)
    existing = {p.id_code: p for p in Party.objects.filter(court=court, id_code__in=wanted)}
    missing = [p for code, p in wanted.items() if code not in existing]
    if missing:
        Party.objects.bulk_create(
            [Party(court=court, kind=p.kind, name=p.name, id_code=p.id_code, phone=p.phone, address=p.address)
             for p in missing],
            ignore_conflicts=True,  # a concurrent filing may create the same party
        )
        existing = {p.id_code: p for p in Party.objects.filter(court=court, id_code__in=wanted)}
    filled = []
    for code, p in wanted.items():
        row = existing[code]
        if (p.phone and not row.phone) or (p.address and not row.address):
            row.phone = row.phone or p.phone
            row.address = row.address or p.address
            filled.append(row)
    if filled:
        Party.objects.bulk_update(filled, ["phone", "address"])
    return existing


def _numbers_take(court: Court, year: int, type_codes: Sequence[str]) -> list[int]:
    """Take the next sequence numbers, in order, for each type code.

    The counter row is locked for the rest of the filing transaction, so
    concurrent filings queue on it; a rollback returns the numbers."""
    wanted = defaultdict(int)
    for t in type_codes:
        wanted[t] += 1
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(court=court, year=year, type_code=t) for t in wanted],
        ignore_conflicts=True,
    )
    counters = {
        c.type_code: c
        for c in CaseNumberCounter.objects.select_for_update()
        .filter(court=court, year=year, type_code__in=list(wanted))
        .order_by("type_code")  # a fixed lock order
    }
    next_seq = {}
    for t, n in wanted.items():
        c = counters[t]
        next_seq[t] = c.last + 1
        c.last += n
    CaseNumberCounter.objects.bulk_update(list(counters.values()), ["last"])
    result = []
    for t in type_codes:
        result.append(next_seq[t])
        next_seq[t] += 1
    return result


# ---------------------------------------------------------------- transitions


def _event(case: EnforcementCase, spec: EventSpec, actor: Officer | None, now: datetime) -> CaseEvent:
    return CaseEvent(
        court_id=case.court_id, case=case, at=now, kind=spec.kind, actor=actor, detail=spec.detail, data=spec.data
    )


def transition(
    *,
    cases: Sequence[EnforcementCase],
    action: str,
    actor: Officer | None,
    now: datetime,
    events: Mapping[int, EventSpec],
    fields: Sequence[str] = (),
) -> list[EnforcementCase]:
    """The one door for state. Moves every case by `action`, or none.

    Each case object carries the version its caller read and the new values
    of `fields`; the rows are locked, checked against the state table and the
    version, then updated together with one event each."""
    if not cases:
        return []
    target = ACTIONS[action][1]
    with transaction.atomic():
        current = {
            row[0]: row[1:]
            for row in EnforcementCase.objects.select_for_update()
            .filter(id__in=[c.id for c in cases])
            .order_by("id")
            .values_list("id", "state", "version")
        }
        refused = {}
        for c in cases:
            state, version = current[c.id]
            if version != c.version:
                raise StaleCase(f"案件{c.case_number}已被他人修改，请刷新后重试")
            decision = check_action(action, state)
            if not decision:
                refused[c.id] = decision
        if refused:
            first = next(iter(refused.values()))
            raise TransitionRefused(first.explain(), refused)
        for c in cases:
            c.state = target
            c.version += 1
        _update_moved(cases, fields)
        CaseEvent.objects.bulk_create([_event(c, events[c.id], actor, now) for c in cases])
    return list(cases)


def _update_moved(cases: Sequence[EnforcementCase], fields: Sequence[str]) -> None:
    """Write the new state, version and fields. Cases that share their field
    values (a batch sent to one handler, closed the same day …) are one UPDATE
    per group; when nearly every case differs (triage reasons) one bulk_update."""
    attnames = [EnforcementCase._meta.get_field(f).attname for f in fields]
    groups = defaultdict(list)
    for c in cases:
        groups[repr([getattr(c, a) for a in attnames])].append(c)
    if len(groups) > 20:
        EnforcementCase.objects.bulk_update(cases, ["state", "version", *fields], batch_size=500)
        return
    for members in groups.values():
        shared = {a: getattr(members[0], a) for a in attnames}
        # Each version was checked under the row lock: +1 is the new version.
        EnforcementCase.objects.filter(id__in=[c.id for c in members]).update(
            state=members[0].state, version=F("version") + 1, **shared
        )


# ---------------------------------------------------------------- steps and closing

# Legal steps an officer records. Milestone kinds are timed; the rest are not.
STEPS = {
    "notice_sent": "发送执行通知书、报告财产令",
    "leads_requested": "通知申请执行人提供财产线索",
    "investigation_finished": "财产调查完毕",
    "restriction_ordered": "发出限制消费令",
    "creditor_interviewed": "约谈申请执行人",
}


def cases_record_step(
    *, cases: Sequence[EnforcementCase], step: str, actor: Officer | None, now: datetime
) -> int:
    """Record that a legal step was done: its milestone (if any) is done and
    the timeline says so. Doing a step twice records nothing more."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    today = timezone.localdate(now)
    ids = [c.id for c in cases]
    with transaction.atomic():
        already = set(
            CaseEvent.objects.filter(case_id__in=ids, kind="step_done", data__step=step).values_list(
                "case_id", flat=True
            )
        )
        todo = [c for c in cases if c.id not in already]
        Milestone.objects.filter(case_id__in=[c.id for c in todo], kind=step, done_on__isnull=True).update(
            done_on=today
        )
        CaseEvent.objects.bulk_create(
            [_event(c, EventSpec("step_done", STEPS[step], {"step": step}), actor, now) for c in todo]
        )
    return len(todo)


def cases_close(
    *,
    cases: Sequence[EnforcementCase],
    mode: str,
    actor: Officer | None,
    now: datetime,
    note: str = "",
) -> list[EnforcementCase]:
    """结案 in the given mode. The guard of the mode (rules/) must allow each case."""
    from zhixing.cases.guards import closing_decisions

    if mode not in CLOSING_MODES:
        raise ValueError(f"unknown closing mode {mode!r}")
    with transaction.atomic():
        decisions = closing_decisions(cases=cases, mode=mode, today=timezone.localdate(now))
        refused = {cid: d for cid, d in decisions.items() if not d}
        if refused:
            first = next(iter(refused.values()))
            raise TransitionRefused(f"{CLOSING_MODES[mode]}不可：{first.explain()}", refused)
        events = {}
        for c in cases:
            c.closed_on = timezone.localdate(now)
            c.closing_mode = mode
            detail = f"以“{CLOSING_MODES[mode]}”方式结案"
            if note:
                detail += f"：{note}"
            events[c.id] = EventSpec(
                "closed", detail, {"mode": mode, "reasons": decisions[c.id].explain()}
            )
        Milestone.objects.filter(
            case_id__in=[c.id for c in cases], kind="time_limit", done_on__isnull=True
        ).update(done_on=timezone.localdate(now))
        return transition(
            cases=cases, action="close", actor=actor, now=now, events=events, fields=["closed_on", "closing_mode"]
        )


def open_cases_q() -> Q:
    return ~Q(state="closed")
