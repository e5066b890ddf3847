"""线下查询: ordering sends an officer with a due date (a task and an event),
recording the result turns what was found into field assets that triage
counts; bad input is refused in Chinese and writes nothing."""

from datetime import date

import pytest

from tests.centre.test_pipeline import debtors_with
from tests.web.conftest import at, debtor_of, file
from zhixing.cases.models import CaseEvent
from zhixing.centre.services import robot_pass
from zhixing.centre.triage import triage_facts
from zhixing.inquiry.models import Asset
from zhixing.tasks.inquiries import FoundInput, field_inquiries_order, field_inquiry_record
from zhixing.tasks.models import Task
from zhixing.tasks.services import TaskRefused

NOW = at(2026, 3, 2)


def order(cases, officer, **kw):
    kw.setdefault("place", "汉阳区不动产登记中心")
    kw.setdefault("due_on", date(2026, 3, 6))
    return field_inquiries_order(cases=cases, officer=officer, actor=kw.pop("actor", None), now=NOW, **kw)


def test_ordering_opens_a_task_for_the_officer_with_an_event_per_case(court, centre, handler):
    cases = file(court, centre, NOW, n=2)
    tasks = order(cases, handler, actor=centre, note="核实房产")
    assert [(t.kind, t.assignee, t.due_on, t.case_id) for t in tasks] == [
        ("field_inquiry", handler, date(2026, 3, 6), c.id) for c in cases
    ]
    event = CaseEvent.objects.get(case=cases[0], kind="field_inquiry_ordered")
    assert event.detail == "安排陈静赴汉阳区不动产登记中心线下查询，2026年3月6日前完成：核实房产"
    assert event.actor == centre and event.data["task"] == tasks[0].id
    # A double click finds the same tasks and writes no second event.
    assert [t.id for t in order(cases, handler, actor=centre)] == [t.id for t in tasks]
    assert CaseEvent.objects.filter(kind="field_inquiry_ordered").count() == 2


def test_days_count_from_today(court, centre, handler):
    (case,) = file(court, centre, NOW)
    (task,) = order([case], handler, due_on=None, days=5)
    assert task.due_on == date(2026, 3, 7)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"due_on": date(2026, 3, 1)}, "完成期限2026年3月1日早于今天"),
        ({"officer": None}, "请指定外出查询的干警"),
        ({"place": "  "}, "请填写查询地点"),
        ({"due_on": None}, "请填写完成期限"),
    ],
)
def test_bad_orders_are_refused_in_chinese_and_nothing_is_written(court, centre, handler, kw, message):
    (case,) = file(court, centre, NOW)
    officer = kw.pop("officer", handler)
    with pytest.raises(TaskRefused, match=message):
        order([case], officer, **kw)
    assert not Task.objects.exists()
    assert not CaseEvent.objects.filter(kind="field_inquiry_ordered").exists()


def test_the_result_becomes_field_assets_and_finishes_the_task(court, centre, handler):
    (case,) = file(court, centre, NOW)
    (task,) = order([case], handler)
    found = [
        FoundInput("vehicle", "武汉市车管所", "85,000", "鄂A12345 小型轿车"),
        FoundInput("deposit", "现场查见存折", "1200.50"),
    ]
    assets = field_inquiry_record(task=task, found=found, result="查见车辆一辆、存折一本", actor=handler, now=at(2026, 3, 4))
    rows = list(Asset.objects.filter(case=case).values_list("source", "inquiry", "kind", "value", "debtor__id_code"))
    assert rows == [
        ("field", None, "vehicle", 85_000_00, debtor_of(case)),
        ("field", None, "deposit", 1_200_50, debtor_of(case)),
    ]
    assert len(assets) == 2
    task.refresh_from_db()
    assert (task.result, task.done_by) == ("查见车辆一辆、存折一本", handler)
    event = CaseEvent.objects.get(case=case, kind="field_inquiry_done")
    assert event.detail == (
        "线下查询（汉阳区不动产登记中心）：查见车辆一辆、存折一本；查得财产2项，合计86,200.50元"
    )
    assert event.data["on_time"] is True
    with pytest.raises(TaskRefused, match="已于2026年3月4日登记结果"):
        field_inquiry_record(task=task, found=[], result="再次登记", actor=handler, now=at(2026, 3, 5))


@pytest.mark.parametrize(
    "found, message",
    [
        (FoundInput("deposit", "某银行", "12.345"), "查得财产的价值：金额格式不正确"),
        (FoundInput("deposit", "某银行", "-5"), "查得财产的价值：金额不能为负数"),
        (FoundInput("deposit", "某银行", "很多"), "查得财产的价值：金额格式不正确"),
        (FoundInput("gold", "某银行", "5"), "查得财产的财产类型：未知的财产类型"),
        (FoundInput("deposit", " ", "5"), "查得财产的协助单位：请填写"),
        (FoundInput("deposit", "某银行", "5", debtor_id=999_999), "查得财产的被执行人：不是本案被执行人"),
    ],
)
def test_a_bad_found_asset_is_refused_and_nothing_is_written(court, centre, handler, found, message):
    (case,) = file(court, centre, NOW)
    (task,) = order([case], handler)
    with pytest.raises(TaskRefused, match=message):
        field_inquiry_record(task=task, found=[found], result="查见", actor=handler, now=NOW)
    task.refresh_from_db()
    assert task.done_at is None
    assert not Asset.objects.exists()
    assert not CaseEvent.objects.filter(kind="field_inquiry_done").exists()


def test_the_second_of_two_bad_items_is_named(court, centre, handler):
    (case,) = file(court, centre, NOW)
    (task,) = order([case], handler)
    found = [FoundInput("deposit", "某银行", "5"), FoundInput("deposit", "某银行", "abc")]
    with pytest.raises(TaskRefused, match="第2项财产的价值"):
        field_inquiry_record(task=task, found=found, result="查见", actor=handler, now=NOW)
    assert not Asset.objects.exists()


def test_what_a_field_inquiry_found_counts_when_triage_runs(court, centre, handler):
    """Two cases whose network finds nothing; one had a field inquiry that found
    a deposit covering the claim before the robot's pass: it goes to the
    one-shot team (T2), the other to the simple team (T5)."""
    cases = file(court, centre, NOW, debtor_ids=debtors_with(lambda a: not a, 2), amount="10000.00")
    (task,) = order([cases[0]], handler)
    field_inquiry_record(
        task=task, found=[FoundInput("deposit", "汉口银行", "20000")], result="查见存款", actor=handler, now=NOW
    )
    assert triage_facts(cases)[cases[0].id]["cash_found"] == 20_000_00
    robot_pass(now=at(2026, 3, 2, 11))
    for c in cases:
        c.refresh_from_db()
    assert (cases[0].triage_rule, cases[0].triage_facts["cash_found"]) == ("T2", 20_000_00)
    assert (cases[1].triage_rule, cases[1].triage_facts["cash_found"]) == ("T5", 0)


def test_ordering_costs_the_same_queries_for_one_case_or_five(court, centre, handler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cases = file(court, centre, NOW, n=6)
    counts = []
    for batch in (cases[:1], cases[1:]):
        with CaptureQueriesContext(connection) as queries:
            order(batch, handler, actor=centre)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert CaseEvent.objects.filter(kind="field_inquiry_ordered").count() == 6
