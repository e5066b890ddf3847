from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules import RuleError
from zhixing.rules.calendar import WorkingCalendar, chinese_date, national_calendar

national = national_calendar()


def test_national_day_2026_is_a_holiday():
    assert not national.is_working_day(date(2026, 10, 1))
    assert not national.is_working_day(date(2026, 10, 7))


def test_the_2026_national_day_make_up_weekend_days_are_working_days():
    assert date(2026, 9, 20).weekday() == 6 and national.is_working_day(date(2026, 9, 20))
    assert date(2026, 10, 10).weekday() == 5 and national.is_working_day(date(2026, 10, 10))


def test_an_ordinary_weekend_is_off_and_an_ordinary_weekday_is_worked():
    assert not national.is_working_day(date(2026, 3, 7))  # Saturday
    assert national.is_working_day(date(2026, 3, 9))  # Monday


def test_working_days_skip_the_2026_spring_festival_and_count_its_make_up_saturday():
    # Festival 15–23 February 2026; Saturday 14 February is worked.
    assert national.add_working_days(date(2026, 2, 12), 1) == date(2026, 2, 13)
    assert national.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert national.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert national.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_the_start_day_is_not_counted_and_zero_days_is_the_start_day():
    assert national.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)
    assert national.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_negative_counts_go_back_in_working_days():
    assert national.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)


def test_the_next_working_day_is_the_day_itself_when_it_is_worked():
    assert national.next_working_day(date(2026, 3, 9)) == date(2026, 3, 9)
    assert national.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_the_years_in_the_package_are_known_and_2027_is_not():
    assert national.year_known(2004) and national.year_known(2026)
    assert not national.year_known(2027)
    assert national.missing_years(date(2026, 12, 1), date(2027, 2, 1)) == [2027]
    assert national.missing_years(date(2025, 1, 1), date(2026, 12, 31)) == []


def test_a_2027_date_is_counted_by_weekends_only():
    # 1 January 2027 is a Friday: without data it is a working day.
    assert national.is_working_day(date(2027, 1, 1))
    assert not national.is_working_day(date(2027, 1, 2))
    assert national.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 4)


def test_a_court_row_for_2027_makes_2027_known_and_is_obeyed():
    calendar = national_calendar([(date(2027, 1, 1), False)])
    assert calendar.year_known(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.missing_years(date(2026, 12, 1), date(2027, 2, 1)) == []


def test_court_rows_override_the_national_data_both_ways():
    calendar = national_calendar([(date(2026, 10, 1), True), (date(2026, 9, 20), False)])
    assert calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 9, 20))
    # The national calendar itself is unchanged.
    assert not national.is_working_day(date(2026, 10, 1))


def test_a_day_cannot_be_both_a_holiday_and_a_make_up_day():
    with pytest.raises(RuleError) as error:
        WorkingCalendar(holidays=[date(2026, 1, 5)], workdays=[date(2026, 1, 5)], known_years=[])
    assert str(error.value) == "2026年1月5日不能同时是休息日和调休工作日"


def test_dates_are_written_the_chinese_way():
    assert chinese_date(date(2026, 3, 1)) == "2026年3月1日"


weekends_only = WorkingCalendar(holidays=(), workdays=(), known_years=())


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 400))
def test_adding_n_working_days_lands_on_a_working_day_with_n_working_days_between(start, n):
    end = national.add_working_days(start, n)
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(national.is_working_day(d) for d in days) == n
    assert n == 0 or national.is_working_day(end)


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(1, 60))
def test_five_working_days_make_a_week_when_only_weekends_count(start, weeks):
    monday = start - timedelta(days=start.weekday())
    assert weekends_only.add_working_days(monday, 5 * weeks) == monday + timedelta(weeks=weeks)
