"""Reading a 批量立案 sheet: what Excel does to cells, and every bad row named.
Nothing here writes to the database."""

import io
import zipfile

from openpyxl import load_workbook

from tests.conftest import company_code, person_id
from tests.intake.conftest import HEADERS, TODAY, good_row
from zhixing.intake.xlsx import read_workbook, template_workbook


def read(path):
    return read_workbook(path, today=TODAY)


def messages(result):
    return [line for e in result.errors for line in e.lines()]


# ---------------------------------------------------------------- the template


def test_the_template_has_the_chinese_headers_an_example_lists_and_a_notes_sheet():
    book = load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["批量立案", "填写说明"]
    sheet = book["批量立案"]
    assert [c.value for c in sheet[1]] == [
        "案件类型",
        "执行依据文书编号",
        "执行依据种类",
        "生效日期",
        "履行期限届满日",
        "申请执行标的额（元）",
        "申请执行人类型",
        "申请执行人名称",
        "申请执行人证件号码",
        "申请执行人电话",
        "申请执行人地址",
        "被执行人类型",
        "被执行人名称",
        "被执行人证件号码",
        "被执行人电话",
        "被执行人地址",
    ]
    assert sheet["M2"].value == "张三；武汉某某装饰工程有限公司"
    assert sheet.column_dimensions["N"].width == 24
    assert sheet.freeze_panes == "A2"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["A2:A20001"] == '"执,执恢,执保,执异,执复,执监"'
    assert lists["C2:C20001"].startswith('"民事判决书,民事裁定书,民事调解书,')
    assert lists["G2:G20001"] == lists["L2:L20001"] == '"自然人,法人,非法人组织"'
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True) if row[0]]
    assert "批量立案模板填写说明" in notes
    assert "申请执行人证件号码" in notes


def test_the_untouched_example_row_is_refused_so_it_is_never_filed_by_mistake(tmp_path):
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_workbook())
    result = read(path)
    assert messages(result) == ["第2行：这是模板中的示例，请改为真实案件或删除该行"]


def test_the_example_row_once_changed_reads_as_a_case_with_two_debtors(tmp_path):
    book = load_workbook(io.BytesIO(template_workbook()))
    book["批量立案"]["B2"] = "（2025）鄂0105民初9号"
    book.save(tmp_path / "filled.xlsx")
    result = read(tmp_path / "filled.xlsx")
    assert result.ok
    [(row, application)] = result.applications
    assert row == 2
    assert application.amount_claimed == 12345678
    assert [(d.kind, d.name, d.phone) for d in application.debtors] == [
        ("person", "张三", "13800000000"),
        ("company", "武汉某某装饰工程有限公司", ""),
    ]


# ---------------------------------------------------------------- rows


def test_columns_are_found_by_name_in_any_order_and_blank_rows_are_skipped(xlsx):
    headers = list(reversed(HEADERS))
    result = read(xlsx([good_row(1), None, None, good_row(2)], headers=headers))
    assert result.ok
    assert [row for row, _ in result.applications] == [2, 5]
    assert result.rows_read == 2


def test_several_debtors_share_a_cell_separated_by_semicolons_or_line_breaks(xlsx):
    row = good_row(
        1,
        被执行人类型="自然人；法人\n非法人组织",
        被执行人名称="李四;武汉甲公司\n汉阳乙商行",
        被执行人证件号码=f"{person_id(7)}；{company_code(8)}；\n{company_code(9)}",
        被执行人电话="13800000001；；",
        被执行人地址="",
    )
    [(_, application)] = read(xlsx([row])).applications
    assert [(d.kind, d.name, d.id_code, d.phone) for d in application.debtors] == [
        ("person", "李四", person_id(7), "13800000001"),
        ("company", "武汉甲公司", company_code(8), ""),
        ("organisation", "汉阳乙商行", company_code(9), ""),
    ]


def test_one_kind_serves_every_party_of_the_cell(xlsx):
    row = good_row(
        1,
        被执行人名称="李四；王五",
        被执行人证件号码=f"{person_id(7)}；{person_id(8)}",
        被执行人电话=None,
        被执行人地址=None,
    )
    [(_, application)] = read(xlsx([row])).applications
    assert [d.kind for d in application.debtors] == ["person", "person"]


def test_counts_that_do_not_match_name_the_row_and_the_columns(xlsx):
    row = good_row(
        1,
        被执行人类型="自然人；自然人；自然人",
        被执行人名称="李四；王五",
        被执行人证件号码=person_id(7),
        被执行人电话="1；2；3",
    )
    result = read(xlsx([good_row(2), row]))
    assert messages(result) == [
        "第3行：被执行人数目不一致：被执行人名称有2项，被执行人类型有3项，被执行人证件号码有1项，被执行人电话有3项，"
        "被执行人地址有1项。多个被执行人请用“；”分隔，各列逐一对应"
    ]
    assert result.applications == [(2, result.applications[0][1])]


def test_a_bad_check_digit_is_named_with_row_party_and_standard(xlsx):
    good = person_id(101)
    bad = good[:-1] + ("3" if good[-1] != "3" else "4")
    result = read(xlsx([good_row(1), good_row(2), good_row(3), good_row(4, 被执行人证件号码=bad)]))
    assert messages(result) == [
        f"第5行：被执行人1 公民身份号码：校验位错误：应为{good[-1]}，实为{bad[-1]}（GB 11643-1999）"
    ]


