"""Implements docs/rules.md §10 (money out) and §3 (the payout limit).

- Distribution (民诉解释第五百零六条至第五百一十条, in substance): from what
  the case account holds, the costs of enforcement first, then the claims
  with priority (mortgages, liens) in their rank, then the ordinary claims
  pro rata; what is left over goes back to the debtor.
- Approval by amount: tiers a court sets (funds/settings.py).
- The payout limit: 30 days after the arrival notice [practice, 执行款物规定
  (2017)第七条], a court setting; plain days.
- Deferral: only with a reason, approved by the director and the vice
  president (rules.md §10, 执行款物规定).

Amounts are integer fen; shares are whole fen by the largest-remainder
method, so a split always adds up to the money split, to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from zhixing.rules import Decision, Reason, RuleError
from zhixing.rules.money import format_yuan

__all__ = [
    "Claimant",
    "Share",
    "Split",
    "approvals_required",
    "largest_remainder",
    "may_defer",
    "payout_alert",
    "payout_due",
    "split_arrival",
]

_DISTRIBUTION = "民诉解释第五百零八条；rules.md §10"
_PRIORITY = "民诉解释第五百零六条第二款、第五百零八条；rules.md §10"
_SURPLUS = "rules.md §10"
_LIMIT = "执行款物规定(2017)第七条；rules.md §3"
_DEFERRAL = "执行款物规定(2017)；rules.md §10"


@dataclass(frozen=True)
class Claimant:
    """A creditor in the distribution. `priority` 0 (or False) is an ordinary
    claim; 1, 2, … (or True = 1) a claim with priority (mortgage, lien) of that
    rank, the lowest rank paid first."""

    id: object
    owed: int  # fen
    priority: int = 0


@dataclass(frozen=True)
class Share:
    id: object
    owed: int
    paid: int
    priority: int


@dataclass(frozen=True)
class Split:
    available: int
    fee: int  # the enforcement fee withheld
    shares: tuple[Share, ...]  # in the order the claimants were given
    refund: int  # the surplus, back to the debtor
    reasons: tuple[Reason, ...]

    @property
    def to_creditors(self) -> int:
        return sum(s.paid for s in self.shares)

    def explain(self) -> str:
        return "；".join(str(r) for r in self.reasons)


def _rank(priority) -> int:
    if isinstance(priority, bool):
        return 1 if priority else 0
    if not isinstance(priority, int) or priority < 0:
        raise RuleError(f"优先受偿顺位应为非负整数：{priority!r}")
    return priority


def _fen(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{label}应为以分计的整数")
    if value < 0:
        raise RuleError(f"{label}不能为负数：{format_yuan(value)}元")
    return value


def largest_remainder(pot: int, weights: Sequence[int]) -> list[int]:
    """Split `pot` fen in proportion to `weights` (each ≥ 0, not all 0), in whole
    fen: everyone gets the floor of the exact share, and the fen left over go
    one each to the largest remainders, ties to the earlier. The parts add up
    to `pot` and each is within 1 fen of the exact share."""
    total = sum(weights)
    if total <= 0:
        raise RuleError("按比例分配时债权总额必须大于零")
    floors = [pot * w // total for w in weights]
    remainders = [pot * w % total for w in weights]
    left = pot - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return floors


def split_arrival(*, available: int, fee_owed: int, creditors: Sequence[Claimant]) -> Split:
    """How the money a case account holds is paid out (民诉解释第五百零八条):
    the fee first, then priority claims by rank (a rank short of money shares
    it pro rata), then ordinary claims pro rata, the surplus to the debtor."""
    available = _fen(available, "可发放金额")
    fee_owed = _fen(fee_owed, "尚欠申请执行费")
    for c in creditors:
        _fen(c.owed, "债权金额")
    left = available
    reasons: list[Reason] = []

    fee = min(fee_owed, left)
    left -= fee
    if fee:
        reasons.append(Reason(f"先行扣除申请执行费{format_yuan(fee)}元", _DISTRIBUTION))

    paid = [0] * len(creditors)
    ranks = [_rank(c.priority) for c in creditors]
    groups = sorted({r for r in ranks if r > 0}) + ([0] if 0 in ranks else [])
    for rank in groups:
        members = [i for i, r in enumerate(ranks) if r == rank and creditors[i].owed > 0]
        owed = sum(creditors[i].owed for i in members)
        if not members:
            continue
        label = f"第{rank}顺位优先受偿债权" if rank else "普通债权"
        basis = _PRIORITY if rank else _DISTRIBUTION
        if left >= owed:
            for i in members:
                paid[i] = creditors[i].owed
            left -= owed
            reasons.append(Reason(f"{label}{format_yuan(owed)}元全额受偿", basis))
        else:
            parts = (
                largest_remainder(left, [creditors[i].owed for i in members])
                if left
                else [0] * len(members)
            )
            for i, part in zip(members, parts):
                paid[i] = part
            if left:
                reasons.append(
                    Reason(
                        f"{label}共{format_yuan(owed)}元，余款{format_yuan(left)}元不足清偿，按债权比例受偿",
                        basis,
                    )
                )
            else:
                reasons.append(Reason(f"{label}共{format_yuan(owed)}元，本次无款可分", basis))
            left = 0
    if left:
        reasons.append(Reason(f"清偿后余款{format_yuan(left)}元退还被执行人", _SURPLUS))
    shares = tuple(Share(c.id, c.owed, p, r) for c, p, r in zip(creditors, paid, ranks))
    return Split(available, fee, shares, left, tuple(reasons))


def approvals_required(
    total: int, tiers: Iterable[tuple[int | None, Sequence[str]]]
) -> tuple[str, ...]:
    """The roles that must approve a plan of `total` fen, in order: the first
    tier whose bound (inclusive, fen) covers it; an open bound (None) covers
    everything; past the last bound, the last tier's roles (the strictest)."""
    total = _fen(total, "发放合计")
    last: tuple[str, ...] = ()
    for upper, roles in tiers:
        last = tuple(roles)
        if upper is None or total <= upper:
            return last
    if not last:
        raise RuleError("未设置案款发放审批层级")
    return last


