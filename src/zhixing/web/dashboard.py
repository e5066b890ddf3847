"""质效看板: the quality measures of a period as tiles, and the numbers behind
each chart, gathered with grouped queries (TruncMonth on the cases' own date
fields, so SQLite and PostgreSQL group alike and no time zone is involved).

Each bar carries the case-list filters that list exactly the cases it counts;
the view turns them into links. Like the measures, the charts count
first-enforcement cases (执) only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Court, Team
from zhixing.funds.models import LedgerEntry
from zhixing.rules import measures as m
from zhixing.rules.deadlines import add_months
from zhixing.rules.money import format_yuan
from zhixing.rules.states import CLOSING_MODES
from zhixing.stats.measures import Measures, counted_events, measures_for

# rules.md §13: national reference points, 2025 Q1.
NATIONAL_PERFORMED_RATE = Decimal("0.4432")
NATIONAL_RECOVERY_RATE = Decimal("0.5674")
# rules.md §14: the reform's goal for the fast tracks (one_shot + simple).
FAST_TRACK_GOAL = Decimal("0.60")
COUNTED_TYPE = m.COUNTED_TYPES[0]


def percent(rate: Decimal | None) -> str:
    """A rate as a percentage with one decimal: 0.4432 → 44.3%; none → —."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    note: str = ""
    css: str = ""


@dataclass(frozen=True)
class FundsFlow:
    """案款收支 of the period, in fen, from the ledger by value_on."""

    received: int  # arrived for a case or claimed to one (receipt + claim)
    paid: int  # paid to creditors (disbursement)
    fee: int  # enforcement fee collected
    refunded: int  # surplus returned to debtors
    unclaimed_end: int  # waiting to be claimed at the end of the period

    def cells(self) -> list[tuple[str, str]]:
        """(label, yuan) for the page."""
        return [
            ("到账及认领到案", format_yuan(self.received)),
            ("发放申请执行人", format_yuan(self.paid)),
            ("收取申请执行费", format_yuan(self.fee)),
            ("退还被执行人", format_yuan(self.refunded)),
            ("期末待认领款", format_yuan(self.unclaimed_end)),
        ]


