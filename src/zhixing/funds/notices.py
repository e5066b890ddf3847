"""Notices to parties (the SMS outbox): one notice per key, however often the
code that raises it runs. A gateway (not part of this system) sends them and
stamps sent_at; the case page and the creditor's timeline show them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from zhixing.cases.models import CaseParty
from zhixing.funds.models import Notice


@dataclass(frozen=True)
class NoticeItem:
    case_id: int
    reason: str  # Notice.Reason
    key: str  # e.g. "arrival:<line id>:<party id>": the same key is queued once
    text: str
    party_id: int | None = None
    phone: str = ""


@dataclass(frozen=True)
class Contact:
    party_id: int
    name: str
    phone: str


def creditor_contacts(case_ids: Iterable[int]) -> dict[int, list[Contact]]:
    """The creditors (申请执行人) of each case, in their order on the case."""
    out: dict[int, list[Contact]] = defaultdict(list)
    rows = (
        CaseParty.objects.filter(case_id__in=list(case_ids), role="creditor")
        .order_by("case_id", "position", "id")
        .values_list("case_id", "party_id", "party__name", "party__phone")
    )
    for case_id, party_id, name, phone in rows:
        out[case_id].append(Contact(party_id, name, phone or ""))
    return out


def notices_queue(*, court_id: int, items: Sequence[NoticeItem], now: datetime) -> int:
    """Queue notices, skipping keys already queued; returns how many are new.
    Runs in the caller's transaction."""
    keys = [i.key for i in items]
    seen = set(Notice.objects.filter(court_id=court_id, key__in=keys).values_list("key", flat=True))
    new = [i for i in items if i.key not in seen]
    Notice.objects.bulk_create(
        Notice(
            court_id=court_id,
            case_id=i.case_id,
            party_id=i.party_id,
            reason=i.reason,
            phone=i.phone,
            text=i.text,
            key=i.key,
            created_at=now,
        )
        for i in new
    )
    return len(new)
