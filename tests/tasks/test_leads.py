"""财产线索: a lead is due 7 calendar days after its report (3 if urgent; a last
day in a holiday moves on), its check is a task for the handler, a found asset
becomes a lead asset that triage counts, and bad input writes nothing."""

from datetime import date

import pytest

from tests.centre.test_pipeline import debtors_with
from tests.web.conftest import at, debtor_of, file
from zhixing.cases.models import CaseEvent
from zhixing.centre.services import robot_pass
from zhixing.centre.triage import triage_facts
from zhixing.inquiry.models import Asset
from zhixing.tasks.inquiries import FoundInput, lead_check, lead_report
from zhixing.tasks.models import Lead, Task
from zhixing.tasks.services import TaskRefused


def creditor_of(case):
    return case.case_parties.get(role="creditor").party


def report(case, now, **kw):
    kw.setdefault("kind", "real_estate")
    kw.setdefault("description", "汉阳区某小区3栋201室")
    kw.setdefault("reported_by_party_id", creditor_of(case).id)
    return lead_report(case=case, actor=kw.pop("actor", None), now=now, **kw)


def bare(court, centre, when, n=1, **kw):
    """n cases against debtors the simulated network finds nothing for."""
    return file(court, centre, when, debtor_ids=debtors_with(lambda a: not a, n), **kw)


@pytest.fixture
def dispatched(court, centre):
    (case,) = bare(court, centre, at(2026, 3, 2, 9))
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert case.state == "dispatched"
    return case


def test_a_lead_is_due_in_seven_days_and_checked_by_the_handler(dispatched, centre):
    lead = report(dispatched, at(2026, 3, 2, 15), actor=centre)
    assert (lead.reported_on, lead.due_on, lead.urgent) == (date(2026, 3, 2), date(2026, 3, 9), False)
    task = lead.task
    assert (task.kind, task.assignee_id, task.due_on, task.team_id) == (
        "lead_check", dispatched.handler_id, date(2026, 3, 9), dispatched.team_id,
    )
    event = CaseEvent.objects.get(case=dispatched, kind="lead_reported")
    assert event.detail == (
        "武汉某某建材有限公司提供不动产线索：汉阳区某小区3栋201室；应于2026年3月9日前核查（财产调查规定第二条）"
    )


def test_an_urgent_lead_over_the_national_day_holiday(court, centre, dispatched):
    lead = report(dispatched, at(2026, 9, 28), urgent=True, reported_by_party_id=None, reported_by_text="代理律师王某")
    # 28 September + 3 = 1 October, a holiday to 7 October.
    assert lead.due_on == date(2026, 10, 8)
    assert lead.reported_by == "代理律师王某"
    assert "（情况紧急）" in CaseEvent.objects.get(kind="lead_reported").detail


def test_a_lead_reported_on_an_earlier_day_counts_from_that_day(dispatched):
    lead = report(dispatched, at(2026, 3, 10), reported_on=date(2026, 3, 5))
    assert lead.due_on == date(2026, 3, 12)


def test_checking_a_lead_records_the_asset_and_the_task(dispatched, handler):
    lead = report(dispatched, at(2026, 3, 2))
    lead_check(
        lead=lead, result="经查属实，已查封", actor=handler, now=at(2026, 3, 6),
        found=FoundInput("real_estate", "汉阳区不动产登记中心", "800000", "3栋201室"),
    )
    lead.refresh_from_db()
    assert (lead.checked_on, lead.result, lead.checked_by) == (date(2026, 3, 6), "经查属实，已查封", handler)
    asset = lead.asset
    assert (asset.source, asset.inquiry, asset.kind, asset.value) == ("lead", None, "real_estate", 800_000_00)
    assert asset.debtor.id_code == debtor_of(dispatched)
    lead.task.refresh_from_db()
    assert lead.task.done_at is not None
    event = CaseEvent.objects.get(kind="lead_checked")
    assert event.detail == "核查不动产线索：经查属实，已查封；查得不动产800,000.00元（汉阳区不动产登记中心）"
    assert event.data["on_time"] is True
    with pytest.raises(TaskRefused, match="已于2026年3月6日核查"):
        lead_check(lead=lead, result="再查", actor=handler, now=at(2026, 3, 7))


def test_a_late_check_says_how_late(dispatched, handler):
    lead = report(dispatched, at(2026, 3, 2))
    lead_check(lead=lead, result="未查见", actor=handler, now=at(2026, 3, 11))
    event = CaseEvent.objects.get(kind="lead_checked")
    assert event.detail == "核查不动产线索：未查见；未查得财产；超过核查期限2天"
    assert event.data["on_time"] is False
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"kind": "gold"}, "财产类型：未知的财产类型"),
        ({"description": " "}, "线索内容：请填写"),
        ({"reported_on": date(2026, 3, 3)}, "提供日期：2026年3月3日晚于今天"),
        ({"reported_by_party_id": None}, "提供人：请选择申请执行人或填写提供人"),
    ],
)
def test_bad_leads_are_refused_in_chinese_and_nothing_is_written(dispatched, kw, message):
    with pytest.raises(TaskRefused, match=message):
        report(dispatched, at(2026, 3, 2), **kw)
    assert not Lead.objects.exists() and not Task.objects.exists()
    assert not CaseEvent.objects.filter(kind="lead_reported").exists()


def test_the_debtor_cannot_report_as_the_creditor(dispatched):
    debtor = dispatched.case_parties.get(role="debtor").party
    with pytest.raises(TaskRefused, match="提供人：不是本案申请执行人"):
        report(dispatched, at(2026, 3, 2), reported_by_party_id=debtor.id)
    assert not Lead.objects.exists()


def test_a_bad_found_asset_leaves_the_lead_unchecked(dispatched, handler):
    lead = report(dispatched, at(2026, 3, 2))
    with pytest.raises(TaskRefused, match="查得财产的价值"):
        lead_check(lead=lead, result="属实", actor=handler, now=at(2026, 3, 3), found=FoundInput("real_estate", "登记中心", "x"))
    lead.refresh_from_db()
    assert lead.checked_on is None and lead.task.done_at is None
    assert not Asset.objects.exists() and not CaseEvent.objects.filter(kind="lead_checked").exists()


def test_a_lead_found_at_filing_changes_the_triage(court, centre):
    """A lead brought with the application and checked before the robot's pass:
    the network finds nothing, yet the case goes to the disposal team (T4)
    for the flat the lead found; its twin without a lead goes to simple (T5)."""
    with_lead, without = bare(court, centre, at(2026, 3, 2, 9), n=2, amount="300000.00")
    lead = report(with_lead, at(2026, 3, 2, 9, 5), actor=centre)
    assert lead.task.assignee is None  # no handler yet: the centre's queue
    lead_check(
        lead=lead, result="属实", actor=centre, now=at(2026, 3, 2, 9, 30),
        found=FoundInput("real_estate", "汉阳区不动产登记中心", "600000"),
    )
    robot_pass(now=at(2026, 3, 2, 10))
    with_lead.refresh_from_db()
    without.refresh_from_db()
    assert (with_lead.triage_rule, with_lead.team.kind) == ("T4", "disposal")
    assert triage_facts([with_lead])[with_lead.id]["property_found"] == 600_000_00
    assert (without.triage_rule, without.team.kind) == ("T5", "simple")
