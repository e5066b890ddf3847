"""The case page's money sections, gathered in one place so web/ needs one call."""

from __future__ import annotations

from django.utils import timezone

from zhixing.funds.ledger import case_balances
from zhixing.rules.accounts import case_account_number
from zhixing.rules.money import format_yuan


def account_number(case) -> str:
    """案款子账号 of a case (rules/accounts.py): derived from its case number."""
    return case_account_number(case.court.account_prefix, case.year, case.type_code, case.seq)


def funds_case_context(*, case, officer, request) -> dict:
    from zhixing.funds.due_views import due_context
    from zhixing.funds.payout_views import payouts_context
    from zhixing.funds.statements_out import case_statement

    statement = case_statement(case, start=None, end=timezone.localdate())
    return {
        "account_number": statement.account_number,
        "account_balance": format_yuan(case_balances([case.id]).get(case.id, 0)),
        "account_rows": statement.rows,
        **due_context(case, request),
        **payouts_context(case, officer),
    }
