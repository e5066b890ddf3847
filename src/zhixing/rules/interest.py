"""Implements docs/rules.md §10 (late-performance interest, 加倍部分债务利息, and
the order in which a debtor's money is applied).

最高人民法院关于执行程序中计算迟延履行期间的债务利息适用法律若干问题的解释 (2014),
"迟延履行利息解释" below:

- 第一条: the doubled part = the money debt fixed by the title, ordinary interest
  excluded, × 0.000175 per day × the days of delay.
- 第二条: it runs from the day the performance period ends; for instalments,
  from the end of each instalment's period; with no period, from the day the
  title took effect. The caller gives that day as each debt's `start_on`.
- 第三条: it runs until the debt is paid; for part payments, the part paid
  stops on its day (a deduction on the day of the deduction, a sale on the
  day its ruling takes effect: the caller dates the payment so). Periods of
  suspension not asked for by the debtor are not counted (`excluded`).
- 第四条: money that does not cover everything pays the money debt first and the
  doubled interest after, unless the parties agreed otherwise.

Days are counted as periods are (民事诉讼法第八十五条): the start day is not
counted, so a debt due on 15 January and paid on 16 January is one day late.
Instalments are paid oldest first [practice: the order the law leaves open].
Interest is kept exact (a Fraction of a fen) and rounded half up only when
shown; a payment never pays a part of a fen that was not owed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from zhixing.rules import RuleError
from zhixing.rules.calendar import chinese_date
from zhixing.rules.money import format_yuan

__all__ = [
    "DAILY_RATE",
    "Allocation",
    "Debt",
    "InterestStatement",
    "Payment",
    "late_interest",
]

# 迟延履行利息解释第一条: 日万分之一点七五.
DAILY_RATE = Fraction(175, 1_000_000)
BASIS = "迟延履行利息解释"


@dataclass(frozen=True)
class Debt:
    """A money debt of the title (ordinary interest excluded), in fen, late
    from the day after `start_on`."""

    amount: int
    start_on: date


@dataclass(frozen=True)
class Payment:
    """Money the debtor paid or the court took, in fen, on a day."""

    on: date
    amount: int


@dataclass(frozen=True)
class Allocation:
    """How one payment was applied (第四条): principal first, then interest."""

    on: date
    amount: int
    to_principal: int
    to_interest: int
    surplus: int  # more than was owed: to be refunded, never kept


@dataclass(frozen=True)
class InterestStatement:
    """Where the debt stands on `on`."""

    on: date
    principal: int  # the money debts, in all
    principal_paid: int
    interest: int  # doubled interest accrued to `on`, rounded half up to the fen
    interest_paid: int
    allocations: tuple[Allocation, ...]

    @property
    def principal_unpaid(self) -> int:
        return self.principal - self.principal_paid

    @property
    def interest_unpaid(self) -> int:
        return self.interest - self.interest_paid

    @property
    def unpaid(self) -> int:
        return self.principal_unpaid + self.interest_unpaid

    def explain(self) -> str:
        return (
            f"截至{chinese_date(self.on)}：金钱债务{format_yuan(self.principal)}元，"
            f"已清偿{format_yuan(self.principal_paid)}元；加倍部分债务利息"
            f"{format_yuan(self.interest)}元，已清偿{format_yuan(self.interest_paid)}元"
            f"（{BASIS}第一条：日万分之一点七五；第四条：先清偿金钱债务）"
        )


def _half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


def late_interest(
    *,
    debts: Sequence[Debt],
    payments: Iterable[Payment] = (),
    on: date,
    excluded: Iterable[tuple[date, date]] = (),
) -> InterestStatement:
    """The doubled interest and what each payment paid, as of the end of `on`.

    Payments after `on` are ignored; `excluded` are [start, end) spans of
    suspension the debtor did not ask for (第三条), not counted."""
    debts = list(debts)
    if not debts:
        raise RuleError("没有金钱债务，无法计算迟延履行利息")
    for d in debts:
        if isinstance(d.amount, bool) or not isinstance(d.amount, int) or d.amount <= 0:
            raise RuleError(f"金钱债务应为正数（以分计），实为{d.amount}")
    pays = sorted((p for p in payments if p.on <= on), key=lambda p: p.on)
    for p in pays:
        if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount <= 0:
            raise RuleError(f"{chinese_date(p.on)}的还款金额应为正数（以分计），实为{p.amount}")
    spans = []
    for start, end in excluded:
        if end < start:
            raise RuleError(f"不计息期间的结束日期{chinese_date(end)}早于开始日期{chinese_date(start)}")
        spans.append((start, end))

    # Oldest debt first (the order of payment among instalments).
    order = sorted(range(len(debts)), key=lambda i: (debts[i].start_on, i))
    unpaid = [debts[i].amount for i in order]
    starts = [debts[i].start_on for i in order]
    accrued = Fraction(0)  # exact, in fen
    interest_paid = 0
    allocations = []
    cursor = min(starts)

    def accrue(until: date) -> None:
        """Interest from `cursor` to `until` on what is unpaid in that time."""
        nonlocal accrued
        for amount, start in zip(unpaid, starts):
            if amount:
                days = _counted_days(max(start, cursor), until, spans)
                accrued += amount * DAILY_RATE * days

    for p in pays:
        if p.on > cursor:
            accrue(p.on)
            cursor = p.on
        left = p.amount
        to_principal = 0
        for i, amount in enumerate(unpaid):
            take = min(left, amount)
            unpaid[i] -= take
            to_principal += take
            left -= take
        # Only whole fen of interest can be paid: the rounded amount due now.
        to_interest = min(left, max(_half_up(accrued) - interest_paid, 0))
        interest_paid += to_interest
        left -= to_interest
        allocations.append(Allocation(p.on, p.amount, to_principal, to_interest, left))
    if on > cursor:
        accrue(on)
    principal = sum(d.amount for d in debts)
    return InterestStatement(
        on=on,
        principal=principal,
        principal_paid=principal - sum(unpaid),
        interest=max(_half_up(accrued), interest_paid),
        interest_paid=interest_paid,
        allocations=tuple(allocations),
    )


def _counted_days(start: date, end: date, excluded: Sequence[tuple[date, date]]) -> int:
    """Days in (start, end], less the excluded [s, e) spans, each day once."""
    if end <= start:
        return 0
    total = (end - start).days
    cursor = start
    for s, e in sorted((max(s, start), min(e, end)) for s, e in excluded):
        s = max(s, cursor)
        if e > s:
            total -= (e - s).days
            cursor = e
    return max(total, 0)
