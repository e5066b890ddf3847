"""应付金额 (rules.md §10): principal, ordinary interest, doubled interest and
the fee on a day, the payment order, and properties that hold for any payments."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.rules import RuleError
from zhixing.rules.due import Debt, Payment, amount_due, payments_less_refunds
from zhixing.rules.fees import enforcement_fee

DUE = date(2026, 1, 15)
YUAN = 100


def due(**kw):
    args = {"principal": 100_000_00, "start_on": DUE, "on": date(2026, 3, 16), "payments": ()}
    args.update(kw)
    return amount_due(**args)


def test_sixty_days_late_on_one_hundred_thousand_yuan_is_1050_yuan_of_doubled_interest():
    # 16 Jan … 16 Mar is 60 days (the due day itself is not counted): 100,000 × 0.000175 × 60.
    s = due()
    assert (s.principal, s.interest, s.doubled_interest, s.fee, s.paid) == (100_000_00, 0, 1_050_00, 0, 0)
    assert s.total == 101_050_00
    assert [(d.days, d.excluded_days) for d in s.debts] == [(60, 0)]


def test_fifty_nine_days_late_is_1032_yuan_50():
    # 100,000 × 0.000175 × 59 = 1,032.50: on 15 March.
    assert due(on=date(2026, 3, 15)).doubled_interest == 1_032_50


def test_nothing_runs_before_the_period_ends():
    s = due(on=DUE)
    assert (s.doubled_interest, s.total) == (0, 100_000_00)


def test_the_fee_is_owed_less_what_the_court_already_kept():
    fee = enforcement_fee(100_000_00)
    assert fee == 1_400_00  # rules.md §10 check value
    s = due(fee=fee, fee_paid=400_00, payments=[Payment(date(2026, 2, 14), 400_00)])
    # The 400 kept as the fee never paid the principal.
    assert (s.principal, s.fee, s.paid) == (100_000_00, 1_000_00, 400_00)


@pytest.mark.parametrize(
    ("claim_yuan", "fee_yuan"),
    [(10_000, 50), (100_000, 1_400), (500_000, 7_400), (1_000_000, 12_400), (5_000_000, 52_400),
     (20_000_000, 87_400)],
)
def test_the_fee_check_values_reach_the_total(claim_yuan, fee_yuan):
    s = due(principal=claim_yuan * YUAN, on=DUE, fee=enforcement_fee(claim_yuan * YUAN))
    assert (s.fee, s.total) == (fee_yuan * YUAN, (claim_yuan + fee_yuan) * YUAN)


def test_a_part_payment_pays_the_principal_first_then_the_doubled_interest():
    # 14 Feb (30 days): 50,000 to principal. 16 Mar: 525 + 262.50 interest accrued; 50,500 pays
    # the last 50,000 of principal, then 500 of the 787.50 interest: 287.50 left.
    pays = [Payment(date(2026, 2, 14), 50_000_00), Payment(date(2026, 3, 16), 50_500_00)]
    s = due(payments=pays)
    assert (s.principal, s.doubled_total, s.doubled_interest, s.paid) == (0, 787_50, 287_50, 100_500_00)


def test_ordinary_interest_comes_between_the_principal_and_the_doubled_interest():
    # Title: 2,000 interest awarded. One payment of 101,000 on 16 Mar pays the principal,
    # then the 2,000 interest would need 2,000: only 1,000 is left for it.
    s = due(interest_awarded=2_000_00, payments=[Payment(date(2026, 3, 16), 101_000_00)])
    assert (s.principal, s.interest, s.doubled_interest) == (0, 1_000_00, 1_050_00)
    assert s.total == 2_050_00


def test_ordinary_interest_at_an_annual_rate_on_365_days():
    # 100,000 at 3.65% a year from 1 Jan to 16 Mar (74 days): 100,000 × 0.0365 × 74 / 365 = 740.
    s = due(interest_rate="0.0365", interest_from=date(2026, 1, 1))
    assert s.interest == 740_00
    assert "按一年365日计" in s.explain()


def test_ordinary_interest_stops_on_the_part_paid():
    # 50,000 paid on 31 Jan (30 days at 100,000 → 300), then 44 days on 50,000 → 220.
    s = due(interest_rate="0.0365", interest_from=date(2026, 1, 1), payments=[Payment(date(2026, 1, 31), 50_000_00)])
    assert (s.principal, s.interest) == (50_000_00, 520_00)


def test_without_an_award_there_is_no_ordinary_interest_and_the_page_says_so():
    s = due()
    assert s.interest == 0 and "未判令一般债务利息" in s.explain()


def test_instalments_each_run_from_their_own_end_and_a_future_one_is_owed_but_not_late():
    # 30,000 due 15 Jan, 30,000 due 15 Feb, 40,000 due 15 Apr (the rest, on start_on).
    inst = [Debt(30_000_00, date(2026, 1, 15)), Debt(30_000_00, date(2026, 2, 15))]
    s = due(instalments=inst, start_on=date(2026, 4, 15))
    # 30,000 × 60 days + 30,000 × 29 days = 30,000 × 0.000175 × 89 = 467.25
    assert (s.principal, s.doubled_interest, s.not_yet_due) == (100_000_00, 467_25, 40_000_00)
    assert "其中40,000.00元分期履行期限未届满" in s.explain()


def test_a_payment_pays_the_oldest_instalment_first():
    inst = [Debt(50_000_00, date(2026, 2, 15)), Debt(50_000_00, date(2026, 1, 15))]
    s = due(instalments=inst, payments=[Payment(date(2026, 1, 15), 50_000_00)])
    # The January one paid on its due day: no interest; February: 29 days on 50,000 = 253.75.
    assert (s.principal, s.doubled_interest) == (50_000_00, 253_75)


def test_a_suspension_not_asked_for_by_the_debtor_is_not_counted():
    s = due(excluded=[(date(2026, 2, 1), date(2026, 2, 11))])
    assert (s.doubled_interest, s.debts[0].days, s.debts[0].excluded_days) == (875_00, 50, 10)
    assert "扣除中止执行10日" in s.explain()


def test_payments_after_the_day_are_ignored():
    s = due(payments=[Payment(date(2026, 3, 17), 1_000_00)])
    assert (s.paid, s.principal) == (0, 100_000_00)


def test_money_beyond_everything_is_a_surplus():
    s = due(fee=1_400_00, payments=[Payment(date(2026, 3, 16), 110_000_00)])
    assert (s.total, s.surplus) == (0, 110_000_00 - 100_000_00 - 1_050_00 - 1_400_00)
    assert "应退还被执行人" in s.explain()


def test_refunds_come_off_the_latest_payments():
    pays = [Payment(date(2026, 2, 1), 60_000_00), Payment(date(2026, 3, 1), 60_000_00)]
    net = payments_less_refunds(pays, [Payment(date(2026, 3, 5), 70_000_00)])
    assert net == [Payment(date(2026, 2, 1), 50_000_00)]
    with pytest.raises(RuleError, match="退还被执行人.*超过此前已付款项"):
        payments_less_refunds(pays, [Payment(date(2026, 2, 5), 60_000_01)])


def test_bad_input_is_refused_in_chinese():
    with pytest.raises(RuleError, match="本金不能为负数"):
        due(principal=-1)
    with pytest.raises(RuleError, match="分期金额合计.*超过本金"):
        due(instalments=[Debt(100_000_01, DUE)])
    with pytest.raises(RuleError, match="一般债务利息年利率格式不正确"):
        due(interest_rate="百分之三", interest_from=DUE)
    with pytest.raises(RuleError, match="一般债务利息年利率应在0到1之间"):
        due(interest_rate="3.85", interest_from=DUE)
    with pytest.raises(RuleError, match="一般债务利息起算日"):
        due(interest_rate="0.0385")
    with pytest.raises(RuleError, match="已收取的申请执行费.*超过已付款项"):
        due(fee=50_00, fee_paid=50_00)
    with pytest.raises(RuleError, match="还款金额应为正数"):
        due(payments=[Payment(DUE, 0)])
    with pytest.raises(RuleError, match="结束日期.*早于开始日期"):
        due(excluded=[(date(2026, 2, 2), date(2026, 2, 1))])


# Properties over random facts.
START = date(2026, 1, 1)
days = st.integers(min_value=0, max_value=400)
amounts = st.integers(min_value=1, max_value=200_000_00)


@st.composite
def facts(draw):
    principal = draw(st.integers(min_value=0, max_value=500_000_00))
    n_inst = draw(st.integers(min_value=0, max_value=3))
    inst = []
    left = principal
    for _ in range(n_inst):
        if left <= 0:
            break
        a = draw(st.integers(min_value=1, max_value=left))
        inst.append(Debt(a, START + timedelta(days=draw(days))))
        left -= a
    pays = [Payment(START + timedelta(days=draw(days)), draw(amounts)) for _ in range(draw(st.integers(0, 5)))]
    on = START + timedelta(days=draw(days))
    paid = sum(p.amount for p in pays if p.on <= on)  # the fee kept came out of these
    fee = enforcement_fee(principal)
    rate = draw(st.sampled_from([None, "0.0385", "0.06"]))
    s = draw(days)
    excluded = [(START + timedelta(days=s), START + timedelta(days=s + draw(st.integers(0, 60))))]
    return {
        "principal": principal,
        "start_on": START + timedelta(days=draw(days)),
        "instalments": inst,
        "payments": pays,
        "interest_awarded": draw(st.sampled_from([0, 1_234_56])),
        "interest_rate": rate,
        "interest_from": START if rate else None,
        "excluded": draw(st.sampled_from([[], excluded])),
        "fee": fee,
        "fee_paid": draw(st.integers(min_value=0, max_value=min(fee, paid))),
        "on": on,
    }


@settings(max_examples=200, deadline=None)
@given(facts())
def test_nothing_owed_is_ever_negative(f):
    s = amount_due(**f)
    assert min(s.principal, s.interest, s.doubled_interest, s.fee, s.surplus) >= 0
    assert s.total >= 0


@settings(max_examples=200, deadline=None)
@given(facts())
def test_paying_exactly_the_total_on_the_day_leaves_nothing_owed(f):
    s = amount_due(**f)
    if s.total:
        after = amount_due(**{**f, "payments": [*f["payments"], Payment(f["on"], s.total)]})
        assert (after.total, after.surplus) == (0, s.surplus)


@settings(max_examples=200, deadline=None)
@given(facts(), st.integers(min_value=0, max_value=400), amounts)
def test_another_payment_never_increases_what_is_owed(f, day, amount):
    before = amount_due(**f)
    after = amount_due(**{**f, "payments": [*f["payments"], Payment(START + timedelta(days=day), amount)]})
    assert after.total <= before.total
    assert after.principal <= before.principal


@settings(max_examples=100, deadline=None)
@given(facts())
def test_every_fen_paid_is_owed_less_or_surplus(f):
    # What was paid either reduced what is owed or is a surplus: nothing is lost.
    s = amount_due(**f)
    owed_if_unpaid = s.principal_total + s.interest_total + s.doubled_total + s.fee_total
    assert s.paid + s.total - s.surplus == owed_if_unpaid + max(f["fee_paid"] - f["fee"], 0)
