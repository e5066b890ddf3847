"""Issue 4, "how it is checked", tried as a new user would, through the pages:
import a statement with matched, unmatched and duplicate lines; claim the
unmatched one; pay out with approval; re-import the same statement (with the
bank's payments of ours in the next one); the reconciliation balances to the
fen and nothing was booked twice."""

import csv
import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.centre.test_dispatch import dispatched
from tests.conftest import at
from tests.funds.statements_kit import csv_bytes, line
from zhixing.funds.case_panel import account_number
from zhixing.funds.ledger import all_case_balances_total, case_balances, custody_balance, unclaimed_balance
from zhixing.funds.models import LedgerEntry, PayoutLine, StatementLine
from zhixing.funds.payouts import payout_draft
from zhixing.rules.money import yuan_str


def test_a_new_user_imports_claims_pays_reimports_and_reconciles(court, centre, client):
    (case,) = dispatched(court, centre, at(2026, 3, 2, 9))
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    login = lambda username: client.force_login(case.court.officers.get(user__username=username).user)  # noqa: E731

    # 1. Yesterday's statement: matched by sub-account, unmatched, and a line the bank printed twice.
    first = csv_bytes([
        line(f"{yesterday} 09:30:00", "B001", "30,000.00", name="付款人甲", sub=account_number(case)),
        line(f"{yesterday} 11:00:00", "B002", "5,000.00", name="某某装饰部", remark="货款"),
        line(f"{yesterday} 09:30:00", "B001", "30,000.00", name="付款人甲", sub=account_number(case)),
    ])
    login("finance")
    page = client.post("/funds/statements/", {"file": SimpleUploadedFile("对账单.csv", first), "mapping": ""})
    assert page.status_code == 200, page.content.decode()[:500]
    assert case_balances([case.id]) == {case.id: 30_000_00}
    assert unclaimed_balance(court.id) == 5_000_00

    # 2. The unmatched deposit is claimed to the case from the queue.
    unmatched = StatementLine.objects.get(serial="B002")
    assert "某某装饰部" in client.get("/funds/claims/").content.decode()
    r = client.post(f"/funds/claims/{unmatched.id}/claim", {"case_number": case.case_number, "note": "付款人来电"})
    assert r.status_code == 302
    assert case_balances([case.id]) == {case.id: 35_000_00} and unclaimed_balance(court.id) == 0

    # 3. The handler plans the payout from the case page's split, with the payees' accounts.
    draft = payout_draft(case)
    accounts = {"fee": "3202004509100999999", "creditor": "6222000000000002", "refund": "6222000000000003"}
    login("simple1")
    r = client.post(
        f"/funds/cases/{case.id}/payouts/",
        {
            "kind": [d.kind for d in draft.lines],
            "party": [str(d.party_id or "") for d in draft.lines],
            "name": [d.payee_name or "武汉市汉阳区人民法院（诉讼费）" for d in draft.lines],
            "account": [accounts[d.kind] for d in draft.lines],
            "bank": ["中国工商银行武汉汉阳支行" for _ in draft.lines],
            "amount": [yuan_str(d.amount) for d in draft.lines],
        },
    )
    assert r.status_code == 302, r.content.decode()[:800]
    payout = case.payouts.get()
    assert payout.total == 35_000_00 and payout.approvals_needed == ["director"]

    # 4. The director approves; finance makes the payment file and books it.
    login("director")
    r = client.post(f"/funds/payouts/{payout.id}/decide/", {"decision": "approve", "version": payout.version})
    assert r.status_code == 302
    login("finance")
    assert client.post("/funds/payments/", {"payout": [str(payout.id)]}).status_code == 302
    file_id = PayoutLine.objects.filter(payout=payout).values_list("payment_file_id", flat=True).first()
    payment_file = client.get(f"/funds/payments/{file_id}.csv")
    rows = list(csv.DictReader(io.StringIO(payment_file.content.decode("utf-8-sig"))))
    assert sum(int(r["金额（元）"].replace(".", "")) for r in rows) == 35_000_00
    assert case_balances([case.id]) == {case.id: 0}

    # 5. Today's statement repeats yesterday's lines and shows the bank paying our file.
    paid = [
        line(f"{today} 10:{i:02d}:00", f"P{i:03d}", amount_out=r["金额（元）"], name=r["收款户名"],
             account=r["收款账号"], remark=f"案款发放 {r['业务参考号']}")
        for i, r in enumerate(rows)
    ]
    second = csv_bytes([
        line(f"{yesterday} 09:30:00", "B001", "30,000.00", name="付款人甲", sub=account_number(case)),
        line(f"{yesterday} 11:00:00", "B002", "5,000.00", name="某某装饰部", remark="货款"),
        *paid,
    ])
    page = client.post("/funds/statements/", {"file": SimpleUploadedFile("对账单2.csv", second), "mapping": ""})
    assert page.status_code == 200
    again = client.post("/funds/statements/", {"file": SimpleUploadedFile("对账单.csv", first), "mapping": ""})
    assert again.status_code == 200

    # 6. Nothing was booked twice, and both days balance to the fen.
    assert LedgerEntry.objects.filter(kind__in=["receipt", "unmatched"]).count() == 2
    assert LedgerEntry.objects.filter(kind="claim").count() == 1
    assert LedgerEntry.objects.filter(kind__in=["disbursement", "fee", "refund"]).count() == len(rows)
    assert StatementLine.objects.count() == 2 + len(rows)
    assert custody_balance(court.id) == all_case_balances_total(court.id) + unclaimed_balance(court.id) == 0
    for day in (yesterday, today):
        body = client.get(f"/funds/reconcile/?on={day}").content.decode()
        assert ">平衡<" in body, (day, body[body.find("对账结果"):][:600])
