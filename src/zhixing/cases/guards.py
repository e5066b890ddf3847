"""Gather, set-based, the facts the closing guards of rules/ read."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhixing.cases.models import CaseEvent, EnforcementCase, Milestone
from zhixing.rules import Decision, Reason
from zhixing.rules.assets import CASH_KINDS

# [open] A housing fund account can be enforced only in narrow cases (the
# holder retires, buys a home …), so it does not bar 终本 by itself.
UNUSABLE_KINDS = ("housing_fund",)
from zhixing.rules.termination import TerminationFacts, check_terminate_round, negligible_balance


def closing_decisions(*, cases: Sequence[EnforcementCase], mode: str, today: date) -> dict[int, Decision]:
    from zhixing.funds.selectors import recovered_by_case

    ids = [c.id for c in cases]
    recovered = recovered_by_case(ids)
    if mode == "performed":
        return {c.id: _performed(c, recovered.get(c.id, 0)) for c in cases}
    if mode == "terminated_round":
        return _terminate_round(cases, today, recovered)
    return {c.id: Decision.allow() for c in cases}


def _performed(case: EnforcementCase, recovered: int) -> Decision:
    # 执行完毕: the money the title orders has been recovered in full.
    if recovered >= case.amount_claimed:
        return Decision.allow(Reason("执行到位金额已达申请执行标的额", ""))
    return Decision.refuse(Reason("执行到位金额不足申请执行标的额", ""))


def _terminate_round(cases, today, recovered) -> dict[int, Decision]:
    from zhixing.inquiry.models import Asset, Inquiry
    from zhixing.tasks.models import Lead

    ids = [c.id for c in cases]
    done = defaultdict(set)
    for case_id, kind in Milestone.objects.filter(case_id__in=ids, done_on__isnull=False).values_list(
        "case_id", "kind"
    ):
        done[case_id].add(kind)
    for case_id, step in CaseEvent.objects.filter(case_id__in=ids, kind="step_done").values_list(
        "case_id", "data__step"
    ):
        done[case_id].add(step)
    kinds = defaultdict(set)
    last_inquiry = {}
    latest = {}  # case id -> its latest finished inquiry, which says what the debtor holds now
    for row in (
        Inquiry.objects.filter(case_id__in=ids, finished_at__isnull=False)
        .order_by("finished_at", "id")
        .values("case_id", "kinds", "id", "finished_at")
    ):
        kinds[row["case_id"]].update(row["kinds"])
        last_inquiry[row["case_id"]] = timezone.localdate(row["finished_at"])
        latest[row["case_id"]] = row["id"]
    usable = defaultdict(int)
    cash = {}
    # Only the latest inquiry's assets: each re-inquiry finds the same accounts
    # again, and summing every inquiry would count them twice.
    # Plus what a person found (a field inquiry, a creditor's lead): found once.
    assets = Asset.objects.filter(
        Q(inquiry_id__in=list(latest.values())) | Q(case_id__in=ids, inquiry__isnull=True)
    )
    for row in assets.values("case_id", "kind").annotate(total=Sum("value")):
        if row["kind"] in CASH_KINDS:
            cash[row["case_id"]] = cash.get(row["case_id"], 0) + row["total"]
        elif row["kind"] not in UNUSABLE_KINDS:
            # Property found counts as usable until a disposal shows otherwise.
            usable[row["case_id"]] += 1
    # 终本规定第一条第三项: every lead the creditor gave has been checked.
    unchecked = dict(
        Lead.objects.filter(case_id__in=ids, checked_on__isnull=True)
        .values("case_id").annotate(n=Count("id")).values_list("case_id", "n")
    )
    result = {}
    for c in cases:
        unpaid = c.amount_claimed - recovered.get(c.id, 0)
        cash_left = max(cash.get(c.id, 0) - recovered.get(c.id, 0), 0)
        facts = TerminationFacts(
            filed_on=c.filed_on,
            today=today,
            notice_sent="notice_sent" in done[c.id],
            report_order_sent="notice_sent" in done[c.id],  # sent together (财产调查规定第三条)
            restriction_ordered="restriction_ordered" in done[c.id],
            inquired_kinds=frozenset(kinds[c.id]),
            last_inquiry_on=last_inquiry.get(c.id),
            usable_assets=usable[c.id] + (0 if negligible_balance(cash_left, c.amount_claimed) else 1 if cash_left else 0),
            leads_unchecked=unchecked.get(c.id, 0),
            unpaid=unpaid,
        )
        result[c.id] = check_terminate_round(facts)
    return result
