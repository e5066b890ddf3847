"""The claim queue (待认领款): an unmatched line is claimed to a case or
returned to its payer, once, never both; refusals in Chinese."""

from datetime import date

import pytest

from tests.conftest import at
from tests.funds.statements_kit import IMPORTED, csv_bytes, file_case, line, officer
from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.funds.ledger import (
    all_case_balances_total,
    case_balances,
    custody_balance,
    unclaimed_balance,
)
from zhixing.funds.models import LedgerEntry, Notice, StatementLine
from zhixing.funds.statement_selectors import claim_queue, money_in_counts
from zhixing.funds.statement_services import (
    MoneyInRefused,
    statements_claim,
    statements_import,
    statements_return,
)

LATER = at(2026, 3, 11, 10)


@pytest.fixture
def finance(court):
    return officer("finance")


@pytest.fixture
def waiting(court, finance):
    """Two unmatched incoming lines and one outgoing line."""
    statements_import(
        court=court,
        officer=finance,
        file_name="s.csv",
        data=csv_bytes([
            line(serial="U1", amount_in="250.00", name="某某", remark="执行款"),
            line(time="2026-03-09 09:00", serial="U2", amount_in="80", name="某某"),
            line(serial="O1", amount_out="10"),
        ]),
        mapping=None,
        now=IMPORTED,
    )
    return {l.serial: l for l in StatementLine.objects.all()}


def claim(line, case_number, who, note="", now=LATER):
    return statements_claim(line_id=line.id, case_number=case_number, officer=who, note=note, now=now)


def test_a_claim_books_the_money_to_the_case_with_event_and_notices(court, centre, finance, waiting):
    case = file_case(court, centre)
    got = claim(waiting["U1"], case.case_number.replace("（", "(").replace("）", ")"), finance, note="申请执行人电话确认")
    assert (got.case_id, got.matched_how, got.claimed_by, got.claimed_at) == (case.id, "claimed", finance, LATER)
    entry = LedgerEntry.objects.get(kind="claim")
    assert (entry.reference, entry.case_id, entry.amount, entry.line_id) == (f"settle:{got.id}", case.id, 250_00, got.id)
    assert entry.value_on == date(2026, 3, 5)  # the day the money arrived
    assert case_balances([case.id]) == {case.id: 250_00}
    assert unclaimed_balance(court.id) == 80_00
    assert custody_balance(court.id) == all_case_balances_total(court.id) + unclaimed_balance(court.id)
    event = CaseEvent.objects.get(case=case, kind="funds_received")
    assert event.detail == "执行款到账250.00元（人工认领），到账日2026-03-05，说明：申请执行人电话确认"
    assert (event.data["how"], event.data["line_id"], entry.event_id) == ("claimed", got.id, event.id)
    creditor = case.case_parties.get(role="creditor").party_id
    assert list(Notice.objects.values_list("key", flat=True)) == [f"arrival:{got.id}:{creditor}"]


def test_a_line_is_claimed_once_and_never_also_returned(court, centre, finance, waiting):
    case = file_case(court, centre)
    claim(waiting["U1"], case.case_number, finance)
    with pytest.raises(MoneyInRefused, match=f"该笔款项已于2026年3月11日认领到{case.case_number}，不能重复认领或退回"):
        claim(waiting["U1"], case.case_number, finance)
    with pytest.raises(MoneyInRefused, match="不能重复认领或退回"):
        statements_return(line_id=waiting["U1"].id, officer=finance, note="付款人要求退回", now=LATER)

    statements_return(line_id=waiting["U2"].id, officer=finance, note="付款人错汇", now=LATER)
    with pytest.raises(MoneyInRefused, match="已于2026年3月11日退回付款人，不能再认领或退回"):
        claim(waiting["U2"], case.case_number, finance)
    assert LedgerEntry.objects.filter(kind__in=("claim", "returned")).count() == 2
    assert unclaimed_balance(court.id) == 0
    assert custody_balance(court.id) == all_case_balances_total(court.id) == 250_00
    returned = LedgerEntry.objects.get(kind="returned")
    assert (returned.reference, returned.case_id, returned.amount) == (f"settle:{waiting['U2'].id}", None, 80_00)


