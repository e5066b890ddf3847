"""Implements docs/rules.md §14 (triage, 繁简分流).

The rule set is the bureau's policy, not law: it is DATA a director edits,
versioned outside this module. Each rule is a dict

    {"id": "T2", "team": "one_shot", "label": "…", "when": CONDITION}

where CONDITION is one of

    {"all": [CONDITION, …]}            every one holds
    {"any": [CONDITION, …]}            at least one holds
    {"always": True}                   the catch-all, last in the list
    {"fact": NAME, "op": OP, "value": X}       compare a fact with a constant
    {"fact": NAME, "op": OP, "other": NAME2}   compare two facts

and OP is one of >= > < <= == != in. The first rule that matches decides; the
decision keeps the rule, a Chinese reason naming the facts that made it fire,
and every fact the rule set read on the way, so it can be stored and audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from zhixing.rules import RuleError
from zhixing.rules.money import format_yuan

__all__ = [
    "DEFAULT_RULES",
    "FACTS",
    "OPS",
    "TEAM_KINDS",
    "TEAM_LABELS",
    "TriageDecision",
    "triage",
    "triage_batch",
    "validate_rules",
]

K = TypeVar("K")

TEAM_KINDS = ("one_shot", "simple", "disposal", "implementation", "library", "adjudication")
TEAM_LABELS: dict[str, str] = {
    "one_shot": "一次有效执行团队",
    "simple": "简易执行团队",
    "disposal": "财产处置团队",
    "implementation": "执行实施团队",
    "library": "终本管理团队",
    "adjudication": "执行裁判团队",
}

# name -> (Chinese label, kind); money is fen.
FACTS: dict[str, tuple[str, str]] = {
    "case_type": ("案件类型", "text"),
    "amount_claimed": ("申请执行标的额", "money"),
    "amount_due": ("应执行金额（标的额＋执行费）", "money"),
    "cash_found": ("查得现金（存款＋网络资金）", "money"),
    "property_found": ("查得财产价值（不动产、车辆、股权、证券）", "money"),
    "property_count": ("查得财产项数（不动产、车辆、股权、证券）", "count"),
    "debtor_count": ("被执行人数", "count"),
    "open_cases_max": ("同一被执行人未结案件数（最多者）", "count"),
}

OPS: dict[str, str] = {
    ">=": "≥",
    ">": "＞",
    "<": "＜",
    "<=": "≤",
    "==": "＝",
    "!=": "≠",
    "in": "属于",
}
_COMPARE = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b,
}

# rules.md §14, in order; the first match wins.
DEFAULT_RULES: list[dict] = [
    {
        "id": "T1",
        "team": "adjudication",
        "label": "执行裁判：异议、复议、监督案件",
        # Joinder (变更追加) and objection matters are filed as 执异.
        "when": {"fact": "case_type", "op": "in", "value": ["执异", "执复", "执监"]},
    },
    {
        "id": "T2",
        "team": "one_shot",
        "label": "一次有效执行：现金足以清偿",
        "when": {"fact": "cash_found", "op": ">=", "other": "amount_due"},
    },
    {
        "id": "T3",
        "team": "implementation",
        "label": "执行实施：大额、多被执行人或同一被执行人多案",
        "when": {
            "any": [
                {"fact": "amount_claimed", "op": ">=", "value": 100_000_000},
                {"fact": "debtor_count", "op": ">=", "value": 3},
                {"fact": "open_cases_max", "op": ">=", "value": 3},
            ]
        },
    },
    {
        "id": "T4",
        "team": "disposal",
        "label": "财产处置：查得不动产、车辆、股权或证券，现金不足清偿",
        "when": {
            "all": [
                {"fact": "property_count", "op": ">", "value": 0},
                {"fact": "cash_found", "op": "<", "other": "amount_due"},
            ]
        },
    },
    {
        "id": "T5",
        "team": "simple",
        "label": "简易执行：其他案件（查得少量现金或未查得财产）",
        "when": {"always": True},
    },
]


@dataclass(frozen=True)
class TriageDecision:
    rule_id: str
    team: str
    reason: str
    facts: dict


def triage(rules: list[dict], facts: Mapping[str, object]) -> TriageDecision:
    """The team for a case: the first rule whose condition holds."""
    _check(rules)
    return _decide(rules, facts)


def triage_batch(rules: list[dict], facts: Mapping[K, Mapping[str, object]]) -> dict[K, TriageDecision]:
    """The team for each of many cases (keyed as given); the rule set is checked once."""
    _check(rules)
    return {key: _decide(rules, f) for key, f in facts.items()}


def _check(rules: list[dict]) -> None:
    errors = validate_rules(rules)
    if errors:
        raise RuleError("分流规则有误：" + "；".join(errors))


def _decide(rules: list[dict], facts: Mapping[str, object]) -> TriageDecision:
    read: dict[str, object] = {}
    for rule in rules:
        for name in _mentioned(rule["when"]):
            if name not in facts:
                raise RuleError(f"缺少分流所需的事实：{FACTS[name][0]}（{name}）")
            read[name] = _checked_fact(name, facts[name])
        fired = _explain(rule["when"], read)
        if fired is not None:
            because = "，".join(fired) if fired else "不符合前述规则"
            reason = f"{rule['id']} {rule['label']}——{because}"
            return TriageDecision(rule["id"], rule["team"], reason, dict(read))
    raise RuleError("没有适用的分流规则")  # unreachable: validation demands a catch-all


def validate_rules(rules: Any) -> list[str]:
    """Every problem in a rule set, in Chinese; empty when it can be used."""
    if not isinstance(rules, list) or not rules:
        return ["分流规则应为非空列表"]
    errors: list[str] = []
    seen: set[str] = set()
    for position, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            errors.append(f"第{position}条规则应为字典")
            continue
        name = f"规则{rule.get('id') or f'（第{position}条）'}"
        for key in ("id", "team", "label", "when"):
            if key not in rule:
                errors.append(f"{name}：缺少“{key}”")
        rule_id = rule.get("id")
        if "id" in rule and (not isinstance(rule_id, str) or not rule_id):
            errors.append(f"{name}：编号应为非空字符串")
        elif rule_id in seen:
            errors.append(f"规则编号重复：{rule_id}")
        seen.add(rule_id)
        if "team" in rule and rule["team"] not in TEAM_KINDS:
            errors.append(f"{name}：未知的团队“{rule['team']}”")
        if "when" in rule:
            errors.extend(f"{name}：{problem}" for problem in _condition_errors(rule["when"]))
        if _is_always(rule.get("when")) and position < len(rules):
            errors.append(f"{name}：兜底规则之后的规则永远不会适用")
    last = rules[-1]
    if not (isinstance(last, dict) and _is_always(last.get("when"))):
        errors.append('缺少兜底规则：最后一条规则应为 {"always": true}')
    return errors


def _is_always(condition: Any) -> bool:
    return condition == {"always": True}


def _condition_errors(condition: Any) -> list[str]:
    if not isinstance(condition, dict):
        return ["条件应为字典"]
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if set(condition) != {key} or not isinstance(parts, list) or not parts:
            return [f"“{key}”条件应只含一个非空列表"]
        return [problem for part in parts for problem in _condition_errors(part)]
    if "always" in condition:
        return [] if _is_always(condition) else ['兜底条件应写作 {"always": true}']
    if "fact" not in condition:
        return [f"无法识别的条件：{condition}"]
    errors = []
    fact, op = condition["fact"], condition.get("op")
    if fact not in FACTS:
        errors.append(f"未知的事实“{fact}”")
    if op not in OPS:
        errors.append(f"不支持的比较符“{op}”")
    has_value, has_other = "value" in condition, "other" in condition
    if has_value == has_other:
        errors.append(f"条件“{fact}”应有“value”或“other”之一")
    elif has_other and condition["other"] not in FACTS:
        errors.append(f"未知的事实“{condition['other']}”")
    elif has_other and fact in FACTS and FACTS[fact][1] != FACTS[condition["other"]][1]:
        errors.append(f"“{fact}”与“{condition['other']}”的类型不同，不能比较")
    elif has_other and op == "in":
        errors.append("“in”只能与“value”列表一起使用")
    elif has_value and op == "in" and not isinstance(condition["value"], list):
        errors.append(f"条件“{fact}”使用“in”时，“value”应为列表")
    elif has_value and fact in FACTS and op in OPS and op != "in":
        if not _fits(FACTS[fact][1], condition["value"]):
            errors.append(f"条件“{fact}”的“value”类型不符：{condition['value']!r}")
    return errors


def _fits(kind: str, value: Any) -> bool:
    if kind == "text":
        return isinstance(value, str)
    return isinstance(value, int) and not isinstance(value, bool)


def _checked_fact(name: str, value: object) -> object:
    if not _fits(FACTS[name][1], value):
        raise RuleError(f"事实“{FACTS[name][0]}”的值类型不符：{value!r}")
    return value


def _mentioned(condition: dict) -> list[str]:
    """Every fact a condition reads, in the order written."""
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        return [name for part in parts for name in _mentioned(part)]
    if "fact" in condition:
        return [condition["fact"]] + ([condition["other"]] if "other" in condition else [])
    return []


def _explain(condition: dict, facts: Mapping[str, object]) -> list[str] | None:
    """None when the condition fails; else the phrases that show why it holds."""
    if "always" in condition:
        return []
    if "all" in condition:
        phrases = []
        for part in condition["all"]:
            fired = _explain(part, facts)
            if fired is None:
                return None
            phrases.extend(fired)
        return phrases
    if "any" in condition:
        fired_parts = [_explain(part, facts) for part in condition["any"]]
        phrases = [phrase for fired in fired_parts if fired is not None for phrase in fired]
        return phrases if any(fired is not None for fired in fired_parts) else None
    fact, op = condition["fact"], condition["op"]
    other = condition.get("other")
    right = facts[other] if other is not None else condition["value"]
    if not _COMPARE[op](facts[fact], right):
        return None  # no words for what did not hold: most conditions, most cases
    right_text = _describe(other, facts) if other is not None else _show(fact, right)
    if op == "in":
        return [f"{_describe(fact, facts)}属于{right_text}之一"]
    return [f"{_describe(fact, facts)} {OPS[op]} {right_text}"]


def _describe(name: str, facts: Mapping[str, object]) -> str:
    return f"{FACTS[name][0]}{_show(name, facts[name])}"


def _show(name: str, value: object) -> str:
    kind = FACTS[name][1]
    if isinstance(value, list):
        return "、".join(_show(name, item) for item in value)
    if kind == "money":
        return f"{format_yuan(value)}元"  # type: ignore[arg-type]
    if kind == "text":
        return f"“{value}”"
    return str(value)
