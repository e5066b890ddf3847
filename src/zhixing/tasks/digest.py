"""每日提醒: each officer's morning list of what is overdue, what falls due
within three days and which tasks are new (the robot sends it at 7:30).

    digest_for    what one officer's digest says today (a read; nothing stored)
    digests_send  store one Digest per officer per day and e-mail it when the
                  officer's user has an address; a second run that day sends nothing

Whose rows: a handler gets the milestones of their own cases and their own
tasks; another officer of a team the team's; the command centre and the
director the whole court (capped in the text), the director also the
extensions waiting for approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.mail import send_mail
from django.utils import timezone

from zhixing.courts.models import Court, Officer
from zhixing.rules.calendar import chinese_date
from zhixing.stats.measures import day_bounds
from zhixing.tasks.models import Digest, Task
from zhixing.tasks.selectors import (
    DUE_SOON_DAYS,
    DueWarnings,
    WarnRow,
    due_warnings,
    extensions_pending,
)

# Lines per list in the text; the counts are always complete.
DIGEST_LIST_SIZE = 30


@dataclass
class DigestContent:
    officer: Officer
    day: date
    overdue: list[WarnRow] = field(default_factory=list)
    due_soon: list[WarnRow] = field(default_factory=list)
    new_tasks: list[Task] = field(default_factory=list)
    pending_extensions: int = 0
    # money out: 案款发放 plans overdue or due soon (funds/payouts.py), overdue first
    payouts: list[WarnRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.new_tasks or self.pending_extensions or self.payouts)

    @property
    def subject(self) -> str:
        return (
            f"每日提醒（{chinese_date(self.day)}）：逾期{len(self.overdue)}项，"
            f"{DUE_SOON_DAYS}日内到期{len(self.due_soon)}项，新待办{len(self.new_tasks)}项"
        )

    def text(self) -> str:
        lines = [f"{self.officer.name}：", ""]
        for title, rows in (("已逾期", self.overdue), (f"{DUE_SOON_DAYS}日内到期", self.due_soon)):
            lines.append(f"【{title}】{len(rows)}项")
            for r in rows[:DIGEST_LIST_SIZE]:
                lines.append(f"  {r.case_number} {r.what}（{r.source}）期限{r.due_on:%Y-%m-%d}，{r.status}")
            if len(rows) > DIGEST_LIST_SIZE:
                lines.append(f"  ……另有{len(rows) - DIGEST_LIST_SIZE}项")
        lines.append(f"【新待办】{len(self.new_tasks)}项")
        for t in self.new_tasks[:DIGEST_LIST_SIZE]:
            due = f"，期限{t.due_on:%Y-%m-%d}" if t.due_on else ""
            lines.append(f"  {t.title}{due}")
        if self.pending_extensions:
            lines.append(f"【延长审限待审批】{self.pending_extensions}件")
        if self.payouts:  # money out
            lines.append(f"【案款发放期限】{len(self.payouts)}项")
            for r in self.payouts[:DIGEST_LIST_SIZE]:
                lines.append(f"  {r.case_number} {r.what} 发放期限{r.due_on:%Y-%m-%d}，{r.status}")
        if self.empty:
            lines.append("今日没有逾期或即将到期的事项。")
        return "\n".join(lines)

    def data(self) -> dict:
        return {
            "overdue": len(self.overdue),
            "due_soon": len(self.due_soon),
            "new_tasks": len(self.new_tasks),
            "pending_extensions": self.pending_extensions,
            "payouts": len(self.payouts),
        }


def digest_for(
    officer: Officer,
    today: date,
    *,
    court_rows: DueWarnings | None = None,
    court_new: list[Task] | None = None,
    pending: int | None = None,
    court_payouts: DueWarnings | None = None,
) -> DigestContent:
    """The officer's digest for `today`. `court_rows` and `court_new` (the
    court's warnings and new tasks, read once) let digests_send build every
    officer's digest without more queries."""
    rows = court_rows if court_rows is not None else due_warnings(court=officer.court, today=today)
    if court_new is None:
        court_new = new_tasks_of(officer.court, today)
    keep = _keep(officer)
    mine = rows.narrowed(keep)
    new_tasks = [t for t in court_new if keep(_task_row(t))]
    if officer.role != Officer.Role.DIRECTOR:
        pending = 0
    elif pending is None:
        pending = len(extensions_pending(court=officer.court))
    content = DigestContent(officer, today, mine.overdue, mine.due_soon, new_tasks, pending)
    content.payouts = _payouts_of(officer, today, court_payouts)  # money out
    return content


