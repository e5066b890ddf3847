"""Money out: a plan splits the money (fee, creditor, refund), is approved by
the tiers the court sets, paid once through a payment file, and deferred only
with a reason and both approvals (rules.md §10)."""

import csv
import io
from datetime import date

import pytest
from django.db import transaction

from tests.conftest import at
from tests.funds.payouts_kit import ACCOUNTS, DAY, funded_case, officer, plan
from zhixing.cases.models import CaseEvent
from zhixing.funds.ledger import Posting, case_balances, ledger_post
from zhixing.funds.models import Approval, LedgerEntry, Notice, PaymentFile, Payout, PayoutLine
from zhixing.funds.payouts import (
    PayoutRefused,
    PlanLine,
    fee_owed,
    payment_file_csv,
    payments_file,
    payouts_cancel,
    payouts_decide,
    payouts_defer,
    payouts_defer_decide,
    payouts_plan,
    payouts_resume,
)

FEE = 1_751_85  # 50 + (123,456.78 − 10,000) × 1.5%, rounded (诉讼费用交纳办法 §14)
CLAIMED = 123_456_78
# The doubled interest the creditor is owed too (rules.md §10): the title was
# due 2026-01-15, the money arrived 2026-03-02: 46 days × 0.000175 × 123,456.78
# = 993.827… yuan, rounded half up.
DOUBLED = 993_83
OWED = CLAIMED + DOUBLED
LATER = at(2026, 3, 3, 9)


@pytest.fixture
def people(court):
    return {
        "handler": officer(court, "handler", "simple1"),
        "director": officer(court, "director", "director"),
        "vice": officer(court, "vice_president", "vice"),
        "finance": officer(court, "finance", "finance"),
        "centre": officer(court, "centre", "centre"),
    }


def approve_all(payout, people, now=LATER):
    for role in payout.approvals_needed:
        who = people["vice" if role == "vice_president" else role]
        payout = payouts_decide(payout_id=payout.id, officer=who, approve=True, now=now)
    return payout


def test_a_plan_withholds_the_fee_pays_the_creditor_and_refunds_the_surplus(court, centre, people):
    case = funded_case(court, centre, 200_000_00)
    assert fee_owed(case) == FEE
    payout = plan(case, people["handler"])
    lines = list(payout.lines.order_by("position"))
    assert [(l.kind, l.amount) for l in lines] == [
        ("fee", FEE),
        ("creditor", OWED),
        ("refund", 200_000_00 - FEE - OWED),
    ]
    assert lines[1].party.case_roles.get(case=case).role == "creditor"
    assert lines[2].party.case_roles.get(case=case).role == "debtor"
    assert payout.total == 200_000_00
    assert (payout.arrived_on, payout.due_on) == (date(2026, 3, 2), date(2026, 4, 1))
    event = CaseEvent.objects.get(case=case, kind="payout_planned")
    assert event.data["payout"] == payout.id and event.data["total"] == 200_000_00
    assert "发放期限2026-04-01" in event.detail
    # Everything is planned: nothing is left for a second plan, and the fee is no longer owed.
    with pytest.raises(PayoutRefused, match="发放方案至少要有一行|没有可发放的余额"):
        plan(case, people["handler"])
    assert fee_owed(case) == 0


def test_a_plan_over_the_available_balance_is_refused_naming_the_amounts(court, centre, people):
    case = funded_case(court, centre, 1_000_00)
    (party_id,) = case.case_parties.filter(role="creditor").values_list("party_id", flat=True)
    too_much = [PlanLine("creditor", "某公司", "6222000000000002", 1_000_01, party_id=party_id)]
    with pytest.raises(PayoutRefused, match=r"发放合计1,000.01元超过可发放余额1,000.00元"):
        payouts_plan(case=case, officer=people["handler"], now=DAY, lines=too_much)
    bad = [
        PlanLine("creditor", "某公司", "", 500_00, party_id=party_id),
        PlanLine("refund", "张三", "62x", 1, party_id=party_id),
    ]
    with pytest.raises(PayoutRefused) as refused:
        payouts_plan(case=case, officer=people["handler"], now=DAY, lines=bad)
    assert "第1行 收款账号：请填写" in str(refused.value)
    assert "第2行 收款账号" in str(
        refused.value
    ) and "第2行 收款人：余款只能退还本案被执行人" in str(refused.value)
    assert (
        not Payout.objects.exists() and not CaseEvent.objects.filter(kind="payout_planned").exists()
    )
    with pytest.raises(PayoutRefused, match="执行局长不能拟定"):
        plan(case, people["director"])


