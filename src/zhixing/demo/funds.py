"""The demo's money desk this morning: yesterday's bank statement imported
(arrivals matched by sub-account and by the case number in the remark, one
deposit nobody can place, one payment of ours confirmed), and payout plans
waiting for approval and for payment, so every funds page has something real
to show. Driven through the same services a finance officer uses."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from zhixing.cases.models import CaseParty, EnforcementCase
from zhixing.courts.models import Court, Officer
from zhixing.funds.case_panel import account_number
from zhixing.funds.payouts import PlanLine, payout_draft, payouts_decide, payouts_plan
from zhixing.funds.statement_services import statements_import
from zhixing.rules.money import yuan_str

HEADER = ["交易时间", "流水号", "收入金额", "支出金额", "余额", "对方户名", "对方账号", "子账号", "摘要"]
FEE_ACCOUNT = {
    "fee_account": "3202004509100999999",
    "fee_name": "武汉市汉阳区人民法院诉讼费专户",
    "fee_bank": "中国工商银行武汉汉阳支行",
}
CREDITOR_BANK = "中国建设银行武汉汉阳支行"


def demo_funds_create(court: Court, today: date, tz) -> None:
    """Import yesterday's statement and plan payouts (the demo loader calls it once)."""
    court.funds_settings = {**court.funds_settings, **FEE_ACCOUNT}
    court.save(update_fields=["funds_settings"])
    officers = {o.user.username: o for o in Officer.objects.filter(court=court).select_related("user", "court")}
    cases = list(
        EnforcementCase.objects.filter(court=court, closed_on__isnull=True, handler__isnull=False)
        .select_related("court")
        .order_by("-filed_on", "id")[:4]
    )
    if len(cases) < 4:
        return
    day = today - timedelta(days=1)
    names = dict(
        CaseParty.objects.filter(case__in=cases, role="debtor", position=0).values_list("case_id", "party__name")
    )
    rows = []
    for i, (case, amount, how) in enumerate(
        [(cases[0], 6_800_00, "sub"), (cases[1], 12_500_00, "sub"), (cases[2], 3_000_00, "remark")]
    ):
        rows.append(
            [
                f"{day:%Y-%m-%d} {9 + i:02d}:1{i}:00",
                f"{day:%Y%m%d}0001{i:02d}",
                yuan_str(amount),
                "",
                "",
                names.get(case.id, "付款人"),
                f"62220212{case.id:011d}",
                account_number(case) if how == "sub" else "",
                "执行款" if how == "sub" else f"{case.case_number} 还款",
            ]
        )
    rows.append(  # nobody can tell whose: the claim queue
        [f"{day:%Y-%m-%d} 15:40:00", f"{day:%Y%m%d}000199", "1,200.00", "", "", "武汉某某装饰工程部", "6217001200045566", "", "货款"]
    )
    finance = officers["finance"]
    statements_import(
        court=court,
        officer=finance,
        file_name=f"案款专户对账单{day:%Y%m%d}-2.csv",
        data=statement_csv(rows),
        mapping=None,
        now=datetime.combine(today, time(8, 40), tz),
    )
    # Two plans: one waiting for the director, one approved and waiting for payment.
    for n, case in enumerate(cases[:2]):
        lines = [
            PlanLine(d.kind, d.payee_name, _account(d, n), d.amount, CREDITOR_BANK if d.kind != "fee" else "", d.party_id)
            for d in payout_draft(case).lines
        ]
        payout = payouts_plan(case=case, officer=finance, now=datetime.combine(today, time(9, 5 + n), tz), lines=lines)
        if n == 1:
            for role in payout.approvals_needed:
                approver = next(o for o in officers.values() if o.role == role)
                payouts_decide(
                    payout_id=payout.id, officer=approver, approve=True, note="同意", now=datetime.combine(today, time(10, n), tz)
                )


def statement_csv(rows) -> bytes:
    """A bank statement in the standard format (docs/bank-statement.md)."""
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8-sig")


def _account(draft_line, n: int) -> str:
    if draft_line.kind == "fee":
        return FEE_ACCOUNT["fee_account"]
    return f"62170012{n:03d}{(draft_line.party_id or 0):08d}"
