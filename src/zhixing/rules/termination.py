"""Implements docs/rules.md §8 (终本: closing a case for lack of assets).

终本规定 §1 lists five conditions that must all hold before a round of
enforcement may be closed for lack of assets; the courts' compliance check adds
a few [practice] tests. `check_terminate_round` names every condition that
fails, so the handler sees all that is left to do at once, and on success
names every condition that was met, for the ruling and the audit.

Not judged here, because the facts carry no field for them: whether the debtor
should also have been listed as dishonest (§1 item 2, see §6), whether a field
inquiry was needed where the network cannot reach, whether the debtor is dead,
and the creditor's interview (§5–6, [open]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhixing.rules import Decision, Reason, RuleError
from zhixing.rules.assets import ASSET_KINDS
from zhixing.rules.calendar import chinese_date
from zhixing.rules.deadlines import add_months
from zhixing.rules.money import format_yuan

__all__ = [
    "NEGLIGIBLE_BALANCE_MAX",
    "NEGLIGIBLE_BALANCE_PERCENT",
    "REQUIRED_INQUIRY_KINDS",
    "TerminationFacts",
    "check_terminate_round",
    "negligible_balance",
]

# 终本规定第一条第三项: network inquiry of deposits, vehicles, real estate, securities.
REQUIRED_INQUIRY_KINDS = frozenset({"deposit", "vehicle", "real_estate", "securities"})

# [practice] balances under 1,000 yuan and under 5% of the claim are negligible.
NEGLIGIBLE_BALANCE_MAX = 1_000_00
NEGLIGIBLE_BALANCE_PERCENT = 5

# [practice] a network inquiry within the three months before closing.
INQUIRY_WINDOW_MONTHS = 3

_ART1 = "终本规定第一条"
_PRACTICE = "终本合规审查（法院实践）"


@dataclass(frozen=True)
class TerminationFacts:
    filed_on: date
    today: date
    notice_sent: bool
    report_order_sent: bool
    restriction_ordered: bool
    inquired_kinds: frozenset[str]
    last_inquiry_on: date | None
    usable_assets: int  # assets found, not negligible and not shown unusable
    leads_unchecked: int
    unpaid: int  # fen
    debtor_missing_searched: bool = True  # True when the debtor was never missing
    obstruction_punished: bool = True  # True when nobody obstructed


def negligible_balance(
    balance_fen: int,
    claim_fen: int,
    *,
    max_fen: int = NEGLIGIBLE_BALANCE_MAX,
    max_percent: int = NEGLIGIBLE_BALANCE_PERCENT,
) -> bool:
    """[practice] Whether a balance is too small to keep a case open.

    Under 1,000 yuan AND under 5% of the claim (both bounds exclusive); the
    bounds are court settings.
    """
    if balance_fen < 0 or claim_fen < 0:
        raise RuleError("余额和申请执行标的额不能为负数")
    return balance_fen < max_fen and balance_fen * 100 < claim_fen * max_percent


def check_terminate_round(
    f: TerminationFacts, *, inquiry_window_months: int = INQUIRY_WINDOW_MONTHS
) -> Decision:
    """Whether the case may be closed as 终本 now, with every reason."""
    failed: list[Reason] = []
    met: list[Reason] = []

    def rule(holds: bool, met_text: str, failed_text: str, basis: str) -> None:
        (met if holds else failed).append(Reason(met_text if holds else failed_text, basis))

    # 终本规定第一条第一项: execution notice sent, debtor ordered to report assets.
    rule(f.notice_sent, "已发送执行通知书", "未发送执行通知书", f"{_ART1}第一项")
    rule(f.report_order_sent, "已责令被执行人报告财产", "未责令被执行人报告财产", f"{_ART1}第一项")
    # 终本规定第一条第二项: consumption restriction ordered.
    rule(f.restriction_ordered, "已发出限制消费令", "未发出限制消费令", f"{_ART1}第二项")
    # 终本规定第一条第三项: network inquiry of the four required kinds.
    required = [kind for kind in ASSET_KINDS if kind in REQUIRED_INQUIRY_KINDS]
    missing = [kind for kind in required if kind not in f.inquired_kinds]
    rule(
        not missing,
        "已通过网络查控系统查询" + "、".join(ASSET_KINDS[kind] for kind in required),
        "尚未通过网络查控系统查询" + "、".join(ASSET_KINDS[kind] for kind in missing),
        f"{_ART1}第三项",
    )
    # 终本规定第一条第三项: the creditor's leads checked.
    rule(
        f.leads_unchecked == 0,
        "申请执行人提供的财产线索均已核查",
        f"尚有{f.leads_unchecked}条财产线索未核查",
        f"{_ART1}第三项",
    )
    # 终本规定第一条第三项: nothing usable found, or what was found cannot be disposed of.
    rule(
        f.usable_assets == 0,
        "未发现可供执行的财产，或发现的财产不能处置",
        f"已发现{f.usable_assets}项可供执行的财产，尚未处置或未说明不能处置的理由",
        f"{_ART1}第三项",
    )
    # 终本规定第一条第四项: more than three months since filing (strictly after).
    three_months = add_months(f.filed_on, 3)
    rule(f.today > three_months, "自立案之日起已超过三个月", "立案未满三个月", f"{_ART1}第四项")
    # 终本规定第一条第五项: a missing debtor searched for; obstruction punished.
    rule(
        f.debtor_missing_searched,
        "被执行人下落不明的，已依法查找（或无此情形）",
        "被执行人下落不明，尚未依法查找",
        f"{_ART1}第五项",
    )
    rule(
        f.obstruction_punished,
        "妨害执行的行为已依法采取罚款、拘留等强制措施（或无此情形）",
        "对妨害执行的行为尚未依法采取罚款、拘留等强制措施",
        f"{_ART1}第五项",
    )
    # [practice] a network inquiry within the three months before closing.
    window_start = add_months(f.today, -inquiry_window_months)
    if f.last_inquiry_on is None:
        failed.append(Reason("尚未进行网络查控", _PRACTICE))
    else:
        rule(
            f.last_inquiry_on >= window_start,
            f"最近一次网络查控在{chinese_date(f.last_inquiry_on)}，"
            f"在终本前{inquiry_window_months}个月内",
            f"最近一次网络查控在{chinese_date(f.last_inquiry_on)}，"
            f"已超过{inquiry_window_months}个月，应重新查询",
            _PRACTICE,
        )
    # [practice] something must remain unpaid; otherwise the case is performed.
    rule(
        f.unpaid > 0,
        f"尚有{format_yuan(f.unpaid)}元未履行",
        "未履行金额为零，应以执行完毕结案",
        _PRACTICE,
    )
    return Decision.refuse(*failed) if failed else Decision.allow(*met)
