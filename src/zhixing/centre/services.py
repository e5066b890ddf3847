"""The command centre's pipeline: first inquiry, triage, dispatch. Each step
takes every case waiting for it (up to `limit`) and works on them as a set.

    robot_pass = robot_inquiry_pass (cases_inquire_new → inquiries_work)
               → robot_assign_pass (cases_triage → cases_dispatch)

Triage lives in centre/triage.py, dispatch in centre/dispatch.py.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, transaction
from django.utils import timezone

from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import CaseRow, EventSpec, case_rows, milestones_done, transition
from zhixing.centre.dispatch import cases_dispatch
from zhixing.centre.triage import cases_triage
from zhixing.courts.models import Court
from zhixing.inquiry.providers import ALL_KINDS, InquiryProvider, default_provider
from zhixing.inquiry.services import (
    BASIS,
    inquiries_ask,
    inquiries_hear,
    inquiries_start,
    inquiries_work,
)
from zhixing.rules.assets import ASSET_KINDS

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    inquired: int = 0  # cases whose first inquiry started
    answered: int = 0  # inquiries finished (every kind answered or failed for good)
    triaged: int = 0
    dispatched: int = 0
    sent: int = 0  # requests the network accepted
    failed: int = 0  # requests failed for good (a task each)
    repeated: int = 0  # duplicate or late answers absorbed without change
    heard: int = 0  # answers absorbed now (requests answered, or failed to be asked again)

    def __str__(self):
        text = f"发起查控{self.inquired}件，查控反馈{self.answered}件，分流{self.triaged}件，分派{self.dispatched}件"
        if self.failed or self.repeated:  # the unusual: said only when it happened
            text += f"（查询失败转人工{self.failed}项，重复或迟到答复{self.repeated}项）"
        return text

    @property
    def busy(self) -> bool:
        return any((self.inquired, self.answered, self.triaged, self.dispatched, self.sent, self.failed,
                    self.repeated, self.heard))


def robot_pass(*, now: datetime, provider: InquiryProvider | None = None, limit: int = 2000) -> PassReport:
    """One pass of the robot over every court: each step on all cases waiting.
    The inquiry step is one for all courts (one network, one cursor); it sends
    and then polls, so a network that answers at once lets a case filed a
    moment ago be triaged and dispatched in this same pass."""
    report = PassReport()
    courts = list(Court.objects.all())
    robot_inquiry_pass(now=now, provider=provider, limit=limit, courts=courts, report=report)
    robot_assign_pass(now=now, limit=limit, courts=courts, report=report)
    return report


# The parts of a pass claim cases by state (filed → inquiring; inquiring with
# its inquiry finished → triaged → dispatched) under row locks, and answers
# are absorbed idempotently, so they may also run side by side in workers of
# their own: asking, hearing, assigning (the benchmark does so).


def robot_inquiry_pass(*, now: datetime, provider: InquiryProvider | None = None, limit: int = 2000,
                       courts: list[Court] | None = None, report: PassReport | None = None) -> PassReport:
    """首次网络查控 of new cases, then the inquiry step (send, absorb, give up, finish)."""
    provider = provider or default_provider()
    report = report if report is not None else PassReport()
    fresh = _inquire_new(now=now, provider=provider, limit=limit, courts=courts, report=report)
    return _inquiry_reported(inquiries_work(provider=provider, now=now, limit=limit, fresh=fresh), report)


# Cases per chunk of robot_ask_pass: the next chunk is written while the one
# before is posted.
ASK_CHUNK = 1000


def robot_ask_pass(*, now: datetime, provider: InquiryProvider | None = None, limit: int = 2000,
                   courts: list[Court] | None = None, report: PassReport | None = None) -> PassReport:
    """The asking part alone: 首次网络查控 of new cases, and every request due,
    sent. With a provider that may be called from another thread, by chunks:
    while one chunk's requests are posted (encoding, the network's reply),
    this thread writes the next chunk's (mostly waiting on the database).
    What is due besides (a retry, a resend) is looked for once, after the
    chunks: finding it reads every open request."""
    provider = provider or default_provider()
    report = report if report is not None else PassReport()
    if not getattr(provider, "concurrent", False):
        fresh = _inquire_new(now=now, provider=provider, limit=limit, courts=courts, report=report)
        return _inquiry_reported(inquiries_ask(provider=provider, now=now, limit=limit, fresh=fresh), report)
    with ThreadPoolExecutor(max_workers=1) as sender:
        posting = None
        for court in courts if courts is not None else Court.objects.all():
            left = limit
            while left > 0:
                fresh, size = [], min(left, ASK_CHUNK)
                chunk = len(cases_inquire_new(court=court, now=now, provider=provider, limit=size, sending=fresh))
                if chunk:
                    report.inquired += chunk
                    left -= chunk
                    if posting is not None:
                        _inquiry_reported(posting.result(), report)
                    posting = sender.submit(_ask_in_thread, provider, now, limit, fresh, False)
                if chunk < size:
                    break
        if posting is not None:
            _inquiry_reported(posting.result(), report)
        return _inquiry_reported(sender.submit(_ask_in_thread, provider, now, limit, [], True).result(), report)


def _ask_in_thread(provider, now, limit, fresh, due):
    """inquiries_ask on this thread's own database connection, closed after."""
    try:
        return inquiries_ask(provider=provider, now=now, limit=limit, fresh=fresh, due=due)
    finally:
        connections.close_all()


