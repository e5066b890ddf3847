from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules import Reason, RuleError
from zhixing.rules.calendar import national_calendar
from zhixing.rules.deadlines import (
    DEFAULT_MILESTONES,
    TITLE_KINDS,
    MilestoneDue,
    add_months,
    check_application_period,
    due_date,
    is_litigation_title,
    milestones_due,
)

national = national_calendar()


def dues(anchor, start, title_kind="民事判决书", overrides=None):
    found = milestones_due(
        anchor=anchor, start=start, title_kind=title_kind, calendar=national, overrides=overrides
    )
    return {due.kind: due.due_on for due in found}


def test_the_default_milestones_are_in_the_documented_order_with_their_bases():
    assert [(m.kind, m.label, m.amount, m.unit, m.anchor, m.basis) for m in DEFAULT_MILESTONES] == [
        ("handler_assigned", "确定承办人", 7, "days", "filed", "2006年执行期限规定第二条"),
        ("first_inquiry", "首次网络查控", 3, "days", "filed", "湖北法院实践（第三节）"),
        (
            "notice_sent",
            "发送执行通知书、报告财产令",
            10,
            "days",
            "filed",
            "民诉法解释第四百八十条；财产调查规定第三条",
        ),
        (
            "leads_requested",
            "通知申请执行人提供财产线索",
            3,
            "days",
            "assigned",
            "2006年执行期限规定第五条",
        ),
        ("investigation_finished", "财产调查完毕", 1, "months", "filed", "2006年执行期限规定第六条"),
        ("time_limit", "法定结案期限", 6, "months", "filed", "审限规定第五条"),
    ]


def test_a_case_filed_on_an_ordinary_monday_gets_plain_calendar_dates():
    assert dues("filed", date(2026, 3, 2)) == {
        "handler_assigned": date(2026, 3, 9),
        "first_inquiry": date(2026, 3, 5),
        "notice_sent": date(2026, 3, 12),
        "investigation_finished": date(2026, 4, 2),
        "time_limit": date(2026, 9, 2),
    }


def test_milestones_come_with_their_label_and_basis():
    found = milestones_due(
        anchor="filed", start=date(2026, 3, 2), title_kind="民事判决书", calendar=national
    )
    assert found[0] == MilestoneDue(
        "handler_assigned", "确定承办人", date(2026, 3, 9), "2006年执行期限规定第二条"
    )


def test_a_deadline_ending_in_a_holiday_moves_to_the_next_working_day():
    # Filed Thursday 24 September 2026: Mid-autumn 25–27 Sept, National Day 1–7 Oct.
    assert dues("filed", date(2026, 9, 24)) == {
        "handler_assigned": date(2026, 10, 8),  # 1 October is a holiday
        "first_inquiry": date(2026, 9, 28),  # 27 September is a holiday
        "notice_sent": date(2026, 10, 8),  # 4 October is a holiday
        "investigation_finished": date(2026, 10, 26),  # 24 October is a Saturday
        "time_limit": date(2027, 3, 24),  # a Wednesday in an unknown year
    }


def test_a_deadline_ending_on_a_make_up_saturday_stays_there():
    # 28 February 2026 is a Saturday worked in lieu of the Spring Festival.
    assert due_date(date(2025, 8, 31), 6, "months", national) == date(2026, 2, 28)


def test_months_are_clamped_to_the_end_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    # 28 February 2027 is a Sunday; 2027 is counted by weekends only.
    assert due_date(date(2026, 8, 31), 6, "months", national) == date(2027, 3, 1)


def test_a_non_litigation_title_has_a_three_month_time_limit():
    assert dues("filed", date(2026, 3, 2), "仲裁裁决书")["time_limit"] == date(2026, 6, 2)


def test_the_assigned_anchor_gives_only_the_leads_request():
    assert dues("assigned", date(2026, 9, 28)) == {"leads_requested": date(2026, 10, 8)}


