from zhixing.rules import Decision, Reason, RuleError


def test_a_reason_shows_its_basis_in_full_width_brackets():
    assert str(Reason("立案未满三个月", "终本规定第一条第四项")) == "立案未满三个月（终本规定第一条第四项）"


def test_a_reason_without_basis_is_just_its_text():
    assert str(Reason("其他", "")) == "其他"


def test_an_allowed_decision_is_truthy_and_a_refused_one_falsy():
    assert Decision.allow(Reason("可以", "")) and not Decision.refuse(Reason("不可以", ""))


def test_explain_joins_reasons_with_a_chinese_semicolon():
    decision = Decision.refuse(Reason("甲", "第一条"), Reason("乙", ""))
    assert decision.explain() == "甲（第一条）；乙"
    assert decision.reasons == (Reason("甲", "第一条"), Reason("乙", ""))


def test_plain_strings_become_reasons_without_basis():
    assert Decision.allow("好").reasons == (Reason("好", ""),)


def test_rule_error_is_a_value_error_carrying_a_chinese_message():
    error = RuleError("金额不能为空")
    assert isinstance(error, ValueError) and str(error) == "金额不能为空"
