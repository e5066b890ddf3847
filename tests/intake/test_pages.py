"""The 立案 form and the 批量立案 page, through HTTP as a browser sends them."""

import io
import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.conftest import company_code, person_id
from tests.intake.conftest import good_row
from zhixing.cases.models import CaseEvent, CaseParty, EnforceableTitle, EnforcementCase, Party

pytestmark = pytest.mark.usefixtures("frozen")


def form_data(**over):
    """A complete 立案 form as the page posts it: one creditor, two debtor rows
    of which the second is blank."""
    data = {
        "type": "执",
        "title_number": "（2026）鄂0105民初123号",
        "title_kind": "民事判决书",
        "title_effective_on": "2026-01-05",
        "title_due_on": "2026-01-15",
        "amount_claimed": "123,456.78",
        "creditor-kind": "company",
        "creditor-name": "武汉某某建材有限公司",
        "creditor-id_code": company_code(1),
        "creditor-phone": "027-84840000",
        "creditor-address": "武汉市汉阳区龙阳大道1号",
        "debtor_count": "2",
        "debtor-0-kind": "person",
        "debtor-0-name": "张三",
        "debtor-0-id_code": person_id(101),
        "debtor-0-phone": "13800000000",
        "debtor-0-address": "武汉市汉阳区",
        "debtor-1-kind": "person",
        "debtor-1-name": "",
        "debtor-1-id_code": "",
        "debtor-1-phone": "",
        "debtor-1-address": "",
    }
    data.update(over)
    return data


def nothing_written():
    return not any(
        m.objects.exists() for m in (EnforcementCase, Party, CaseParty, EnforceableTitle, CaseEvent)
    )


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="field-error" id="id_(.+?)_error">(.+?)</div>', html))


# ---------------------------------------------------------------- the form