def test_every_bad_row_is_listed_with_all_its_problems(xlsx):
    rows = [
        good_row(1, 申请执行标的额=None, **{"申请执行标的额（元）": None}),
        good_row(2),
        good_row(3, 履行期限届满日="2025-12-31", 执行依据种类="借条"),
        good_row(4, 申请执行人证件号码="91420105MA4KL0001I"),
    ]
    result = read(xlsx(rows))
    assert [e.row for e in result.errors] == [2, 4, 5]
    assert messages(result) == [
        "第2行：申请执行标的额：必须填写",
        "第4行：执行依据种类：“借条”不是可执行的文书种类，应为民事判决书、民事裁定书、民事调解书、支付令、"
        "刑事判决书、刑事裁定书、行政判决书、行政裁定书、行政赔偿调解书、仲裁裁决书、仲裁调解书、"
        "劳动人事争议仲裁裁决书、劳动人事争议仲裁调解书、公证债权文书、行政处罚决定书、行政处理决定书之一",
        "第4行：履行期限届满日：不能早于生效日期",
        "第5行：申请执行人1 统一社会信用代码：含非法字符“I”（GB 32100-2015）",
    ]


def test_a_float_amount_is_read_exactly_to_the_fen_and_never_rounded(xlsx):
    rows = [
        good_row(1, **{"申请执行标的额（元）": 1234.56}),
        good_row(2, **{"申请执行标的额（元）": 100.1}),  # Decimal(100.1) is 100.0999…
        good_row(3, **{"申请执行标的额（元）": 1234.565}),
        good_row(4, **{"申请执行标的额（元）": 98765432101.99}),
        good_row(5, **{"申请执行标的额（元）": 5000}),
        good_row(6, **{"申请执行标的额（元）": "12,345.60"}),
    ]
    result = read(xlsx(rows))
    assert {row: a.amount_claimed for row, a in result.applications} == {
        2: 123456,
        3: 10010,
        5: 9876543210199,
        6: 500000,
        7: 1234560,
    }
    assert messages(result) == [
        "第4行：申请执行标的额：金额格式不正确：“1234.565”（最多两位小数）",
    ]


def test_an_identity_number_excel_turned_into_a_number_is_refused(xlsx):
    result = read(xlsx([good_row(1, 被执行人证件号码=4.2010519800517e17)]))
    assert messages(result) == [
        "第2行：被执行人证件号码：请以文本格式填写。该单元格是数字（4.2010519800517E+17），"
        "Excel 只保留15位有效数字，号码末几位已丢失；请将该列设为“文本”后重新输入"
    ]


def test_dates_may_be_date_cells_text_or_eight_digits(xlsx):
    rows = [
        good_row(1, 生效日期="2026/1/5", 履行期限届满日="2026年1月15日"),
        good_row(2, 生效日期=20260105, 履行期限届满日=20260115),
        good_row(3, 生效日期=46027),
    ]
    result = read(xlsx(rows))
    assert [
        (a.title.effective_on.isoformat(), a.title.due_on.isoformat())
        for _, a in result.applications
    ] == [("2026-01-05", "2026-01-15"), ("2026-01-05", "2026-01-15")]
    assert messages(result) == [
        "第4行：生效日期：应为日期（如2026-01-05），实为数字46027；请将单元格设为日期格式"
    ]


def test_the_same_title_against_the_same_debtors_twice_is_a_duplicate(xlsx):
    rows = [
        good_row(1),
        good_row(2),
        good_row(3),
        good_row(4),
        good_row(5),
        good_row(1, 申请执行人电话="027-1"),
    ]
    result = read(xlsx(rows))
    assert messages(result) == ["第7行：与第2行重复（执行依据文书编号及被执行人均相同）"]


# ---------------------------------------------------------------- whole files


def test_a_missing_required_header_is_named(xlsx):
    headers = [h for h in HEADERS if h not in ("执行依据种类", "被执行人证件号码")]
    result = read(xlsx([good_row(1)], headers=headers))
    assert messages(result) == [
        "第1行：缺少必需的列：执行依据种类、被执行人证件号码。表头须与批量立案模板一致（列的顺序不限）"
    ]
    assert result.applications == []


def test_optional_columns_may_be_left_out(xlsx):
    headers = [h for h in HEADERS if h not in ("案件类型", "被执行人电话", "申请执行人地址")]
    [(_, application)] = read(xlsx([good_row(1)], headers=headers)).applications
    assert application.type_code == "执"
    assert application.debtors[0].phone == ""


def test_a_file_that_is_not_an_xlsx_is_refused_in_chinese(tmp_path):
    csv = tmp_path / "cases.xlsx"
    csv.write_text("案件类型,执行依据文书编号\n执,（2025）鄂0105民初1号\n", encoding="utf-8")
    assert messages(read(csv)) == [
        "文件无法读取：请上传 Excel 工作簿（.xlsx），文件可能已损坏或不是 Excel 文件"
    ]
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert messages(read(old)) == [
        "这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再导入"
    ]


def test_a_corrupt_xlsx_is_refused_in_chinese(tmp_path, xlsx):
    path = xlsx([good_row(1)])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    result = read(broken)
    assert result.applications == []
    assert messages(result) == ["文件内容已损坏，无法读取，请在 Excel 中重新保存后再导入"]


def test_an_empty_sheet_and_a_sheet_with_only_headers_are_refused(tmp_path, xlsx):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "empty.xlsx")
    assert messages(read(tmp_path / "empty.xlsx")) == [
        "工作表是空的：请在第一个工作表中填写表头和案件（可下载批量立案模板）"
    ]
    assert messages(read(xlsx([None, None]))) == ["工作表中没有案件：表头下方没有填写任何一行"]


def test_a_file_object_is_read_like_a_path(xlsx):
    with open(xlsx([good_row(1)]), "rb") as f:
        assert len(read_workbook(io.BytesIO(f.read()), today=TODAY).applications) == 1
