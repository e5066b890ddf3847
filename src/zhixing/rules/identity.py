"""Implements docs/rules.md §2 (identity numbers).

Two national standards fix the check characters:

- 公民身份号码, GB 11643-1999: 17 digits (6 area, 8 birth date, 3 sequence)
  and one check character.
- 统一社会信用代码, GB 32100-2015: 18 characters from a 31-character alphabet,
  the last one a check character.

Only the structure and the check character are verified. The area code is
deliberately not checked against a list of current areas: people keep the
number they were given under an area code that has since been renamed or
abolished (the reason python-stdnum is not used here).
"""

from __future__ import annotations

from datetime import date

from zhixing.rules import Decision, Reason, RuleError

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "IdentityError",
    "birth_date",
    "check_credit_code",
    "check_id_number",
    "credit_code_check_char",
    "id_number_check_char",
    "normalize_id_code",
]

ID_BASIS = "GB 11643-1999"
CREDIT_BASIS = "GB 32100-2015"

# GB 11643-1999 §8.2: weights W_i = 2^(i-1) mod 11, from the left.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11

# GB 32100-2015 §4: the alphabet leaves out I, O, S, V and Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_FULL_WIDTH_OFFSET = 0xFEE0  # "０" (U+FF10) minus "0" (U+0030)


class IdentityError(RuleError):
    """An identity number that cannot be read."""


def normalize_id_code(value: str) -> str:
    """Strip, turn full-width digits and letters half-width, and uppercase."""
    chars = []
    for char in value.strip():  # str.strip() also removes the full-width space
        if "\uff01" <= char <= "\uff5e":  # the full-width forms of ASCII
            char = chr(ord(char) - _FULL_WIDTH_OFFSET)
        chars.append(char)
    return "".join(chars).upper()


def id_number_check_char(first17: str) -> str:
    """The check character of a citizen identity number (GB 11643-1999 §8.2)."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise IdentityError(f"计算校验位需要17位数字，实为“{first17}”")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def check_id_number(value: str) -> Decision:
    """Whether a citizen identity number is well formed, with the reasons."""
    number = normalize_id_code(value)
    # GB 11643-1999 §4: 18 characters.
    if len(number) != 18:
        return Decision.refuse(Reason(f"公民身份号码应为18位，实为{len(number)}位", ID_BASIS))
    # GB 11643-1999 §4: the first 17 characters are digits.
    for position, char in enumerate(number[:17], start=1):
        if not _is_ascii_digits(char):
            return Decision.refuse(
                Reason(f"公民身份号码第{position}位应为数字，实为“{char}”", ID_BASIS)
            )
    reasons = []
    # GB 11643-1999 §5.2: characters 7–14 are the date of birth, YYYYMMDD.
    if _birth_date_or_none(number) is None:
        reasons.append(Reason("公民身份号码中的出生日期无效", ID_BASIS))
    # GB 11643-1999 §8.2: the check character.
    expected = id_number_check_char(number[:17])
    if number[17] != expected:
        reasons.append(
            Reason(f"公民身份号码校验位错误：应为{expected}，实为{number[17]}", ID_BASIS)
        )
    if reasons:
        return Decision.refuse(*reasons)
    return Decision.allow(Reason("公民身份号码格式及校验位正确", ID_BASIS))


def birth_date(id_number: str) -> date:
    """The date of birth in a valid identity number (for the minor check, §6)."""
    decision = check_id_number(id_number)
    if not decision:
        raise IdentityError(decision.explain())
    born = _birth_date_or_none(normalize_id_code(id_number))
    assert born is not None  # check_id_number has verified it
    return born


def credit_code_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015 §5)."""
    if len(first17) != 17 or any(char not in CREDIT_CODE_ALPHABET for char in first17):
        raise IdentityError(f"计算校验位需要17位合法字符，实为“{first17}”")
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in zip(first17, _CREDIT_WEIGHTS)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> Decision:
    """Whether a unified social credit code is well formed, with the reasons."""
    code = normalize_id_code(value)
    # GB 32100-2015 §4: 18 characters.
    if len(code) != 18:
        return Decision.refuse(Reason(f"统一社会信用代码应为18位，实为{len(code)}位", CREDIT_BASIS))
    # GB 32100-2015 §4: only the 31 characters of the alphabet (no I, O, S, V, Z).
    illegal = [char for char in code if char not in CREDIT_CODE_ALPHABET]
    if illegal:
        shown = "、".join(f"“{char}”" for char in dict.fromkeys(illegal))
        return Decision.refuse(Reason(f"统一社会信用代码含非法字符{shown}", CREDIT_BASIS))
    # GB 32100-2015 §5: the check character.
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return Decision.refuse(
            Reason(f"统一社会信用代码校验位错误：应为{expected}，实为{code[17]}", CREDIT_BASIS)
        )
    return Decision.allow(Reason("统一社会信用代码格式及校验位正确", CREDIT_BASIS))


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _birth_date_or_none(number: str) -> date | None:
    digits = number[6:14]
    if not _is_ascii_digits(digits):
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
