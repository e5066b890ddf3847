"""加倍部分债务利息 (rules.md §10): the check values computed by hand, the
payment order of 第四条, and properties that hold for any payments."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules import RuleError
from zhixing.rules.interest import Debt, Payment, late_interest

DUE = date(2026, 1, 15)
DEBT = [Debt(100_000_00, DUE)]


def test_sixty_days_on_one_hundred_thousand_yuan_is_1050_yuan():
    # 100,000 × 0.000175 × 60 = 1,050.
    s = late_interest(debts=DEBT, on=date(2026, 3, 16))
    assert (s.interest, s.unpaid) == (1_050_00, 101_050_00)


def test_the_day_after_the_period_is_the_first_day_late():
    assert late_interest(debts=DEBT, on=DUE).interest == 0
    assert late_interest(debts=DEBT, on=DUE + timedelta(days=1)).interest == 17_50


def test_a_part_payment_goes_to_the_principal_first_and_stops_its_interest():
    # 14 Feb: 50,000 paid after 30 days: all to principal; 525 interest so far.
    # 16 Mar: 30 more days on the other 50,000: 262.50. Paid 50,787.50: all settled.
    pays = [Payment(date(2026, 2, 14), 50_000_00), Payment(date(2026, 3, 16), 50_787_50)]
    s = late_interest(debts=DEBT, payments=pays, on=date(2026, 12, 31))
    assert [(a.to_principal, a.to_interest, a.surplus) for a in s.allocations] == [
        (50_000_00, 0, 0),
        (50_000_00, 787_50, 0),
    ]
    assert (s.interest, s.unpaid) == (787_50, 0)


def test_money_beyond_the_debt_is_a_surplus_not_kept():
    s = late_interest(debts=DEBT, payments=[Payment(date(2026, 3, 16), 102_000_00)], on=date(2026, 4, 1))
    (a,) = s.allocations
    assert (a.to_principal, a.to_interest, a.surplus) == (100_000_00, 1_050_00, 950_00)
    assert s.unpaid == 0


def test_each_instalment_runs_from_its_own_end_and_the_oldest_is_paid_first():
    debts = [Debt(10_000_00, date(2026, 3, 1)), Debt(10_000_00, date(2026, 1, 1))]
    # 1 Feb: the January instalment is 31 days late (54.25); 10,000 pays it off.
    # 1 Apr: the March one is 31 days late: 54.25.
    s = late_interest(
        debts=debts, payments=[Payment(date(2026, 2, 1), 10_000_00)], on=date(2026, 4, 1)
    )
    assert (s.principal_unpaid, s.interest) == (10_000_00, 108_50)


def test_a_suspension_the_debtor_did_not_ask_for_is_not_counted():
    s = late_interest(debts=DEBT, on=date(2026, 3, 16), excluded=[(date(2026, 2, 1), date(2026, 2, 11))])
    assert s.interest == 875_00  # 50 days counted: 100,000 × 0.000175 × 50


def test_bad_input_is_refused_in_chinese():
    with pytest.raises(RuleError, match="没有金钱债务"):
        late_interest(debts=[], on=DUE)
    with pytest.raises(RuleError, match="还款金额应为正数"):
        late_interest(debts=DEBT, payments=[Payment(DUE, 0)], on=DUE)
    with pytest.raises(RuleError, match="结束日期"):
        late_interest(debts=DEBT, on=DUE, excluded=[(date(2026, 2, 2), date(2026, 2, 1))])


days = st.integers(min_value=0, max_value=800)
payments = st.lists(st.tuples(days, st.integers(min_value=1, max_value=50_000_00)), max_size=6)


@given(payments, days)
def test_every_payment_is_split_exactly_and_nothing_is_paid_twice(raw, horizon):
    pays = [Payment(DUE + timedelta(days=d), a) for d, a in raw]
    s = late_interest(debts=DEBT, payments=pays, on=DUE + timedelta(days=800))
    for a in s.allocations:
        assert a.to_principal + a.to_interest + a.surplus == a.amount
        assert min(a.to_principal, a.to_interest, a.surplus) >= 0
    assert s.principal_paid == sum(a.to_principal for a in s.allocations) <= s.principal
    assert s.interest_paid == sum(a.to_interest for a in s.allocations) <= s.interest
    # 第四条: no interest is paid while principal is still owed.
    running = 0
    for a in s.allocations:
        running += a.to_principal
        if a.to_interest:
            assert running == s.principal


@given(payments, days, days)
def test_interest_never_falls_as_time_passes(raw, d1, d2):
    pays = [Payment(DUE + timedelta(days=d), a) for d, a in raw]
    early, late = sorted((d1, d2))
    a = late_interest(debts=DEBT, payments=pays, on=DUE + timedelta(days=early))
    b = late_interest(debts=DEBT, payments=pays, on=DUE + timedelta(days=late))
    assert a.interest <= b.interest


@given(st.integers(min_value=1, max_value=800), st.integers(min_value=2, max_value=99_999_99))
def test_paying_in_two_parts_on_one_day_is_paying_once(day, part):
    on = DUE + timedelta(days=day)
    whole = late_interest(debts=DEBT, payments=[Payment(on, 100_000_00)], on=on)
    split = late_interest(
        debts=DEBT, payments=[Payment(on, part), Payment(on, 100_000_00 - part)], on=on
    )
    assert (whole.unpaid, whole.interest) == (split.unpaid, split.interest)