def test_a_small_plan_needs_the_director_only(court, centre, people):
    case = funded_case(court, centre, 10_000_00)
    payout = plan(case, people["handler"])
    assert payout.approvals_needed == ["director"]
    payout = payouts_decide(
        payout_id=payout.id, officer=people["director"], approve=True, note="同意", now=LATER
    )
    assert payout.status == "approved"
    event = CaseEvent.objects.get(case=case, kind="payout_decided")
    assert event.data == {
        "payout": payout.id,
        "role": "director",
        "approved": True,
        "status": "approved",
    }


def test_a_large_plan_needs_the_director_then_the_vice_president_in_turn(court, centre, people):
    case = funded_case(court, centre, 200_000_00)
    payout = plan(case, people["handler"])
    assert payout.approvals_needed == ["director", "vice_president"]
    with pytest.raises(PayoutRefused, match="现在应由执行局长审批，分管副院长不能审批"):
        payouts_decide(payout_id=payout.id, officer=people["vice"], approve=True, now=LATER)
    with pytest.raises(PayoutRefused, match="现在应由执行局长审批，承办人不能审批"):
        payouts_decide(payout_id=payout.id, officer=people["handler"], approve=True, now=LATER)
    payouts_decide(payout_id=payout.id, officer=people["director"], approve=True, now=LATER)
    # The director cannot approve again in the vice president's place.
    with pytest.raises(PayoutRefused, match="现在应由分管副院长审批，执行局长不能审批"):
        payouts_decide(payout_id=payout.id, officer=people["director"], approve=True, now=LATER)
    assert Payout.objects.get(id=payout.id).status == "pending"
    payout = payouts_decide(payout_id=payout.id, officer=people["vice"], approve=True, now=LATER)
    assert payout.status == "approved"
    assert list(Approval.objects.filter(payout=payout).values_list("role", flat=True)) == [
        "director",
        "vice_president",
    ]
    with pytest.raises(PayoutRefused, match="不需要审批"):
        payouts_decide(payout_id=payout.id, officer=people["vice"], approve=True, now=LATER)


def test_a_stale_form_is_refused(court, centre, people):
    payout = plan(funded_case(court, centre, 10_000_00), people["handler"])
    payouts_defer(
        payout_id=payout.id,
        officer=people["handler"],
        reason="待核实账户",
        now=LATER,
        version=payout.version,
    )
    with pytest.raises(PayoutRefused, match="已被他人处理"):
        payouts_decide(
            payout_id=payout.id,
            officer=people["director"],
            approve=True,
            now=LATER,
            version=payout.version,
        )


def test_rejecting_returns_the_plan_and_frees_its_money(court, centre, people):
    case = funded_case(court, centre, 10_000_00)
    payout = plan(case, people["handler"])
    with pytest.raises(PayoutRefused, match="退回方案须填写审批意见"):
        payouts_decide(payout_id=payout.id, officer=people["director"], approve=False, now=LATER)
    payout = payouts_decide(
        payout_id=payout.id, officer=people["director"], approve=False, note="账户有误", now=LATER
    )
    assert payout.status == "rejected"
    again = plan(case, people["handler"])  # the money is available again
    assert again.total == 10_000_00


