"""Periods the time limit does not count (审限规定第九条): starting and ending
one moves the case's time limit, an open one keeps the case off the overdue
list, a second start or end records nothing, and a refused batch changes
nothing. Cases are filed on Monday 5 January 2026: their six months end on
Sunday 5 July, so the limit falls due on Monday 6 July."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.test_closing import dispatched, nothing_usable
from tests.centre.test_pipeline import debtors_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, ExcludedPeriod, Milestone
from zhixing.cases.periods import (
    TIME_LIMIT_PAUSED,
    PeriodRefused,
    cases_period_end,
    cases_period_start,
)
from zhixing.cases.services import cases_close, cases_record_step
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive
from zhixing.stats.measures import measures_for
from zhixing.web.selectors import board_for


def limit(case):
    return Milestone.objects.get(case=case, kind="time_limit")


def details(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind).values_list("detail", flat=True))


def overdue_on(court, today):
    return board_for(court=court, today=today, tiles_only=True).overdue


def on_time(court, centre, amount="5000.00"):
    """A dispatched case whose steps are all done: only its time limit can be overdue."""
    c = dispatched(court, centre, nothing_usable, amount=amount)
    for step in ("notice_sent", "leads_requested", "investigation_finished"):
        cases_record_step(cases=[c], step=step, actor=centre, now=at(2026, 1, 6))
    return c


@pytest.fixture
def case(court, centre):
    c = on_time(court, centre)
    assert limit(c).due_on == date(2026, 7, 6)
    return c


def test_an_auction_pauses_the_limit_and_its_end_extends_it_by_its_days(case, handler):
    out = cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 3, 2))
    assert (out.done, out.skipped) == ([case.id], {})
    m = limit(case)
    # Were it to end today, the limit would fall on 6 July: 126 days left.
    assert (m.due_on, m.basis) == (
        TIME_LIMIT_PAUSED,
        "审限规定第五条、第九条：拍卖、变卖期间不计入，剩余126天",
    )
    assert details(case, "period_started") == [
        "扣除审限期间开始：拍卖、变卖（审限规定第九条），自2026年3月2日起不计入审限；审限暂停计算，剩余审限126天"
    ]
    out = cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 4, 1))
    assert out.done == [case.id]
    # 5 July + 30 days is Tuesday 4 August.
    m = limit(case)
    assert (m.due_on, m.basis) == (date(2026, 8, 4), "审限规定第五条、第九条：扣除30天")
    assert details(case, "period_ended") == [
        "扣除审限期间结束：拍卖、变卖，共30天（审限规定第九条）；法定结案期限顺延至2026年8月4日"
    ]
    event = CaseEvent.objects.get(case=case, kind="period_ended")
    assert event.data == {
        "period": "auction",
        "start_on": "2026-03-02",
        "end_on": "2026-04-01",
        "days": 30,
        "due_on": "2026-08-04",
        "days_left": 125,
    }
    assert event.get_kind_display() == "扣除审限期间结束"
    assert list(
        ExcludedPeriod.objects.filter(case=case).values_list("kind", "start_on", "end_on")
    ) == [("auction", date(2026, 3, 2), date(2026, 4, 1))]


def test_an_open_period_keeps_the_case_off_the_overdue_list_however_long_it_lasts(
    court, case, centre, handler
):
    other = on_time(court, centre, amount="6000.00")
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 3, 2))
    assert overdue_on(court, date(2026, 7, 6)) == 0
    assert overdue_on(court, date(2026, 7, 7)) == 1  # only the other case
    assert overdue_on(court, date(2027, 6, 1)) == 1
    # Sold on 1 October after 213 days: the limit runs again, to Wednesday 3 February 2027.
    cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 10, 1))
    assert limit(case).due_on == date(2027, 2, 3)
    assert overdue_on(court, date(2027, 2, 3)) == 1
    assert overdue_on(court, date(2027, 2, 4)) == 2
    assert limit(other).due_on == date(2026, 7, 6)


def test_overlapping_periods_count_once_and_the_limit_waits_for_the_last(case, handler):
    cases_period_start(cases=[case], kind="appraisal", actor=handler, now=at(2026, 2, 2))
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 2, 20))
    cases_period_end(cases=[case], kind="appraisal", actor=handler, now=at(2026, 3, 4))
    m = limit(case)
    assert m.due_on == TIME_LIMIT_PAUSED
    assert m.basis == "审限规定第五条、第九条：拍卖、变卖期间不计入，剩余153天"
    assert details(case, "period_ended") == [
        "扣除审限期间结束：审计、评估，共30天（审限规定第九条）；审限暂停计算，剩余审限153天"
    ]
    cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 3, 20))
    # 2 February to 20 March is 46 days: 5 July + 46 is Thursday 20 August.
    assert (limit(case).due_on, limit(case).basis) == (
        date(2026, 8, 20),
        "审限规定第五条、第九条：扣除46天",
    )


def test_a_period_that_begins_after_the_limit_ran_out_leaves_the_case_overdue(court, case, handler):
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 8, 3))
    assert limit(case).due_on == date(2026, 7, 6)
    assert details(case, "period_started") == [
        "扣除审限期间开始：拍卖、变卖（审限规定第九条），自2026年8月3日起不计入审限；审限已届满，逾期28天"
    ]
    assert overdue_on(court, date(2026, 8, 3)) == 1


def test_starting_or_ending_twice_records_nothing_more_and_says_why(court, case, centre, handler):
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 3, 2))
    other = dispatched(court, centre, nothing_usable, amount="6000.00")
    out = cases_period_start(cases=[case, other], kind="auction", actor=handler, now=at(2026, 3, 9))
    assert out.done == [other.id]
    assert out.skipped == {case.id: "已有进行中的拍卖、变卖期间（自2026年3月2日起），未重复登记"}
    assert ExcludedPeriod.objects.filter(case=case).count() == 1
    assert len(details(case, "period_started")) == 1
    cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 4, 1))
    out = cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 4, 2))
    assert (out.done, out.skipped) == ([], {case.id: "没有进行中的拍卖、变卖期间，无需结束"})
    assert ExcludedPeriod.objects.get(case=case).end_on == date(2026, 4, 1)
    assert limit(case).due_on == date(2026, 8, 4)
    assert len(details(case, "period_ended")) == 1


def test_an_unknown_kind_or_a_future_date_is_refused_and_nothing_changes(case, handler):
    with pytest.raises(PeriodRefused) as refused:
        cases_period_start(cases=[case], kind="holiday", actor=handler, now=at(2026, 3, 2))
    assert str(refused.value).startswith(
        "未知的扣除审限期间事由：“holiday”（审限规定第九条只扣除“审计、评估”"
    )
    with pytest.raises(PeriodRefused, match="不能晚于今天开始"):
        cases_period_start(
            cases=[case],
            kind="auction",
            actor=handler,
            now=at(2026, 3, 2),
            start_on=date(2026, 3, 3),
        )
    with pytest.raises(PeriodRefused, match="未知的扣除审限期间事由"):
        cases_period_end(cases=[case], kind="", actor=handler, now=at(2026, 3, 2))
    assert not ExcludedPeriod.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(
        case=case, kind__in=["period_started", "period_ended"]
    ).exists()
    m = limit(case)
    assert (m.due_on, m.basis) == (date(2026, 7, 6), "审限规定第五条")


def test_an_end_before_the_start_is_skipped(case, handler):
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 3, 2))
    out = cases_period_end(
        cases=[case], kind="auction", actor=handler, now=at(2026, 3, 9), end_on=date(2026, 3, 1)
    )
    assert out.skipped == {
        case.id: "结束日期2026年3月1日早于拍卖、变卖期间的开始日期2026年3月2日，未登记"
    }
    assert ExcludedPeriod.objects.get(case=case).end_on is None


def test_a_backdated_period_counts_from_its_own_start(case, handler):
    cases_period_start(
        cases=[case],
        kind="settlement_deferral",
        actor=handler,
        now=at(2026, 3, 9),
        start_on=date(2026, 2, 27),
    )
    cases_period_end(cases=[case], kind="settlement_deferral", actor=handler, now=at(2026, 3, 9))
    assert limit(case).due_on == date(2026, 7, 15)  # 5 July + 10 days, a Wednesday


def test_a_closed_case_gets_no_period(case, handler):
    funds_receive(
        receipts=[Receipt(case, 5000_00, direct=True, reference="P1")],
        actor=None,
        now=at(2026, 1, 20),
    )
    cases_close(cases=[case], mode="performed", actor=handler, now=at(2026, 1, 21))
    out = cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 2, 2))
    assert out.skipped == {case.id: "案件已结案，不再登记扣除审限期间"}
    assert not ExcludedPeriod.objects.filter(case=case).exists()


def test_mean_days_and_the_on_time_rate_leave_the_period_out(court, case, handler):
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 5, 4))
    cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 8, 3))  # 91 days
    funds_receive(
        receipts=[Receipt(case, 5000_00, direct=True, reference="P2")],
        actor=None,
        now=at(2026, 8, 20),
    )
    cases_close(cases=[case], mode="performed", actor=handler, now=at(2026, 8, 21))
    m = measures_for(court=court, start=date(2026, 1, 1), end=date(2026, 12, 31))
    # 5 January to 21 August is 228 days; less 91: 137, within the six months.
    assert (m.closed_cases, m.mean_days, m.on_time_rate) == (1, Decimal("137.0"), Decimal("1.0000"))
    assert limit(case).done_on == date(2026, 8, 21)


def test_a_batch_costs_the_same_queries_for_one_case_or_three(court, centre, handler):
    codes = debtors_with(nothing_usable, 4)
    cases = [
        file(court, centre, at(2026, 1, 5), debtor_id=code, amount="5000.00") for code in codes
    ]
    robot_pass(now=at(2026, 1, 5, 10))
    counts = []
    for batch in (cases[:1], cases[1:]):
        with CaptureQueriesContext(connection) as queries:
            cases_period_start(cases=batch, kind="auction", actor=handler, now=at(2026, 3, 2))
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert (
        Milestone.objects.filter(
            case__in=cases, kind="time_limit", due_on=TIME_LIMIT_PAUSED
        ).count()
        == 4
    )
