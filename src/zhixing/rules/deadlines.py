"""Implements docs/rules.md §3 (milestones and time limits, and the periods the
time limit does not count: 审限规定第九条) and the application period of §1
(民事诉讼法第二百五十条).

How a period is counted (民事诉讼法第八十五条, 2023 numbering): the day on which
it starts is not counted; a period in months ends on the same date of the last
month (the month's last day when that date does not exist); and when the last
day is a holiday or a weekend, the period ends on the first working day after
it. "工作日" periods count working days only (rules.md §3 preamble).

Every amount here is a default: a court may set a stricter one (`overrides`).
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from zhixing.rules import Decision, Reason, RuleError
from zhixing.rules.calendar import WorkingCalendar, chinese_date
from zhixing.rules.measures import days_counted

__all__ = [
    "ANCHORS",
    "APPLICATION_PERIOD_YEARS",
    "DEFAULT_MILESTONES",
    "EXTENSION_MONTHS",
    "EXTENSION_WINDOW_DAYS",
    "LEAD_CHECK_DAYS",
    "LEAD_CHECK_URGENT_DAYS",
    "LITIGATION_TITLE_KINDS",
    "MilestoneDue",
    "MilestoneRule",
    "NON_LITIGATION_TIME_LIMIT_MONTHS",
    "NON_LITIGATION_TITLE_KINDS",
    "TITLE_KINDS",
    "UNITS",
    "add_months",
    "check_application_period",
    "days_left",
    "due_date",
    "excluded_days",
    "extension_may_request",
    "is_litigation_title",
    "lead_check_due",
    "milestones_due",
    "time_limit_due",
    "time_limit_months",
]

UNITS = ("days", "months", "working_days")
ANCHORS = ("filed", "assigned")


@dataclass(frozen=True)
class MilestoneRule:
    kind: str
    label: str
    amount: int
    unit: str
    anchor: str
    basis: str


@dataclass(frozen=True)
class MilestoneDue:
    kind: str
    label: str
    due_on: date
    basis: str


DEFAULT_MILESTONES: tuple[MilestoneRule, ...] = (
    # [law] 最高人民法院关于人民法院办理执行案件若干期限的规定（2006）第二条.
    MilestoneRule(
        "handler_assigned", "确定承办人", 7, "days", "filed", "2006年执行期限规定第二条"
    ),
    # [practice] Hubei courts start the first network inquiry within 3 days.
    MilestoneRule(
        "first_inquiry", "首次网络查控", 3, "days", "filed", "湖北法院实践（第三节）"
    ),
    # [law] the execution notice and the asset report order go out together;
    # [practice] many courts allow 3 days only.
    MilestoneRule(
        "notice_sent",
        "发送执行通知书、报告财产令",
        10,
        "days",
        "filed",
        "民诉法解释第四百八十条；财产调查规定第三条",
    ),
    # [practice] counted from the day the case reaches the handler.
    MilestoneRule(
        "leads_requested",
        "通知申请执行人提供财产线索",
        3,
        "days",
        "assigned",
        "2006年执行期限规定第五条",
    ),
    # [practice] one month for the asset investigation.
    MilestoneRule(
        "investigation_finished",
        "财产调查完毕",
        1,
        "months",
        "filed",
        "2006年执行期限规定第六条",
    ),
    # [law] six months; non-litigation titles three (see milestones_due).
    MilestoneRule("time_limit", "法定结案期限", 6, "months", "filed", "审限规定第五条"),
)

# 审限规定第五条: 非诉执行案件一般应当在立案之日起三个月内执结.
NON_LITIGATION_TIME_LIMIT_MONTHS = 3

# Titles issued by a court after proceedings (the six-month limit applies).
LITIGATION_TITLE_KINDS: tuple[str, ...] = (
    "民事判决书",
    "民事裁定书",
    "民事调解书",
    "支付令",
    "刑事判决书",
    "刑事裁定书",
    "行政判决书",
    "行政裁定书",
    "行政赔偿调解书",
)
# Titles made outside court proceedings (非诉执行: the three-month limit).
NON_LITIGATION_TITLE_KINDS: tuple[str, ...] = (
    "仲裁裁决书",
    "仲裁调解书",
    "劳动人事争议仲裁裁决书",
    "劳动人事争议仲裁调解书",
    "公证债权文书",
    "行政处罚决定书",
    "行政处理决定书",
)
TITLE_KINDS: tuple[str, ...] = LITIGATION_TITLE_KINDS + NON_LITIGATION_TITLE_KINDS

# 民事诉讼法第二百五十条: 申请执行的期间为二年.
APPLICATION_PERIOD_YEARS = 2
_EXTENSION_BASIS = "民事诉讼法第八十五条"
_APPLICATION_BASIS = "民事诉讼法第二百五十条"


def is_litigation_title(title_kind: str) -> bool:
    """Whether a title comes from court proceedings (审限规定第五条)."""
    if title_kind in LITIGATION_TITLE_KINDS:
        return True
    if title_kind in NON_LITIGATION_TITLE_KINDS:
        return False
    raise RuleError(f"未知的执行依据类型：“{title_kind}”")


def add_months(start: date, months: int) -> date:
    """The same date `months` later, clamped to the end of a shorter month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = _gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def due_date(start: date, amount: int, unit: str, calendar: WorkingCalendar) -> date:
    """The last day of a period of `amount` `unit` that starts on `start`."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise RuleError(f"期间长度应为非负整数，实为{amount}")
    if unit == "working_days":
        return calendar.add_working_days(start, amount)
    # 民事诉讼法第八十五条第二款: the starting day is not counted.
    if unit == "days":
        last = start + timedelta(days=amount)
    elif unit == "months":
        last = add_months(start, amount)
    else:
        raise RuleError(f"未知的期间单位：“{unit}”")
    # 民事诉讼法第八十五条第三款: a last day on a holiday moves to the next working day.
    return calendar.next_working_day(last)


def milestones_due(
    *,
    anchor: str,
    start: date,
    title_kind: str,
    calendar: WorkingCalendar,
    overrides: Mapping[str, int] | None = None,
) -> list[MilestoneDue]:
    """The due dates of every milestone counted from `anchor`, which fell on `start`.

    `overrides` maps a milestone kind to the court's own amount (in the rule's
    unit). For a non-litigation title the time limit is three months, or the
    court's override when that is shorter.
    """
    if anchor not in ANCHORS:
        raise RuleError(f"未知的起算事件：“{anchor}”")
    overrides = dict(overrides or {})
    known = {rule.kind for rule in DEFAULT_MILESTONES}
    for kind, amount in overrides.items():
        if kind not in known:
            raise RuleError(f"未知的案件节点：“{kind}”")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise RuleError(f"案件节点“{kind}”的期限应为非负整数，实为{amount}")
    litigation = is_litigation_title(title_kind)
    result = []
    for rule in DEFAULT_MILESTONES:
        if rule.anchor != anchor:
            continue
        amount = overrides.get(rule.kind, rule.amount)
        if rule.kind == "time_limit" and not litigation:
            # 审限规定第五条: 非诉执行案件 three months.
            amount = min(amount, NON_LITIGATION_TIME_LIMIT_MONTHS)
        due_on = due_date(start, amount, rule.unit, calendar)
        result.append(MilestoneDue(rule.kind, rule.label, due_on, rule.basis))
    return result


def time_limit_months(title_kind: str, overrides: Mapping[str, int] | None = None) -> int:
    """The time limit in months: six, the court's own amount, and at most three
    for a non-litigation title (审限规定第五条), as milestones_due counts it."""
    amount = (overrides or {}).get("time_limit", 6)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise RuleError(f"案件节点“time_limit”的期限应为非负整数，实为{amount}")
    if not is_litigation_title(title_kind):
        amount = min(amount, NON_LITIGATION_TIME_LIMIT_MONTHS)
    return amount


def excluded_days(
    *, filed_on: date, excluded: Iterable[tuple[date, date | None]], today: date | None = None
) -> int:
    """Days since filing that 审限规定第九条 does not count, each day once.

    A period is [start, end): `end - start` days, the measure rules.measures.
    days_counted subtracts from days to close, so the milestone and the
    on-time rate agree. Periods are clipped to begin no earlier than filing and
    merged where they overlap. An open period (end None) runs to `today`.
    """
    spans = []
    for start, end in excluded:
        if end is None:
            if today is None:
                raise RuleError("计算进行中的扣除审限期间需要当日日期")
            end = max(today, start)
        if end < start:
            raise RuleError(
                f"扣除审限期间的结束日期{chinese_date(end)}早于开始日期{chinese_date(start)}"
            )
        spans.append((start, end))
    if not spans:
        return 0
    # days_counted clips and merges; with the latest end as the "closing" day
    # nothing is clipped at the top, and what it leaves out is the excluded days.
    upper = max(filed_on, *(end for _, end in spans))
    return (upper - filed_on).days - days_counted(filed_on, upper, spans)


def time_limit_due(
    *,
    filed_on: date,
    title_kind: str,
    calendar: WorkingCalendar,
    excluded: Iterable[tuple[date, date | None]] = (),
    overrides: Mapping[str, int] | None = None,
    today: date | None = None,
    extension_months: int = 0,
) -> date:
    """The last day of the time limit, extended by the excluded periods.

    审限规定第五条 sets six months from filing (three for a non-litigation
    title); 审限规定第九条 leaves out appraisal, suspension, deferrals, auction
    or sale and public notice, so the limit's plain last day moves on by the
    excluded days (see excluded_days). Only then does a last day that falls on a
    holiday move to the next working day (民事诉讼法第八十五条): the days are
    added to the unrolled date, not to a date already moved.

    An open period counts to `today`: the answer is the last day the limit
    would have if the period ended today. `extension_months` are the months an
    approved extension adds (审限规定第五条; see extension_may_request).
    """
    months = time_limit_months(title_kind, overrides) + extension_months
    days = excluded_days(filed_on=filed_on, excluded=excluded, today=today)
    return calendar.next_working_day(add_months(filed_on, months) + timedelta(days=days))


def check_application_period(
    *, due_on: date, filed_on: date, calendar: WorkingCalendar | None = None
) -> Decision:
    """Whether the application was made within two years of `due_on`.

    `due_on` is the last day of the performance period (or of the last
    instalment, or the day the title took effect when it sets no period). The
    period can be suspended or interrupted (民事诉讼法第二百五十条第一款), which
    only a person can judge: a refusal is a warning to check, not a bar.
    With a `calendar`, a period ending on a holiday runs to the next working day.
    """
    # 民事诉讼法第二百五十条第二款: counted from the last day of the performance period.
    expires_on = add_months(due_on, 12 * APPLICATION_PERIOD_YEARS)
    basis = _APPLICATION_BASIS
    if calendar is not None and not calendar.is_working_day(expires_on):
        expires_on = calendar.next_working_day(expires_on)
        basis = f"{_APPLICATION_BASIS}；{_EXTENSION_BASIS}"
    if filed_on > expires_on:
        return Decision.refuse(
            Reason(
                f"申请执行可能已超过二年期间：履行期间最后一日为{chinese_date(due_on)}，"
                f"期间于{chinese_date(expires_on)}届满，申请日为{chinese_date(filed_on)}；"
                "请核实是否有中止、中断事由",
                basis,
            )
        )
    return Decision.allow(
        Reason(f"申请执行未超过二年期间（期间于{chinese_date(expires_on)}届满）", basis)
    )


# ---------------------------------------------------------------- leads

# 财产调查规定第二条: "财产线索明确、具体的，人民法院应当在七日内调查核实；情况紧急的，
# 应当在三日内调查核实。" Plain 日, not 工作日: calendar days, and a last day on
# a holiday moves to the next working day (民事诉讼法第八十五条).
LEAD_CHECK_DAYS = 7
LEAD_CHECK_URGENT_DAYS = 3
_LEAD_BASIS = "财产调查规定第二条"


def lead_check_due(*, reported_on: date, urgent: bool, calendar: WorkingCalendar) -> MilestoneDue:
    """When a creditor's concrete asset lead must have been checked (rules.md §3)."""
    days = LEAD_CHECK_URGENT_DAYS if urgent else LEAD_CHECK_DAYS
    label = f"核查财产线索（{'情况紧急，' if urgent else ''}{days}日内）"
    return MilestoneDue("lead_check", label, due_date(reported_on, days, "days", calendar), _LEAD_BASIS)


