"""The pure parts of the demo: parties, applications and plans (no database)."""

import random
from collections import Counter
from datetime import date

from zhixing.demo.filings import Filings, outcome_of
from zhixing.demo.history import Holdings, plan_case
from zhixing.demo.people import PeopleFactory, gb11714_check
from zhixing.inquiry.providers import DebtorRef, simulated_assets
from zhixing.rules.identity import birth_date, check_credit_code, check_id_number
from zhixing.rules.termination import negligible_balance


def test_gb11714_check_of_real_organisation_codes():
    # Two well-known companies' credit codes: characters 9–17 are the organisation code.
    for code in ("914403001922038216", "91330100716105852F"):
        assert check_credit_code(code)
        assert gb11714_check(code[8:16]) == code[16]


def test_new_parties_have_valid_unique_codes_and_hubei_birth_data():
    people = PeopleFactory(random.Random(3))
    persons = [people.new_person() for _ in range(300)]
    companies = [people.new_company() for _ in range(100)]
    codes = [p.id_code for p in persons + companies]
    assert len(set(codes)) == 400
    for p in persons:
        assert check_id_number(p.id_code)
        assert p.id_code[:2] == "42"
        assert 1955 <= birth_date(p.id_code).year <= 2003
        assert 2 <= len(p.name) <= 3
    for c in companies:
        assert check_credit_code(c.id_code)
        assert c.id_code[8:16] and gb11714_check(c.id_code[8:16]) == c.id_code[16]
        assert c.name.endswith("公司")
    assert len({c.name for c in companies}) == 100


def test_a_month_of_applications_looks_like_a_basic_court():
    filings = Filings(random.Random(2026))
    apps = [
        a
        for d in range(1, 29)
        if date(2026, 4, d).weekday() < 5
        for a in filings.day(date(2026, 4, d))
    ]
    first = [a for a in apps if a.type_code == "执"]
    assert 20 * 15 <= len(first) <= 20 * 32
    assert len(apps) - len(first) <= len(apps) * 0.05  # a few 执异
    debtors = Counter(a.debtors[0].kind for a in first)
    assert 0.55 <= debtors["person"] / len(first) <= 0.8
    claims = sorted(a.amount_claimed for a in first)
    assert (
        10_000_00 <= claims[len(claims) // 2] <= 150_000_00
    )  # a median of a few tens of thousands
    assert max(claims) <= 50_000_000_00
    outcomes = Counter(
        outcome_of(
            [x for p in a.debtors for x in simulated_assets(DebtorRef(p.id_code, p.name, p.kind))],
            claim=a.amount_claimed,
        )
        for a in first
    )
    assert 0.15 <= outcomes["cash"] / len(first) <= 0.32
    assert 0.12 <= outcomes["property"] / len(first) <= 0.30
    for a in first:
        assert (
            a.title.effective_on
            < a.title.due_on
            < date(2026, 4, 1) + (date(2026, 4, 28) - date(2026, 4, 1))
        )
        assert 10 <= (a.title.due_on - a.title.effective_on).days <= 15


def _plans(team, holdings, claim=50_000_00, n=300):
    rng = random.Random(1)
    return [
        plan_case(rng, team=team, type_code="执", claim=claim, holdings=holdings) for _ in range(n)
    ]


def test_one_shot_cases_are_paid_in_full_and_closed_within_weeks():
    for tasks in _plans("one_shot", Holdings(cash=80_000_00, property=False, other=0)):
        close = tasks[-1]
        assert close.kind == "close" and close.mode == "performed"
        assert close.offset <= 25
        assert sum(t.amount for t in tasks if t.kind == "receive") == 50_000_00
        assert all(t.offset <= close.offset for t in tasks)


def test_terminate_round_plans_meet_the_guard_in_order():
    plans = _plans("simple", Holdings(cash=300_00, property=False, other=0))
    library = [p for p in plans if p[-1].mode == "terminated_round"]
    assert len(library) > len(plans) * 0.6
    for tasks in library:
        close = tasks[-1].offset
        assert close >= 93
        steps = {t.step: t.offset for t in tasks if t.kind == "step"}
        assert steps["notice_sent"] < close and steps["restriction_ordered"] < close
        rerun = [t.offset for t in tasks if t.kind == "rerun"]
        assert len(rerun) == 1 and close - 10 <= rerun[0] <= close
    assert negligible_balance(2 * 300_00, 50_000_00)


def test_found_cash_is_deducted_and_performed_plans_add_up_to_the_claim():
    plans = _plans("simple", Holdings(cash=12_000_00, property=False, other=0))
    for tasks in plans:
        paid = sum(t.amount for t in tasks if t.kind == "receive")
        if tasks[-1].kind == "close" and tasks[-1].mode == "performed":
            assert paid == 50_000_00
        elif tasks[-1].mode == "terminated_round":
            assert paid == 12_000_00


def test_most_disposal_cases_stay_open_and_objections_are_decided_within_fifteen_days():
    disposal = _plans("disposal", Holdings(cash=0, property=True, other=0))
    still_open = [p for p in disposal if not p or p[-1].kind != "close"]
    assert len(still_open) > len(disposal) / 2
    for tasks in disposal:
        if tasks and tasks[-1].mode == "performed":
            assert tasks[-1].offset >= 30
    rng = random.Random(2)
    for _ in range(50):
        tasks = plan_case(
            rng, team="adjudication", type_code="执异", claim=0, holdings=Holdings(0, False, 0)
        )
        assert [t.kind for t in tasks] == ["close"] and tasks[0].offset <= 15
