"""分派: each triaged case to its team and that team's least-loaded handler
present today, with the milestones that run from the handler's assignment.

A handler's load is their open cases weighed by stage (rules/workload.py),
read with one grouped query; who is away comes from one query of absences.
Dispatch (and a hand-off, centre/handoff.py) then picks from a heap per team:
first members still under their share of the team's capacity, then the least
weighted load, then the lowest officer id, so the same data always gives the
same handler."""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from zhixing.cases.models import EnforcementCase, ExcludedPeriod, Milestone
from zhixing.cases.services import (
    CaseRow,
    EventSpec,
    _values_insert,
    case_rows,
    milestones_done,
    transition,
)
from zhixing.courts.models import Absence, Court, Officer, Team
from zhixing.courts.services import court_calendar, officers_away
from zhixing.rules.deadlines import milestones_due
from zhixing.rules.workload import case_stage, over_share, share_of, stage_weights


@dataclass
class Desk:
    """One handler's standing: open cases, their weighted load, the share."""

    officer: Officer
    open_cases: int = 0
    load: int = 0
    share: int | None = None
    away: Absence | None = None


def handler_loads(*, court: Court) -> dict[int, tuple[int, int]]:
    """Officer id -> (open cases, weighted load), in one grouped query.

    A case counts for its handler at the weight of its stage, and for its
    home handler (while handed off for a stage) at the weight of "away".
    The weights are the court's (Court.workload_weights over the defaults)."""
    weights = stage_weights(court.workload_weights)
    waiting = Exists(ExcludedPeriod.objects.filter(case_id=OuterRef("pk"), end_on__isnull=True))
    rows = (
        EnforcementCase.objects.filter(court_id=court.id)
        .exclude(state="closed")
        .filter(Q(handler_id__isnull=False) | Q(home_handler_id__isnull=False))
        .order_by()
        .values_list("handler_id", "home_handler_id", "team__kind")
        .annotate(n=Count("id"), waiting=Count("id", filter=Q(waiting)))
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for handler_id, home_id, team_kind, n, n_waiting in rows:
        if handler_id:
            c = counts[handler_id]
            c[0] += n
            c[1] += weights[case_stage(team_kind=team_kind or "", waiting=False)] * (n - n_waiting)
            c[1] += weights["waiting"] * n_waiting
        if home_id:
            c = counts[home_id]
            c[0] += n
            c[1] += weights["away"] * n
    return {k: (v[0], v[1]) for k, v in counts.items()}


class Picker:
    """Every team's handlers at their desks today, ready to take cases.

    Built with three queries whatever the number of cases (officers, absences,
    loads); each pick updates the chosen handler's standing in memory."""

    def __init__(self, *, court: Court, day: date):
        officers = list(
            Officer.objects.filter(court=court, team__isnull=False)
            .select_related("team")
            .order_by("id")
        )
        self.away = officers_away(court=court, day=day)
        loads = handler_loads(court=court)
        self.weights = stage_weights(court.workload_weights)
        self.teams: dict[int, Team] = {}
        self.leaders: dict[int, Officer] = {}
        self.desks: dict[int, Desk] = {}
        self.members: dict[int, list[Desk]] = defaultdict(
            list
        )  # team id -> handlers, present or not
        total_weight: dict[int, int] = defaultdict(int)
        for o in officers:
            self.teams[o.team_id] = o.team
            if o.is_leader and o.team_id not in self.leaders:
                self.leaders[o.team_id] = o
            if o.role == Officer.Role.HANDLER:
                total_weight[o.team_id] += o.weight
        self._total_weight = total_weight
        self._heaps: dict[int, list] = defaultdict(list)
        for o in officers:
            if o.role != Officer.Role.HANDLER:
                continue
            n, load = loads.get(o.id, (0, 0))
            desk = Desk(
                o,
                n,
                load,
                share_of(
                    capacity=o.team.capacity, weight=o.weight, total_weight=total_weight[o.team_id]
                ),
                self.away.get(o.id),
            )
            self.desks[o.id] = desk
            self.members[o.team_id].append(desk)
            if desk.away is None:
                heapq.heappush(self._heaps[o.team_id], (self._key(desk), o.id))

    def _key(self, desk: Desk) -> tuple[bool, int]:
        o = desk.officer
        over = over_share(
            open_cases=desk.open_cases,
            capacity=o.team.capacity,
            weight=o.weight,
            total_weight=self._total_weight[o.team_id],
        )
        return (over, desk.load)

    def pick(self, team: Team) -> Desk | None:
        """The least-loaded handler of `team` present today, as they stood
        before taking one more case of the team's working stage; None if
        nobody is there."""
        heap = self._heaps.get(team.id)
        if not heap:
            return None
        _, oid = heapq.heappop(heap)
        desk = self.desks[oid]
        chosen = Desk(desk.officer, desk.open_cases, desk.load, desk.share)
        desk.open_cases += 1
        desk.load += self.weights[case_stage(team_kind=team.kind, waiting=False)]
        heapq.heappush(heap, (self._key(desk), oid))
        return chosen

    def nobody_text(self, team: Team) -> str:
        """Why no handler was chosen, and whose desk the case now waits on."""
        leader = self.leaders.get(team.id)
        who = f"待团队负责人{leader.name}指定" if leader else "待团队负责人指定"
        members = self.members.get(team.id, [])
        if not members:
            return f"该团队暂无承办人，{who}"
        away = "、".join(
            f"{d.officer.name}{d.away.get_reason_display()}" for d in members if d.away
        )
        return f"该团队承办人今日均不在岗（{away}），{who}"


def cases_dispatch(*, court: Court, now: datetime, limit: int) -> list[CaseRow]:
    """分派: each triaged case to its team and that team's least-loaded handler present today.

    The handlers and their loads are read before the transaction: counting
    every open case of the court takes a while, and on SQLite the
    transaction holds the database's one write lock. A case given to a
    handler meanwhile (by hand) is counted at the next pass: loads guide the
    choice, they record nothing."""
    triaged = EnforcementCase.objects.filter(court=court, state="triaged")
    if not triaged.exists():
        return []
    today = timezone.localdate(now)
    picker = Picker(court=court, day=today)
    with transaction.atomic():
        # Only what dispatch reads (and transition needs): whole rows with
        # their team and title joined cost more than the rest of the step.
        cases = case_rows(
            triaged.order_by("id")[:limit],
            "id", "court_id", "case_number", "state", "version", "team_id", "handler_id", title_kind=F("title__kind"),
        )
        if not cases:
            return []
        teams = Team.objects.in_bulk({c.team_id for c in cases})
        events = {}
        for c in cases:
            team = teams[c.team_id]
            desk = picker.pick(team)
            if desk is not None:
                c.handler_id = desk.officer.id
                who = f"，承办人{desk.officer.name}（在办{desk.open_cases}件，加权负荷{desk.load}）"
                data = {"team": team.kind, "handler": desk.officer.id}
            else:
                c.handler_id = None
                who = "，" + picker.nobody_text(team)
                leader = picker.leaders.get(team.id)
                data = {
                    "team": team.kind,
                    "handler": None,
                    "away": sorted(d.officer.id for d in picker.members.get(team.id, []) if d.away),
                    "leader": leader.id if leader else None,
                }
            events[c.id] = EventSpec("dispatched", f"分派至{team.name}{who}", data)
        moved = transition(
            cases=cases, action="dispatch", actor=None, now=now, events=events, fields=["handler"]
        )
        milestones_done([c.id for c in cases if c.handler_id], "handler_assigned", today)
        calendar = court_calendar(court)
        due = {}  # the milestones depend only on the title's kind (and today)
        for c in cases:
            if c.title_kind not in due:
                due[c.title_kind] = milestones_due(
                    anchor="assigned", start=today, title_kind=c.title_kind, calendar=calendar,
                    overrides=court.deadline_overrides,
                )
        _values_insert(
            Milestone, ["court_id", "case_id", "kind", "due_on", "done_on", "basis"],
            [(court.id, c.id, m.kind, m.due_on, None, m.basis) for c in cases for m in due[c.title_kind]],
            ignore_conflicts=True,
        )
        return moved
