"""The money desk in a real browser: finance uploads the bank statement, sees
what matched and what waits, claims the unmatched deposit from the queue by
typing the case number, and the case page shows both arrivals on its account
with the running balance. Leaves a screenshot in test-results/."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import needs_chromium, screenshot
from tests.centre.test_dispatch import dispatched
from tests.conftest import at
from tests.funds.statements_kit import csv_bytes, line
from zhixing.funds.case_panel import account_number

pytestmark = needs_chromium


def test_finance_imports_a_statement_and_claims_the_stray_deposit(court, centre, login, tmp_path):
    (case,) = dispatched(court, centre, at(2026, 3, 2, 9))
    day = timezone.localdate() - timedelta(days=1)
    path = tmp_path / "案款专户对账单.csv"
    path.write_bytes(
        csv_bytes([
            line(f"{day} 09:30:00", "B001", "30,000.00", name="付款人甲", sub=account_number(case)),
            line(f"{day} 11:00:00", "B002", "5,000.00", name="某某装饰部", remark="货款"),
        ])
    )
    page = login("finance")
    page.goto("/funds/statements/")
    page.get_by_label("对账单文件").set_input_files(str(path))
    page.get_by_role("button", name="导入").click()
    result = page.locator("#statement-result")
    expect(result.get_by_role("heading")).to_contain_text("导入结果：案款专户对账单.csv")
    expect(result).to_contain_text("按子账号")
    expect(result.get_by_text("待认领", exact=True)).to_be_visible()

    page.get_by_role("link", name="去认领").click()
    row = page.locator("#claim-queue tbody tr", has_text="某某装饰部")
    row.get_by_label("案号").fill(case.case_number)
    row.get_by_label("认领说明").fill("付款人来电确认")
    row.get_by_role("button", name="认领").click()
    expect(page.locator("#claim-queue")).to_contain_text("没有待认领的款项。")

    page.goto(f"/cases/{case.id}/")
    account = page.locator("#case-account")
    expect(account.get_by_role("heading")).to_contain_text(f"子账号 {account_number(case)} · 余额 35,000.00 元")
    expect(account.locator("tbody tr")).to_have_count(2)
    expect(account.locator("tbody tr").last).to_contain_text("认领到案")
    screenshot(page, "5-funds-claimed")
    assert page.problems.lines == []
