"""Helpers for the money-in tests: statements built as real CSV and .xlsx files,
and cases filed through the real services."""

from __future__ import annotations

import csv
import io
from datetime import date

from tests.conftest import at, company_code, person_id
from tests.web.conftest import file
from zhixing.courts.models import Officer
from zhixing.funds.case_panel import account_number

STANDARD = ["交易时间", "流水号", "收入金额", "支出金额", "余额", "对方户名", "对方账号", "子账号", "摘要"]
FILED = at(2026, 3, 2, 9)
IMPORTED = at(2026, 3, 10, 16)


def csv_bytes(rows, header=STANDARD, *, bom=True, encoding="utf-8", above=()) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    for r in above:
        w.writerow(r)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom and encoding == "utf-8" else data


def xlsx_bytes(rows, header=STANDARD, *, above=()) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in above:
        ws.append(list(r))
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def line(time="2026-03-05 10:15:30", serial="", amount_in="", amount_out="", balance="", name="", account="", sub="", remark=""):
    return [time, serial, amount_in, amount_out, balance, name, account, sub, remark]


def officer(username) -> Officer:
    return Officer.objects.select_related("court", "user").get(user__username=username)


def debtor(name: str, serial: int, kind="person"):
    if kind == "person":
        return {"kind": "person", "name": name, "id_number": person_id(serial, birth=date(1979, 2, 3)),
                "phone": "13900000000", "address": "武汉市汉阳区"}
    return {"kind": "company", "name": name, "credit_code": company_code(serial)}


def file_case(court, actor, *, debtor_name: str | None = None, serial: int = 0, creditors=None, amount="10000"):
    """One case; its debtor named as given (else 被执行人0 with its own id code)."""
    kw = {"amount": amount}
    if debtor_name:
        kw["debtors"] = [debtor(debtor_name, 500 + serial)]
    if creditors:
        kw["creditors"] = creditors
    (case,) = file(court, actor, FILED, **kw)
    return case


def sub_account(case) -> str:
    return account_number(case)
