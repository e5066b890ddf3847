"""The case page's money sections, gathered in one place so web/ needs one call."""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.funds.ledger import case_balances
from zhixing.funds.models import LedgerEntry
from zhixing.rules.accounts import case_account_number
from zhixing.rules.money import format_yuan


@dataclass(frozen=True)
class AccountRow:
    posted_at: object
    value_on: object
    kind: str
    inflow: str
    outflow: str
    balance: str
    reference: str


def account_number(case) -> str:
    """案款子账号 of a case (rules/accounts.py): derived from its case number."""
    return case_account_number(case.court.account_prefix, case.year, case.type_code, case.seq)


def account_rows(case) -> list[AccountRow]:
    """The case account's movements, oldest first, with the running balance."""
    rows, balance = [], 0
    entries = LedgerEntry.objects.filter(case=case).exclude(kind="direct").order_by("posted_at", "id")
    for e in entries:
        signed = e.amount if e.credit == "case" else -e.amount
        balance += signed
        rows.append(
            AccountRow(
                posted_at=e.posted_at,
                value_on=e.value_on,
                kind=e.get_kind_display(),
                inflow=format_yuan(signed) if signed > 0 else "",
                outflow=format_yuan(-signed) if signed < 0 else "",
                balance=format_yuan(balance),
                reference=e.reference,
            )
        )
    return rows


def funds_case_context(*, case, officer, request) -> dict:
    from zhixing.funds.due_views import due_context
    from zhixing.funds.payout_views import payouts_context

    return {
        "account_number": account_number(case),
        "account_balance": format_yuan(case_balances([case.id]).get(case.id, 0)),
        "account_rows": account_rows(case),
        **due_context(case, request),
        **payouts_context(case, officer),
    }
