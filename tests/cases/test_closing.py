"""Closing a case goes through its mode's guard; a refusal says why and
changes nothing; a stale version is refused."""

from datetime import date

import pytest

from tests.centre.test_pipeline import debtor_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, EnforcementCase, Milestone
from zhixing.cases.services import StaleCase, TransitionRefused, cases_close, cases_record_step, transition
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive
from zhixing.inquiry.providers import SimulatedProvider
from zhixing.inquiry.services import inquiries_rerun
from zhixing.rules.assets import CASH_KINDS, PROPERTY_KINDS


def dispatched(court, centre, predicate, amount="5000.00"):
    code, _ = debtor_with(predicate)
    case = file(court, centre, at(2026, 1, 5), debtor_id=code, amount=amount)
    robot_pass(now=at(2026, 1, 5, 10))
    case.refresh_from_db()
    assert case.state == "dispatched"
    return case


def nothing_usable(assets):
    return not any(a.kind in PROPERTY_KINDS or a.kind in CASH_KINDS or a.kind == "insurance" for a in assets)


def test_performed_needs_the_whole_claim_recovered(court, centre, handler):
    case = dispatched(court, centre, nothing_usable)
    funds_receive(receipts=[Receipt(case, 4000_00, reference="B1")], actor=None, now=at(2026, 1, 20))
    with pytest.raises(TransitionRefused) as refused:
        cases_close(cases=[case], mode="performed", actor=handler, now=at(2026, 1, 21))
    assert "执行到位金额不足申请执行标的额" in str(refused.value)
    case.refresh_from_db()
    assert (case.state, case.closed_on, case.closing_mode) == ("dispatched", None, "")
    assert not CaseEvent.objects.filter(case=case, kind="closed").exists()
    funds_receive(receipts=[Receipt(case, 1000_00, direct=True, reference="B2")], actor=None, now=at(2026, 1, 22))
    cases_close(cases=[case], mode="performed", actor=handler, now=at(2026, 1, 23))
    case.refresh_from_db()
    assert (case.state, case.closed_on, case.closing_mode) == ("closed", date(2026, 1, 23), "performed")
    assert Milestone.objects.get(case=case, kind="time_limit").done_on == date(2026, 1, 23)


def test_the_same_bank_reference_is_booked_once(court, centre):
    case = dispatched(court, centre, nothing_usable)
    assert funds_receive(receipts=[Receipt(case, 100_00, reference="X9")], actor=None, now=at(2026, 1, 20)) == 1
    assert funds_receive(receipts=[Receipt(case, 100_00, reference="X9")], actor=None, now=at(2026, 1, 21)) == 0
    assert CaseEvent.objects.filter(case=case, kind="funds_received").count() == 1


def test_terminate_round_is_refused_before_three_months_with_the_article(court, centre, handler):
    case = dispatched(court, centre, nothing_usable)
    with pytest.raises(TransitionRefused) as refused:
        cases_close(cases=[case], mode="terminated_round", actor=handler, now=at(2026, 3, 1))
    message = str(refused.value)
    assert message.startswith("终结本次执行程序不可：")
    assert "立案未满三个月（终本规定第一条第四项）" in message
    assert EnforcementCase.objects.get(pk=case.pk).state == "dispatched"


def test_terminate_round_once_every_condition_holds(court, centre, handler):
    case = dispatched(court, centre, nothing_usable)
    for step in ("notice_sent", "restriction_ordered"):
        cases_record_step(cases=[case], step=step, actor=handler, now=at(2026, 1, 10))
    inquiries_rerun(cases=[case], provider=SimulatedProvider(), now=at(2026, 4, 1))
    cases_close(cases=[case], mode="terminated_round", actor=handler, now=at(2026, 4, 8))
    case.refresh_from_db()
    assert (case.state, case.closing_mode) == ("closed", "terminated_round")


def test_terminate_round_waits_for_every_lead_to_be_checked(court, centre, handler):
    from zhixing.tasks.inquiries import lead_check, lead_report

    case = dispatched(court, centre, nothing_usable)
    for step in ("notice_sent", "restriction_ordered"):
        cases_record_step(cases=[case], step=step, actor=handler, now=at(2026, 1, 10))
    lead = lead_report(case=case, kind="vehicle", description="被执行人名下疑有货车一辆",
                       actor=handler, now=at(2026, 3, 20), reported_by_text="申请执行人")
    inquiries_rerun(cases=[case], provider=SimulatedProvider(), now=at(2026, 4, 1))
    with pytest.raises(TransitionRefused, match="尚有1条财产线索未核查"):
        cases_close(cases=[case], mode="terminated_round", actor=handler, now=at(2026, 4, 8))
    lead_check(lead=lead, result="经车管所查询，无登记车辆", actor=handler, now=at(2026, 3, 25))
    cases_close(cases=[case], mode="terminated_round", actor=handler, now=at(2026, 4, 8))
    assert EnforcementCase.objects.get(pk=case.pk).state == "closed"


def test_property_an_officer_found_in_person_bars_terminate_round(court, centre, handler):
    from zhixing.tasks.inquiries import FoundInput, field_inquiries_order, field_inquiry_record

    case = dispatched(court, centre, nothing_usable)
    for step in ("notice_sent", "restriction_ordered"):
        cases_record_step(cases=[case], step=step, actor=handler, now=at(2026, 1, 10))
    (task,) = field_inquiries_order(cases=[case], officer=handler, place="被执行人住所地",
                                    actor=centre, now=at(2026, 3, 20), days=5)
    field_inquiry_record(task=task, found=[FoundInput("vehicle", "被执行人住所", "30000.00", "轿车一辆")],
                         result="发现轿车一辆", actor=handler, now=at(2026, 3, 24))
    inquiries_rerun(cases=[case], provider=SimulatedProvider(), now=at(2026, 4, 1))
    with pytest.raises(TransitionRefused, match="已发现1项可供执行的财产"):
        cases_close(cases=[case], mode="terminated_round", actor=handler, now=at(2026, 4, 8))


def test_a_step_recorded_twice_is_recorded_once(court, centre, handler):
    case = dispatched(court, centre, nothing_usable)
    assert cases_record_step(cases=[case], step="notice_sent", actor=handler, now=at(2026, 1, 8)) == 1
    assert cases_record_step(cases=[case], step="notice_sent", actor=handler, now=at(2026, 1, 9)) == 0
    assert Milestone.objects.get(case=case, kind="notice_sent").done_on == date(2026, 1, 8)


def test_a_stale_version_is_refused(court, centre, handler):
    case = dispatched(court, centre, nothing_usable)
    stale = EnforcementCase.objects.get(pk=case.pk)
    stale.version -= 1
    with pytest.raises(StaleCase):
        transition(cases=[stale], action="close", actor=handler, now=at(2026, 1, 9), events={})
    assert EnforcementCase.objects.get(pk=case.pk).state == "dispatched"


def test_a_move_the_table_forbids_is_refused_in_chinese(court, centre, handler):
    case = dispatched(court, centre, nothing_usable)
    with pytest.raises(TransitionRefused) as refused:
        transition(cases=[case], action="triage", actor=handler, now=at(2026, 1, 9), events={})
    assert str(refused.value) == "案件当前状态为“团队办理中”，不能繁简分流"


def test_models_and_migrations_agree(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
