"""Implements docs/rules.md §10 (case accounts, 一案一账号 [practice, 执行款物规定
2017]): the sub-account number of a case under the court's custody account.

The number is derived from the case number, so it exists the moment the case is
filed, never changes and needs no table: the court's account prefix, the filing
year, one digit for the type code, the six-digit sequence and a Luhn check digit
(as on bank cards), so a payer's typo in one digit or two swapped neighbours is
caught instead of booking money to another case. 4201050 + 2026 + 1 + 001234 + c.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.rules import RuleError

__all__ = ["TYPE_DIGITS", "CaseAccountRef", "case_account_number", "parse_case_account"]

# One digit per type code; never renumber (numbers already printed on notices).
TYPE_DIGITS: dict[str, str] = {"执": "1", "执恢": "2", "执保": "3", "执异": "4", "执复": "5", "执监": "6"}
_TYPE_OF_DIGIT = {d: t for t, d in TYPE_DIGITS.items()}
SEQ_DIGITS = 6


@dataclass(frozen=True)
class CaseAccountRef:
    year: int
    type_code: str
    seq: int


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, check digit not yet appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def case_account_number(prefix: str, year: int, type_code: str, seq: int) -> str:
    """The case's sub-account number (案款子账号)."""
    if type_code not in TYPE_DIGITS:
        raise RuleError(f"案件类型“{type_code}”没有案款子账号编码")
    if not 0 < seq < 10**SEQ_DIGITS:
        raise RuleError(f"案件序号超出子账号范围：{seq}")
    body = f"{prefix}{year:04d}{TYPE_DIGITS[type_code]}{seq:0{SEQ_DIGITS}d}"
    return body + _luhn_digit(body)


def parse_case_account(prefix: str, number: str) -> CaseAccountRef | None:
    """The case a sub-account number names, or None when it is not one of this
    court's sub-accounts or its check digit is wrong."""
    text = "".join(number.split())
    if not text.isdigit() or not text.startswith(prefix):
        return None
    rest = text[len(prefix) :]
    if len(rest) != 4 + 1 + SEQ_DIGITS + 1 or _luhn_digit(text[:-1]) != text[-1]:
        return None
    type_code = _TYPE_OF_DIGIT.get(rest[4])
    seq = int(rest[5 : 5 + SEQ_DIGITS])
    if type_code is None or seq == 0:
        return None
    return CaseAccountRef(year=int(rest[:4]), type_code=type_code, seq=seq)
