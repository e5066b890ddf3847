"""分段集约: a case handed to another team for a stage and back, and a team
leader giving a case to another member of the team.

    cases_hand_off   to another team for a stage (e.g. disposal for an auction);
                     that team's least-loaded handler present today takes it, and
                     the case remembers its home team and handler
    cases_hand_back  back to the home team and handler
    cases_reassign   变更承办人 within the case's team

Each is a batch in one transaction: the rows are locked, each case's version
is checked (someone else's change since it was read refuses the batch), and
every case gets one event (handed_off, handed_back, handler_changed) whose
data names the team and handler it left and the ones it went to, so the
timeline's segments (centre/segments.py) are read from the events alone. A
refusal of any case refuses the batch, in Chinese, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import CaseEvent, EnforcementCase, Milestone
from zhixing.cases.services import StaleCase, TransitionRefused
from zhixing.centre.dispatch import Picker
from zhixing.courts.models import Officer, Team
from zhixing.courts.services import may_manage_team, officers_away
from zhixing.rules import Decision, Reason
from zhixing.rules.states import STATES
from zhixing.rules.workload import HANDOFF_STAGES

LOCKED_FIELDS = (
    "id",
    "court_id",
    "case_number",
    "state",
    "version",
    "team_id",
    "handler_id",
    "home_team_id",
    "home_handler_id",
    "stage",
)


class HandoffRefused(TransitionRefused):
    """A hand-off, hand-back or reassignment refused; nothing was written."""


def _refuse(message: str, case_id: int | None = None):
    raise HandoffRefused(message, {case_id: Decision.refuse(Reason(message))})


def _lock(cases: Sequence[EnforcementCase]) -> dict[int, EnforcementCase]:
    """Lock the rows in id order and check each caller's version."""
    rows = (
        EnforcementCase.objects.select_for_update()
        .filter(id__in=[c.id for c in cases])
        .order_by("id")
        .only(*LOCKED_FIELDS)
    )
    current = {r.id: r for r in rows}
    for c in cases:
        if current[c.id].version != c.version:
            raise StaleCase(f"案件{c.case_number}已被他人修改，请刷新后重试")
    return current


def _check_open(row: EnforcementCase, doing: str) -> None:
    if row.state != "dispatched":
        _refuse(
            f"案件{row.case_number}当前状态为“{STATES.get(row.state, row.state)}”，不能{doing}",
            row.id,
        )


def _names(court_id: int, officer_ids) -> tuple[dict[int, Team], dict[int, Officer]]:
    teams = Team.objects.filter(court_id=court_id).in_bulk()
    officers = Officer.objects.in_bulk([i for i in set(officer_ids) if i])
    return teams, officers


def _who(officers: dict[int, Officer], officer_id: int | None) -> str:
    return officers[officer_id].name if officer_id else "未指定承办人"


def _write(rows: list[EnforcementCase], fields: list[str], events: list[CaseEvent]) -> None:
    for r in rows:
        r.version += 1
    EnforcementCase.objects.bulk_update(rows, [*fields, "version"], batch_size=500)
    CaseEvent.objects.bulk_create(events)


