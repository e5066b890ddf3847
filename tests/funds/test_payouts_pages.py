"""The money-out pages and alerts: the case page's 案款发放 card, the plans
list, payment files and their CSV, and plans near or past their limit on the
board, the workbench and the daily digest."""

# The pages' fixtures are imported from tests/web/conftest.py:
# ruff: noqa: F811

import csv
import io

import pytest

from tests.conftest import at
from tests.funds.payouts_kit import ACCOUNTS, funded_case, officer, plan
from tests.funds.test_payouts_flow import approve_all
from tests.web.conftest import login, other_court, table, today  # noqa: F401
from zhixing.funds.models import PaymentFile, Payout
from zhixing.funds.payouts import payout_warnings, payouts_defer, payouts_defer_decide
from zhixing.tasks.digest import digest_for


@pytest.fixture
def people(court):
    return {
        "handler": officer(court, "handler", "simple1"),
        "director": officer(court, "director", "director"),
        "vice": officer(court, "vice_president", "vice"),
        "finance": officer(court, "finance", "finance"),
    }


def test_the_case_card_prefills_the_split_and_plans_from_the_form(
    court, centre, people, login, today
):
    case = funded_case(court, centre, 200_000_00, when=at(2026, 3, 2, 9))
    client = login("simple1")
    html = client.get(f"/cases/{case.id}/").content.decode()
    assert 'id="case-payouts"' in html and "可发放 200,000.00 元" in html
    assert 'value="1751.85"' in html and 'value="124450.61"' in html and 'value="73797.54"' in html
    creditor = case.case_parties.get(role="creditor").party
    debtor = case.case_parties.get(role="debtor").party
    form = {
        "kind": ["fee", "creditor", "refund"],
        "party": ["", str(creditor.id), str(debtor.id)],
        "name": ["武汉市汉阳区人民法院（诉讼费）", creditor.name, debtor.name],
        "account": [ACCOUNTS["fee"], "", ACCOUNTS["refund"]],
        "bank": ["", "", ""],
        "amount": ["1751.85", "124450.61", "73797.54"],
    }
    refused = client.post(f"/funds/cases/{case.id}/payouts/", form)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert (
        "第2行 收款账号：请填写" in body and 'value="6222000000000003"' in body
    )  # what was typed stays
    assert not Payout.objects.exists()
    form["account"][1] = ACCOUNTS["creditor"]
    form["amount"][2] = "七万"
    refused = client.post(f"/funds/cases/{case.id}/payouts/", form)
    assert refused.status_code == 422 and "第3行 金额" in refused.content.decode()
    form["amount"][2] = "73,797.54"
    done = client.post(f"/funds/cases/{case.id}/payouts/", form)
    assert done.status_code == 302 and done["Location"].endswith(f"/cases/{case.id}/#case-payouts")
    payout = Payout.objects.get()
    assert payout.total == 200_000_00 and payout.created_by == people["handler"]
    html = client.get(f"/cases/{case.id}/").content.decode()
    assert "待审批" in html and "（待执行局长审批）" in html
    assert 'name="decision"' not in html  # not the handler's turn


