"""案件详情: everything the case page shows, read through access_case (which
decides who may see the case) and shaped into rows with money in yuan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from zhixing.cases.models import EnforcementCase
from zhixing.cases.periods import TIME_LIMIT_PAUSED
from zhixing.cases.selectors import access_case
from zhixing.courts.models import Officer
from zhixing.rules.assets import ASSET_KINDS
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.money import capitalize_yuan, format_yuan
from zhixing.rules.triage import FACTS
from zhixing.web.selectors import MILESTONE_LABELS, DueStatus, due_status


@dataclass(frozen=True)
class AssetRow:
    kind: str
    holder: str
    value: str
    detail: str
    debtor: str


@dataclass(frozen=True)
class AssetTotal:
    kind: str
    count: int
    value: str


@dataclass(frozen=True)
class FactRow:
    label: str
    value: str


@dataclass(frozen=True)
class MilestoneRow:
    label: str
    due_on: date
    done_on: date | None
    status: DueStatus
    basis: str


@dataclass(frozen=True)
class EventRow:
    at: datetime
    kind: str
    actor: str
    detail: str


@dataclass
class Dossier:
    case: EnforcementCase
    claimed: str
    claimed_words: str  # 大写
    fee: str
    recovered: str
    outstanding: str
    assets: list[AssetRow]
    asset_totals: list[AssetTotal]
    assets_total: str
    facts: list[FactRow]
    milestones: list[MilestoneRow]
    events: list[EventRow]


def show_fact(name: str, value) -> str:
    """A triage fact as a person reads it: money in yuan, a list joined."""
    kind = FACTS[name][1] if name in FACTS else "text"
    if isinstance(value, list):
        return "、".join(show_fact(name, v) for v in value)
    if kind == "money" and isinstance(value, int):
        return f"{format_yuan(value)}元"
    return str(value)


def _status(case: EnforcementCase, milestone, today: date) -> DueStatus:
    # A step left undone when the case closed stops counting days.
    if case.state == "closed" and milestone.done_on is None:
        return DueStatus("结案时未完成", "")
    return due_status(milestone.due_on, milestone.done_on, today)


def dossier_for(*, officer: Officer | None, case_id: int, today: date) -> Dossier:
    """The case page. Raises Http404 (via access_case) for a case of another
    court or none at all; every list below comes from access_case's prefetches."""
    case = access_case(officer, case_id)
    debtors = {p.id: p.name for p in case.debtors}
    assets = sorted(
        case.found_assets, key=lambda a: (list(ASSET_KINDS).index(a.kind), -a.value, a.id)
    )
    count, total = defaultdict(int), defaultdict(int)
    for a in assets:
        count[a.kind] += 1
        total[a.kind] += a.value
    facts = case.triage_facts or {}
    ordered = [k for k in FACTS if k in facts] + [k for k in facts if k not in FACTS]
    return Dossier(
        case=case,
        claimed=format_yuan(case.amount_claimed),
        claimed_words=capitalize_yuan(case.amount_claimed),
        fee=format_yuan(enforcement_fee(case.amount_claimed)),
        recovered=format_yuan(case.amount_recovered),
        outstanding=format_yuan(max(case.amount_claimed - case.amount_recovered, 0)),
        assets=[
            AssetRow(
                ASSET_KINDS.get(a.kind, a.kind),
                a.holder,
                format_yuan(a.value),
                a.detail,
                debtors.get(a.debtor_id, ""),
            )
            for a in assets
        ],
        asset_totals=[
            AssetTotal(label, count[k], format_yuan(total[k]))
            for k, label in ASSET_KINDS.items()
            if count[k]
        ],
        assets_total=format_yuan(sum(total.values())),
        facts=[FactRow(FACTS[k][0] if k in FACTS else k, show_fact(k, facts[k])) for k in ordered],
        milestones=[
            MilestoneRow(
                MILESTONE_LABELS.get(m.kind, m.kind),
                None if m.due_on >= TIME_LIMIT_PAUSED else m.due_on,
                m.done_on,
                _status(case, m, today),
                m.basis,
            )
            for m in case.milestones.all()
        ],
        events=[
            EventRow(e.at, e.get_kind_display(), e.actor_name, e.detail) for e in case.events.all()
        ],
    )
