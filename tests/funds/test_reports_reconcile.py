"""Daily reconciliation (funds/reconcile.py): the day's bank statement against
the ledger's bank-facing rows, on the page, on the command line and in the
robot's schedule."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import transaction

from tests.conftest import application_json, at
from zhixing.cases.services import cases_file
from zhixing.cli import main
from zhixing.funds.ledger import Posting, ledger_post
from zhixing.funds.models import Payout, PayoutLine, StatementImport, StatementLine
from zhixing.funds.reconcile import BankRow, BookRow, pair, payment_refs, reconcile
from zhixing.intake.parsing import parse_application

DAY = date(2026, 3, 2)


class Books:
    """Statement lines and ledger rows written the way helpers A and C write
    them: lines through the ORM, rows through ledger_post."""

    def __init__(self, court, officer):
        self.court, self.officer = court, officer
        self.statement = StatementImport.objects.create(
            court=court,
            file_name="对账单.csv",
            sha256="0" * 64,
            mapping="standard",
            imported_at=at(2026, 3, 3, 8),
            first_on=DAY,
            last_on=DAY,
        )

    def line(
        self,
        serial,
        direction,
        amount,
        when: datetime,
        balance_after=None,
        remark="",
        name="付款人",
    ):
        return StatementLine.objects.create(
            court=self.court,
            statement=self.statement,
            serial=serial,
            booked_at=when,
            direction=direction,
            amount=amount,
            counterparty_name=name,
            remark=remark,
            balance_after=balance_after,
        )

    def post(self, *postings):
        with transaction.atomic():
            return ledger_post(
                court_id=self.court.id, postings=list(postings), now=at(2026, 3, 2, 18)
            )

    def payout_line(self, case, kind, amount, payee="武汉某某建材有限公司"):
        payout = Payout.objects.create(
            court=self.court,
            case=case,
            arrived_on=DAY,
            due_on=date(2026, 4, 1),
            status="submitted",
            total=amount,
            created_at=at(2026, 3, 2, 11),
            created_by=self.officer,
        )
        return PayoutLine.objects.create(
            payout=payout,
            kind=kind,
            payee_name=payee,
            payee_account="6222000011112222",
            amount=amount,
        )


def file_cases(court, officer, n=1):
    apps = [parse_application(application_json(), today=DAY)[0] for _ in range(n)]
    return cases_file(court=court, applications=apps, actor=officer, now=at(2026, 2, 2, 9))


@pytest.fixture
def case(court, centre):
    (case,) = file_cases(court, centre)
    return case


@pytest.fixture
def day(court, centre, case):
    """2026-03-02: 10,000.00 arrives for the case; 500.00 arrives unmatched and
    is claimed to it; 8,000.00 is paid to the creditor and 100.00 fee to the
    court, each confirmed by an outgoing line naming its ZX reference."""
    b = Books(court, centre)
    l1 = b.line(
        "B1", "in", 10_000_00, at(2026, 3, 2, 9), 10_000_00, remark="（2026）鄂0105执1号执行款"
    )
    l2 = b.line("B2", "in", 500_00, at(2026, 3, 2, 10), 10_500_00, remark="还款")
    b.post(
        Posting("receipt", 10_000_00, DAY, case_id=case.id, reference="B1", line_id=l1.id),
        Posting("unmatched", 500_00, DAY, reference="B2", line_id=l2.id),
    )
    b.post(
        Posting("claim", 500_00, DAY, case_id=case.id, reference=f"settle:{l2.id}", line_id=l2.id)
    )
    pay = b.payout_line(case, "creditor", 8_000_00)
    fee = b.payout_line(case, "fee", 100_00, payee="武汉市汉阳区人民法院")
    b.post(
        Posting(
            "disbursement",
            8_000_00,
            DAY,
            case_id=case.id,
            reference=f"pay:{pay.id}",
            payout_line_id=pay.id,
        ),
        Posting(
            "fee", 100_00, DAY, case_id=case.id, reference=f"pay:{fee.id}", payout_line_id=fee.id
        ),
    )
    b.line(
        "P1",
        "out",
        8_000_00,
        at(2026, 3, 2, 15),
        2_500_00,
        remark=f"代发 ZX{pay.id} 执行款",
        name="武汉某某建材有限公司",
    )
    b.line(
        f"ZX{fee.id}-0302",
        "out",
        100_00,
        at(2026, 3, 2, 15, 1),
        2_400_00,
        name="武汉市汉阳区人民法院",
    )
    return b


def test_a_day_whose_every_line_is_booked_balances_to_the_fen(court, day):
    rec = reconcile(court=court, on=DAY)
    assert rec.balanced and rec.verdict == "平衡" and rec.problems == []
    assert [p.line.serial for p in rec.pairs] == ["B1", "B2", "P1", rec.pairs[3].line.serial]
    assert [[e.kind for e in p.entries] for p in rec.pairs] == [
        ["receipt"],
        ["unmatched"],
        ["disbursement"],
        ["fee"],
    ]
    assert (rec.bank_in, rec.bank_out, rec.ledger_in, rec.ledger_out) == (
        10_500_00,
        8_100_00,
        10_500_00,
        8_100_00,
    )
    assert rec.ledger_balance == rec.bank_balance == 2_400_00
    assert (rec.custody_now, rec.cases_now, rec.unclaimed_now) == (2_400_00, 2_400_00, 0)
    assert rec.unpaired_lines == [] and rec.unpaired_entries == []


def test_the_next_day_with_no_movement_balances_on_the_carried_balance(court, day):
    rec = reconcile(court=court, on=date(2026, 3, 3))
    assert rec.pairs == [] and rec.ledger_balance == 2_400_00
    assert rec.bank_balance is None and not rec.statement_seen  # no statement covers the 3rd
    assert rec.balanced


def test_a_statement_line_the_ledger_lacks_is_listed_and_unbalances_the_day(court, day):
    day.line("B3", "in", 300_00, at(2026, 3, 2, 16), 2_700_00, remark="不明来款")
    rec = reconcile(court=court, on=DAY)
    assert not rec.balanced
    assert rec.verdict == "不平衡：差额 300.00 元"
    assert [x.serial for x in rec.unpaired_lines] == ["B3"] and rec.unpaired_entries == []
    assert "银行流水未入账 1 笔，计 300.00 元" in rec.problems
    assert "日终余额不符：银行 2,700.00 元，账面 2,400.00 元" in rec.problems


def test_a_ledger_row_the_bank_never_saw_is_listed_and_unbalances_the_day(court, day, case):
    day.post(Posting("refund", 50_00, DAY, case_id=case.id, reference="pay:refund-x"))
    rec = reconcile(court=court, on=DAY)
    assert not rec.balanced
    assert rec.verdict == "不平衡：差额 50.00 元"
    assert [(e.kind, e.amount) for e in rec.unpaired_entries] == [
        ("refund", 50_00)
    ] and rec.unpaired_lines == []
    assert "账务记录无对应银行流水 1 笔，计 50.00 元" in rec.problems
    assert "支出合计不符：银行 8,100.00 元，账务 8,150.00 元" in rec.problems


def test_a_closing_balance_that_differs_is_reported_even_when_every_line_pairs(court, day):
    StatementLine.objects.filter(serial="P1").update(balance_after=2_500_01)
    last = StatementLine.objects.filter(direction="out").order_by("-booked_at").first()
    StatementLine.objects.filter(pk=last.pk).update(balance_after=2_400_01)
    rec = reconcile(court=court, on=DAY)
    assert not rec.balanced and rec.unpaired_lines == [] and rec.unpaired_entries == []
    assert rec.problems == ["日终余额不符：银行 2,400.01 元，账面 2,400.00 元"]
    assert rec.verdict == "不平衡：差额 0.01 元"


def test_a_pair_whose_amounts_differ_is_a_difference(court, day, case):
    line = day.line("B4", "in", 200_00, at(2026, 3, 2, 17), 2_600_00)
    day.post(Posting("receipt", 20_00, DAY, case_id=case.id, reference="B4", line_id=line.id))
    rec = reconcile(court=court, on=DAY)
    assert not rec.balanced
    assert [p.difference for p in rec.mismatched] == [-180_00]
    assert "金额不符：银行流水 B4 200.00 元，账务记录 20.00 元" in rec.problems


def test_lines_of_other_days_and_other_kinds_stay_out(court, day, case):
    # the claim is no bank movement; a line of the 3rd is not the 2nd's
    day.line("B5", "in", 70_00, at(2026, 3, 3, 0, 5), 2_470_00)
    rec = reconcile(court=court, on=DAY)
    assert rec.balanced
    assert all(e.kind != "claim" for p in rec.pairs for e in p.entries)


def test_a_payment_the_bank_carries_out_the_next_day_is_in_transit_on_both_days(court, day, case):
    late = day.payout_line(case, "refund", 40_00, payee="被执行人0")
    day.post(
        Posting(
            "refund",
            40_00,
            DAY,
            case_id=case.id,
            reference=f"pay:{late.id}",
            payout_line_id=late.id,
        )
    )
    day.line("P9", "out", 40_00, at(2026, 3, 3, 9), 2_360_00, remark=f"ZX{late.id}")
    first = reconcile(court=court, on=DAY)
    (entry,) = first.unpaired_entries
    assert entry.elsewhere == date(2026, 3, 3) and entry.note == "未达账项：银行流水在2026-03-03"
    assert (
        "账务记录无对应银行流水 1 笔，计 40.00 元（其中 1 笔在其他日期，为未达账项）"
        in first.problems
    )
    second = reconcile(court=court, on=date(2026, 3, 3))
    (line,) = second.unpaired_lines
    assert line.serial == "P9" and line.note == "未达账项：账务记于2026-03-02"
    assert second.ledger_balance == second.bank_balance == 2_360_00


def test_money_sent_back_pairs_with_the_banks_payment_to_the_payer(court, day):
    line = day.line("B6", "in", 80_00, at(2026, 3, 2, 16), 2_480_00, name="付款人")
    day.post(Posting("unmatched", 80_00, DAY, reference="B6", line_id=line.id))
    day.post(Posting("returned", 80_00, DAY, reference=f"settle:{line.id}", line_id=line.id))
    rec = reconcile(court=court, on=DAY)
    assert [e.kind for e in rec.unpaired_entries] == ["returned"]  # the bank has not paid it yet
    day.line("R1", "out", 80_00, at(2026, 3, 2, 17), 2_400_00, name="别人")
    assert [x.serial for x in reconcile(court=court, on=DAY).unpaired_lines] == ["R1"]
    StatementLine.objects.filter(serial="R1").update(counterparty_name="付款人")
    rec = reconcile(court=court, on=DAY)
    assert rec.pairs[-1].line.serial == "R1" and [e.kind for e in rec.pairs[-1].entries] == [
        "returned"
    ]
    assert rec.balanced


def test_pairing_on_plain_rows():
    line_in = BankRow(1, "S1", at(2026, 3, 2), "in", 100, "", "", None)
    line_out = BankRow(2, "S2", at(2026, 3, 2), "out", 40, "", "付款 zx7；另 ZX70", None)
    rows = [
        BookRow(11, "receipt", "执行款到账", 100, DAY, "S1", "", 1, None),
        BookRow(12, "disbursement", "案款发放", 30, DAY, "pay:7", "", None, 7),
        BookRow(13, "fee", "收取申请执行费", 10, DAY, "pay:70", "", None, 70),
        BookRow(
            14, "returned", "退回付款人", 5, DAY, "ret:1", "", 1, None
        ),  # an outflow: not line 1's partner
    ]
    pairs, lines_left, rows_left = pair([line_in, line_out], rows)
    assert [(p.line.id, [e.id for e in p.entries]) for p in pairs] == [(1, [11]), (2, [12, 13])]
    assert lines_left == [] and [e.id for e in rows_left] == [14]
    assert payment_refs("ZX12 ZX3x", "AZX9", "zx0042") == {12, 3, 42}


# ---------------------------------------------------------------- page, CLI, robot


def test_the_page_shows_both_sides_and_the_verdict(court, day, client, centre):
    client.force_login(centre.user)
    body = client.get("/funds/reconcile/?on=2026-03-02").content.decode()
    assert "对账结果：" in body and ">平衡<" in body
    assert "10,500.00" in body and "8,100.00" in body and "2,400.00" in body
    day.line("B3", "in", 300_00, at(2026, 3, 2, 16), 2_700_00, remark="不明来款")
    body = client.get("/funds/reconcile/?on=2026-03-02").content.decode()
    assert "不平衡：差额 300.00 元" in body
    unpaired = body[body.index('id="unpaired-lines"') : body.index('id="unpaired-entries"')]
    assert "B3" in unpaired and "不明来款" in unpaired and 'class="late"' in unpaired


def test_the_page_names_a_bad_date(court, client, centre):
    client.force_login(centre.user)
    response = client.get("/funds/reconcile/?on=2026-13-01")
    assert response.status_code == 400
    assert "对账日期（on）格式应为 YYYY-MM-DD：2026-13-01" in response.content.decode()


def test_the_page_needs_a_sign_in(client, db):
    response = client.get("/funds/reconcile/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_command_prints_the_summary(court, day, capsys):
    assert main(["reconcile", "--on", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{court.name} 2026-03-02 银行对账：平衡"
    assert "总分核对（截至目前）：专户 2,400.00 元 = 各案款账户 2,400.00 元 + 待认领 0.00 元" in out
    day.line("B3", "in", 300_00, at(2026, 3, 2, 16), 2_700_00, remark="不明来款")
    assert main(["reconcile", "--on", "2026-03-02"]) == 1
    out = capsys.readouterr().out
    assert "银行对账：不平衡：差额 300.00 元" in out and "未入账：B3 收入 300.00 元" in out


def test_the_command_names_an_unknown_court(court, capsys):
    assert main(["reconcile", "--court", "鄂9999"]) == 1
    assert capsys.readouterr().err.strip() == "没有代码为“鄂9999”的法院"


def test_the_robot_reconciles_yesterday_each_morning(court, day, monkeypatch):
    from django.utils import timezone

    from zhixing.robot import daily_reconcile

    task = daily_reconcile.s()
    assert task.validate_datetime(datetime(2026, 3, 2, 23, 45))  # UTC: 7:45 in Shanghai
    assert not task.validate_datetime(datetime(2026, 3, 3, 7, 45))
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 3, 7, 45))
    assert daily_reconcile.call_local() == [(court.code, True)]
