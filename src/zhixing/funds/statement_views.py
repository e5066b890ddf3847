"""Money-in pages: import a bank statement, see what each import did, and
work the claim queue. Views parse the request, call one service or selector
and render; a refusal re-renders the page with the Chinese errors (422).
Importing, claiming and returning are for finance, the command centre and
the director; every other officer sees the pages read-only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.funds.statement_selectors import claim_queue, statement_detail, statements_page
from zhixing.funds.statement_services import (
    MoneyInRefused,
    StatementRefused,
    may_handle_money_in,
    statements_claim,
    statements_import,
    statements_return,
)
from zhixing.rules.money import format_yuan
from zhixing.web.views import officer_required

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_READ_ONLY = "您的岗位只能查看，导入对账单、认领和退回款项限财务、指挥中心、执行局长。"


def _statements(request, *, status=200, errors=(), result=None, mapping=""):
    court = request.officer.court
    context = {
        "nav": "funds",
        "page": statements_page(court=court),
        "can_edit": may_handle_money_in(request.officer),
        "errors": list(errors),
        "result": result,
        "chosen_mapping": mapping,
    }
    return render(request, "funds/statements/list.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def statements(request):
    if request.method == "GET":
        return _statements(request)
    if not may_handle_money_in(request.officer):
        return HttpResponseForbidden(_READ_ONLY)
    upload = request.FILES.get("file")
    mapping = request.POST.get("mapping", "")
    if upload is None:
        return _statements(
            request, status=422, errors=["请选择要导入的对账单文件（CSV或.xlsx）"], mapping=mapping
        )
    if upload.size > MAX_UPLOAD_BYTES:
        return _statements(
            request,
            status=422,
            errors=["文件过大（最大20MB），请按期间拆分后导入"],
            mapping=mapping,
        )
    try:
        result = statements_import(
            court=request.officer.court,
            officer=request.officer,
            file_name=upload.name,
            data=upload.read(),
            mapping=mapping or None,
            now=timezone.now(),
        )
    except StatementRefused as refusal:
        return _statements(request, status=422, errors=refusal.errors, mapping=mapping)
    except MoneyInRefused as refusal:
        return _statements(request, status=422, errors=[str(refusal)], mapping=mapping)
    return _statements(request, result=result)


@require_GET
@officer_required
def statement_lines(request, statement_id: int):
    detail = statement_detail(court=request.officer.court, statement_id=statement_id)
    if detail is None:
        raise Http404("没有这次导入")
    return render(request, "funds/statements/detail.html", {"nav": "funds", "d": detail})


def _claims(request, *, status=200, error="", posted=None):
    context = {
        "nav": "funds",
        "q": claim_queue(court=request.officer.court, today=timezone.localdate()),
        "can_edit": may_handle_money_in(request.officer),
        "error": error,
        "posted": posted or {},
    }
    return render(request, "funds/statements/claims.html", context, status=status)


@require_GET
@officer_required
def claims(request):
    return _claims(request)


@require_POST
@officer_required
def claim(request, line_id: int):
    if not may_handle_money_in(request.officer):
        return HttpResponseForbidden(_READ_ONLY)
    try:
        line = statements_claim(
            line_id=line_id,
            case_number=request.POST.get("case_number", ""),
            officer=request.officer,
            note=request.POST.get("note", ""),
            now=timezone.now(),
        )
    except MoneyInRefused as refusal:
        return _claims(
            request, status=422, error=str(refusal), posted={"line": line_id, **request.POST.dict()}
        )
    messages.success(
        request, f"已将{format_yuan(line.amount)}元认领到{line.case.case_number}，并通知申请执行人"
    )
    return redirect("funds_claims")


@require_POST
@officer_required
def claim_return(request, line_id: int):
    if not may_handle_money_in(request.officer):
        return HttpResponseForbidden(_READ_ONLY)
    try:
        line = statements_return(
            line_id=line_id,
            officer=request.officer,
            note=request.POST.get("note", ""),
            now=timezone.now(),
        )
    except MoneyInRefused as refusal:
        return _claims(
            request, status=422, error=str(refusal), posted={"line": line_id, **request.POST.dict()}
        )
    messages.success(
        request, f"已登记退回付款人{line.counterparty_name or ''} {format_yuan(line.amount)}元"
    )
    return redirect("funds_claims")
