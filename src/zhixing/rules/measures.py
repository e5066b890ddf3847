"""Quality measures (执行质效指标). Implements docs/rules.md §13.

Each formula is [open] in the regulations as published, so each is one
documented function here, fed with counts the stats package gathers from the
event log. Rates are Decimals to four places, or None when nothing was closed
(a rate of an empty set is not 0%)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# §13: counted over first-enforcement cases only; 执保 and 执恢 are left out.
COUNTED_TYPES = ("执",)
FAST_TRACK_TEAMS = ("one_shot", "simple")
# 审限规定(2000)第九条: periods not counted in the six-month limit.
EXCLUDED_PERIOD_KINDS = {
    "appraisal": "审计、评估",
    "suspension": "中止执行",
    "settlement_deferral": "和解或担保暂缓执行",
    "higher_court_deferral": "上级法院决定暂缓执行",
    "auction": "拍卖、变卖",
    "public_notice": "公告",
}
_FOUR = Decimal("0.0001")


def ratio(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_FOUR, ROUND_HALF_UP)


def days_counted(filed_on: date, closed_on: date, excluded: Iterable[tuple[date, date]] = ()) -> int:
    """Days a case took, less the periods 审限规定第九条 does not count.

    Excluded periods are clipped to the case's life and merged, so overlapping
    periods are subtracted once."""
    spans = sorted((max(s, filed_on), min(e, closed_on)) for s, e in excluded)
    total = (closed_on - filed_on).days
    cursor = filed_on
    for start, end in spans:
        start = max(start, cursor)
        if end > start:
            total -= (end - start).days
            cursor = end
    return max(total, 0)


def performed_rate(performed: int, closed: int) -> Decimal | None:
    """执行完毕率 = closed as performed (settlements performed included) ÷ closed."""
    return ratio(performed, closed)


def recovery_rate(recovered: int, claimed: int) -> Decimal | None:
    """执行到位率 = amount recovered ÷ amount claimed, over cases closed in the period."""
    return ratio(recovered, claimed)


def terminated_round_rate(terminated_round: int, closed: int) -> Decimal | None:
    """终本率 = closed as 终本 ÷ closed."""
    return ratio(terminated_round, closed)


def mean_days(days: Iterable[int]) -> Decimal | None:
    """平均执行天数 = mean of (closed − filed − excluded periods)."""
    days = list(days)
    if not days:
        return None
    return (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def on_time_rate(days: Iterable[int], limit_days: Iterable[int]) -> Decimal | None:
    """法定期限内结案率 = closed within the limit (excluded periods subtracted) ÷ closed."""
    pairs = list(zip(days, limit_days))
    return ratio(sum(1 for d, limit in pairs if d <= limit), len(pairs))


def fast_track_share(fast: int, triaged: int) -> Decimal | None:
    """Fast-track share = cases triaged to the one-shot or simple team ÷ triaged (§14 goal: > 60%)."""
    return ratio(fast, triaged)