def test_a_court_may_set_stricter_amounts():
    found = dues("filed", date(2026, 3, 2), overrides={"notice_sent": 3, "time_limit": 5})
    assert found["notice_sent"] == date(2026, 3, 5)
    assert found["time_limit"] == date(2026, 8, 3)  # 2 August 2026 is a Sunday


def test_a_court_override_never_lengthens_the_non_litigation_limit():
    assert dues("filed", date(2026, 3, 2), "公证债权文书", {"time_limit": 5})["time_limit"] == date(
        2026, 6, 2
    )
    assert dues("filed", date(2026, 3, 2), "公证债权文书", {"time_limit": 2})["time_limit"] == date(
        2026, 5, 6  # 2 May 2026 falls in the Labour Day holiday
    )


def test_working_day_periods_count_working_days():
    assert due_date(date(2026, 2, 12), 3, "working_days", national) == date(2026, 2, 24)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"anchor": "served"}, "未知的起算事件：“served”"),
        ({"title_kind": "判决"}, "未知的执行依据类型：“判决”"),
        ({"overrides": {"closed": 3}}, "未知的案件节点：“closed”"),
        ({"overrides": {"notice_sent": -1}}, "案件节点“notice_sent”的期限应为非负整数，实为-1"),
    ],
)
def test_bad_input_to_milestones_is_refused_in_chinese(kwargs, message):
    arguments = {"anchor": "filed", "start": date(2026, 3, 2), "title_kind": "民事判决书"}
    with pytest.raises(RuleError) as error:
        milestones_due(**{**arguments, **kwargs}, calendar=national)
    assert str(error.value) == message


def test_an_unknown_unit_is_refused():
    with pytest.raises(RuleError) as error:
        due_date(date(2026, 3, 2), 3, "weeks", national)
    assert str(error.value) == "未知的期间单位：“weeks”"


def test_litigation_titles_come_first_on_the_filing_form():
    assert TITLE_KINDS[0] == "民事判决书"
    flags = [is_litigation_title(kind) for kind in TITLE_KINDS]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    assert is_litigation_title("民事调解书") and is_litigation_title("刑事判决书")
    assert not is_litigation_title("仲裁裁决书") and not is_litigation_title("行政处罚决定书")


def test_an_application_within_two_years_is_allowed_with_the_expiry_date():
    decision = check_application_period(due_on=date(2024, 3, 1), filed_on=date(2026, 3, 1))
    assert decision
    assert decision.reasons == (
        Reason("申请执行未超过二年期间（期间于2026年3月1日届满）", "民事诉讼法第二百五十条"),
    )


def test_a_late_application_is_a_warning_with_the_dates():
    decision = check_application_period(due_on=date(2024, 3, 1), filed_on=date(2026, 3, 2))
    assert not decision
    assert decision.reasons == (
        Reason(
            "申请执行可能已超过二年期间：履行期间最后一日为2024年3月1日，"
            "期间于2026年3月1日届满，申请日为2026年3月2日；请核实是否有中止、中断事由",
            "民事诉讼法第二百五十条",
        ),
    )


def test_with_a_calendar_a_period_ending_on_a_sunday_runs_to_monday():
    # 1 March 2026 is a Sunday.
    decision = check_application_period(
        due_on=date(2024, 3, 1), filed_on=date(2026, 3, 2), calendar=national
    )
    assert decision
    assert decision.reasons[0].basis == "民事诉讼法第二百五十条；民事诉讼法第八十五条"


def test_a_period_from_the_29th_of_february_ends_on_the_28th():
    assert not check_application_period(due_on=date(2024, 2, 29), filed_on=date(2026, 3, 1))


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 400))
def test_a_calendar_day_deadline_is_a_working_day_no_earlier_than_the_plain_date(start, days):
    end = due_date(start, days, "days", national)
    assert national.is_working_day(end)
    assert 0 <= (end - start).days - days <= 12  # the longest break is 9 days plus a weekend
