"""The pages that matter, in a real browser: a clerk files a case through the
立案 form (the robot then takes it on), a mistyped identity number is refused
in place, an Excel sheet with one bad row files nothing, and the director's
dashboard draws its charts. Each flow leaves a screenshot in test-results/.

These run on the real clock: the live server and the test share one process,
and the case number carries the current year."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import needs_chromium, screenshot
from tests.conftest import application_json, company_code, person_id
from zhixing.cases.models import CaseEvent, EnforcementCase, Party
from zhixing.cases.services import cases_close, cases_file
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive
from zhixing.intake.parsing import parse_application
from zhixing.intake.xlsx import template_workbook
from zhixing.intake.xlsx_template import COLUMNS
from zhixing.web.dashboard import CHARTS

pytestmark = needs_chromium


def nothing_filed() -> bool:
    return not (
        EnforcementCase.objects.exists() or Party.objects.exists() or CaseEvent.objects.exists()
    )


def wrong_check_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] == "0" else "0")


def fill_filing_form(page, *, debtor_id: str) -> None:
    """Type a case as a clerk would: every field, and a second debtor added
    with the 添加被执行人 button (an htmx request in the page)."""
    today = timezone.localdate()
    effective = today - timedelta(days=40)
    page.goto("/cases/new/")
    page.get_by_label("案件类型").select_option("执")
    page.get_by_label("执行依据文书编号").fill(f"（{effective.year}）鄂0105民初4521号")
    page.get_by_label("执行依据种类").select_option("民事判决书")
    page.get_by_label("生效日期").fill(effective.isoformat())
    page.get_by_label("履行期限届满日").fill((effective + timedelta(days=15)).isoformat())
    page.get_by_label("申请执行标的额（元）").fill("86,400.50")

    creditor = page.locator("section.card", has=page.get_by_role("heading", name="申请执行人"))
    creditor.get_by_label("类型").select_option("法人")
    creditor.get_by_label("名称").fill("武汉汉江建材有限公司")
    creditor.get_by_label("证件号码").fill(company_code(7))
    creditor.get_by_label("电话").fill("027-84841234")
    creditor.get_by_label("地址").fill("武汉市汉阳区龙阳大道88号")

    first = page.locator("#debtor-0")
    first.get_by_label("类型").select_option("自然人")
    first.get_by_label("名称").fill("张建华")
    first.get_by_label("证件号码").fill(debtor_id)
    first.get_by_label("电话").fill("13907150001")
    first.get_by_label("地址").fill("武汉市汉阳区汉阳大道126号")

    page.get_by_role("button", name="添加被执行人").click()
    second = page.locator("#debtor-1")
    expect(second.get_by_role("heading")).to_have_text("被执行人2")
    expect(page.locator("input[name=debtor_count]")).to_have_value("2")
    second.get_by_label("类型").select_option("法人")
    second.get_by_label("名称").fill("武汉张氏装饰工程有限公司")
    second.get_by_label("证件号码").fill(company_code(8))
    second.get_by_label("地址").fill("武汉市汉阳区琴台大道9号")


def test_a_clerk_files_a_case_and_the_robot_takes_it_to_a_team(login, live_server):
    page = login("centre")
    expect(page).to_have_url(f"{live_server.url}/board/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("执行指挥中心看板")
    expect(page.locator(".tiles .tile")).to_have_count(7)  # with 查控失败待人工处理

    fill_filing_form(page, debtor_id=person_id(321))
    page.get_by_role("button", name="立案", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))

    number = f"（{timezone.localdate().year}）鄂0105执1号"
    case = EnforcementCase.objects.get()
    assert case.case_number == number and case.amount_claimed == 86_400_50
    assert page.url.endswith(f"/cases/{case.id}/")
    expect(page.locator(".messages")).to_contain_text(f"已立案：{number}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"{number} 已立案待查控")
    parties = page.locator("section.card", has=page.get_by_role("heading", name="当事人"))
    expect(parties.locator("tbody tr")).to_have_count(3)
    expect(parties).to_contain_text(person_id(321))
    expect(parties).to_contain_text("武汉张氏装饰工程有限公司")

    robot_pass(now=timezone.now())
    case.refresh_from_db()
    assert case.state == "dispatched" and case.handler is not None
    page.reload()

    expect(heading).to_have_text(f"{number} 团队办理中")
    triage = page.locator("section.card", has=page.get_by_role("heading", name="繁简分流"))
    expect(triage.locator("dt:has-text('分流理由') + dd")).to_have_text(case.triage_reason)
    timeline = page.locator("ol.timeline li")
    expect(timeline).to_have_count(5)
    expect(timeline.nth(1)).to_contain_text("发起首次网络查控（")
    expect(timeline.nth(4).locator("strong")).to_have_text("分派")
    expect(timeline.nth(4)).to_contain_text(f"分派至{case.team.name}，承办人{case.handler.name}")
    screenshot(page, "1-case-filed-and-dispatched")
    assert page.problems.lines == []


def test_a_mistyped_identity_number_is_shown_by_its_field_and_nothing_is_filed(login):
    page = login("centre")
    good = person_id(322)
    bad = wrong_check_char(good)
    fill_filing_form(page, debtor_id=bad)
    with page.expect_response(
        lambda r: r.url.endswith("/cases/new/") and r.request.method == "POST"
    ) as sent:
        page.get_by_role("button", name="立案", exact=True).click()
    assert sent.value.status == 422

    message = f"校验位错误：应为{good[-1]}，实为{bad[-1]}（GB 11643-1999）"
    expect(page.locator("#id_debtor-0-id_code_error")).to_have_text(message)
    expect(page.locator("#id_debtor-0-id_code")).to_have_class("invalid")
    expect(page.locator("#id_debtor-0-id_code")).to_have_value(bad)  # what was typed is kept
    expect(page.locator("#errors")).to_contain_text("有1处需要改正，尚未立案")
    expect(page.locator("#errors li")).to_have_text([f"被执行人1 公民身份号码：{message}"])
    # the htmx-added row came back with what was typed in it
    expect(page.locator("#id_debtor-1-name")).to_have_value("武汉张氏装饰工程有限公司")
    assert nothing_filed()
    screenshot(page, "2-filing-refused")
    assert page.problems.lines == []


def import_sheet(tmp_path) -> tuple[str, str]:
    """The downloadable template with its example replaced by two cases, the
    second with a mistyped debtor identity number. Returns (path, good id)."""
    book = load_workbook(BytesIO(template_workbook()))
    sheet = book.worksheets[0]
    column = {c.key: i for i, c in enumerate(COLUMNS, start=1)}
    effective = timezone.localdate() - timedelta(days=30)
    good_id = person_id(402)
    for row, (n, debtor_id) in enumerate(
        [(1, person_id(401)), (2, wrong_check_char(good_id))], start=2
    ):
        values = {
            "type": "执",
            "title_number": f"（{effective.year}）鄂0105民初{700 + n}号",
            "title_kind": "民事判决书",
            "effective_on": effective,
            "due_on": effective + timedelta(days=10),
            "amount": 25_000 + n,
            "creditor_kind": "法人",
            "creditor_name": "武汉汉江建材有限公司",
            "creditor_code": company_code(7),
            "creditor_phone": "027-84841234",
            "creditor_address": "武汉市汉阳区龙阳大道88号",
            "debtor_kind": "自然人",
            "debtor_name": f"李{n}",
            "debtor_code": debtor_id,
            "debtor_phone": "",
            "debtor_address": "武汉市汉阳区",
        }
        for key, value in values.items():
            sheet.cell(row=row, column=column[key], value=value)
    path = tmp_path / "汉阳批量立案.xlsx"
    book.save(path)
    return str(path), good_id


def test_an_excel_sheet_with_one_bad_row_files_nothing_and_names_the_row(login, tmp_path):
    page = login("centre")
    page.goto("/cases/import/")
    path, good = import_sheet(tmp_path)
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(path)
    page.get_by_role("button", name="导入并立案").click()

    errors = page.locator("#import-errors")
    expect(errors.get_by_role("heading")).to_have_text("汉阳批量立案.xlsx：未导入任何案件")
    bad = wrong_check_char(good)
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody td")).to_have_text(
        [
            "第3行",
            f"被执行人1 公民身份号码：校验位错误：应为{good[-1]}，实为{bad[-1]}（GB 11643-1999）",
        ]
    )
    assert nothing_filed()
    screenshot(page, "3-import-refused")
    assert page.problems.lines == []


def file_and_move_some_cases(court, centre) -> None:
    """Three cases filed earlier today and taken on by the robot; one of them
    paid in full and closed as 执行完毕, so every chart of this year has bars.
    The steps are spread over the part of today already gone, so they stay in
    this year and in order whatever the hour."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    step = (now - midnight) / 5
    applications = []
    for n in range(3):
        body = application_json(debtor_id=person_id(500 + n), amount=f"{20_000 + n}.00")
        body["title"]["number"] = f"（2026）鄂0105民初{800 + n}号"
        application, errors = parse_application(body, today=timezone.localdate(now))
        assert errors == []
        applications.append(application)
    cases = cases_file(court=court, actor=centre, applications=applications, now=midnight + step)
    robot_pass(now=midnight + 2 * step)
    paid = EnforcementCase.objects.get(id=cases[0].id)
    funds_receive(
        receipts=[Receipt(case=paid, amount=paid.amount_claimed)],
        actor=None,
        now=midnight + 3 * step,
    )
    cases_close(cases=[paid], mode="performed", actor=None, now=midnight + 4 * step)


