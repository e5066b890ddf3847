"""Reads of cases, and the one place that decides who may see a case."""

from django.db.models import Prefetch
from django.http import Http404

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.courts.models import Officer
from zhixing.funds.selectors import recovered_by_case


def access_case(officer: Officer | None, case_id: int) -> EnforcementCase:
    """Fetch a case the officer may see: any case of the officer's court.
    Missing and forbidden give the same 404."""
    if officer is None:
        raise Http404("案件不存在")
    case = (
        EnforcementCase.objects.filter(pk=case_id, court_id=officer.court_id)
        .select_related("court", "title", "team", "handler", "triage_ruleset")
        .prefetch_related(
            Prefetch("case_parties", queryset=CaseParty.objects.select_related("party").order_by("role", "position")),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
            "milestones",
        )
        .first()
    )
    if case is None:
        raise Http404("案件不存在")
    case.amount_recovered = recovered_by_case([case.id]).get(case.id, 0)
    case.found_assets = latest_assets(case)
    case.creditors = [cp.party for cp in case.case_parties.all() if cp.role == "creditor"]
    case.debtors = [cp.party for cp in case.case_parties.all() if cp.role == "debtor"]
    return case


def latest_assets(case: EnforcementCase) -> list:
    """What the latest answered inquiry found, and everything found by a field
    inquiry or a creditor's lead. Each network inquiry reports the same
    accounts again, so listing every inquiry's rows would count them twice;
    what a person found is recorded once and always shown."""
    from django.db.models import Q

    from zhixing.inquiry.models import Asset, Inquiry

    latest = (
        Inquiry.objects.filter(case=case, finished_at__isnull=False).order_by("-finished_at", "-id").first()
    )
    found_by_people = Q(case=case, inquiry__isnull=True) & ~Q(source="network")
    shown = found_by_people | Q(inquiry=latest) if latest is not None else found_by_people
    return list(Asset.objects.filter(shown).order_by("id"))
