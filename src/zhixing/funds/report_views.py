"""Reports on the case accounts: the daily reconciliation page and each case
account's statement as Excel or Word. Each view parses, calls one service and
renders (or sends the file)."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from zhixing.funds.reconcile import reconcile
from zhixing.funds.statements_out import case_statement_for, statement_docx, statement_xlsx
from zhixing.web.views import officer_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BadDate(ValueError):
    pass


def _date(request, name: str, label: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadDate(f"{label}（{name}）格式应为 YYYY-MM-DD：{raw}") from None


@require_GET
@officer_required
def reconcile_page(request):
    error = ""
    try:
        on = _date(request, "on", "对账日期")
    except BadDate as e:
        on, error = None, str(e)
    on = on or timezone.localdate()
    rec = reconcile(court=request.officer.court, on=on)
    context = {
        "nav": "funds",
        "rec": rec,
        "money": rec.shown(),
        "error": error,
        "prev": on - timedelta(days=1),
        "next": on + timedelta(days=1),
    }
    return render(request, "funds/reports/reconcile.html", context, status=400 if error else 200)


def _statement(request, case_id: int):
    start = _date(request, "from", "起始日期")
    end = _date(request, "to", "截止日期") or timezone.localdate()
    if start and start > end:
        raise BadDate(f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}")
    return case_statement_for(officer=request.officer, case_id=case_id, start=start, end=end)


def _download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@officer_required
def case_account_xlsx(request, case_id: int):
    try:
        s = _statement(request, case_id)
    except BadDate as e:
        return HttpResponseBadRequest(str(e), content_type="text/plain; charset=utf-8")
    return _download(statement_xlsx(s), XLSX, f"{s.file_stem}.xlsx")


@require_GET
@officer_required
def case_account_docx(request, case_id: int):
    try:
        s = _statement(request, case_id)
    except BadDate as e:
        return HttpResponseBadRequest(str(e), content_type="text/plain; charset=utf-8")
    return _download(statement_docx(s), DOCX, f"{s.file_stem}.docx")
