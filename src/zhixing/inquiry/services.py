"""Start network inquiries for a batch of cases and record what comes back."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.courts.models import Officer
from zhixing.inquiry.models import Asset, Inquiry
from zhixing.inquiry.providers import ALL_KINDS, DebtorRef, InquiryProvider
from zhixing.rules.assets import ASSET_KINDS
from zhixing.rules.money import format_yuan


def inquiries_start(
    *, cases: Sequence[EnforcementCase], provider: InquiryProvider, now: datetime, kinds=ALL_KINDS
) -> list[Inquiry]:
    return Inquiry.objects.bulk_create(
        Inquiry(court_id=c.court_id, case=c, provider=provider.name, kinds=list(kinds), started_at=now)
        for c in cases
    )


def inquiries_collect(
    *, inquiries: Sequence[Inquiry], provider: InquiryProvider, now: datetime, actor: Officer | None = None
) -> list[Inquiry]:
    """Ask the provider about every debtor of these open inquiries; record the
    answers. Inquiries with any debtor unanswered stay open for the next pass."""
    if not inquiries:
        return []
    case_ids = [i.case_id for i in inquiries]
    debtors = defaultdict(list)
    for cp in CaseParty.objects.filter(case_id__in=case_ids, role="debtor").select_related("party"):
        debtors[cp.case_id].append(cp.party)
    refs = {p.id_code: DebtorRef(p.id_code, p.name, p.kind) for ps in debtors.values() for p in ps}
    kinds = tuple(sorted({k for i in inquiries for k in i.kinds}))
    answers = provider.inquire(list(refs.values()), kinds)
    done, assets, events = [], [], []
    for inq in inquiries:
        parties = debtors[inq.case_id]
        if any(answers.get(p.id_code) is None for p in parties):
            continue
        found = [
            Asset(
                court_id=inq.court_id, case_id=inq.case_id, inquiry=inq, debtor=p,
                kind=a.kind, holder=a.holder, value=a.value, detail=a.detail,
            )
            for p in parties
            for a in answers[p.id_code]
            if a.kind in inq.kinds
        ]
        assets.extend(found)
        inq.finished_at = now
        done.append(inq)
        events.append(
            CaseEvent(
                court_id=inq.court_id, case_id=inq.case_id, at=now, kind="inquiry_finished", actor=actor,
                detail=summarise(found), data={"inquiry": inq.id, "assets": len(found)},
            )
        )
    with transaction.atomic():
        Asset.objects.bulk_create(assets, batch_size=1000)
        Inquiry.objects.bulk_update(done, ["finished_at"], batch_size=500)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
    return done


def summarise(assets: Sequence[Asset]) -> str:
    """网络查控反馈, in one line: counts and totals per kind."""
    if not assets:
        return "网络查控反馈：未查得财产"
    count, total = defaultdict(int), defaultdict(int)
    for a in assets:
        count[a.kind] += 1
        total[a.kind] += a.value
    parts = [f"{ASSET_KINDS[k]}{count[k]}项共{format_yuan(total[k])}元" for k in ASSET_KINDS if count[k]]
    return "网络查控反馈：查得" + "，".join(parts)


def inquiries_rerun(
    *, cases: Sequence[EnforcementCase], provider: InquiryProvider, now: datetime, actor: Officer | None = None
) -> list[Inquiry]:
    """A further network inquiry on cases already at a team (no change of state)."""
    with transaction.atomic():
        CaseEvent.objects.bulk_create(
            CaseEvent(court_id=c.court_id, case=c, at=now, kind="inquiry_started", actor=actor,
                      detail="再次发起网络查控", data={"kinds": list(ALL_KINDS)})
            for c in cases
        )
        started = inquiries_start(cases=cases, provider=provider, now=now)
        return inquiries_collect(inquiries=started, provider=provider, now=now, actor=actor)