def funds_flow(court: Court, start: date, end: date) -> FundsFlow:
    """Two queries: the period's rows summed by kind, and the unclaimed money at its end."""
    by_kind = dict(
        LedgerEntry.objects.filter(court=court, value_on__gte=start, value_on__lte=end)
        .order_by()
        .values_list("kind")
        .annotate(total=Sum("amount"))
    )
    unclaimed = LedgerEntry.objects.filter(
        Q(debit="unclaimed") | Q(credit="unclaimed"), court=court, value_on__lte=end
    ).aggregate(
        b=Sum(
            Case(
                When(credit="unclaimed", then="amount"),
                When(debit="unclaimed", then=-1 * F("amount")),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )["b"]
    return FundsFlow(
        received=by_kind.get("receipt", 0) + by_kind.get("claim", 0),
        paid=by_kind.get("disbursement", 0),
        fee=by_kind.get("fee", 0),
        refunded=by_kind.get("refund", 0),
        unclaimed_end=unclaimed or 0,
    )


@dataclass(frozen=True)
class Dashboard:
    measures: Measures
    tiles: list[Tile]
    fast_track_met: bool | None
    funds: FundsFlow | None = None


def presets(today: date) -> list[tuple[str, date, date]]:
    """The quick periods: 本月, 本季度, 本年, 近12个月 (each up to today)."""
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [
        ("本月", today.replace(day=1), today),
        ("本季度", quarter, today),
        ("本年", date(today.year, 1, 1), today),
        ("近12个月", add_months(today, -12) + timedelta(days=1), today),
    ]


def dashboard_for(*, court: Court, start: date, end: date) -> Dashboard:
    x = measures_for(court=court, start=start, end=end)
    met = None if x.fast_track_share is None else x.fast_track_share > FAST_TRACK_GOAL
    goal = (
        f"目标＞{percent(FAST_TRACK_GOAL)}："
        + {None: "暂无分流案件", True: "已达标", False: "未达标"}[met]
    )
    tiles = [
        Tile("新收案件数", str(x.new_cases)),
        Tile("结案数", str(x.closed_cases)),
        Tile("平均执行天数", "—" if x.mean_days is None else f"{x.mean_days}天"),
        Tile(
            "执行完毕率",
            percent(x.performed_rate),
            f"全国参考值{percent(NATIONAL_PERFORMED_RATE)}（2025年一季度）",
        ),
        Tile(
            "执行到位率",
            percent(x.recovery_rate),
            f"全国参考值{percent(NATIONAL_RECOVERY_RATE)}（2025年一季度）",
        ),
        Tile("终本率", percent(x.terminated_round_rate)),
        Tile("法定期限内结案率", percent(x.on_time_rate)),
        Tile(
            "快速通道占比",
            percent(x.fast_track_share),
            goal,
            {None: "", True: "met", False: "unmet"}[met],
        ),
    ]
    return Dashboard(measures=x, tiles=tiles, fast_track_met=met, funds=funds_flow(court, start, end))


# ---------------------------------------------------------------- charts


@dataclass(frozen=True)
class Point:
    value: int
    filters: dict  # case-list filters that list the cases counted here


@dataclass(frozen=True)
class ChartData:
    title: str
    x_labels: list[str]
    series: list[tuple[str, list[Point]]]


def _months(start: date, end: date) -> list[date]:
    first, months = start.replace(day=1), []
    while first <= end:
        months.append(first)
        first = add_months(first, 1)
    return months


def _monthly(court: Court, start: date, end: date) -> ChartData:
    cases = EnforcementCase.objects.filter(court=court, type_code=COUNTED_TYPE)
    series = []
    for name, field, prefix in (("新收", "filed_on", "filed"), ("结案", "closed_on", "closed")):
        counts = {
            row["month"]: row["n"]
            for row in cases.filter(**{f"{field}__gte": start, f"{field}__lte": end})
            .annotate(month=TruncMonth(field))
            .order_by()
            .values("month")
            .annotate(n=Count("id"))
        }
        points = []
        for month in _months(start, end):
            last = add_months(month, 1) - timedelta(days=1)
            points.append(
                Point(
                    counts.get(month, 0),
                    {
                        "type_code": COUNTED_TYPE,
                        f"{prefix}_from": max(month, start).isoformat(),
                        f"{prefix}_to": min(last, end).isoformat(),
                    },
                )
            )
        series.append((name, points))
    one_year = start.year == end.year
    labels = [f"{d.month}月" if one_year else f"{d:%Y-%m}" for d in _months(start, end)]
    title = f"{start.year}年每月新收与结案" if one_year else "每月新收与结案"
    return ChartData(title, labels, series)


def _modes(court: Court, start: date, end: date) -> ChartData:
    counts = dict(
        EnforcementCase.objects.filter(
            court=court, type_code=COUNTED_TYPE, closed_on__gte=start, closed_on__lte=end
        )
        .order_by()
        .values_list("closing_mode")
        .annotate(n=Count("id"))
    )
    period = {
        "type_code": COUNTED_TYPE,
        "closed_from": start.isoformat(),
        "closed_to": end.isoformat(),
    }
    points = [
        Point(counts.get(mode, 0), {**period, "closing_mode": mode}) for mode in CLOSING_MODES
    ]
    return ChartData("结案方式", list(CLOSING_MODES.values()), [("结案数", points)])


def _teams(court: Court, start: date, end: date) -> ChartData:
    counts = dict(
        counted_events(court, "triaged", start, end)
        .order_by()
        .values_list("data__team")
        .annotate(n=Count("id"))
    )
    teams = list(Team.objects.filter(court=court).order_by("id"))
    period = {
        "type_code": COUNTED_TYPE,
        "triaged_from": start.isoformat(),
        "triaged_to": end.isoformat(),
    }
    points = [Point(counts.get(t.kind, 0), {**period, "team": t.kind}) for t in teams]
    return ChartData("各团队分流案件数", [t.name for t in teams], [("分流案件数", points)])


CHARTS = {"monthly": _monthly, "modes": _modes, "teams": _teams}


def chart_data(*, court: Court, name: str, start: date, end: date) -> ChartData:
    """The numbers of one named chart; KeyError for a name that is not one."""
    return CHARTS[name](court, start, end)
