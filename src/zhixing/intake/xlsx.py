"""批量立案 from Excel: the template, reading a sheet, filing it all or nothing.

Columns are found by header name, not position. Each row is turned into the
API's JSON shape (xlsx_rows) and judged by the same parser as the form and the
API (intake.parsing).

A file is filed whole or not at all: if any row is bad, nothing is written and
every bad row is listed, so the clerk fixes the sheet and imports it again.
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook

from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import FilingApplication, cases_file
from zhixing.intake.parsing import parse_application
from zhixing.intake.selectors import late_warnings
from zhixing.intake.xlsx_rows import example_json, row_json
from zhixing.intake.xlsx_template import COLUMNS, build_template

__all__ = [
    "ImportResult",
    "RowError",
    "import_cli",
    "import_workbook",
    "read_workbook",
    "template_workbook",
]

MAX_ROWS = 20_000  # one import stays one transaction a court's server can hold
PROGRESS_EVERY = 500
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class RowError:
    row: int | None  # the Excel row number; None: the file as a whole
    messages: list[str]

    def lines(self) -> list[str]:
        prefix = f"第{self.row}行：" if self.row else ""
        return [prefix + m for m in self.messages]


@dataclass
class ImportResult:
    rows_read: int = 0
    applications: list[tuple[int, FilingApplication]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    cases: list[EnforcementCase] = field(default_factory=list)
    warnings: dict[int, str] = field(default_factory=dict)  # case id -> late application

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, message: str, row: int | None = None) -> ImportResult:
        self.errors.append(RowError(row, [message]))
        return self


class _Unreadable(Exception):
    pass


def template_workbook() -> bytes:
    """The 批量立案 template: headers, an example row, lists, and a 填写说明 sheet."""
    buffer = io.BytesIO()
    build_template().save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- reading


def read_workbook(
    file, *, today: date | None = None, progress: Callable[[int, int | None], None] | None = None
) -> ImportResult:
    """Read the first sheet and judge every row; nothing is written.

    `file` is a path or a binary file object. `progress(done, total)` is called
    every PROGRESS_EVERY data rows (total is None when the sheet does not say)."""
    today = today or timezone.localdate()
    result = ImportResult()
    if _is_old_xls(file):
        return result.refuse(
            "这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再导入"
        )
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # any failure to open is the file's, not ours: say so in Chinese
        return result.refuse(
            "文件无法读取：请上传 Excel 工作簿（.xlsx），文件可能已损坏或不是 Excel 文件"
        )
    try:
        _read_sheet(book.worksheets[0], result, today, progress)
    except _Unreadable:
        result.errors = [
            RowError(None, ["文件内容已损坏，无法读取，请在 Excel 中重新保存后再导入"])
        ]
        result.applications = []
    finally:
        book.close()
    return result


def _read_sheet(sheet, result: ImportResult, today: date, progress) -> None:
    rows = _sheet_rows(sheet)
    header_row, columns = None, {}
    for number, values in rows:
        if not _blank(values):
            header_row = number
            columns = _columns(values, number, result)
            break
    if header_row is None:
        result.refuse("工作表是空的：请在第一个工作表中填写表头和案件（可下载批量立案模板）")
        return
    if result.errors:
        return
    total = _data_rows(sheet, header_row)
    example = example_json()
    seen: dict[tuple, int] = {}
    for number, values in rows:
        if _blank(values):
            continue
        result.rows_read += 1
        if result.rows_read > MAX_ROWS:
            result.errors = [RowError(None, [f"一次最多导入{MAX_ROWS}行，请分批导入"])]
            result.applications = []
            return
        if progress and result.rows_read % PROGRESS_EVERY == 0:
            progress(result.rows_read, total)
        cells = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        raw, messages, skip = row_json(cells)
        if raw == example:
            result.refuse("这是模板中的示例，请改为真实案件或删除该行", number)
            continue
        application, errors = parse_application(raw, today=today)
        messages += [str(e) for e in errors if not e.field.startswith(skip)]
        if messages:
            result.errors.append(RowError(number, messages))
            continue
        key = (_squash(application.title.number), frozenset(p.id_code for p in application.debtors))
        if key in seen:
            result.refuse(f"与第{seen[key]}行重复（执行依据文书编号及被执行人均相同）", number)
            continue
        seen[key] = number
        result.applications.append((number, application))
    if not result.rows_read:
        result.refuse("工作表中没有案件：表头下方没有填写任何一行")


def _data_rows(sheet, header_row: int) -> int | None:
    """How many rows the sheet says lie below the header (for progress only)."""
    try:
        return sheet.max_row - header_row if sheet.max_row else None
    except (TypeError, ValueError):
        return None


def _sheet_rows(sheet):
    """(Excel row number, values) pairs; a damaged file raises _Unreadable."""
    iterator = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            values = next(iterator)
        except StopIteration:
            return
        except (
            zipfile.BadZipFile,
            zlib.error,
            KeyError,
            OSError,
            EOFError,
            SyntaxError,
            ValueError,
        ) as e:
            raise _Unreadable from e
        number += 1
        yield number, values


def _columns(values, number: int, result: ImportResult) -> dict[str, int]:
    """Header name -> column index; every missing required column is an error."""
    by_name = {_squash(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}
    found: dict[str, int] = {}
    for i, value in enumerate(values):
        key = by_name.get(_squash(str(value))) if value is not None else None
        if key is None:
            continue
        if key in found:
            result.refuse(f"列“{value}”出现了两次", number)
        found[key] = i
    missing = [c.header for c in COLUMNS if c.required and c.key not in found]
    if missing:
        result.refuse(
            f"缺少必需的列：{'、'.join(missing)}。表头须与批量立案模板一致（列的顺序不限）", number
        )
    return found


def _squash(text: str) -> str:
    """Full-width to half-width, no spaces, no required-marks: how names compare."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", text))


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _is_old_xls(file) -> bool:
    if isinstance(file, (str, Path)):
        with open(file, "rb") as f:
            head = f.read(4)
    else:
        head = file.read(4)
        file.seek(0)
    return head == _OLE_MAGIC