def test_the_director_sees_the_dashboard_draw_every_chart(court, centre, page, login):
    file_and_move_some_cases(court, centre)
    charts = {}
    page.on("response", lambda r: "/dashboard/chart/" in r.url and charts.setdefault(r.url, r))
    login("director")  # the director's home is the dashboard
    expect(page.get_by_role("heading", level=1)).to_contain_text("质效看板")
    objects = page.locator("object.chart")
    expect(objects).to_have_count(len(CHARTS))
    page.wait_for_function(
        "n => [...document.querySelectorAll('object.chart')]"
        ".filter(o => o.contentDocument && o.contentDocument.querySelector('svg .plot')).length === n",
        arg=len(CHARTS),
    )
    assert sorted(url.split("/dashboard/chart/")[1].split(".svg")[0] for url in charts) == sorted(
        CHARTS
    )
    assert {(r.status, r.headers["content-type"]) for r in charts.values()} == {
        (200, "image/svg+xml; charset=utf-8")
    }
    # each bar is an SVG link (xlink:href) to the case list
    bars = page.evaluate(
        "() => [...document.querySelectorAll('object.chart')].map(o =>"
        " [...o.contentDocument.querySelectorAll('a')]"
        ".filter(a => a.href && a.href.baseVal.startsWith('/cases/?')).length)"
    )
    assert all(n > 0 for n in bars), bars
    screenshot(page, "4-dashboard")
    assert page.problems.lines == []
