"""Reading the custody account's bank statement (docs/bank-statement.md).

A statement is a CSV file (UTF-8, with or without BOM; GBK/GB18030 as banks
often write it) or an .xlsx workbook (first sheet). A column mapping says
which header holds what; it is chosen from the header row unless the user
names one. Every row is read into a StatementRow or an error that names the
row (as the spreadsheet numbers it) and the column; one bad row refuses the
whole file, so nothing is ever half-imported.

No database here: the service (statement_services.py) stores what this returns.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from zhixing.rules.money import MoneyError, parse_yuan

__all__ = [
    "MAPPINGS",
    "ColumnMapping",
    "ParsedStatement",
    "StatementRefused",
    "StatementRow",
    "parse_statement",
]

MAX_ERRORS_SHOWN = 50
HEADER_SEARCH_ROWS = 30  # banks put a title block (账号、户名、查询期间) above the header
MAX_ROWS = 100_000
REMARK_MAX = 200

# Cells banks write in the "other" amount column, meaning nothing.
_EMPTY_AMOUNTS = {"", "-", "--", "—"}
# Rows that sum up the statement rather than record a movement.
_TOTAL_WORDS = ("合计", "总计", "小计", "本页合计", "累计")


class StatementRefused(Exception):
    """The file is refused; .errors are Chinese, each naming the row and column."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        shown = self.errors[:MAX_ERRORS_SHOWN]
        more = len(self.errors) - len(shown)
        super().__init__("；".join(shown) + (f"；另有{more}处错误" if more > 0 else ""))


@dataclass(frozen=True)
class ColumnMapping:
    """Which header holds which field. Each field accepts any of several header
    texts (compared after NFKC, so full- and half-width brackets are the same)."""

    key: str
    label: str
    # field -> accepted header texts, first one found wins. Fields:
    # booked_at (date and time in one cell) or booked_on + booked_time (split),
    # serial, amount_in, amount_out, balance, counterparty_name,
    # counterparty_account, sub_account.
    columns: dict[str, tuple[str, ...]]
    # Remark columns: every one present is read and joined with a space.
    remark: tuple[str, ...] = ()
    required: tuple[str, ...] = ("amount_in", "amount_out")

    def date_fields(self) -> tuple[str, ...]:
        return ("booked_on", "booked_time") if "booked_on" in self.columns else ("booked_at",)


# The documented format first: it wins a tie in detection.
MAPPINGS: dict[str, ColumnMapping] = {
    m.key: m
    for m in (
        ColumnMapping(
            key="standard",
            label="标准格式（本系统）",
            columns={
                "booked_at": ("交易时间",),
                "serial": ("流水号",),
                "amount_in": ("收入金额",),
                "amount_out": ("支出金额",),
                "balance": ("余额",),
                "counterparty_name": ("对方户名",),
                "counterparty_account": ("对方账号",),
                "sub_account": ("子账号",),
            },
            remark=("摘要",),
            required=("booked_at", "amount_in", "amount_out"),
        ),
        ColumnMapping(
            key="icbc",
            label="工商银行企业网银明细（日期、时间分列）",
            columns={
                "booked_on": ("交易日期", "记账日期"),
                "booked_time": ("交易时间",),
                "serial": ("交易流水号", "流水号"),
                "amount_in": ("贷方发生额", "贷方金额"),
                "amount_out": ("借方发生额", "借方金额"),
                "balance": ("余额", "账户余额"),
                "counterparty_name": ("对方单位名称", "对方户名"),
                "counterparty_account": ("对方账号",),
                "sub_account": ("虚拟账号", "子账户", "子账号"),
            },
            remark=("摘要", "用途", "附言"),
            required=("booked_on", "amount_in", "amount_out"),
        ),
        ColumnMapping(
            key="ccb",
            label="建设银行账户明细（收入/支取列）",
            columns={
                "booked_at": ("交易时间",),
                "serial": ("账户明细编号-交易流水号", "交易流水号"),
                "amount_in": ("贷方发生额(收入)", "贷方发生额（收入）"),
                "amount_out": ("借方发生额(支取)", "借方发生额（支取）"),
                "balance": ("账户余额", "余额"),
                "counterparty_name": ("对方户名",),
                "counterparty_account": ("对方账号",),
                "sub_account": ("子账户", "子账户账号", "虚拟账号"),
            },
            remark=("摘要", "备注", "用途"),
            required=("booked_at", "amount_in", "amount_out"),
        ),
    )
}

_FIELD_NAMES = {
    "booked_at": "交易时间",
    "booked_on": "交易日期",
    "booked_time": "交易时间",
    "serial": "流水号",
    "amount_in": "收入金额",
    "amount_out": "支出金额",
    "balance": "余额",
    "counterparty_name": "对方户名",
    "counterparty_account": "对方账号",
    "sub_account": "子账号",
}


