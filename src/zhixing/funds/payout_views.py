"""Money out: the case page's 案款发放 card, the plans list, payment files.
Each POST parses the form, calls one service and redirects (or shows the
Chinese refusal, with what was typed, status 422)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.cases.selectors import access_case
from zhixing.funds.models import Approval, PaymentFile, Payout, PayoutLine
from zhixing.funds.payouts import (
    PAYER_ROLES,
    PLANNER_ROLES,
    ROLE_LABELS,
    PayoutRefused,
    PlanLine,
    next_approver,
    next_deferral_approver,
    payment_file_csv,
    payments_file,
    payout_draft,
    payout_warnings,
    payouts_cancel,
    payouts_decide,
    payouts_defer,
    payouts_defer_decide,
    payouts_plan,
    payouts_resume,
)
from zhixing.funds.settings import funds_settings
from zhixing.rules.money import MoneyError, format_yuan, parse_yuan
from zhixing.web.views import officer_required

# ---------------------------------------------------------------- case card


@dataclass
class PlanView:
    payout: Payout
    lines: list
    trail: list  # Approval rows, payout and deferral, in order
    turn: str  # the role whose turn it is to approve ("" when none)
    deferral_turn: str
    can_decide: bool
    can_decide_deferral: bool
    can_defer: bool
    can_cancel: bool
    can_resume: bool = False

    @property
    def turn_label(self) -> str:
        return ROLE_LABELS.get(self.turn, self.turn)

    @property
    def deferral_turn_label(self) -> str:
        return ROLE_LABELS.get(self.deferral_turn, self.deferral_turn)


def _plan_views(payouts, officer) -> list[PlanView]:
    deferral_roles = ()
    out = []
    for p in payouts:
        if not deferral_roles:
            deferral_roles = tuple(funds_settings(p.court).deferral_roles)
        trail = list(p.approvals.all())
        done = [a for a in trail if a.purpose == "payout"]
        turn = next_approver(p, done) or ""
        dtrail = [a for a in trail if a.purpose == "deferral"]
        last_no = max((i for i, a in enumerate(dtrail) if not a.approved), default=-1)
        ddone = dtrail[last_no + 1 :]
        dturn = next_deferral_approver(p, ddone) or ""
        mine = officer is not None
        out.append(
            PlanView(
                payout=p,
                lines=list(p.lines.all()),
                trail=trail,
                turn=turn,
                deferral_turn=dturn,
                can_decide=mine
                and bool(turn)
                and officer.role == turn
                and officer.id != p.created_by_id
                and all(a.officer_id != officer.id for a in done),
                can_decide_deferral=mine
                and bool(dturn)
                and officer.role == dturn
                and all(a.officer_id != officer.id for a in ddone),
                can_defer=mine
                and p.status in ("pending", "approved")
                and not p.deferral_reason
                and officer.role in PLANNER_ROLES + deferral_roles,
                can_resume=mine and p.status == "deferred" and officer.role in deferral_roles,
                can_cancel=mine
                and p.status in ("pending", "approved", "deferred", "rejected")
                and officer.role in PLANNER_ROLES + ("director",),
            )
        )
    return out


def _with_trail(qs):
    return qs.select_related("case", "court", "created_by").prefetch_related(
        Prefetch("lines", queryset=PayoutLine.objects.order_by("position", "id")),
        Prefetch(
            "approvals", queryset=Approval.objects.select_related("officer").order_by("at", "id")
        ),
    )


def payouts_context(case, officer, *, error: str = "", posted=None) -> dict:
    """Context for templates/funds/_case_payouts.html."""
    draft = payout_draft(case)
    plans = _plan_views(
        _with_trail(Payout.objects.filter(case=case)).order_by("-created_at", "-id"), officer
    )
    lines = draft.lines
    if posted is not None:  # what was typed, back in the form
        lines = _posted_rows(posted)
    return {
        "po": {
            "balance": format_yuan(draft.balance),
            "available": format_yuan(max(draft.available, 0)),
            "fee_owed": format_yuan(draft.fee_owed),
            "owed": format_yuan(draft.owed),
            "split_reasons": draft.split.explain(),
            "draft_lines": lines,
            "plans": plans,
            "can_plan": officer is not None
            and officer.role in PLANNER_ROLES
            and draft.available > 0,
            "kinds": PayoutLine.Kind.choices,
            "error": error,
        }
    }


@dataclass
class _Row:
    kind: str
    party_id: object
    payee_name: str
    payee_account: str
    payee_bank: str
    amount_yuan: str


def _posted_rows(post) -> list[_Row]:
    keys = ("kind", "party", "name", "account", "bank", "amount")
    cols = [post.getlist(k) for k in keys]
    n = max((len(c) for c in cols), default=0)
    rows = []
    for i in range(n):
        kind, party, name, account, bank, amount = (c[i] if i < len(c) else "" for c in cols)
        if not (name.strip() or account.strip() or amount.strip()):
            continue  # an empty row of the form
        rows.append(_Row(kind, party, name, account, bank, amount))
    return rows


def _parse_lines(post) -> tuple[list[PlanLine], list[str]]:
    lines, errors = [], []
    for n, row in enumerate(_posted_rows(post), 1):
        try:
            amount = parse_yuan(row.amount_yuan.strip())
        except (MoneyError, TypeError) as e:
            errors.append(
                f"第{n}行 金额：{e}" if row.amount_yuan.strip() else f"第{n}行 金额：请填写"
            )
            amount = 0
        party = int(row.party_id) if str(row.party_id).isdigit() else None
        lines.append(
            PlanLine(row.kind, row.payee_name, row.payee_account, amount, row.payee_bank, party)
        )
    return lines, errors


def _case_refused(request, case_id: int, error: str, posted=None):
    from zhixing.funds.case_panel import funds_case_context
    from zhixing.web.dossier import dossier_for

    dossier = dossier_for(officer=request.officer, case_id=case_id, today=timezone.localdate())
    context = {"nav": "cases", "d": dossier, "case": dossier.case}
    context.update(funds_case_context(case=dossier.case, officer=request.officer, request=request))
    context.update(payouts_context(dossier.case, request.officer, error=error, posted=posted))
    return render(request, "web/case_detail.html", context, status=422)


@require_POST
@officer_required
def payout_plan(request, case_id: int):
    case = access_case(request.officer, case_id)
    lines, errors = _parse_lines(request.POST)
    if errors:
        return _case_refused(request, case_id, "；".join(errors), request.POST)
    try:
        payout = payouts_plan(case=case, officer=request.officer, now=timezone.now(), lines=lines)
    except PayoutRefused as refusal:
        return _case_refused(request, case_id, str(refusal), request.POST)
    messages.success(
        request,
        f"已拟定案款发放方案，合计{format_yuan(payout.total)}元，发放期限{payout.due_on:%Y-%m-%d}",
    )
    return redirect(reverse("case_detail", args=[case_id]) + "#case-payouts")


def _payout_of(request, payout_id: int) -> Payout:
    payout = Payout.objects.filter(id=payout_id, court_id=request.officer.court_id).first()
    if payout is None:
        raise Http404("发放方案不存在")
    return payout


def _version(request) -> int | None:
    v = request.POST.get("version", "")
    return int(v) if v.isdigit() else None


def _back(request, payout: Payout, error: str = ""):
    """After a decision: back where the form was (the list or the case page)."""
    if error:
        if request.POST.get("next") == "list":
            return _list_page(request, error=error, status=422)
        return _case_refused(request, payout.case_id, error)
    if request.POST.get("next") == "list":
        return redirect("payouts_list")
    return redirect(reverse("case_detail", args=[payout.case_id]) + "#case-payouts")


@require_POST
@officer_required
def payout_decide(request, payout_id: int):
    payout = _payout_of(request, payout_id)
    kw = {
        "payout_id": payout.id,
        "officer": request.officer,
        "approve": request.POST.get("decision") == "approve",
        "note": request.POST.get("note", ""),
        "now": timezone.now(),
        "version": _version(request),
    }
    try:
        if request.POST.get("purpose") == "deferral":
            payout = payouts_defer_decide(**kw)
        else:
            payout = payouts_decide(**kw)
    except PayoutRefused as refusal:
        return _back(request, payout, str(refusal))
    messages.success(request, f"已审批（方案状态：{payout.get_status_display()}）")
    return _back(request, payout)


@require_POST
@officer_required
def payout_defer(request, payout_id: int):
    payout = _payout_of(request, payout_id)
    until_raw = request.POST.get("until", "").strip()
    until = None
    if until_raw:
        try:
            until = date.fromisoformat(until_raw)
        except ValueError:
            return _back(request, payout, f"暂缓至：“{until_raw}”不是有效日期")
    try:
        payouts_defer(
            payout_id=payout.id,
            officer=request.officer,
            reason=request.POST.get("reason", ""),
            until=until,
            now=timezone.now(),
            version=_version(request),
        )
    except PayoutRefused as refusal:
        return _back(request, payout, str(refusal))
    messages.success(request, "已申请暂缓发放，待执行局长、分管副院长审批")
    return _back(request, payout)


@require_POST
@officer_required
def payout_resume(request, payout_id: int):
    payout = _payout_of(request, payout_id)
    try:
        payout = payouts_resume(
            payout_id=payout.id,
            officer=request.officer,
            note=request.POST.get("note", ""),
            now=timezone.now(),
            version=_version(request),
        )
    except PayoutRefused as refusal:
        return _back(request, payout, str(refusal))
    messages.success(request, f"已恢复发放，发放期限{payout.due_on:%Y-%m-%d}")
    return _back(request, payout)


@require_POST
@officer_required
def payout_cancel(request, payout_id: int):
    payout = _payout_of(request, payout_id)
    try:
        payouts_cancel(
            payout_id=payout.id,
            officer=request.officer,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
            version=_version(request),
        )
    except PayoutRefused as refusal:
        return _back(request, payout, str(refusal))
    messages.success(request, "已撤销发放方案")
    return _back(request, payout)


# ---------------------------------------------------------------- lists


@dataclass
class Overview:
    to_approve: list = field(default_factory=list)  # PlanView: my turn (payout or deferral)
    approved: list = field(default_factory=list)  # awaiting payment
    deferred: list = field(default_factory=list)
    warnings: object = None  # DueWarnings
    can_pay: bool = False


def payouts_overview(*, officer, today: date) -> Overview:
    """The plans page: mine to approve, approved awaiting payment, deferred,
    and the limits due soon or past. A few queries whatever the numbers."""
    court = officer.court
    open_ = _with_trail(
        Payout.objects.filter(court=court, status__in=("pending", "approved", "deferred"))
    ).order_by("due_on", "id")
    views = _plan_views(open_, officer)
    return Overview(
        to_approve=[v for v in views if v.can_decide or v.can_decide_deferral],
        approved=[v for v in views if v.payout.status == "approved"],
        deferred=[v for v in views if v.payout.status == "deferred"],
        warnings=payout_warnings(court=court, today=today),
        can_pay=officer.role in PAYER_ROLES,
    )


def payout_counts(officer, today: date) -> dict:
    """The counts on the funds home card."""
    from datetime import timedelta

    court = officer.court
    warn = funds_settings(court).payout_warn_days
    pending = Payout.objects.filter(court=court, status="pending").annotate(
        n=Count("approvals", filter=Q(approvals__purpose="payout"))
    )
    mine = sum(
        1
        for needed, n in pending.values_list("approvals_needed", "n")
        if n < len(needed) and needed[n] == officer.role
    )
    rows = Payout.objects.filter(court=court)
    return {
        "to_approve": mine,
        "approved": rows.filter(status="approved").count(),
        "due": rows.filter(
            status__in=("pending", "approved"), due_on__lte=today + timedelta(days=warn)
        ).count(),
        "deferred": rows.filter(status="deferred").count(),
        "files": PaymentFile.objects.filter(court=court).count(),
    }


def _list_page(request, *, error: str = "", status: int = 200):
    context = {
        "nav": "funds",
        "ov": payouts_overview(officer=request.officer, today=timezone.localdate()),
        "error": error,
    }
    return render(request, "funds/payouts/list.html", context, status=status)


@require_GET
@officer_required
def payouts_list(request):
    return _list_page(request)


@require_http_methods(["GET", "POST"])
@officer_required
def payment_files(request):
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("payout") if i.isdigit()]
        try:
            pf = payments_file(
                court=request.officer.court,
                officer=request.officer,
                payout_ids=ids,
                now=timezone.now(),
            )
        except PayoutRefused as refusal:
            return _list_page(request, error=str(refusal), status=422)
        messages.success(
            request, f"已生成付款文件{pf.name}：{pf.line_count}笔，合计{format_yuan(pf.total)}元"
        )
        return redirect("payment_files")
    files = PaymentFile.objects.filter(court=request.officer.court).select_related("created_by")[
        :200
    ]
    return render(request, "funds/payouts/files.html", {"nav": "funds", "files": files})


@require_GET
@officer_required
def payment_file_download(request, file_id: int):
    pf = (
        PaymentFile.objects.filter(id=file_id, court_id=request.officer.court_id)
        .select_related("court")
        .first()
    )
    if pf is None:
        raise Http404("付款文件不存在")
    response = HttpResponse(payment_file_csv(pf), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f"attachment; filename=\"payments-{pf.id}.csv\"; filename*=UTF-8''{_quote(pf.name)}"
    )
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
