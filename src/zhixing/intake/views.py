"""The filing doors of the web: the 立案 form and the 批量立案 upload.

Each view parses, calls one service (cases_file through the parser, or
import_workbook), and renders. A refused filing re-renders with status 422 and
writes nothing, so tests and tools can tell a refusal from a page."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhixing.cases.services import cases_file
from zhixing.intake.forms import MAX_DEBTORS, FilingForm, PartyForm
from zhixing.intake.parsing import parse_application
from zhixing.intake.selectors import filed_cases, late_warnings
from zhixing.intake.xlsx import RowError, import_workbook, numbers_summary, template_workbook
from zhixing.rules.money import format_yuan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "批量立案模板.xlsx"
MAX_UPLOAD = 10 * 1024 * 1024
SHOWN_CASES = 500  # rows of the success table; the count is always whole
SESSION_KEY = "intake_import"


def _officer(request):
    officer = getattr(request.user, "officer", None)
    if officer is None:
        raise PermissionDenied("只有法院干警可以立案")
    return officer


@login_required
@require_http_methods(["GET", "POST"])
def case_file(request):
    officer = _officer(request)
    if request.method == "GET":
        if request.htmx and "row" in request.GET:
            return _debtor_row(request)
        return _render_form(request, FilingForm())
    if "add_debtor" in request.POST:  # the way to add a row without JavaScript
        return _render_form(request, FilingForm(request.POST, add_row=True))
    form = FilingForm(request.POST)
    now = timezone.now()
    application, errors = parse_application(
        form.as_application_json(), today=timezone.localdate(now)
    )
    if errors:
        form.attach_errors(errors)
        return _render_form(request, form, status=422)
    (case,) = cases_file(court=officer.court, actor=officer, applications=[application], now=now)
    messages.success(request, f"已立案：{case.case_number}")
    warning = late_warnings([case.id]).get(case.id)
    if warning:
        messages.warning(request, f"{case.case_number}：{warning}")
    return redirect("case_detail", case_id=case.id)


def _render_form(request, form: FilingForm, status: int = 200):
    return render(request, "intake/case_file.html", {"form": form, "nav": "file"}, status=status)


def _debtor_row(request):
    """htmx: one more debtor row, and the add button moved on (out of band)."""
    try:
        index = int(request.GET["row"])
    except ValueError:
        index = MAX_DEBTORS
    if not 0 <= index < MAX_DEBTORS:
        return HttpResponse(status=204)
    context = {
        "debtor": PartyForm(prefix=f"debtor-{index}"),
        "index": index,
        "debtor_count": index + 1,
        "can_add_debtor": index + 1 < MAX_DEBTORS,
        "oob": True,
    }
    return render(request, "intake/case_file.html#debtor-more", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_import(request):
    officer = _officer(request)
    if request.method == "GET":
        return _render_import(request, _last_import(request, officer))
    upload = request.FILES.get("file")
    if upload is None:
        return _render_import(
            request, {"errors": [RowError(None, ["请选择要导入的 Excel 文件（.xlsx）"])]}, 422
        )
    if upload.size > MAX_UPLOAD:
        return _render_import(
            request,
            {"errors": [RowError(None, ["文件超过10MB，请分批导入"])], "filename": upload.name},
            422,
        )
    result = import_workbook(file=upload, court=officer.court, actor=officer, now=timezone.now())
    if not result.ok:
        return _render_import(request, {"errors": result.errors, "filename": upload.name}, 422)
    # Post/redirect/get: a refresh must not file the same sheet twice.
    request.session[SESSION_KEY] = {
        "ids": [c.id for c in result.cases],
        "filename": upload.name,
        "summary": numbers_summary(result.cases),
    }
    messages.success(request, f"已立案 {len(result.cases)} 件：{numbers_summary(result.cases)}")
    return redirect(reverse("case_import") + "?done=1")


def _last_import(request, officer) -> dict:
    """The import just made by this session, shown after the redirect."""
    done = request.session.get(SESSION_KEY) if request.GET.get("done") else None
    if not done:
        return {}
    ids = done["ids"]
    warnings = late_warnings(ids)
    cases = filed_cases(court=officer.court, case_ids=ids[:SHOWN_CASES])
    for case in cases:
        case.warning = warnings.get(case.id, "")
        case.amount_yuan = format_yuan(case.amount_claimed)
    return {
        "filed": cases,
        "filed_count": len(ids),
        "filename": done["filename"],
        "warning_count": len(warnings),
    }


def _render_import(request, context: dict, status: int = 200):
    context = {"nav": "import", "shown_limit": SHOWN_CASES, **context}
    return render(request, "intake/case_import.html", context, status=status)


@login_required
@require_GET
def import_template(request):
    _officer(request)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(TEMPLATE_NAME)}"
    )
    return response