@dataclass(frozen=True)
class StatementRow:
    row: int  # the row number as the spreadsheet shows it
    serial: str  # the bank's serial, or a fingerprint ("FP…") when it has none
    booked_at: datetime
    direction: str  # "in" | "out"
    amount: int  # fen, > 0
    counterparty_name: str = ""
    counterparty_account: str = ""
    sub_account: str = ""
    remark: str = ""
    balance_after: int | None = None
    fingerprinted: bool = False


@dataclass
class ParsedStatement:
    mapping: str
    header_row: int
    rows: list[StatementRow] = field(default_factory=list)
    skipped_rows: int = 0  # blank and total rows

    @property
    def first_on(self) -> date | None:
        return min((r.booked_at.date() for r in self.rows), default=None)

    @property
    def last_on(self) -> date | None:
        return max((r.booked_at.date() for r in self.rows), default=None)

    @property
    def closing_balance(self) -> int | None:
        """The balance after the latest movement (file order breaks ties)."""
        with_balance = [
            (r.booked_at, i, r.balance_after)
            for i, r in enumerate(self.rows)
            if r.balance_after is not None
        ]
        return max(with_balance)[2] if with_balance else None


# ---------------------------------------------------------------- entry point


def parse_statement(
    *, file_name: str, data: bytes, mapping: str | None, tz: tzinfo, today: date | None = None
) -> ParsedStatement:
    """Read a whole statement; raises StatementRefused listing every bad row.
    With `today`, a line dated after it is an error (a mistyped or misread date)."""
    if mapping and mapping not in MAPPINGS:
        raise StatementRefused([f"未知的对账单格式“{mapping}”（可选：{'、'.join(MAPPINGS)}）"])
    if not data:
        raise StatementRefused(["文件为空"])
    table = _read_table(file_name, data)
    header_row, chosen, positions = _find_header(table, mapping)
    parsed = ParsedStatement(mapping=chosen.key, header_row=header_row)
    errors: list[str] = []
    seen_serials: dict[str, tuple[int, tuple]] = {}
    fingerprints: Counter[str] = Counter()
    for number, cells in table:
        if number <= header_row:
            continue
        if len(parsed.rows) >= MAX_ROWS:
            errors.append(f"对账单超过{MAX_ROWS}笔，请按期间拆分后分别导入")
            break
        values = {f: _cell(cells, pos[0]) for f, pos in positions.items() if f != "_remark"}
        remark_cells = [_text(_cell(cells, i)) for i, _ in positions.get("_remark", [])]
        if _is_blank_or_total(cells):
            parsed.skipped_rows += 1
            continue
        row, row_errors = _read_row(number, values, remark_cells, positions, tz)
        if row_errors:
            errors.extend(row_errors)
            continue
        if today is not None and row.booked_at.astimezone(tz).date() > today:
            time_field = "booked_on" if "booked_on" in positions else "booked_at"
            errors.append(
                f"第{number}行“{positions[time_field][1]}”：交易日期{row.booked_at.astimezone(tz).date().isoformat()}"
                f"晚于今天（{today.isoformat()}），请核对"
            )
            continue
        if row.serial:
            content = _content(row)
            if row.serial in seen_serials:
                first_row, first_content = seen_serials[row.serial]
                if first_content != content:
                    errors.append(
                        f"第{number}行“{positions['serial'][1]}”：流水号{row.serial}与第{first_row}行相同但内容不同"
                    )
                else:
                    parsed.skipped_rows += 1  # the same line twice in one file: once
                continue
            seen_serials[row.serial] = (number, content)
        else:
            base = _fingerprint(row)
            n = fingerprints[base]
            fingerprints[base] += 1
            serial = base if n == 0 else f"{base}-{n + 1}"
            row = _with_serial(row, serial)
        parsed.rows.append(row)
    if errors:
        raise StatementRefused(errors)
    if not parsed.rows:
        raise StatementRefused(["对账单中没有交易记录"])
    return parsed


# ---------------------------------------------------------------- files


def _read_table(file_name: str, data: bytes) -> list[tuple[int, list]]:
    """(row number, cells) for every row of the file."""
    name = file_name.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise StatementRefused(["不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx或CSV后导入"])
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise StatementRefused(
                    ["无法识别文件编码，请保存为UTF-8或GBK编码的CSV文件"]
                ) from None
    head = text[:8192]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, cells) for cells in reader]
    except csv.Error as e:
        raise StatementRefused([f"第{reader.line_num}行：CSV格式不正确（{e}）"]) from None


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise StatementRefused(["无法读取Excel文件，请确认是.xlsx格式"]) from None
    try:
        if not wb.worksheets:
            raise StatementRefused(["Excel文件中没有工作表"])
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows():
            cells = [c.value for c in row]
            number = next((c.row for c in row if getattr(c, "row", None)), None)
            rows.append((number, cells))
        # Empty rows carry no row number of their own: count on from the previous.
        out, last = [], 0
        for number, cells in rows:
            last = number if number else last + 1
            out.append((last, cells))
        return out
    finally:
        wb.close()


