"""Reads of tasks for the board and the workbench."""

from __future__ import annotations

from django.db.models import QuerySet

from zhixing.courts.models import Court, Officer
from zhixing.tasks.models import Task


def tasks_open_for(*, court: Court, officer: Officer | None = None) -> QuerySet[Task]:
    """Open tasks of the court, soonest due first; an officer's own if given."""
    qs = Task.objects.filter(court=court, done_at__isnull=True).select_related("case", "assignee")
    if officer is not None:
        qs = qs.filter(assignee=officer)
    return qs.order_by("due_on", "id")
