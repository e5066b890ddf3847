"""Pages for hand-offs, reassignment and teams: each view parses the form,
calls one service and redirects (or re-renders with the Chinese refusal and
status 422); the team page calls one selector."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.cases.selectors import access_case
from zhixing.cases.services import TransitionRefused
from zhixing.centre.handoff import cases_hand_back, cases_hand_off, cases_reassign
from zhixing.centre.selectors import team_roster
from zhixing.courts.models import Absence, Officer, Team
from zhixing.courts.services import (
    AbsenceInput,
    AbsenceRefused,
    absences_cancel,
    absences_record,
    may_manage_team,
)
from zhixing.web.dossier import dossier_for
from zhixing.web.views import officer_required


def _case(request, case_id: int):
    case = access_case(request.officer, case_id)
    try:
        case.version = int(request.POST.get("version", case.version))
    except ValueError:
        pass  # a mangled field: the current version, as if the form were fresh
    return case


def _refused(request, case_id: int, error: str):
    """The case page again, with the refusal above the forms and what was typed."""
    dossier = dossier_for(officer=request.officer, case_id=case_id, today=timezone.localdate())
    context = {
        "nav": "cases",
        "d": dossier,
        "case": dossier.case,
        "handoff_error": error,
        "handoff_post": request.POST,
    }
    return render(request, "web/case_detail.html", context, status=422)


@require_POST
@officer_required
def case_hand_off(request, case_id: int):
    case = _case(request, case_id)
    team = None
    kind = request.POST.get("team", "")
    if kind:
        team = Team.objects.filter(court_id=request.officer.court_id, kind=kind).first()
        if team is None:
            return _refused(request, case_id, f"接收团队“{kind}”不存在")
    try:
        (case,) = cases_hand_off(
            cases=[case],
            team=team,
            stage=request.POST.get("stage", ""),
            reason=request.POST.get("reason", ""),
            actor=request.officer,
            now=timezone.now(),
        )
    except TransitionRefused as refusal:
        return _refused(request, case_id, str(refusal))
    messages.success(
        request, f"已移交{case.team.name}，承办人{case.handler.name if case.handler else '待指定'}"
    )
    return redirect("case_detail", case_id)


@require_POST
@officer_required
def case_hand_back(request, case_id: int):
    case = _case(request, case_id)
    try:
        (case,) = cases_hand_back(
            cases=[case],
            actor=request.officer,
            now=timezone.now(),
            note=request.POST.get("note", ""),
        )
    except TransitionRefused as refusal:
        return _refused(request, case_id, str(refusal))
    messages.success(request, f"已退回{case.team.name}")
    return redirect("case_detail", case_id)


@require_POST
@officer_required
def case_reassign(request, case_id: int):
    case = _case(request, case_id)
    handler = Officer.objects.filter(
        court_id=request.officer.court_id,
        id=request.POST.get("handler") if request.POST.get("handler", "").isdigit() else None,
    ).first()
    if handler is None:
        return _refused(request, case_id, "请选择新的承办人")
    try:
        cases_reassign(
            cases=[case],
            handler=handler,
            reason=request.POST.get("reason", ""),
            actor=request.officer,
            now=timezone.now(),
        )
    except TransitionRefused as refusal:
        return _refused(request, case_id, str(refusal))
    messages.success(request, f"承办人已变更为{handler.name}")
    return redirect("case_detail", case_id)


# ---------------------------------------------------------------- teams


def _team(request, kind: str) -> Team:
    team = (
        Team.objects.filter(court_id=request.officer.court_id, kind=kind)
        .select_related("court")
        .first()
    )
    if team is None:
        raise Http404("没有这个团队")
    return team


def _team_page(request, team: Team, *, errors=(), posted=None, status=200):
    officer = request.officer
    context = {
        "nav": "workbench",
        "roster": team_roster(team=team, today=timezone.localdate(), with_absences=True),
        "can_manage": may_manage_team(officer, team.id),
        "reasons": Absence.Reason.choices,
        "errors": list(errors),
        "posted": posted or {},
        "teams": list(Team.objects.filter(court_id=officer.court_id).order_by("id")),
    }
    return render(request, "centre/team.html", context, status=status)


@require_GET
@officer_required
def team_detail(request, kind: str):
    return _team_page(request, _team(request, kind))


def _date(value: str, label: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append(
            f"{label}：请填写日期，格式如2026-03-02"
            if not value.strip()
            else f"{label}：“{value}”不是有效日期"
        )
        return None


@require_POST
@officer_required
def team_absence_add(request, kind: str):
    team = _team(request, kind)
    errors: list[str] = []
    who = request.POST.get("officer", "")
    member = Officer.objects.filter(team=team, id=who if who.isdigit() else None).first()
    if member is None:
        errors.append("干警：请选择本团队的干警")
    start_on = _date(request.POST.get("start_on", ""), "开始日期", errors)
    end_on = _date(request.POST.get("end_on", ""), "结束日期", errors)
    if not errors:
        try:
            absences_record(
                court=team.court,
                entries=[
                    AbsenceInput(
                        member,
                        start_on,
                        end_on,
                        request.POST.get("reason", ""),
                        request.POST.get("note", ""),
                    )
                ],
                actor=request.officer,
                now=timezone.now(),
            )
        except AbsenceRefused as refusal:
            errors = [f"{e['label']}：{e['message']}" for e in refusal.errors]
    if errors:
        return _team_page(request, team, errors=errors, posted=request.POST, status=422)
    messages.success(request, f"已登记{member.name}{start_on:%Y-%m-%d}至{end_on:%Y-%m-%d}不在岗")
    return redirect("team_detail", kind)


@require_POST
@officer_required
def absence_cancel(request, absence_id: int):
    absence = (
        Absence.objects.filter(id=absence_id, court_id=request.officer.court_id)
        .select_related("officer", "officer__team")
        .first()
    )
    if absence is None or absence.officer.team is None:
        raise Http404("没有这条登记")
    try:
        absences_cancel(absences=[absence], actor=request.officer)
    except AbsenceRefused as refusal:
        return _team_page(request, absence.officer.team, errors=[str(refusal)], status=403)
    messages.success(request, f"已撤销{absence.officer.name}的不在岗登记")
    return redirect("team_detail", absence.officer.team.kind)
