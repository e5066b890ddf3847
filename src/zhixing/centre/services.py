"""The command centre's pipeline: first inquiry, triage, dispatch. Each step
takes every case waiting for it (up to `limit`) and works on them as a set.

    robot_pass = cases_inquire_new → inquiries_work → cases_triage → cases_dispatch

Triage lives in centre/triage.py, dispatch in centre/dispatch.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import CaseRow, EventSpec, case_rows, milestones_done, transition
from zhixing.centre.dispatch import cases_dispatch
from zhixing.centre.triage import cases_triage
from zhixing.courts.models import Court
from zhixing.inquiry.providers import ALL_KINDS, InquiryProvider, default_provider
from zhixing.inquiry.services import BASIS, inquiries_start, inquiries_work
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

    def __str__(self):
        text = f"发起查控{self.inquired}件，查控反馈{self.answered}件，分流{self.triaged}件，分派{self.dispatched}件"
        if self.failed or self.repeated:  # the unusual: said only when it happened
            text += f"（查询失败转人工{self.failed}项，重复或迟到答复{self.repeated}项）"
        return text

    @property
    def busy(self) -> bool:
        return any((self.inquired, self.answered, self.triaged, self.dispatched, self.sent, self.failed, self.repeated))


def robot_pass(*, now: datetime, provider: InquiryProvider | None = None, limit: int = 2000) -> PassReport:
    """One pass of the robot over every court: each step on all cases waiting.
    The inquiry step is one for all courts (one network, one cursor); it sends
    and then polls, so a network that answers at once lets a case filed a
    moment ago be triaged and dispatched in this same pass."""
    provider = provider or default_provider()
    report = PassReport()
    courts = list(Court.objects.all())
    fresh = []  # new requests, written as sent: inquiries_work posts them right away
    for court in courts:
        report.inquired += len(cases_inquire_new(court=court, now=now, provider=provider, limit=limit, sending=fresh))
    work = inquiries_work(provider=provider, now=now, limit=limit, fresh=fresh)
    report.answered = len(work.finished)
    report.sent, report.failed, report.repeated = work.sent, work.failed, work.repeated
    for court in courts:
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


__all__ = ["PassReport", "cases_dispatch", "cases_inquire_new", "cases_triage", "robot_pass"]
