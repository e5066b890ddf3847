"""What a case's debtor owes on a day (rules/due.py), from the facts in the
database: the title, funds.Terms, suspensions, the ledger and the court's
fee base. Set-based: cases_due answers for any number of cases in four
queries; case_due is the one-case form.

Facts, per case:
- principal: amount_claimed (the money debt the creditor applied for);
  doubled interest from the title's performance deadline (title.due_on), or
  each instalment's due day from Terms;
- ordinary interest only from Terms (what the title awards);
- excluded from the doubled interest: ExcludedPeriod rows of kind
  "suspension" (中止执行) only; the other kinds (appraisal, auction, notice …)
  stop the time limit, not the interest. [open] The record does not say who
  asked for a suspension; 迟延履行利息解释第三条 excludes only one the debtor
  did not ask for, so every recorded suspension is excluded here. A suspension
  still open runs to the statement's day;
- payments: ledger rows receipt, claim and direct with value_on up to the day
  (the day the money moved), less refunds (off the latest payments);
- fee: rules.fees.enforcement_fee on the court's base (funds_settings: the
  amount claimed, or the amount recovered up to the day), less the ledger's
  fee rows up to the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from django.db.models import Sum
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404

from zhixing.cases.models import EnforcementCase, ExcludedPeriod
from zhixing.funds.models import LedgerEntry, Terms
from zhixing.funds.settings import funds_settings
from zhixing.rules import Reason, RuleError
from zhixing.rules.due import Debt, DueStatement, Payment, amount_due, payments_less_refunds
from zhixing.rules.fees import enforcement_fee

PAID_KINDS = ("receipt", "claim", "direct")
FEE_BASE_TEXT = {"claimed": "以申请执行标的额为计费基数", "recovered": "以执行到位金额为计费基数"}


def case_due(case, on: date) -> DueStatement:
    """What `case`'s debtor owes at the end of `on`. RuleError if its Terms are bad."""
    return cases_due([case], on)[case.id]


def officer_case_due(officer, case_id: int, on: date) -> tuple[EnforcementCase, DueStatement]:
    """For the API: a case of the officer's court (else 404, as for a missing one)."""
    case = (
        EnforcementCase.objects.filter(pk=case_id, court_id=officer.court_id)
        .select_related("court", "title")
        .first()
    )
    if case is None:
        raise Http404("案件不存在")
    return case, case_due(case, on)


def cases_due(cases: Iterable, on: date, *, errors: dict[int, str] | None = None) -> dict[int, DueStatement]:
    """DueStatement per case id (cases as objects or ids), in a fixed number of
    queries however many cases.

    A case whose facts a rule refuses (bad Terms) raises RuleError naming its
    case number; a batch caller passes `errors` instead, and such a case is
    left out of the answer with its Chinese message there."""
    ids = [c.id if hasattr(c, "id") else int(c) for c in cases]
    rows = list(EnforcementCase.objects.filter(id__in=ids).select_related("court", "title"))
    terms = {t.case_id: t for t in Terms.objects.filter(case_id__in=ids)}
    suspended = defaultdict(list)
    for p in ExcludedPeriod.objects.filter(case_id__in=ids, kind="suspension", start_on__lte=on):
        # An open one, or one ending after the day, runs to the day (as in
        # rules.deadlines.excluded_days); rules/interest.py takes its length.
        end = p.end_on if p.end_on is not None and p.end_on <= on else on
        suspended[p.case_id].append((p.start_on, end))
    paid, refunds, fee_kept = defaultdict(list), defaultdict(list), defaultdict(int)
    moves = (
        LedgerEntry.objects.filter(case_id__in=ids, kind__in=(*PAID_KINDS, "refund", "fee"))
        .annotate(day=Coalesce("value_on", TruncDate("posted_at")))
        .filter(day__lte=on)
        .values("case_id", "kind", "day")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for m in moves:
        if m["kind"] == "fee":
            fee_kept[m["case_id"]] += m["total"]
        else:
            (refunds if m["kind"] == "refund" else paid)[m["case_id"]].append(Payment(m["day"], m["total"]))

    settings_by_court = {}
    out = {}
    for case in rows:
        if case.court_id not in settings_by_court:
            settings_by_court[case.court_id] = funds_settings(case.court)
        s = settings_by_court[case.court_id]
        t = terms.get(case.id)
        try:
            payments = payments_less_refunds(paid[case.id], refunds[case.id])
            recovered = sum(p.amount for p in payments)
            base = case.amount_claimed if s.fee_base == "claimed" else recovered
            statement = amount_due(
                principal=case.amount_claimed,
                start_on=case.title.due_on,
                on=on,
                payments=payments,
                instalments=_instalments(t),
                interest_awarded=t.interest_awarded if t else 0,
                interest_rate=(t.interest_rate or None) if t else None,
                interest_from=t.interest_from if t else None,
                excluded=suspended[case.id],
                fee=enforcement_fee(base),
                fee_paid=min(fee_kept[case.id], recovered),
            )
        except RuleError as e:
            if errors is None:
                raise RuleError(f"{case.case_number}：{e}") from None
            errors[case.id] = f"{case.case_number}：{e}"
            continue
        text = f"申请执行费{FEE_BASE_TEXT[s.fee_base]}（本院设置）"
        if suspended[case.id]:
            text += f"；已登记的中止执行期间{len(suspended[case.id])}段不计加倍部分债务利息（其他扣除审限期间照常计息）"
        note = Reason(text, "规则说明第十节")
        out[case.id] = replace(statement, reasons=(*statement.reasons, note))
    return out


def _instalments(t: Terms | None) -> list[Debt]:
    if t is None or not t.instalments:
        return []
    out = []
    for i, row in enumerate(t.instalments, start=1):
        try:
            out.append(Debt(int(row["amount"]), date.fromisoformat(row["due_on"])))
        except (KeyError, TypeError, ValueError):
            raise RuleError(f"第{i}期分期履行记录格式不正确（需金额与到期日）") from None
    return out