def digests_send(*, today: date, now: datetime | None = None) -> list[Digest]:
    """Store and send today's digest of every officer who has none yet; returns
    the digests this call created (a second call the same day returns [])."""
    now = now or timezone.now()
    created = []
    for court in Court.objects.order_by("id"):
        officers = list(
            Officer.objects.filter(court=court, user__is_active=True)
            .exclude(id__in=Digest.objects.filter(day=today).values("officer_id"))
            .select_related("court", "user", "team")
            .order_by("id")
        )
        if not officers:
            continue
        court_rows = due_warnings(court=court, today=today)
        court_new = new_tasks_of(court, today)
        pending = len(extensions_pending(court=court))
        court_payouts = _court_payouts(court, today)  # money out
        rows = []
        for officer in officers:
            content = digest_for(
                officer, today, court_rows=court_rows, court_new=court_new, pending=pending,
                court_payouts=court_payouts,
            )
            email = officer.user.email or ""
            rows.append(
                Digest(
                    court=court,
                    officer=officer,
                    day=today,
                    subject=content.subject,
                    body=content.text(),
                    data=content.data(),
                    created_at=now,
                    emailed_to=email if email and not content.empty else "",
                )
            )
        # A run racing this one keeps its rows; ours are the ones stamped `now`.
        Digest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        mine = list(
            Digest.objects.filter(
                day=today, officer_id__in=[o.id for o in officers], created_at=now
            ).order_by("officer_id")
        )
        for digest in mine:
            if digest.emailed_to:
                send_mail(digest.subject, digest.body, None, [digest.emailed_to])
        created.extend(mine)
    return created


def new_tasks_of(court: Court, today: date) -> list[Task]:
    """Open tasks created yesterday or today (before the digest goes out)."""
    lo, hi = day_bounds(date.fromordinal(today.toordinal() - 1), today)
    return list(
        Task.objects.filter(court=court, done_at__isnull=True, created_at__gte=lo, created_at__lt=hi)
        .select_related("case")
        .order_by("created_at", "id")
    )


def _keep(officer: Officer):
    """Which warning rows belong in this officer's digest."""
    if officer.role == Officer.Role.HANDLER:
        return lambda r: r.handler_id == officer.id or r.assignee_id == officer.id
    if officer.team_id and officer.role != Officer.Role.DIRECTOR:
        return lambda r: r.team_id == officer.team_id or r.assignee_id == officer.id
    if officer.role in (Officer.Role.CENTRE, Officer.Role.DIRECTOR):
        return lambda r: True
    return lambda r: r.assignee_id == officer.id


def _task_row(t: Task) -> WarnRow:
    return WarnRow(
        case_id=t.case_id,
        case_number=t.case.case_number if t.case_id else "—",
        what=t.title,
        source=t.get_kind_display(),
        due_on=t.due_on or date.max,
        days=0,
        who="",
        handler_id=t.case.handler_id if t.case_id else None,
        team_id=t.team_id or (t.case.team_id if t.case_id else None),
        assignee_id=t.assignee_id,
        is_task=True,
    )


# ---------------------------------------------------------------- money out


def _court_payouts(court: Court, today: date) -> DueWarnings:
    from zhixing.funds.payouts import payout_warnings

    return payout_warnings(court=court, today=today)


def _payouts_of(officer: Officer, today: date, court_payouts: DueWarnings | None) -> list[WarnRow]:
    """案款发放 plans for this officer: the case's handler and team as for the
    other rows; finance, the director and the vice president the whole court."""
    rows = court_payouts if court_payouts is not None else _court_payouts(officer.court, today)
    if officer.role not in (Officer.Role.FINANCE, Officer.Role.DIRECTOR, Officer.Role.VICE_PRESIDENT):
        rows = rows.narrowed(_keep(officer))
    return rows.overdue + rows.due_soon