def test_approve_on_the_list_then_finance_pays_and_downloads_the_file(
    court, centre, people, login, today
):
    case = funded_case(court, centre, 10_000_00, when=at(2026, 3, 2, 9))
    payout = plan(case, people["handler"], now=at(2026, 3, 2, 10))
    client = login("director")
    page = client.get("/funds/payouts/").content.decode()
    assert case.case_number in page.split('id="approved"')[0]  # in 待我审批
    r = client.post(
        f"/funds/payouts/{payout.id}/decide/",
        {"decision": "approve", "next": "list", "version": payout.version},
    )
    assert r.status_code == 302 and r["Location"] == "/funds/payouts/"
    assert Payout.objects.get(id=payout.id).status == "approved"
    # A second click on the stale form is refused, not applied twice.
    again = client.post(
        f"/funds/payouts/{payout.id}/decide/",
        {"decision": "approve", "next": "list", "version": payout.version},
    )
    assert again.status_code == 422 and "已被他人处理" in again.content.decode()

    client = login("finance")
    page = client.get("/funds/payouts/").content.decode()
    assert f'name="payout" value="{payout.id}"' in page
    home = client.get("/funds/").content.decode()
    assert 'id="funds-payouts"' in home and "已审批待支付" in home
    r = client.post("/funds/payments/", {"payout": [str(payout.id)]})
    assert r.status_code == 302
    pf = PaymentFile.objects.get()
    rows = table(client.get("/funds/payments/").content.decode())
    assert rows[0][0] == pf.name and rows[0][4] == "10,000.00"
    download = client.get(f"/funds/payments/{pf.id}.csv")
    assert download["Content-Type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [r["金额（元）"] for r in parsed] == ["1751.85", "8248.15"]
    assert Payout.objects.get(id=payout.id).status == "paid"
    # Paying again from a stale page: refused with the reason, nothing booked twice.
    r = client.post("/funds/payments/", {"payout": [str(payout.id)]})
    assert r.status_code == 422 and "已支付" in r.content.decode()
    assert PaymentFile.objects.count() == 1


def test_pages_stay_in_their_court(court, centre, people, login, today, other_court):
    case = funded_case(court, centre, 10_000_00, when=at(2026, 3, 2, 9))
    payout = approve_all(plan(case, people["handler"], now=at(2026, 3, 2, 10)), people)
    pf = PaymentFile.objects.get(id=payments_file_for(court, people, payout).id)
    client = login("other_centre")
    assert client.post(f"/funds/payouts/{payout.id}/cancel/", {"reason": "x"}).status_code == 404
    assert client.get(f"/funds/payments/{pf.id}.csv").status_code == 404
    assert pf.name not in client.get("/funds/payments/").content.decode()
    assert Payout.objects.get(id=payout.id).status == "paid"


def payments_file_for(court, people, payout):
    from zhixing.funds.payouts import payments_file

    return payments_file(
        court=court, officer=people["finance"], payout_ids=[payout.id], now=at(2026, 3, 2, 11)
    )


# ---------------------------------------------------------------- alerts


@pytest.fixture
def due_plans(court, centre, people):
    """On 2 March: one plan due today (money arrived 31 January), one overdue
    (arrived 20 January), one deferred and one paid (both old, so not nagging)."""
    due = plan(
        funded_case(court, centre, 1_000_00, when=at(2026, 1, 31, 9), ref="A1"),
        people["handler"],
        now=at(2026, 2, 1),
    )
    late = plan(
        funded_case(court, centre, 2_000_00, when=at(2026, 1, 20, 9), ref="A2"),
        people["handler"],
        now=at(2026, 2, 1),
    )
    deferred = plan(
        funded_case(court, centre, 3_000_00, when=at(2026, 1, 20, 9), ref="A3"),
        people["handler"],
        now=at(2026, 2, 1),
    )
    payouts_defer(
        payout_id=deferred.id, officer=people["handler"], reason="异议审查中", now=at(2026, 2, 2)
    )
    for who in ("director", "vice"):
        payouts_defer_decide(
            payout_id=deferred.id, officer=people[who], approve=True, now=at(2026, 2, 2)
        )
    return due, late, deferred


def test_due_and_overdue_plans_are_warned_deferred_ones_are_not(court, due_plans, today):
    due, late, _ = due_plans
    w = payout_warnings(court=court, today=today)
    assert [r.case_id for r in w.due_soon] == [due.case_id]
    assert w.due_soon[0].status == "今日到期" and w.due_soon[0].source == "案款发放"
    assert [r.case_id for r in w.overdue] == [late.case_id]
    assert w.overdue[0].status == "逾期11天"


def test_alerts_on_the_board_the_team_workbench_and_the_digest(
    court, due_plans, people, login, today
):
    due, late, _ = due_plans
    board = login("centre").get("/board/").content.decode()
    assert "案款发放即将到期" in board
    rows = table(board, 'id="board-payouts-overdue"')
    assert rows[0][0] == late.case.case_number and rows[0][4] == "逾期11天"
    bench = login(due.case.handler.user.username).get("/workbench/").content.decode()
    assert table(bench, 'id="bench-payouts-due-soon"')[0][0] == due.case.case_number
    other_team = login("disposal1").get("/workbench/").content.decode()
    assert "案款发放逾期" not in other_team
    team_member = officer(court, "clerk", "simple5")  # the simple team's clerk: the team's rows
    digest = digest_for(team_member, today)
    assert [r.case_id for r in digest.payouts] == [late.case_id, due.case_id]
    assert "【案款发放期限】2项" in digest.text()
    assert [r.case_id for r in digest_for(due.case.handler, today).payouts] == [due.case_id]
    assert digest_for(people["finance"], today).payouts  # finance sees the court's
    assert not digest_for(officer(court, "handler", "disposal1"), today).payouts
    page = login("simple5").get("/digest/").content.decode()
    assert 'id="digest-payouts"' in page
