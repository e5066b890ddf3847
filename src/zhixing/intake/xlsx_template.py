"""The 批量立案 template: its columns (which the reader also uses to find
columns by header name), an example row, and the workbook a clerk downloads.

The identity columns are formatted as text before anyone types in them: typed
into a General cell, an 18-digit number is kept to 15 significant digits and
its tail is lost for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zhixing.intake.parsing import PARTY_KINDS
from zhixing.rules.case_number import TYPE_CODES
from zhixing.rules.deadlines import TITLE_KINDS
from zhixing.rules.identity import credit_code_check_char, id_number_check_char

SHEET_TITLE = "批量立案"
NOTES_TITLE = "填写说明"
VALIDATED_ROWS = 20_001  # the lists apply down to this row
TEXT, DATE, MONEY = "@", "yyyy-mm-dd", "#,##0.00"
MULTI = "多个当事人用“；”分隔，与名称逐一对应"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int
    number_format: str
    note: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "type", "案件类型", False, 10, TEXT, f"{'、'.join(TYPE_CODES)}之一；不填为“执”（首次执行）"
    ),
    Column(
        "title_number",
        "执行依据文书编号",
        True,
        26,
        TEXT,
        "生效法律文书的编号，如（2025）鄂0105民初1234号",
        ("执行依据编号",),
    ),
    Column(
        "title_kind", "执行依据种类", True, 20, TEXT, "从下拉列表中选择，如民事判决书、仲裁裁决书"
    ),
    Column(
        "effective_on",
        "生效日期",
        True,
        13,
        DATE,
        "执行依据生效的日期，如2026-01-05；不能晚于今天",
        ("执行依据生效日期",),
    ),
    Column(
        "due_on",
        "履行期限届满日",
        True,
        14,
        DATE,
        "执行依据确定的履行期限最后一日；不能早于生效日期",
    ),
    Column(
        "amount",
        "申请执行标的额（元）",
        True,
        18,
        MONEY,
        "以元为单位，最多两位小数，如123456.78；不要填写“万元”",
        ("申请执行标的额", "执行标的额（元）", "执行标的额"),
    ),
    Column("creditor_kind", "申请执行人类型", True, 14, TEXT, f"自然人、法人或非法人组织；{MULTI}"),
    Column(
        "creditor_name",
        "申请执行人名称",
        True,
        24,
        TEXT,
        "自然人填姓名，单位填全称；多个申请执行人用“；”分隔",
    ),
    Column(
        "creditor_code",
        "申请执行人证件号码",
        True,
        24,
        TEXT,
        f"自然人填18位公民身份号码，单位填18位统一社会信用代码；请以文本格式填写；{MULTI}",
    ),
    Column("creditor_phone", "申请执行人电话", False, 16, TEXT, f"可不填；{MULTI}"),
    Column("creditor_address", "申请执行人地址", False, 30, TEXT, f"可不填；{MULTI}"),
    Column("debtor_kind", "被执行人类型", True, 14, TEXT, f"自然人、法人或非法人组织；{MULTI}"),
    Column(
        "debtor_name",
        "被执行人名称",
        True,
        24,
        TEXT,
        "自然人填姓名，单位填全称；多个被执行人用“；”分隔",
    ),
    Column(
        "debtor_code",
        "被执行人证件号码",
        True,
        24,
        TEXT,
        f"自然人填18位公民身份号码，单位填18位统一社会信用代码；请以文本格式填写；{MULTI}",
    ),
    Column("debtor_phone", "被执行人电话", False, 16, TEXT, f"可不填；{MULTI}"),
    Column("debtor_address", "被执行人地址", False, 30, TEXT, f"可不填；{MULTI}"),
)


def _person_id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# A case with two debtors, to show the separator. An untouched copy of this
# row is refused on import, so the example is never filed by mistake.
EXAMPLE: tuple[tuple[str, object], ...] = (
    ("type", "执"),
    ("title_number", "（2025）鄂0105民初1234号"),
    ("title_kind", "民事判决书"),
    ("effective_on", date(2025, 12, 1)),
    ("due_on", date(2025, 12, 16)),
    ("amount", Decimal("123456.78")),
    ("creditor_kind", "法人"),
    ("creditor_name", "武汉某某建材有限公司"),
    ("creditor_code", _credit_code("91420105MA4KL0001")),
    ("creditor_phone", "027-84840000"),
    ("creditor_address", "武汉市汉阳区龙阳大道1号"),
    ("debtor_kind", "自然人；法人"),
    ("debtor_name", "张三；武汉某某装饰工程有限公司"),
    ("debtor_code", f"{_person_id('42010519800517001')}；{_credit_code('91420105MA4KL0002')}"),
    ("debtor_phone", "13800000000；"),
    ("debtor_address", "武汉市汉阳区汉阳大道2号；武汉市汉阳区琴台大道3号"),
)

_HEAD_FILL = {
    True: PatternFill("solid", fgColor="F4CCCC"),
    False: PatternFill("solid", fgColor="E7E6E6"),
}
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

GENERAL_NOTES = (
    "1. 每行填写一件案件；表头（第1行）请勿修改，列的顺序可以调整。",
    "2. 第2行为示例，请改为真实案件或删除；原样保留的示例行不会被导入。",
    "3. 红色表头为必填列，灰色表头可不填。",
    "4. 一件案件有多个申请执行人或被执行人时，在同一单元格内用“；”（或换行）分隔，"
    "类型、名称、证件号码逐一对应；电话、地址可不填，填写时也须逐一对应。类型只填一项时视为全部相同。",
    "5. 证件号码请以文本格式填写（模板中该列已设为文本）。"
    "如显示为 4.20105E+17，号码已被 Excel 改动，须重新输入。",
    "6. 日期填写为 2026-01-05 或 2026/1/5；金额以元为单位，最多两位小数。",
    "7. 任一行有误时整个文件都不会导入，系统会列出每一个有误的行号和原因；改正后重新导入即可。",
    "8. 同一文件中执行依据文书编号和被执行人都相同的两行视为重复，不予导入。",
)


def build_template() -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    example = dict(EXAMPLE)
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        dimension.number_format = column.number_format  # cells typed later take it
        head = sheet.cell(row=1, column=i, value=column.header)
        head.font = Font(bold=True, color="9A1B1B" if column.required else "404040")
        head.fill = _HEAD_FILL[column.required]
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.border = _BORDER
        cell = sheet.cell(row=2, column=i, value=example[column.key])
        cell.number_format = column.number_format
        cell.font = Font(italic=True, color="7F7F7F")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    _validations(sheet)
    _notes(book.create_sheet(NOTES_TITLE))
    return book


def _validations(sheet) -> None:
    def column_range(key: str) -> str:
        letter = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key))
        return f"{letter}2:{letter}{VALIDATED_ROWS}"

    def strict(key: str, values, label: str) -> None:
        rule = DataValidation(type="list", formula1=f'"{",".join(values)}"', allow_blank=True)
        rule.error, rule.errorTitle = f"请从下拉列表中选择{label}", "输入有误"
        rule.showErrorMessage = True
        rule.add(column_range(key))
        sheet.add_data_validation(rule)

    strict("type", TYPE_CODES, "案件类型")
    strict("title_kind", TITLE_KINDS, "执行依据种类")
    # Several parties share a cell, so the party lists suggest but do not refuse.
    for key in ("creditor_kind", "debtor_kind"):
        rule = DataValidation(
            type="list", formula1=f'"{",".join(PARTY_KINDS.values())}"', allow_blank=True
        )
        rule.showErrorMessage = False
        rule.promptTitle, rule.prompt = "当事人类型", "多个当事人时填写如：自然人；法人"
        rule.showInputMessage = True
        rule.add(column_range(key))
        sheet.add_data_validation(rule)


def _notes(sheet) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 44
    sheet["A1"] = "批量立案模板填写说明"
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    for note in GENERAL_NOTES:
        sheet.cell(row=row, column=1, value=note)
        row += 1
    row += 1
    for i, title in enumerate(("列名", "是否必填", "填写说明", "示例"), start=1):
        cell = sheet.cell(row=row, column=i, value=title)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL[False]
        cell.border = _BORDER
    example = dict(EXAMPLE)
    for column in COLUMNS:
        row += 1
        value = example[column.key]
        shown = value.isoformat() if isinstance(value, date) else str(value)
        for i, text in enumerate(
            (column.header, "必填" if column.required else "选填", column.note, shown), start=1
        ):
            cell = sheet.cell(row=row, column=i, value=text)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = _BORDER
