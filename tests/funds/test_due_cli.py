"""`zhixing calc fee AMOUNT` and `zhixing calc due CASE_NUMBER [--on DATE]`."""

from datetime import date

import pytest

from tests.conftest import application_json
from zhixing.cases.services import cases_file
from zhixing.cli import main
from zhixing.intake.parsing import parse_application


def test_calc_fee_prints_the_fee_in_yuan(capsys):
    assert main(["calc", "fee", "123456.78"]) == 0
    assert capsys.readouterr().out.strip() == "申请执行费 1,751.85 元"


def test_calc_fee_takes_a_grouped_amount_with_yuan(capsys):
    assert main(["calc", "fee", "1,000,000元"]) == 0
    assert capsys.readouterr().out.strip() == "申请执行费 12,400.00 元"


def test_calc_fee_refuses_a_bad_amount_in_chinese(capsys):
    assert main(["calc", "fee", "十万"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.strip() == "执行金额：金额格式不正确：“十万”"


def test_calc_due_prints_each_part(court, centre, now, capsys):
    (case,) = cases_file(
        court=court, actor=centre, now=now,
        applications=[parse_application(application_json(amount="100000"), today=date(2026, 3, 2))[0]],
    )
    assert main(["calc", "due", case.case_number, "--on", "2026-03-16"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:7] == [
        f"{case.case_number} 截至2026-03-16应付金额",
        "本金 100,000.00 元",
        "一般债务利息 0.00 元",
        "加倍部分债务利息 1,050.00 元",
        "申请执行费 1,400.00 元",
        "已付 0.00 元",
        "合计尚欠 102,450.00 元",
    ]


def test_calc_due_of_an_unknown_case_says_so(court, capsys):
    assert main(["calc", "due", "（2026）鄂0105执999号"]) == 1
    assert capsys.readouterr().err.strip() == "没有案号为“（2026）鄂0105执999号”的案件"


def test_calc_due_with_a_bad_date_exits_with_a_chinese_message(capsys):
    with pytest.raises(SystemExit):
        main(["calc", "due", "X", "--on", "2026-13-01"])
    assert "日期格式应为 YYYY-MM-DD" in capsys.readouterr().err
