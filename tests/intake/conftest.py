"""Real .xlsx files built with openpyxl for the import tests, and a frozen
clock for the pages and the command line (both read "now")."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from tests.conftest import at, company_code, person_id
from zhixing.intake.xlsx_template import COLUMNS

HEADERS = [c.header for c in COLUMNS]
TODAY = date(2026, 3, 2)


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock at 2026-03-02 15:00 in Shanghai."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 2, 15))
    return TODAY


def good_row(n: int, **over) -> dict:
    """One valid case as a sheet row, keyed by header; `n` makes it unique."""
    row = {
        "案件类型": "执",
        "执行依据文书编号": f"（2025）鄂0105民初{n}号",
        "执行依据种类": "民事判决书",
        "生效日期": date(2026, 1, 5),
        "履行期限届满日": date(2026, 1, 15),
        "申请执行标的额（元）": "10000.00",
        "申请执行人类型": "法人",
        "申请执行人名称": "武汉某某建材有限公司",
        "申请执行人证件号码": company_code(1),
        "申请执行人电话": "027-84840000",
        "申请执行人地址": "武汉市汉阳区龙阳大道1号",
        "被执行人类型": "自然人",
        "被执行人名称": f"被执行人{n}",
        "被执行人证件号码": person_id(100 + n),
        "被执行人电话": "13800000000",
        "被执行人地址": "武汉市汉阳区",
    }
    row.update(over)
    return row


def write_xlsx(path, rows, headers=None, sheet_title="批量立案"):
    """A workbook whose first sheet has `headers` in row 1 and one row per
    dict (missing keys left empty); a row that is None is left blank."""
    headers = HEADERS if headers is None else headers
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(headers)
    for row in rows:
        sheet.append([None] * len(headers) if row is None else [row.get(h) for h in headers])
    book.save(path)
    return path


@pytest.fixture
def xlsx(tmp_path):
    def make(rows, headers=None, name="cases.xlsx"):
        return write_xlsx(tmp_path / name, rows, headers)

    return make
