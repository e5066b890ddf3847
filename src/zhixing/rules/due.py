"""Implements docs/rules.md §10 (what a debtor owes on a day: 应付金额).

One statement puts together what the other money rules compute:

- the principal: the money debt of the title (ordinary interest excluded),
  as one debt due at the end of the performance period or as instalments,
  each due at the end of its own period (迟延履行利息解释第二条);
- ordinary interest (一般债务利息), only if the title awards it: a fixed sum,
  and/or simple interest at an annual rate on the principal still unpaid from
  the day the title names;
- the doubled interest (加倍部分债务利息) of rules/interest.py: 0.000175 a
  day on the unpaid principal, excluded periods not counted;
- the enforcement fee (rules/fees.py) still owed.

Payments are applied in this order:

1. the fee the court already kept (`fee_paid`) comes off the earliest
   payments: the costs of enforcement are taken from the proceeds first
   (rules.md §10, distribution), so that money never paid the debt;
2. then each payment pays the principal (迟延履行利息解释第四条: the money
   debt first), oldest instalment first;
3. then ordinary interest [practice: the law orders only the money debt before
   the doubled interest; ordinary interest is part of the debt the title fixes
   but not of the doubled interest's base, so it comes between];
4. then the doubled interest (第四条);
5. then the rest of the fee; what is left over is a surplus to be refunded.

Money is integer fen; interest is accrued exactly (Fraction) and rounded half
up to the fen only when owed or paid, as in rules/interest.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from zhixing.rules import Reason, RuleError
from zhixing.rules.calendar import chinese_date
from zhixing.rules.interest import Debt, Payment, _counted_days, late_interest
from zhixing.rules.money import format_yuan

__all__ = [
    "DAYS_IN_YEAR",
    "Debt",
    "DebtDays",
    "DueStatement",
    "Payment",
    "amount_due",
    "payments_less_refunds",
]

# [open] Day count of ordinary interest at an annual rate: actual/365. Banks
# quote loans on actual/360; judgments usually say "按年利率…计算" without a
# convention, and courts' calculators divide by 365. A court setting if it varies.
DAYS_IN_YEAR = 365

INTEREST_BASIS = "迟延履行利息解释"
FEE_BASIS = "诉讼费用交纳办法第十四条"
ORDER_BASIS = "迟延履行利息解释第四条"


@dataclass(frozen=True)
class DebtDays:
    """One money debt and the days its doubled interest ran up to the statement's day."""

    amount: int
    start_on: date  # end of its performance period: interest from the next day
    days: int  # days counted, excluded periods subtracted
    excluded_days: int


@dataclass(frozen=True)
class DueStatement:
    """What is still owed on `on`, in fen, with the grounds a page can show."""

    on: date
    principal: int  # principal still owed (instalments not yet due included)
    interest: int  # ordinary interest still owed
    doubled_interest: int  # doubled interest still owed
    fee: int  # enforcement fee still owed
    paid: int  # everything paid up to `on`, the fee the court kept included
    surplus: int  # paid beyond everything owed: to be refunded, never kept
    principal_total: int
    interest_total: int  # ordinary interest accrued to `on`
    doubled_total: int  # doubled interest accrued to `on`
    fee_total: int
    not_yet_due: int  # of the principal owed, instalments whose period has not ended
    debts: tuple[DebtDays, ...]
    reasons: tuple[Reason, ...]

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.doubled_interest + self.fee

    def explain(self) -> str:
        return "；".join(str(r) for r in self.reasons)


