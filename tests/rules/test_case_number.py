import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules.case_number import (
    PROVINCE_ABBREVIATIONS,
    STATISTICS_EXCLUDED,
    TYPE_CODES,
    CaseNumber,
    CaseNumberError,
    format_case_number,
    is_valid_court_code,
    parse_case_number,
)


def test_a_case_number_is_formatted_with_full_width_brackets_and_no_spaces():
    assert format_case_number(2026, "鄂0105", "执", 1234) == "（2026）鄂0105执1234号"


def test_a_case_number_prints_as_its_canonical_form():
    assert str(CaseNumber(2026, "鄂0105", "执恢", 7)) == "（2026）鄂0105执恢7号"


def test_a_canonical_case_number_parses_into_its_parts():
    assert parse_case_number("（2026）鄂0105执1234号") == CaseNumber(2026, "鄂0105", "执", 1234)


def test_half_width_brackets_and_surrounding_whitespace_are_accepted():
    number = parse_case_number("  (2025)鄂0105执保12号\n")
    assert number == CaseNumber(2025, "鄂0105", "执保", 12)
    assert str(number) == "（2025）鄂0105执保12号"


def test_full_width_digits_are_accepted():
    assert parse_case_number("（２０２６）鄂０１０５执９号").seq == 9


@pytest.mark.parametrize("code", ["执恢", "执保", "执异", "执复", "执监"])
def test_two_character_type_codes_are_not_read_as_plain_zhi(code):
    assert parse_case_number(f"（2026）鄂0105{code}3号").type_code == code


def test_the_six_type_codes_have_chinese_names():
    assert TYPE_CODES == {
        "执": "首次执行",
        "执恢": "恢复执行",
        "执保": "财产保全执行",
        "执异": "执行异议",
        "执复": "执行复议",
        "执监": "执行监督",
    }


def test_resumed_and_preservation_cases_are_excluded_from_statistics():
    assert STATISTICS_EXCLUDED == {"执恢", "执保"}
    assert not parse_case_number("（2026）鄂0105执恢1号").counts_in_statistics
    assert parse_case_number("（2026）鄂0105执1号").counts_in_statistics


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "案号不能为空"),
        ("2026鄂0105执1234号", "案号格式不正确：“2026鄂0105执1234号”（应如“（2026）鄂0105执1234号”）"),
        ("（2026）鄂0105执1234", "案号格式不正确：“（2026）鄂0105执1234”（应如“（2026）鄂0105执1234号”）"),
        ("（26）鄂0105执1234号", "案号年度应为四位数字，实为“26”"),
        ("（1989）鄂0105执1号", "案号年度应在1990至2100之间，实为1989"),
        ("（2026）鄂105执1号", "法院代码不正确：“鄂105”（应为省份简称加四位数字，如“鄂0105”）"),
        ("（2026）港0105执1号", "法院代码不正确：“港0105”（应为省份简称加四位数字，如“鄂0105”）"),
        ("（2026）鄂0105执协1号", "案件类型代字不正确：“执协”（应为执、执恢、执保、执异、执复、执监之一）"),
        ("（2026）鄂0105执0号", "案号序号不应以0开头：“0”"),
        ("（2026）鄂0105执012号", "案号序号不应以0开头：“012”"),
        ("（2026） 鄂0105执12号", "法院代码不正确：“ 鄂0105”（应为省份简称加四位数字，如“鄂0105”）"),
    ],
)
def test_a_malformed_case_number_is_refused_with_a_specific_chinese_message(text, message):
    with pytest.raises(CaseNumberError) as error:
        parse_case_number(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ((2101, "鄂0105", "执", 1), "案号年度应在1990至2100之间，实为2101"),
        ((2026, "HB0105", "执", 1), "法院代码不正确：“HB0105”（应为省份简称加四位数字，如“鄂0105”）"),
        ((2026, "鄂0105", "执行", 1), "案件类型代字不正确：“执行”（应为执、执恢、执保、执异、执复、执监之一）"),
        ((2026, "鄂0105", "执", 0), "案号序号应为正整数，实为0"),
    ],
)
def test_formatting_refuses_invalid_parts(parts, message):
    with pytest.raises(CaseNumberError) as error:
        format_case_number(*parts)
    assert str(error.value) == message


def test_court_codes_are_a_province_abbreviation_and_four_digits():
    assert is_valid_court_code("鄂0105")
    assert is_valid_court_code("京0101")
    assert not is_valid_court_code("鄂01")
    assert not is_valid_court_code("鄂01055")
    assert not is_valid_court_code("汉0105")
    assert not is_valid_court_code("鄂０１０５")  # full-width digits are not canonical
    assert len(PROVINCE_ABBREVIATIONS) == 31


case_numbers = st.builds(
    CaseNumber,
    year=st.integers(1990, 2100),
    court_code=st.builds(
        lambda province, digits: f"{province}{digits:04d}",
        st.sampled_from(PROVINCE_ABBREVIATIONS),
        st.integers(0, 9999),
    ),
    type_code=st.sampled_from(sorted(TYPE_CODES)),
    seq=st.integers(1, 10**7),
)


@given(case_numbers)
def test_formatting_then_parsing_gives_back_the_same_case_number(number):
    text = format_case_number(number.year, number.court_code, number.type_code, number.seq)
    assert parse_case_number(text) == number


@given(case_numbers)
def test_a_half_width_case_number_parses_to_the_canonical_one(number):
    text = str(number).replace("（", "(").replace("）", ")")
    assert str(parse_case_number(f" {text} ")) == str(number)
