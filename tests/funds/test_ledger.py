"""The ledger's one door (funds/ledger.py): balances as sums, no negative case
account, a reference booked once, rows never updated."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import application_json, at
from zhixing.cases.services import cases_file
from zhixing.funds.ledger import (
    LedgerRefused,
    Posting,
    all_case_balances_total,
    case_balances,
    custody_balance,
    ledger_post,
    unclaimed_balance,
)
from zhixing.funds.models import LedgerEntry
from zhixing.intake.parsing import parse_application

DAY = date(2026, 3, 2)


@pytest.fixture
def cases(court, centre, now):
    apps = [parse_application(application_json(amount=a), today=DAY)[0] for a in ("10000", "20000")]
    return cases_file(court=court, applications=apps, actor=centre, now=now)


def post(court, *postings, now=at(2026, 3, 2)):
    with transaction.atomic():
        return ledger_post(court_id=court.id, postings=list(postings), now=now)


def test_receipt_claim_and_payout_keep_custody_equal_to_cases_plus_unclaimed(court, cases):
    a, b = cases
    post(court, Posting("receipt", 500_00, DAY, case_id=a.id, reference="B1"))
    post(court, Posting("unmatched", 300_00, DAY, reference="B2"))
    post(court, Posting("claim", 300_00, DAY, case_id=b.id, reference="settle:B2"))
    post(court, Posting("disbursement", 450_00, DAY, case_id=a.id, reference="pay:1"))
    post(court, Posting("fee", 50_00, DAY, case_id=a.id, reference="pay:2"))
    post(court, Posting("direct", 999_00, DAY, case_id=b.id))  # outside the court: no custody money
    assert case_balances([a.id, b.id]) == {a.id: 0, b.id: 300_00}
    assert unclaimed_balance(court.id) == 0
    assert custody_balance(court.id) == 300_00
    assert custody_balance(court.id) == all_case_balances_total(court.id) + unclaimed_balance(court.id)


def test_a_case_account_never_goes_below_zero(court, cases):
    a, _ = cases
    post(court, Posting("receipt", 100_00, DAY, case_id=a.id, reference="B1"))
    with pytest.raises(LedgerRefused, match="案款账户余额不足.*余额 100.00 元，拟支出 100.01 元"):
        post(court, Posting("disbursement", 100_01, DAY, case_id=a.id))
    # two rows of one booking count together, and nothing of a refused booking is written
    with pytest.raises(LedgerRefused):
        post(
            court,
            Posting("disbursement", 60_00, DAY, case_id=a.id, reference="pay:1"),
            Posting("refund", 60_00, DAY, case_id=a.id, reference="pay:2"),
        )
    assert LedgerEntry.objects.filter(kind__in=["disbursement", "refund"]).count() == 0
    assert case_balances([a.id]) == {a.id: 100_00}


def test_unclaimed_money_is_claimed_once(court, cases):
    a, b = cases
    post(court, Posting("unmatched", 70_00, DAY, reference="B9"))
    post(court, Posting("claim", 70_00, DAY, case_id=a.id, reference="settle:B9"))
    rows = post(court, Posting("claim", 70_00, DAY, case_id=b.id, reference="settle:B9"))
    assert rows == []  # the reference is booked: skipped, not booked twice
    with pytest.raises(LedgerRefused, match="待认领款余额不足"):
        post(court, Posting("returned", 1, DAY))
    assert case_balances([a.id, b.id]) == {a.id: 70_00}


def test_the_same_reference_is_booked_once(court, cases):
    a, _ = cases
    assert len(post(court, Posting("receipt", 100_00, DAY, case_id=a.id, reference="B1"))) == 1
    assert post(court, Posting("receipt", 100_00, DAY, case_id=a.id, reference="B1")) == []
    with pytest.raises(LedgerRefused, match="流水号重复"):
        post(
            court,
            Posting("receipt", 1_00, DAY, case_id=a.id, reference="B2"),
            Posting("receipt", 1_00, DAY, case_id=a.id, reference="B2"),
        )
    # and the database itself refuses a second row with the same reference
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            court=court, case=a, kind="receipt", debit="custody", credit="case", amount=1, posted_at=at(2026, 3, 2),
            reference="B1",
        )
    assert case_balances([a.id]) == {a.id: 100_00}


def test_bad_amounts_are_refused_in_chinese(court, cases):
    a, _ = cases
    for amount in (0, -5, 1.5, True):
        with pytest.raises(LedgerRefused, match="记账金额必须是大于零的整数"):
            post(court, Posting("receipt", amount, DAY, case_id=a.id))


def test_rows_are_never_updated(court, cases):
    a, _ = cases
    (row,) = post(court, Posting("receipt", 100_00, DAY, case_id=a.id, reference="B1"))
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(Exception), transaction.atomic():  # the database trigger
        LedgerEntry.objects.filter(pk=row.pk).update(amount=1)
    assert LedgerEntry.objects.get(pk=row.pk).amount == 100_00


@pytest.mark.django_db(transaction=True)
def test_posting_outside_a_transaction_is_a_programming_error(court, cases):
    a, _ = cases
    with pytest.raises(RuntimeError):
        ledger_post(court_id=court.id, postings=[Posting("receipt", 1, DAY, case_id=a.id)], now=at(2026, 3, 2))