def test_paying_books_each_line_once_and_notifies_the_creditor_once(court, centre, people):
    case = funded_case(court, centre, 200_000_00)
    payout = approve_all(plan(case, people["handler"]), people)
    with pytest.raises(PayoutRefused, match="承办人不能生成付款文件"):
        payments_file(court=court, officer=people["handler"], payout_ids=[payout.id], now=LATER)
    pf = payments_file(court=court, officer=people["finance"], payout_ids=[payout.id], now=LATER)
    assert (pf.line_count, pf.total) == (3, 200_000_00)
    rows = LedgerEntry.objects.filter(case=case, payout_line__isnull=False).order_by("id")
    assert [(e.kind, e.amount, e.reference) for e in rows] == [
        (l.kind if l.kind != "creditor" else "disbursement", l.amount, f"pay:{l.id}")
        for l in PayoutLine.objects.filter(payout=payout).order_by("position")
    ]
    assert all(e.value_on == date(2026, 3, 3) for e in rows)
    assert case_balances([case.id]).get(case.id) == 0
    assert Payout.objects.get(id=payout.id).status == "paid"
    paid = CaseEvent.objects.get(case=case, kind="funds_paid")
    assert paid.data["amount"] == 200_000_00 and all(e.event_id == paid.id for e in rows)
    (notice,) = Notice.objects.filter(case=case, reason="payment")
    assert notice.key == f"payment:{payout.lines.get(kind='creditor').id}"
    assert "124,450.61元" in notice.text and "尾号0002" in notice.text

    with pytest.raises(PayoutRefused, match="状态为“已支付”"):
        payments_file(
            court=court, officer=people["finance"], payout_ids=[payout.id], now=at(2026, 3, 4)
        )
    assert LedgerEntry.objects.filter(case=case, payout_line__isnull=False).count() == 3
    assert Notice.objects.filter(case=case, reason="payment").count() == 1
    assert PaymentFile.objects.count() == 1


def test_the_payment_file_reads_back_as_the_bank_format(court, centre, people):
    case = funded_case(court, centre, 200_000_00)
    payout = approve_all(plan(case, people["handler"]), people)
    pf = payments_file(court=court, officer=people["finance"], payout_ids=[payout.id], now=LATER)
    data = payment_file_csv(PaymentFile.objects.select_related("court").get(id=pf.id))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    lines = list(PayoutLine.objects.filter(payout=payout).order_by("id"))
    assert [r["业务参考号"] for r in rows] == [f"ZX{l.id}" for l in lines]
    assert [r["金额（元）"] for r in rows] == [
        "1751.85",
        "124450.61",
        "73797.54",
    ]
    assert {r["付款账号"] for r in rows} == {"3202004509100123456"}
    assert {r["付款户名"] for r in rows} == {"武汉市汉阳区人民法院"}
    assert [r["收款账号"] for r in rows] == [
        ACCOUNTS["fee"],
        ACCOUNTS["creditor"],
        ACCOUNTS["refund"],
    ]
    assert (
        rows[1]["收款户名"] == "武汉某某建材有限公司"
        and rows[1]["收款开户行"] == "中国工商银行武汉分行"
    )
    assert rows[1]["用途"] == f"{case.case_number}执行款发放"
    assert sum(int(r["金额（元）"].replace(".", "")) for r in rows) == pf.total


def test_a_file_that_does_not_fit_the_balance_is_refused_whole(court, centre, people):
    small = funded_case(court, centre, 10_000_00)
    other = funded_case(court, centre, 20_000_00, ref="B002")
    p1 = approve_all(plan(small, people["handler"]), people)
    p2 = approve_all(plan(other, people["handler"]), people)
    # Money left the first case after approval (say, a correction booked by finance).
    with transaction.atomic():
        ledger_post(
            court_id=court.id,
            postings=[
                Posting(
                    kind="refund",
                    amount=1_00,
                    value_on=date(2026, 3, 3),
                    case_id=small.id,
                    reference="fix1",
                )
            ],
            now=LATER,
        )
    with pytest.raises(PayoutRefused, match="付款文件未生成：案款账户余额不足"):
        payments_file(court=court, officer=people["finance"], payout_ids=[p1.id, p2.id], now=LATER)
    assert not PaymentFile.objects.exists()
    assert not LedgerEntry.objects.filter(reference__startswith="pay:").exists()
    assert not CaseEvent.objects.filter(kind="funds_paid").exists()
    assert not Notice.objects.filter(reason="payment").exists()
    assert set(Payout.objects.values_list("status", flat=True)) == {"approved"}
    assert not PayoutLine.objects.filter(payment_file__isnull=False).exists()
    # The plan that fits is paid on its own.
    payments_file(court=court, officer=people["finance"], payout_ids=[p2.id], now=LATER)
    assert Payout.objects.get(id=p2.id).status == "paid"


