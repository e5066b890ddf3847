"""案款账户明细: one case account's movements over a period, with the running
balance and totals, as an Excel workbook (openpyxl) or a Word document
(python-docx). Money is integer fen until it is written: Decimal(fen)/100
in yuan, never a float."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import access_case
from zhixing.courts.models import Officer
from zhixing.funds.case_panel import account_number
from zhixing.funds.ledger import balance_sum
from zhixing.funds.models import LedgerEntry
from zhixing.rules.money import capitalize_yuan, format_yuan

COLUMNS = ("日期", "摘要", "收入（元）", "支出（元）", "余额（元）", "流水号")


def yuan(fen: int) -> Decimal:
    """Fen as yuan, exactly: 123456 → Decimal('1234.56')."""
    return Decimal(fen) / 100


@dataclass(frozen=True)
class StatementRow:
    on: date | None
    summary: str
    inflow: int  # fen, 0 when none
    outflow: int
    balance: int
    reference: str


@dataclass(frozen=True)
class CaseStatement:
    case: EnforcementCase
    court_name: str
    account_number: str
    start: date | None  # None: from the first movement
    end: date
    opening: int  # balance before start, fen
    rows: list[StatementRow]

    @property
    def total_in(self) -> int:
        return sum(r.inflow for r in self.rows)

    @property
    def total_out(self) -> int:
        return sum(r.outflow for r in self.rows)

    @property
    def closing(self) -> int:
        return self.opening + self.total_in - self.total_out

    @property
    def period(self) -> str:
        start = self.start.isoformat() if self.start else "开户"
        return f"{start} 至 {self.end.isoformat()}"

    @property
    def file_stem(self) -> str:
        return f"案款账户明细-{self.case.case_number}"


def case_statement_for(
    *, officer: Officer | None, case_id: int, start: date | None, end: date
) -> CaseStatement:
    """The statement of a case the officer may see (access_case: else 404)."""
    return case_statement(access_case(officer, case_id), start=start, end=end)


def case_statement(case: EnforcementCase, *, start: date | None, end: date) -> CaseStatement:
    """The statement of a case already read through access_case (the case page)."""
    on_case = Q(debit="case") | Q(credit="case")
    opening = 0
    if start is not None:
        before = LedgerEntry.objects.filter(on_case, case=case, value_on__lt=start)
        opening = before.aggregate(b=balance_sum("case"))["b"] or 0
    entries = LedgerEntry.objects.filter(on_case, case=case, value_on__lte=end).select_related(
        "line", "payout_line"
    )
    if start is not None:
        entries = entries.filter(value_on__gte=start)
    labels = dict(LedgerEntry.Kind.choices)
    rows, balance = [], opening
    for e in entries.order_by("value_on", "posted_at", "id"):
        amount = e.amount if e.credit == "case" else -e.amount
        balance += amount
        rows.append(
            StatementRow(
                on=e.value_on,
                summary=_summary(e, labels[e.kind]),
                inflow=max(amount, 0),
                outflow=max(-amount, 0),
                balance=balance,
                reference=_reference(e),
            )
        )
    return CaseStatement(
        case=case,
        court_name=case.court.name,
        account_number=account_number(case),
        start=start,
        end=end,
        opening=opening,
        rows=rows,
    )


def _summary(e: LedgerEntry, label: str) -> str:
    if e.payout_line_id and e.payout_line.payee_name:
        return f"{label} {e.payout_line.payee_name}"
    if e.line_id and e.line.counterparty_name and e.kind in ("receipt", "claim"):
        return f"{label} {e.line.counterparty_name}"
    return label


def _reference(e: LedgerEntry) -> str:
    """The number a person can find elsewhere: the bank serial, or the payment's 业务参考号."""
    if e.line_id:
        return e.line.serial
    if e.payout_line_id:
        return f"ZX{e.payout_line_id}"
    return e.reference


# ---------------------------------------------------------------- Excel

MONEY_FORMAT = "#,##0.00"


def statement_xlsx(s: CaseStatement) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "案款账户明细"
    ws.append(["案款账户明细"])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in _header(s):
        ws.append([label, value])
    ws.append([])
    ws.append(list(COLUMNS))
    head = ws.max_row
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    ws.append([None, "期初余额", None, None, yuan(s.opening), None])
    for r in s.rows:
        ws.append(
            [
                r.on,
                r.summary,
                yuan(r.inflow) if r.inflow else None,
                yuan(r.outflow) if r.outflow else None,
                yuan(r.balance),
                r.reference,
            ]
        )
    ws.append([None, "合计", yuan(s.total_in), yuan(s.total_out), yuan(s.closing), None])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=head + 1, max_row=ws.max_row):
        row[0].number_format = "yyyy-mm-dd"
        for cell in row[2:5]:
            cell.number_format = MONEY_FORMAT
    for col, width in zip("ABCDEF", (12, 30, 14, 14, 14, 26)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header(s: CaseStatement) -> list[tuple[str, str]]:
    return [
        ("法院", s.court_name),
        ("案号", s.case.case_number),
        ("案款子账号", s.account_number),
        ("期间", s.period),
    ]


# ---------------------------------------------------------------- Word


def statement_docx(s: CaseStatement) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    doc.add_heading("案款账户明细", level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for label, value in _header(s):
        doc.add_paragraph(f"{label}：{value}")
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, COLUMNS):
        cell.text = text

    def money(fen: int) -> str:
        return format_yuan(fen) if fen else ""

    body = [["", "期初余额", "", "", format_yuan(s.opening), ""]]
    body += [
        [
            r.on.isoformat() if r.on else "",
            r.summary,
            money(r.inflow),
            money(r.outflow),
            format_yuan(r.balance),
            r.reference,
        ]
        for r in s.rows
    ]
    body.append(
        ["", "合计", format_yuan(s.total_in), format_yuan(s.total_out), format_yuan(s.closing), ""]
    )
    for values in body:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values)):
            cell.text = text
            if 2 <= i <= 4:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(
        f"期末余额：{format_yuan(s.closing)} 元（大写：{capitalize_yuan(s.closing)}）"
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