def amount_due(
    *,
    principal: int,
    start_on: date,
    on: date,
    payments: Iterable[Payment],
    instalments: Iterable[Debt] = (),
    interest_awarded: int = 0,
    interest_rate: str | Decimal | Fraction | None = None,
    interest_from: date | None = None,
    excluded: Iterable[tuple[date, date]] = (),
    fee: int = 0,
    fee_paid: int = 0,
) -> DueStatement:
    """The amount due at the end of `on`.

    `principal` is the money debt of the title; `instalments` (amount, due
    day) split part or all of it, the rest is due on `start_on`. `excluded`
    are (start, end) spans of suspension the debtor did not ask for: their
    days are not counted (rules/interest.py takes each span's length).
    `payments` are everything paid (to the court or to the creditor); those
    after `on` are ignored. `fee` is the whole enforcement fee (the caller
    picks its base) and `fee_paid` what the court already kept of it, out of
    those payments."""
    _fen("本金", principal)
    _fen("判决确定的利息", interest_awarded)
    _fen("申请执行费", fee)
    _fen("已收取的申请执行费", fee_paid)
    instalments = sorted(instalments, key=lambda d: d.start_on)
    for d in instalments:
        if isinstance(d.amount, bool) or not isinstance(d.amount, int) or d.amount <= 0:
            raise RuleError(f"{chinese_date(d.start_on)}到期的分期金额应为正数（以分计），实为{d.amount}")
    split = sum(d.amount for d in instalments)
    if split > principal:
        raise RuleError(f"分期金额合计{format_yuan(split)}元超过本金{format_yuan(principal)}元")
    debts = [*instalments, *([Debt(principal - split, start_on)] if principal > split else [])]
    spans = []
    for s, e in excluded:
        if e < s:
            raise RuleError(f"不计息期间的结束日期{chinese_date(e)}早于开始日期{chinese_date(s)}")
        spans.append((s, e))
    rate = _rate(interest_rate)
    if rate and interest_from is None:
        raise RuleError("一般债务利息起算日：按年利率计息时必须填写")
    pays = sorted((p for p in payments if p.on <= on), key=lambda p: p.on)
    for p in pays:
        if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount <= 0:
            raise RuleError(f"{chinese_date(p.on)}的还款金额应为正数（以分计），实为{p.amount}")
    paid = sum(p.amount for p in pays)
    if fee_paid > paid:
        raise RuleError(
            f"已收取的申请执行费{format_yuan(fee_paid)}元超过已付款项{format_yuan(paid)}元"
        )

    # 1. The fee the court kept comes off the earliest payments.
    net, kept = [], fee_paid
    for p in pays:
        cut = min(kept, p.amount)
        kept -= cut
        if p.amount > cut:
            net.append(Payment(p.on, p.amount - cut))
    # 2. The principal first (第四条); what each payment has left after it.
    principal_left, to_principal, rest = principal, [], []
    for p in net:
        take = min(p.amount, principal_left)
        principal_left -= take
        if take:
            to_principal.append(Payment(p.on, take))
        if p.amount > take:
            rest.append(Payment(p.on, p.amount - take))

    def doubled_at(day: date) -> int:
        if not debts:
            return 0
        return late_interest(debts=debts, payments=to_principal, on=day, excluded=spans).interest

    def ordinary_at(day: date) -> int:
        if not rate or interest_from is None or day <= interest_from:
            return interest_awarded
        # Simple interest on the principal unpaid each day, from interest_from to `day`.
        accrued, unpaid, cursor = Fraction(0), principal, interest_from
        for p in to_principal:
            if p.on > day:
                break
            if p.on > cursor:
                accrued += unpaid * (p.on - cursor).days
                cursor = p.on
            unpaid -= p.amount
        accrued += unpaid * (day - cursor).days
        return interest_awarded + _half_up(accrued * rate / DAYS_IN_YEAR)

    # 3–5. Ordinary interest, doubled interest, the rest of the fee, surplus.
    fee_owed = max(fee - fee_paid, 0)
    ordinary_paid = doubled_paid = fee_later = surplus = 0
    for p in rest:
        left = p.amount
        take = min(left, ordinary_at(p.on) - ordinary_paid)
        ordinary_paid += take
        left -= take
        if left:
            take = min(left, doubled_at(p.on) - doubled_paid)
            doubled_paid += take
            left -= take
        take = min(left, fee_owed - fee_later)
        fee_later += take
        surplus += left - take

    ordinary_total = ordinary_at(on)
    doubled_total = doubled_at(on)
    not_yet_due = _not_yet_due(debts, principal - principal_left, on)
    lines = tuple(
        DebtDays(d.amount, d.start_on, days := _counted_days(d.start_on, on, spans),
                 max((on - d.start_on).days, 0) - days)
        for d in debts
    )
    statement = DueStatement(
        on=on,
        principal=principal_left,
        interest=ordinary_total - ordinary_paid,
        doubled_interest=doubled_total - doubled_paid,
        fee=fee_owed - fee_later,
        paid=paid,
        surplus=surplus,
        principal_total=principal,
        interest_total=ordinary_total,
        doubled_total=doubled_total,
        fee_total=fee,
        not_yet_due=not_yet_due,
        debts=lines,
        reasons=(),
    )
    reasons = _reasons(statement, rate=rate, interest_from=interest_from, interest_awarded=interest_awarded,
                       fee_paid=fee_paid)
    return replace(statement, reasons=reasons)


def payments_less_refunds(payments: Iterable[Payment], refunds: Iterable[Payment]) -> list[Payment]:
    """Payments net of what was refunded to the debtor: a refund returns a
    surplus, which is the money paid last, so each refund comes off the
    latest payments on or before its day [practice]."""
    pays = sorted(payments, key=lambda p: p.on)
    amounts = [p.amount for p in pays]
    for r in sorted(refunds, key=lambda r: r.on):
        left = r.amount
        for i in range(len(pays) - 1, -1, -1):
            if pays[i].on <= r.on and left:
                cut = min(left, amounts[i])
                amounts[i] -= cut
                left -= cut
        if left:
            raise RuleError(f"{chinese_date(r.on)}退还被执行人{format_yuan(r.amount)}元，超过此前已付款项")
    return [Payment(p.on, a) for p, a in zip(pays, amounts) if a > 0]


