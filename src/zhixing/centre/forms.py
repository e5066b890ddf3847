"""The rule-set editor's form: a version's rules shown rule by rule, in order,
with each rule's team, name and the thresholds of its conditions as fields
(money in yuan, read with rules.money), and the rules read back from a post.

Field names: `order` (the rules' positions in the base version, comma
separated, so moving a rule up or down is a re-ordering of that list),
`label-<i>`, `team-<i>` and `value-<i>-<j>` (the j-th constant of rule i's
condition tree, depth first). The tree's shape (which facts, which
comparison) is shown but not edited here; rules.md §14 explains it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

from zhixing.rules import RuleError
from zhixing.rules.case_number import TYPE_CODES
from zhixing.rules.money import format_yuan, parse_yuan
from zhixing.rules.triage import FACTS, OPS, TEAM_LABELS

_LIST_SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass
class Line:
    """One line of a rule's condition, indented by depth; `name` is the
    field of its threshold when it has one."""

    depth: int
    text: str
    name: str = ""
    raw: str = ""
    unit: str = ""
    kind: str = ""  # money, count, text, list

    @property
    def indent(self) -> str:
        return "\u3000\u3000" * self.depth


@dataclass
class RuleRow:
    index: int  # position in the base version
    rule_id: str
    label: str
    team: str
    lines: list[Line] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    condition_json: str = ""


def _leaves(condition: dict, depth: int = 0):
    """(depth, node) for every node, depth first; the constants are the leaves with "value"."""
    yield depth, condition
    for key in ("all", "any"):
        for part in condition.get(key, ()):
            yield from _leaves(part, depth + 1)


def _show_value(fact: str, value) -> tuple[str, str, str]:
    """(the value as typed in the field, its unit, its kind)."""
    kind = FACTS.get(fact, ("", "text"))[1]
    if isinstance(value, list):
        return "、".join(str(v) for v in value), "", "list"
    if kind == "money" and isinstance(value, int):
        return format_yuan(value).replace(",", ""), "元", "money"
    if kind == "count":
        return str(value), "", "count"
    return str(value), "", "text"


def editor_rows(rules: list[dict], data=None) -> tuple[str, list[RuleRow]]:
    """The form as rows in the current order: from the stored rules, or with
    what was posted (`data`), so a re-shown form keeps what was typed."""
    order = _order(len(rules), data)
    rows = []
    for i in order:
        rule = rules[i]
        row = RuleRow(
            index=i,
            rule_id=str(rule.get("id", "")),
            label=data.get(f"label-{i}", "") if data is not None else str(rule.get("label", "")),
            team=data.get(f"team-{i}", "") if data is not None else str(rule.get("team", "")),
        )
        row.condition_json = json.dumps(rule.get("when"), ensure_ascii=False, indent=1)
        j = 0
        for depth, node in _leaves(rule.get("when") or {}):
            if "all" in node:
                row.lines.append(Line(depth, "同时满足以下全部条件："))
            elif "any" in node:
                row.lines.append(Line(depth, "满足以下任一条件："))
            elif "always" in node:
                row.lines.append(Line(depth, "其他所有案件（兜底规则）"))
            elif "fact" in node:
                fact = FACTS.get(node["fact"], (node["fact"],))[0]
                op = OPS.get(node.get("op"), node.get("op"))
                if "other" in node:
                    other = FACTS.get(node["other"], (node["other"],))[0]
                    row.lines.append(Line(depth, f"{fact} {op} {other}"))
                else:
                    raw, unit, kind = _show_value(node["fact"], node.get("value"))
                    name = f"value-{i}-{j}"
                    if data is not None:
                        raw = data.get(name, "")
                    row.lines.append(Line(depth, f"{fact} {op}", name, raw, unit, kind))
                    j += 1
        rows.append(row)
    return ",".join(str(i) for i in order), rows


def _order(n: int, data) -> list[int]:
    """The posted order if it is a permutation of some of the base rules; else as stored."""
    if data is None:
        return list(range(n))
    try:
        order = [int(x) for x in str(data.get("order", "")).split(",") if x.strip()]
    except ValueError:
        return list(range(n))
    if len(set(order)) != len(order) or any(not 0 <= i < n for i in order):
        return list(range(n))
    return order


def moved(data, n: int, move: str) -> str:
    """The order after a move button: "up-<i>", "down-<i>" or "drop-<i>" (remove rule i)."""
    order = _order(n, data)
    what, _, index = move.partition("-")
    if not index.isdigit() or int(index) not in order:
        return ",".join(map(str, order))
    i = int(index)
    at = order.index(i)
    if what == "up" and at > 0:
        order[at - 1], order[at] = order[at], order[at - 1]
    elif what == "down" and at < len(order) - 1:
        order[at + 1], order[at] = order[at], order[at + 1]
    elif what == "drop" and len(order) > 1:
        order.remove(i)
    return ",".join(map(str, order))


def rules_from_post(rules: list[dict], data) -> tuple[list[dict], list[str]]:
    """The rules the form describes, and every error in Chinese, each naming
    the rule and the field (规则T3：申请执行标的额的阈值应为金额，如 50000.00)."""
    errors: list[str] = []
    result = []
    for i in _order(len(rules), data):
        rule = copy.deepcopy(rules[i])
        name = f"规则{rule.get('id') or f'（第{i + 1}条）'}"
        label = str(data.get(f"label-{i}", "")).strip()
        if not label:
            errors.append(f"{name}：名称不能为空")
        elif len(label) > 60:
            errors.append(f"{name}：名称不能超过60字")
        rule["label"] = label
        team = str(data.get(f"team-{i}", "")).strip()
        if team not in TEAM_LABELS:
            errors.append(f"{name}：请选择分流到的团队")
        rule["team"] = team
        j = 0
        for _, node in _leaves(rule.get("when") or {}):
            if "fact" in node and "value" in node:
                raw = str(data.get(f"value-{i}-{j}", "")).strip()
                value, problem = _parse_value(node["fact"], node["value"], raw)
                if problem:
                    errors.append(f"{name}：{FACTS.get(node['fact'], (node['fact'],))[0]}的{problem}")
                else:
                    node["value"] = value
                j += 1
        result.append(rule)
    return result, errors


def _parse_value(fact: str, old, raw: str):
    """(value, None) or (None, the problem)."""
    kind = FACTS.get(fact, ("", "text"))[1]
    if isinstance(old, list):
        items = [x for x in _LIST_SPLIT.split(raw) if x]
        if not items:
            return None, "取值不能为空，多个取值用顿号分隔，如 执异、执复"
        if fact == "case_type":
            unknown = [x for x in items if x not in TYPE_CODES]
            if unknown:
                return None, f"取值“{'、'.join(unknown)}”不是案件类型代字（可用：{'、'.join(TYPE_CODES)}）"
        return items, None
    if kind == "money":
        if not raw:
            return None, "阈值不能为空，应为金额，如 50000.00"
        try:
            return parse_yuan(raw), None
        except (RuleError, TypeError) as e:
            return None, f"阈值应为金额，如 50000.00（{e}）"
    if kind == "count":
        if not re.fullmatch(r"\d{1,6}", raw):
            return None, "阈值应为非负整数，如 3"
        return int(raw), None
    if not raw:
        return None, "取值不能为空"
    return raw, None


def parse_last_n(raw: str | None, default: int, maximum: int) -> tuple[int, str | None]:
    """The preview's N from a query string: (n, None) or (default, the Chinese problem)."""
    raw = (raw or "").strip()
    if not raw:
        return default, None
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        return default, f"预览案件数：应为1至{maximum}之间的整数"
    return int(raw), None
