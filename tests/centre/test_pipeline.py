"""The robot's pass: first inquiry, triage by rules.md §14, dispatch to the
least-loaded handler, each step an event on the case's timeline."""

from datetime import date

import pytest

from tests.conftest import application_json, at, company_code, person_id
from zhixing.cases.models import CaseEvent, EnforcementCase, Milestone
from zhixing.cases.services import cases_file
from zhixing.centre.services import robot_pass
from zhixing.inquiry.models import Asset
from zhixing.inquiry.providers import DebtorRef, simulated_assets
from zhixing.intake.parsing import parse_application
from zhixing.rules.assets import CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.fees import enforcement_fee


def file(court, centre, now, **kw):
    application, errors = parse_application(application_json(**kw), today=now.date())
    assert errors == []
    return cases_file(court=court, actor=centre, applications=[application], now=now)[0]


def debtor_with(predicate, kind="person"):
    """The first test identity whose simulated assets satisfy `predicate`."""
    for serial in range(1, 5000):
        code = person_id(serial, birth=date(1975, 1, 1 + serial % 28))
        assets = simulated_assets(DebtorRef(code, "某某", kind))
        if predicate(assets):
            return code, assets
    raise AssertionError("no such debtor in range")


def debtors_with(predicate, n):
    found = []
    for serial in range(1, 5000):
        code = person_id(serial, birth=date(1975, 1, 1 + serial % 28))
        if predicate(simulated_assets(DebtorRef(code, "某某", "person"))):
            found.append(code)
            if len(found) == n:
                return found
    raise AssertionError("not enough such debtors in range")


def cash(assets):
    return sum(a.value for a in assets if a.kind in CASH_KINDS)


def test_the_same_debtor_always_shows_the_same_assets():
    ref = DebtorRef(person_id(42), "张三", "person")
    assert simulated_assets(ref) == simulated_assets(ref)


def test_a_pass_inquires_triages_and_dispatches_every_new_case(court, centre):
    case = file(court, centre, at(2026, 3, 2))
    report = robot_pass(now=at(2026, 3, 2, 10, 5))
    assert (report.inquired, report.answered, report.triaged, report.dispatched) == (1, 1, 1, 1)
    case.refresh_from_db()
    assert case.state == "dispatched"
    assert case.handler is not None and case.handler.team == case.team
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["filed", "inquiry_started", "inquiry_finished", "triaged", "dispatched"]
    done = dict(Milestone.objects.filter(case=case).values_list("kind", "done_on"))
    assert done["first_inquiry"] == date(2026, 3, 2) and done["handler_assigned"] == date(2026, 3, 2)
    assert "leads_requested" in done  # due three days after the case reaches the handler
    assert robot_pass(now=at(2026, 3, 2, 10, 6)).dispatched == 0  # nothing left: idempotent


