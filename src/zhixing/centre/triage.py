"""繁简分流 (rules.md §14): the court's active rule set, the facts it reads,
the triage of every case whose first inquiry has answered, and 人工改分 (a
centre officer moving a triaged case to another team, with a reason).
Versions of the rule set (draft, preview, activate) live in rulesets.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.cases.services import (
    CaseRow,
    EventSpec,
    StaleCase,
    TransitionRefused,
    _select_in,
    case_rows,
    transition,
)
from zhixing.centre.dispatch import Picker
from zhixing.centre.models import TriageRuleSet
from zhixing.courts.models import Court, Officer, Team
from zhixing.inquiry.models import Asset
from zhixing.rules import Decision, Reason
from zhixing.rules.assets import CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.states import STATES
from zhixing.rules.triage import DEFAULT_RULES, TEAM_LABELS, triage_batch


def active_ruleset(court: Court) -> TriageRuleSet:
    """The court's active version of the triage rules; the defaults on first use.

    A court whose versions are all drafts (or that has none) gets the defaults
    as its next version, active; a concurrent first use finds the other's row."""
    ruleset = TriageRuleSet.objects.filter(court=court, is_active=True).first()
    if ruleset is not None:
        return ruleset
    now = timezone.now()
    last = TriageRuleSet.objects.filter(court=court).order_by("-version").values_list("version", flat=True).first()
    try:
        with transaction.atomic():
            return TriageRuleSet.objects.create(
                court=court, version=(last or 0) + 1, rules=DEFAULT_RULES, created_at=now,
                is_active=True, activated_at=now, note="默认规则（规则说明第十四节）",
            )
    except IntegrityError:
        return TriageRuleSet.objects.get(court=court, is_active=True)


def triage_facts(cases: Sequence[EnforcementCase]) -> dict[int, dict]:
    """The facts of rules.md §14 for each case, read with a few grouped queries."""
    # Raw SQL by key (_select_in): the ORM's IN lookups prepare each id in Python.
    ids = [c.id for c in cases]
    q = connection.ops.quote_name
    asset, case_party, case = (q(m._meta.db_table) for m in (Asset, CaseParty, EnforcementCase))
    cash, prop_value, prop_count = defaultdict(int), defaultdict(int), defaultdict(int)
    for case_id, kind, total, n in _select_in(
        f"SELECT case_id, kind, SUM(value), COUNT(id) FROM {asset} WHERE case_id {{}} GROUP BY case_id, kind",
        [], ids,
    ):
        total = int(total)  # PostgreSQL sums bigints as numeric
        if kind in CASH_KINDS:
            cash[case_id] += total
        elif kind in PROPERTY_KINDS:
            prop_value[case_id] += total
            prop_count[case_id] += n
    debtors = defaultdict(list)
    for case_id, party_id in _select_in(
        f"SELECT case_id, party_id FROM {case_party} WHERE role = %s AND case_id {{}} ORDER BY id", ["debtor"], ids
    ):
        debtors[case_id].append(party_id)
    all_debtors = {p for ps in debtors.values() for p in ps}
    open_per_debtor = dict(
        _select_in(
            f"SELECT cp.party_id, COUNT(DISTINCT cp.case_id) FROM {case_party} cp JOIN {case} c ON c.id = cp.case_id "
            f"WHERE cp.role = %s AND c.state <> %s AND cp.party_id {{}} GROUP BY cp.party_id",
            ["debtor", "closed"], all_debtors,
        )
    )
    facts = {}
    for c in cases:
        facts[c.id] = {
            "case_type": c.type_code,
            "amount_claimed": c.amount_claimed,
            "amount_due": c.amount_claimed + enforcement_fee(c.amount_claimed),
            "cash_found": cash[c.id],
            "property_found": prop_value[c.id],
            "property_count": prop_count[c.id],
            "debtor_count": len(debtors[c.id]),
            "open_cases_max": max((open_per_debtor.get(p, 0) for p in debtors[c.id]), default=0),
        }
    return facts


def cases_triage(*, court: Court, now: datetime, limit: int) -> list[CaseRow]:
    """繁简分流 of every case whose first inquiry has answered.

    The cases and their facts are read, and the rules applied, before the
    transaction: on SQLite it holds the database's one write lock, which the
    other steps wait for. Inside, the cases are locked and moved; one that
    another hand changed meanwhile is left for the next pass (skip_moved)."""
    # What the facts and transition read, as plain rows: model instances cost more than the rules.
    cases = case_rows(
        EnforcementCase.objects.filter(court=court, state="inquiring")
        .exclude(inquiries__finished_at__isnull=True).order_by("id")[:limit],
        "id", "court_id", "case_number", "state", "version", "type_code", "amount_claimed",
    )
    if not cases:
        return []
    ruleset = active_ruleset(court)
    facts = triage_facts(cases)
    teams = {t.kind: t for t in Team.objects.filter(court=court)}
    events = {}
    decisions = triage_batch(ruleset.rules, facts)
    for c in cases:
        decision = decisions[c.id]
        c.triage_rule, c.triage_ruleset_id = decision.rule_id, ruleset.id
        events[c.id] = EventSpec(
            "triaged",
            f"分流至{TEAM_LABELS[decision.team]}：{decision.reason}",
            # `facts` are those the rules read; `facts_all` every fact, so a
            # draft rule set can be tried on this case later (rulesets.py).
            # The reason and facts live here only (EnforcementCase.triage_reason, triage_facts).
            {"team": decision.team, "rule": decision.rule_id, "ruleset": ruleset.version,
             "reason": decision.reason, "facts": decision.facts, "facts_all": facts[c.id]},
        )
        c.team_id = teams[decision.team].id
    # Rows written by groups of (team, rule, version): a few UPDATEs for the batch.
    return transition(
        cases=cases, action="triage", actor=None, now=now, events=events,
        fields=["team", "triage_rule", "triage_ruleset"], skip_moved=True,
    )


