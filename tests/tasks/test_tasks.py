"""待办: opening twice keeps one task, finishing needs a result and happens once."""

import pytest

from tests.conftest import at
from zhixing.tasks.models import Task
from zhixing.tasks.selectors import tasks_open_for
from zhixing.tasks.services import TaskRefused, TaskSpec, tasks_finish, tasks_open


def spec(court, key="inquiry_failed:1:deposit:1", **kw):
    return TaskSpec(court_id=court.id, kind="inquiry_failed", key=key, title="银行存款查询失败", **kw)


def test_opening_the_same_key_twice_keeps_the_first_task(court, now):
    (first,) = tasks_open(specs=[spec(court)], actor=None, now=now)
    again = tasks_open(specs=[spec(court), spec(court, key="other")], actor=None, now=at(2026, 3, 3))
    assert again[0].id == first.id and again[0].created_at == now
    assert Task.objects.count() == 2


def test_finishing_records_the_result_once(court, centre, now):
    (task,) = tasks_open(specs=[spec(court)], actor=None, now=now)
    assert list(tasks_open_for(court=court)) == [task]
    assert [t.id for t in tasks_finish(tasks=[task], result="已线下查询", actor=centre, now=now)] == [task.id]
    assert tasks_finish(tasks=[task], result="再次办理", actor=centre, now=at(2026, 3, 4)) == []
    task.refresh_from_db()
    assert (task.result, task.done_by, task.done_at) == ("已线下查询", centre, now)
    assert list(tasks_open_for(court=court)) == []


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(court, centre, now):
    with pytest.raises(TaskRefused, match="未知的待办类型"):
        tasks_open(specs=[spec(court), TaskSpec(court.id, "nonsense", "k", "x")], actor=None, now=now)
    assert Task.objects.count() == 0
    (task,) = tasks_open(specs=[spec(court)], actor=None, now=now)
    with pytest.raises(TaskRefused, match="请填写办理结果"):
        tasks_finish(tasks=[task], result="  ", actor=centre, now=now)