def test_enough_cash_goes_to_the_one_shot_team_with_its_reason(court, centre):
    claim_fen = 10_000_00
    code, assets = debtor_with(lambda a: cash(a) >= claim_fen + enforcement_fee(claim_fen))
    case = file(court, centre, at(2026, 3, 2), debtor_id=code, amount="10000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert case.team.kind == "one_shot" and case.triage_rule == "T2"
    assert case.triage_facts["cash_found"] == cash(assets)
    assert case.triage_reason.startswith("T2")
    assert "10,050.00元" in case.triage_reason  # claim 10,000 + fee 50
    assert Asset.objects.filter(case=case).count() == len(assets)


def test_property_without_enough_cash_goes_to_disposal(court, centre):
    code, _ = debtor_with(lambda a: any(x.kind in PROPERTY_KINDS for x in a) and cash(a) < 1_000_000_00)
    case = file(court, centre, at(2026, 3, 2), debtor_id=code, amount="900000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert (case.triage_rule, case.team.kind) == ("T4", "disposal")


def test_a_large_claim_goes_to_implementation_unless_cash_covers_it(court, centre):
    code, _ = debtor_with(lambda a: cash(a) < 100_000_00)
    case = file(court, centre, at(2026, 3, 2), debtor_id=code, amount="2000000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert (case.triage_rule, case.team.kind) == ("T3", "implementation")


def test_nothing_found_goes_to_the_simple_team(court, centre):
    code, _ = debtor_with(lambda a: not a)
    case = file(court, centre, at(2026, 3, 2), debtor_id=code, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert (case.triage_rule, case.team.kind) == ("T5", "simple")
    assert CaseEvent.objects.get(case=case, kind="inquiry_finished").detail == "网络查控反馈：未查得财产"


def test_an_objection_goes_to_adjudication(court, centre):
    case = file(court, centre, at(2026, 3, 2), type_="执异")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert (case.triage_rule, case.team.kind) == ("T1", "adjudication")


def test_dispatch_spreads_cases_over_the_least_loaded_handlers(court, centre):
    debtors = debtors_with(lambda a: not a, 8)
    applications = [
        parse_application(application_json(debtor_id=code, amount="3000"), today=date(2026, 3, 2))[0]
        for code in debtors
    ]
    cases_file(court=court, actor=centre, applications=applications, now=at(2026, 3, 2))
    robot_pass(now=at(2026, 3, 2, 10))
    per_handler = {}
    for case in EnforcementCase.objects.select_related("handler"):
        assert case.team.kind == "simple"
        per_handler[case.handler.user.username] = per_handler.get(case.handler.user.username, 0) + 1
    # The simple team has four handlers: two cases each.
    assert per_handler == {"simple1": 2, "simple2": 2, "simple3": 2, "simple4": 2}


def test_three_open_cases_against_one_debtor_go_to_implementation(court, centre):
    code, _ = debtor_with(lambda a: cash(a) == 0 and not a)
    for _ in range(3):
        file(court, centre, at(2026, 3, 2), debtor_id=code, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    rules = set(EnforcementCase.objects.values_list("triage_rule", flat=True))
    assert rules == {"T3"}


def test_a_company_debtor_is_inquired_like_a_person(court, centre):
    body = application_json()
    body["debtors"] = [{"kind": "company", "name": "武汉某某商贸有限公司", "credit_code": company_code(77)}]
    application, errors = parse_application(body, today=date(2026, 3, 2))
    assert errors == []
    (case,) = cases_file(court=court, actor=centre, applications=[application], now=at(2026, 3, 2))
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert case.state == "dispatched"


def test_the_reason_and_facts_come_from_the_latest_triaged_event_old_ones_included(court, centre):
    code, _ = debtor_with(lambda a: not a)
    case = file(court, centre, at(2026, 3, 2), debtor_id=code, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    event = CaseEvent.objects.get(case=case, kind="triaged")
    assert case.triage_reason == event.data["reason"] and event.detail.endswith(case.triage_reason)
    assert case.triage_facts == event.data["facts"]
    # An event written before the reason was kept in its data: read from its detail.
    CaseEvent.objects.create(court=court, case=case, at=at(2026, 3, 3), kind="triaged",
                             detail="分流至简案团队：T5 旧理由", data={"facts": {"cash_found": 7}})
    case = EnforcementCase.objects.get(id=case.id)
    assert (case.triage_reason, case.triage_facts) == ("T5 旧理由", {"cash_found": 7})


@pytest.mark.django_db(transaction=True)  # outside any test transaction: the step's own is the only one
def test_triage_decides_before_the_write_lock_and_leaves_a_case_changed_meanwhile_for_the_next_pass(
    court, centre, monkeypatch
):
    from django.db import connection
    from django.db.models import F

    from zhixing.centre import triage
    from zhixing.centre.services import robot_inquiry_pass

    first = file(court, centre, at(2026, 3, 2))
    second = file(court, centre, at(2026, 3, 2), debtor_id=person_id(201))
    robot_inquiry_pass(now=at(2026, 3, 2, 10, 5))
    decide, decided_in_transaction = triage.triage_batch, []

    def meanwhile(rules, facts):
        decided_in_transaction.append(connection.in_atomic_block)
        # Another hand changes the second case between the read and the lock.
        EnforcementCase.objects.filter(id=second.id).update(version=F("version") + 1)
        return decide(rules, facts)

    monkeypatch.setattr(triage, "triage_batch", meanwhile)
    moved = triage.cases_triage(court=court, now=at(2026, 3, 2, 10, 7), limit=100)
    assert decided_in_transaction == [False]
    assert [c.id for c in moved] == [first.id]
    states = dict(EnforcementCase.objects.filter(id__in=[first.id, second.id]).values_list("id", "state"))
    assert states == {first.id: "triaged", second.id: "inquiring"}
    assert not CaseEvent.objects.filter(case=second, kind="triaged").exists()
    monkeypatch.setattr(triage, "triage_batch", decide)
    assert [c.id for c in triage.cases_triage(court=court, now=at(2026, 3, 2, 10, 8), limit=100)] == [second.id]
    assert CaseEvent.objects.filter(case_id__in=[first.id, second.id], kind="triaged").count() == 2
