from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from zhixing.rules import Reason
from zhixing.rules.identity import (
    CREDIT_CODE_ALPHABET,
    IdentityError,
    birth_date,
    check_credit_code,
    check_id_number,
    credit_code_check_char,
    id_number_check_char,
    normalize_id_code,
)

ID_BASIS = "GB 11643-1999"
CREDIT_BASIS = "GB 32100-2015"


def test_the_standard_example_id_number_is_valid():
    decision = check_id_number("11010519491231002X")
    assert decision
    assert decision.reasons == (Reason("公民身份号码格式及校验位正确", ID_BASIS),)


def test_a_lowercase_x_check_character_is_accepted():
    assert check_id_number("11010519491231002x")


def test_full_width_characters_and_spaces_around_are_accepted():
    assert check_id_number(" １１０１０５１９４９１２３１００２Ｘ\u3000")


def test_the_check_character_is_computed_from_the_first_17_digits():
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_check_char("44052418800101001") == "4"


def test_a_short_id_number_is_refused_with_its_length():
    decision = check_id_number("11010519491231002")
    assert not decision
    assert decision.reasons == (Reason("公民身份号码应为18位，实为17位", ID_BASIS),)


def test_a_letter_among_the_first_17_characters_is_refused_with_its_position():
    decision = check_id_number("1101051949123100AX")
    assert decision.explain() == "公民身份号码第17位应为数字，实为“A”（GB 11643-1999）"


def test_a_wrong_check_character_is_refused_naming_the_right_one():
    decision = check_id_number("110105194912310023")
    assert not decision
    assert decision.reasons == (Reason("公民身份号码校验位错误：应为X，实为3", ID_BASIS),)


def test_an_impossible_birth_date_is_refused():
    first17 = "11010519490231002"  # 31 February
    decision = check_id_number(first17 + id_number_check_char(first17))
    assert decision.reasons == (Reason("公民身份号码中的出生日期无效", ID_BASIS),)


def test_a_bad_date_and_a_bad_check_character_are_both_reported():
    decision = check_id_number("110105194913310020")
    assert [reason.text for reason in decision.reasons] == [
        "公民身份号码中的出生日期无效",
        "公民身份号码校验位错误：应为1，实为0",
    ]


def test_an_area_code_that_no_longer_exists_is_not_a_reason_to_refuse():
    # 429005 (潜江) and a 1950s birth: area codes are not checked against a list.
    first17 = "42900519550101001"
    assert check_id_number(first17 + id_number_check_char(first17))


def test_the_birth_date_is_read_from_characters_7_to_14():
    assert birth_date("11010519491231002X") == date(1949, 12, 31)


def test_the_birth_date_of_an_invalid_number_is_an_error():
    with pytest.raises(IdentityError) as error:
        birth_date("110105194912310023")
    assert str(error.value) == "公民身份号码校验位错误：应为X，实为3（GB 11643-1999）"


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
id_bodies = st.builds(
    lambda area, born, seq: f"{area:06d}{born:%Y%m%d}{seq:03d}",
    st.integers(0, 999999),
    birth_dates,
    st.integers(0, 999),
)


@given(id_bodies)
def test_any_17_digits_with_a_real_date_and_the_computed_check_char_are_valid(first17):
    number = first17 + id_number_check_char(first17)
    assert check_id_number(number)
    assert birth_date(number).strftime("%Y%m%d") == first17[6:14]


@given(id_bodies, st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(first17, check):
    assume(check != id_number_check_char(first17))
    decision = check_id_number(first17 + check)
    assert not decision
    assert decision.reasons[-1].text.startswith("公民身份号码校验位错误")


def test_the_example_credit_code_is_valid():
    decision = check_credit_code("91350100M000100Y43")
    assert decision
    assert decision.reasons == (Reason("统一社会信用代码格式及校验位正确", CREDIT_BASIS),)


def test_a_real_banks_credit_code_is_valid():
    assert check_credit_code("915000002028046991")


def test_a_lowercase_credit_code_is_accepted():
    assert check_credit_code("91350100m000100y43")


def test_the_credit_code_check_character_is_computed_from_the_first_17():
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_check_char("91500000202804699") == "1"


def test_a_credit_code_of_the_wrong_length_is_refused():
    decision = check_credit_code("91350100M000100Y4")
    assert decision.reasons == (Reason("统一社会信用代码应为18位，实为17位", CREDIT_BASIS),)


def test_a_credit_code_with_a_letter_outside_the_alphabet_is_refused_naming_it():
    decision = check_credit_code("91350100M000100I43")
    assert decision.reasons == (Reason("统一社会信用代码含非法字符“I”", CREDIT_BASIS),)


def test_each_illegal_character_is_named_once():
    decision = check_credit_code("9135O1O0M000100S43")
    assert decision.reasons[0].text == "统一社会信用代码含非法字符“O”、“S”"


def test_a_wrong_credit_code_check_character_is_refused_naming_the_right_one():
    decision = check_credit_code("91350100M000100Y44")
    assert decision.reasons == (
        Reason("统一社会信用代码校验位错误：应为3，实为4", CREDIT_BASIS),
    )


def test_the_check_char_functions_refuse_input_of_the_wrong_shape():
    with pytest.raises(IdentityError):
        id_number_check_char("1101051949123100")
    with pytest.raises(IdentityError):
        credit_code_check_char("91350100M000100I4")


def test_normalizing_strips_uppercases_and_turns_full_width_half_width():
    assert normalize_id_code("  ９１ａｂc\u3000") == "91ABC"


credit_bodies = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17)


@given(credit_bodies)
def test_any_17_legal_characters_with_the_computed_check_char_are_valid(first17):
    assert check_credit_code(first17 + credit_code_check_char(first17))


@given(credit_bodies, st.sampled_from(CREDIT_CODE_ALPHABET))
def test_any_other_credit_code_check_character_is_refused(first17, check):
    assume(check != credit_code_check_char(first17))
    decision = check_credit_code(first17 + check)
    assert not decision
    assert decision.reasons[0].text.startswith("统一社会信用代码校验位错误")
