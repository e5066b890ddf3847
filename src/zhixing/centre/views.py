"""Pages for the triage rule set (分流规则) and for 人工改分. Each view parses
the request, calls one service (rulesets.py, triage.py) and renders or
redirects; a refusal comes back in Chinese (422 for bad input, 403 for an
officer who may not)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhixing.cases.selectors import access_case
from zhixing.cases.services import TransitionRefused
from zhixing.centre.forms import editor_rows, moved, parse_last_n, rules_from_post
from zhixing.centre.models import TriageRuleSet
from zhixing.centre.rulesets import (
    PREVIEW_DEFAULT,
    PREVIEW_MAX,
    RulesetRefused,
    may_edit_rules,
    may_view_rules,
    ruleset_activate,
    ruleset_draft_save,
    ruleset_preview,
)
from zhixing.centre.triage import active_ruleset, cases_reroute, may_reroute
from zhixing.courts.models import Team
from zhixing.rules.triage import TEAM_LABELS
from zhixing.web.dossier import dossier_for
from zhixing.web.views import officer_required

NOT_VIEWER = "只有执行局长和指挥中心可以查看分流规则"


def _version(request, version: int) -> TriageRuleSet:
    ruleset = (
        TriageRuleSet.objects.filter(court_id=request.officer.court_id, version=version)
        .select_related("court", "created_by", "activated_by")
        .first()
    )
    if ruleset is None:
        raise Http404("没有这一版分流规则")
    return ruleset


@require_http_methods(["GET"])
@officer_required
def ruleset_list(request):
    court = request.officer.court
    if not may_view_rules(request.officer, court):
        return HttpResponseForbidden(NOT_VIEWER)
    active_ruleset(court)  # the defaults on first use, as the robot would
    versions = list(
        TriageRuleSet.objects.filter(court=court)
        .select_related("created_by", "activated_by")
        .annotate(cases=Count("enforcementcase"))
        .order_by("-version")
    )
    context = {
        "nav": "rules",
        "versions": versions,
        "drafts": [v for v in versions if v.is_draft],
        "active": next((v for v in versions if v.is_active), None),
        "can_edit": may_edit_rules(request.officer, court),
    }
    return render(request, "centre/ruleset_list.html", context)


@require_POST
@officer_required
def ruleset_new(request):
    """A new draft, a copy of the version it is based on."""
    court = request.officer.court
    base_raw = request.POST.get("base", "")
    base = _version(request, int(base_raw)) if base_raw.isdigit() else active_ruleset(court)
    try:
        draft = ruleset_draft_save(
            court=court, rules=base.rules, note=f"以第{base.version}版为底", actor=request.officer, now=timezone.now()
        )
    except RulesetRefused as refusal:
        if refusal.forbidden:
            return HttpResponseForbidden(str(refusal))
        messages.error(request, str(refusal))
        return redirect("ruleset_list")
    messages.success(request, f"已新建草稿第{draft.version}版（以第{base.version}版为底），修改后预览、启用")
    return redirect("ruleset_detail", draft.version)


def _page(request, ruleset, *, data=None, errors=(), preview=None, last_n=PREVIEW_DEFAULT, status=200):
    editable = ruleset.is_draft and may_edit_rules(request.officer, ruleset.court)
    order, rows = editor_rows(ruleset.rules, data if editable else None)
    context = {
        "nav": "rules",
        "ruleset": ruleset,
        "order": order,
        "rows": rows,
        "teams": list(TEAM_LABELS.items()),
        "editable": editable,
        "can_edit": may_edit_rules(request.officer, ruleset.court),
        "note": data.get("note", ruleset.note) if data is not None else ruleset.note,
        "errors": list(errors),
        "preview": preview,
        "last_n": last_n,
        "preview_max": PREVIEW_MAX,
    }
    return render(request, "centre/ruleset_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def ruleset_detail(request, version: int):
    """One version: its rules (a form while it is a draft and the director
    looks), and the preview of it against the last N triaged cases."""
    if not may_view_rules(request.officer, request.officer.court):
        return HttpResponseForbidden(NOT_VIEWER)
    ruleset = _version(request, version)
    source = request.POST if request.method == "POST" else request.GET
    last_n, problem = parse_last_n(source.get("n"), PREVIEW_DEFAULT, PREVIEW_MAX)
    if request.method == "GET":
        errors = [problem] if problem else []
        preview = None
        if not problem:
            try:
                preview = ruleset_preview(court=ruleset.court, rules=ruleset.rules, last_n=last_n)
            except RulesetRefused as refusal:
                errors = refusal.errors
        return _page(request, ruleset, errors=errors, preview=preview, last_n=last_n, status=422 if errors else 200)

    if not may_edit_rules(request.officer, ruleset.court):
        return HttpResponseForbidden("无权修改分流规则：只有本院执行局长可以修改分流规则")
    if not ruleset.is_draft:
        return _page(request, ruleset, errors=[f"第{ruleset.version}版已启用过，不能修改；请以它为底新建草稿"], status=422)
    data = request.POST.copy()
    move = data.get("move", "")
    if move:  # 上移、下移、删除: the form again in the new order, nothing saved
        data["order"] = moved(data, len(ruleset.rules), move)
        return _page(request, ruleset, data=data, last_n=last_n)
    rules, errors = rules_from_post(ruleset.rules, data)
    if problem:
        errors.append(problem)
    preview = None
    if not errors:
        try:
            if data.get("action") == "preview":
                preview = ruleset_preview(court=ruleset.court, rules=rules, last_n=last_n)
            else:
                ruleset_draft_save(
                    court=ruleset.court, rules=rules, note=data.get("note", ""), actor=request.officer,
                    now=timezone.now(), draft=ruleset,
                )
                messages.success(request, f"草稿第{ruleset.version}版已保存，下方为预览")
                return redirect(f"{request.path}?n={last_n}#preview")
        except RulesetRefused as refusal:
            errors = refusal.errors
    if errors:
        return _page(request, ruleset, data=data, errors=errors, last_n=last_n, status=422)
    return _page(request, ruleset, data=data, preview=preview, last_n=last_n)


@require_POST
@officer_required
def ruleset_activate_view(request, version: int):
    ruleset = _version(request, version)
    try:
        ruleset_activate(ruleset=ruleset, actor=request.officer, now=timezone.now())
    except RulesetRefused as refusal:
        if refusal.forbidden:
            return HttpResponseForbidden(str(refusal))
        messages.error(request, str(refusal))
        return redirect("ruleset_detail", version)
    messages.success(request, f"已启用分流规则第{ruleset.version}版：此后分流的案件按此版规则办理，此前的案件保留原版本")
    return redirect("ruleset_list")


# ---------------------------------------------------------------- 人工改分


@require_POST
@officer_required
def case_reroute(request, case_id: int):
    if not may_reroute(request.officer):
        return HttpResponseForbidden("无权人工改分：只有指挥中心或执行局长可以改分")
    case = access_case(request.officer, case_id)
    try:
        case.version = int(request.POST.get("version", case.version))
    except ValueError:
        pass  # a mangled field: the current version, as if the form were fresh
    team = Team.objects.filter(court_id=request.officer.court_id, kind=request.POST.get("team", "")).first()
    try:
        if team is None:
            raise TransitionRefused("请选择改分到的团队")
        cases_reroute(
            cases=[case], team=team, reason=request.POST.get("reason", ""), actor=request.officer, now=timezone.now()
        )
    except TransitionRefused as refusal:
        dossier = dossier_for(officer=request.officer, case_id=case_id, today=timezone.localdate())
        context = {
            "nav": "cases", "d": dossier, "case": dossier.case,
            "reroute_error": str(refusal), "reroute_post": request.POST,
        }
        return render(request, "web/case_detail.html", context, status=422)
    messages.success(request, f"已改分至{team.name}")
    return redirect("case_detail", case_id)
