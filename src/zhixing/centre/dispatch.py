"""分派: each triaged case to its team and that team's least-loaded handler,
with the milestones that run from the handler's assignment."""

from __future__ import annotations

import heapq
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from zhixing.cases.models import EnforcementCase, Milestone
from zhixing.cases.services import EventSpec, transition
from zhixing.courts.models import Court, Officer
from zhixing.courts.services import court_calendar
from zhixing.rules.deadlines import milestones_due


def cases_dispatch(*, court: Court, now: datetime, limit: int) -> list[EnforcementCase]:
    """分派: each triaged case to its team and that team's least-loaded handler."""
    with transaction.atomic():
        cases = list(
            EnforcementCase.objects.filter(court=court, state="triaged").select_related("team", "title").order_by("id")[:limit]
        )
        if not cases:
            return []
        handlers = list(Officer.objects.filter(court=court, role="handler", team__isnull=False))
        load = dict(
            EnforcementCase.objects.filter(handler__in=handlers).exclude(state="closed")
            .values("handler_id").annotate(n=Count("id")).values_list("handler_id", "n")
        )
        queues = defaultdict(list)  # team id -> heap of (open cases, officer id, officer)
        for h in handlers:
            heapq.heappush(queues[h.team_id], (load.get(h.id, 0), h.id, h))
        events = {}
        for c in cases:
            team = c.team
            heap = queues[team.id]
            if heap:
                n, hid, handler = heapq.heappop(heap)
                c.handler = handler
                heapq.heappush(heap, (n + 1, hid, handler))
                who = f"，承办人{handler.name}（在办{n}件）"
            else:
                c.handler = None
                who = "，该团队暂无承办人，待团队负责人指定"
            events[c.id] = EventSpec(
                "dispatched", f"分派至{team.name}{who}",
                {"team": team.kind, "handler": c.handler.id if c.handler else None},
            )
        moved = transition(cases=cases, action="dispatch", actor=None, now=now, events=events, fields=["handler"])
        today = timezone.localdate(now)
        Milestone.objects.filter(
            case__in=[c for c in cases if c.handler], kind="handler_assigned", done_on__isnull=True
        ).update(done_on=today)
        calendar = court_calendar(court)
        Milestone.objects.bulk_create(
            [
                Milestone(court=court, case=c, kind=m.kind, due_on=m.due_on, basis=m.basis)
                for c in cases
                for m in milestones_due(
                    anchor="assigned", start=today, title_kind=c.title.kind, calendar=calendar,
                    overrides=court.deadline_overrides,
                )
            ],
            ignore_conflicts=True,
        )
        return moved
