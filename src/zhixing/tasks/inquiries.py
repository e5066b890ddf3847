"""线下查询 and 财产线索: the inquiries a person makes, as tasks with due dates.

    field_inquiries_order  send an officer to a registry or the debtor's address, for many cases
    field_inquiry_record   what the officer found: Asset rows (source "field"), the task done
    lead_report            a creditor's asset lead: a Lead and its lead_check task, due
                           7 days (3 if urgent) later (财产调查规定第二条)
    lead_check             the check's result; a found asset becomes an Asset (source "lead")

What is found sits beside the network's assets, so triage (centre/triage.py
sums every Asset of a case) and the case page read it with the rest. Each
service works in one transaction and writes its CaseEvent; bad input is refused
as a whole with a Chinese message naming the field (TaskRefused), and nothing
is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.courts.models import Officer
from zhixing.courts.services import court_calendar
from zhixing.inquiry.models import Asset
from zhixing.rules import RuleError
from zhixing.rules.assets import ASSET_KINDS
from zhixing.rules.calendar import chinese_date
from zhixing.rules.deadlines import lead_check_due
from zhixing.rules.money import format_yuan, parse_yuan
from zhixing.tasks.models import Lead, Task
from zhixing.tasks.services import TaskRefused, TaskSpec, tasks_finish, tasks_open


@dataclass(frozen=True)
class FoundInput:
    """One asset as the officer wrote it down; `value` in yuan as typed."""

    kind: str
    holder: str
    value: str
    detail: str = ""
    debtor_id: int | None = None  # None: the case's first debtor


# ---------------------------------------------------------------- field inquiries


def field_inquiries_order(
    *,
    cases: Sequence[EnforcementCase],
    officer: Officer | None,
    place: str,
    actor: Officer | None,
    now: datetime,
    due_on: date | None = None,
    days: int | None = None,
    note: str = "",
) -> list[Task]:
    """安排线下查询: one field_inquiry task per case, assigned to `officer`, due on
    `due_on` (or `days` calendar days from today). Ordering the same place and
    due date again finds the task already open (no second event)."""
    today = timezone.localdate(now)
    place = (place or "").strip()
    if officer is None:
        raise TaskRefused("请指定外出查询的干警")
    if not cases:
        raise TaskRefused("请选择要线下查询的案件")
    if any(c.court_id != officer.court_id for c in cases):
        raise TaskRefused("外出查询的干警不是本院干警")
    if not place:
        raise TaskRefused("请填写查询地点（登记机关或被执行人住所）")
    if due_on is None:
        if days is None:
            raise TaskRefused("请填写完成期限")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise TaskRefused(f"完成期限的天数应为非负整数，实为{days}")
        due_on = today + timedelta(days=days)
    if due_on < today:
        raise TaskRefused(f"完成期限{chinese_date(due_on)}早于今天，请重新填写")
    cases = list({c.id: c for c in cases}.values())
    closed = [c.case_number for c in cases if c.state == "closed"]
    if closed:
        raise TaskRefused(f"案件{'、'.join(closed)}已结案，不能安排线下查询")
    tag = hashlib.sha1(place.encode()).hexdigest()[:12]
    specs = [
        TaskSpec(
            court_id=c.court_id,
            kind="field_inquiry",
            key=f"field_inquiry:{c.id}:{tag}:{due_on.isoformat()}",
            title=f"线下查询：{c.case_number}（{place}）",
            case_id=c.id,
            detail=note.strip(),
            team_id=c.team_id,
            assignee_id=officer.id,
            due_on=due_on,
            data={"place": place},
        )
        for c in cases
    ]
    with transaction.atomic():
        existing = set(
            Task.objects.filter(
                court_id=officer.court_id, key__in=[s.key for s in specs]
            ).values_list("key", flat=True)
        )
        tasks = tasks_open(specs=specs, actor=actor, now=now)
        CaseEvent.objects.bulk_create(
            CaseEvent(
                court_id=t.court_id,
                case_id=t.case_id,
                at=now,
                kind="field_inquiry_ordered",
                actor=actor,
                detail=f"安排{officer.name}赴{place}线下查询，{chinese_date(due_on)}前完成"
                + (f"：{note.strip()}" if note.strip() else ""),
                data={"task": t.id, "officer": officer.id, "place": place, "due_on": due_on.isoformat()},
            )
            for t in tasks
            if t.key not in existing
        )
    return tasks


def field_inquiry_record(
    *,
    task: Task,
    found: Sequence[FoundInput],
    result: str,
    actor: Officer | None,
    now: datetime,
) -> list[Asset]:
    """线下查询结果: each found asset becomes an Asset with source "field", the
    task is done with `result`, and the case's timeline says what was found."""
    result = (result or "").strip()
    if task.kind != "field_inquiry":
        raise TaskRefused("该待办不是线下查询")
    if not result:
        raise TaskRefused("请填写查询结果")
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.done_at is not None:
            raise TaskRefused(f"该线下查询已于{chinese_date(timezone.localdate(locked.done_at))}登记结果")
        case = EnforcementCase.objects.get(pk=locked.case_id)
        assets = _assets_build(case, found, source="field")
        Asset.objects.bulk_create(assets)
        tasks_finish(tasks=[locked], result=result, actor=actor, now=now)
        total = sum(a.value for a in assets)
        place = locked.data.get("place", "")
        detail = f"线下查询（{place}）：{result}" if place else f"线下查询：{result}"
        detail += f"；查得财产{len(assets)}项，合计{format_yuan(total)}元" if assets else "；未查得财产"
        CaseEvent.objects.create(
            court_id=case.court_id,
            case=case,
            at=now,
            kind="field_inquiry_done",
            actor=actor,
            detail=detail,
            data={
                "task": locked.id,
                "assets": [a.id for a in assets],
                "value": total,
                "on_time": locked.due_on is None or timezone.localdate(now) <= locked.due_on,
            },
        )
    return assets


