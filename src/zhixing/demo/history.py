"""What happens to a case once the robot has dispatched it: the plan of the
handler's steps, the money and the closing, each on a day counted from filing.

A plan depends on the team triage chose and on what the first inquiry found,
as it does in a real bureau:

- one-shot team (cash enough): freeze and deduct within days to two weeks,
  or the debtor pays after the notice; closed as performed.
- simple team: some debtors pay in full after the notice; found cash is
  deducted; then a settlement paid in instalments, or 终本 after the three
  months the rule demands (restriction ordered, creditor interviewed, a fresh
  network inquiry a few days before).
- disposal team: property found, so auctions: some cases close as performed
  after four to eight months, most are still open at the end of the year.
- implementation team: large or many-case debtors: 终本 when nothing is
  found, some auctions or settlements, many open.
- adjudication team (执异): decided within the fifteen days of 民事诉讼法第二百三十八条.

The periods the time limit does not count (审限规定第九条) are recorded as a
bureau records them: real estate is appraised by an outside body (审计、评估)
before it is sold; the auction period (拍卖、变卖) runs from the first auction
until the proceeds arrive, or until the second auction and the sale fail; a
settlement paid in instalments defers enforcement (和解暂缓执行) until the
last one. So a case waiting on an auction is not overdue, and one that sits
idle past its six months is.

Most legal steps are on time; about one in a hundred is late, so the board
shows a handful of overdue milestones rather than none or thousands.
Pure: no database; the loader turns offsets into dates and calls the services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from zhixing.rules.assets import CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.termination import negligible_balance

NOTES = {
    "performed": "执行款已全部到位",
    "performed_direct": "被执行人已履行完毕",
    "terminated_round": "经网络查控及调查未发现可供执行的财产，已约谈申请执行人",
    "terminated": "申请执行人撤回执行申请",
    "dismissed": "异议理由不成立，裁定驳回异议",
    "withdrawn": "异议人撤回异议",
}


@dataclass(frozen=True)
class Task:
    offset: int  # days after filing; done on the first working day from then
    kind: str  # step / rerun / receive / period_start / period_end / close
    step: str = ""
    period: str = ""  # an EXCLUDED_PERIOD_KINDS key
    amount: int = 0  # fen
    direct: bool = False
    mode: str = ""
    note: str = ""


@dataclass(frozen=True)
class Holdings:
    """What the first network inquiry found for all of a case's debtors."""

    cash: int
    property: bool
    other: int  # housing fund and insurance: extractable, but not cash
    real_estate: bool = False  # appraised by an outside body before the sale

    @classmethod
    def of(cls, assets) -> Holdings:
        return cls(
            cash=sum(a.value for a in assets if a.kind in CASH_KINDS),
            property=any(a.kind in PROPERTY_KINDS for a in assets),
            other=sum(
                a.value for a in assets if a.kind not in CASH_KINDS and a.kind not in PROPERTY_KINDS
            ),
            real_estate=any(a.kind == "real_estate" for a in assets),
        )