def payout_due(arrived_on: date, days: int) -> date:
    """The last day to pay out: `days` plain days after the arrival notice
    (rules.md §3: 30 days [practice, 执行款物规定(2017)第七条], a court setting)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise RuleError(f"发放期限天数应为非负整数：{days!r}")
    return arrived_on + timedelta(days=days)


def payout_alert(*, due_on: date, today: date, warn_days: int) -> str:
    """ "overdue" past the limit, "due_soon" within `warn_days` of it (the last
    day included), else ""."""
    left = (due_on - today).days
    if left < 0:
        return "overdue"
    return "due_soon" if left <= warn_days else ""


ROLE_LABELS = {"director": "执行局长", "vice_president": "分管副院长"}


def may_defer(
    reason: str, approvals: Iterable[str], required: Sequence[str] = ("director", "vice_president")
) -> Decision:
    """Whether a plan may be deferred: a reason, and the approval of every
    role in `required` (rules.md §10: the director and the vice president).
    `approvals` are the roles that have approved this deferral."""
    if not (reason or "").strip():
        return Decision.refuse(Reason("暂缓发放须写明理由", _DEFERRAL))
    have = set(approvals)
    missing = [r for r in required if r not in have]
    if missing:
        names = "、".join(ROLE_LABELS.get(r, r) for r in missing)
        return Decision.refuse(Reason(f"暂缓发放尚待{names}审批同意", _DEFERRAL))
    names = "、".join(ROLE_LABELS.get(r, r) for r in required)
    return Decision.allow(Reason(f"暂缓发放理由已写明，{names}已审批同意", _DEFERRAL))
