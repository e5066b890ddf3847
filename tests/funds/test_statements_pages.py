"""The money-in pages: upload a statement, see the result, work the claim
queue; officers outside finance, the centre and the director read only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import at
from tests.funds.statements_kit import csv_bytes, file_case, line, officer, sub_account, xlsx_bytes
from zhixing.funds.models import LedgerEntry, StatementImport, StatementLine


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 10, 15))


@pytest.fixture
def finance_client(client, court):
    client.force_login(officer("finance").user)
    return client


@pytest.fixture
def handler_client(client, handler):
    client.force_login(handler.user)
    return client


def upload(client, data, name="对账单.csv", mapping=""):
    return client.post(
        reverse("funds_statements"), {"file": SimpleUploadedFile(name, data), "mapping": mapping}
    )


def test_finance_uploads_a_statement_and_sees_the_result(finance_client, court, centre):
    case = file_case(court, centre)
    data = xlsx_bytes([
        line(serial="S1", amount_in="1000", sub=sub_account(case)),
        line(serial="S2", amount_in="20", name="无名氏"),
        line(serial="S3", amount_out="5"),
    ])
    response = upload(finance_client, data, name="三月.xlsx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入结果：三月.xlsx" in page
    assert "<dt>新入账</dt><dd>3 笔</dd>" in page
    assert "<dt>按子账号匹配</dt><dd>1 笔</dd>" in page
    assert "<dt>未匹配（转待认领）</dt><dd>1 笔，20.00 元" in page
    assert case.case_number in page
    again = upload(finance_client, data, name="三月.xlsx").content.decode()
    assert "<dt>新入账</dt><dd>0 笔</dd>" in again and "<dt>此前已导入（不重复记账）</dt><dd>3 笔</dd>" in again
    assert LedgerEntry.objects.count() == 2

    listing = finance_client.get(reverse("funds_statements")).content.decode()
    assert listing.count("三月.xlsx") == 2
    detail = finance_client.get(reverse("funds_statement", args=[StatementImport.objects.order_by("id").first().id]))
    assert detail.status_code == 200 and "无名氏" in detail.content.decode()
    home = finance_client.get(reverse("funds_home")).content.decode()
    assert "到账与认领" in home and "1 笔，20.00 元" in home


def test_a_bad_file_shows_each_error_and_imports_nothing(finance_client, court):
    data = csv_bytes([line(serial="1", amount_in="1"), line(serial="2", amount_in="x")])
    response = upload(finance_client, data)
    assert response.status_code == 422
    assert "第3行“收入金额”：金额格式不正确：“x”" in response.content.decode()
    assert StatementImport.objects.count() == 0
    assert upload(finance_client, b"", name="a.csv").status_code == 422
    response = finance_client.post(reverse("funds_statements"), {})
    assert response.status_code == 422 and "请选择要导入的对账单文件" in response.content.decode()


def test_claim_and_return_through_the_queue(finance_client, court, centre):
    case = file_case(court, centre)
    upload(finance_client, csv_bytes([
        line(serial="Q1", amount_in="30", name="某甲"),
        line(time="2026-03-09 10:00", serial="Q2", amount_in="40", name="某乙"),
    ]))
    q1, q2 = StatementLine.objects.order_by("serial")
    page = finance_client.get(reverse("funds_claims")).content.decode()
    row1 = page[page.index(f'<tr id="line-{q1.id}">') : page.index(f'<tr id="line-{q2.id}">')]
    row2 = page[page.index(f'<tr id="line-{q2.id}">') :]
    assert '<td class="nowrap late">2026-03-08</td>' in row1 and "逾期2天" in row1  # due 3-8, today 3-10
    assert '<td class="nowrap">2026-03-12</td>' in row2 and "剩余2天" in row2

    response = finance_client.post(reverse("funds_claim", args=[q1.id]), {"case_number": case.case_number, "note": ""})
    assert response.status_code == 302
    assert StatementLine.objects.get(id=q1.id).case_id == case.id
    response = finance_client.post(reverse("funds_claim", args=[q1.id]), {"case_number": case.case_number})
    assert response.status_code == 422 and "不能重复认领或退回" in response.content.decode()
    response = finance_client.post(reverse("funds_claim", args=[q2.id]), {"case_number": "（2026）鄂0105执9999号"})
    assert response.status_code == 422 and "本院没有案号为（2026）鄂0105执9999号的案件" in response.content.decode()
    assert finance_client.post(reverse("funds_claim_return", args=[q2.id]), {"note": "错汇"}).status_code == 302
    page = finance_client.get(reverse("funds_claims")).content.decode()
    assert "没有待认领的款项" in page and "退回付款人" in page


def test_a_handler_reads_but_cannot_import_claim_or_return(handler_client, court):
    page = handler_client.get(reverse("funds_statements")).content.decode()
    assert "您的岗位只能查看" in page and 'name="file"' not in page
    assert upload(handler_client, csv_bytes([line(serial="1", amount_in="1")])).status_code == 403
    assert StatementImport.objects.count() == 0
    assert handler_client.post(reverse("funds_claim", args=[1]), {"case_number": "x"}).status_code == 403
    assert handler_client.post(reverse("funds_claim_return", args=[1]), {"note": "x"}).status_code == 403
    claims = handler_client.get(reverse("funds_claims")).content.decode()
    assert "您的岗位只能查看" in claims
