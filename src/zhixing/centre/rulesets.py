"""Versions of the triage rule set (rules.md §14): the director drafts a new
version, previews what it would have done to the last cases, and activates it.

    ruleset_draft_save  a new draft, or a draft's rules changed (a draft has
                        decided nothing, so it may change; an activated
                        version never does: cases point to it)
    ruleset_preview     the last N triaged cases re-decided by the draft from
                        the facts stored in their `triaged` events
    ruleset_activate    this version becomes the court's one active version

Only the court's 执行局长 may save or activate; a refusal is Chinese and
writes nothing. Activation goes through the model's save, so django-auditlog
keeps who changed what besides activated_by/activated_at.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.centre.models import TriageRuleSet
from zhixing.centre.triage import active_ruleset, triage_facts
from zhixing.courts.models import Court, Officer
from zhixing.rules import RuleError
from zhixing.rules.triage import FACTS, TEAM_LABELS, triage, validate_rules

PREVIEW_DEFAULT = 200
PREVIEW_MAX = 5000


class RulesetRefused(Exception):
    """Saving, previewing or activating refused. `errors` are Chinese, each
    naming the rule and the field; `forbidden` when the officer may not."""

    def __init__(self, errors: list[str] | str, *, forbidden: bool = False):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.forbidden = forbidden
        super().__init__("；".join(self.errors))


def may_edit_rules(officer: Officer | None, court: Court) -> bool:
    """The rule set is the bureau's policy: only the court's director sets it."""
    return officer is not None and officer.role == Officer.Role.DIRECTOR and officer.court_id == court.id


def may_view_rules(officer: Officer | None, court: Court) -> bool:
    return (
        officer is not None
        and officer.court_id == court.id
        and officer.role in (Officer.Role.DIRECTOR, Officer.Role.CENTRE)
    )


def _check_director(actor: Officer | None, court: Court, doing: str) -> None:
    if not may_edit_rules(actor, court):
        raise RulesetRefused(f"无权{doing}：只有本院执行局长可以{doing}", forbidden=True)


def _check_rules(rules) -> None:
    errors = validate_rules(rules)
    if errors:
        raise RulesetRefused(errors)


def ruleset_draft_save(
    *,
    court: Court,
    rules: list[dict],
    note: str,
    actor: Officer | None,
    now: datetime,
    draft: TriageRuleSet | None = None,
) -> TriageRuleSet:
    """Save `rules` as a new draft version, or into `draft` (still a draft)."""
    _check_director(actor, court, "修改分流规则")
    _check_rules(rules)
    note = (note or "").strip()
    if len(note) > 200:
        raise RulesetRefused("说明：不能超过200字")
    with transaction.atomic():
        active_ruleset(court)  # the version in force exists before any draft takes a number
        versions = TriageRuleSet.objects.select_for_update().filter(court=court)
        if draft is not None:
            current = versions.filter(id=draft.id).first()
            if current is None:
                raise RulesetRefused("该版本不是本院的分流规则")
            if not current.is_draft:
                raise RulesetRefused(f"第{current.version}版已启用过，不能修改；请以它为底新建草稿")
            current.rules, current.note = copy.deepcopy(rules), note
            current.save(update_fields=["rules", "note"])
            return current
        last = versions.aggregate(last=Max("version"))["last"] or 0
        return TriageRuleSet.objects.create(
            court=court, version=last + 1, rules=copy.deepcopy(rules), note=note, created_at=now, created_by=actor
        )


def ruleset_activate(*, ruleset: TriageRuleSet, actor: Officer | None, now: datetime) -> TriageRuleSet:
    """启用: this version decides every case triaged from now on; the one in
    force before keeps the cases it decided. Activating an older version
    again is how a change is rolled back."""
    court = ruleset.court
    _check_director(actor, court, "启用分流规则")
    with transaction.atomic():
        versions = {
            rs.id: rs for rs in TriageRuleSet.objects.select_for_update().filter(court=court).order_by("id")
        }
        target = versions.get(ruleset.id)
        if target is None:
            raise RulesetRefused("该版本不是本院的分流规则")
        if target.is_active:
            raise RulesetRefused(f"第{target.version}版已在生效中")
        _check_rules(target.rules)
        for rs in versions.values():
            if rs.is_active:
                rs.is_active = False
                rs.save(update_fields=["is_active"])
        target.is_active, target.activated_at, target.activated_by = True, now, actor
        target.save(update_fields=["is_active", "activated_at", "activated_by"])
    ruleset.is_active, ruleset.activated_at, ruleset.activated_by = True, now, actor
    return ruleset


# ---------------------------------------------------------------- preview


@dataclass(frozen=True)
class PreviewChange:
    """One case the draft would send to another team."""

    case_id: int
    case_number: str
    from_team: str
    to_team: str
    from_rule: str
    to_rule: str
    reason: str
    filled: bool  # some facts the draft reads were not stored: read from today's data


@dataclass(frozen=True)
class PreviewTeam:
    team: str
    label: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass
class Preview:
    considered: int = 0
    changed: int = 0
    filled: int = 0
    pairs: list[tuple[str, str, int]] = field(default_factory=list)  # (from label, to label, cases)
    teams: list[PreviewTeam] = field(default_factory=list)
    changes: list[PreviewChange] = field(default_factory=list)
    rules_changed: int = 0  # same team, but another rule fired


def ruleset_preview(*, court: Court, rules: list[dict], last_n: int = PREVIEW_DEFAULT) -> Preview:
    """What `rules` would have decided for the court's last `last_n` triaged
    cases, against what was decided then.

    Pure re-evaluation: each case's facts come from its `triaged` event (one
    query for all of them). Cases triaged before every fact was stored lack
    the facts their rule did not read; those are read from today's data with
    triage_facts (four more queries, whatever N) and the case is marked."""
    _check_rules(rules)
    if isinstance(last_n, bool) or not isinstance(last_n, int) or not 1 <= last_n <= PREVIEW_MAX:
        raise RulesetRefused(f"预览案件数：应为1至{PREVIEW_MAX}之间的整数")
    rows = list(
        CaseEvent.objects.filter(court=court, kind="triaged")
        .order_by("-at", "-id")
        .values_list("case_id", "case__case_number", "data")[:last_n]
    )
    wanted = _facts_read(rules)
    stored = {}
    for case_id, _, data in rows:
        stored[case_id] = dict(data.get("facts_all") or data.get("facts") or {})
    lacking = [case_id for case_id, facts in stored.items() if not wanted <= facts.keys()]
    today = {}
    if lacking:
        today = triage_facts(
            list(EnforcementCase.objects.filter(id__in=lacking).only("id", "type_code", "amount_claimed"))
        )
    preview = Preview(considered=len(rows), filled=len(lacking))
    before, after, pairs = Counter(), Counter(), Counter()
    for case_id, case_number, data in rows:
        facts = {**today.get(case_id, {}), **stored[case_id]}
        try:
            decision = triage(rules, facts)
        except RuleError as e:  # a stored fact of the wrong type: say which case
            raise RulesetRefused(f"案件{case_number}无法按草稿重新分流：{e}") from None
        was = data.get("team", "")
        before[was] += 1
        after[decision.team] += 1
        if decision.team != was:
            pairs[(was, decision.team)] += 1
            preview.changes.append(PreviewChange(
                case_id, case_number, TEAM_LABELS.get(was, was or "（未记录）"), TEAM_LABELS[decision.team],
                data.get("rule", ""), decision.rule_id, decision.reason, case_id in today,
            ))
        elif decision.rule_id != data.get("rule"):
            preview.rules_changed += 1
    preview.changed = len(preview.changes)
    preview.pairs = [
        (TEAM_LABELS.get(a, a), TEAM_LABELS.get(b, b), n)
        for (a, b), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    ]
    preview.teams = [
        PreviewTeam(kind, label, before[kind], after[kind])
        for kind, label in TEAM_LABELS.items()
        if before[kind] or after[kind]
    ]
    return preview


def _facts_read(rules: list[dict]) -> set[str]:
    """Every fact any rule's condition names (a rule set validate_rules passed)."""
    names: set[str] = set()

    def walk(condition: dict) -> None:
        for key in ("all", "any"):
            for part in condition.get(key, ()):
                walk(part)
        if "fact" in condition:
            names.add(condition["fact"])
        if "other" in condition:
            names.add(condition["other"])

    for rule in rules:
        walk(rule["when"])
    return names & FACTS.keys()


__all__ = [
    "PREVIEW_DEFAULT",
    "PREVIEW_MAX",
    "Preview",
    "PreviewChange",
    "RulesetRefused",
    "may_edit_rules",
    "may_view_rules",
    "ruleset_activate",
    "ruleset_draft_save",
    "ruleset_preview",
]
