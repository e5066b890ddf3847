"""The one door to the ledger: every money movement is booked by ledger_post.

It runs inside the caller's transaction, locks the cases whose accounts it
debits (in id order, so two bookings never wait on each other in a circle),
refuses a booking that would take a case account or the unclaimed money below
zero, and books a reference once: a posting whose reference is already in the
ledger is skipped, which is what makes re-imports and retries harmless."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.funds.models import LedgerEntry
from zhixing.rules.money import format_yuan


class LedgerRefused(Exception):
    """A booking the ledger will not take; str(e) is Chinese, for the user."""


@dataclass(frozen=True)
class Posting:
    kind: str  # LedgerEntry.Kind: the accounts follow from it (LedgerEntry.PAIRS)
    amount: int  # fen, > 0
    value_on: date  # the day the money moved
    case_id: int | None = None
    reference: str = ""
    event: CaseEvent | None = None
    line_id: int | None = None
    payout_line_id: int | None = None


def ledger_post(*, court_id: int, postings: Sequence[Posting], now: datetime) -> list[LedgerEntry]:
    """Book postings; returns the rows written (postings already booked are skipped)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_post must run inside transaction.atomic")
    for p in postings:
        if p.kind not in LedgerEntry.PAIRS:
            raise ValueError(f"unknown ledger kind {p.kind!r}")
        if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount <= 0:
            raise LedgerRefused(f"记账金额必须是大于零的整数（分）：{p.amount!r}")
        if "case" in LedgerEntry.PAIRS[p.kind] and p.case_id is None:
            raise ValueError(f"{p.kind} needs a case")
    refs = [p.reference for p in postings if p.reference]
    if len(refs) != len(set(refs)):
        raise LedgerRefused("同一批记账中流水号重复")
    booked = set(
        LedgerEntry.objects.filter(court_id=court_id, reference__in=refs).values_list("reference", flat=True)
    )
    todo = [p for p in postings if not p.reference or p.reference not in booked]
    _check_balances(court_id, todo)
    return LedgerEntry.objects.bulk_create(
        LedgerEntry(
            court_id=court_id,
            case_id=p.case_id,
            event=p.event,
            kind=p.kind,
            debit=LedgerEntry.PAIRS[p.kind][0],
            credit=LedgerEntry.PAIRS[p.kind][1],
            amount=p.amount,
            posted_at=now,
            value_on=p.value_on,
            reference=p.reference,
            line_id=p.line_id,
            payout_line_id=p.payout_line_id,
        )
        for p in todo
    )


def _check_balances(court_id: int, postings: Sequence[Posting]) -> None:
    out_of_case: dict[int, int] = defaultdict(int)
    out_of_unclaimed = 0
    for p in postings:
        debit, _ = LedgerEntry.PAIRS[p.kind]
        if debit == "case":
            out_of_case[p.case_id] += p.amount
        elif debit == "unclaimed":
            out_of_unclaimed += p.amount
    if out_of_case:
        ids = sorted(out_of_case)
        # The lock: a second booking on the same case waits here until this
        # transaction ends, then sees its rows (PostgreSQL); SQLite serialises writers.
        numbers = dict(EnforcementCase.objects.select_for_update().filter(id__in=ids).values_list("id", "case_number"))
        have = case_balances(ids)
        for case_id in ids:
            if have.get(case_id, 0) < out_of_case[case_id]:
                raise LedgerRefused(
                    f"案款账户余额不足：{numbers.get(case_id, case_id)} 余额 {format_yuan(have.get(case_id, 0))} 元，"
                    f"拟支出 {format_yuan(out_of_case[case_id])} 元"
                )
    if out_of_unclaimed and unclaimed_balance(court_id) < out_of_unclaimed:
        raise LedgerRefused("待认领款余额不足")


def balance_sum(account: str):
    """Credit-normal sum for a liability account: credits add, debits subtract."""
    return Sum(
        Case(
            When(credit=account, then="amount"),
            When(debit=account, then=-1 * F("amount")),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def case_balances(case_ids) -> dict[int, int]:
    """Each case account's balance in fen: what the court holds for the case."""
    rows = (
        LedgerEntry.objects.filter(Q(debit="case") | Q(credit="case"), case_id__in=list(case_ids))
        .values("case_id")
        .annotate(balance=balance_sum("case"))
    )
    return {r["case_id"]: r["balance"] or 0 for r in rows}


def unclaimed_balance(court_id: int) -> int:
    rows = LedgerEntry.objects.filter(Q(debit="unclaimed") | Q(credit="unclaimed"), court_id=court_id)
    return rows.aggregate(b=balance_sum("unclaimed"))["b"] or 0


def custody_balance(court_id: int) -> int:
    """The custody account as the ledger has it (debit-normal: an asset)."""
    rows = LedgerEntry.objects.filter(Q(debit="custody") | Q(credit="custody"), court_id=court_id)
    total = rows.aggregate(
        b=Sum(
            Case(
                When(debit="custody", then="amount"),
                When(credit="custody", then=-1 * F("amount")),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )["b"]
    return total or 0


def all_case_balances_total(court_id: int) -> int:
    rows = LedgerEntry.objects.filter(Q(debit="case") | Q(credit="case"), court_id=court_id)
    return rows.aggregate(b=balance_sum("case"))["b"] or 0