def test_claim_refusals_are_chinese_and_change_nothing(court, centre, finance, waiting, handler):
    u1 = waiting["U1"]
    with pytest.raises(MoneyInRefused, match="本院没有案号为（2026）鄂0105执9999号的案件"):
        claim(u1, "（2026）鄂0105执9999号", finance)
    with pytest.raises(MoneyInRefused, match="案号格式不正确"):
        claim(u1, "2026执1", finance)
    with pytest.raises(MoneyInRefused, match="请填写认领到的案号"):
        claim(u1, " ", finance)
    with pytest.raises(MoneyInRefused, match="这是一笔支出流水，不能认领或退回"):
        claim(waiting["O1"], "（2026）鄂0105执1号", finance)
    with pytest.raises(MoneyInRefused, match="该笔流水不存在"):
        statements_claim(line_id=999999, case_number="（2026）鄂0105执1号", officer=finance, note="", now=LATER)
    with pytest.raises(MoneyInRefused, match="请填写退回理由"):
        statements_return(line_id=u1.id, officer=finance, note="  ", now=LATER)
    with pytest.raises(MoneyInRefused, match="承办人岗位不能认领款项"):
        claim(u1, "（2026）鄂0105执1号", handler)
    assert LedgerEntry.objects.filter(kind__in=("claim", "returned")).count() == 0
    assert StatementLine.objects.get(id=u1.id).matched_how == ""
    assert CaseEvent.objects.filter(kind="funds_received").count() == 0


def test_a_line_matched_on_import_needs_no_claim(court, centre, finance):
    case = file_case(court, centre)
    statements_import(court=court, officer=finance, file_name="s.csv", now=IMPORTED, mapping=None,
                      data=csv_bytes([line(serial="M1", amount_in="5", remark=case.case_number)]))
    with pytest.raises(MoneyInRefused, match=f"该笔款项已按附言案号匹配到{case.case_number}，无需认领"):
        claim(StatementLine.objects.get(serial="M1"), case.case_number, finance)


def test_a_closed_case_may_be_claimed_to_with_a_warning(court, centre, finance, waiting):
    case = file_case(court, centre)
    EnforcementCase.objects.filter(id=case.id).update(state="closed", closed_on=date(2026, 3, 6), closing_mode="performed")
    claim(waiting["U1"], case.case_number, finance)
    assert "本案已结案，请核实该款项并及时处理" in CaseEvent.objects.get(case=case, kind="funds_received").detail


def test_the_queue_lists_unmatched_lines_oldest_first_with_overdue_ones(court, finance, waiting):
    q = claim_queue(court=court, today=date(2026, 3, 10))
    assert [r.line.serial for r in q.rows] == ["U1", "U2"]
    u1, u2 = q.rows
    assert (u1.due_on, u1.overdue, u1.status) == (date(2026, 3, 8), True, "逾期2天")
    assert (u2.due_on, u2.overdue, u2.status) == (date(2026, 3, 12), False, "剩余2天")
    assert (q.total, q.overdue_count, q.claim_days) == ("330.00", 1, 3)
    c = money_in_counts(court_id=court.id, today=date(2026, 3, 10))
    assert (c.unmatched, c.unmatched_total, c.overdue) == (2, "330.00", 1)


def test_the_claim_limit_is_the_courts_setting(court, finance):
    court.funds_settings = {"claim_days": 5}
    court.save(update_fields=["funds_settings"])
    statements_import(court=court, officer=finance, file_name="s.csv", now=IMPORTED, mapping=None,
                      data=csv_bytes([line(serial="D1", amount_in="5")]))
    assert StatementLine.objects.get(serial="D1").claim_due_on == date(2026, 3, 10)


def test_claim_warnings_for_the_board_list_due_and_overdue_lines(court, finance, waiting):
    from zhixing.funds.statement_selectors import claim_warnings

    (w,) = claim_warnings(court=court, today=date(2026, 3, 10))
    assert (w.due_on, w.days, w.status, w.case_id) == (date(2026, 3, 8), -2, "逾期2天", None)
    assert w.what == "250.00元待认领（某某，2026-03-05到账）"
    assert [x.status for x in claim_warnings(court=court, today=date(2026, 3, 12))] == ["逾期4天", "今日到期"]


def test_the_board_shows_overdue_claims_to_the_centre(court, centre, finance, waiting, client, settings):
    from unittest import mock

    client.force_login(centre.user)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 3, 10)):
        page = client.get("/board/").content.decode()
    assert "待认领款到期或逾期" in page
    assert "250.00元待认领（某某，2026-03-05到账）" in page
    assert "逾期2天" in page