def _not_yet_due(debts: Sequence[Debt], principal_paid: int, on: date) -> int:
    """Unpaid principal whose period has not ended on `on` (paid oldest first)."""
    owed = 0
    for d in sorted(debts, key=lambda d: d.start_on):
        take = min(principal_paid, d.amount)
        principal_paid -= take
        if d.start_on >= on:
            owed += d.amount - take
    return owed


def _reasons(s: DueStatement, *, rate, interest_from, interest_awarded, fee_paid) -> tuple[Reason, ...]:
    y = format_yuan
    reasons = [
        Reason(
            f"本金（金钱债务）{y(s.principal_total)}元，已清偿{y(s.principal_total - s.principal)}元，"
            f"尚欠{y(s.principal)}元" + (f"（其中{y(s.not_yet_due)}元分期履行期限未届满）" if s.not_yet_due else ""),
            "执行依据",
        )
    ]
    if not rate and not interest_awarded:
        reasons.append(Reason("执行依据未判令一般债务利息，不计算", "规则说明第十节：一般债务利息仅在执行依据判令时计算"))
    else:
        parts = []
        if interest_awarded:
            parts.append(f"执行依据确定的利息{y(interest_awarded)}元")
        if rate:
            parts.append(
                f"以未清偿本金为基数按年利率{_rate_text(rate)}自{chinese_date(interest_from)}起计至"
                f"{chinese_date(s.on)}（按一年{DAYS_IN_YEAR}日计）"
            )
        reasons.append(
            Reason(
                "一般债务利息：" + "，另".join(parts) + f"，合计{y(s.interest_total)}元，"
                f"已清偿{y(s.interest_total - s.interest)}元，尚欠{y(s.interest)}元",
                "执行依据",
            )
        )
    if s.debts:
        runs = "；".join(
            f"{y(d.amount)}元自{chinese_date(d.start_on)}次日起计{d.days}日"
            + (f"（扣除中止执行{d.excluded_days}日）" if d.excluded_days else "")
            for d in s.debts
        )
        reasons.append(
            Reason(
                f"加倍部分债务利息：未清偿的金钱债务×日万分之一点七五×迟延履行天数，{runs}，"
                f"已清偿部分自清偿之日停止计算；合计{y(s.doubled_total)}元，"
                f"已清偿{y(s.doubled_total - s.doubled_interest)}元，尚欠{y(s.doubled_interest)}元",
                f"{INTEREST_BASIS}第一条、第二条、第三条",
            )
        )
    fee_text = f"申请执行费{y(s.fee_total)}元，已收取{y(fee_paid)}元，尚欠{y(s.fee)}元"
    if fee_paid > s.fee_total:
        fee_text += f"（多收{y(fee_paid - s.fee_total)}元，应予退还）"
    reasons.append(Reason(fee_text, f"{FEE_BASIS}；由被执行人负担，第二十条、第三十八条"))
    reasons.append(
        Reason(
            "清偿顺序：已收取的申请执行费从最早的款项中扣除，其余款项先清偿本金，再清偿一般债务利息，"
            "再清偿加倍部分债务利息，最后清偿其余申请执行费",
            f"{ORDER_BASIS}；一般债务利息与执行费的位置为实务做法",
        )
    )
    if s.surplus:
        reasons.append(Reason(f"已付款项超出应付金额{y(s.surplus)}元，应退还被执行人", "执行款物规定"))
    return tuple(reasons)


def _fen(label: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{label}应为以分计的整数")
    if value < 0:
        raise RuleError(f"{label}不能为负数：{format_yuan(value)}元")


def _rate(value) -> Fraction:
    """An annual rate such as "0.0385" (3.85%), exactly."""
    if value is None or value == "":
        return Fraction(0)
    if isinstance(value, float):
        raise RuleError("一般债务利息年利率不得使用浮点数")
    try:
        rate = Fraction(Decimal(str(value).strip())) if not isinstance(value, Fraction) else value
    except (InvalidOperation, ValueError, OverflowError):
        raise RuleError(f"一般债务利息年利率格式不正确：“{value}”（如 0.0385 表示年利率3.85%）") from None
    if rate < 0 or rate >= 1:
        raise RuleError(f"一般债务利息年利率应在0到1之间：“{value}”（如 0.0385 表示年利率3.85%）")
    return rate


def _rate_text(rate: Fraction) -> str:
    percent = Decimal(rate.numerator) / Decimal(rate.denominator) * 100
    return f"{percent.normalize():f}%"


def _half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())