# ---------------------------------------------------------------- extension

# 审限规定(2000)第五条: 有特殊情况须延长的，经本院院长批准，可以适当延长，但最长不得
# 超过三个月; 2006年执行期限规定第一条: 申请延长执行期限的，应当在期限届满前5日内提出.
EXTENSION_MONTHS = 3
EXTENSION_WINDOW_DAYS = 5
_EXTENSION_RULE_BASIS = "审限规定第五条；2006年执行期限规定第一条"


def extension_may_request(
    *, limit_due_on: date | None, today: date, granted: int = 0, pending: bool = False
) -> Decision:
    """Whether the handler may ask today to extend the time limit by three months.

    `limit_due_on` is the limit's last day as it stands (excluded periods
    counted), None while a period pauses it; `granted` counts extensions
    already approved, `pending` says one awaits the decision. The window is
    the last five days: from `limit_due_on` − 5 days to `limit_due_on` itself.
    """
    basis = _EXTENSION_RULE_BASIS
    if pending:
        return Decision.refuse(Reason("已有待审批的延长审限申请，请等待审批结果", basis))
    if granted:
        return Decision.refuse(
            Reason(f"审限已经批准延长，延长最长不得超过{EXTENSION_MONTHS}个月", basis)
        )
    if limit_due_on is None:
        return Decision.refuse(Reason("扣除审限期间尚未结束，审限暂停计算，无需申请延长", basis))
    if today > limit_due_on:
        return Decision.refuse(
            Reason(f"审限已于{chinese_date(limit_due_on)}届满，不能再申请延长", basis)
        )
    opens = limit_due_on - timedelta(days=EXTENSION_WINDOW_DAYS)
    if today < opens:
        return Decision.refuse(
            Reason(
                f"应在审限届满前{EXTENSION_WINDOW_DAYS}日内申请延长：审限于{chinese_date(limit_due_on)}"
                f"届满，自{chinese_date(opens)}起可以申请",
                basis,
            )
        )
    return Decision.allow(
        Reason(
            f"审限于{chinese_date(limit_due_on)}届满，剩余{(limit_due_on - today).days}天，"
            f"可申请延长{EXTENSION_MONTHS}个月，报院长（执行局长）批准",
            basis,
        )
    )


def days_left(*, due_on: date, today: date, unit: str, calendar: WorkingCalendar) -> int:
    """Days from `today` to `due_on` as the period is counted: working days for a
    "工作日" period, calendar days otherwise; negative when overdue."""
    if unit != "working_days":
        return (due_on - today).days
    if due_on == today:
        return 0
    lo, hi, sign = (today, due_on, 1) if due_on > today else (due_on, today, -1)
    d, n = lo, 0
    while d < hi:
        d += timedelta(days=1)
        if calendar.is_working_day(d):
            n += 1
    return sign * n