# ---------------------------------------------------------------- header


def _norm_header(value) -> str:
    text = unicodedata.normalize("NFKC", _text(value))
    return re.sub(r"\s+", "", text)


def _find_header(table, mapping: str | None):
    """The header row, the mapping and each field's column index."""
    candidates = [MAPPINGS[mapping]] if mapping else list(MAPPINGS.values())
    best = None  # (score, header_row, mapping, positions); the earlier mapping wins a tie
    for number, cells in table[:HEADER_SEARCH_ROWS]:
        headers = {}
        for i, value in enumerate(cells):
            h = _norm_header(value)
            if h and h not in headers:
                headers[h] = i
        if not headers:
            continue
        for m in candidates:
            positions = _positions(m, headers)
            if all(f in positions for f in m.required):
                score = len(positions) + len(positions.get("_remark", []))
                if best is None or score > best[0]:
                    best = (score, number, m, positions)
        if best is not None:
            break  # the first row that reads as a header is the header
    if best is None:
        if mapping:
            m = MAPPINGS[mapping]
            need = "、".join(f"“{m.columns[f][0]}”" for f in m.required)
            raise StatementRefused([f"按“{m.label}”读取，未找到表头（必须包含{need}列）"])
        need = "；".join(
            f"{m.label}：" + "、".join(m.columns[f][0] for f in m.required)
            for m in MAPPINGS.values()
        )
        raise StatementRefused(
            [f"无法识别对账单格式：前{HEADER_SEARCH_ROWS}行中没有可识别的表头（{need}）"]
        )
    _, number, m, positions = best
    return number, m, positions


def _positions(m: ColumnMapping, headers: dict[str, int]) -> dict:
    positions: dict = {}
    for f, names in m.columns.items():
        for name in names:
            i = headers.get(_norm_header(name))
            if i is not None:
                positions[f] = (i, name)
                break
    remark = [(headers[_norm_header(n)], n) for n in m.remark if _norm_header(n) in headers]
    if remark:
        positions["_remark"] = remark
    return positions


# ---------------------------------------------------------------- rows


def _cell(cells: list, i: int):
    return cells[i] if i < len(cells) else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an account number Excel stored as a number
    text = str(value).strip().strip("\t").strip()
    if text.startswith('="') and text.endswith('"'):  # ="0123" keeps Excel from eating zeros
        text = text[2:-1].strip()
    return text


def _is_blank_or_total(cells: list) -> bool:
    texts = [_text(c) for c in cells]
    if not any(texts):
        return True
    first = next(t for t in texts if t)
    return first.replace(" ", "").startswith(_TOTAL_WORDS)


def _read_row(number: int, values: dict, remark_cells: list[str], positions: dict, tz: tzinfo):
    errors: list[str] = []

    def err(f: str, message: str) -> None:
        header = positions[f][1] if f in positions else _FIELD_NAMES[f]
        errors.append(f"第{number}行“{header}”：{message}")

    booked_at = None
    if "booked_on" in positions:
        booked_at = _read_split_time(values.get("booked_on"), values.get("booked_time"), tz, err)
    else:
        booked_at = _read_time(values.get("booked_at"), tz, err)

    amounts = {}
    for f in ("amount_in", "amount_out"):
        amounts[f] = _read_amount(values.get(f), f, err)
    balance = None
    if "balance" in positions and _text(values.get("balance")) not in _EMPTY_AMOUNTS:
        balance = _read_amount(values.get("balance"), "balance", err, signed=True)

    direction = amount = None
    a_in, a_out = amounts["amount_in"], amounts["amount_out"]
    if a_in is not False and a_out is not False:
        if a_in and a_out:
            err("amount_in", "同一行收入和支出都有金额，请拆成两行")
        elif not a_in and not a_out:
            err("amount_in", "收入和支出都没有金额")
        else:
            direction, amount = ("in", a_in) if a_in else ("out", a_out)

    serial = _text(values.get("serial"))
    if len(serial) > 64:
        err("serial", f"流水号过长（{len(serial)}位，最多64位）")
    name = _text(values.get("counterparty_name"))
    account = re.sub(r"\s+", "", _text(values.get("counterparty_account")))
    sub_account = re.sub(r"\s+", "", _text(values.get("sub_account")))
    if len(name) > 128:
        err("counterparty_name", "对方户名过长（最多128字）")
    if len(account) > 40:
        err("counterparty_account", "对方账号过长（最多40位）")
    if len(sub_account) > 32:
        err("sub_account", "子账号过长（最多32位）")
    remark = " ".join(t for t in remark_cells if t)[:REMARK_MAX]
    if errors:
        return None, errors
    return (
        StatementRow(
            row=number,
            serial=serial,
            booked_at=booked_at,
            direction=direction,
            amount=amount,
            counterparty_name=name,
            counterparty_account=account,
            sub_account=sub_account,
            remark=remark,
            balance_after=balance,
        ),
        [],
    )


