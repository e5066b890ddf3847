import copy

import pytest

from zhixing.rules import RuleError
from zhixing.rules.triage import (
    DEFAULT_RULES,
    FACTS,
    TEAM_KINDS,
    TEAM_LABELS,
    TriageDecision,
    triage,
    validate_rules,
)

# A small first-enforcement case: 10,000 yuan claimed, 50 yuan fee, nothing found.
PLAIN = {
    "case_type": "执",
    "amount_claimed": 1_000_000,
    "amount_due": 1_005_000,
    "cash_found": 0,
    "property_found": 0,
    "property_count": 0,
    "debtor_count": 1,
    "open_cases_max": 1,
}


def decide(**changes):
    return triage(DEFAULT_RULES, {**PLAIN, **changes})


def test_the_default_rules_are_valid():
    assert validate_rules(DEFAULT_RULES) == []
    assert [rule["id"] for rule in DEFAULT_RULES] == ["T1", "T2", "T3", "T4", "T5"]


def test_teams_and_facts_have_chinese_labels():
    assert TEAM_KINDS == (
        "one_shot",
        "simple",
        "disposal",
        "implementation",
        "library",
        "adjudication",
    )
    assert TEAM_LABELS["one_shot"] == "一次有效执行团队" and TEAM_LABELS["library"] == "终本管理团队"
    assert FACTS["amount_due"] == ("应执行金额（标的额＋执行费）", "money")


@pytest.mark.parametrize("case_type", ["执异", "执复", "执监"])
def test_t1_sends_objections_reviews_and_supervision_to_adjudication(case_type):
    decision = decide(case_type=case_type, cash_found=10**9)
    assert (decision.rule_id, decision.team) == ("T1", "adjudication")
    assert decision.reason == (
        f"T1 执行裁判：异议、复议、监督案件——案件类型“{case_type}”属于“执异”、“执复”、“执监”之一"
    )
    assert decision.facts == {"case_type": case_type}


def test_t2_sends_a_case_whose_cash_covers_the_amount_due_to_one_shot():
    decision = decide(cash_found=1_234_500)
    assert decision == TriageDecision(
        "T2",
        "one_shot",
        "T2 一次有效执行：现金足以清偿——查得现金（存款＋网络资金）12,345.00元 ≥ "
        "应执行金额（标的额＋执行费）10,050.00元",
        {"case_type": "执", "cash_found": 1_234_500, "amount_due": 1_005_000},
    )


def test_t2_fires_when_cash_exactly_equals_the_amount_due():
    assert decide(cash_found=1_005_000).rule_id == "T2"


def test_t2_wins_over_t3_for_a_large_case_with_enough_cash():
    decision = decide(amount_claimed=200_000_000, amount_due=201_000_000, cash_found=201_000_000)
    assert decision.team == "one_shot"


def test_t3_sends_a_claim_of_a_million_yuan_to_implementation():
    decision = decide(amount_claimed=100_000_000, amount_due=101_240_000)
    assert (decision.rule_id, decision.team) == ("T3", "implementation")
    assert decision.reason == (
        "T3 执行实施：大额、多被执行人或同一被执行人多案——申请执行标的额1,000,000.00元 ≥ 1,000,000.00元"
    )


def test_t3_names_every_ground_that_holds():
    decision = decide(debtor_count=3, open_cases_max=5)
    assert decision.reason == (
        "T3 执行实施：大额、多被执行人或同一被执行人多案——被执行人数3 ≥ 3，"
        "同一被执行人未结案件数（最多者）5 ≥ 3"
    )


def test_just_under_the_t3_thresholds_is_not_t3():
    assert decide(amount_claimed=99_999_999, debtor_count=2, open_cases_max=2).rule_id == "T5"


def test_t4_sends_property_without_enough_cash_to_disposal():
    decision = decide(property_count=2, property_found=50_000_000, cash_found=100_000)
    assert (decision.rule_id, decision.team) == ("T4", "disposal")
    assert decision.reason == (
        "T4 财产处置：查得不动产、车辆、股权或证券，现金不足清偿——查得财产项数（不动产、车辆、股权、证券）2 ＞ 0，"
        "查得现金（存款＋网络资金）1,000.00元 ＜ 应执行金额（标的额＋执行费）10,050.00元"
    )


def test_t5_takes_everything_else_to_the_simple_team():
    decision = decide(cash_found=100_000)
    assert (decision.rule_id, decision.team) == ("T5", "simple")
    assert decision.reason == "T5 简易执行：其他案件（查得少量现金或未查得财产）——不符合前述规则"


def test_the_facts_kept_are_those_every_evaluated_rule_read():
    assert decide().facts == {
        "case_type": "执",
        "cash_found": 0,
        "amount_due": 1_005_000,
        "amount_claimed": 1_000_000,
        "debtor_count": 1,
        "open_cases_max": 1,
        "property_count": 0,
    }