# ---------------------------------------------------------------- 人工改分

REROUTABLE_STATES = ("triaged", "dispatched")


class RerouteRefused(TransitionRefused):
    """A re-routing refused, in Chinese; nothing was written."""


def _refuse(message: str, case_id: int | None = None):
    raise RerouteRefused(message, {case_id: Decision.refuse(Reason(message))})


def may_reroute(officer: Officer | None) -> bool:
    """The command centre and the director correct triage; the robot may too."""
    return officer is None or officer.role in (Officer.Role.CENTRE, Officer.Role.DIRECTOR)


def cases_reroute(
    *,
    cases: Sequence[EnforcementCase],
    team: Team,
    reason: str,
    actor: Officer | None,
    now: datetime,
) -> list[EnforcementCase]:
    """人工改分: move triaged or dispatched cases to another team, with a reason.

    The triage decision stays as it was (rule, facts, version); the `rerouted`
    event records the correction. A dispatched case needs a handler in its new
    team: the team's least-loaded handler present today (dispatch.Picker), or
    none, waiting for the team leader, when nobody is at their desk."""
    reason = (reason or "").strip()
    if not reason:
        _refuse("请填写改分理由")
    if not may_reroute(actor):
        _refuse("无权人工改分：只有指挥中心或执行局长可以改分")
    if not cases:
        return []
    with transaction.atomic():
        rows = {
            r.id: r
            for r in EnforcementCase.objects.select_for_update()
            .filter(id__in=[c.id for c in cases])
            .order_by("id")
            .only("id", "court_id", "case_number", "state", "version", "team_id", "handler_id", "home_team_id")
        }
        for c in cases:
            r = rows[c.id]
            if r.version != c.version:
                raise StaleCase(f"案件{r.case_number}已被他人修改，请刷新后重试")
            if r.court_id != team.court_id or (actor is not None and actor.court_id != r.court_id):
                _refuse(f"案件{r.case_number}不是{team.name}所在法院的案件", r.id)
            if r.state not in REROUTABLE_STATES:
                _refuse(f"案件{r.case_number}当前状态为“{STATES.get(r.state, r.state)}”，不能人工改分", r.id)
            if r.home_team_id:
                _refuse(f"案件{r.case_number}正移交他团队办理，须先退回再改分", r.id)
            if r.team_id == team.id:
                _refuse(f"案件{r.case_number}已由{team.name}办理，无需改分", r.id)
        teams = Team.objects.filter(court_id=team.court_id).in_bulk()
        officers = Officer.objects.in_bulk([r.handler_id for r in rows.values() if r.handler_id])
        picker = None
        if any(r.state == "dispatched" for r in rows.values()):
            picker = Picker(court=teams[team.id].court, day=timezone.localdate(now))
        events = []
        for c in cases:
            r = rows[c.id]
            from_team, from_handler = r.team_id, r.handler_id
            r.team_id = team.id
            detail = f"人工改分：由{teams[from_team].name}改分至{team.name}"
            if r.state == "dispatched":
                desk = picker.pick(team)
                r.handler_id = desk.officer.id if desk else None
                before = officers[from_handler].name if from_handler else "未指定承办人"
                if desk:
                    detail += f"，承办人由{before}变更为{desk.officer.name}（在办{desk.open_cases}件，加权负荷{desk.load}）"
                else:
                    detail += f"，原承办人{before}不再承办，{picker.nobody_text(team)}"
            detail += f"。理由：{reason}"
            r.version += 1
            events.append(CaseEvent(
                court_id=r.court_id, case_id=r.id, at=now, kind="rerouted", actor=actor, detail=detail,
                data={
                    "from_team": teams[from_team].kind, "to_team": team.kind, "reason": reason,
                    "from_handler": from_handler, "to_handler": r.handler_id,
                },
            ))
        EnforcementCase.objects.bulk_update(list(rows.values()), ["team", "handler", "version"], batch_size=500)
        CaseEvent.objects.bulk_create(events)
    for c in cases:
        r = rows[c.id]
        c.version, c.team_id, c.handler_id = r.version, r.team_id, r.handler_id
        for name in ("team", "handler"):
            field = EnforcementCase._meta.get_field(name)
            if field.is_cached(c):
                field.delete_cached_value(c)
    return list(cases)
