"""案款账户明细 per case: Excel and Word downloads with the running balance,
totals and the 大写 balance, for officers who may see the case."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from docx import Document
from openpyxl import load_workbook

from tests.conftest import at
from tests.funds.test_reports_reconcile import DAY, Books, file_cases
from zhixing.courts.models import Court, Officer
from zhixing.funds.case_panel import account_number
from zhixing.funds.ledger import Posting


@pytest.fixture
def case(court, centre):
    (case,) = file_cases(court, centre)
    return case


@pytest.fixture
def moved(court, centre, case):
    """1,000.00 on 3-01 (bank serial B1); 234.56 claimed on 3-02; 800.00 paid on 3-05."""
    b = Books(court, centre)
    l1 = b.line("B1", "in", 1_000_00, at(2026, 3, 1, 9), name="被执行人0")
    l2 = b.line("B2", "in", 234_56, at(2026, 3, 2, 9), name="某某公司")
    b.post(
        Posting(
            "receipt", 1_000_00, date(2026, 3, 1), case_id=case.id, reference="B1", line_id=l1.id
        ),
        Posting("unmatched", 234_56, DAY, reference="B2", line_id=l2.id),
    )
    b.post(
        Posting("claim", 234_56, DAY, case_id=case.id, reference=f"settle:{l2.id}", line_id=l2.id)
    )
    pay = b.payout_line(case, "creditor", 800_00, payee="武汉某某建材有限公司")
    b.post(
        Posting(
            "disbursement",
            800_00,
            date(2026, 3, 5),
            case_id=case.id,
            reference=f"pay:{pay.id}",
            payout_line_id=pay.id,
        )
    )
    return pay


def sheet_rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_excel_statement_has_the_header_the_running_balance_and_totals(
    court, centre, case, moved, client
):
    client.force_login(centre.user)
    response = client.get(f"/cases/{case.id}/account.xlsx?to=2026-03-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    rows = sheet_rows(response.content)
    header = {r[0]: r[1] for r in rows[1:5]}
    assert header == {
        "法院": court.name,
        "案号": case.case_number,
        "案款子账号": account_number(case),
        "期间": "开户 至 2026-03-31",
    }
    start = next(i for i, r in enumerate(rows) if r[0] == "日期")
    body = rows[start + 1 :]
    assert [(r[1], money(r[2]), money(r[3]), money(r[4]), r[5]) for r in body] == [
        ("期初余额", None, None, Decimal("0.00"), None),
        ("执行款到账 被执行人0", Decimal("1000.00"), None, Decimal("1000.00"), "B1"),
        ("认领到案 某某公司", Decimal("234.56"), None, Decimal("1234.56"), "B2"),
        (
            "案款发放 武汉某某建材有限公司",
            None,
            Decimal("800.00"),
            Decimal("434.56"),
            f"ZX{moved.id}",
        ),
        ("合计", Decimal("1234.56"), Decimal("800.00"), Decimal("434.56"), None),
    ]
    assert body[1][0].date() == date(2026, 3, 1)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(row=start + 3, column=3).number_format == "#,##0.00"


def test_a_period_starts_from_the_opening_balance(court, centre, case, moved, client):
    client.force_login(centre.user)
    rows = sheet_rows(
        client.get(f"/cases/{case.id}/account.xlsx?from=2026-03-02&to=2026-03-04").content
    )
    start = next(i for i, r in enumerate(rows) if r[0] == "日期")
    body = [(r[1], money(r[2]), money(r[3]), money(r[4])) for r in rows[start + 1 :]]
    assert body == [
        ("期初余额", None, None, Decimal("1000.00")),
        ("认领到案 某某公司", Decimal("234.56"), None, Decimal("1234.56")),
        ("合计", Decimal("234.56"), Decimal("0.00"), Decimal("1234.56")),
    ]


def test_the_word_statement_has_the_table_and_the_balance_in_capitals(
    court, centre, case, moved, client
):
    client.force_login(centre.user)
    response = client.get(f"/cases/{case.id}/account.docx?to=2026-03-31")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"案号：{case.case_number}" in text and f"案款子账号：{account_number(case)}" in text
    assert "期末余额：434.56 元（大写：肆佰叁拾肆元伍角陆分）" in text
    (table,) = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["日期", "摘要", "收入（元）", "支出（元）", "余额（元）", "流水号"]
    assert rows[1:] == [
        ["", "期初余额", "", "", "0.00", ""],
        ["2026-03-01", "执行款到账 被执行人0", "1,000.00", "", "1,000.00", "B1"],
        ["2026-03-02", "认领到案 某某公司", "234.56", "", "1,234.56", "B2"],
        ["2026-03-05", "案款发放 武汉某某建材有限公司", "", "800.00", "434.56", f"ZX{moved.id}"],
        ["", "合计", "1,234.56", "800.00", "434.56", ""],
    ]


def test_a_bad_period_is_named(court, centre, case, client):
    client.force_login(centre.user)
    response = client.get(f"/cases/{case.id}/account.xlsx?from=2026-3-1")
    assert response.status_code == 400
    assert response.content.decode() == "起始日期（from）格式应为 YYYY-MM-DD：2026-3-1"
    response = client.get(f"/cases/{case.id}/account.docx?from=2026-03-09&to=2026-03-01")
    assert response.status_code == 400
    assert response.content.decode() == "起始日期 2026-03-09 晚于截止日期 2026-03-01"


def test_an_officer_of_another_court_gets_what_a_missing_case_gets(court, case, moved, client):
    other = Court.objects.create(code="鄂0104", name="测试二院")
    user = get_user_model().objects.create_user(username="other_finance", password="pw")
    Officer.objects.create(user=user, court=other, role="finance", name="外院财务")
    client.force_login(user)
    for suffix in ("xlsx", "docx"):
        forbidden = client.get(f"/cases/{case.id}/account.{suffix}")
        missing = client.get(f"/cases/999999/account.{suffix}")
        assert forbidden.status_code == missing.status_code == 404
        assert forbidden.content == missing.content


def test_the_downloads_need_a_sign_in(client, court, case):
    response = client.get(f"/cases/{case.id}/account.xlsx")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_case_account_section_links_both_downloads(court, case):
    from django.template.loader import render_to_string

    html = render_to_string(
        "funds/_case_account.html", {"case": case, "account_number": "X", "account_balance": "0.00"}
    )
    heading = html[: html.index("</h2>")]
    assert (
        f'href="/cases/{case.id}/account.xlsx"' in heading
        and f'href="/cases/{case.id}/account.docx"' in heading
    )
