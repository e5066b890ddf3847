"""批量立案: a file is filed whole in one transaction, or not at all; and the
`zhixing import` command that does it from a terminal."""

import io

from openpyxl import load_workbook

from tests.conftest import person_id
from tests.intake.conftest import good_row
from zhixing.cases.models import (
    CaseEvent,
    CaseParty,
    EnforceableTitle,
    EnforcementCase,
    Milestone,
    Party,
)
from zhixing.cli import main
from zhixing.intake.xlsx import import_workbook, template_workbook

MODELS = (EnforcementCase, Party, CaseParty, EnforceableTitle, CaseEvent, Milestone)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_three_good_rows_file_three_cases_with_consecutive_numbers(xlsx, court, centre, now):
    result = import_workbook(
        file=xlsx([good_row(1), good_row(2), good_row(3)]), court=court, actor=centre, now=now
    )
    assert result.ok
    assert [c.case_number for c in result.cases] == [
        "（2026）鄂0105执1号",
        "（2026）鄂0105执2号",
        "（2026）鄂0105执3号",
    ]
    case = EnforcementCase.objects.get(case_number="（2026）鄂0105执2号")
    assert case.amount_claimed == 1000000
    assert case.title.number == "（2025）鄂0105民初2号"
    roles = list(
        case.case_parties.order_by("role", "position").values_list(
            "role", "party__name", "party__id_code"
        )
    )
    assert roles == [
        ("creditor", "武汉某某建材有限公司", roles[0][2]),
        ("debtor", "被执行人2", person_id(102)),
    ]
    # the creditor of all three is one party row
    assert Party.objects.count() == 4
    assert CaseEvent.objects.filter(kind="filed", actor=centre).count() == 3
    assert result.warnings == {}


def test_one_bad_row_among_good_ones_imports_nothing_and_names_the_row(xlsx, court, centre, now):
    import_workbook(
        file=xlsx([good_row(90)], name="earlier.xlsx"), court=court, actor=centre, now=now
    )
    before = counts()
    rows = [good_row(1), good_row(2), good_row(3, 被执行人证件号码="420105198005170"), good_row(4)]
    result = import_workbook(file=xlsx(rows), court=court, actor=centre, now=now)
    assert [line for e in result.errors for line in e.lines()] == [
        "第4行：被执行人1 公民身份号码：应为18位，实为15位（GB 11643-1999）"
    ]
    assert result.cases == []
    assert counts() == before
    assert not Party.objects.filter(name="被执行人1").exists()


def test_after_a_refused_file_the_numbers_go_on_without_a_gap(xlsx, court, centre, now):
    import_workbook(
        file=xlsx([good_row(1), good_row(2, 生效日期="2026-13-01")], name="bad.xlsx"),
        court=court,
        actor=centre,
        now=now,
    )
    result = import_workbook(file=xlsx([good_row(1)]), court=court, actor=centre, now=now)
    assert [c.case_number for c in result.cases] == ["（2026）鄂0105执1号"]


def test_the_template_filled_in_round_trips_into_one_case(tmp_path, court, centre, now):
    book = load_workbook(io.BytesIO(template_workbook()))
    sheet = book["批量立案"]
    sheet["B2"] = "（2025）鄂0105民初777号"
    sheet["M2"] = "赵六；武汉某某装饰工程有限公司"
    book.save(tmp_path / "filled.xlsx")
    result = import_workbook(file=tmp_path / "filled.xlsx", court=court, actor=centre, now=now)
    assert result.ok
    [case] = result.cases
    assert case.case_number == "（2026）鄂0105执1号"
    assert case.amount_claimed == 12345678
    debtors = case.case_parties.filter(role="debtor").order_by("position")
    assert [(d.party.kind, d.party.name) for d in debtors] == [
        ("person", "赵六"),
        ("company", "武汉某某装饰工程有限公司"),
    ]


def test_types_are_numbered_in_their_own_series_and_a_late_application_is_warned(
    xlsx, court, centre, now
):
    rows = [
        good_row(1),
        good_row(2, 案件类型="执保"),
        good_row(3, 履行期限届满日="2023-12-01", 生效日期="2023-11-01"),
    ]
    result = import_workbook(file=xlsx(rows), court=court, actor=centre, now=now)
    assert [c.case_number for c in result.cases] == [
        "（2026）鄂0105执1号",
        "（2026）鄂0105执保1号",
        "（2026）鄂0105执2号",
    ]
    late = result.cases[2]
    assert list(result.warnings) == [late.id]
    assert result.warnings[late.id].startswith("申请执行可能已超过二年期间")


# ---------------------------------------------------------------- the command line


def test_the_command_files_every_row_and_exits_zero(xlsx, court, frozen, capsys):
    path = xlsx(
        [good_row(1), good_row(2), good_row(3, 履行期限届满日="2023-12-01", 生效日期="2023-11-01")]
    )
    assert main(["import", str(path), "--user", "centre"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "读取 cases.xlsx ……"
    assert out[1] == "已立案 3 件：（2026）鄂0105执1号 至 （2026）鄂0105执3号"
    assert out[2].startswith("注意：（2026）鄂0105执3号：申请执行可能已超过二年期间")
    assert EnforcementCase.objects.count() == 3


def test_the_command_lists_every_bad_row_files_nothing_and_exits_one(xlsx, court, frozen, capsys):
    rows = [good_row(1), good_row(2, **{"申请执行标的额（元）": "-5"}), good_row(3), good_row(1)]
    assert main(["import", str(xlsx(rows)), "--user", "centre"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "第3行：申请执行标的额：金额不能为负数：“-5”",
        "第5行：与第2行重复（执行依据文书编号及被执行人均相同）",
        "有2处错误，未导入任何案件",
    ]
    assert EnforcementCase.objects.count() == 0


def test_the_command_reports_progress_every_500_rows(xlsx, court, frozen, capsys):
    path = xlsx(
        [good_row(i, 被执行人证件号码=person_id(i % 1000, area="420106")) for i in range(1, 1002)]
    )
    assert main(["import", str(path), "--user", "centre"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:4] == [
        "已读取 500/1001 行",
        "已读取 1000/1001 行",
        "已立案 1001 件：（2026）鄂0105执1号 至 （2026）鄂0105执1001号",
    ]


def test_the_command_refuses_an_unknown_user_and_a_missing_file(tmp_path, court, capsys):
    assert main(["import", str(tmp_path / "none.xlsx"), "--user", "nobody"]) == 1
    assert capsys.readouterr().err == "没有用户名为“nobody”的干警（用 --user 指定立案人）\n"
    assert main(["import", str(tmp_path / "none.xlsx"), "--user", "centre"]) == 1
    assert capsys.readouterr().err == f"找不到文件：{tmp_path / 'none.xlsx'}\n"
