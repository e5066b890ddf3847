"""Implements docs/rules.md "Workload (practice)": how heavy an open case is
for its handler, by the stage it is at, and the stages a case may be handed
to another team for (分段集约).

No law sets these numbers. They are [practice]: the reform's staged
processing (分段集约, "1 + N" teams) gives each team the cases of its stage,
and a case whose handler only waits (an auction running, a valuation out, a
public notice) or only re-checks it now and then (终本 library work) takes
less of the handler's day than one just received, whose notices, inquiries
and measures are all still to do. A court may change the weights; these are
the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zhixing.rules import RuleError

# Stage of an open case at its handler -> (Chinese label, weight).
STAGE_WEIGHTS: dict[str, tuple[str, int]] = {
    "working": ("办理中", 4),  # just dispatched or in hand: steps to take
    "waiting": ("等待期间", 1),  # an excluded period runs (评估、拍卖、公告、中止、暂缓)
    "library": ("终本管理", 1),  # at the library team: periodic re-checks
    "away": ("移交他团队", 1),  # handed to another team for a stage; the home handler keeps watch
}

# Stages a case may be handed to another team for -> (Chinese label, team kind).
HANDOFF_STAGES: dict[str, tuple[str, str]] = {
    "disposal": ("财产处置（评估、拍卖、变卖、分配）", "disposal"),
    "implementation": ("执行实施（实地执行、强制措施）", "implementation"),
    "adjudication": ("执行裁判（异议、复议、追加）", "adjudication"),
    "library": ("终本管理", "library"),
}


def case_stage(*, team_kind: str, waiting: bool) -> str:
    """The stage of an open case at its handler's desk."""
    if waiting:
        return "waiting"
    if team_kind == "library":
        return "library"
    return "working"


def stage_weights(overrides: Mapping[str, int] | None = None) -> dict[str, int]:
    """The weights in force: the defaults, with a court's own
    (Court.workload_weights, {"working": 5, ...}) over them."""
    weights = {k: w for k, (_, w) in STAGE_WEIGHTS.items()}
    for stage, value in (overrides or {}).items():
        if stage not in STAGE_WEIGHTS:
            raise RuleError(f"未知的办理阶段“{stage}”")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RuleError(f"办理阶段“{STAGE_WEIGHTS[stage][0]}”的权重须为非负整数")
        weights[stage] = value
    return weights


def stage_weight(stage: str, weights: Mapping[str, int] | None = None) -> int:
    if stage not in STAGE_WEIGHTS:
        raise RuleError(f"未知的办理阶段“{stage}”")
    return (weights or {}).get(stage, STAGE_WEIGHTS[stage][1])


def weighted_load(
    counts: Iterable[tuple[str, int]], weights: Mapping[str, int] | None = None
) -> int:
    """A handler's load: each open case weighed by its stage."""
    return sum(stage_weight(stage, weights) * n for stage, n in counts)


def over_share(*, open_cases: int, capacity: int | None, weight: int, total_weight: int) -> bool:
    """Has a handler reached their share of the team's capacity (a number of
    open cases, not weighed: it is what the team says it can carry)?

    The share is the team's capacity split by the members' weights (a member
    of weight 50 carries half of one of weight 100). No capacity, no share:
    nobody is over. Integer arithmetic, so ties stay exact."""
    if not capacity or total_weight <= 0:
        return False
    return open_cases * total_weight >= capacity * weight


def share_of(*, capacity: int | None, weight: int, total_weight: int) -> int | None:
    """The share itself, rounded down, for display."""
    if not capacity or total_weight <= 0:
        return None
    return capacity * weight // total_weight
