"""What the money-in pages show: the imports, one import's lines, the claim
queue (待认领款) and the counts on the funds home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhixing.courts.models import Court
from zhixing.funds.matching import HOW_LABELS
from zhixing.funds.models import StatementImport, StatementLine
from zhixing.funds.settings import funds_settings
from zhixing.funds.statements import MAPPINGS
from zhixing.rules.money import format_yuan

_UNMATCHED = Q(direction="in", matched_how="")


def _with_counts(imports):
    return imports.annotate(
        matched=Count("lines", filter=Q(lines__direction="in") & ~Q(lines__matched_how="")),
        unmatched=Count("lines", filter=Q(lines__direction="in", lines__matched_how="")),
        outgoing=Count("lines", filter=Q(lines__direction="out")),
    )


@dataclass(frozen=True)
class StatementsPage:
    imports: list
    mappings: list[tuple[str, str]]


def statements_page(*, court: Court, limit: int = 50) -> StatementsPage:
    imports = _with_counts(
        StatementImport.objects.filter(court=court).select_related("imported_by")
    )
    return StatementsPage(
        imports=list(imports.order_by("-imported_at", "-id")[:limit]),
        mappings=[(m.key, m.label) for m in MAPPINGS.values()],
    )


@dataclass(frozen=True)
class ImportDetail:
    statement: StatementImport
    mapping_label: str
    lines: list  # StatementLine, with case


def statement_detail(*, court: Court, statement_id: int) -> ImportDetail | None:
    statement = (
        _with_counts(StatementImport.objects.filter(court=court, id=statement_id))
        .select_related("imported_by")
        .first()
    )
    if statement is None:
        return None
    lines = list(
        StatementLine.objects.filter(statement=statement)
        .select_related("case")
        .order_by("booked_at", "id")
    )
    for line in lines:
        line.how_label = HOW_LABELS.get(line.matched_how) or (
            line.get_matched_how_display() if line.matched_how else ""
        )
    mapping = MAPPINGS.get(statement.mapping)
    return ImportDetail(statement, mapping.label if mapping else statement.mapping, lines)


@dataclass(frozen=True)
class ClaimRow:
    line: StatementLine
    amount: str
    due_on: date | None
    days_left: int | None  # negative: overdue by that many days

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def status(self) -> str:
        if self.days_left is None:
            return ""
        if self.days_left < 0:
            return f"逾期{-self.days_left}天"
        return "今日到期" if self.days_left == 0 else f"剩余{self.days_left}天"


@dataclass(frozen=True)
class ClaimQueue:
    rows: list[ClaimRow]
    total: str
    overdue_count: int
    settled: list  # recently claimed or returned lines
    claim_days: int


def claim_queue(*, court: Court, today: date, settled_limit: int = 20) -> ClaimQueue:
    """Unmatched incoming lines, oldest first, with their claim limit (rules.md §3)."""
    lines = StatementLine.objects.filter(_UNMATCHED, court=court).order_by("booked_at", "id")
    rows = [
        ClaimRow(
            line=line,
            amount=format_yuan(line.amount),
            due_on=line.claim_due_on,
            days_left=(line.claim_due_on - today).days if line.claim_due_on else None,
        )
        for line in lines
    ]
    settled = list(
        StatementLine.objects.filter(court=court, matched_how__in=("claimed", "returned"))
        .select_related("case", "claimed_by")
        .order_by("-claimed_at", "-id")[:settled_limit]
    )
    return ClaimQueue(
        rows=rows,
        total=format_yuan(sum(line.amount for line in lines)),
        overdue_count=sum(1 for r in rows if r.overdue),
        settled=settled,
        claim_days=funds_settings(court).claim_days,
    )


@dataclass(frozen=True)
class MoneyInCounts:
    unmatched: int
    unmatched_total: str
    overdue: int
    last_import: StatementImport | None


def money_in_counts(*, court_id: int, today: date) -> MoneyInCounts:
    """For the funds home page's card: one aggregate and one row."""
    agg = StatementLine.objects.filter(_UNMATCHED, court_id=court_id).aggregate(
        n=Count("id"), total=Sum("amount"), overdue=Count("id", filter=Q(claim_due_on__lt=today))
    )
    last = StatementImport.objects.filter(court_id=court_id).select_related("imported_by").first()
    return MoneyInCounts(agg["n"], format_yuan(agg["total"] or 0), agg["overdue"], last)


@dataclass(frozen=True)
class ClaimWarning:
    """An unmatched line past (or at) its claim limit, in the shape the
    command centre's warning rows use (templates/tasks/_warn_rows.html)."""

    due_on: date
    days: int  # negative: overdue by that many days
    what: str
    source: str = "待认领款"
    case_id: None = None
    case_number: str = ""
    is_task: bool = False
    who: str = "财务"

    @property
    def status(self) -> str:
        return f"逾期{-self.days}天" if self.days < 0 else "今日到期"


def claim_warnings(*, court: Court, today: date, limit: int = 20) -> list[ClaimWarning]:
    """Unmatched money due for a claim today or overdue, oldest limit first:
    for the board (one query, capped)."""
    lines = StatementLine.objects.filter(_UNMATCHED, court=court, claim_due_on__lte=today).order_by(
        "claim_due_on", "id"
    )[:limit]
    return [
        ClaimWarning(
            due_on=line.claim_due_on,
            days=(line.claim_due_on - today).days,
            what=f"{format_yuan(line.amount)}元待认领（{line.counterparty_name or '付款人不详'}，"
            f"{timezone.localtime(line.booked_at).date().isoformat()}到账）",
        )
        for line in lines
    ]
