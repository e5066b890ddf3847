"""One row of a 批量立案 sheet, as the API's JSON for the parser.

What only a spreadsheet gets wrong is caught here, before the parser: dates
and amounts that arrive as numbers, identity numbers Excel has turned into
floats (it keeps 15 significant digits, so an 18-digit number has lost its
tail for good), and several parties of one role in one cell, separated by
"；", whose columns must line up.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from decimal import Decimal

from zhixing.intake.parsing import PARTY_KINDS
from zhixing.intake.xlsx_template import COLUMNS, EXAMPLE

ROLES = {"creditor": ("creditors", "申请执行人"), "debtor": ("debtors", "被执行人")}
KIND_CODES = {label: code for code, label in PARTY_KINDS.items()} | {
    code: code for code in PARTY_KINDS
}
# "；", ";" or a line break between parties; "；" followed by a line break is one.
_SEPARATOR = re.compile(r"[ \t]*(?:[；;][ \t]*\r?\n?|\r?\n)[ \t]*")


def row_json(cells: dict) -> tuple[dict, list[str], tuple[str, ...]]:
    """The API's JSON for one row, the messages of cells that could not be
    read, and the parser paths those messages already cover (to skip)."""
    messages: list[str] = []
    skip: list[str] = []

    def fail(path: str, message: str) -> None:
        messages.append(message)
        skip.append(path)

    title = {
        "number": _cell_text(cells.get("title_number")),
        "kind": _cell_text(cells.get("title_kind")),
    }
    for key in ("effective_on", "due_on"):
        try:
            title[key] = _cell_date(cells.get(key))
        except ValueError as e:
            fail(f"title.{key}", f"{_header(key)}：{e}")
            title[key] = None
    raw = {"type": _cell_text(cells.get("type")), "title": title}
    for role, (plural, label) in ROLES.items():
        raw[plural] = _parties(cells, role, label, lambda m, p=plural: fail(p, m))
    try:
        raw["amount_claimed"] = _cell_amount(cells.get("amount"))
    except ValueError as e:
        fail("amount_claimed", f"{_header('amount')}：{e}")
        raw["amount_claimed"] = None
    return raw, messages, tuple(skip)


def _parties(cells: dict, role: str, label: str, fail) -> list[dict]:
    """Split the role's cells into aligned parties; counts must agree."""
    columns = {part: f"{role}_{part}" for part in ("kind", "name", "code", "phone", "address")}
    code_cell = cells.get(columns["code"])
    if isinstance(code_cell, (int, float)) and not isinstance(code_cell, bool):
        fail(
            f"{label}证件号码：请以文本格式填写。该单元格是数字（{format(code_cell, '.15G')}），"
            "Excel 只保留15位有效数字，号码末几位已丢失；请将该列设为“文本”后重新输入"
        )
        return []
    lists = {part: _split(cells.get(column)) for part, column in columns.items()}
    names = _fit(lists["name"], 0)
    n = len(names)
    if not n and any(lists.values()):
        fail(f"{_header(columns['name'])}：必须填写")
        return []
    lists = {part: _fit(values, n) for part, values in lists.items()}
    if len(lists["kind"]) == 1 and n > 1:
        lists["kind"] = lists["kind"] * n  # one kind for all
    wrong = [
        f"{_header(columns[part])}有{len(lists[part])}项"
        for part, allowed in (("kind", {n}), ("code", {n}), ("phone", {0, n}), ("address", {0, n}))
        if n and len(lists[part]) not in allowed
    ]
    if wrong:
        fail(
            f"{label}数目不一致：{_header(columns['name'])}有{n}项，{'，'.join(wrong)}。"
            f"多个{label}请用“；”分隔，各列逐一对应"
        )
        return []
    parties = []
    for i in range(n):
        kind = KIND_CODES.get(lists["kind"][i], lists["kind"][i]) if lists["kind"] else ""
        parties.append(
            {
                "kind": kind,
                "name": names[i],
                "id_number" if kind == "person" else "credit_code": lists["code"][i]
                if lists["code"]
                else "",
                "phone": lists["phone"][i] if lists["phone"] else "",
                "address": lists["address"][i] if lists["address"] else "",
            }
        )
    return parties


def _split(value) -> list[str]:
    text = _cell_text(value)
    return [p.strip() for p in _SEPARATOR.split(text)] if text else []


def _fit(parts: list[str], n: int) -> list[str]:
    """Drop trailing blanks beyond n: "张三；李四；" is two names, while
    "13800000000；" for two debtors is a phone for the first one only."""
    parts = list(parts)
    while len(parts) > n and not parts[-1]:
        parts.pop()
    return parts


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # e.g. a phone number typed as a number
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _cell_date(value) -> str:
    """An ISO date for the parser, from a date cell, text, or 20260105."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        raise ValueError("应为日期，实为时间")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = str(int(value)) if float(value).is_integer() else ""
        if len(digits) == 8:
            return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
        raise ValueError(f"应为日期（如2026-01-05），实为数字{value}；请将单元格设为日期格式")
    return _cell_text(value)


def _cell_amount(value) -> str:
    """The amount as exact decimal text. A float cell is read by its shortest
    repr, which is the number as typed: 1234.56 stays 1234.56 and 1234.565
    stays 1234.565 (and is refused by the parser), never rounded to a fen."""
    if isinstance(value, bool):
        raise ValueError("应为金额，实为逻辑值")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (datetime, date, time)):
        raise ValueError("应为金额，实为日期")
    return _cell_text(value)


def _header(key: str) -> str:
    return next(c.header for c in COLUMNS if c.key == key)


@functools.cache
def example_json() -> dict:
    """The template's example row as the API's JSON, to recognise it untouched."""
    return row_json(dict(EXAMPLE))[0]
