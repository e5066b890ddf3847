"""给付内容: what the title awards beyond the principal (ordinary interest,
instalments), recorded for the amount-due calculator. A change to a case, so
one transaction with its event; bad input is refused in Chinese by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.cases.selectors import access_case
from zhixing.courts.models import Officer
from zhixing.funds.models import Terms
from zhixing.rules.money import MoneyError, format_yuan, parse_yuan

TERMS_ROLES = ("handler", "assistant", "centre", "director", "finance")


class TermsRefused(Exception):
    """str(e) is Chinese and names the field."""


@dataclass(frozen=True)
class TermsInput:
    interest_awarded: str = ""  # yuan as typed
    interest_rate: str = ""  # annual, e.g. 3.85% or 0.0385
    interest_from: str = ""  # YYYY-MM-DD
    instalments: str = ""  # one per line: "YYYY-MM-DD 金额"


def parse_terms(raw: TermsInput) -> dict:
    """The Terms fields, or TermsRefused naming the field."""
    out = {"interest_awarded": 0, "interest_rate": "", "interest_from": None, "instalments": []}
    if raw.interest_awarded.strip():
        try:
            out["interest_awarded"] = parse_yuan(raw.interest_awarded)
        except MoneyError as e:
            raise TermsRefused(f"判决确定的利息：{e}") from None
    rate = raw.interest_rate.strip().replace("％", "%")
    if rate:
        try:
            value = Decimal(rate.rstrip("%")) / (100 if rate.endswith("%") else 1)
        except InvalidOperation:
            raise TermsRefused(f"年利率：格式不正确“{raw.interest_rate}”（如 3.85% 或 0.0385）") from None
        if not 0 < value < 1:
            raise TermsRefused(f"年利率：应大于0且小于100%，“{raw.interest_rate}”")
        out["interest_rate"] = str(value.normalize())
        if not raw.interest_from.strip():
            raise TermsRefused("利息起算日：填写年利率时必须填写起算日")
    if raw.interest_from.strip():
        try:
            out["interest_from"] = date.fromisoformat(raw.interest_from.strip())
        except ValueError:
            raise TermsRefused(f"利息起算日：格式应为 YYYY-MM-DD，“{raw.interest_from}”") from None
        if not rate:
            raise TermsRefused("年利率：填写利息起算日时必须填写年利率")
    for n, line in enumerate(raw.instalments.strip().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            raise TermsRefused(f"分期履行第{n}行：应为“到期日 金额”，如“2026-06-30 20000”")
        try:
            due_on = date.fromisoformat(parts[0])
        except ValueError:
            raise TermsRefused(f"分期履行第{n}行：到期日格式应为 YYYY-MM-DD，“{parts[0]}”") from None
        try:
            amount = parse_yuan(parts[1])
        except MoneyError as e:
            raise TermsRefused(f"分期履行第{n}行：{e}") from None
        if amount <= 0:
            raise TermsRefused(f"分期履行第{n}行：金额必须大于零")
        out["instalments"].append({"amount": amount, "due_on": due_on.isoformat()})
    return out


def terms_record(*, officer: Officer, case_id: int, raw: TermsInput, now: datetime) -> Terms:
    """登记给付内容 for a case of the officer's court; writes a terms_recorded event.
    The instalments, when given, must add up to the amount claimed."""
    if officer.role not in TERMS_ROLES:
        raise TermsRefused(f"{officer.get_role_display()}不能登记给付内容")
    fields = parse_terms(raw)
    case = access_case(officer, case_id)
    total = sum(i["amount"] for i in fields["instalments"])
    if fields["instalments"] and total != case.amount_claimed:
        raise TermsRefused(
            f"分期履行：各期合计 {format_yuan(total)} 元，与申请执行标的额 {format_yuan(case.amount_claimed)} 元不符"
        )
    with transaction.atomic():
        EnforcementCase.objects.select_for_update().filter(id=case.id).exists()
        terms, _ = Terms.objects.update_or_create(case_id=case.id, defaults=fields)
        CaseEvent.objects.create(
            court_id=case.court_id,
            case_id=case.id,
            at=now,
            kind="terms_recorded",
            actor=officer,
            detail=_detail(fields),
            data={**fields, "interest_from": fields["interest_from"].isoformat() if fields["interest_from"] else None},
        )
    return terms


def _detail(f: dict) -> str:
    parts = []
    if f["interest_awarded"]:
        parts.append(f"判决确定的利息{format_yuan(f['interest_awarded'])}元")
    if f["interest_rate"]:
        parts.append(f"一般债务利息年利率{(Decimal(f['interest_rate']) * 100).normalize():f}%，自{f['interest_from']:%Y年%m月%d日}起算")
    if f["instalments"]:
        parts.append(f"分{len(f['instalments'])}期履行")
    return "登记给付内容：" + ("；".join(parts) if parts else "仅本金")
