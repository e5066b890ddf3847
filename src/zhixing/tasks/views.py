"""The case page's small forms and the daily digest page. Each view parses,
calls one service, and goes back to the case with a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.cases.models import Extension
from zhixing.cases.periods import ExtensionRefused, extension_decide, extension_request
from zhixing.cases.selectors import access_case
from zhixing.courts.models import Officer
from zhixing.tasks.digest import digest_for
from zhixing.tasks.forms import (
    ExtensionDecideForm,
    ExtensionRequestForm,
    FieldInquiryForm,
    FoundForm,
    LeadForm,
    form_error,
)
from zhixing.tasks.inquiries import (
    FoundInput,
    field_inquiries_order,
    field_inquiry_record,
    lead_check,
    lead_report,
)
from zhixing.tasks.models import Digest, Lead, Task
from zhixing.tasks.services import TaskRefused
from zhixing.web.views import officer_required

ANCHOR = "#case-tasks"


def _back(case_id: int):
    response = redirect("case_detail", case_id)
    response["Location"] += ANCHOR
    return response


def _found(form: FoundForm) -> FoundInput | None:
    d = form.cleaned_data
    if not d.get("kind"):
        return None
    return FoundInput(d["kind"], d.get("holder", ""), d.get("value", ""), d.get("detail", ""), d.get("debtor"))


@require_POST
@officer_required
def field_inquiry_order(request, case_id: int):
    case = access_case(request.officer, case_id)
    form = FieldInquiryForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return _back(case.id)
    d = form.cleaned_data
    officer = Officer.objects.filter(pk=d["officer"], court_id=request.officer.court_id).first()
    try:
        field_inquiries_order(
            cases=[case], officer=officer, place=d["place"], due_on=d["due_on"], note=d["note"],
            actor=request.officer, now=timezone.now(),
        )
    except TaskRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已安排线下查询")
    return _back(case.id)


@require_POST
@officer_required
def field_inquiry_result(request, task_id: int):
    task = Task.objects.filter(pk=task_id, court_id=request.officer.court_id, kind="field_inquiry").first()
    if task is None:
        raise Http404("待办不存在")
    form = FoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return _back(task.case_id)
    found = _found(form)
    try:
        field_inquiry_record(
            task=task, found=[found] if found else [], result=form.cleaned_data["result"],
            actor=request.officer, now=timezone.now(),
        )
    except TaskRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已登记线下查询结果")
    return _back(task.case_id)


@require_POST
@officer_required
def lead_new(request, case_id: int):
    case = access_case(request.officer, case_id)
    form = LeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return _back(case.id)
    d = form.cleaned_data
    try:
        lead_report(
            case=case, kind=d["kind"], description=d["description"], urgent=d["urgent"],
            reported_on=d.get("reported_on"), reported_by_party_id=d.get("party"),
            reported_by_text=d.get("reported_by", ""), actor=request.officer, now=timezone.now(),
        )
    except TaskRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已登记财产线索")
    return _back(case.id)


@require_POST
@officer_required
def lead_checked(request, lead_id: int):
    lead = Lead.objects.filter(pk=lead_id, court_id=request.officer.court_id).first()
    if lead is None:
        raise Http404("线索不存在")
    form = FoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return _back(lead.case_id)
    try:
        lead_check(
            lead=lead, result=form.cleaned_data["result"], found=_found(form),
            actor=request.officer, now=timezone.now(),
        )
    except TaskRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已登记线索核查结果")
    return _back(lead.case_id)


@require_POST
@officer_required
def extension_new(request, case_id: int):
    case = access_case(request.officer, case_id)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return _back(case.id)
    try:
        extension_request(
            case=case, reason=form.cleaned_data["reason"], actor=request.officer, now=timezone.now()
        )
    except ExtensionRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已提交延长审限申请，等待执行局长审批")
    return _back(case.id)


@require_POST
@officer_required
def extension_decided(request, extension_id: int):
    ext = Extension.objects.filter(pk=extension_id, court_id=request.officer.court_id).first()
    if ext is None:
        raise Http404("申请不存在")
    form = ExtensionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return _back(ext.case_id)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        extension_decide(
            extension=ext, approve=approve, reason=form.cleaned_data["reason"],
            actor=request.officer, now=timezone.now(),
        )
    except ExtensionRefused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已批准延长审限" if approve else "已不批准延长审限")
    if request.POST.get("next") == "board":
        return redirect("board")
    return _back(ext.case_id)


@require_GET
@officer_required
def digest(request):
    """Today's digest as the robot stored it at 7:30, or as it stands now."""
    today = timezone.localdate()
    stored = Digest.objects.filter(officer=request.officer, day=today).first()
    live = digest_for(request.officer, today)
    history = list(Digest.objects.filter(officer=request.officer).order_by("-day")[:14])
    return render(
        request,
        "tasks/digest.html",
        {"nav": "digest", "d": live, "stored": stored, "history": history, "today": today},
    )