# ---------------------------------------------------------------- filing


def import_workbook(*, file, court, actor, now: datetime, progress=None) -> ImportResult:
    """Read the file and, if every row is good, file them all in one
    transaction (one cases_file call); otherwise write nothing."""
    result = read_workbook(file, today=timezone.localdate(now), progress=progress)
    if not result.ok:
        return result
    result.cases = cases_file(
        court=court, actor=actor, applications=[a for _, a in result.applications], now=now
    )
    result.warnings = late_warnings([c.id for c in result.cases])
    return result


def numbers_summary(cases: list[EnforcementCase]) -> str:
    """（2026）鄂0105执12号 至 （2026）鄂0105执14号, one range per case type."""
    groups: dict[str, list[EnforcementCase]] = {}
    for case in cases:
        groups.setdefault(case.type_code, []).append(case)
    parts = []
    for group in groups.values():
        first, last = group[0].case_number, group[-1].case_number
        parts.append(first if first == last else f"{first} 至 {last}")
    return "；".join(parts)


def import_cli(path: Path, *, username: str) -> int:
    """`zhixing import FILE.xlsx`: file every row or none; exit 0 or 1."""
    from zhixing.courts.models import Officer

    officer = Officer.objects.select_related("court").filter(user__username=username).first()
    if officer is None:
        print(f"没有用户名为“{username}”的干警（用 --user 指定立案人）", file=sys.stderr)
        return 1
    path = Path(path)
    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return 1
    print(f"读取 {path.name} ……", flush=True)

    def progress(done, total):
        print(f"已读取 {done}/{total} 行" if total else f"已读取 {done} 行", flush=True)

    result = import_workbook(
        file=path, court=officer.court, actor=officer, now=timezone.now(), progress=progress
    )
    if not result.ok:
        for error in result.errors:
            for line in error.lines():
                print(line, file=sys.stderr)
        print(f"有{len(result.errors)}处错误，未导入任何案件", file=sys.stderr)
        return 1
    print(f"已立案 {len(result.cases)} 件：{numbers_summary(result.cases)}")
    by_id = {c.id: c.case_number for c in result.cases}
    for case_id, warning in result.warnings.items():
        print(f"注意：{by_id[case_id]}：{warning}")
    return 0
