import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules.fees import NON_MONETARY_FEE_RANGE, enforcement_fee
from zhixing.rules.money import MoneyError

YUAN = 100


@pytest.mark.parametrize(
    ("claim_yuan", "fee_yuan"),
    [
        (10_000, 50),
        (100_000, 1_400),
        (500_000, 7_400),
        (1_000_000, 12_400),
        (5_000_000, 52_400),
        (10_000_000, 77_400),
        (20_000_000, 87_400),
    ],
)
def test_the_fee_matches_the_check_values_of_rules_md(claim_yuan, fee_yuan):
    assert enforcement_fee(claim_yuan * YUAN) == fee_yuan * YUAN


def test_any_amount_up_to_ten_thousand_yuan_costs_fifty_yuan():
    assert enforcement_fee(1) == 50 * YUAN
    assert enforcement_fee(9_999_99) == 50 * YUAN


def test_no_amount_costs_nothing_here_because_the_court_sets_that_fee():
    assert enforcement_fee(0) == 0
    assert NON_MONETARY_FEE_RANGE == (50 * YUAN, 500 * YUAN)


def test_the_fee_is_rounded_half_up_to_the_fen():
    # 1 yuan over 10,000 at 1.5% is 1.5 fen: rounds up to 2 fen.
    assert enforcement_fee(10_001_00) == 50_02
    # 33 fen at 1.5% is 0.495 fen: rounds down.
    assert enforcement_fee(10_000_33) == 50_00
    # 34 fen at 1.5% is 0.51 fen: rounds up.
    assert enforcement_fee(10_000_34) == 50_01


def test_a_negative_amount_is_refused():
    with pytest.raises(MoneyError) as error:
        enforcement_fee(-1)
    assert str(error.value) == "执行金额不能为负数：-0.01元"


def test_a_float_amount_is_a_type_error():
    with pytest.raises(TypeError):
        enforcement_fee(100.0)


@given(st.integers(1, 10**13), st.integers(1, 10**9))
def test_a_larger_amount_never_costs_less(amount, more):
    assert enforcement_fee(amount + more) >= enforcement_fee(amount)


@given(st.integers(10_000_00, 10**13))
def test_the_marginal_rate_never_exceeds_one_and_a_half_percent(amount):
    # One more yuan costs at most 1.5 fen, give or take a fen of rounding.
    assert enforcement_fee(amount + 100) - enforcement_fee(amount) <= 2
