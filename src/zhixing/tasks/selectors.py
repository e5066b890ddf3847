"""Reads of tasks for the board, the workbench, the case page and the digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from zhixing.cases.models import CaseParty, EnforcementCase, Extension, Milestone
from zhixing.courts.models import Court, Officer, Team
from zhixing.courts.services import court_calendar
from zhixing.rules.assets import ASSET_KINDS
from zhixing.rules.deadlines import DEFAULT_MILESTONES, days_left, extension_may_request
from zhixing.tasks.models import Lead, Task


def tasks_open_for(*, court: Court, officer: Officer | None = None) -> QuerySet[Task]:
    """Open tasks of the court, soonest due first; an officer's own if given."""
    qs = Task.objects.filter(court=court, done_at__isnull=True).select_related("case", "assignee")
    if officer is not None:
        qs = qs.filter(assignee=officer)
    return qs.order_by("due_on", "id")


# ---------------------------------------------------------------- warnings

# What "due soon" means on the board, the workbench and the daily digest.
DUE_SOON_DAYS = 3
# 3 working days can span a long holiday: read this many calendar days ahead,
# then count each milestone's days as its rule does (rules.deadlines.days_left).
_LOOKAHEAD = timedelta(days=DUE_SOON_DAYS + 12)
_UNITS = {m.kind: m.unit for m in DEFAULT_MILESTONES}
_LABELS = {m.kind: m.label for m in DEFAULT_MILESTONES}
TASK_KINDS = tuple(Task.Kind.values)


@dataclass(frozen=True)
class WarnRow:
    """A milestone or an open task that is overdue or due soon."""

    case_id: int | None
    case_number: str
    what: str  # 节点 label, or the task's title
    source: str  # "节点" / the task kind's label
    due_on: date
    days: int  # left (0: today), negative when overdue, counted as the rule counts
    who: str  # the handler, or the task's assignee
    handler_id: int | None
    team_id: int | None
    assignee_id: int | None
    is_task: bool

    @property
    def status(self) -> str:
        if self.days < 0:
            return f"逾期{-self.days}天"
        return "今日到期" if self.days == 0 else f"剩余{self.days}天"


@dataclass
class DueWarnings:
    overdue: list[WarnRow] = field(default_factory=list)
    due_soon: list[WarnRow] = field(default_factory=list)

    def narrowed(self, keep) -> DueWarnings:
        return DueWarnings([r for r in self.overdue if keep(r)], [r for r in self.due_soon if keep(r)])

    def capped(self, n: int) -> DueWarnings:
        """The first n of each list; the totals stay readable as overdue_total …"""
        out = DueWarnings(self.overdue[:n], self.due_soon[:n])
        out.overdue_total, out.due_soon_total = len(self.overdue), len(self.due_soon)
        return out


def due_warnings(
    *,
    court: Court,
    today: date,
    milestones: bool = True,
    task_kinds: Sequence[str] = TASK_KINDS,
    handler: Officer | None = None,
    team: Team | None = None,
) -> DueWarnings:
    """Milestones of open cases and open tasks that are overdue or due within
    DUE_SOON_DAYS, oldest first. Days count as each rule counts (工作日 where it
    says so). Narrowed to a handler's cases and tasks, or a team's, when given.
    Two queries and the court's calendar, whatever the numbers."""
    calendar = court_calendar(court)
    horizon = today + _LOOKAHEAD
    rows: list[WarnRow] = []
    if milestones:
        ms = (
            Milestone.objects.filter(court=court, done_on__isnull=True, due_on__lte=horizon)
            .exclude(case__state="closed")
            .select_related("case", "case__handler")
        )
        if handler is not None:
            ms = ms.filter(case__handler=handler)
        elif team is not None:
            ms = ms.filter(case__team=team)
        for m in ms:
            unit = _UNITS.get(m.kind, "days")
            rows.append(
                WarnRow(
                    case_id=m.case_id,
                    case_number=m.case.case_number,
                    what=_LABELS.get(m.kind, m.kind),
                    source="节点",
                    due_on=m.due_on,
                    days=days_left(due_on=m.due_on, today=today, unit=unit, calendar=calendar),
                    who=m.case.handler.name if m.case.handler_id else "未指定",
                    handler_id=m.case.handler_id,
                    team_id=m.case.team_id,
                    assignee_id=None,
                    is_task=False,
                )
            )
    if task_kinds:
        ts = (
            Task.objects.filter(
                court=court, done_at__isnull=True, kind__in=list(task_kinds), due_on__lte=horizon
            )
            .exclude(case__state="closed")  # a closed case's leftovers do not nag
            .select_related("case", "assignee")
        )
        if handler is not None:
            ts = ts.filter(Q(assignee=handler) | Q(assignee__isnull=True, case__handler=handler))
        elif team is not None:
            ts = ts.filter(Q(team=team) | Q(case__team=team))
        for t in ts:
            rows.append(
                WarnRow(
                    case_id=t.case_id,
                    case_number=t.case.case_number if t.case_id else "—",
                    what=t.title,
                    source=t.get_kind_display(),
                    due_on=t.due_on,
                    days=(t.due_on - today).days,
                    who=t.assignee.name if t.assignee_id else "指挥中心",
                    handler_id=t.case.handler_id if t.case_id else None,
                    team_id=t.team_id or (t.case.team_id if t.case_id else None),
                    assignee_id=t.assignee_id,
                    is_task=True,
                )
            )
    rows.sort(key=lambda r: (r.due_on, r.case_number, r.is_task, r.what))
    return DueWarnings(
        overdue=[r for r in rows if r.days < 0],
        due_soon=[r for r in rows if 0 <= r.days <= DUE_SOON_DAYS],
    )


