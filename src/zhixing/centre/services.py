"""The command centre's pipeline: first inquiry, triage, dispatch. Each step
takes every case waiting for it (up to `limit`) and works on them as a set.

    robot_pass = cases_inquire_new → inquiries_collect → cases_triage → cases_dispatch

Triage lives in centre/triage.py, dispatch in centre/dispatch.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import EnforcementCase, Milestone
from zhixing.cases.services import EventSpec, transition
from zhixing.centre.dispatch import cases_dispatch
from zhixing.centre.triage import cases_triage
from zhixing.courts.models import Court
from zhixing.inquiry.models import Inquiry
from zhixing.inquiry.providers import ALL_KINDS, InquiryProvider, default_provider
from zhixing.inquiry.services import inquiries_collect, inquiries_start
from zhixing.rules.assets import ASSET_KINDS

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    inquired: int = 0
    answered: int = 0
    triaged: int = 0
    dispatched: int = 0

    def __str__(self):
        return f"发起查控{self.inquired}件，查控反馈{self.answered}件，分流{self.triaged}件，分派{self.dispatched}件"


def robot_pass(*, now: datetime, provider: InquiryProvider | None = None, limit: int = 2000) -> PassReport:
    """One pass of the robot over every court: each step on all cases waiting."""
    provider = provider or default_provider()
    report = PassReport()
    for court in Court.objects.all():
        report.inquired += len(cases_inquire_new(court=court, now=now, provider=provider, limit=limit))
        open_inquiries = list(
            Inquiry.objects.filter(court=court, finished_at__isnull=True, case__state="inquiring")[:limit]
        )
        report.answered += len(inquiries_collect(inquiries=open_inquiries, provider=provider, now=now))
        report.triaged += len(cases_triage(court=court, now=now, limit=limit))
        report.dispatched += len(cases_dispatch(court=court, now=now, limit=limit))
    return report


def cases_inquire_new(*, court: Court, now: datetime, provider: InquiryProvider, limit: int) -> list[EnforcementCase]:
    """首次网络查控: every newly filed case, all eight asset kinds."""
    with transaction.atomic():
        cases = list(EnforcementCase.objects.filter(court=court, state="filed").order_by("id")[:limit])
        if not cases:
            return []
        kinds = "、".join(ASSET_KINDS[k] for k in ALL_KINDS)
        transition(
            cases=cases, action="inquire", actor=None, now=now,
            events={c.id: EventSpec("inquiry_started", f"发起首次网络查控（{kinds}）", {"kinds": list(ALL_KINDS)})
                    for c in cases},
        )
        inquiries_start(cases=cases, provider=provider, now=now)
        Milestone.objects.filter(case__in=cases, kind="first_inquiry", done_on__isnull=True).update(
            done_on=timezone.localdate(now)
        )
    return cases


__all__ = ["PassReport", "cases_dispatch", "cases_inquire_new", "cases_triage", "robot_pass"]