def test_the_form_asks_for_login(client, court):
    response = client.get("/cases/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_form_offers_the_case_types_title_kinds_and_party_kinds(centre_client):
    html = centre_client.get("/cases/new/").content.decode()
    assert '<option value="执" selected>执（首次执行）</option>' in html
    assert '<option value="劳动人事争议仲裁裁决书">' in html
    assert '<option value="organisation">非法人组织</option>' in html
    assert 'name="debtor-0-id_code"' in html and 'name="debtor-1-id_code"' not in html
    assert "添加被执行人" in html


def test_a_good_form_files_the_case_and_redirects_to_it(centre_client, centre):
    response = centre_client.post("/cases/new/", form_data(), follow=True)
    case = EnforcementCase.objects.get()
    assert response.redirect_chain == [(f"/cases/{case.id}/", 302)]
    assert case.case_number == "（2026）鄂0105执1号"
    assert case.amount_claimed == 12345678
    assert (case.title.number, case.title.kind, str(case.title.due_on)) == (
        "（2026）鄂0105民初123号",
        "民事判决书",
        "2026-01-15",
    )
    parties = list(
        case.case_parties.order_by("role", "position").values_list(
            "role", "party__kind", "party__name", "party__id_code", "party__phone"
        )
    )
    assert parties == [
        ("creditor", "company", "武汉某某建材有限公司", company_code(1), "027-84840000"),
        ("debtor", "person", "张三", person_id(101), "13800000000"),
    ]
    assert [str(m) for m in response.context["messages"]] == ["已立案：（2026）鄂0105执1号"]
    assert CaseEvent.objects.get(case=case).actor == centre


def test_a_debtor_typed_in_a_later_row_is_filed_and_blank_rows_are_ignored(centre_client):
    data = form_data(
        **{
            "debtor_count": "3",
            "debtor-2-kind": "company",
            "debtor-2-name": "武汉甲公司",
            "debtor-2-id_code": company_code(8),
        }
    )
    assert centre_client.post("/cases/new/", data).status_code == 302
    debtors = CaseParty.objects.filter(role="debtor").order_by("position")
    assert [(d.position, d.party.name, d.party.kind) for d in debtors] == [
        (0, "张三", "person"),
        (1, "武汉甲公司", "company"),
    ]


def test_a_bad_form_is_shown_again_with_every_error_by_its_field_and_nothing_written(centre_client):
    good = person_id(101)
    bad = good[:-1] + ("3" if good[-1] != "3" else "4")
    data = form_data(
        **{"debtor-0-id_code": bad, "amount_claimed": "", "title_due_on": "2026-01-01"}
    )
    response = centre_client.post("/cases/new/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html) == {
        "title_due_on": "不能早于生效日期",
        "amount_claimed": "必须填写",
        "debtor-0-id_code": f"校验位错误：应为{good[-1]}，实为{bad[-1]}（GB 11643-1999）",
    }
    assert response.context["form"].summary == [
        "履行期限届满日：不能早于生效日期",
        f"被执行人1 公民身份号码：校验位错误：应为{good[-1]}，实为{bad[-1]}（GB 11643-1999）",
        "申请执行标的额：必须填写",
    ]
    assert "有3处需要改正，尚未立案" in html
    assert f'value="{bad}"' in html and 'value="武汉某某建材有限公司"' in html  # inputs kept
    assert 'class="invalid"' in html
    assert nothing_written()


def test_an_error_in_a_later_debtor_row_is_shown_on_that_row(centre_client):
    data = form_data(
        **{
            "debtor_count": "3",
            "debtor-2-kind": "person",
            "debtor-2-name": "李四",
            "debtor-2-id_code": "123",
        }
    )
    response = centre_client.post("/cases/new/", data)
    assert response.status_code == 422
    assert field_errors(response.content.decode()) == {
        "debtor-2-id_code": "应为18位，实为3位（GB 11643-1999）"
    }
    assert response.context["form"].summary == [
        "被执行人3 公民身份号码：应为18位，实为3位（GB 11643-1999）"
    ]
    assert nothing_written()


def test_a_form_without_debtors_or_creditor_says_so(centre_client):
    blank = {
        f"{p}-{f}": ""
        for p in ("creditor", "debtor-0", "debtor-1")
        for f in ("name", "id_code", "phone", "address")
    }
    response = centre_client.post("/cases/new/", form_data(**blank))
    assert response.status_code == 422
    assert response.context["form"].summary == [
        "申请执行人：至少填写一名",
        "被执行人：至少填写一名",
    ]
    assert nothing_written()


def test_adding_a_debtor_row_works_without_javascript(centre_client):
    response = centre_client.post("/cases/new/", form_data(add_debtor="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="debtor-2-name"' in html
    assert 'name="debtor_count" value="3"' in html
    assert 'value="张三"' in html
    assert nothing_written()


def test_htmx_fetches_one_more_debtor_row_and_moves_the_button_on(centre_client):
    response = centre_client.get("/cases/new/?row=2", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="debtor-2"' in html and "被执行人3" in html and 'name="debtor-2-id_code"' in html
    assert 'hx-swap-oob="true"' in html and 'name="debtor_count" value="3"' in html
    assert "?row=3" in html


def test_a_late_application_is_filed_with_a_warning(centre_client):
    data = form_data(title_effective_on="2023-11-01", title_due_on="2023-12-01")
    response = centre_client.post("/cases/new/", data, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "已立案：（2026）鄂0105执1号"
    assert shown[1].startswith(
        "（2026）鄂0105执1号：申请执行可能已超过二年期间：履行期间最后一日为2023年12月1日"
    )
    assert EnforcementCase.objects.count() == 1


# ---------------------------------------------------------------- the import page


def test_the_template_downloads_as_an_xlsx_with_a_chinese_filename(centre_client):
    response = centre_client.get("/cases/import/template.xlsx")
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "批量立案模板.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    assert book.active["A1"].value == "案件类型" and book.active["P1"].value == "被执行人地址"


def test_the_import_page_links_the_template(centre_client):
    html = centre_client.get("/cases/import/").content.decode()
    assert 'href="/cases/import/template.xlsx"' in html
    assert 'accept=".xlsx' in html


def test_a_bad_upload_lists_every_bad_row_and_files_nothing(centre_client, xlsx):
    rows = [good_row(1), good_row(2, 被执行人证件号码="123"), good_row(3, 执行依据种类="")]
    with open(xlsx(rows), "rb") as f:
        response = centre_client.post("/cases/import/", {"file": f})
    assert response.status_code == 422
    html = response.content.decode()
    assert "cases.xlsx：未导入任何案件" in html
    cells = re.findall(r"<td>(第\d+行)</td>\s*<td>(.+?)</td>", html)
    assert cells == [
        ("第3行", "被执行人1 公民身份号码：应为18位，实为3位（GB 11643-1999）"),
        ("第4行", "执行依据种类：必须填写"),
    ]
    assert nothing_written()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(centre_client):
    response = centre_client.post("/cases/import/", {"file": io.BytesIO(b"not a workbook")})
    assert response.status_code == 422
    assert "文件无法读取：请上传 Excel 工作簿（.xlsx）" in response.content.decode()
    response = centre_client.post("/cases/import/", {})
    assert response.status_code == 422
    assert "请选择要导入的 Excel 文件（.xlsx）" in response.content.decode()
    assert nothing_written()


def test_a_good_upload_files_every_row_and_shows_the_new_cases(centre_client, xlsx):
    with open(xlsx([good_row(1), good_row(2)]), "rb") as f:
        response = centre_client.post("/cases/import/", {"file": f})
    assert response.status_code == 302
    assert response["Location"] == "/cases/import/?done=1"
    page = centre_client.get(response["Location"])
    html = page.content.decode()
    assert "cases.xlsx：已立案 2 件" in html
    assert [str(m) for m in page.context["messages"]] == [
        "已立案 2 件：（2026）鄂0105执1号 至 （2026）鄂0105执2号"
    ]
    ids = list(EnforcementCase.objects.order_by("id").values_list("id", flat=True))
    assert re.findall(r'<a href="/cases/(\d+)/">（2026）鄂0105执\d+号</a>', html) == [
        str(i) for i in ids
    ]
    assert "10,000.00" in html and "被执行人2" in html
    # a refresh shows the result again and files nothing more
    assert centre_client.get(response["Location"]).status_code == 200
    assert EnforcementCase.objects.count() == 2
