"""Daily reconciliation (银行对账): the custody account's bank statement for
one day beside the ledger's bank-facing rows of that day.

Statement side: the lines booked on the day (in and out). Ledger side: the
rows of kinds that move money through the custody bank account (receipt,
unmatched, disbursement, fee, refund, returned) whose value_on is the day.

Pairing:
- an incoming line pairs with the custody-debit rows that book it (line_id);
- an outgoing line pairs with the payment rows of the payout lines its remark
  or serial names (业务参考号 ZX<payout line id>), and with any custody-credit
  row booked against it (line_id).
A pair whose amounts differ is a difference, so is a line or a row left
without a partner. The day balances when nothing is left unpaired, the day's
totals agree on each side, the ledger's custody balance at the end of the day
equals the bank's last balance (when the bank gives one), and the ledger's
own invariant holds: custody = Σ case accounts + unclaimed.

Everything is a handful of queries, whatever the day's volume."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from zhixing.courts.models import Court
from zhixing.funds.ledger import all_case_balances_total, custody_balance, unclaimed_balance
from zhixing.funds.models import LedgerEntry, StatementImport, StatementLine
from zhixing.rules.money import format_yuan
from zhixing.stats.measures import day_bounds

BANK_IN_KINDS = ("receipt", "unmatched")  # Dr custody
BANK_OUT_KINDS = ("disbursement", "fee", "refund", "returned")  # Cr custody
BANK_KINDS = BANK_IN_KINDS + BANK_OUT_KINDS

# How far from the day to look for an outgoing line confirming a payment.
WINDOW_DAYS = 31

# The payment file's 业务参考号 (ZX<payout line id>), as the bank echoes it.
PAYMENT_REF = re.compile(r"(?<![A-Za-z0-9])ZX(\d+)(?!\d)", re.IGNORECASE)


def payment_refs(*texts: str) -> set[int]:
    """The payout line ids a bank line names in its remark or serial."""
    return {int(m.group(1)) for text in texts if text for m in PAYMENT_REF.finditer(text)}


@dataclass(frozen=True)
class BankRow:
    id: int
    serial: str
    booked_at: datetime
    direction: str  # "in" | "out"
    amount: int
    counterparty: str
    remark: str
    balance_after: int | None
    counterparty_account: str = ""
    elsewhere: date | None = (
        None  # unpaired here: the day the ledger books it (a timing difference)
    )
    elsewhere_side = "账务记于"

    @property
    def direction_label(self) -> str:
        return "收入" if self.direction == "in" else "支出"

    @property
    def yuan(self) -> str:
        return format_yuan(self.amount)

    @property
    def note(self) -> str:
        return (
            f"未达账项：{self.elsewhere_side}{self.elsewhere.isoformat()}" if self.elsewhere else ""
        )


@dataclass(frozen=True)
class BookRow:
    id: int
    kind: str
    kind_label: str
    amount: int
    value_on: date
    reference: str
    case_number: str
    line_id: int | None
    payout_line_id: int | None
    payer: str = ""  # returned: the payer of the line sent back, who the bank pays
    payer_account: str = ""
    elsewhere: date | None = None  # unpaired here: the day the bank shows it (a timing difference)
    elsewhere_side = "银行流水在"

    @property
    def direction(self) -> str:
        return "in" if self.kind in BANK_IN_KINDS else "out"

    @property
    def direction_label(self) -> str:
        return "收入" if self.direction == "in" else "支出"

    @property
    def yuan(self) -> str:
        return format_yuan(self.amount)

    @property
    def note(self) -> str:
        return (
            f"未达账项：{self.elsewhere_side}{self.elsewhere.isoformat()}" if self.elsewhere else ""
        )


@dataclass(frozen=True)
class Pair:
    line: BankRow
    entries: tuple[BookRow, ...]

    @property
    def booked(self) -> int:
        return sum(e.amount for e in self.entries)

    @property
    def difference(self) -> int:
        """Ledger minus bank, in fen: 0 when the pair agrees."""
        return self.booked - self.line.amount

    @property
    def booked_yuan(self) -> str:
        return format_yuan(self.booked)


@dataclass
class Reconciliation:
    court: Court
    on: date
    statement_seen: bool  # a statement covering the day was imported, or a line of the day exists
    pairs: list[Pair]
    unpaired_lines: list[BankRow]  # on the statement, not in the ledger
    unpaired_entries: list[BookRow]  # in the ledger, not on the statement
    bank_in: int
    bank_out: int
    ledger_in: int
    ledger_out: int
    ledger_balance: int  # custody at the end of the day, by value_on
    bank_balance: int | None  # the statement's last balance_after up to the day's end
    custody_now: int
    cases_now: int
    unclaimed_now: int
    problems: list[str] = field(default_factory=list)

    @property
    def mismatched(self) -> list[Pair]:
        return [p for p in self.pairs if p.difference]

    @property
    def difference(self) -> int:
        """Ledger minus bank, in fen: the day's net movement, else the closing
        balance (the verdict shows its size; the problems say which side)."""
        net = (self.ledger_in - self.ledger_out) - (self.bank_in - self.bank_out)
        if net or self.bank_balance is None:
            return net
        return self.ledger_balance - self.bank_balance

    @property
    def invariant_ok(self) -> bool:
        return self.custody_now == self.cases_now + self.unclaimed_now

    @property
    def balanced(self) -> bool:
        return not self.problems

    def shown(self) -> dict[str, str]:
        """The totals in yuan, for the page."""
        names = (
            "bank_in",
            "bank_out",
            "ledger_in",
            "ledger_out",
            "ledger_balance",
            "custody_now",
            "cases_now",
            "unclaimed_now",
        )
        out = {name: format_yuan(getattr(self, name)) for name in names}
        out["bank_balance"] = (
            "未提供" if self.bank_balance is None else format_yuan(self.bank_balance)
        )
        return out

    @property
    def verdict(self) -> str:
        return "平衡" if self.balanced else f"不平衡：差额 {format_yuan(abs(self.difference))} 元"


def reconcile(*, court: Court, on: date) -> Reconciliation:
    lo, hi = day_bounds(on, on)
    lines = [
        BankRow(
            id=r.id,
            serial=r.serial,
            booked_at=r.booked_at,
            direction=r.direction,
            amount=r.amount,
            counterparty=r.counterparty_name,
            remark=r.remark,
            balance_after=r.balance_after,
            counterparty_account=r.counterparty_account,
        )
        for r in StatementLine.objects.filter(
            court=court, booked_at__gte=lo, booked_at__lt=hi
        ).order_by("booked_at", "id")
    ]
    labels = dict(LedgerEntry.Kind.choices)
    entries = [
        BookRow(
            id=r["id"],
            kind=r["kind"],
            kind_label=labels[r["kind"]],
            amount=r["amount"],
            value_on=r["value_on"],
            reference=r["reference"],
            case_number=r["case__case_number"] or "",
            line_id=r["line_id"],
            payout_line_id=r["payout_line_id"],
            payer=r["line__counterparty_name"] or "",
            payer_account=r["line__counterparty_account"] or "",
        )
        for r in LedgerEntry.objects.filter(court=court, kind__in=BANK_KINDS, value_on=on)
        .order_by("posted_at", "id")
        .values(
            "id",
            "kind",
            "amount",
            "value_on",
            "reference",
            "case__case_number",
            "line_id",
            "payout_line_id",
            "line__counterparty_name",
            "line__counterparty_account",
        )
    ]
    pairs, unpaired_lines, unpaired_entries = pair(lines, entries)
    unpaired_lines, unpaired_entries = _elsewhere(court, on, unpaired_lines, unpaired_entries)

    last = (
        StatementLine.objects.filter(court=court, booked_at__lt=hi)
        .order_by("-booked_at", "-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    seen = (
        bool(lines)
        or StatementImport.objects.filter(court=court, first_on__lte=on, last_on__gte=on).exists()
    )
    rec = Reconciliation(
        court=court,
        on=on,
        statement_seen=seen,
        pairs=pairs,
        unpaired_lines=unpaired_lines,
        unpaired_entries=unpaired_entries,
        bank_in=sum(x.amount for x in lines if x.direction == "in"),
        bank_out=sum(x.amount for x in lines if x.direction == "out"),
        ledger_in=sum(e.amount for e in entries if e.direction == "in"),
        ledger_out=sum(e.amount for e in entries if e.direction == "out"),
        ledger_balance=_custody_at(court.id, on),
        bank_balance=last if seen else None,
        custody_now=custody_balance(court.id),
        cases_now=all_case_balances_total(court.id),
        unclaimed_now=unclaimed_balance(court.id),
    )
    rec.problems = _problems(rec)
    return rec


def pair(
    lines: list[BankRow], entries: list[BookRow]
) -> tuple[list[Pair], list[BankRow], list[BookRow]]:
    """Pair the day's statement lines with the day's ledger rows (plain data, no queries)."""
    by_line: dict[tuple[int, str], list[BookRow]] = defaultdict(list)
    by_payout: dict[int, list[BookRow]] = defaultdict(list)
    for e in entries:
        if e.line_id is not None:
            by_line[(e.line_id, e.direction)].append(e)
        if e.payout_line_id is not None and e.direction == "out":
            by_payout[e.payout_line_id].append(e)
    used: set[int] = set()
    pairs, unpaired_lines = [], []
    for line in lines:
        found = list(by_line.get((line.id, line.direction), ()))
        if line.direction == "out":
            for ref in sorted(payment_refs(line.remark, line.serial)):
                found.extend(by_payout.get(ref, ()))
        found = [e for e in dict.fromkeys(found) if e.id not in used]
        if found:
            used.update(e.id for e in found)
            pairs.append(Pair(line, tuple(found)))
        else:
            unpaired_lines.append(line)
    # Money sent back to its payer names no reference of ours: the bank's
    # outgoing line pays the same amount to the same payer.
    for line in [x for x in unpaired_lines if x.direction == "out"]:
        back = next((e for e in entries if e.id not in used and _pays_back(e, line)), None)
        if back is not None:
            used.add(back.id)
            unpaired_lines.remove(line)
            pairs.append(Pair(line, (back,)))
    pairs.sort(key=lambda p: (p.line.booked_at, p.line.id))
    return pairs, unpaired_lines, [e for e in entries if e.id not in used]


def _pays_back(e: BookRow, line: BankRow) -> bool:
    if e.kind != "returned" or e.amount != line.amount:
        return False
    if e.payer_account and line.counterparty_account:
        return e.payer_account == line.counterparty_account
    return bool(e.payer) and e.payer == line.counterparty


def _elsewhere(
    court: Court, on: date, lines: list[BankRow], entries: list[BookRow]
) -> tuple[list[BankRow], list[BookRow]]:
    """Mark the unpaired rows whose partner is on another day: money in
    transit (未达账项), still a difference of this day. Two queries at most."""
    if lines:
        refs = {
            x.id: payment_refs(x.remark, x.serial) if x.direction == "out" else set() for x in lines
        }
        found = LedgerEntry.objects.filter(
            Q(line_id__in=list(refs)) | Q(payout_line_id__in=set().union(*refs.values())),
            court=court,
            kind__in=BANK_KINDS,
        ).exclude(value_on=on)
        by_line, by_payout = {}, {}
        for kind, line_id, payout_line_id, value_on in found.values_list(
            "kind", "line_id", "payout_line_id", "value_on"
        ):
            direction = "in" if kind in BANK_IN_KINDS else "out"
            if line_id is not None:
                by_line[(line_id, direction)] = value_on
            if payout_line_id is not None and direction == "out":
                by_payout[payout_line_id] = value_on
        lines = [
            replace(
                x,
                elsewhere=by_line.get((x.id, x.direction))
                or next((by_payout[r] for r in sorted(refs[x.id]) if r in by_payout), None),
            )
            for x in lines
        ]
    if entries:
        lo, hi = day_bounds(on - timedelta(days=WINDOW_DAYS), on + timedelta(days=WINDOW_DAYS))
        by_id, by_ref = {}, {}
        nearby = StatementLine.objects.filter(court=court).filter(
            Q(id__in=[e.line_id for e in entries if e.line_id])
            | Q(
                Q(remark__icontains="ZX") | Q(serial__icontains="ZX"),
                direction="out",
                booked_at__gte=lo,
                booked_at__lt=hi,
            )
        )
        for line_id, direction, booked_at, remark, serial in nearby.values_list(
            "id", "direction", "booked_at", "remark", "serial"
        ):
            day = timezone.localdate(booked_at)
            by_id[(line_id, direction)] = day
            if direction == "out":
                for ref in payment_refs(remark, serial):
                    by_ref.setdefault(ref, day)
        entries = [
            replace(
                e,
                elsewhere=by_id.get((e.line_id, e.direction))
                or (by_ref.get(e.payout_line_id) if e.direction == "out" else None),
            )
            for e in entries
        ]
    return lines, entries


def _custody_at(court_id: int, on: date) -> int:
    """The custody account as the ledger has it at the end of `on` (by value_on)."""
    rows = LedgerEntry.objects.filter(
        Q(debit="custody") | Q(credit="custody"), court_id=court_id, value_on__lte=on
    )
    total = rows.aggregate(
        b=Sum(
            Case(
                When(debit="custody", then="amount"),
                When(credit="custody", then=-1 * F("amount")),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )["b"]
    return total or 0


def _problems(rec: Reconciliation) -> list[str]:
    out = []
    if rec.unpaired_lines:
        n, amount = len(rec.unpaired_lines), sum(x.amount for x in rec.unpaired_lines)
        out.append(
            f"银行流水未入账 {n} 笔，计 {format_yuan(amount)} 元" + _in_transit(rec.unpaired_lines)
        )
    if rec.unpaired_entries:
        n, amount = len(rec.unpaired_entries), sum(e.amount for e in rec.unpaired_entries)
        out.append(
            f"账务记录无对应银行流水 {n} 笔，计 {format_yuan(amount)} 元"
            + _in_transit(rec.unpaired_entries)
        )
    for p in rec.mismatched:
        out.append(
            f"金额不符：银行流水 {p.line.serial} {format_yuan(p.line.amount)} 元，账务记录 {format_yuan(p.booked)} 元"
        )
    if rec.bank_in != rec.ledger_in:
        out.append(
            f"收入合计不符：银行 {format_yuan(rec.bank_in)} 元，账务 {format_yuan(rec.ledger_in)} 元"
        )
    if rec.bank_out != rec.ledger_out:
        out.append(
            f"支出合计不符：银行 {format_yuan(rec.bank_out)} 元，账务 {format_yuan(rec.ledger_out)} 元"
        )
    if rec.bank_balance is not None and rec.bank_balance != rec.ledger_balance:
        out.append(
            f"日终余额不符：银行 {format_yuan(rec.bank_balance)} 元，账面 {format_yuan(rec.ledger_balance)} 元"
        )
    if not rec.invariant_ok:
        out.append(
            f"总分不平：专户 {format_yuan(rec.custody_now)} 元，各案款账户合计 {format_yuan(rec.cases_now)} 元"
            f" + 待认领 {format_yuan(rec.unclaimed_now)} 元"
        )
    return out


def _in_transit(rows) -> str:
    n = sum(1 for x in rows if x.elsewhere)
    return f"（其中 {n} 笔在其他日期，为未达账项）" if n else ""


def summary_lines(rec: Reconciliation) -> list[str]:
    """The reconciliation as plain text: the CLI prints it, the robot logs it."""
    y = format_yuan
    bank_balance = "未提供" if rec.bank_balance is None else f"{y(rec.bank_balance)} 元"
    out = [
        f"{rec.court.name} {rec.on.isoformat()} 银行对账：{rec.verdict}",
        f"  银行流水：收入 {y(rec.bank_in)} 元，支出 {y(rec.bank_out)} 元，日终余额 {bank_balance}"
        + ("" if rec.statement_seen else "（当日未导入对账单）"),
        f"  账务记录：收入 {y(rec.ledger_in)} 元，支出 {y(rec.ledger_out)} 元，日终专户余额 {y(rec.ledger_balance)} 元",
        f"  已配对 {len(rec.pairs)} 笔",
    ]
    out += [f"  ！{p}" for p in rec.problems]
    out += [
        f"    未入账：{x.serial} {x.direction_label} {y(x.amount)} 元 {x.counterparty} {x.remark} {x.note}".rstrip()
        for x in rec.unpaired_lines
    ]
    out += [
        f"    无流水：{e.reference or e.id} {e.kind_label} {y(e.amount)} 元 {e.case_number} {e.note}".rstrip()
        for e in rec.unpaired_entries
    ]
    relation = "=" if rec.invariant_ok else "≠"
    out.append(
        f"  总分核对（截至目前）：专户 {y(rec.custody_now)} 元 {relation} 各案款账户 {y(rec.cases_now)} 元"
        f" + 待认领 {y(rec.unclaimed_now)} 元"
    )
    return out
