from dataclasses import replace
from datetime import date

import pytest

from zhixing.rules import Reason, RuleError
from zhixing.rules.termination import (
    REQUIRED_INQUIRY_KINDS,
    TerminationFacts,
    check_terminate_round,
    negligible_balance,
)

ART1 = "终本规定第一条"
PRACTICE = "终本合规审查（法院实践）"

READY = TerminationFacts(
    filed_on=date(2026, 1, 10),
    today=date(2026, 4, 20),
    notice_sent=True,
    report_order_sent=True,
    restriction_ordered=True,
    inquired_kinds=frozenset({"deposit", "vehicle", "real_estate", "securities", "housing_fund"}),
    last_inquiry_on=date(2026, 3, 1),
    usable_assets=0,
    leads_unchecked=0,
    unpaid=1_234_500,
)


def test_a_case_meeting_every_condition_may_be_closed_and_says_why():
    decision = check_terminate_round(READY)
    assert decision
    assert decision.reasons == (
        Reason("已发送执行通知书", f"{ART1}第一项"),
        Reason("已责令被执行人报告财产", f"{ART1}第一项"),
        Reason("已发出限制消费令", f"{ART1}第二项"),
        Reason("已通过网络查控系统查询存款、不动产、车辆、证券", f"{ART1}第三项"),
        Reason("申请执行人提供的财产线索均已核查", f"{ART1}第三项"),
        Reason("未发现可供执行的财产，或发现的财产不能处置", f"{ART1}第三项"),
        Reason("自立案之日起已超过三个月", f"{ART1}第四项"),
        Reason("被执行人下落不明的，已依法查找（或无此情形）", f"{ART1}第五项"),
        Reason("妨害执行的行为已依法采取罚款、拘留等强制措施（或无此情形）", f"{ART1}第五项"),
        Reason("最近一次网络查控在2026年3月1日，在终本前3个月内", PRACTICE),
        Reason("尚有12,345.00元未履行", PRACTICE),
    )


def test_exactly_three_months_after_filing_is_not_yet_more_than_three_months():
    decision = check_terminate_round(replace(READY, today=date(2026, 4, 10)))
    assert decision.reasons == (Reason("立案未满三个月", f"{ART1}第四项"),)
    assert check_terminate_round(replace(READY, today=date(2026, 4, 11)))


def test_three_months_from_the_end_of_a_month_is_clamped():
    facts = replace(READY, filed_on=date(2025, 11, 30), last_inquiry_on=date(2026, 2, 1))
    assert not check_terminate_round(replace(facts, today=date(2026, 2, 28)))
    assert check_terminate_round(replace(facts, today=date(2026, 3, 1)))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"notice_sent": False}, Reason("未发送执行通知书", f"{ART1}第一项")),
        ({"report_order_sent": False}, Reason("未责令被执行人报告财产", f"{ART1}第一项")),
        ({"restriction_ordered": False}, Reason("未发出限制消费令", f"{ART1}第二项")),
        (
            {"inquired_kinds": frozenset({"deposit", "real_estate"})},
            Reason("尚未通过网络查控系统查询车辆、证券", f"{ART1}第三项"),
        ),
        ({"leads_unchecked": 2}, Reason("尚有2条财产线索未核查", f"{ART1}第三项")),
        (
            {"usable_assets": 1},
            Reason("已发现1项可供执行的财产，尚未处置或未说明不能处置的理由", f"{ART1}第三项"),
        ),
        (
            {"debtor_missing_searched": False},
            Reason("被执行人下落不明，尚未依法查找", f"{ART1}第五项"),
        ),
        (
            {"obstruction_punished": False},
            Reason("对妨害执行的行为尚未依法采取罚款、拘留等强制措施", f"{ART1}第五项"),
        ),
        ({"last_inquiry_on": None}, Reason("尚未进行网络查控", PRACTICE)),
        (
            {"last_inquiry_on": date(2026, 1, 19)},
            Reason("最近一次网络查控在2026年1月19日，已超过3个月，应重新查询", PRACTICE),
        ),
        ({"unpaid": 0}, Reason("未履行金额为零，应以执行完毕结案", PRACTICE)),
    ],
)
def test_each_failing_condition_is_a_reason_to_refuse(changes, reason):
    decision = check_terminate_round(replace(READY, **changes))
    assert not decision
    assert decision.reasons == (reason,)


def test_an_inquiry_exactly_three_months_before_still_counts():
    assert check_terminate_round(replace(READY, last_inquiry_on=date(2026, 1, 20)))


def test_every_failing_condition_is_reported_at_once_in_article_order():
    facts = replace(
        READY,
        today=date(2026, 2, 1),
        notice_sent=False,
        restriction_ordered=False,
        inquired_kinds=frozenset(),
        last_inquiry_on=None,
    )
    assert check_terminate_round(facts).explain() == (
        "未发送执行通知书（终本规定第一条第一项）；"
        "未发出限制消费令（终本规定第一条第二项）；"
        "尚未通过网络查控系统查询存款、不动产、车辆、证券（终本规定第一条第三项）；"
        "立案未满三个月（终本规定第一条第四项）；"
        "尚未进行网络查控（终本合规审查（法院实践））"
    )


def test_a_court_may_set_a_shorter_inquiry_window():
    facts = replace(READY, last_inquiry_on=date(2026, 3, 1))
    assert not check_terminate_round(facts, inquiry_window_months=1)


def test_the_required_inquiry_kinds_are_the_four_of_the_regulation():
    assert REQUIRED_INQUIRY_KINDS == {"deposit", "vehicle", "real_estate", "securities"}


def test_a_balance_under_a_thousand_yuan_and_under_five_percent_is_negligible():
    assert negligible_balance(99_999, 10_000_000)  # 999.99 of 100,000 yuan


def test_a_balance_of_a_thousand_yuan_is_not_negligible():
    assert not negligible_balance(100_000, 100_000_000)


def test_a_small_balance_that_is_five_percent_of_the_claim_is_not_negligible():
    assert not negligible_balance(50_000, 1_000_000)  # 500 of 10,000 yuan is 5%
    assert negligible_balance(49_999, 1_000_000)


def test_negligible_bounds_are_court_settings():
    assert negligible_balance(150_000, 100_000_000, max_fen=200_000)
    assert not negligible_balance(40_000, 1_000_000, max_percent=4)


def test_a_negative_balance_is_an_error():
    with pytest.raises(RuleError) as error:
        negligible_balance(-1, 100)
    assert str(error.value) == "余额和申请执行标的额不能为负数"
