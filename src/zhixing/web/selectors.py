"""Reads behind the pages: the command-centre board, the team workbench and
the case list. Each page calls one function here, which does a fixed number of
grouped queries whatever the number of cases, and hands back plain rows whose
money is already written in yuan (templates never see fen).

The case page lives in web/dossier.py, the dashboard's data in web/dashboard.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase, Milestone
from zhixing.cases.periods import TIME_LIMIT_PAUSED
from zhixing.courts.models import Court, Officer, Team
from zhixing.courts.services import court_calendar
from zhixing.funds.selectors import recovered_subquery
from zhixing.rules.deadlines import DEFAULT_MILESTONES, add_months
from zhixing.rules.money import format_yuan
from zhixing.stats.measures import day_bounds

PAGE_SIZE = 50
BOARD_LIST_SIZE = 20
MILESTONE_LABELS = {m.kind: m.label for m in DEFAULT_MILESTONES}


@dataclass(frozen=True)
class DueStatus:
    """How a milestone stands today, as the badge shows it."""

    text: str  # 已完成 / 逾期3天 / 今日到期 / 剩余5天
    css: str  # done / overdue / warn / ""
    days_left: int | None = None


def due_status(due_on: date | None, done_on: date | None, today: date) -> DueStatus:
    if done_on is not None:
        return DueStatus("已完成", "done")
    if due_on is None:
        return DueStatus("—", "")
    if due_on >= TIME_LIMIT_PAUSED:  # an excluded period is running (rules.md §3)
        return DueStatus("审限暂停计算", "")
    days = (due_on - today).days
    if days < 0:
        return DueStatus(f"逾期{-days}天", "overdue", days)
    if days == 0:
        return DueStatus("今日到期", "warn", 0)
    return DueStatus(f"剩余{days}天", "warn" if days <= 3 else "", days)


def with_parties():
    """Prefetch each case's parties in one query, creditors first."""
    return Prefetch(
        "case_parties",
        queryset=CaseParty.objects.select_related("party").order_by("role", "position", "id"),
    )


def parties_line(case: EnforcementCase) -> str:
    """申请执行人 → 被执行人, names joined with 、 (from the prefetched rows)."""
    creditors = [cp.party.name for cp in case.case_parties.all() if cp.role == "creditor"]
    debtors = [cp.party.name for cp in case.case_parties.all() if cp.role == "debtor"]
    return f"{'、'.join(creditors)} → {'、'.join(debtors)}"


# ---------------------------------------------------------------- board


@dataclass(frozen=True)
class TeamCount:
    kind: str
    name: str
    count: int


@dataclass(frozen=True)
class OverdueRow:
    case_id: int
    case_number: str
    label: str
    due_on: date
    days_overdue: int
    handler: str


@dataclass
class Board:
    today: date
    waiting: int  # 已立案待查控
    inquiring: int
    triaged: int  # waiting for dispatch
    dispatched_today: int
    triaged_today: list[TeamCount]
    overdue: int
    overdue_rows: list[OverdueRow] = field(default_factory=list)
    recent: list[EnforcementCase] = field(default_factory=list)
    missing_years: list[int] = field(default_factory=list)
    # tasks.selectors.DueWarnings (capped): due within 3 days, overdue tasks; and
    # the director's queue of extension requests (延长审限待审批).
    warnings: object = None
    extensions: list = field(default_factory=list)
    # 查控失败待人工处理: open inquiry_failed tasks (count on the tiles, rows below).
    inquiry_failed: int = 0
    inquiry_failed_rows: list = field(default_factory=list)
    # 案款发放: plans due within the court's warning days or overdue (funds/payouts.py).
    payout_warnings: object = None
    # 待认领款: unmatched money at or past its claim limit (funds/statement_selectors.py).
    claim_warnings: list = field(default_factory=list)

    @property
    def triaged_today_total(self) -> int:
        return sum(t.count for t in self.triaged_today)


def _overdue_milestones(court: Court, today: date) -> QuerySet:
    return Milestone.objects.filter(court=court, done_on__isnull=True, due_on__lt=today).exclude(
        case__state="closed"
    )


def _inquiry_failed_tasks(court: Court) -> QuerySet:
    """Network inquiries the robot gave up on: open tasks for a person (inquiry/services.py)."""
    from zhixing.tasks.models import Task

    return Task.objects.filter(court=court, kind="inquiry_failed", done_at__isnull=True).order_by("due_on", "id")