def robot_hear_pass(*, now: datetime, provider: InquiryProvider | None = None, limit: int = 2000,
                    report: PassReport | None = None) -> PassReport:
    """The hearing part alone: answers absorbed, requests given up, inquiries finished."""
    provider = provider or default_provider()
    report = report if report is not None else PassReport()
    return _inquiry_reported(inquiries_hear(provider=provider, now=now, limit=limit), report)


def _inquire_new(*, now, provider, limit, courts, report) -> list:
    fresh = []  # new requests, written as sent: to be posted right away
    for court in courts if courts is not None else Court.objects.all():
        report.inquired += len(cases_inquire_new(court=court, now=now, provider=provider, limit=limit, sending=fresh))
    return fresh


def _inquiry_reported(work, report: PassReport) -> PassReport:
    report.answered += len(work.finished)
    report.sent += work.sent
    report.failed += work.failed
    report.repeated += work.repeated
    report.heard += work.answered + work.retried
    return report


def robot_assign_pass(*, now: datetime, limit: int = 2000, courts: list[Court] | None = None,
                      report: PassReport | None = None) -> PassReport:
    """繁简分流 of cases whose first inquiry finished, then dispatch to a handler."""
    report = report if report is not None else PassReport()
    for court in courts if courts is not None else Court.objects.all():
        report.triaged += len(cases_triage(court=court, now=now, limit=limit))
        report.dispatched += len(cases_dispatch(court=court, now=now, limit=limit))
    return report


def cases_inquire_new(
    *, court: Court, now: datetime, provider: InquiryProvider, limit: int, sending: list | None = None
) -> list[CaseRow]:
    """首次网络查控: every newly filed case, all eight asset kinds. The state,
    the event, the inquiry and its requests are written together: a crash
    leaves the case either filed or inquiring with its requests queued (or,
    with `sending`, marked sent and listed there for inquiries_send(fresh=…);
    see inquiries_start)."""
    with transaction.atomic():
        # Only what transition and the inquiry read, as plain rows.
        cases = case_rows(
            EnforcementCase.objects.filter(court=court, state="filed").order_by("id")[:limit],
            "id", "court_id", "case_number", "state", "version",
        )
        if not cases:
            return []
        kinds = "、".join(ASSET_KINDS[k] for k in ALL_KINDS)
        event = EventSpec("inquiry_started", f"发起首次网络查控（{kinds}）", {"kinds": list(ALL_KINDS), "basis": BASIS})
        transition(cases=cases, action="inquire", actor=None, now=now, events=dict.fromkeys((c.id for c in cases), event))
        inquiries_start(cases=cases, provider=provider, now=now, sending=sending)
        milestones_done([c.id for c in cases], "first_inquiry", timezone.localdate(now))
    return cases


__all__ = ["PassReport", "cases_dispatch", "cases_inquire_new", "cases_triage", "robot_ask_pass",
           "robot_assign_pass", "robot_hear_pass", "robot_inquiry_pass", "robot_pass"]
