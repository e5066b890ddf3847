from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules.money import (
    MAX_FEN,
    MoneyError,
    capitalize_yuan,
    format_yuan,
    parse_yuan,
    yuan_str,
)


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("123456.78", 12345678),
        ("1,234.5", 123450),
        ("１２３", 12300),
        ("１，２３４．５６", 123456),
        ("¥12", 1200),
        ("￥12", 1200),
        ("12元", 1200),
        ("人民币5元", 500),
        ("  0.05 ", 5),
        ("0", 0),
        ("1,000,000", 100000000),
        (7, 700),
        (0, 0),
        (Decimal("1.10"), 110),
        (Decimal("2.5"), 250),
    ],
)
def test_amounts_in_yuan_are_read_as_fen(value, fen):
    assert parse_yuan(value) == fen


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.345", "金额格式不正确：“12.345”（最多两位小数）"),
        ("", "金额不能为空"),
        ("   ", "金额不能为空"),
        ("abc", "金额格式不正确：“abc”"),
        ("-1", "金额不能为负数：“-1”"),
        ("1,23", "金额格式不正确：“1,23”"),
        (".5", "金额格式不正确：“.5”"),
        ("1e5", "金额格式不正确：“1e5”"),
        ("12元5角", "金额格式不正确：“12元5角”"),
        (-3, "金额不能为负数：“-3”"),
        (Decimal("-0.01"), "金额不能为负数：“-0.01”"),
        (Decimal("0.001"), "金额格式不正确：“0.001”（最多两位小数）"),
        (Decimal("NaN"), "金额格式不正确：“NaN”"),
        ("100000000000000", "金额过大：“100000000000000”"),
    ],
)
def test_unreadable_amounts_are_refused_with_a_chinese_message(value, message):
    with pytest.raises(MoneyError) as error:
        parse_yuan(value)
    assert str(error.value) == message


@pytest.mark.parametrize("value", [1.5, 0.0, True])
def test_floats_and_booleans_are_a_type_error(value):
    with pytest.raises(TypeError):
        parse_yuan(value)


def test_amounts_are_shown_with_thousands_separators_and_two_decimals():
    assert format_yuan(123456) == "1,234.56"
    assert format_yuan(0) == "0.00"
    assert format_yuan(5) == "0.05"
    assert format_yuan(-123456789) == "-1,234,567.89"


def test_amounts_for_json_have_no_separators_and_always_two_decimals():
    assert yuan_str(123456) == "1234.56"
    assert yuan_str(100000000) == "1000000.00"
    assert yuan_str(-100) == "-1.00"
    assert yuan_str(-5) == "-0.05"


@given(st.integers(0, MAX_FEN))
def test_parsing_the_json_form_gives_back_the_same_fen(fen):
    assert parse_yuan(yuan_str(fen)) == fen
    assert parse_yuan(format_yuan(fen)) == fen


@pytest.mark.parametrize(
    ("yuan", "words"),
    [
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("100", "壹佰元整"),
        ("0", "零元整"),
        ("1005.00", "壹仟零伍元整"),
        ("100000.50", "壹拾万元伍角"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.15", "壹角伍分"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),  # PBOC example, zero inside the number
        ("6007.14", "陆仟零柒元壹角肆分"),  # PBOC example, a run of zeros is one 零
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),  # PBOC example, 零 before 角 omitted
        ("107000.53", "壹拾万柒仟元伍角叁分"),  # PBOC example, 零 at 万 omitted
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # PBOC example, zero 角 needs 零
        ("325.04", "叁佰贰拾伍元零肆分"),  # PBOC example
        ("100500", "壹拾万零伍佰元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("10001000000", "壹佰亿零壹佰万元整"),
        ("1000000000000", "壹万亿元整"),
    ],
)
def test_capital_amounts_follow_the_pboc_writing_rules(yuan, words):
    assert capitalize_yuan(parse_yuan(yuan)) == words


def test_a_negative_amount_has_no_capital_form():
    with pytest.raises(MoneyError) as error:
        capitalize_yuan(-1)
    assert str(error.value) == "大写金额不能为负数：-0.01"


# Amounts with many zeros are where the writing rules bite.
zero_heavy_fen = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=16).map(
    lambda digits: int("".join(digits))
)


def _cn2an_may_differ(fen: int) -> bool:
    """Where cn2an and this module take different permitted options.

    When the whole 万 section between 亿 and a four-digit lower section is zero
    (1,0000,1000), cn2an writes 壹亿壹仟元 and this module 壹亿零壹仟元. The PBOC
    rules (第五条（三）) allow either when the zeros end at the 万 digit and
    the 千 digit is not zero; 零 is kept here because without it the words read
    like 1.1 亿 (一亿一), which is exactly the alteration the rules guard against.
    """
    yuan = fen // 100
    return yuan >= 10**8 and (yuan // 10**4) % 10**4 == 0 and yuan % 10**4 >= 1000


@given(st.one_of(st.integers(0, MAX_FEN), st.integers(0, 10**8), zero_heavy_fen))
def test_capital_amounts_agree_with_cn2an_wherever_the_rules_leave_no_choice(fen):
    if _cn2an_may_differ(fen):
        return
    assert capitalize_yuan(fen) == cn2an.an2cn(yuan_str(fen), "rmb")


@given(zero_heavy_fen)
def test_capital_amounts_never_repeat_a_zero_or_end_on_one(fen):
    words = capitalize_yuan(fen)
    assert "零零" not in words
    assert not words.endswith("零") and "零元" not in words[1:]