def _read_amount(value, f: str, err, signed: bool = False):
    """fen, 0 for an empty cell, False after reporting an error."""
    if value is None:
        return 0
    if isinstance(value, bool):
        err(f, "金额格式不正确")
        return False
    if isinstance(value, float):
        value = Decimal(
            repr(value)
        )  # Excel's numbers: the shortest decimal that reads back the same
    negative = False
    if isinstance(value, (int, Decimal)):
        negative = value < 0
        value = -value if negative else value
    else:
        text = _text(value)
        if text in _EMPTY_AMOUNTS:
            return 0
        if signed and unicodedata.normalize("NFKC", text).startswith("-"):
            negative, value = True, unicodedata.normalize("NFKC", text)[1:]
        else:
            value = text
    if negative and not signed:
        err(f, f"金额不能为负数：“-{value}”")
        return False
    try:
        fen = parse_yuan(value)
    except MoneyError as e:
        err(f, str(e))
        return False
    return -fen if negative else fen


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H%M%S", "%H.%M.%S")


def _parse_date_text(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_time_text(text: str) -> time | None:
    text = text.split(".")[0] if re.fullmatch(r"\d{1,2}:\d{2}:\d{2}\.\d+", text) else text
    if re.fullmatch(r"\d{5}", text):
        text = "0" + text  # 93015 for 09:30:15
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def _read_time(value, tz: tzinfo, err) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=tz)
    text = unicodedata.normalize("NFKC", _text(value))
    if not text:
        err("booked_at", "交易时间不能为空")
        return None
    text = re.sub(r"\s+", " ", text.replace("T", " "))
    day_text, _, time_text = text.partition(" ")
    if not time_text and re.fullmatch(r"\d{14}", day_text):  # 20260302101530
        day_text, time_text = day_text[:8], day_text[8:]
    if not time_text and "-" in day_text and day_text.count("-") == 3:  # 2026-03-02-10.15.30
        day_text, _, time_text = day_text.rpartition("-")
    day = _parse_date_text(day_text)
    moment = _parse_time_text(time_text) if time_text else time(0)
    if day is None or moment is None:
        err("booked_at", f"时间格式不正确：“{_text(value)}”（应如“2026-03-02 10:15:30”）")
        return None
    return datetime.combine(day, moment, tzinfo=tz)


def _read_split_time(day_value, time_value, tz: tzinfo, err) -> datetime | None:
    if isinstance(day_value, datetime):
        day = day_value.date()
    elif isinstance(day_value, date):
        day = day_value
    else:
        text = unicodedata.normalize("NFKC", _text(day_value)).replace(" ", "")
        if not text:
            err("booked_on", "交易日期不能为空")
            return None
        day = _parse_date_text(text)
        if day is None:
            err("booked_on", f"日期格式不正确：“{_text(day_value)}”（应如“2026-03-02”）")
            return None
    if isinstance(time_value, datetime):
        moment = time_value.time()
    elif isinstance(time_value, time):
        moment = time_value
    else:
        text = unicodedata.normalize("NFKC", _text(time_value))
        if not text:
            moment = time(0)
        else:
            # Some exports repeat the date in the time column: keep its time part.
            moment = _parse_time_text(text.split(" ")[-1])
            if moment is None:
                err("booked_time", f"时间格式不正确：“{_text(time_value)}”（应如“10:15:30”）")
                return None
    return datetime.combine(day, moment, tzinfo=tz)


# ---------------------------------------------------------------- serials


def _content(row: StatementRow) -> tuple:
    return (
        row.booked_at.isoformat(),
        row.direction,
        row.amount,
        row.counterparty_account,
        row.remark,
        row.balance_after,
    )


def _fingerprint(row: StatementRow) -> str:
    """A stable serial for a line the bank gave none: the same line in two
    overlapping statements gets the same one."""
    raw = "|".join("" if v is None else str(v) for v in _content(row))
    return "FP" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:30]


def _with_serial(row: StatementRow, serial: str) -> StatementRow:
    from dataclasses import replace

    return replace(row, serial=serial, fingerprinted=True)
