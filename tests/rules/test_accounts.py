"""Sub-account numbers (rules/accounts.py): derived from the case number, checked by Luhn."""

from hypothesis import given
from hypothesis import strategies as st

from zhixing.rules.accounts import TYPE_DIGITS, CaseAccountRef, case_account_number, parse_case_account

PREFIX = "4201050"


def test_layout_prefix_year_type_sequence_check():
    number = case_account_number(PREFIX, 2026, "执", 1234)
    assert number[:-1] == "4201050" + "2026" + "1" + "001234"
    assert len(number) == 19
    assert parse_case_account(PREFIX, number) == CaseAccountRef(2026, "执", 1234)


def test_spaces_as_people_write_them_are_ignored():
    number = case_account_number(PREFIX, 2026, "执恢", 7)
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    assert parse_case_account(PREFIX, spaced) == CaseAccountRef(2026, "执恢", 7)


@given(
    year=st.integers(2000, 2099),
    type_code=st.sampled_from(sorted(TYPE_DIGITS)),
    seq=st.integers(1, 999_999),
    pos=st.integers(0, 18),
    delta=st.integers(1, 9),
)
def test_any_single_digit_typo_is_caught(year, type_code, seq, pos, delta):
    number = case_account_number(PREFIX, year, type_code, seq)
    typo = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    ref = parse_case_account(PREFIX, typo)
    assert ref is None or ref != CaseAccountRef(year, type_code, seq)
    if pos >= len(PREFIX):  # a typo after the prefix never names a case
        assert ref is None


@given(year=st.integers(2000, 2099), seq=st.integers(1, 999_999), pos=st.integers(len(PREFIX), 17))
def test_swapped_neighbours_are_caught_unless_equal(year, seq, pos):
    number = case_account_number(PREFIX, year, "执", seq)
    a, b = number[pos], number[pos + 1]
    swapped = number[:pos] + b + a + number[pos + 2 :]
    if {a, b} in ({"0", "9"},) or a == b:
        return  # Luhn's one blind spot (09 ↔ 90), and no change at all
    assert parse_case_account(PREFIX, swapped) is None


def test_other_courts_and_junk_are_not_ours():
    number = case_account_number(PREFIX, 2026, "执", 5)
    assert parse_case_account("4201060", number) is None
    assert parse_case_account(PREFIX, "") is None
    assert parse_case_account(PREFIX, "abc") is None
    assert parse_case_account(PREFIX, number + "0") is None
