"""Balances are sums of ledger rows, never stored."""

from collections.abc import Iterable

from django.db.models import Sum

from zhixing.funds.models import LedgerEntry


def recovered_by_case(case_ids: Iterable[int]) -> dict[int, int]:
    """执行到位金额 per case, in fen: every amount that left the debtor."""
    rows = (
        LedgerEntry.objects.filter(case_id__in=list(case_ids), credit=LedgerEntry.Account.DEBTOR)
        .values("case_id")
        .annotate(total=Sum("amount"))
    )
    return {r["case_id"]: r["total"] for r in rows}


def recovered_subquery():
    """For annotating a queryset of cases with what was recovered."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    total = (
        LedgerEntry.objects.filter(case_id=OuterRef("pk"), credit=LedgerEntry.Account.DEBTOR)
        .values("case_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(0))
