"""The command centre's pipeline: first inquiry, triage, dispatch. Each step
takes every case waiting for it (up to `limit`) and works on them as a set.

    robot_pass = cases_inquire_new → inquiries_collect → cases_triage → cases_dispatch
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhixing.cases.models import CaseParty, EnforcementCase, Milestone
from zhixing.cases.services import EventSpec, transition
from zhixing.centre.models import TriageRuleSet
from zhixing.courts.models import Court, Officer, Team
from zhixing.courts.services import court_calendar
from zhixing.inquiry.models import Asset, Inquiry
from zhixing.inquiry.providers import ALL_KINDS, InquiryProvider, default_provider
from zhixing.inquiry.services import inquiries_collect, inquiries_start
from zhixing.rules.assets import ASSET_KINDS, CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.deadlines import milestones_due
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.triage import DEFAULT_RULES, TEAM_LABELS, triage

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


def active_ruleset(court: Court) -> TriageRuleSet:
    """The latest version of the court's triage rules; the defaults on first use."""
    ruleset = TriageRuleSet.objects.filter(court=court).order_by("-version").first()
    if ruleset is None:
        ruleset, _ = TriageRuleSet.objects.get_or_create(
            court=court, version=1,
            defaults={"rules": DEFAULT_RULES, "created_at": timezone.now(), "note": "默认规则（规则说明第十四节）"},
        )
    return ruleset


def triage_facts(cases: Sequence[EnforcementCase]) -> dict[int, dict]:
    """The facts of rules.md §14 for each case, read with a few grouped queries."""
    ids = [c.id for c in cases]
    cash, prop_value, prop_count = defaultdict(int), defaultdict(int), defaultdict(int)
    for row in Asset.objects.filter(case_id__in=ids).values("case_id", "kind").annotate(
        total=Sum("value"), n=Count("id")
    ):
        if row["kind"] in CASH_KINDS:
            cash[row["case_id"]] += row["total"]
        elif row["kind"] in PROPERTY_KINDS:
            prop_value[row["case_id"]] += row["total"]
            prop_count[row["case_id"]] += row["n"]
    debtors = defaultdict(list)
    for case_id, party_id in CaseParty.objects.filter(case_id__in=ids, role="debtor").values_list("case_id", "party_id"):
        debtors[case_id].append(party_id)
    all_debtors = {p for ps in debtors.values() for p in ps}
    open_per_debtor = dict(
        CaseParty.objects.filter(party_id__in=all_debtors, role="debtor")
        .exclude(case__state="closed")
        .values("party_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("party_id", "n")
    )
    facts = {}
    for c in cases:
        facts[c.id] = {
            "case_type": c.type_code,
            "amount_claimed": c.amount_claimed,
            "amount_due": c.amount_claimed + enforcement_fee(c.amount_claimed),
            "cash_found": cash[c.id],
            "property_found": prop_value[c.id],
            "property_count": prop_count[c.id],
            "debtor_count": len(debtors[c.id]),
            "open_cases_max": max((open_per_debtor.get(p, 0) for p in debtors[c.id]), default=0),
        }
    return facts


def cases_triage(*, court: Court, now: datetime, limit: int) -> list[EnforcementCase]:
    """繁简分流 of every case whose first inquiry has answered."""
    with transaction.atomic():
        cases = list(
            EnforcementCase.objects.filter(court=court, state="inquiring")
            .exclude(inquiries__finished_at__isnull=True)
            .order_by("id")[:limit]
        )
        if not cases:
            return []
        ruleset = active_ruleset(court)
        facts = triage_facts(cases)
        teams = {t.kind: t for t in Team.objects.filter(court=court)}
        events = {}
        for c in cases:
            decision = triage(ruleset.rules, facts[c.id])
            c.triage_rule, c.triage_reason, c.triage_facts = decision.rule_id, decision.reason, decision.facts
            c.triage_ruleset = ruleset
            events[c.id] = EventSpec(
                "triaged",
                f"分流至{TEAM_LABELS[decision.team]}：{decision.reason}",
                {"team": decision.team, "rule": decision.rule_id, "ruleset": ruleset.version, "facts": decision.facts},
            )
            c.team = teams[decision.team]
        return transition(
            cases=cases, action="triage", actor=None, now=now, events=events,
            fields=["team", "triage_rule", "triage_reason", "triage_facts", "triage_ruleset"],
        )


def cases_dispatch(*, court: Court, now: datetime, limit: int) -> list[EnforcementCase]:
    """分派: each triaged case to its team and that team's least-loaded handler."""
    with transaction.atomic():
        cases = list(
            EnforcementCase.objects.filter(court=court, state="triaged").select_related("team", "title").order_by("id")[:limit]
        )
        if not cases:
            return []
        handlers = list(Officer.objects.filter(court=court, role="handler", team__isnull=False))
        load = dict(
            EnforcementCase.objects.filter(handler__in=handlers).exclude(state="closed")
            .values("handler_id").annotate(n=Count("id")).values_list("handler_id", "n")
        )
        queues = defaultdict(list)  # team id -> heap of (open cases, officer id, officer)
        for h in handlers:
            heapq.heappush(queues[h.team_id], (load.get(h.id, 0), h.id, h))
        events = {}
        for c in cases:
            team = c.team
            heap = queues[team.id]
            if heap:
                n, hid, handler = heapq.heappop(heap)
                c.handler = handler
                heapq.heappush(heap, (n + 1, hid, handler))
                who = f"，承办人{handler.name}（在办{n}件）"
            else:
                c.handler = None
                who = "，该团队暂无承办人，待团队负责人指定"
            events[c.id] = EventSpec(
                "dispatched", f"分派至{team.name}{who}",
                {"team": team.kind, "handler": c.handler.id if c.handler else None},
            )
        moved = transition(cases=cases, action="dispatch", actor=None, now=now, events=events, fields=["handler"])
        today = timezone.localdate(now)
        Milestone.objects.filter(
            case__in=[c for c in cases if c.handler], kind="handler_assigned", done_on__isnull=True
        ).update(done_on=today)
        calendar = court_calendar(court)
        Milestone.objects.bulk_create(
            [
                Milestone(court=court, case=c, kind=m.kind, due_on=m.due_on, basis=m.basis)
                for c in cases
                for m in milestones_due(
                    anchor="assigned", start=today, title_kind=c.title.kind, calendar=calendar,
                    overrides=court.deadline_overrides,
                )
            ],
            ignore_conflicts=True,
        )
        return moved