def cases_hand_off(
    *,
    cases: Sequence[EnforcementCase],
    team: Team | None,
    stage: str,
    reason: str,
    actor: Officer | None,
    now: datetime,
) -> list[EnforcementCase]:
    """移交阶段办理: hand the cases to `team` (by default the stage's team) for
    `stage`; its least-loaded handler present today takes each one."""
    if stage not in HANDOFF_STAGES:
        _refuse(
            f"移交阶段“{stage}”不在可选范围内（{'、'.join(v[0] for v in HANDOFF_STAGES.values())}）"
        )
    reason = (reason or "").strip()
    if not reason:
        _refuse("请填写移交理由")
    if not cases:
        return []
    stage_label = HANDOFF_STAGES[stage][0]
    with transaction.atomic():
        rows = _lock(cases)
        court_id = next(iter(rows.values())).court_id
        if team is None:
            team = Team.objects.filter(court_id=court_id, kind=HANDOFF_STAGES[stage][1]).first()
            if team is None:
                _refuse(f"本院没有{HANDOFF_STAGES[stage][0]}阶段的团队")
        for r in rows.values():
            if r.court_id != team.court_id:
                _refuse(f"案件{r.case_number}不是{team.name}所在法院的案件", r.id)
            _check_open(r, "移交")
            if r.home_team_id:
                _refuse(
                    f"案件{r.case_number}已移交他团队办理（{HANDOFF_STAGES.get(r.stage, (r.stage,))[0]}），须先退回",
                    r.id,
                )
            if r.team_id == team.id:
                _refuse(f"案件{r.case_number}已由{team.name}办理，无需移交", r.id)
            if not (may_manage_team(actor, r.team_id) or (actor and actor.id == r.handler_id)):
                _refuse(
                    f"无权移交案件{r.case_number}：只有承办人、团队负责人、指挥中心或执行局长可以移交",
                    r.id,
                )
        picker = Picker(court=team.court, day=timezone.localdate(now))
        teams, officers = _names(court_id, [r.handler_id for r in rows.values()])
        moved, events = [], []
        for c in cases:
            r = rows[c.id]
            desk = picker.pick(team)
            to_handler = desk.officer if desk else None
            from_team, from_handler = r.team_id, r.handler_id
            r.home_team_id, r.home_handler_id, r.stage = from_team, from_handler, stage
            r.team_id, r.handler_id = team.id, to_handler.id if to_handler else None
            who = (
                f"承办人{to_handler.name}（在办{desk.open_cases}件，加权负荷{desk.load}）"
                if to_handler
                else picker.nobody_text(team)
            )
            events.append(
                CaseEvent(
                    court_id=r.court_id,
                    case_id=r.id,
                    at=now,
                    kind="handed_off",
                    actor=actor,
                    detail=f"由{teams[from_team].name}（{_who(officers, from_handler)}）移交{team.name}办理{stage_label}，"
                    f"{who}。理由：{reason}",
                    data={
                        "from_team": teams[from_team].kind,
                        "from_handler": from_handler,
                        "to_team": team.kind,
                        "to_handler": r.handler_id,
                        "stage": stage,
                        "reason": reason,
                    },
                )
            )
            moved.append(r)
        _write(moved, ["team", "handler", "home_team", "home_handler", "stage"], events)
    return _refresh(cases, rows)


def cases_hand_back(
    *, cases: Sequence[EnforcementCase], actor: Officer | None, now: datetime, note: str = ""
) -> list[EnforcementCase]:
    """阶段办理完毕退回: each case back to the team and handler it was handed off from."""
    if not cases:
        return []
    note = (note or "").strip()
    with transaction.atomic():
        rows = _lock(cases)
        for r in rows.values():
            _check_open(r, "退回")
            if not r.home_team_id:
                _refuse(f"案件{r.case_number}未移交他团队办理，无需退回", r.id)
            if not (
                may_manage_team(actor, r.team_id)
                or may_manage_team(actor, r.home_team_id)
                or (actor and actor.id in (r.handler_id, r.home_handler_id))
            ):
                _refuse(
                    f"无权退回案件{r.case_number}：只有两团队的承办人、团队负责人、指挥中心或执行局长可以退回",
                    r.id,
                )
        first = next(iter(rows.values()))
        teams, officers = _names(
            first.court_id, [x for r in rows.values() for x in (r.handler_id, r.home_handler_id)]
        )
        away = officers_away(court=first.court_id, day=timezone.localdate(now))
        moved, events = [], []
        for c in cases:
            r = rows[c.id]
            from_team, from_handler, stage = r.team_id, r.handler_id, r.stage
            r.team_id, r.handler_id = r.home_team_id, r.home_handler_id
            r.home_team_id = r.home_handler_id = None
            r.stage = ""
            back_to = _who(officers, r.handler_id)
            if r.handler_id in away:
                back_to += f"（今日{away[r.handler_id].get_reason_display()}，不在岗）"
            detail = (
                f"{HANDOFF_STAGES.get(stage, (stage,))[0]}阶段办理完毕，由{teams[from_team].name}"
                f"（{_who(officers, from_handler)}）退回{teams[r.team_id].name}，承办人{back_to}"
            )
            if note:
                detail += f"。说明：{note}"
            events.append(
                CaseEvent(
                    court_id=r.court_id,
                    case_id=r.id,
                    at=now,
                    kind="handed_back",
                    actor=actor,
                    detail=detail,
                    data={
                        "from_team": teams[from_team].kind,
                        "from_handler": from_handler,
                        "to_team": teams[r.team_id].kind,
                        "to_handler": r.handler_id,
                        "stage": stage,
                        "note": note,
                    },
                )
            )
            moved.append(r)
        _write(moved, ["team", "handler", "home_team", "home_handler", "stage"], events)
    return _refresh(cases, rows)


