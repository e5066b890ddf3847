"""Implements docs/rules.md §10 (money): amounts in, amounts out.

Money is kept as integer fen everywhere; yuan exist only at the edges, which is
what this module is: reading what a person typed, and writing amounts for pages,
JSON and documents (大写金额). Floats are refused outright: 0.1 + 0.2 is not a
sum a court may pay out.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from zhixing.rules import RuleError

__all__ = [
    "MAX_FEN",
    "MoneyError",
    "capitalize_yuan",
    "format_yuan",
    "parse_yuan",
    "yuan_str",
]

# A ceiling well above any claim (a trillion yuan) that still fits a 64-bit column.
MAX_FEN = 10**14 * 100 - 1

_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_PREFIXES = ("人民币", "RMB", "CNY", "¥")
_SUFFIXES = ("元",)

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("仟", "佰", "拾", "")


class MoneyError(RuleError):
    """An amount that cannot be read or written."""


def parse_yuan(value: str | int | Decimal) -> int:
    """An amount in yuan, as typed or stored, in fen."""
    if isinstance(value, float):
        raise TypeError("金额不得使用浮点数，请传入字符串、整数或 Decimal")
    if isinstance(value, bool):
        raise TypeError("金额不能是布尔值")
    if isinstance(value, int):
        return _checked(value * 100, str(value))
    if isinstance(value, Decimal):
        return _from_decimal(value, str(value))
    if not isinstance(value, str):
        raise TypeError(f"无法识别的金额类型：{type(value).__name__}")
    return _from_text(value)


def format_yuan(fen: int) -> str:
    """Yuan with thousands separators and two decimals, e.g. 1,234.56."""
    sign, yuan, cents = _split(fen)
    return f"{sign}{yuan:,}.{cents:02d}"


def yuan_str(fen: int) -> str:
    """Yuan for JSON and exports: no separators, always two decimals, e.g. -1.00."""
    sign, yuan, cents = _split(fen)
    return f"{sign}{yuan}.{cents:02d}"


def capitalize_yuan(fen: int) -> str:
    """The amount in capital numerals (大写金额), e.g. 壹佰元整.

    Follows 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》:
    - 整 follows 元 when there are no 角 and no 分; nothing follows 分; 整 may
      be left out after 角 (第二条), and is;
    - one 零 stands for a run of zeros inside the number (第五条（一）（二）);
    - where the 元 digit is zero and 角 is not, the 零 before 角 may be left out
      (第五条（三）), and is: 壹拾万元伍角; a zero at the end of the 万 section
      is absorbed by 万, as in speech: 壹拾万伍仟元整, but a whole zero 万
      section keeps its 零: 壹亿零壹仟元整;
    - a zero 角 before a non-zero 分 must be written (第五条（四）): 壹元零伍分;
    - by convention a leading 拾 is written 壹拾, so nothing can be put before it.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("金额应为以分计的整数")
    if fen < 0:
        raise MoneyError(f"大写金额不能为负数：{yuan_str(fen)}")
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    text = _integer_words(yuan) + "元" if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen_digit and yuan:
        text += "零"
    if fen_digit:
        text += _DIGITS[fen_digit] + "分"
    if not cents:
        text += "整"
    return text


def _integer_words(n: int) -> str:
    """Capital numerals for a positive integer: sections of 万 and 亿."""
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        words = _integer_words(high) + "亿"
        if low:
            # A gap before the 千万 digit of the lower part is read as one 零.
            words += ("零" if low < 10**7 else "") + _integer_words(low)
        return words
    high, low = divmod(n, 10**4)
    words = _section_words(high) + "万" if high else ""
    if low:
        words += ("零" if high and low < 1000 else "") + _section_words(low)
    return words


def _section_words(n: int) -> str:
    """Capital numerals for 1..9999; inner runs of zeros become one 零."""
    words, pending_zero = "", False
    for digit, unit in zip(f"{n:04d}", _SECTION_UNITS):
        if digit == "0":
            pending_zero = bool(words)
            continue
        if pending_zero:
            words += "零"
            pending_zero = False
        words += _DIGITS[int(digit)] + unit
    return words


def _split(fen: int) -> tuple[str, int, int]:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("金额应为以分计的整数")
    yuan, cents = divmod(abs(fen), 100)
    return ("-" if fen < 0 else ""), yuan, cents


def _from_text(raw: str) -> int:
    # NFKC turns full-width digits, commas, points and ￥ into their ASCII forms.
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if not text:
        raise MoneyError("金额不能为空")
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    for suffix in _SUFFIXES:
        text = text.removesuffix(suffix)
    shown = raw.strip()
    if text.startswith("-") or text.startswith("−"):
        raise MoneyError(f"金额不能为负数：“{shown}”")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif not _PLAIN.fullmatch(text):
        raise MoneyError(f"金额格式不正确：“{shown}”")
    return _from_decimal(Decimal(text), shown)


def _from_decimal(amount: Decimal, shown: str) -> int:
    try:
        if not amount.is_finite():
            raise InvalidOperation
        fen = amount * 100
    except InvalidOperation:
        raise MoneyError(f"金额格式不正确：“{shown}”") from None
    if amount < 0:
        raise MoneyError(f"金额不能为负数：“{shown}”")
    if fen != fen.to_integral_value():
        raise MoneyError(f"金额格式不正确：“{shown}”（最多两位小数）")
    return _checked(int(fen), shown)


def _checked(fen: int, shown: str) -> int:
    if fen < 0:
        raise MoneyError(f"金额不能为负数：“{shown}”")
    if fen > MAX_FEN:
        raise MoneyError(f"金额过大：“{shown}”")
    return fen