# ---------------------------------------------------------------- leads


def lead_report(
    *,
    case: EnforcementCase,
    kind: str,
    description: str,
    actor: Officer | None,
    now: datetime,
    urgent: bool = False,
    reported_on: date | None = None,
    reported_by_party_id: int | None = None,
    reported_by_text: str = "",
) -> Lead:
    """登记财产线索: a creditor's concrete lead (one 财产调查表), due to be checked
    within 7 days, 3 if urgent, of `reported_on` (today by default). The check
    is a lead_check task for the case's handler (the centre's queue before
    dispatch)."""
    today = timezone.localdate(now)
    reported_on = reported_on or today
    description = (description or "").strip()
    reported_by_text = (reported_by_text or "").strip()
    if kind not in ASSET_KINDS:
        raise TaskRefused(f"财产类型：未知的财产类型“{kind}”")
    if not description:
        raise TaskRefused("线索内容：请填写财产线索的具体内容（财产所在、账号、权证号等）")
    if reported_on > today:
        raise TaskRefused(f"提供日期：{chinese_date(reported_on)}晚于今天")
    if case.state == "closed":
        raise TaskRefused(f"案件{case.case_number}已结案，不能登记财产线索")
    if reported_by_party_id is not None:
        is_creditor = CaseParty.objects.filter(
            case=case, party_id=reported_by_party_id, role="creditor"
        ).exists()
        if not is_creditor:
            raise TaskRefused("提供人：不是本案申请执行人")
    elif not reported_by_text:
        raise TaskRefused("提供人：请选择申请执行人或填写提供人")
    due = lead_check_due(reported_on=reported_on, urgent=urgent, calendar=court_calendar(case.court))
    with transaction.atomic():
        n = Lead.objects.filter(case=case).count() + 1
        (task,) = tasks_open(
            specs=[
                TaskSpec(
                    court_id=case.court_id,
                    kind="lead_check",
                    key=f"lead_check:{case.id}:{n}",
                    title=f"核查财产线索：{case.case_number}（{ASSET_KINDS[kind]}）",
                    case_id=case.id,
                    detail=description,
                    team_id=case.team_id,
                    assignee_id=case.handler_id,
                    due_on=due.due_on,
                    data={"urgent": urgent, "basis": due.basis},
                )
            ],
            actor=actor,
            now=now,
        )
        if hasattr(task, "lead"):  # the same key twice: a race with another report
            raise TaskRefused("该线索正在登记，请刷新后重试")
        lead = Lead.objects.create(
            court_id=case.court_id,
            case=case,
            reported_on=reported_on,
            reported_by_party_id=reported_by_party_id,
            reported_by_text=reported_by_text,
            kind=kind,
            description=description,
            urgent=urgent,
            due_on=due.due_on,
            task=task,
            created_at=now,
            created_by=actor,
        )
        who = lead.reported_by
        CaseEvent.objects.create(
            court_id=case.court_id,
            case=case,
            at=now,
            kind="lead_reported",
            actor=actor,
            detail=f"{who}提供{ASSET_KINDS[kind]}线索{'（情况紧急）' if urgent else ''}：{description}；"
            f"应于{chinese_date(due.due_on)}前核查（{due.basis}）",
            data={
                "lead": lead.id,
                "task": task.id,
                "kind": kind,
                "urgent": urgent,
                "reported_on": reported_on.isoformat(),
                "due_on": due.due_on.isoformat(),
            },
        )
    return lead


