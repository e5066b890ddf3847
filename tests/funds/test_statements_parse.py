"""Reading bank statements (funds/statements.py): the documented format in CSV
and .xlsx, a bank's own export found from its header, and every bad row named
by row and column."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.funds.statements_kit import csv_bytes, line, xlsx_bytes
from zhixing.funds.statements import StatementRefused, parse_statement

TZ = ZoneInfo("Asia/Shanghai")


def parse(data, name="s.csv", mapping=None):
    return parse_statement(file_name=name, data=data, mapping=mapping, tz=TZ)


def errors_of(data, name="s.csv", mapping=None) -> list[str]:
    with pytest.raises(StatementRefused) as e:
        parse(data, name, mapping)
    return e.value.errors


def test_standard_csv_with_bom_reads_every_column():
    data = csv_bytes(
        [
            line(serial="B001", amount_in="1,234.50", balance="10,000.00", name="张三", account="6222 0000 1111",
                 sub="42010502026100001X", remark="（2026）鄂0105执1号 还款"),
            line(time="2026/03/05 11:00", serial="B002", amount_out="200", amount_in="0.00", balance="9800"),
        ]
    )
    s = parse(data)
    assert s.mapping == "standard" and s.header_row == 1
    a, b = s.rows
    assert (a.row, a.serial, a.direction, a.amount, a.balance_after) == (2, "B001", "in", 1234_50, 10000_00)
    assert a.booked_at == datetime(2026, 3, 5, 10, 15, 30, tzinfo=TZ)
    assert (a.counterparty_name, a.counterparty_account, a.remark) == ("张三", "622200001111", "（2026）鄂0105执1号 还款")
    assert (b.direction, b.amount, b.booked_at.hour, b.fingerprinted) == ("out", 200_00, 11, False)
    assert (s.first_on.isoformat(), s.closing_balance) == ("2026-03-05", 9800_00)


def test_icbc_like_xlsx_with_a_title_block_split_date_and_numbers_as_excel_keeps_them():
    header = ["交易日期", "交易时间", "交易流水号", "对方单位名称", "对方账号", "借方发生额", "贷方发生额", "账户余额", "用途", "虚拟账号"]
    rows = [
        [datetime(2026, 3, 5), "09:30:15", "ICBC0001", "武汉某某建材有限公司", 6222000011112222, None, 1500.1, 20000.5, "执行款", "420105020261000017"],
        ["2026-03-06", "143000", "ICBC0002", "张三", "", 300, "", 19700.5, "退款", ""],
        [],
        ["合计", "", "", "", "", 300, 1500.1, "", "", ""],
    ]
    data = xlsx_bytes(rows, header, above=[["中国工商银行 账户明细"], ["账号：4201 0000 1234", "查询期间：2026-03-01至2026-03-31"], []])
    s = parse(data, name="工行明细.xlsx")
    assert s.mapping == "icbc" and s.header_row == 4
    a, b = s.rows
    assert (a.row, a.direction, a.amount, a.balance_after) == (5, "in", 1500_10, 20000_50)
    assert a.booked_at == datetime(2026, 3, 5, 9, 30, 15, tzinfo=TZ)
    assert (a.counterparty_account, a.sub_account, a.remark) == ("6222000011112222", "420105020261000017", "执行款")
    assert (b.row, b.direction, b.amount, b.booked_at.hour, b.booked_at.minute) == (6, "out", 300_00, 14, 30)
    assert s.skipped_rows == 2  # the blank row and the total


def test_ccb_like_gbk_csv_is_detected_from_its_header():
    header = ["交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "币种", "对方户名", "对方账号", "摘要", "备注", "账户明细编号-交易流水号", "子账户"]
    rows = [["20260305 101500", "", "88.00", "188.00", "人民币", "李四", "6217", "转账", "（2026）鄂0105执2号", "CCB-1", ""]]
    s = parse(csv_bytes(rows, header, bom=False, encoding="gbk"))
    assert s.mapping == "ccb"
    (r,) = s.rows
    assert (r.serial, r.amount, r.direction, r.remark) == ("CCB-1", 88_00, "in", "转账 （2026）鄂0105执2号")
    assert r.booked_at == datetime(2026, 3, 5, 10, 15, tzinfo=TZ)


def test_a_mapping_chosen_explicitly_must_fit_the_header():
    errs = errors_of(csv_bytes([line(serial="1", amount_in="1")]), mapping="icbc")
    assert errs == ["按“工商银行企业网银明细（日期、时间分列）”读取，未找到表头（必须包含“交易日期”、“贷方发生额”、“借方发生额”列）"]
    assert errors_of(b"a,b\n1,2\n")[0].startswith("无法识别对账单格式")
    assert errors_of(b"x", mapping="nope") == ["未知的对账单格式“nope”（可选：standard、icbc、ccb）"]


def test_every_bad_row_is_named_with_its_column_and_the_file_is_refused():
    data = csv_bytes(
        [
            line(serial="1", amount_in="100"),
            line(serial="2", amount_in="12.345"),
            line(serial="3", time="2026-13-01 10:00"),
            line(serial="4", amount_in="5", amount_out="5"),
            line(serial="5"),
            line(serial="6", amount_in="-5"),
            line(serial="7", amount_in="7", balance="abc"),
        ]
    )
    errs = errors_of(data)
    assert errs == [
        "第3行“收入金额”：金额格式不正确：“12.345”（最多两位小数）",
        "第4行“交易时间”：时间格式不正确：“2026-13-01 10:00”（应如“2026-03-02 10:15:30”）",
        "第4行“收入金额”：收入和支出都没有金额",
        "第5行“收入金额”：同一行收入和支出都有金额，请拆成两行",
        "第6行“收入金额”：收入和支出都没有金额",
        "第7行“收入金额”：金额不能为负数：“-5”",
        "第8行“余额”：金额格式不正确：“abc”",
    ]


def test_a_serial_repeated_with_other_content_is_an_error_the_same_line_twice_is_read_once():
    same = line(serial="B1", amount_in="10")
    s = parse(csv_bytes([same, same]))
    assert len(s.rows) == 1 and s.skipped_rows == 1
    errs = errors_of(csv_bytes([same, line(serial="B1", amount_in="11")]))
    assert errs == ["第3行“流水号”：流水号B1与第2行相同但内容不同"]


def test_a_line_without_serial_gets_a_stable_fingerprint_identical_lines_stay_apart():
    a = line(amount_in="50", name="王五", account="6222", remark="还款")
    first = parse(csv_bytes([a, a, line(amount_in="51")])).rows
    again = parse(xlsx_bytes([line(amount_in="51"), a, a]), name="x.xlsx").rows
    assert all(r.fingerprinted and r.serial.startswith("FP") for r in first)
    assert len({r.serial for r in first}) == 3
    assert {r.serial for r in first} == {r.serial for r in again}  # CSV or Excel, any order


def test_empty_files_old_excel_and_files_without_lines_are_refused():
    assert errors_of(b"") == ["文件为空"]
    assert errors_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", name="a.xls")[0].startswith("不支持旧版Excel")
    assert errors_of(csv_bytes([])) == ["对账单中没有交易记录"]
    assert errors_of(b"PK\x03\x04broken", name="a.xlsx") == ["无法读取Excel文件，请确认是.xlsx格式"]


def test_the_sample_statement_in_the_docs_reads():
    from pathlib import Path

    data = (Path(__file__).parent / "data" / "statement-standard.csv").read_bytes()
    s = parse(data, name="statement-standard.csv")
    assert s.mapping == "standard"
    assert [(r.serial, r.direction, r.amount) for r in s.rows] == [
        ("20260305000101", "in", 12000_00),
        ("20260305000102", "in", 3500_00),
        ("20260305000103", "in", 800_00),
        ("20260306000007", "out", 10000_00),
    ]
    assert s.closing_balance == 506300_00
