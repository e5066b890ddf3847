"""繁简分流 (rules.md §14): the court's rule set, the facts it reads, and the
triage of every case whose first inquiry has answered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from zhixing.cases.models import CaseParty, EnforcementCase
from zhixing.cases.services import EventSpec, transition
from zhixing.centre.models import TriageRuleSet
from zhixing.courts.models import Court, Team
from zhixing.inquiry.models import Asset
from zhixing.rules.assets import CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.triage import DEFAULT_RULES, TEAM_LABELS, triage


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
