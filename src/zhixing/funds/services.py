"""Money movements on case accounts. Each writes ledger rows and a case event."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.courts.models import Officer
from zhixing.funds.ledger import Posting, ledger_post
from zhixing.funds.models import LedgerEntry
from zhixing.rules.money import format_yuan


@dataclass(frozen=True)
class Receipt:
    case: EnforcementCase
    amount: int  # fen, > 0
    direct: bool = False  # the debtor paid the creditor directly
    reference: str = ""  # the bank's serial number: the same one is booked once


def funds_receive(*, receipts: Sequence[Receipt], actor: Officer | None, now: datetime) -> int:
    """执行款到账 (or direct performance): book each receipt once.

    A receipt whose bank reference was already booked is skipped, so
    importing the same statement twice changes nothing."""
    refs = [r.reference for r in receipts if r.reference]
    with transaction.atomic():
        court_ids = {r.case.court_id for r in receipts}
        seen = set(
            LedgerEntry.objects.filter(court_id__in=court_ids, reference__in=refs).values_list("reference", flat=True)
        )
        todo = [r for r in receipts if not r.reference or r.reference not in seen]
        for r in todo:
            if r.amount <= 0:
                raise ValueError("执行款金额必须大于零")
        events = CaseEvent.objects.bulk_create(
            CaseEvent(
                court_id=r.case.court_id,
                case=r.case,
                at=now,
                kind="funds_received",
                actor=actor,
                detail=("被执行人直接履行" if r.direct else "执行款到账") + f"{format_yuan(r.amount)}元",
                data={"amount": r.amount, "direct": r.direct},
            )
            for r in todo
        )
        if not todo:
            return 0
        ledger_post(
            court_id=todo[0].case.court_id,
            postings=[
                Posting(
                    kind=LedgerEntry.Kind.DIRECT if r.direct else LedgerEntry.Kind.RECEIPT,
                    amount=r.amount,
                    value_on=now.date(),
                    case_id=r.case.id,
                    reference=r.reference,
                    event=e,
                )
                for r, e in zip(todo, events)
            ],
            now=now,
        )
    return len(todo)