def board_for(*, court: Court, today: date, tiles_only: bool = False) -> Board:
    """执行指挥中心看板. The tiles are a few grouped counts (they refresh every
    few seconds); the lists below them are read only for the full page."""
    states = dict(
        EnforcementCase.objects.filter(court=court)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    lo, hi = day_bounds(today, today)
    today_events = CaseEvent.objects.filter(court=court, at__gte=lo, at__lt=hi)
    per_team = dict(
        today_events.filter(kind="triaged")
        .order_by()
        .values_list("data__team")
        .annotate(n=Count("id"))
    )
    teams = Team.objects.filter(court=court).order_by("id")
    board = Board(
        today=today,
        waiting=states.get("filed", 0),
        inquiring=states.get("inquiring", 0),
        triaged=states.get("triaged", 0),
        dispatched_today=today_events.filter(kind="dispatched").count(),
        triaged_today=[TeamCount(t.kind, t.name, per_team.get(t.kind, 0)) for t in teams],
        overdue=_overdue_milestones(court, today).count(),
    )
    board.inquiry_failed = _inquiry_failed_tasks(court).count()
    if tiles_only:
        return board
    board.inquiry_failed_rows = list(_inquiry_failed_tasks(court).select_related("case")[:BOARD_LIST_SIZE])
    rows = (
        _overdue_milestones(court, today)
        .select_related("case", "case__handler")
        .order_by("due_on", "id")
    )
    board.overdue_rows = [
        OverdueRow(
            case_id=m.case_id,
            case_number=m.case.case_number,
            label=MILESTONE_LABELS.get(m.kind, m.kind),
            due_on=m.due_on,
            days_overdue=(today - m.due_on).days,
            handler=m.case.handler.name if m.case.handler_id else "未指定",
        )
        for m in rows[:BOARD_LIST_SIZE]
    ]
    board.recent = list(
        EnforcementCase.objects.filter(court=court)
        .select_related("team")
        .prefetch_related(with_parties())
        .order_by("-filed_on", "-id")[:BOARD_LIST_SIZE]
    )
    for case in board.recent:
        case.parties_line = parties_line(case)
        case.amount_yuan = format_yuan(case.amount_claimed)
    board.missing_years = court_calendar(court).missing_years(today, add_months(today, 12))
    board.warnings, board.extensions = _board_warnings(court, today)
    board.payout_warnings = _payout_warnings(court, today)  # money out (funds/payouts.py)
    board.claim_warnings = claim_warnings(court=court, today=today, limit=BOARD_LIST_SIZE)  # money in
    return board


def claim_warnings(*, court: Court, today: date, limit: int):
    from zhixing.funds.statement_selectors import claim_warnings as unmatched_due

    return unmatched_due(court=court, today=today, limit=limit)


def _payout_warnings(court: Court, today: date, handler: Officer | None = None, team: Team | None = None):
    """案款发放 plans due soon or overdue, capped like the other warnings."""
    from zhixing.funds.payouts import payout_warnings

    return payout_warnings(court=court, today=today, handler=handler, team=team).capped(BOARD_LIST_SIZE)


def _board_warnings(court: Court, today: date):
    """Field inquiries and lead checks (查控失败 has its own block), and every
    milestone due within 3 days; overdue milestones are the block above."""
    from zhixing.tasks.selectors import due_warnings, extensions_pending

    rows = due_warnings(court=court, today=today, task_kinds=("field_inquiry", "lead_check"))
    rows = rows.narrowed(lambda r: r.is_task or r.days >= 0).capped(BOARD_LIST_SIZE)
    return rows, extensions_pending(court=court)


# ---------------------------------------------------------------- workbench


@dataclass(frozen=True)
class WorkbenchRow:
    case: EnforcementCase
    parties: str
    next_label: str
    next_due: date | None
    status: DueStatus
    claimed: str
    recovered: str
    days_since_filing: int


@dataclass
class Workbench:
    scope: str  # mine / team / court
    title: str
    team: Team | None
    teams: list[Team]  # what the picker offers (empty for team members)
    show_handler: bool
    page: Page
    rows: list[WorkbenchRow]
    roster: object = None  # centre.selectors.Roster: the team's members, loads, who is away
    warnings: object = None  # tasks.selectors.DueWarnings (capped): overdue, due within 3 days
    payout_warnings: object = None  # 案款发放 plans due soon or overdue (funds/payouts.py)


def _workbench_scope(
    officer: Officer, want_team: bool, team_kind: str
) -> tuple[str, Team | None, list[Team]]:
    """Whose cases the officer sees: a handler their own (or their team's on
    request), other team members their team's, everyone else a team they pick."""
    if officer.role == Officer.Role.HANDLER and not (want_team and officer.team_id):
        return "mine", officer.team, []
    if officer.team_id:
        return "team", officer.team, []
    teams = list(Team.objects.filter(court_id=officer.court_id).order_by("id"))
    picked = next((t for t in teams if t.kind == team_kind), None)
    return ("team" if picked else "court"), picked, teams


def workbench_for(
    *, officer: Officer, today: date, want_team: bool = False, team_kind: str = "", page_number=1
) -> Workbench:
    """团队工作台: open cases at a team, soonest deadline first. The next open
    milestone and the amount recovered are subqueries of the one case query,
    so a page costs the same few queries for 3 cases or 3,000."""
    scope, team, teams = _workbench_scope(officer, want_team, team_kind)
    cases = EnforcementCase.objects.filter(court_id=officer.court_id, state="dispatched")
    if scope == "mine":
        cases = cases.filter(handler=officer)
        title = f"{officer.name}的在办案件"
    elif team is not None:
        cases = cases.filter(team=team)
        title = f"{team.name}在办案件"
    else:
        title = "全院团队在办案件"
    next_open = Milestone.objects.filter(case_id=OuterRef("pk"), done_on__isnull=True).order_by(
        "due_on", "id"
    )
    cases = (
        cases.annotate(
            next_due=Subquery(next_open.values("due_on")[:1]),
            next_kind=Subquery(next_open.values("kind")[:1]),
            recovered=recovered_subquery(),
        )
        .select_related("handler", "team")
        .prefetch_related(with_parties())
        .order_by(F("next_due").asc(nulls_last=True), "filed_on", "id")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(page_number)
    rows = [
        WorkbenchRow(
            case=c,
            parties=parties_line(c),
            next_label=MILESTONE_LABELS.get(c.next_kind, "—") if c.next_kind else "—",
            next_due=c.next_due,
            status=due_status(c.next_due, None, today),
            claimed=format_yuan(c.amount_claimed),
            recovered=format_yuan(c.recovered),
            days_since_filing=(today - c.filed_on).days,
        )
        for c in page.object_list
    ]
    return Workbench(
        scope=scope,
        title=title,
        team=team,
        teams=teams,
        show_handler=scope != "mine",
        page=page,
        rows=rows,
        roster=_team_roster(team, today) if team is not None and scope == "team" else None,
        warnings=_bench_warnings(officer, scope, team, today),
        payout_warnings=_payout_warnings(
            officer.court, today, handler=officer if scope == "mine" else None, team=team
        ),
    )


def _bench_warnings(officer: Officer, scope: str, team: Team | None, today: date):
    from zhixing.tasks.selectors import due_warnings

    return due_warnings(
        court=officer.court, today=today, handler=officer if scope == "mine" else None, team=team
    ).capped(BOARD_LIST_SIZE)


def _team_roster(team: Team, today: date):
    from zhixing.centre.selectors import team_roster  # centre reads cases; keep web's imports one-way

    return team_roster(team=team, today=today)


# ---------------------------------------------------------------- case list


def cases_filtered(*, court: Court, filters: dict) -> QuerySet:
    """The court's cases narrowed by the case-list filters (cleaned values;
    a missing or empty key does not filter). The dashboard's chart links land
    here, so each filter matches how the chart counted."""
    cases = EnforcementCase.objects.filter(court=court)
    exact = {
        "state": "state",
        "team": "team__kind",
        "type_code": "type_code",
        "handler": "handler_id",
        "closing_mode": "closing_mode",
        "filed_from": "filed_on__gte",
        "filed_to": "filed_on__lte",
        "closed_from": "closed_on__gte",
        "closed_to": "closed_on__lte",
    }
    for key, lookup in exact.items():
        value = filters.get(key)
        if value not in (None, ""):
            cases = cases.filter(**{lookup: value})
    start, end = filters.get("triaged_from"), filters.get("triaged_to")
    if start or end:
        triaged = CaseEvent.objects.filter(court=court, kind="triaged")
        if start:
            triaged = triaged.filter(at__gte=day_bounds(start, start)[0])
        if end:
            triaged = triaged.filter(at__lt=day_bounds(end, end)[1])
        cases = cases.filter(id__in=triaged.values("case_id"))
    q = (filters.get("q") or "").strip()
    if q:
        named = CaseParty.objects.filter(case__court=court, party__name__icontains=q).values(
            "case_id"
        )
        cases = cases.filter(Q(case_number__icontains=q) | Q(id__in=named))
    return cases


def case_list_page(*, court: Court, filters: dict, page_number=1) -> Page:
    cases = (
        cases_filtered(court=court, filters=filters)
        .select_related("team", "handler")
        .prefetch_related(with_parties())
        .order_by("-filed_on", "-id")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    for case in page.object_list:
        case.parties_line = parties_line(case)
        case.amount_yuan = format_yuan(case.amount_claimed)
    return page
