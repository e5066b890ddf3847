"""Reads for teams: members with their weighted load, share and absence
today (the workbench and the team page), and what the case page offers for
hand-offs and reassignment. A fixed few queries whatever the caseload."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from zhixing.cases.models import EnforcementCase
from zhixing.centre.dispatch import handler_loads
from zhixing.courts.models import Absence, Officer, Team
from zhixing.courts.services import may_manage_team, officers_away
from zhixing.rules.workload import HANDOFF_STAGES, STAGE_WEIGHTS, share_of, stage_weights


@dataclass(frozen=True)
class MemberRow:
    officer: Officer
    role: str
    leader: bool
    open_cases: int
    load: int
    share: int | None  # of the team's capacity; None: no capacity set
    over: bool
    away: str  # "" when present; else 休假（至11月30日）


@dataclass
class Roster:
    team: Team
    members: list[MemberRow]
    open_cases: int
    unassigned: int  # open cases waiting for the leader to name a handler
    capacity: int | None
    away_count: int
    weights: list[tuple[str, int]] = field(default_factory=list)  # (stage label, weight) in force
    absences: list[Absence] = field(default_factory=list)  # current and coming

    @property
    def over_capacity(self) -> bool:
        return bool(self.capacity) and self.open_cases > self.capacity


def team_roster(*, team: Team, today: date, with_absences: bool = False) -> Roster:
    """A team's members: open cases, weighted load, share and who is away today."""
    officers = list(Officer.objects.filter(team=team).order_by("-is_leader", "id"))
    away = officers_away(court=team.court_id, day=today)
    loads = handler_loads(court=team.court)
    total_weight = sum(o.weight for o in officers if o.role == Officer.Role.HANDLER)
    rows = []
    for o in officers:
        n, load = loads.get(o.id, (0, 0))
        share = (
            share_of(capacity=team.capacity, weight=o.weight, total_weight=total_weight)
            if o.role == Officer.Role.HANDLER
            else None
        )
        a = away.get(o.id)
        rows.append(
            MemberRow(
                officer=o,
                role=o.get_role_display(),
                leader=o.is_leader,
                open_cases=n,
                load=load,
                share=share,
                over=share is not None and n >= share,
                away=f"{a.get_reason_display()}（至{a.end_on.month}月{a.end_on.day}日）"
                if a
                else "",
            )
        )
    counts = EnforcementCase.objects.filter(team=team, state="dispatched").aggregate(
        n=Count("id"), unassigned=Count("id", filter=Q(handler__isnull=True))
    )
    roster = Roster(
        team=team,
        members=rows,
        open_cases=counts["n"],
        unassigned=counts["unassigned"],
        capacity=team.capacity,
        away_count=sum(1 for r in rows if r.away),
        weights=[
            (STAGE_WEIGHTS[k][0], w) for k, w in stage_weights(team.court.workload_weights).items()
        ],
    )
    if with_absences:
        roster.absences = list(
            Absence.objects.filter(officer__team=team, end_on__gte=today)
            .select_related("officer")
            .order_by("start_on", "id")
        )
    return roster


@dataclass
class HandoffPanel:
    """What the signed-in officer may do with the case, and the choices."""

    can_hand_off: bool
    can_hand_back: bool
    can_reassign: bool
    stages: list[tuple[str, str, str]]  # (key, label, team kind)
    teams: list[Team]  # teams it may be handed to
    handlers: list[MemberRow]  # team handlers it may be given to
    home_team: Team | None
    home_handler: Officer | None
    stage_label: str

    @property
    def any(self) -> bool:
        return self.can_hand_off or self.can_hand_back or self.can_reassign


def handoff_panel(*, officer: Officer | None, case: EnforcementCase, today: date) -> HandoffPanel:
    is_open = case.state == "dispatched"
    away_from_home = bool(case.home_team_id)
    manages = may_manage_team(officer, case.team_id) if officer else False
    own = officer is not None and officer.id == case.handler_id
    can_hand_off = is_open and not away_from_home and (manages or own)
    can_hand_back = (
        is_open
        and away_from_home
        and (
            manages
            or own
            or (
                officer is not None
                and (
                    may_manage_team(officer, case.home_team_id)
                    or officer.id == case.home_handler_id
                )
            )
        )
    )
    can_reassign = is_open and manages
    teams, handlers = [], []
    if can_hand_off:
        teams = list(
            Team.objects.filter(court_id=case.court_id).exclude(id=case.team_id).order_by("id")
        )
    if can_reassign and case.team_id:
        roster = team_roster(team=case.team, today=today)
        handlers = [
            m
            for m in roster.members
            if m.officer.role == Officer.Role.HANDLER and m.officer.id != case.handler_id
        ]
    return HandoffPanel(
        can_hand_off=can_hand_off,
        can_hand_back=can_hand_back,
        can_reassign=can_reassign,
        stages=[(k, label, kind) for k, (label, kind) in HANDOFF_STAGES.items()],
        teams=teams,
        handlers=handlers,
        home_team=case.home_team if away_from_home else None,
        home_handler=case.home_handler if away_from_home else None,
        stage_label=HANDOFF_STAGES.get(case.stage, (case.stage,))[0] if case.stage else "",
    )
