"""What is owed: the case page's panel (应付金额计算) and the execution notice
(执行通知书, .docx). Views parse, call one service and render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from zhixing.funds.documents import DOCX, execution_notice_for
from zhixing.funds.due import case_due
from zhixing.funds.models import Terms
from zhixing.funds.terms import TermsInput, TermsRefused, terms_record
from zhixing.rules import RuleError
from zhixing.rules.money import format_yuan
from zhixing.web.views import officer_required


class BadDate(ValueError):
    pass


def _day(request, name: str = "due_on") -> date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadDate(f"计算日期格式应为 YYYY-MM-DD（如 2026-03-16）：“{raw}”") from None


def due_context(case, request) -> dict:
    """Context for templates/funds/_case_due.html: the amount due on ?due_on=
    (default today); a bad date or bad terms give a Chinese error in the card."""
    raw = request.GET.get("due_on", "").strip()
    terms = {"terms": _terms_form(case)}
    try:
        on = _day(request)
        s = case_due(case, on)
    except (BadDate, RuleError) as e:
        return {"due_error": str(e), "due_on": raw, **terms}
    y = format_yuan
    rows = [
        ("本金", y(s.principal), f"共{y(s.principal_total)}元"
         + (f"，其中{y(s.not_yet_due)}元分期未到期" if s.not_yet_due else "")),
        ("一般债务利息", y(s.interest), "执行依据判令时计算" if not s.interest_total else f"累计{y(s.interest_total)}元"),
        ("加倍部分债务利息", y(s.doubled_interest),
         "；".join(f"{y(d.amount)}元计{d.days}日" + (f"（扣除{d.excluded_days}日）" if d.excluded_days else "")
                  for d in s.debts) or "—"),
        ("申请执行费", y(s.fee), f"共{y(s.fee_total)}元"),
    ]
    return {
        "due_on": on.isoformat(),
        "due": s,
        "due_rows": rows,
        "due_paid": y(s.paid),
        "due_total": y(s.total),
        "due_surplus": y(s.surplus) if s.surplus else "",
        "due_reasons": [str(r) for r in s.reasons],
        **terms,
    }


def _terms_form(case) -> TermsInput:
    """The recorded terms as the form shows them (yuan, percent, one instalment a line)."""
    t = Terms.objects.filter(case_id=case.id).first()
    if t is None:
        return TermsInput()
    rate = f"{(Decimal(t.interest_rate) * 100).normalize():f}%" if t.interest_rate else ""
    return TermsInput(
        interest_awarded=format_yuan(t.interest_awarded).replace(",", "") if t.interest_awarded else "",
        interest_rate=rate,
        interest_from=t.interest_from.isoformat() if t.interest_from else "",
        instalments="\n".join(f"{i['due_on']} {format_yuan(i['amount']).replace(',', '')}" for i in t.instalments),
    )


@require_POST
@officer_required
def case_terms(request, case_id: int):
    """POST /cases/<id>/terms/: 登记给付内容 (interest the title awards, instalments)."""
    from django.contrib import messages

    raw = TermsInput(**{k: request.POST.get(k, "") for k in TermsInput.__dataclass_fields__})
    try:
        terms_record(officer=request.officer, case_id=case_id, raw=raw, now=timezone.now())
    except TermsRefused as e:
        messages.error(request, f"给付内容未登记：{e}")
    else:
        messages.success(request, "给付内容已登记，应付金额已按新内容计算。")
    return redirect(reverse("case_detail", args=[case_id]) + "#case-due")


@require_GET
@officer_required
def execution_notice(request, case_id: int):
    """GET /cases/<id>/notice.docx[?due_on=YYYY-MM-DD]: the notice with the amount due on that day."""
    try:
        on = _day(request)
        name, body = execution_notice_for(officer=request.officer, case_id=case_id, on=on)
    except (BadDate, RuleError) as e:
        from django.contrib import messages

        messages.error(request, f"无法生成执行通知书：{e}")
        return redirect(reverse("case_detail", args=[case_id]) + "#case-due")
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
