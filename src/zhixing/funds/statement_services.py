"""Money in: importing the custody account's bank statement, the claim queue
(待认领款) and the arrival notices (docs/bank-statement.md).

Each service runs in one transaction: the statement lines, the ledger rows
(through ledger_post), the case events and the notices commit together or
not at all. A bank serial is stored once per court, so importing the same
statement again, or two statements that overlap, books each line once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.courts.models import Court, Officer
from zhixing.funds.ledger import LedgerRefused, Posting, ledger_post
from zhixing.funds.matching import HOW_LABELS, Match, match_incoming
from zhixing.funds.models import LedgerEntry, StatementImport, StatementLine
from zhixing.funds.notices import NoticeItem, creditor_contacts, notices_queue
from zhixing.funds.settings import funds_settings
from zhixing.funds.statements import MAPPINGS, StatementRefused, parse_statement
from zhixing.rules.case_number import CaseNumberError, parse_case_number
from zhixing.rules.money import format_yuan
from zhixing.rules.states import OPEN_STATES

__all__ = [
    "MONEY_IN_ROLES",
    "ImportResult",
    "MoneyInRefused",
    "StatementRefused",
    "may_handle_money_in",
    "statements_claim",
    "statements_import",
    "statements_return",
]

# Who may import statements, claim and return unmatched money [practice: the
# finance desk, the command centre, the bureau director].
MONEY_IN_ROLES = ("finance", "centre", "director")
NOTE_MAX = 200
_CHUNK = 2000  # serials per IN (...) query


class MoneyInRefused(Exception):
    """A claim or return the court may not make; str(e) is Chinese."""


def may_handle_money_in(officer: Officer | None) -> bool:
    return officer is not None and officer.role in MONEY_IN_ROLES


def _check_role(officer: Officer | None, what: str) -> None:
    if not may_handle_money_in(officer):
        role = officer.get_role_display() if officer else "未登录"
        raise MoneyInRefused(f"{role}岗位不能{what}（限财务、指挥中心、执行局长）")


@dataclass(frozen=True)
class LineOutcome:
    row: int
    serial: str
    booked_at: datetime
    direction: str
    amount: int
    counterparty_name: str
    remark: str
    case_id: int | None = None
    case_number: str = ""
    how: str = ""
    closed: bool = False

    @property
    def amount_yuan(self) -> str:
        return format_yuan(self.amount)

    @property
    def how_label(self) -> str:
        return HOW_LABELS.get(self.how, "")


@dataclass
class ImportResult:
    statement: StatementImport
    mapping_label: str
    line_count: int  # lines read from the file
    new_count: int  # lines stored now
    duplicate_count: int  # lines already stored by an earlier import
    skipped_rows: int  # blank rows, total rows, a line repeated inside the file
    matched: dict[str, int] = field(default_factory=dict)  # how -> count
    matched_amount: int = 0
    unmatched_count: int = 0
    unmatched_amount: int = 0
    outgoing_count: int = 0
    notices: int = 0
    lines: list[LineOutcome] = field(default_factory=list)  # the new lines

    @property
    def matched_count(self) -> int:
        return sum(self.matched.values())

    @property
    def matched_rows(self) -> list[tuple[str, int]]:
        return [
            (HOW_LABELS[h], self.matched.get(h, 0)) for h in ("sub_account", "case_number", "payer")
        ]


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _day_text(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _arrival_text(court: Court, case_number: str, amount: int, on: date) -> str:
    return (
        f"【{court.name}】您申请执行的{case_number}一案，"
        f"{_day_text(on)}收到执行款{format_yuan(amount)}元，本院将依法及时发放。"
    )


def _arrival_notices(
    court: Court, arrivals: list[tuple[StatementLine, int, str]]
) -> list[NoticeItem]:
    """One SMS to each creditor of the case, per arrival (line, case id, case number)."""
    contacts = creditor_contacts({case_id for _, case_id, _ in arrivals})
    return [
        NoticeItem(
            case_id=case_id,
            reason="arrival",
            key=f"arrival:{line.id}:{c.party_id}",
            text=_arrival_text(court, number, line.amount, _local_day(line.booked_at)),
            party_id=c.party_id,
            phone=c.phone,
        )
        for line, case_id, number in arrivals
        for c in contacts.get(case_id, [])
    ]


def _chunks(items: list, n: int = _CHUNK):
    for i in range(0, len(items), n):
        yield items[i : i + n]


# ---------------------------------------------------------------- import


def statements_import(
    *,
    court: Court,
    officer: Officer | None,
    file_name: str,
    data: bytes,
    mapping: str | None,
    now: datetime,
) -> ImportResult:
    """导入对账单: store the lines not seen before, match the incoming ones,
    book them (receipt to the case, or unmatched to 待认领款) and queue the
    arrival notices. Raises StatementRefused (a list of Chinese errors naming
    rows and columns) or MoneyInRefused; then nothing is written."""
    _check_role(officer, "导入银行对账单")
    import hashlib

    parsed = parse_statement(
        file_name=file_name,
        data=data,
        mapping=mapping or None,
        tz=timezone.get_default_timezone(),
        today=timezone.localdate(now),
    )
    settings = funds_settings(court)
    serials = [r.serial for r in parsed.rows]
    with transaction.atomic():
        # One import at a time per court: two overlapping statements imported
        # at once would both find a serial new and the second would fail on
        # the unique constraint; this way the second sees the first's lines.
        Court.objects.select_for_update().filter(id=court.id).first()
        seen: set[str] = set()
        booked: set[str] = set()
        for part in _chunks(serials):
            seen |= set(
                StatementLine.objects.filter(court=court, serial__in=part).values_list(
                    "serial", flat=True
                )
            )
        new_rows = [r for r in parsed.rows if r.serial not in seen]
        for part in _chunks([r.serial for r in new_rows]):
            booked |= set(
                LedgerEntry.objects.filter(court=court, reference__in=part).values_list(
                    "reference", flat=True
                )
            )
        if booked:
            rows = "、".join(str(r.row) for r in new_rows if r.serial in booked)
            raise StatementRefused(
                [f"第{rows}行的流水号已作为其他款项记账（可能曾手工登记），请核对后再导入"]
            )
        matches: dict[int, Match] = match_incoming(
            court=court, prefix=settings.account_prefix, lines=new_rows
        )

        statement = StatementImport.objects.create(
            court=court,
            file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(),
            mapping=parsed.mapping,
            imported_at=now,
            imported_by=officer,
            line_count=len(parsed.rows),
            new_count=len(new_rows),
            first_on=parsed.first_on,
            last_on=parsed.last_on,
            closing_balance=parsed.closing_balance,
        )
        lines = StatementLine.objects.bulk_create(
            StatementLine(
                court=court,
                statement=statement,
                serial=r.serial,
                booked_at=r.booked_at,
                direction=r.direction,
                amount=r.amount,
                counterparty_name=r.counterparty_name,
                counterparty_account=r.counterparty_account,
                sub_account=r.sub_account,
                remark=r.remark,
                balance_after=r.balance_after,
                case_id=matches[i].case_id if i in matches else None,
                matched_how=matches[i].how if i in matches else "",
                claim_due_on=(
                    _local_day(r.booked_at) + timedelta(days=settings.claim_days)
                    if r.direction == "in" and i not in matches
                    else None
                ),
            )
            for i, r in enumerate(new_rows)
        )
        matched = [(i, lines[i], matches[i]) for i in sorted(matches)]
        events = CaseEvent.objects.bulk_create(
            CaseEvent(
                court=court,
                case_id=m.case_id,
                at=now,
                kind="funds_received",
                actor=officer,
                detail=_received_detail(line.amount, HOW_LABELS[m.how], m.closed),
                data={
                    "amount": line.amount,
                    "line_id": line.id,
                    "serial": line.serial,
                    "how": m.how,
                    "booked_on": _local_day(line.booked_at).isoformat(),
                },
            )
            for _, line, m in matched
        )
        event_of = {line.id: e for (_, line, _), e in zip(matched, events)}
        postings = [
            Posting(
                kind="receipt" if line.id in event_of else "unmatched",
                amount=line.amount,
                value_on=_local_day(line.booked_at),
                case_id=line.case_id,
                reference=line.serial,
                event=event_of.get(line.id),
                line_id=line.id,
            )
            for line in lines
            if line.direction == "in"
        ]
        written = ledger_post(court_id=court.id, postings=postings, now=now)
        if len(written) != len(
            postings
        ):  # cannot happen after the check above; never leave an event unbooked
            raise StatementRefused(["部分流水已记账，导入已撤销，请重试"])
        notices = notices_queue(
            court_id=court.id,
            items=_arrival_notices(
                court, [(line, m.case_id, m.case_number) for _, line, m in matched]
            ),
            now=now,
        )

    outcomes = [
        LineOutcome(
            row=r.row,
            serial=r.serial,
            booked_at=r.booked_at,
            direction=r.direction,
            amount=r.amount,
            counterparty_name=r.counterparty_name,
            remark=r.remark,
            case_id=matches[i].case_id if i in matches else None,
            case_number=matches[i].case_number if i in matches else "",
            how=matches[i].how if i in matches else "",
            closed=matches[i].closed if i in matches else False,
        )
        for i, r in enumerate(new_rows)
    ]
    incoming = [o for o in outcomes if o.direction == "in"]
    return ImportResult(
        statement=statement,
        mapping_label=MAPPINGS[parsed.mapping].label,
        line_count=len(parsed.rows),
        new_count=len(new_rows),
        duplicate_count=len(parsed.rows) - len(new_rows),
        skipped_rows=parsed.skipped_rows,
        matched=dict(Counter(o.how for o in incoming if o.how)),
        matched_amount=sum(o.amount for o in incoming if o.how),
        unmatched_count=sum(1 for o in incoming if not o.how),
        unmatched_amount=sum(o.amount for o in incoming if not o.how),
        outgoing_count=sum(1 for o in outcomes if o.direction == "out"),
        notices=notices,
        lines=outcomes,
    )


def _received_detail(amount: int, how_label: str, closed: bool) -> str:
    text = f"执行款到账{format_yuan(amount)}元（{how_label}）"
    if closed:
        text += "。注意：本案已结案，请核实该款项并及时处理"
    return text


# ---------------------------------------------------------------- the claim queue


def _line_to_settle(court: Court, line_id) -> StatementLine:
    """The unmatched incoming line, locked: claimed or returned once, never both."""
    try:
        line_id = int(line_id)
    except (TypeError, ValueError):
        raise MoneyInRefused("流水编号不正确") from None
    # Lock the line alone (a join to the case would be the nullable side of
    # an outer join, which PostgreSQL will not lock); .case is read after.
    line = StatementLine.objects.select_for_update().filter(court=court, id=line_id).first()
    if line is None:
        raise MoneyInRefused("该笔流水不存在")
    if line.direction != "in":
        raise MoneyInRefused("这是一笔支出流水，不能认领或退回")
    if line.matched_how == "returned":
        raise MoneyInRefused(
            f"该笔款项已于{_day_text(_local_day(line.claimed_at))}退回付款人，不能再认领或退回"
        )
    if line.matched_how == "claimed":
        raise MoneyInRefused(
            f"该笔款项已于{_day_text(_local_day(line.claimed_at))}认领到{line.case.case_number}，不能重复认领或退回"
        )
    if line.matched_how:
        raise MoneyInRefused(
            f"该笔款项已{HOW_LABELS.get(line.matched_how, '匹配')}到{line.case.case_number if line.case else '案件'}，无需认领"
        )
    if not LedgerEntry.objects.filter(line=line, kind="unmatched").exists():
        raise MoneyInRefused("该笔流水未记入待认领款，不能认领或退回")
    return line


def _clean_note(note: str | None, required: str | None = None) -> str:
    note = (note or "").strip()
    if required and not note:
        raise MoneyInRefused(required)
    if len(note) > NOTE_MAX:
        raise MoneyInRefused(f"说明过长（{len(note)}字，最多{NOTE_MAX}字）")
    return note


def statements_claim(
    *, line_id, case_number: str, officer: Officer, note: str, now: datetime
) -> StatementLine:
    """认领: the unmatched money goes to the case named (claim: Dr 待认领款 Cr 案款子账户),
    with a funds_received event and the arrival notices. A closed case may
    receive money (it is the case's; the event says to check it)."""
    _check_role(officer, "认领款项")
    court = officer.court
    note = _clean_note(note)
    if not (case_number or "").strip():
        raise MoneyInRefused("请填写认领到的案号")
    try:
        number = str(parse_case_number(case_number))
    except CaseNumberError as e:
        raise MoneyInRefused(str(e)) from None
    with transaction.atomic():
        line = _line_to_settle(court, line_id)
        case = EnforcementCase.objects.filter(court=court, case_number=number).first()
        if case is None:
            raise MoneyInRefused(f"本院没有案号为{number}的案件")
        closed = case.state not in OPEN_STATES
        on = _local_day(line.booked_at)
        detail = _received_detail(line.amount, "人工认领", closed) + f"，到账日{on.isoformat()}"
        if note:
            detail += f"，说明：{note}"
        event = CaseEvent.objects.create(
            court=court,
            case=case,
            at=now,
            kind="funds_received",
            actor=officer,
            detail=detail,
            data={
                "amount": line.amount,
                "line_id": line.id,
                "serial": line.serial,
                "how": "claimed",
                "booked_on": on.isoformat(),
                "note": note,
            },
        )
        try:
            written = ledger_post(
                court_id=court.id,
                postings=[
                    Posting(
                        kind="claim",
                        amount=line.amount,
                        value_on=on,
                        case_id=case.id,
                        reference=f"settle:{line.id}",
                        event=event,
                        line_id=line.id,
                    )
                ],
                now=now,
            )
        except LedgerRefused as e:
            raise MoneyInRefused(str(e)) from None
        if not written:
            raise MoneyInRefused("该笔款项已认领或退回，不能重复处理")
        line.case = case
        line.matched_how = "claimed"
        line.claimed_at = now
        line.claimed_by = officer
        line.claim_note = note
        line.save(update_fields=["case", "matched_how", "claimed_at", "claimed_by", "claim_note"])
        notices_queue(
            court_id=court.id,
            items=_arrival_notices(court, [(line, case.id, case.case_number)]),
            now=now,
        )
    return line


def statements_return(*, line_id, officer: Officer, note: str, now: datetime) -> StatementLine:
    """退回付款人: unmatched money sent back (returned: Dr 待认领款 Cr 案款专户).
    The bank's outgoing line for it arrives on a later statement."""
    _check_role(officer, "退回款项")
    court = officer.court
    note = _clean_note(note, required="请填写退回理由")
    with transaction.atomic():
        line = _line_to_settle(court, line_id)
        try:
            written = ledger_post(
                court_id=court.id,
                postings=[
                    Posting(
                        kind="returned",
                        amount=line.amount,
                        value_on=_local_day(now),
                        reference=f"settle:{line.id}",
                        line_id=line.id,
                    )
                ],
                now=now,
            )
        except LedgerRefused as e:
            raise MoneyInRefused(str(e)) from None
        if not written:
            raise MoneyInRefused("该笔款项已认领或退回，不能重复处理")
        line.matched_how = "returned"
        line.claimed_at = now
        line.claimed_by = officer
        line.claim_note = note
        line.save(update_fields=["matched_how", "claimed_at", "claimed_by", "claim_note"])
    return line
