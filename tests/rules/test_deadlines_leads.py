"""Leads and extensions (rules.md §3): a concrete lead is checked within 7
calendar days, 3 when urgent (财产调查规定第二条 says 日, not 工作日), a last
day on a holiday moving to the next working day; an extension of the time
limit may be asked for in its last five days only, once, and adds three months
on top of the excluded periods."""

from datetime import date

from zhixing.rules.calendar import national_calendar
from zhixing.rules.deadlines import (
    days_left,
    extension_may_request,
    lead_check_due,
    time_limit_due,
)

national = national_calendar()


def test_a_lead_is_checked_within_seven_calendar_days():
    due = lead_check_due(reported_on=date(2026, 3, 2), urgent=False, calendar=national)
    assert (due.due_on, due.basis) == (date(2026, 3, 9), "财产调查规定第二条")
    # Calendar days, not working days: a Monday lead is due the next Monday,
    # not 7 working days (11 March) later.
    assert national.add_working_days(date(2026, 3, 2), 7) == date(2026, 3, 11)


def test_an_urgent_lead_within_three_days():
    due = lead_check_due(reported_on=date(2026, 3, 2), urgent=True, calendar=national)
    assert due.due_on == date(2026, 3, 5)
    assert "情况紧急" in due.label


def test_a_last_day_in_the_national_day_holiday_moves_to_the_first_working_day():
    # 28 September + 7 = 5 October, + 3 = 1 October: both in the 1–7 October holiday.
    for urgent in (False, True):
        due = lead_check_due(reported_on=date(2026, 9, 28), urgent=urgent, calendar=national)
        assert due.due_on == date(2026, 10, 8)


def test_a_last_day_on_a_sunday_moves_to_monday():
    # Thursday 5 March + 3 = Sunday 8 March.
    assert lead_check_due(reported_on=date(2026, 3, 5), urgent=True, calendar=national).due_on == date(2026, 3, 9)


def test_an_extension_may_be_asked_for_in_the_last_five_days_only():
    due = date(2026, 9, 2)
    early = extension_may_request(limit_due_on=due, today=date(2026, 8, 27))
    assert not early
    assert "自2026年8月28日起可以申请" in early.explain()
    assert "2006年执行期限规定第一条" in early.explain()
    assert extension_may_request(limit_due_on=due, today=date(2026, 8, 28))
    ok = extension_may_request(limit_due_on=due, today=due)
    assert ok and "剩余0天" in ok.explain()
    late = extension_may_request(limit_due_on=due, today=date(2026, 9, 3))
    assert not late and "已于2026年9月2日届满" in late.explain()


def test_an_extension_is_granted_once_and_not_while_paused_or_pending():
    today, due = date(2026, 9, 1), date(2026, 9, 2)
    assert "最长不得超过3个月" in extension_may_request(limit_due_on=due, today=today, granted=1).explain()
    assert "待审批" in extension_may_request(limit_due_on=due, today=today, pending=True).explain()
    assert "暂停计算" in extension_may_request(limit_due_on=None, today=today).explain()


def test_an_extension_adds_three_months_on_top_of_an_excluded_period():
    filed = date(2026, 3, 2)
    auction = (date(2026, 4, 1), date(2026, 4, 21))  # 20 days not counted
    plain = time_limit_due(filed_on=filed, title_kind="民事判决书", calendar=national, excluded=[auction])
    assert plain == date(2026, 9, 22)
    extended = time_limit_due(
        filed_on=filed, title_kind="民事判决书", calendar=national, excluded=[auction], extension_months=3
    )
    # 2 December + 20 days = Tuesday 22 December.
    assert extended == date(2026, 12, 22)


def test_an_extended_non_litigation_limit_is_three_plus_three_months():
    extended = time_limit_due(
        filed_on=date(2026, 3, 2), title_kind="仲裁裁决书", calendar=national, extension_months=3
    )
    assert extended == date(2026, 9, 2)


def test_days_left_in_working_days_skip_the_holiday():
    assert days_left(due_on=date(2026, 10, 8), today=date(2026, 9, 30), unit="days", calendar=national) == 8
    assert days_left(due_on=date(2026, 10, 8), today=date(2026, 9, 30), unit="working_days", calendar=national) == 1
    assert days_left(due_on=date(2026, 9, 30), today=date(2026, 10, 8), unit="working_days", calendar=national) == -1
    assert days_left(due_on=date(2026, 3, 2), today=date(2026, 3, 2), unit="working_days", calendar=national) == 0