def test_deferral_needs_a_reason_and_the_director_and_the_vice_president(court, centre, people):
    case = funded_case(court, centre, 10_000_00)
    payout = approve_all(plan(case, people["handler"]), people)
    with pytest.raises(PayoutRefused, match="暂缓理由：请填写"):
        payouts_defer(payout_id=payout.id, officer=people["handler"], reason="  ", now=LATER)
    payouts_defer(
        payout_id=payout.id,
        officer=people["handler"],
        reason="案外人对执行款提出异议",
        until=date(2026, 4, 30),
        now=LATER,
    )
    with pytest.raises(PayoutRefused, match="现在应由执行局长审批暂缓发放"):
        payouts_defer_decide(payout_id=payout.id, officer=people["vice"], approve=True, now=LATER)
    # While the request waits, finance cannot pay the plan.
    with pytest.raises(PayoutRefused, match="已申请暂缓发放，待审批"):
        payments_file(court=court, officer=people["finance"], payout_ids=[payout.id], now=LATER)
    payout = payouts_defer_decide(
        payout_id=payout.id, officer=people["director"], approve=True, now=LATER
    )
    assert payout.status == "approved"  # one approval is not enough
    payout = payouts_defer_decide(
        payout_id=payout.id, officer=people["vice"], approve=True, now=LATER
    )
    assert payout.status == "deferred"
    assert (payout.deferral_reason, payout.deferred_until) == (
        "案外人对执行款提出异议",
        date(2026, 4, 30),
    )
    steps = [
        e.data["step"]
        for e in CaseEvent.objects.filter(case=case, kind="payout_deferred").order_by("id")
    ]
    assert steps == ["requested", "approved", "deferred"]
    with pytest.raises(PayoutRefused, match="状态为“暂缓发放”"):
        payments_file(court=court, officer=people["finance"], payout_ids=[payout.id], now=LATER)


def test_a_refused_deferral_ends_the_request_and_a_new_one_starts_afresh(court, centre, people):
    payout = plan(funded_case(court, centre, 10_000_00), people["handler"])
    payouts_defer(payout_id=payout.id, officer=people["handler"], reason="待核实", now=LATER)
    payouts_defer_decide(payout_id=payout.id, officer=people["director"], approve=True, now=LATER)
    payout = payouts_defer_decide(
        payout_id=payout.id, officer=people["vice"], approve=False, note="无须暂缓", now=LATER
    )
    assert (payout.status, payout.deferral_reason) == ("pending", "")
    payouts_defer(payout_id=payout.id, officer=people["handler"], reason="再次申请", now=LATER)
    with pytest.raises(PayoutRefused, match="现在应由执行局长审批暂缓发放"):
        payouts_defer_decide(payout_id=payout.id, officer=people["vice"], approve=True, now=LATER)


def test_cancel_needs_a_reason_and_frees_the_money(court, centre, people):
    case = funded_case(court, centre, 10_000_00)
    payout = plan(case, people["handler"])
    with pytest.raises(PayoutRefused, match="撤销理由"):
        payouts_cancel(payout_id=payout.id, officer=people["handler"], reason="", now=LATER)
    payouts_cancel(payout_id=payout.id, officer=people["handler"], reason="收款账户变更", now=LATER)
    assert Payout.objects.get(id=payout.id).status == "cancelled"
    assert plan(case, people["handler"]).total == 10_000_00


def test_resuming_a_deferred_plan_moves_its_limit_by_the_days_it_waited(court, centre, people):
    case = funded_case(court, centre, 10_000_00)
    payout = approve_all(plan(case, people["handler"]), people)
    payouts_defer(payout_id=payout.id, officer=people["handler"], reason="异议审查", now=LATER)
    for who in ("director", "vice"):
        payouts_defer_decide(payout_id=payout.id, officer=people[who], approve=True, now=LATER)
    with pytest.raises(PayoutRefused, match="恢复发放应由执行局长、分管副院长决定"):
        payouts_resume(
            payout_id=payout.id, officer=people["handler"], note="x", now=at(2026, 3, 13)
        )
    payout = payouts_resume(
        payout_id=payout.id, officer=people["director"], note="异议已驳回", now=at(2026, 3, 13)
    )
    assert payout.status == "approved" and payout.deferral_reason == ""
    assert payout.due_on == date(2026, 4, 11)  # 1 April + the 10 days deferred
    # A new deferral request needs both approvals again.
    payouts_defer(
        payout_id=payout.id, officer=people["handler"], reason="又有异议", now=at(2026, 3, 14)
    )
    with pytest.raises(PayoutRefused, match="现在应由执行局长审批暂缓发放"):
        payouts_defer_decide(
            payout_id=payout.id, officer=people["vice"], approve=True, now=at(2026, 3, 14)
        )
