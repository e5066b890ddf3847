from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules import RuleError
from zhixing.rules.payouts import (
    Claimant,
    approvals_required,
    largest_remainder,
    may_defer,
    payout_alert,
    payout_due,
    split_arrival,
)

TIERS = ((50_000_00, ("director",)), (None, ("director", "vice_president")))

claimants = st.lists(
    st.builds(
        Claimant,
        id=st.integers(0, 10**6),
        owed=st.integers(0, 10**10),
        priority=st.one_of(st.integers(0, 3), st.booleans()),
    ),
    max_size=8,
)


@given(available=st.integers(0, 10**11), fee=st.integers(0, 10**8), creditors=claimants)
def test_a_split_always_adds_up_to_the_money_available(available, fee, creditors):
    split = split_arrival(available=available, fee_owed=fee, creditors=creditors)
    assert split.fee + split.to_creditors + split.refund == available
    assert split.fee == min(fee, available)
    assert min([split.fee, split.refund, *(s.paid for s in split.shares)], default=0) >= 0


@given(available=st.integers(0, 10**11), fee=st.integers(0, 10**8), creditors=claimants)
def test_nobody_is_paid_more_than_owed_and_the_debtor_only_gets_a_true_surplus(
    available, fee, creditors
):
    split = split_arrival(available=available, fee_owed=fee, creditors=creditors)
    assert all(s.paid <= s.owed for s in split.shares)
    if split.refund:
        assert split.fee == fee and all(s.paid == s.owed for s in split.shares)


@given(available=st.integers(0, 10**11), fee=st.integers(0, 10**8), creditors=claimants)
def test_priority_is_paid_in_rank_order_before_ordinary_claims(available, fee, creditors):
    split = split_arrival(available=available, fee_owed=fee, creditors=creditors)
    if split.fee < fee:
        assert split.to_creditors == 0
    for s in split.shares:
        if s.paid:  # anyone paid means every earlier rank was paid in full
            earlier = [t for t in split.shares if _order(t.priority) < _order(s.priority)]
            assert all(t.paid == t.owed for t in earlier)


def _order(rank):
    return rank if rank else 10**9  # ordinary claims come after every rank


@given(pot=st.integers(0, 10**10), weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=10))
def test_pro_rata_shares_are_within_one_fen_of_exact(pot, weights):
    if sum(weights) == 0:
        with pytest.raises(RuleError):
            largest_remainder(pot, weights)
        return
    parts = largest_remainder(pot, weights)
    assert sum(parts) == pot
    for part, w in zip(parts, weights):
        exact = Fraction(pot * w, sum(weights))
        assert abs(part - exact) < 1


def test_fee_first_then_priority_then_ordinary_pro_rata():
    split = split_arrival(
        available=1_000_00,
        fee_owed=100_00,
        creditors=[
            Claimant("a", 300_00),
            Claimant("bank", 500_00, priority=1),
            Claimant("b", 600_00),
        ],
    )
    assert split.fee == 100_00
    assert {s.id: s.paid for s in split.shares} == {"bank": 500_00, "a": 133_33, "b": 266_67}
    assert split.refund == 0
    assert "先行扣除申请执行费100.00元" in split.explain()
    assert "按债权比例受偿" in split.explain()
    assert "民诉解释第五百零八条" in split.explain()


def test_leftover_fen_go_to_the_largest_remainder_ties_to_the_earlier():
    # 1 fen among three equal claims: the first gets it.
    assert largest_remainder(1, [5, 5, 5]) == [1, 0, 0]
    assert largest_remainder(2, [5, 5, 5]) == [1, 1, 0]
    # 10 fen by 1:2 -> 3.33 / 6.67: the larger remainder takes the fen.
    assert largest_remainder(10, [1, 2]) == [3, 7]


def test_surplus_is_refunded_to_the_debtor():
    split = split_arrival(available=1_000_00, fee_owed=50_00, creditors=[Claimant(1, 800_00)])
    assert (split.fee, split.shares[0].paid, split.refund) == (50_00, 800_00, 150_00)
    assert "余款150.00元退还被执行人" in split.explain()


def test_bad_amounts_are_refused_in_chinese():
    with pytest.raises(RuleError, match="不能为负数"):
        split_arrival(available=-1, fee_owed=0, creditors=[])
    with pytest.raises(RuleError, match="以分计的整数"):
        split_arrival(available=1.5, fee_owed=0, creditors=[])


def test_approval_tiers_by_amount():
    assert approvals_required(50_000_00, TIERS) == ("director",)
    assert approvals_required(50_000_01, TIERS) == ("director", "vice_president")
    # past every bound: the strictest tier
    assert approvals_required(
        10**9, ((100, ("director",)), (1000, ("director", "vice_president")))
    ) == (
        "director",
        "vice_president",
    )


def test_payout_due_is_plain_days_after_the_arrival_and_warns_before():
    assert payout_due(date(2026, 3, 2), 30) == date(2026, 4, 1)
    assert payout_alert(due_on=date(2026, 4, 1), today=date(2026, 3, 28), warn_days=3) == ""
    assert payout_alert(due_on=date(2026, 4, 1), today=date(2026, 3, 29), warn_days=3) == "due_soon"
    assert payout_alert(due_on=date(2026, 4, 1), today=date(2026, 4, 1), warn_days=3) == "due_soon"
    assert payout_alert(due_on=date(2026, 4, 1), today=date(2026, 4, 2), warn_days=3) == "overdue"


def test_deferral_needs_a_reason_and_both_approvals():
    assert not may_defer("", ["director", "vice_president"])
    assert "须写明理由" in may_defer("  ", []).explain()
    refused = may_defer("案外人提出异议", ["director"])
    assert not refused and "分管副院长" in refused.explain()
    assert may_defer("案外人提出异议", ["vice_president", "director"])