@dataclass
class _Plan:
    rng: random.Random
    claim: int
    tasks: list[Task] = field(default_factory=list)
    paid: int = 0
    last_payment: int = 0

    def step(self, offset: int, step: str) -> None:
        self.tasks.append(Task(offset, "step", step=step))

    def period(self, kind: str, start: int, end: int | None = None) -> None:
        """A period 审限规定第九条 does not count, from `start` to `end` (None: still running)."""
        self.tasks.append(Task(start, "period_start", period=kind))
        if end is not None:
            self.tasks.append(Task(max(end, start), "period_end", period=kind))

    def pay(self, offset: int, amount: int, *, direct: bool) -> None:
        amount = min(amount, self.claim - self.paid)
        if amount > 0:
            self.tasks.append(Task(offset, "receive", amount=amount, direct=direct))
            self.paid += amount
            self.last_payment = max(self.last_payment, offset)

    def pay_rest(self, start: int, end: int, *, direct: bool, parts: int = 1) -> int:
        """The unpaid rest in `parts` instalments between two offsets; the last one's offset."""
        offsets = sorted(self.rng.randint(start, end) for _ in range(parts))
        for i, offset in enumerate(offsets):
            rest = self.claim - self.paid
            share = (
                rest
                if i == parts - 1
                else max(rest * self.rng.randint(25, 60) // 100 // 100 * 100, 1)
            )
            self.pay(offset, share, direct=direct)
        return offsets[-1]

    def close(self, offset: int, mode: str, note_key: str | None = None) -> list[Task]:
        """Close on `offset`. Steps planned later move to that day when the
        closing needs them (performed, 终本) and are dropped otherwise; a period
        begun before it ends that day at the latest, one not begun is dropped."""
        keep = mode in ("performed", "terminated_round")
        begun = {t.period for t in self.tasks if t.kind == "period_start" and t.offset <= offset}
        tasks = []
        for t in self.tasks:
            if t.offset > offset:
                if t.kind == "period_end" and t.period in begun:
                    t = Task(offset, t.kind, period=t.period)
                elif t.kind != "step" or not keep:
                    continue
                else:
                    t = Task(offset, t.kind, step=t.step)
            tasks.append(t)
        tasks.append(Task(offset, "close", mode=mode, note=NOTES[note_key or mode]))
        self.tasks = tasks
        return tasks


def _notice(rng: random.Random, fast: bool = False) -> int:
    if fast:
        return rng.randint(0, 2)
    r = rng.random()
    return (
        rng.randint(1, 7) if r < 0.90 else rng.randint(8, 10) if r < 0.99 else rng.randint(12, 25)
    )


def _routine(plan: _Plan, *, fast: bool = False) -> int:
    """Notice, leads request and investigation, mostly on time. Returns the notice offset."""
    rng = plan.rng
    notice = _notice(rng, fast)
    plan.step(notice, "notice_sent")
    plan.step(rng.randint(0, 3) if rng.random() < 0.99 else rng.randint(5, 15), "leads_requested")
    plan.step(
        rng.randint(10, 28) if rng.random() < 0.99 else rng.randint(33, 55),
        "investigation_finished",
    )
    return notice


def _terminate_round(plan: _Plan, start: int, end: int) -> list[Task]:
    """终本: restriction, creditor interview and a fresh inquiry, then close."""
    rng = plan.rng
    close = max(rng.randint(start, end), 93)  # more than three months after filing
    plan.step(min(rng.randint(10, 45), close - 20), "restriction_ordered")
    plan.step(close - rng.randint(3, 20), "creditor_interviewed")
    plan.tasks.append(Task(close - rng.randint(1, 8), "rerun"))
    return plan.close(close, "terminated_round")


def _deduct_found_cash(plan: _Plan, h: Holdings, start: int = 5, end: int = 20) -> None:
    if h.cash and not negligible_balance(h.cash, plan.claim):
        plan.pay(plan.rng.randint(start, end), h.cash, direct=False)


def _settle(plan: _Plan, start: int, end: int) -> list[Task]:
    """执行和解: the rest paid directly, in instalments; then performed.
    Paid in instalments, enforcement is deferred from the agreement to the last
    one (和解暂缓执行, 审限规定第九条)."""
    rng = plan.rng
    start = max(start, plan.last_payment + 1)
    parts = rng.choice((1, 2, 2, 3))
    last = plan.pay_rest(start, max(start, end), direct=True, parts=parts)
    if parts > 1:
        plan.period("settlement_deferral", start, last)
    return plan.close(last + rng.randint(0, 5), "performed", "performed_direct")


def _auction(plan: _Plan, h: Holdings, first: int) -> int:
    """Value the property from `first` (rules.md §11: within 30 days of the
    seal), then put it up for auction; the day the auction begins. Real
    estate is mostly appraised by an outside body (report in 30 days,
    extensions; not counted), the sale begun within 10 days of the price;
    other property takes the network price inquiry's few days (counted)."""
    rng = plan.rng
    start = first
    if h.real_estate and rng.random() < 0.8:
        report = start + rng.randint(25, 60)
        plan.period("appraisal", start, report)
        start = report + rng.randint(5, 15)  # 5 days for objections, then the sale
    else:
        start += rng.randint(5, 20)
    return start


def _sold(plan: _Plan, h: Holdings, first: int, paid_on: int) -> list[Task]:
    """The auction sells: the period ends when the proceeds reach the case account."""
    start = _auction(plan, h, first)
    paid_on = max(paid_on, start + plan.rng.randint(40, 70))  # notice, bidding, the ruling served
    plan.period("auction", start, paid_on)
    plan.pay(paid_on, plan.claim, direct=False)
    return plan.close(paid_on + plan.rng.randint(3, 15), "performed")


def _unsold(plan: _Plan, h: Holdings, first: int) -> list[Task]:
    """The auction goes on past the year; one in seven fails for good (two
    auctions and the sale), which ends the period and leaves the case to run."""
    rng = plan.rng
    start = _auction(plan, h, first)
    plan.period("auction", start, start + rng.randint(75, 150) if rng.random() < 1 / 7 else None)
    return plan.tasks


def plan_case(
    rng: random.Random, *, team: str, type_code: str, claim: int, holdings: Holdings
) -> list[Task]:
    """The tasks of one dispatched case, in offsets from its filing day."""
    plan = _Plan(rng, claim)
    h = holdings
    if type_code == "执异" or team == "adjudication":
        return plan.close(rng.randint(5, 14), "dismissed" if rng.random() < 0.75 else "withdrawn")
    if claim <= 0:
        return plan.close(rng.randint(5, 30), "terminated")
    r = rng.random()

    if team == "one_shot":
        notice = _routine(plan, fast=True)
        direct = r >= 0.88
        paid_on = notice + (
            rng.randint(3, 15) if direct else min(rng.randint(0, 12), rng.randint(0, 12))
        )
        plan.pay(paid_on, claim, direct=direct)
        return plan.close(
            paid_on + rng.randint(0, 4), "performed", "performed_direct" if direct else None
        )

    notice = _routine(plan)
    if team == "disposal":
        if rng.random() < 0.6:
            plan.step(rng.randint(10, 40), "restriction_ordered")
        _deduct_found_cash(plan, h)
        if r < 0.30:  # the auction sells: proceeds reach the case account
            return _sold(plan, h, rng.randint(15, 40), rng.randint(120, 240))
        if r < 0.38:
            return _settle(plan, 30, 120)
        if r < 0.42:
            return plan.close(rng.randint(40, 150), "terminated")
        return _unsold(plan, h, rng.randint(15, 45))

    if team == "implementation":
        if rng.random() < 0.9:
            plan.step(rng.randint(10, 30), "restriction_ordered")
        if h.property:
            if r < 0.30:
                return _sold(plan, h, rng.randint(20, 60), rng.randint(150, 300))
            return _settle(plan, 60, 200) if r < 0.40 else _unsold(plan, h, rng.randint(20, 60))
        if h.other:
            return _settle(plan, 60, 200) if r < 0.30 else plan.tasks
        _deduct_found_cash(plan, h)
        if r < 0.80:
            return _terminate_round(plan, 93, 150)
        return _settle(plan, 60, 200) if r < 0.88 else plan.tasks

    # The simple team (and anything else): small, clear cases.
    if h.cash >= claim:
        plan.pay(notice + rng.randint(2, 12), claim, direct=False)
        return plan.close(plan.last_payment + rng.randint(0, 4), "performed")
    if r < 0.12:  # pays in full once the notice arrives
        plan.pay_rest(notice + 5, notice + 70, direct=True, parts=rng.choice((1, 1, 2)))
        return plan.close(plan.last_payment + rng.randint(0, 5), "performed", "performed_direct")
    _deduct_found_cash(plan, h)
    if h.other:  # a housing fund or a policy: extracted, then settle, withdraw or wait
        plan.pay(rng.randint(20, 60), h.other, direct=False)
        if plan.paid >= claim:
            return plan.close(plan.last_payment + rng.randint(1, 5), "performed")
        if r < 0.6:
            return _settle(plan, 40, 150)
        if r < 0.75:
            return plan.close(rng.randint(60, 150), "terminated")
        return plan.tasks
    if plan.paid and r < 0.27:
        return _settle(plan, 30, 150)
    if r < 0.16:
        return plan.close(rng.randint(20, 90), "terminated")
    slow = rng.random() >= 0.8  # one case in five waits longer for its 终本
    return _terminate_round(plan, 125, 200) if slow else _terminate_round(plan, 93, 125)
