"""The case page's 应付金额计算 card and the execution notice (.docx)."""

import io
import re
from datetime import date

import pytest
from django.db import transaction

from tests.conftest import application_json, at
from zhixing.cases.services import cases_file
from zhixing.courts.models import Court, Officer
from zhixing.funds.case_panel import account_number
from zhixing.funds.ledger import Posting, ledger_post
from zhixing.funds.models import Terms
from zhixing.intake.parsing import parse_application


@pytest.fixture
def case(court, centre, now):
    court.funds_settings = {"custody_bank": "中国工商银行武汉汉阳支行", "custody_account": "3202001234567890"}
    court.save()
    (case,) = cases_file(
        court=court, actor=centre, now=now,
        applications=[parse_application(application_json(amount="100000"), today=date(2026, 3, 2))[0]],
    )
    with transaction.atomic():
        ledger_post(court_id=court.id, now=at(2026, 3, 2),
                    postings=[Posting("receipt", 50_000_00, date(2026, 2, 14), case_id=case.id, reference="B1")])
    return case


def card(body: str) -> str:
    start = body.index('id="case-due"')
    html = body[start: body.index("</section>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_card_shows_each_part_on_the_day_asked(centre_client, case):
    body = centre_client.get(f"/cases/{case.id}/?due_on=2026-03-16").content.decode()
    shown = card(body)
    assert "本金 50,000.00 共100,000.00元" in shown
    assert "一般债务利息 0.00 执行依据判令时计算" in shown
    assert "加倍部分债务利息 787.50 100,000.00元计60日" in shown
    assert "申请执行费 1,400.00" in shown
    assert "已付款项 50,000.00" in shown
    assert "合计尚欠 52,187.50" in shown
    assert "迟延履行利息解释第四条" in shown  # the grounds
    assert f'href="/cases/{case.id}/notice.docx?due_on=2026-03-16"' in body


def test_the_card_defaults_to_today(centre_client, case, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 1, 15))
    shown = card(centre_client.get(f"/cases/{case.id}/").content.decode())
    assert "截至2026年1月15日" in shown and "合计尚欠 101,400.00" in shown


@pytest.mark.parametrize("raw", ["2026-02-30", "昨天"])
def test_a_bad_date_is_a_chinese_error_in_the_card_not_a_500(centre_client, case, raw):
    r = centre_client.get(f"/cases/{case.id}/?due_on={raw}")
    assert r.status_code == 200
    assert f"计算日期格式应为 YYYY-MM-DD（如 2026-03-16）：“{raw}”" in card(r.content.decode())


def test_bad_terms_are_an_error_in_the_card(centre_client, case):
    Terms.objects.create(case=case, interest_rate="5", interest_from=date(2026, 1, 1))
    r = centre_client.get(f"/cases/{case.id}/?due_on=2026-03-16")
    assert r.status_code == 200
    assert "一般债务利息年利率应在0到1之间" in card(r.content.decode())


def test_the_execution_notice_carries_the_sub_account_and_the_amounts(centre_client, case):
    from docx import Document

    r = centre_client.get(f"/cases/{case.id}/notice.docx?due_on=2026-03-16")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "执行通知书" in text and case.case_number in text and "武汉市汉阳区人民法院" in text
    assert account_number(case) in text
    assert "中国工商银行武汉汉阳支行" in text
    assert "报告当前以及收到本通知之日前一年的财产情况" in text
    assert "（2026）鄂0105民初123号" in text and "被执行人0" in text and "武汉某某建材有限公司" in text
    assert "2026年3月16日" in text
    assert ["合计", "52,187.50", "伍万贰仟壹佰捌拾柒元伍角"] == cells[-3:]
    assert ["加倍部分债务利息", "787.50", "柒佰捌拾柒元伍角"] in [cells[i:i + 3] for i in range(0, len(cells), 3)]
    assert ["申请执行费", "1,400.00", "壹仟肆佰元整"] in [cells[i:i + 3] for i in range(0, len(cells), 3)]
    assert "合计人民币伍万贰仟壹佰捌拾柒元伍角（¥52,187.50）" in text


def test_the_notice_with_a_bad_date_goes_back_to_the_case_with_a_message(centre_client, case):
    r = centre_client.get(f"/cases/{case.id}/notice.docx?due_on=soon", follow=True)
    assert r.redirect_chain[-1][0] == f"/cases/{case.id}/#case-due"
    assert "无法生成执行通知书：计算日期格式应为" in r.content.decode()


def test_the_notice_of_another_courts_case_is_404(client, case, django_user_model):
    other = Court.objects.create(code="鄂0102", name="武汉市江岸区人民法院")
    user = django_user_model.objects.create_user("jiangan", password="pw")
    Officer.objects.create(user=user, court=other, role="centre", name="江岸干警")
    client.force_login(user)
    assert client.get(f"/cases/{case.id}/notice.docx").status_code == 404