def test_the_first_matching_rule_wins_in_list_order():
    rules = copy.deepcopy(DEFAULT_RULES)
    rules[1], rules[2] = rules[2], rules[1]  # T3 before T2
    decision = triage(rules, {**PLAIN, "debtor_count": 4, "cash_found": 10**9})
    assert decision.rule_id == "T3"


def test_a_director_may_add_a_rule_comparing_text_with_equals():
    rules = [
        {
            "id": "R1",
            "team": "library",
            "label": "恢复执行案件",
            "when": {"fact": "case_type", "op": "==", "value": "执恢"},
        },
        *DEFAULT_RULES,
    ]
    decision = triage(rules, {**PLAIN, "case_type": "执恢"})
    assert (decision.team, decision.reason) == ("library", "R1 恢复执行案件——案件类型“执恢” ＝ “执恢”")


def test_a_missing_fact_is_an_error():
    facts = dict(PLAIN)
    del facts["cash_found"]
    with pytest.raises(RuleError) as error:
        triage(DEFAULT_RULES, facts)
    assert str(error.value) == "缺少分流所需的事实：查得现金（存款＋网络资金）（cash_found）"


def test_a_fact_of_the_wrong_type_is_an_error():
    with pytest.raises(RuleError) as error:
        triage(DEFAULT_RULES, {**PLAIN, "cash_found": "100"})
    assert str(error.value) == "事实“查得现金（存款＋网络资金）”的值类型不符：'100'"


def test_an_invalid_rule_set_cannot_be_used():
    with pytest.raises(RuleError) as error:
        triage(DEFAULT_RULES[:-1], PLAIN)
    assert str(error.value) == '分流规则有误：缺少兜底规则：最后一条规则应为 {"always": true}'


def with_rule(index, **changes):
    rules = copy.deepcopy(DEFAULT_RULES)
    rules[index].update(changes)
    return rules


@pytest.mark.parametrize(
    ("rules", "errors"),
    [
        (
            with_rule(1, when={"fact": "cash", "op": ">=", "other": "amount_due"}),
            ["规则T2：未知的事实“cash”"],
        ),
        (
            with_rule(1, when={"fact": "cash_found", "op": ">=", "other": "debt"}),
            ["规则T2：未知的事实“debt”"],
        ),
        (with_rule(1, team="fast"), ["规则T2：未知的团队“fast”"]),
        (
            with_rule(1, when={"fact": "cash_found", "op": "=>", "other": "amount_due"}),
            ["规则T2：不支持的比较符“=>”"],
        ),
        (DEFAULT_RULES[:-1], ['缺少兜底规则：最后一条规则应为 {"always": true}']),
        (with_rule(2, id="T2"), ["规则编号重复：T2"]),
        (
            [*DEFAULT_RULES[:4], DEFAULT_RULES[4], DEFAULT_RULES[3] | {"id": "T6"}],
            ["规则T5：兜底规则之后的规则永远不会适用", '缺少兜底规则：最后一条规则应为 {"always": true}'],
        ),
        (
            with_rule(1, when={"fact": "cash_found", "op": ">="}),
            ["规则T2：条件“cash_found”应有“value”或“other”之一"],
        ),
        (
            with_rule(1, when={"fact": "cash_found", "op": ">=", "value": "1000"}),
            ["规则T2：条件“cash_found”的“value”类型不符：'1000'"],
        ),
        (
            with_rule(0, when={"fact": "case_type", "op": "in", "value": "执异"}),
            ["规则T1：条件“case_type”使用“in”时，“value”应为列表"],
        ),
        (
            with_rule(1, when={"fact": "case_type", "op": "==", "other": "amount_due"}),
            ["规则T2：“case_type”与“amount_due”的类型不同，不能比较"],
        ),
        (with_rule(2, when={"any": []}), ["规则T3：“any”条件应只含一个非空列表"]),
        (with_rule(4, when={"always": False}), [
            '规则T5：兜底条件应写作 {"always": true}',
            '缺少兜底规则：最后一条规则应为 {"always": true}',
        ]),
        ([{"id": "T5", "team": "simple", "when": {"always": True}}], ["规则T5：缺少“label”"]),
        ([], ["分流规则应为非空列表"]),
    ],
)
def test_validation_names_each_problem_in_chinese(rules, errors):
    assert validate_rules(rules) == errors


def test_a_batch_decides_each_case_as_one_by_one_would():
    from zhixing.rules.triage import DEFAULT_RULES, triage, triage_batch

    base = {
        "case_type": "执", "amount_claimed": 5_000_00, "amount_due": 5_050_00, "cash_found": 0,
        "property_found": 0, "property_count": 0, "debtor_count": 1, "open_cases_max": 1,
    }
    many = {
        1: base,
        2: {**base, "cash_found": 9_000_00},
        3: {**base, "property_found": 500_000_00, "property_count": 1},
        4: {**base, "case_type": "执异"},
    }
    decided = triage_batch(DEFAULT_RULES, many)
    assert {k: d.team for k, d in decided.items()} == {k: triage(DEFAULT_RULES, f).team for k, f in many.items()}
    assert len({d.team for d in decided.values()}) == 4
