"""The time limit extended by the periods 审限规定第九条 does not count:
clipped to filing, merged where they overlap, an open one counted to today,
and only the extended last day moved off a holiday (民事诉讼法第八十五条)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules import RuleError
from zhixing.rules.calendar import national_calendar
from zhixing.rules.deadlines import (
    add_months,
    excluded_days,
    milestones_due,
    time_limit_due,
    time_limit_months,
)
from zhixing.rules.measures import days_counted

national = national_calendar()
FILED = date(2026, 3, 2)  # a Monday; six months later is Wednesday 2 September


def due(excluded=(), *, filed_on=FILED, title_kind="民事判决书", overrides=None, today=None):
    return time_limit_due(
        filed_on=filed_on,
        title_kind=title_kind,
        calendar=national,
        excluded=excluded,
        overrides=overrides,
        today=today,
    )


def test_without_periods_the_limit_is_six_months():
    assert due() == date(2026, 9, 2)


def test_a_closed_period_moves_the_limit_by_its_days():
    # 1 April to 21 April: 20 days not counted; 22 September is a Tuesday.
    assert excluded_days(filed_on=FILED, excluded=[(date(2026, 4, 1), date(2026, 4, 21))]) == 20
    assert due([(date(2026, 4, 1), date(2026, 4, 21))]) == date(2026, 9, 22)


def test_overlapping_periods_count_each_day_once():
    appraisal = (date(2026, 4, 1), date(2026, 5, 1))
    auction = (date(2026, 4, 20), date(2026, 6, 1))
    assert excluded_days(filed_on=FILED, excluded=[appraisal, auction]) == 61  # 1 April to 1 June
    assert due([appraisal, auction]) == date(2026, 11, 2)


def test_a_period_contained_in_another_adds_nothing():
    outer = (date(2026, 4, 1), date(2026, 6, 1))
    inner = (date(2026, 4, 10), date(2026, 4, 20))
    assert excluded_days(filed_on=FILED, excluded=[inner, outer]) == 61


def test_a_period_begun_before_filing_counts_from_filing_only():
    assert excluded_days(filed_on=FILED, excluded=[(date(2026, 2, 1), date(2026, 3, 12))]) == 10
    assert excluded_days(filed_on=FILED, excluded=[(date(2026, 1, 1), date(2026, 2, 1))]) == 0
    assert due([(date(2026, 2, 1), date(2026, 3, 12))]) == date(
        2026, 9, 14
    )  # 12 Sept is a Saturday


def test_an_open_period_counts_to_today():
    auction = (date(2026, 5, 1), None)
    assert excluded_days(filed_on=FILED, excluded=[auction], today=date(2026, 6, 15)) == 45
    # 2 Sept + 45 days is Saturday 17 October: the next working day.
    assert due([auction], today=date(2026, 6, 15)) == date(2026, 10, 19)
    assert due([auction], today=date(2026, 5, 1)) == date(2026, 9, 2)


def test_an_open_period_needs_today():
    with pytest.raises(RuleError, match="需要当日日期"):
        due([(date(2026, 5, 1), None)])


def test_a_period_ending_before_it_begins_is_refused_in_chinese():
    with pytest.raises(RuleError, match="结束日期2026年4月1日早于开始日期2026年5月1日"):
        due([(date(2026, 5, 1), date(2026, 4, 1))])


def test_the_extended_last_day_moves_off_a_holiday_not_the_plain_one():
    # 2 Sept + 30 days = Friday 2 October, in the National Day holiday: 8 October.
    assert due([(date(2026, 4, 1), date(2026, 5, 1))]) == date(2026, 10, 8)
    # 2 Sept + 38 days = Saturday 10 October, a make-up working day (调休): it stays.
    assert due([(date(2026, 4, 1), date(2026, 5, 9))]) == date(2026, 10, 10)


def test_a_plain_last_day_on_a_holiday_is_not_rolled_before_the_days_are_added():
    # Filed 12 March: six months is Saturday 12 September, rolled to Monday 14th.
    # Two days excluded: unrolled 12 Sept + 2 is that Monday; rolling first
    # and then adding would wrongly give Wednesday 16th.
    assert due(filed_on=date(2026, 3, 12)) == date(2026, 9, 14)
    assert due([(date(2026, 4, 1), date(2026, 4, 3))], filed_on=date(2026, 3, 12)) == date(
        2026, 9, 14
    )


def test_non_litigation_titles_and_court_overrides():
    assert time_limit_months("仲裁裁决书") == 3
    assert time_limit_months("民事判决书", {"time_limit": 4}) == 4
    assert time_limit_months("公证债权文书", {"time_limit": 5}) == 3
    assert due([(date(2026, 4, 1), date(2026, 4, 11))], title_kind="仲裁裁决书") == date(
        2026, 6, 12
    )
    assert due(overrides={"time_limit": 4}) == date(2026, 7, 2)
    with pytest.raises(RuleError, match="未知的执行依据类型"):
        due(title_kind="判决")
    with pytest.raises(RuleError, match="非负整数"):
        due(overrides={"time_limit": -1})


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)))
def test_without_periods_it_agrees_with_the_milestone_filed_with_the_case(filed_on):
    found = milestones_due(
        anchor="filed", start=filed_on, title_kind="民事判决书", calendar=national
    )
    assert due(filed_on=filed_on) == next(m.due_on for m in found if m.kind == "time_limit")


periods = st.lists(
    st.tuples(st.integers(-30, 150), st.integers(0, 30)).map(
        lambda p: (FILED + timedelta(days=p[0]), FILED + timedelta(days=p[0] + p[1]))
    ),
    max_size=5,
)


@given(periods)
def test_closing_on_the_extended_day_is_exactly_on_time_for_the_measures(excluded):
    """The milestone and the on-time rate (rules.measures) count the same days."""
    last = add_months(FILED, 6) + timedelta(days=excluded_days(filed_on=FILED, excluded=excluded))
    assert days_counted(FILED, last, excluded) == (add_months(FILED, 6) - FILED).days
