"""What a case's debtor owes (funds/due.py): the facts gathered from the title,
Terms, suspensions, the ledger and the court's fee base, in a fixed number of
queries however many cases."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import application_json, at
from zhixing.cases.models import ExcludedPeriod
from zhixing.cases.services import cases_file
from zhixing.funds.due import case_due, cases_due
from zhixing.funds.ledger import Posting, ledger_post
from zhixing.funds.models import Terms
from zhixing.intake.parsing import parse_application
from zhixing.rules import RuleError

ON = date(2026, 3, 16)  # the title's period ended 2026-01-15: 60 days late


@pytest.fixture
def cases(court, centre, now):
    apps = [parse_application(application_json(amount=a), today=date(2026, 3, 2))[0] for a in ("100000", "20000")]
    return cases_file(court=court, applications=apps, actor=centre, now=now)


def post(court, *postings):
    with transaction.atomic():
        ledger_post(court_id=court.id, postings=list(postings), now=at(2026, 3, 2))


def test_an_unpaid_case_owes_principal_doubled_interest_and_the_fee_on_the_claim(cases):
    s = case_due(cases[0], ON)
    assert (s.principal, s.interest, s.doubled_interest, s.fee, s.paid) == (100_000_00, 0, 1_050_00, 1_400_00, 0)
    assert s.total == 102_450_00
    assert any("以申请执行标的额为计费基数" in str(r) for r in s.reasons)


def test_receipts_claims_and_direct_payments_pay_refunds_and_later_ones_do_not(court, cases):
    a = cases[0]
    post(
        court,
        Posting("receipt", 30_000_00, date(2026, 2, 14), case_id=a.id, reference="B1"),
        Posting("direct", 20_000_00, date(2026, 2, 14), case_id=a.id),
        Posting("unmatched", 5_000_00, date(2026, 2, 20), reference="B2"),
        Posting("receipt", 9_000_00, date(2026, 3, 17), case_id=a.id, reference="B3"),  # after the day
    )
    post(court, Posting("claim", 5_000_00, date(2026, 2, 20), case_id=a.id, reference="claim:B2"))
    post(court, Posting("refund", 5_000_00, date(2026, 2, 25), case_id=a.id, reference="refund:1"))
    s = case_due(a, ON)
    # 50,000 paid on 14 Feb (the 20 Feb claim was refunded): 30 days on 100,000 = 525,
    # then 30 days on 50,000 = 262.50.
    assert (s.paid, s.principal, s.doubled_interest) == (50_000_00, 50_000_00, 787_50)


def test_the_fee_the_court_kept_is_owed_no_more_and_did_not_pay_the_debt(court, cases):
    a = cases[0]
    post(
        court,
        Posting("receipt", 50_000_00, date(2026, 2, 14), case_id=a.id, reference="B1"),
    )
    post(court, Posting("fee", 1_400_00, date(2026, 2, 15), case_id=a.id, reference="fee:1"))
    s = case_due(a, ON)
    assert (s.paid, s.fee, s.principal) == (50_000_00, 0, 51_400_00)


def test_a_court_may_charge_the_fee_on_what_was_recovered(court, cases):
    court.funds_settings = {"fee_base": "recovered"}
    court.save()
    a = cases[0]
    assert case_due(a, ON).fee == 0
    post(court, Posting("receipt", 10_000_00, date(2026, 2, 14), case_id=a.id, reference="B1"))
    s = case_due(a, ON)
    assert s.fee == 50_00 and any("以执行到位金额为计费基数" in str(r) for r in s.reasons)


def test_only_a_suspension_stops_the_doubled_interest(court, cases):
    a = cases[0]
    ExcludedPeriod.objects.create(court=court, case=a, kind="suspension", start_on=date(2026, 2, 1),
                                  end_on=date(2026, 2, 11))
    ExcludedPeriod.objects.create(court=court, case=a, kind="auction", start_on=date(2026, 2, 1),
                                  end_on=date(2026, 3, 1))
    s = case_due(a, ON)
    assert (s.doubled_interest, s.debts[0].excluded_days) == (875_00, 10)  # 50 days counted


def test_an_open_suspension_runs_through_the_day(court, cases):
    a = cases[0]
    ExcludedPeriod.objects.create(court=court, case=a, kind="suspension", start_on=date(2026, 3, 6))
    # 16 Jan … 6 Mar: 50 days counted; 7–16 Mar suspended (rules/interest.py counts a
    # period as its days after its first, like the days late).
    assert case_due(a, ON).doubled_interest == 875_00


def test_terms_add_ordinary_interest_and_instalments(court, cases):
    a = cases[0]
    Terms.objects.create(
        case=a, interest_awarded=500_00, interest_rate="0.0365", interest_from=date(2026, 1, 1),
        instalments=[{"amount": 50_000_00, "due_on": "2026-01-15"}, {"amount": 50_000_00, "due_on": "2026-04-15"}],
    )
    s = case_due(a, ON)
    # 500 + 100,000 × 3.65% × 74 / 365 = 500 + 740; doubled: 50,000 × 60 days = 525; half not yet due.
    assert (s.interest, s.doubled_interest, s.not_yet_due) == (1_240_00, 525_00, 50_000_00)


def test_bad_terms_are_refused_in_chinese_naming_the_case(court, cases):
    a = cases[0]
    Terms.objects.create(case=a, interest_rate="三厘", interest_from=date(2026, 1, 1))
    with pytest.raises(RuleError, match=f"{a.case_number}：一般债务利息年利率格式不正确"):
        case_due(a, ON)
    # A batch caller gets the others, and the message for the bad one.
    errors = {}
    assert set(cases_due(cases, ON, errors=errors)) == {cases[1].id}
    assert errors == {a.id: f"{a.case_number}：一般债务利息年利率格式不正确：“三厘”（如 0.0385 表示年利率3.85%）"}


def test_many_cases_take_a_fixed_number_of_queries(court, centre, now, cases):
    for c in cases:
        post(court, Posting("receipt", 1_000_00, date(2026, 2, 14), case_id=c.id, reference=f"B{c.id}"))
    with CaptureQueriesContext(connection) as two:
        cases_due(cases, ON)
    more = cases_file(
        court=court, actor=centre, now=now,
        applications=[parse_application(application_json(amount="5000"), today=date(2026, 3, 2))[0]] * 5,
    )
    with CaptureQueriesContext(connection) as seven:
        out = cases_due([*cases, *more], ON)
    assert len(seven) == len(two) <= 5
    assert set(out) == {c.id for c in [*cases, *more]}
    assert out[cases[1].id].paid == 1_000_00
