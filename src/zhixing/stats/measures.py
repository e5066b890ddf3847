"""Quality measures computed from the event log (rules.md §13).

A case counts in the period of its `closed` event; new cases by their `filed`
event; the fast-track share by `triaged` events. Only first-enforcement cases
(执) count. Every figure is a handful of grouped queries, whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from zhixing.cases.models import CaseEvent, ExcludedPeriod
from zhixing.courts.models import Court
from zhixing.funds.selectors import recovered_by_case
from zhixing.rules import measures as m
from zhixing.rules.deadlines import add_months, is_litigation_title


@dataclass(frozen=True)
class Measures:
    start: date
    end: date
    new_cases: int
    closed_cases: int
    performed: int
    terminated_round: int
    amount_claimed: int
    amount_recovered: int
    mean_days: Decimal | None
    performed_rate: Decimal | None
    recovery_rate: Decimal | None
    terminated_round_rate: Decimal | None
    on_time_rate: Decimal | None
    triaged: int
    fast_track: int
    fast_track_share: Decimal | None

    def as_json(self) -> dict:
        def num(x):
            return float(x) if x is not None else None

        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "new_cases": self.new_cases,
            "closed_cases": self.closed_cases,
            "mean_days": num(self.mean_days),
            "performed_rate": num(self.performed_rate),
            "recovery_rate": num(self.recovery_rate),
            "fast_track_share": num(self.fast_track_share),
            "terminated_round_rate": num(self.terminated_round_rate),
            "on_time_rate": num(self.on_time_rate),
        }


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the court's time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def counted_events(court: Court, kind: str, start: date, end: date):
    lo, hi = day_bounds(start, end)
    return CaseEvent.objects.filter(
        court=court, kind=kind, at__gte=lo, at__lt=hi, case__type_code__in=m.COUNTED_TYPES
    )


def measures_for(*, court: Court, start: date, end: date) -> Measures:
    new_cases = counted_events(court, "filed", start, end).count()
    closed = list(
        counted_events(court, "closed", start, end).values_list(
            "case_id", "data__mode", "case__filed_on", "case__closed_on", "case__amount_claimed", "case__title__kind"
        )
    )
    ids = [row[0] for row in closed]
    excluded = defaultdict(list)
    for case_id, s, e in ExcludedPeriod.objects.filter(case_id__in=ids).values_list("case_id", "start_on", "end_on"):
        excluded[case_id].append((s, e or date.max))
    recovered = recovered_by_case(ids)
    days, limits = [], []
    for case_id, _, filed_on, closed_on, _, title_kind in closed:
        days.append(m.days_counted(filed_on, closed_on, excluded[case_id]))
        limits.append((add_months(filed_on, 6 if is_litigation_title(title_kind) else 3) - filed_on).days)
    performed = sum(1 for row in closed if row[1] == "performed")
    terminated_round = sum(1 for row in closed if row[1] == "terminated_round")
    claimed = sum(row[4] for row in closed)
    got = sum(min(recovered.get(row[0], 0), row[4]) for row in closed)
    triaged = list(counted_events(court, "triaged", start, end).values_list("data__team", flat=True))
    fast = sum(1 for t in triaged if t in m.FAST_TRACK_TEAMS)
    return Measures(
        start=start,
        end=end,
        new_cases=new_cases,
        closed_cases=len(closed),
        performed=performed,
        terminated_round=terminated_round,
        amount_claimed=claimed,
        amount_recovered=got,
        mean_days=m.mean_days(days),
        performed_rate=m.performed_rate(performed, len(closed)),
        recovery_rate=m.recovery_rate(got, claimed),
        terminated_round_rate=m.terminated_round_rate(terminated_round, len(closed)),
        on_time_rate=m.on_time_rate(days, limits),
        triaged=len(triaged),
        fast_track=fast,
        fast_track_share=m.fast_track_share(fast, len(triaged)),
    )
