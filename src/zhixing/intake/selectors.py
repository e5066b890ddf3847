"""Reads the filing doors show after a filing: warnings and the cases filed."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.courts.models import Court


def late_warnings(case_ids: Sequence[int]) -> dict[int, str]:
    """Case id -> the late-application warning cases_file wrote in the filed
    event (民事诉讼法第二百五十条), for the cases that have one. One query."""
    rows = CaseEvent.objects.filter(case_id__in=list(case_ids), kind="filed").values_list(
        "case_id", "data"
    )
    return {
        case_id: data["late_application"] for case_id, data in rows if data.get("late_application")
    }


def filed_cases(*, court: Court, case_ids: Sequence[int]) -> list[EnforcementCase]:
    """The court's cases with these ids, in filing order, each with `debtors`
    (its debtor parties in order) and its title. Three queries however many."""
    debtors = CaseParty.objects.filter(role="debtor").select_related("party").order_by("position")
    cases = list(
        EnforcementCase.objects.filter(court=court, id__in=list(case_ids))
        .select_related("title")
        .prefetch_related(Prefetch("case_parties", queryset=debtors, to_attr="debtor_roles"))
        .order_by("id")
    )
    for case in cases:
        case.debtors = [role.party for role in case.debtor_roles]
    return cases
