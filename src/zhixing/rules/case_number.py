"""Implements docs/rules.md §1 (case numbers) and the statistics exclusions of §13.

A case number reads `（收案年度）` + court code + type code + sequence + `号`,
with full-width brackets and no spaces: （2026）鄂0105执1234号 (案号规定 §9–10).
Parsing is forgiving about half-width brackets, full-width digits and
surrounding whitespace; formatting is always canonical.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from zhixing.rules import RuleError

__all__ = [
    "ADJUDICATION_TYPES",
    "CaseNumber",
    "CaseNumberError",
    "PROVINCE_ABBREVIATIONS",
    "STATISTICS_EXCLUDED",
    "TYPE_CODES",
    "YEAR_RANGE",
    "format_case_number",
    "is_valid_court_code",
    "parse_case_number",
]

# Type codes (案号规定, 人民法院案件类型及其代字标准). 执异 is [open] in rules.md §1:
# not yet confirmed against an official copy of the standard.
TYPE_CODES: dict[str, str] = {
    "执": "首次执行",
    "执恢": "恢复执行",
    "执保": "财产保全执行",
    "执异": "执行异议",
    "执复": "执行复议",
    "执监": "执行监督",
}

# Resumed (执恢) and preservation (执保) cases stay out of the official statistics
# and the quality measures (rules.md §1, §13).
STATISTICS_EXCLUDED: frozenset[str] = frozenset({"执恢", "执保"})
# Matters the adjudication team decides (objection, review, supervision): they
# may carry no money claim and do not run on the enforcement milestones (§14 T1).
ADJUDICATION_TYPES: frozenset[str] = frozenset({"执异", "执复", "执监"})

# The 31 provincial-level abbreviations that open a court code (案号规定 §6).
PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

YEAR_RANGE = range(1990, 2101)

_COURT_CODE = re.compile(rf"[{PROVINCE_ABBREVIATIONS}]\d{{4}}", re.ASCII)
# Everything between the brackets and 号, split into parts that are checked
# one by one so that the error names the part that is wrong. The type code is
# everything from 执 up to the sequence digits, so 执恢 is never read as 执.
_SHAPE = re.compile(
    r"[(（](?P<year>\d+)[)）](?P<court>[^执]*)(?P<type>执\D*)(?P<seq>\d+)号", re.ASCII
)
_EXAMPLE = "（2026）鄂0105执1234号"


class CaseNumberError(RuleError):
    """A case number that cannot be read or built."""


@dataclass(frozen=True)
class CaseNumber:
    year: int
    court_code: str
    type_code: str
    seq: int

    def __str__(self) -> str:
        return format_case_number(self.year, self.court_code, self.type_code, self.seq)

    @property
    def type_name(self) -> str:
        return TYPE_CODES[self.type_code]

    @property
    def counts_in_statistics(self) -> bool:
        return self.type_code not in STATISTICS_EXCLUDED


def is_valid_court_code(code: str) -> bool:
    """Province abbreviation + last four digits of the county code, e.g. 鄂0105 (案号规定 §6)."""
    return isinstance(code, str) and _COURT_CODE.fullmatch(code) is not None


def format_case_number(year: int, court_code: str, type_code: str, seq: int) -> str:
    """The canonical case number; raises CaseNumberError on any invalid part."""
    _check_parts(year, court_code, type_code, seq)
    # 案号规定 §9: full-width brackets around the year, no spaces anywhere.
    return f"（{year}）{court_code}{type_code}{seq}号"


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number typed by a person or found in a document."""
    if not isinstance(text, str) or not text.strip():
        raise CaseNumberError("案号不能为空")
    # NFKC turns full-width digits and brackets into their half-width forms.
    normalized = unicodedata.normalize("NFKC", text.strip())
    match = _SHAPE.fullmatch(normalized)
    if match is None:
        raise CaseNumberError(f"案号格式不正确：“{text.strip()}”（应如“{_EXAMPLE}”）")
    year_digits, seq_digits = match["year"], match["seq"]
    if len(year_digits) != 4:
        raise CaseNumberError(f"案号年度应为四位数字，实为“{year_digits}”")
    if seq_digits.startswith("0"):
        raise CaseNumberError(f"案号序号不应以0开头：“{seq_digits}”")
    number = CaseNumber(int(year_digits), match["court"], match["type"], int(seq_digits))
    _check_parts(number.year, number.court_code, number.type_code, number.seq)
    return number


def _check_parts(year: int, court_code: str, type_code: str, seq: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEAR_RANGE:
        raise CaseNumberError(
            f"案号年度应在{YEAR_RANGE.start}至{YEAR_RANGE.stop - 1}之间，实为{year}"
        )
    if not is_valid_court_code(court_code):
        raise CaseNumberError(
            f"法院代码不正确：“{court_code}”（应为省份简称加四位数字，如“鄂0105”）"
        )
    if type_code not in TYPE_CODES:
        known = "、".join(TYPE_CODES)
        raise CaseNumberError(f"案件类型代字不正确：“{type_code}”（应为{known}之一）")
    # 案号规定 §10: sequence numbers start from 1.
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise CaseNumberError(f"案号序号应为正整数，实为{seq}")
