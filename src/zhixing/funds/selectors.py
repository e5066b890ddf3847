"""Balances are sums of ledger rows, never stored."""

from collections.abc import Iterable

from django.db.models import Sum

from zhixing.funds.models import LedgerEntry

# 执行到位金额: what reached the case or the creditor from the debtor, less
# any surplus refunded to the debtor.
RECOVERED_IN = ("receipt", "claim", "direct")
RECOVERED_OUT = ("refund",)


def _recovered_sum():
    from django.db.models import Case, F, IntegerField, Value, When

    return Sum(
        Case(
            When(kind__in=RECOVERED_IN, then=F("amount")),
            When(kind__in=RECOVERED_OUT, then=-1 * F("amount")),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def recovered_by_case(case_ids: Iterable[int]) -> dict[int, int]:
    """执行到位金额 per case, in fen: every amount that left the debtor."""
    rows = (
        LedgerEntry.objects.filter(case_id__in=list(case_ids), kind__in=RECOVERED_IN + RECOVERED_OUT)
        .values("case_id")
        .annotate(total=_recovered_sum())
    )
    return {r["case_id"]: r["total"] for r in rows}


def recovered_subquery():
    """For annotating a queryset of cases with what was recovered."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    total = (
        LedgerEntry.objects.filter(case_id=OuterRef("pk"), kind__in=RECOVERED_IN + RECOVERED_OUT)
        .values("case_id")
        .annotate(total=_recovered_sum())
        .values("total")
    )
    return Coalesce(Subquery(total), Value(0))