def cases_reassign(
    *,
    cases: Sequence[EnforcementCase],
    handler: Officer,
    reason: str,
    actor: Officer | None,
    now: datetime,
) -> list[EnforcementCase]:
    """变更承办人: the team leader gives the cases to another handler of the team."""
    reason = (reason or "").strip()
    if not reason:
        _refuse("请填写变更承办人的理由")
    if not cases:
        return []
    with transaction.atomic():
        rows = _lock(cases)
        for r in rows.values():
            _check_open(r, "变更承办人")
            if handler.role != Officer.Role.HANDLER or handler.team_id != r.team_id:
                _refuse(f"{handler.name}不是案件{r.case_number}所在团队的承办人", r.id)
            if r.handler_id == handler.id:
                _refuse(f"案件{r.case_number}已由{handler.name}承办，无需变更", r.id)
            if not may_manage_team(actor, r.team_id):
                _refuse(
                    f"无权变更案件{r.case_number}的承办人：只有团队负责人、指挥中心或执行局长可以变更",
                    r.id,
                )
        first = next(iter(rows.values()))
        teams, officers = _names(first.court_id, [r.handler_id for r in rows.values()])
        moved, events = [], []
        for c in cases:
            r = rows[c.id]
            before = r.handler_id
            r.handler_id = handler.id
            events.append(
                CaseEvent(
                    court_id=r.court_id,
                    case_id=r.id,
                    at=now,
                    kind="handler_changed",
                    actor=actor,
                    detail=f"承办人由{_who(officers, before)}变更为{handler.name}。理由：{reason}",
                    data={
                        "team": teams[r.team_id].kind,
                        "from_handler": before,
                        "to_handler": handler.id,
                        "reason": reason,
                    },
                )
            )
            moved.append(r)
        _write(moved, ["handler"], events)
        # A case that waited for its first handler has one now.
        Milestone.objects.filter(
            case_id__in=[r.id for r in moved], kind="handler_assigned", done_on__isnull=True
        ).update(done_on=timezone.localdate(now))
    return _refresh(cases, rows)


def _refresh(
    cases: Sequence[EnforcementCase], rows: dict[int, EnforcementCase]
) -> list[EnforcementCase]:
    """The callers' objects, carrying the new values and version."""
    for c in cases:
        r = rows[c.id]
        for f in ("version", "team_id", "handler_id", "home_team_id", "home_handler_id", "stage"):
            setattr(c, f, getattr(r, f))
        for name in ("team", "handler", "home_team", "home_handler"):
            field = EnforcementCase._meta.get_field(name)
            if field.is_cached(c):
                field.delete_cached_value(c)
    return list(cases)


__all__ = ["HandoffRefused", "cases_hand_back", "cases_hand_off", "cases_reassign"]
