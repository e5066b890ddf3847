"""Importing a statement (funds/statement_services.py): lines stored once per
bank serial, incoming money matched by sub-account, case number in the
remark or payer, the rest to 待认领款 with its claim limit, arrival notices
to each creditor, and nothing written when a row is bad."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import at, company_code
from tests.funds.statements_kit import IMPORTED, csv_bytes, file_case, line, officer, sub_account
from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.funds.ledger import (
    all_case_balances_total,
    case_balances,
    custody_balance,
    unclaimed_balance,
)
from zhixing.funds.matching import find_case_numbers
from zhixing.funds.models import LedgerEntry, Notice, StatementImport, StatementLine
from zhixing.funds.statement_services import MoneyInRefused, StatementRefused, statements_import


@pytest.fixture
def finance(court):
    return officer("finance")


def do_import(court, who, data, name="s.csv", now=IMPORTED, mapping=None):
    return statements_import(court=court, officer=who, file_name=name, data=data, mapping=mapping, now=now)


def counts():
    return (StatementImport.objects.count(), StatementLine.objects.count(), LedgerEntry.objects.count(),
            CaseEvent.objects.filter(kind="funds_received").count(), Notice.objects.count())


def test_each_way_of_matching_books_a_receipt_and_the_rest_waits_for_a_claim(court, centre, finance):
    by_account = file_case(court, centre)
    by_number = file_case(court, centre)
    by_payer = file_case(court, centre, debtor_name="武汉某某商贸有限公司", serial=1)
    spaced = by_number.case_number.replace("（", "( ").replace("）", " )").replace("执", " 执 ")
    data = csv_bytes(
        [
            line(serial="A1", amount_in="1,000.00", name="某人", sub=sub_account(by_account)),
            line(serial="A2", amount_in="2000", name="某人", remark=f"代还款 {spaced} 谢谢"),
            line(serial="A3", amount_in="300.5", name="武汉某某商贸有限公司"),
            line(serial="A4", amount_in="44", name="无名氏", remark="不知何案"),
            line(serial="A5", amount_out="10", name="申请人", remark="付款"),
        ]
    )
    result = do_import(court, finance, data)
    assert (result.line_count, result.new_count, result.duplicate_count) == (5, 5, 0)
    assert result.matched == {"sub_account": 1, "case_number": 1, "payer": 1}
    assert (result.unmatched_count, result.unmatched_amount, result.outgoing_count) == (1, 44_00, 1)

    lines = {l.serial: l for l in StatementLine.objects.all()}
    assert [(lines[s].case_id, lines[s].matched_how) for s in ("A1", "A2", "A3", "A4", "A5")] == [
        (by_account.id, "sub_account"), (by_number.id, "case_number"), (by_payer.id, "payer"), (None, ""), (None, ""),
    ]
    assert lines["A4"].claim_due_on == date(2026, 3, 8)  # booked 3-5, + 3 days (rules.md §3)
    assert lines["A1"].claim_due_on is None and lines["A5"].claim_due_on is None
    assert lines["A5"].direction == "out"

    entries = {e.reference: e for e in LedgerEntry.objects.all()}
    assert set(entries) == {"A1", "A2", "A3", "A4"}  # nothing booked for the outgoing line
    assert (entries["A1"].kind, entries["A1"].case_id, entries["A1"].amount) == ("receipt", by_account.id, 1000_00)
    assert (entries["A1"].value_on, entries["A1"].line_id) == (date(2026, 3, 5), lines["A1"].id)
    assert (entries["A4"].kind, entries["A4"].case_id) == ("unmatched", None)
    assert case_balances([by_account.id, by_number.id, by_payer.id]) == {
        by_account.id: 1000_00, by_number.id: 2000_00, by_payer.id: 300_50
    }
    assert unclaimed_balance(court.id) == 44_00
    assert custody_balance(court.id) == all_case_balances_total(court.id) + unclaimed_balance(court.id)

    event = CaseEvent.objects.get(case=by_account, kind="funds_received")
    assert event.detail == "执行款到账1,000.00元（按子账号匹配）"
    assert event.data == {"amount": 1000_00, "line_id": lines["A1"].id, "serial": "A1", "how": "sub_account",
                          "booked_on": "2026-03-05"}
    assert entries["A1"].event_id == event.id and event.actor == finance
    assert CaseEvent.objects.get(case=by_payer, kind="funds_received").detail == "执行款到账300.50元（按付款人匹配）"


def test_a_payer_with_two_open_cases_owing_stays_unmatched_a_paid_up_case_does_not_count(court, centre, finance):
    a = file_case(court, centre, debtor_name="李四", serial=2)
    b = file_case(court, centre, debtor_name="李四", serial=2)
    do_import(court, finance, csv_bytes([line(serial="P1", amount_in="50", name="李四")]))
    assert StatementLine.objects.get(serial="P1").matched_how == ""
    # b is paid in full by its sub-account: 李四 now owes only on a
    do_import(court, finance, csv_bytes([line(serial="P2", amount_in="10000", sub=sub_account(b))]))
    do_import(court, finance, csv_bytes([line(serial="P3", amount_in="50", name=" 李四 ")]))
    p3 = StatementLine.objects.get(serial="P3")
    assert (p3.case_id, p3.matched_how) == (a.id, "payer")


def test_a_payer_is_found_by_identity_code_and_closed_cases_are_not_payers(court, centre, finance):
    case = file_case(court, centre, debtor_name="王五", serial=3)
    code = case.case_parties.get(role="debtor").party.id_code
    do_import(court, finance, csv_bytes([line(serial="I1", amount_in="5", name=code)]))
    assert StatementLine.objects.get(serial="I1").case_id == case.id
    EnforcementCase.objects.filter(id=case.id).update(state="closed", closed_on=date(2026, 3, 6), closing_mode="performed")
    do_import(court, finance, csv_bytes([line(serial="I2", amount_in="5", name="王五")]))
    assert StatementLine.objects.get(serial="I2").matched_how == ""


def test_a_closed_case_still_receives_money_sent_to_its_account_and_the_event_warns(court, centre, finance):
    case = file_case(court, centre)
    EnforcementCase.objects.filter(id=case.id).update(state="closed", closed_on=date(2026, 3, 6), closing_mode="performed")
    result = do_import(court, finance, csv_bytes([line(serial="C1", amount_in="5", sub=sub_account(case))]))
    assert result.lines[0].closed
    assert "本案已结案" in CaseEvent.objects.get(case=case, kind="funds_received").detail


def test_a_wrong_check_digit_or_another_courts_case_number_is_not_a_match(court, centre, finance):
    case = file_case(court, centre)
    number = sub_account(case)
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    other = case.case_number.replace("鄂0105", "鄂0104")
    do_import(court, finance, csv_bytes([
        line(serial="W1", amount_in="5", sub=typo),
        line(serial="W2", amount_in="5", remark=other),
        line(serial="W3", amount_in="5", remark=f"子账号{number}"),  # written in the remark: found
    ]))
    got = dict(StatementLine.objects.values_list("serial", "matched_how"))
    assert got == {"W1": "", "W2": "", "W3": "sub_account"}


def test_find_case_numbers_reads_what_payers_type():
    assert find_case_numbers("（２０２６）鄂０１０５执恢１２号、(2026)鄂0105执3号 2026鄂0105执3") == [
        "（2026）鄂0105执恢12号", "（2026）鄂0105执3号"
    ]
    assert find_case_numbers("（2025）鄂0105民初123号") == []


def test_arrival_notices_one_per_creditor_per_line_and_never_twice(court, centre, finance):
    creditors = [
        {"kind": "company", "name": "甲公司", "credit_code": company_code(11)},
        {"kind": "company", "name": "乙公司", "credit_code": company_code(12)},
    ]
    case = file_case(court, centre, creditors=creditors)
    data = csv_bytes([
        line(serial="N1", amount_in="100", sub=sub_account(case)),
        line(time="2026-03-06 09:00", serial="N2", amount_in="200", remark=case.case_number),
    ])
    do_import(court, finance, data)
    notices = list(Notice.objects.order_by("key"))
    lines = dict(StatementLine.objects.values_list("serial", "id"))
    parties = [cp.party_id for cp in case.case_parties.filter(role="creditor").order_by("position")]
    assert sorted(n.key for n in notices) == sorted(
        f"arrival:{lines[s]}:{p}" for s in ("N1", "N2") for p in parties
    )
    assert {n.reason for n in notices} == {"arrival"}
    n1 = next(n for n in notices if n.key.startswith(f"arrival:{lines['N1']}:"))
    assert n1.text == f"【{court.name}】您申请执行的{case.case_number}一案，2026年3月5日收到执行款100.00元，本院将依法及时发放。"
    do_import(court, finance, data, now=IMPORTED + timedelta(days=1))
    assert Notice.objects.count() == 4


def test_the_same_file_twice_books_nothing_new(court, centre, finance):
    case = file_case(court, centre)
    data = csv_bytes([
        line(serial="R1", amount_in="100", sub=sub_account(case)),
        line(serial="R2", amount_in="7"),
        line(amount_in="8", name="无流水号"),
        line(serial="R3", amount_out="1"),
    ])
    first = do_import(court, finance, data)
    before = counts()
    again = do_import(court, finance, data, now=IMPORTED + timedelta(hours=1))
    assert (first.new_count, again.new_count, again.duplicate_count, again.matched_count) == (4, 0, 4, 0)
    after = counts()
    assert after[0] == before[0] + 1 and after[1:] == before[1:]  # one more import row, nothing else
    assert custody_balance(court.id) == 115_00


def test_overlapping_statements_book_each_line_once(court, centre, finance):
    case = file_case(court, centre)
    day5 = [line(serial="O1", amount_in="100", sub=sub_account(case)), line(amount_in="3", name="甲", balance="103")]
    day6 = [line(time="2026-03-06 10:00", serial="O2", amount_in="5"), line(time="2026-03-06 11:00", amount_in="9", name="乙")]
    do_import(court, finance, csv_bytes(day5 + day6[:1]), name="1.csv")
    result = do_import(court, finance, csv_bytes(day5 + day6), name="2.csv")  # 5 March again, plus 6 March
    assert (result.line_count, result.new_count, result.duplicate_count) == (4, 1, 3)
    assert StatementLine.objects.count() == 4
    assert LedgerEntry.objects.count() == 4
    assert custody_balance(court.id) == 117_00
    assert case_balances([case.id]) == {case.id: 100_00}


def test_a_bad_row_writes_nothing(court, centre, finance):
    case = file_case(court, centre)
    data = csv_bytes([line(serial="X1", amount_in="100", sub=sub_account(case)), line(serial="X2", amount_in="1.001")])
    with pytest.raises(StatementRefused) as e:
        do_import(court, finance, data)
    assert e.value.errors == ["第3行“收入金额”：金额格式不正确：“1.001”（最多两位小数）"]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_line_dated_after_today_refuses_the_file(court, finance):
    data = csv_bytes([line(serial="F1", amount_in="1"), line(time="2026-03-11 09:00", serial="F2", amount_in="1")])
    with pytest.raises(StatementRefused) as e:
        do_import(court, finance, data)  # imported 2026-03-10
    assert e.value.errors == ["第3行“交易时间”：交易日期2026-03-11晚于今天（2026-03-10），请核对"]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_serial_the_ledger_already_has_refuses_the_file(court, centre, finance):
    from zhixing.funds.services import Receipt, funds_receive

    case = file_case(court, centre)
    funds_receive(receipts=[Receipt(case, 100_00, reference="K1")], actor=finance, now=at(2026, 3, 4))
    with pytest.raises(StatementRefused, match="第2行的流水号已作为其他款项记账"):
        do_import(court, finance, csv_bytes([line(serial="K1", amount_in="100")]))
    assert StatementLine.objects.count() == 0


def test_only_finance_centre_and_director_import(court, handler):
    with pytest.raises(MoneyInRefused, match="承办人岗位不能导入银行对账单"):
        do_import(court, handler, csv_bytes([line(serial="1", amount_in="1")]))


def test_matching_is_set_based(court, centre, finance):
    cases = [file_case(court, centre, debtor_name=f"付款人{i}", serial=20 + i) for i in range(6)]

    def queries(tag, n):
        data = csv_bytes(rows_of(tag, n))
        with CaptureQueriesContext(connection) as q:
            do_import(court, finance, data)
        return len(q)

    rows_of = rows_of_factory(cases)
    assert queries("a", 1) == queries("b", 12)


def rows_of_factory(cases):
    def rows_of(tag, n):
        out = []
        for i in range(n):
            c = cases[i % len(cases)]
            out += [
                line(serial=f"{tag}s{i}", amount_in="1", sub=sub_account(c)),
                line(serial=f"{tag}n{i}", amount_in="1", remark=c.case_number),
                line(serial=f"{tag}p{i}", amount_in="1", name=f"付款人{i % len(cases)}"),
                line(serial=f"{tag}u{i}", amount_in="1", name=f"无名{i}"),
            ]
        return out

    return rows_of