def lead_check(
    *,
    lead: Lead,
    result: str,
    actor: Officer | None,
    now: datetime,
    found: FoundInput | None = None,
) -> Lead:
    """核查财产线索: record the result; an asset the check found becomes an Asset
    with source "lead" and is linked from the lead."""
    result = (result or "").strip()
    if not result:
        raise TaskRefused("核查结果：请填写核查结果")
    today = timezone.localdate(now)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("case", "task").get(pk=lead.pk)
        if lead.checked_on is not None:
            raise TaskRefused(f"该线索已于{chinese_date(lead.checked_on)}核查")
        case = lead.case
        asset = None
        if found is not None:
            (asset,) = _assets_build(case, [found], source="lead")
            asset.save()
        lead.checked_on, lead.checked_by, lead.result, lead.asset = today, actor, result, asset
        lead.save(update_fields=["checked_on", "checked_by", "result", "asset"])
        tasks_finish(tasks=[lead.task], result=result, actor=actor, now=now)
        on_time = today <= lead.due_on
        detail = f"核查{ASSET_KINDS[lead.kind]}线索：{result}"
        if asset is not None:
            detail += f"；查得{ASSET_KINDS[asset.kind]}{format_yuan(asset.value)}元（{asset.holder}）"
        else:
            detail += "；未查得财产"
        if not on_time:
            detail += f"；超过核查期限{(today - lead.due_on).days}天"
        CaseEvent.objects.create(
            court_id=case.court_id,
            case=case,
            at=now,
            kind="lead_checked",
            actor=actor,
            detail=detail,
            data={
                "lead": lead.id,
                "task": lead.task_id,
                "asset": asset.id if asset else None,
                "value": asset.value if asset else 0,
                "on_time": on_time,
            },
        )
    return lead


# ---------------------------------------------------------------- helpers


def _assets_build(case: EnforcementCase, found: Sequence[FoundInput], *, source: str) -> list[Asset]:
    """Asset rows (unsaved) for what a person found, or TaskRefused naming the
    item and field. The debtor must be one of the case's debtors."""
    debtors = list(
        CaseParty.objects.filter(case=case, role="debtor").order_by("position", "id").values_list(
            "party_id", flat=True
        )
    )
    assets = []
    for i, f in enumerate(found, start=1):
        where = f"第{i}项财产" if len(found) > 1 else "查得财产"
        if f.kind not in ASSET_KINDS:
            raise TaskRefused(f"{where}的财产类型：未知的财产类型“{f.kind}”")
        holder = (f.holder or "").strip()
        if not holder:
            raise TaskRefused(f"{where}的协助单位：请填写财产所在单位或地点")
        try:
            value = parse_yuan(f.value if isinstance(f.value, str) else str(f.value))
        except (RuleError, TypeError) as e:
            raise TaskRefused(f"{where}的价值：{e}") from None
        if value < 0:
            raise TaskRefused(f"{where}的价值：不能为负数")
        debtor_id = f.debtor_id if f.debtor_id is not None else (debtors[0] if debtors else None)
        if debtor_id not in debtors:
            raise TaskRefused(f"{where}的被执行人：不是本案被执行人")
        assets.append(
            Asset(
                court_id=case.court_id,
                case=case,
                inquiry=None,
                source=source,
                debtor_id=debtor_id,
                kind=f.kind,
                holder=holder[:64],
                value=value,
                detail=(f.detail or "").strip()[:128],
            )
        )
    return assets
