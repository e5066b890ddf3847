"""rules/workload.py: stage weights and shares of a team's capacity [practice]."""

import pytest

from zhixing.rules import RuleError
from zhixing.rules.workload import STAGE_WEIGHTS, case_stage, over_share, share_of, weighted_load


def test_a_case_in_hand_weighs_more_than_one_waiting_or_in_the_library():
    working = STAGE_WEIGHTS["working"][1]
    assert working > STAGE_WEIGHTS["waiting"][1]
    assert working > STAGE_WEIGHTS["library"][1]
    assert working > STAGE_WEIGHTS["away"][1]


def test_the_stage_of_a_case():
    assert case_stage(team_kind="simple", waiting=False) == "working"
    assert case_stage(team_kind="simple", waiting=True) == "waiting"
    assert case_stage(team_kind="library", waiting=False) == "library"


def test_weighted_load_sums_stages():
    assert (
        weighted_load([("working", 2), ("waiting", 3)])
        == 2 * STAGE_WEIGHTS["working"][1] + 3 * STAGE_WEIGHTS["waiting"][1]
    )
    with pytest.raises(RuleError, match="未知的办理阶段"):
        weighted_load([("sleeping", 1)])


def test_shares_split_the_capacity_by_weight():
    assert share_of(capacity=7, weight=50, total_weight=350) == 1
    assert share_of(capacity=7, weight=100, total_weight=350) == 2
    assert share_of(capacity=None, weight=100, total_weight=100) is None
    assert over_share(open_cases=1, capacity=7, weight=50, total_weight=350)
    assert not over_share(open_cases=1, capacity=7, weight=100, total_weight=350)
    assert not over_share(open_cases=10**6, capacity=None, weight=100, total_weight=100)


def test_a_court_may_set_its_own_weights():
    from zhixing.rules.workload import stage_weights

    assert stage_weights({"working": 6})["working"] == 6
    assert stage_weights({"working": 6})["waiting"] == STAGE_WEIGHTS["waiting"][1]
    with pytest.raises(RuleError, match="未知的办理阶段“sleeping”"):
        stage_weights({"sleeping": 1})
    with pytest.raises(RuleError, match="权重须为非负整数"):
        stage_weights({"working": -1})
