"""Warnings on the board and the workbench: what falls due within 3 days and
what is overdue, milestones and open tasks (线下查询, 线索核查) each in their
block, in a fixed number of queries whatever the number of cases."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.centre.test_pipeline import debtors_with
from tests.web.conftest import at, file, table
from zhixing.centre.services import robot_pass
from zhixing.courts.models import Officer
from zhixing.tasks.inquiries import field_inquiries_order, lead_report
from zhixing.tasks.selectors import due_warnings
from zhixing.tasks.services import TaskSpec, tasks_open

_used = set()


def bare(court, centre, when, n=1):
    codes = [c for c in debtors_with(lambda a: not a, n + len(_used)) if c not in _used][:n]
    cases = file(court, centre, when, debtor_ids=codes)
    robot_pass(now=when)
    for c in cases:
        c.refresh_from_db()
    return cases


@pytest.fixture
def scene(court, centre, today):
    """On Monday 2 March: an old case (dispatched 2 February) with a field
    inquiry 20 days overdue; a new case (dispatched today) whose leads request
    falls due on Thursday 5 March, with an urgent lead due the same day and a
    field inquiry due on 20 March; an inquiry_failed task (another block's)."""
    _used.clear()
    (old,) = bare(court, centre, at(2026, 2, 2, 9))
    _used.update(cp.party.id_code for cp in old.case_parties.filter(role="debtor"))
    (new,) = bare(court, centre, at(2026, 3, 2, 9))
    field_inquiries_order(
        cases=[old], officer=old.handler, place="汉阳区不动产登记中心", due_on=date(2026, 2, 10),
        actor=centre, now=at(2026, 2, 3),
    )
    field_inquiries_order(
        cases=[new], officer=new.handler, place="被执行人住所", due_on=date(2026, 3, 20),
        actor=centre, now=at(2026, 3, 2, 11),
    )
    creditor = new.case_parties.get(role="creditor").party
    lead_report(
        case=new, kind="vehicle", description="鄂A88888", urgent=True, reported_by_party_id=creditor.id,
        actor=centre, now=at(2026, 3, 2, 11),
    )
    tasks_open(
        specs=[TaskSpec(court.id, "inquiry_failed", "inquiry_failed:x", "存款查询失败", case_id=old.id,
                        due_on=date(2026, 2, 20))],
        actor=None, now=at(2026, 2, 18),
    )
    return old, new


def test_the_board_lists_due_soon_and_overdue_tasks_in_their_own_blocks(scene, login):
    old, new = scene
    body = login("centre").get("/board/").content.decode()
    soon = table(body, 'id="due-soon"')
    assert [r[:5] for r in soon] == [
        [old.case_number, "财产调查完毕", "节点", "2026-03-02", "今日到期"],  # a month after 2 February
        [new.case_number, "通知申请执行人提供财产线索", "节点", "2026-03-05", "剩余3天"],
        [new.case_number, f"核查财产线索：{new.case_number}（车辆）", "核查财产线索", "2026-03-05", "剩余3天"],
    ]
    late = table(body, 'id="overdue-tasks"')
    assert [r[:5] for r in late] == [
        [old.case_number, f"线下查询：{old.case_number}（汉阳区不动产登记中心）", "线下查询", "2026-02-10", "逾期20天"],
    ]
    # The failed inquiry is the 查控失败 block's, and overdue milestones stay in 逾期节点.
    mine = body[body.index('id="warnings"') : body.index('id="extensions"')]
    assert "存款查询失败" not in mine
    assert "通知申请执行人提供财产线索" not in mine[mine.index('id="overdue-tasks"') :]


def username(officer_id):
    return Officer.objects.get(pk=officer_id).user.username


def test_a_handlers_workbench_shows_their_overdue_and_due_soon(scene, login):
    old, new = scene
    body = login(username(old.handler_id)).get("/workbench/").content.decode()
    overdue = table(body, 'id="bench-overdue"')
    whats = [r[1] for r in overdue]
    assert "通知申请执行人提供财产线索" in whats  # due 5 February
    assert f"线下查询：{old.case_number}（汉阳区不动产登记中心）" in whats
    assert "存款查询失败" in whats  # the centre's task on their case: the workbench lists every kind
    assert all(r[0] == old.case_number and "逾期" in r[4] for r in overdue)
    assert [r[1] for r in table(body, 'id="bench-due-soon"')] == ["财产调查完毕"]

    body = login(username(new.handler_id)).get("/workbench/").content.decode()
    assert "没有逾期的节点或待办" in body
    soon = table(body, 'id="bench-due-soon"')
    assert [(r[1], r[4]) for r in soon] == [
        ("通知申请执行人提供财产线索", "剩余3天"),
        (f"核查财产线索：{new.case_number}（车辆）", "剩余3天"),
    ]


def test_another_handler_sees_none_of_it(scene, login, court):
    others = Officer.objects.filter(court=court, role="handler").exclude(
        pk__in=[scene[0].handler_id, scene[1].handler_id]
    )
    body = login(others.first().user.username).get("/workbench/").content.decode()
    assert "没有逾期的节点或待办" in body and "3日内没有到期的节点或待办" in body


def test_the_warnings_cost_the_same_queries_for_more_cases(court, centre, today):
    bare(court, centre, at(2026, 3, 2, 9), n=2)
    with CaptureQueriesContext(connection) as few:
        rows = due_warnings(court=court, today=date(2026, 3, 2))
    assert len(rows.due_soon) == 2
    _used.update(debtors_with(lambda a: not a, 2))
    bare(court, centre, at(2026, 3, 2, 9), n=4)
    with CaptureQueriesContext(connection) as many:
        rows = due_warnings(court=court, today=date(2026, 3, 2))
    assert len(rows.due_soon) == 6
    assert len(many) == len(few)


def test_a_working_day_milestone_counts_working_days_over_a_holiday(court, centre, monkeypatch):
    """On 30 September a step due on 8 October is 8 calendar days away but one
    working day (1–7 October are the National Day holiday): due soon only if
    its rule counts 工作日."""
    from zhixing.cases.models import Milestone
    from zhixing.tasks import selectors

    (case,) = bare(court, centre, at(2026, 3, 2, 9))
    Milestone.objects.filter(case=case).update(done_on=date(2026, 3, 2))
    Milestone.objects.filter(case=case, kind="notice_sent").update(done_on=None, due_on=date(2026, 10, 8))
    today = date(2026, 9, 30)
    assert due_warnings(court=court, today=today).due_soon == []
    monkeypatch.setitem(selectors._UNITS, "notice_sent", "working_days")
    (row,) = due_warnings(court=court, today=today).due_soon
    assert (row.what, row.days, row.status) == ("发送执行通知书、报告财产令", 1, "剩余1天")
