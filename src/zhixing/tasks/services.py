"""Open and finish tasks, in batches, idempotently.

    tasks_open    open the tasks not yet open (by key); returns all of them
    tasks_finish  record the result of open tasks; a task already done is left as it was
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from zhixing.courts.models import Officer
from zhixing.tasks.models import Task


@dataclass(frozen=True)
class TaskSpec:
    court_id: int
    kind: str
    key: str
    title: str
    case_id: int | None = None
    detail: str = ""
    team_id: int | None = None
    assignee_id: int | None = None
    due_on: date | None = None
    data: dict = field(default_factory=dict)


class TaskRefused(Exception):
    """The request was refused as a whole; the message is Chinese."""


def tasks_open(*, specs: Sequence[TaskSpec], actor: Officer | None, now: datetime) -> list[Task]:
    """Open each task whose key is new in its court; an existing one is kept
    as it is (done or not). Returns the tasks for all specs, in their order."""
    if not specs:
        return []
    for s in specs:
        if s.kind not in Task.Kind.values:
            raise TaskRefused(f"未知的待办类型：“{s.kind}”")
        if not s.title.strip():
            raise TaskRefused("待办事项不能为空")
    with transaction.atomic():
        Task.objects.bulk_create(
            [
                Task(
                    court_id=s.court_id, case_id=s.case_id, kind=s.kind, key=s.key,
                    title=s.title[:200], detail=s.detail, team_id=s.team_id,
                    assignee_id=s.assignee_id, due_on=s.due_on, data=s.data,
                    created_at=now, created_by=actor,
                )
                for s in specs
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        found = {
            (t.court_id, t.key): t
            for t in Task.objects.filter(
                court_id__in={s.court_id for s in specs}, key__in=[s.key for s in specs]
            )
        }
    return [found[(s.court_id, s.key)] for s in specs]


def tasks_finish(
    *, tasks: Sequence[Task], result: str, actor: Officer | None, now: datetime
) -> list[Task]:
    """Mark open tasks done with their result; returns the ones this call finished."""
    if not result.strip():
        raise TaskRefused("请填写办理结果")
    with transaction.atomic():
        ids = list(
            Task.objects.select_for_update()
            .filter(id__in=[t.id for t in tasks], done_at__isnull=True)
            .values_list("id", flat=True)
        )
        Task.objects.filter(id__in=ids).update(done_at=now, done_by=actor, result=result)
        return list(Task.objects.filter(id__in=ids))
