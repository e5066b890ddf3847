"""Shared set-up for the money-out tests: a filed case with money on its
account, officers by role, and a plan with payee accounts filled in."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from tests.centre.test_dispatch import dispatched
from tests.conftest import at
from zhixing.courts.models import Officer
from zhixing.funds.payouts import PlanLine, payout_draft, payouts_plan
from zhixing.funds.services import Receipt, funds_receive

DAY = at(2026, 3, 2, 10)
ACCOUNTS = {"fee": "6222000000000001", "creditor": "6222000000000002", "refund": "6222000000000003"}


def officer(court, role: str, username: str | None = None) -> Officer:
    """The court's officer with this role (the demo court's, or a new one)."""
    username = username or role
    found = (
        Officer.objects.filter(court=court, user__username=username)
        .select_related("court", "user")
        .first()
    )
    if found is None:
        found = (
            Officer.objects.filter(court=court, role=role, team__isnull=True)
            .select_related("court", "user")
            .first()
        )
    if found is None or found.role != role:
        user = get_user_model().objects.create_user(username=f"{username}_{role}", password="pw")
        found = Officer.objects.create(user=user, court=court, role=role, name=f"{role}测试")
        found = Officer.objects.select_related("court", "user").get(id=found.id)
    return found


def funded_case(court, centre, amount: int, *, when=DAY, ref="B001"):
    """A case claiming 123,456.78 yuan (one creditor, one debtor), dispatched to
    the simple team's 陈静, whose account received `amount` fen."""
    (case,) = dispatched(court, centre, when)
    funds_receive(receipts=[Receipt(case=case, amount=amount, reference=ref)], actor=None, now=when)
    case.refresh_from_db()
    return case


def default_lines(case) -> list[PlanLine]:
    """The split's lines with payee accounts filled in, as a planner would."""
    return [
        PlanLine(
            d.kind, d.payee_name, ACCOUNTS[d.kind], d.amount, "中国工商银行武汉分行", d.party_id
        )
        for d in payout_draft(case).lines
    ]


def plan(case, planner, now=DAY, lines=None):
    return payouts_plan(
        case=case,
        officer=planner,
        now=now,
        lines=lines if lines is not None else default_lines(case),
    )