def extensions_pending(*, court: Court) -> list[Extension]:
    """延长审限待审批, oldest request first (the director's queue)."""
    return list(
        Extension.objects.filter(court=court, status="pending")
        .select_related("case", "requested_by")
        .order_by("requested_at", "id")
    )


# ---------------------------------------------------------------- case page


@dataclass
class CasePanel:
    """Field inquiries, leads and extensions of one case, for its page."""

    case: EnforcementCase
    field_tasks: list[Task]
    leads: list[Lead]
    extensions: list[Extension]
    creditors: list
    debtors: list
    officers: list[Officer]
    kinds: list[tuple[str, str]]
    can_request_extension: bool
    extension_hint: str
    can_decide: bool
    today: date

    @property
    def show_extension(self) -> bool:
        """The handler sees when they may ask; everyone sees a request once made."""
        return bool(self.extensions) or self.is_handler

    is_handler: bool = False


def case_panel(*, case: EnforcementCase, officer: Officer | None, today: date) -> CasePanel:
    """What the case page's 线下查询 / 财产线索 / 延长审限 section shows and offers."""
    from zhixing.cases.periods import TIME_LIMIT_PAUSED

    field_tasks = list(
        Task.objects.filter(case=case, kind="field_inquiry").select_related("assignee").order_by("created_at", "id")
    )
    leads = list(
        Lead.objects.filter(case=case)
        .select_related("reported_by_party", "asset", "task__assignee")
        .order_by("reported_on", "id")
    )
    extensions = list(
        Extension.objects.filter(case=case).select_related("requested_by", "decided_by").order_by("requested_at", "id")
    )
    parties = list(CaseParty.objects.filter(case=case).select_related("party").order_by("role", "position", "id"))
    limit = next(
        (m for m in Milestone.objects.filter(case=case, kind="time_limit", done_on__isnull=True)), None
    )
    hint, may = "", False
    if limit is not None and case.state != "closed":
        decision = extension_may_request(
            limit_due_on=None if limit.due_on >= TIME_LIMIT_PAUSED else limit.due_on,
            today=today,
            granted=sum(e.status == "approved" for e in extensions),
            pending=any(e.status == "pending" for e in extensions),
        )
        may, hint = bool(decision), decision.explain()
    is_handler = officer is not None and officer.id == case.handler_id
    return CasePanel(
        case=case,
        field_tasks=field_tasks,
        leads=leads,
        extensions=extensions,
        creditors=[cp.party for cp in parties if cp.role == "creditor"],
        debtors=[cp.party for cp in parties if cp.role == "debtor"],
        officers=list(Officer.objects.filter(court_id=case.court_id).order_by("team_id", "name"))
        if officer is not None
        else [],
        kinds=list(ASSET_KINDS.items()),
        can_request_extension=may and is_handler,
        extension_hint=hint,
        can_decide=officer is not None and officer.role == Officer.Role.DIRECTOR,
        today=today,
        is_handler=is_handler,
    )
