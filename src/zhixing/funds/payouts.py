"""Money out (案款发放): plans, approvals, deferral, payment files.

    payout_draft      what a new plan would pay (a read): the balance available,
                      the fee still owed, the split of rules/payouts.py
    payouts_plan      a plan for the case: fee withheld, creditors, refund
    payouts_decide    the next approver in line approves or rejects
    payouts_defer     ask to defer (with a reason); payouts_defer_decide: the
                      deferral roles approve it in turn, then the plan waits;
                      payouts_resume: a deferral role lifts it, the limit moved on
    payouts_cancel    withdraw a plan not yet paid
    payments_file     finance: approved plans into one bank payment file (CSV);
                      each line booked out of its case account in the same
                      transaction, the creditors' payment notices queued
    payout_warnings   plans due soon or overdue, for the board, workbench, digest

Each write is one transaction with its CaseEvent. A plan row is locked
(select_for_update) and its version checked before any decision, so two
approvers or two payment runs cannot act twice on one plan; the ledger locks
the case and refuses to take an account below zero, so a file that does not
fit is refused whole."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase, Party
from zhixing.courts.models import Court, Officer
from zhixing.funds.ledger import LedgerRefused, Posting, case_balances, ledger_post
from zhixing.funds.models import Approval, LedgerEntry, PaymentFile, Payout, PayoutLine
from zhixing.funds.notices import NoticeItem, notices_queue
from zhixing.funds.selectors import recovered_by_case
from zhixing.funds.settings import funds_settings
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.money import format_yuan, yuan_str
from zhixing.rules.payouts import (
    Claimant,
    Split,
    approvals_required,
    largest_remainder,
    may_defer,
    payout_alert,
    payout_due,
    split_arrival,
)

PLANNER_ROLES = ("handler", "assistant", "finance", "centre")
PAYER_ROLES = ("finance",)
# Plans that still hold money on the case account.
ACTIVE = ("pending", "approved", "submitted", "deferred")
ROLE_LABELS = dict(Officer.Role.choices)
LEDGER_KIND = {"creditor": "disbursement", "fee": "fee", "refund": "refund"}
CSV_COLUMNS = (
    "付款账号",
    "付款户名",
    "收款账号",
    "收款户名",
    "收款开户行",
    "金额（元）",
    "用途",
    "业务参考号",
)


class PayoutRefused(Exception):
    """A plan, decision or payment the rules refuse; str(e) is Chinese."""


# ---------------------------------------------------------------- reads


def fee_owed(case: EnforcementCase, court: Court | None = None) -> int:
    """The enforcement fee still owed on the case, in fen: the fee on the
    court's base (amount claimed or recovered, rules.md §10 [open]) less what
    was collected or is withheld by a plan not yet paid."""
    settings = funds_settings(court or case.court)
    if settings.fee_base == "recovered":
        base = recovered_by_case([case.id]).get(case.id, 0)
    else:
        base = case.amount_claimed
    collected = (
        LedgerEntry.objects.filter(case=case, kind="fee").aggregate(s=Sum("amount"))["s"] or 0
    )
    planned = _planned(case, kinds=("fee",))
    return max(0, enforcement_fee(max(base, 0)) - collected - planned)


def _planned(case, kinds=None) -> int:
    lines = PayoutLine.objects.filter(payout__case=case, payout__status__in=ACTIVE)
    if kinds:
        lines = lines.filter(kind__in=kinds)
    return lines.aggregate(s=Sum("amount"))["s"] or 0


def _held(case) -> int:
    """What plans not yet paid hold on the case account."""
    return Payout.objects.filter(case=case, status__in=ACTIVE).aggregate(s=Sum("total"))["s"] or 0


def available_balance(case: EnforcementCase) -> int:
    """What a new plan may pay: the case account less plans not yet paid."""
    return case_balances([case.id]).get(case.id, 0) - _held(case)


def _owed_to_creditors(case: EnforcementCase) -> int:
    """What the case's creditors are still owed from the court (rules.md §10):
    the principal, the ordinary interest the title awards and the doubled
    interest accrued to today (each stopped on the day money arrived:
    funds/due.py), less what reached them (paid out, paid directly) or is
    planned for them. Bad terms fall back to the principal alone."""
    from zhixing.funds.due import case_due
    from zhixing.rules import RuleError

    try:
        due = case_due(case, timezone.localdate())
        debt = due.principal_total + due.interest_total + due.doubled_total
    except RuleError:
        debt = case.amount_claimed
    reached = (
        LedgerEntry.objects.filter(case=case, kind__in=("disbursement", "direct")).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    return max(0, debt - reached - _planned(case, kinds=("creditor",)))


@dataclass(frozen=True)
class DraftLine:
    kind: str
    party_id: int | None
    payee_name: str
    amount: int
    payee_account: str = ""
    payee_bank: str = ""

    @property
    def amount_yuan(self) -> str:
        return yuan_str(self.amount)


@dataclass
class Draft:
    balance: int
    available: int
    fee_owed: int
    owed: int
    split: Split
    lines: list[DraftLine] = field(default_factory=list)


def payout_draft(case: EnforcementCase) -> Draft:
    """The plan the split suggests for the money available now (rules.md §10):
    the creditors of one case share what is owed to them equally."""
    balance = case_balances([case.id]).get(case.id, 0)
    available = balance - _held(case)
    fee = fee_owed(case)
    owed = _owed_to_creditors(case)
    parties = list(
        CaseParty.objects.filter(case=case)
        .select_related("party")
        .order_by("role", "position", "id")
    )
    creditors = [cp.party for cp in parties if cp.role == "creditor"]
    debtors = [cp.party for cp in parties if cp.role == "debtor"]
    each = (
        largest_remainder(owed, [1] * len(creditors))
        if creditors and owed
        else [0] * len(creditors)
    )
    split = split_arrival(
        available=max(available, 0),
        fee_owed=fee,
        creditors=[Claimant(p.id, o) for p, o in zip(creditors, each)],
    )
    raw = case.court.funds_settings or {}
    lines = []
    if split.fee:
        lines.append(
            DraftLine(
                "fee",
                None,
                raw.get("fee_name") or f"{case.court.name}（诉讼费）",
                split.fee,
                raw.get("fee_account", ""),
                raw.get("fee_bank", ""),
            )
        )
    for party, share in zip(creditors, split.shares):
        if share.paid:
            lines.append(DraftLine("creditor", party.id, party.name, share.paid))
    if split.refund and debtors:
        lines.append(DraftLine("refund", debtors[0].id, debtors[0].name, split.refund))
    return Draft(balance, available, fee, owed, split, lines)


# ---------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlanLine:
    """One line as the planner entered it (amount already parsed to fen)."""

    kind: str  # PayoutLine.Kind
    payee_name: str
    payee_account: str
    amount: int
    payee_bank: str = ""
    party_id: int | None = None


def _line_errors(case, lines: Sequence[PlanLine]) -> list[str]:
    roles = defaultdict(set)
    for party_id, role in CaseParty.objects.filter(case=case).values_list("party_id", "role"):
        roles[party_id].add(role)
    errors = []
    kinds = dict(PayoutLine.Kind.choices)
    for n, line in enumerate(lines, 1):
        row = f"第{n}行"
        if line.kind not in kinds:
            errors.append(f"{row} 项目：无效的发放项目“{line.kind}”")
            continue
        if not line.payee_name.strip():
            errors.append(f"{row} 收款人：请填写")
        account = line.payee_account.strip().replace(" ", "")
        if not account:
            errors.append(f"{row} 收款账号：请填写")
        elif not account.isdigit() or len(account) > 40:
            errors.append(f"{row} 收款账号：“{line.payee_account}”应为不超过40位的数字")
        if isinstance(line.amount, bool) or not isinstance(line.amount, int) or line.amount <= 0:
            errors.append(f"{row} 金额：应大于零")
        if line.kind == "creditor" and "creditor" not in roles.get(line.party_id, ()):
            errors.append(f"{row} 收款人：不是本案申请执行人")
        if line.kind == "refund" and "debtor" not in roles.get(line.party_id, ()):
            errors.append(f"{row} 收款人：余款只能退还本案被执行人")
    return errors


def payouts_plan(
    *,
    case: EnforcementCase,
    officer: Officer,
    now: datetime,
    lines: Sequence[PlanLine] | None = None,
) -> Payout:
    """拟定案款发放方案 for the money the case account holds (less plans not yet
    paid). `lines` as entered; without them the split's default lines, which
    only works when the court's fee account and every payee account are known."""
    if officer.role not in PLANNER_ROLES or officer.court_id != case.court_id:
        raise PayoutRefused(f"{ROLE_LABELS.get(officer.role, officer.role)}不能拟定案款发放方案")
    today = timezone.localtime(now).date()
    settings = funds_settings(case.court)
    with transaction.atomic():
        # The case row lock: two planners of one case queue here, so their plans
        # cannot both count the same money as available.
        EnforcementCase.objects.select_for_update().filter(id=case.id).first()
        draft = payout_draft(case)
        if lines is None:
            lines = [
                PlanLine(d.kind, d.payee_name, d.payee_account, d.amount, d.payee_bank, d.party_id)
                for d in draft.lines
            ]
        if not lines:
            raise PayoutRefused(
                "案款账户没有可发放的余额" if draft.available <= 0 else "发放方案至少要有一行"
            )
        errors = _line_errors(case, lines)
        if errors:
            raise PayoutRefused("；".join(errors))
        total = sum(line.amount for line in lines)
        if total > draft.available:
            raise PayoutRefused(
                f"发放合计{format_yuan(total)}元超过可发放余额{format_yuan(max(draft.available, 0))}元"
            )
        fee = sum(line.amount for line in lines if line.kind == "fee")
        if fee > draft.fee_owed:
            raise PayoutRefused(
                f"申请执行费{format_yuan(fee)}元超过尚欠的{format_yuan(draft.fee_owed)}元"
            )
        arrived_on = _oldest_unpaid_arrival(case) or today
        roles = approvals_required(total, settings.approval_tiers)
        payout = Payout.objects.create(
            court_id=case.court_id,
            case=case,
            arrived_on=arrived_on,
            due_on=payout_due(arrived_on, settings.payout_days),
            total=total,
            approvals_needed=list(roles),
            created_at=now,
            created_by=officer,
        )
        PayoutLine.objects.bulk_create(
            PayoutLine(
                payout=payout,
                kind=line.kind,
                party_id=line.party_id,
                payee_name=line.payee_name.strip(),
                payee_account=line.payee_account.strip().replace(" ", ""),
                payee_bank=line.payee_bank.strip(),
                amount=line.amount,
                position=n,
            )
            for n, line in enumerate(lines)
        )
        names = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        CaseEvent.objects.create(
            court_id=case.court_id,
            case=case,
            at=now,
            kind="payout_planned",
            actor=officer,
            detail=(
                f"拟定案款发放方案，合计{format_yuan(total)}元（"
                + "，".join(
                    f"{PayoutLine.Kind(line.kind).label}{line.payee_name}{format_yuan(line.amount)}元"
                    for line in lines
                )
                + f"），发放期限{payout.due_on:%Y-%m-%d}，报{names}审批"
            ),
            data={
                "payout": payout.id,
                "total": total,
                "due_on": payout.due_on.isoformat(),
                "approvals_needed": list(roles),
                "lines": [
                    {"kind": line.kind, "party": line.party_id, "amount": line.amount}
                    for line in lines
                ],
            },
        )
    return payout


def _oldest_unpaid_arrival(case) -> date | None:
    """The day the oldest money not yet paid out or planned arrived (first in,
    first out): the payout limit runs from there."""
    rows = list(
        LedgerEntry.objects.filter(Q(debit="case") | Q(credit="case"), case=case)
        .order_by("value_on", "id")
        .values_list("credit", "amount", "value_on")
    )
    spent = sum(a for credit, a, _ in rows if credit != "case") + _planned(case)
    for credit, amount, value_on in rows:
        if credit != "case":
            continue
        if spent < amount:
            return value_on
        spent -= amount
    return None


# ---------------------------------------------------------------- decide


def _locked(payout_id: int, officer: Officer, version: int | None = None) -> Payout:
    payout = (
        Payout.objects.select_for_update()
        .select_related("case", "court")
        .filter(id=payout_id, court_id=officer.court_id)
        .first()
    )
    if payout is None:
        raise PayoutRefused("发放方案不存在")
    if version is not None and payout.version != version:
        raise PayoutRefused("发放方案已被他人处理，请刷新页面后重试")
    return payout


def _bump(payout: Payout, **fields) -> None:
    """Write the changes and the next version, if nobody wrote in between."""
    n = Payout.objects.filter(id=payout.id, version=payout.version).update(
        version=payout.version + 1, **fields
    )
    if n != 1:
        raise PayoutRefused("发放方案已被他人处理，请刷新页面后重试")
    for k, v in fields.items():
        setattr(payout, k, v)
    payout.version += 1


def _approvals(payout: Payout, purpose: str) -> list[Approval]:
    rows = list(Approval.objects.filter(payout=payout, purpose=purpose).order_by("at", "id"))
    if purpose == "deferral":  # the current request: after the last refusal or resumption
        last_no = max((i for i, a in enumerate(rows) if not a.approved), default=-1)
        rows = rows[last_no + 1 :]
    return rows


def next_approver(payout: Payout, approvals: list[Approval] | None = None) -> str | None:
    """The role whose turn it is to decide, or None when none is."""
    if payout.status != "pending":
        return None
    done = approvals if approvals is not None else _approvals(payout, "payout")
    needed = list(payout.approvals_needed)
    return needed[len(done)] if len(done) < len(needed) else None


def _record(payout: Payout, purpose: str, role: str, officer: Officer, approved: bool, note: str, now) -> Approval:
    """One approver's decision, kept (the note cut to the column's 200 characters)."""
    return Approval.objects.create(
        payout=payout, purpose=purpose, role=role, officer=officer, approved=approved, note=note[:200], at=now
    )


def _check_turn(payout, officer, role, done, what):
    if role is None:
        raise PayoutRefused(f"该方案当前状态为“{payout.get_status_display()}”，不需要{what}")
    if officer.role != role:
        raise PayoutRefused(
            f"现在应由{ROLE_LABELS.get(role, role)}{what}，{ROLE_LABELS.get(officer.role, officer.role)}不能审批"
        )
    if any(a.officer_id == officer.id for a in done):
        raise PayoutRefused(f"{officer.name}已经审批过，同一人不能审批两次")
    if officer.id == payout.created_by_id:
        raise PayoutRefused("拟定方案的人不能审批自己的方案")


def payouts_decide(
    *,
    payout_id: int,
    officer: Officer,
    approve: bool,
    note: str = "",
    now: datetime,
    version: int | None = None,
) -> Payout:
    """发放审批: the next role in approvals_needed approves (the last approval
    makes the plan approved) or rejects it (returned to the planner)."""
    note = (note or "").strip()
    with transaction.atomic():
        payout = _locked(payout_id, officer, version)
        done = _approvals(payout, "payout")
        role = next_approver(payout, done)
        _check_turn(payout, officer, role, done, "审批")
        if not approve and not note:
            raise PayoutRefused("退回方案须填写审批意见")
        _record(payout, "payout", role, officer, approve, note, now)
        last = len(done) + 1 == len(payout.approvals_needed)
        status = "rejected" if not approve else ("approved" if last else "pending")
        _bump(payout, status=status)
        label = ROLE_LABELS.get(role, role)
        outcome = "同意" if approve else "不同意，方案退回"
        CaseEvent.objects.create(
            court_id=payout.court_id,
            case=payout.case,
            at=now,
            kind="payout_decided",
            actor=officer,
            detail=f"{label}{officer.name}审批案款发放方案（{format_yuan(payout.total)}元）：{outcome}"
            + (f"。意见：{note}" if note else "")
            + ("。审批完毕，待财务支付" if status == "approved" else ""),
            data={"payout": payout.id, "role": role, "approved": approve, "status": status},
        )
    return payout


# ---------------------------------------------------------------- defer


def next_deferral_approver(payout: Payout, done: list[Approval] | None = None) -> str | None:
    if not payout.deferral_reason or payout.status not in ("pending", "approved"):
        return None
    done = done if done is not None else _approvals(payout, "deferral")
    roles = list(funds_settings(payout.court).deferral_roles)
    return roles[len(done)] if len(done) < len(roles) else None


def payouts_defer(
    *,
    payout_id: int,
    officer: Officer,
    reason: str,
    until: date | None = None,
    now: datetime,
    version: int | None = None,
) -> Payout:
    """申请暂缓发放: with a reason; the plan waits only once every deferral role
    has approved (payouts_defer_decide, rules.md §10)."""
    reason = (reason or "").strip()
    if not reason:
        raise PayoutRefused("暂缓理由：请填写暂缓发放的理由")
    allowed = PLANNER_ROLES + tuple(funds_settings(officer.court).deferral_roles)
    if officer.role not in allowed:
        raise PayoutRefused(f"{ROLE_LABELS.get(officer.role, officer.role)}不能申请暂缓发放")
    today = timezone.localtime(now).date()
    if until is not None and until <= today:
        raise PayoutRefused("暂缓至：应晚于今天")
    with transaction.atomic():
        payout = _locked(payout_id, officer, version)
        if payout.status not in ("pending", "approved"):
            raise PayoutRefused(f"该方案当前状态为“{payout.get_status_display()}”，不能申请暂缓")
        if payout.deferral_reason:
            raise PayoutRefused("已有待审批的暂缓发放申请")
        _bump(payout, deferral_reason=reason[:2000], deferred_until=until)
        CaseEvent.objects.create(
            court_id=payout.court_id,
            case=payout.case,
            at=now,
            kind="payout_deferred",
            actor=officer,
            detail=f"申请暂缓发放案款（{format_yuan(payout.total)}元）"
            + (f"至{until:%Y-%m-%d}" if until else "")
            + f"，理由：{reason}",
            data={
                "payout": payout.id,
                "step": "requested",
                "until": until.isoformat() if until else None,
            },
        )
    return payout


def payouts_defer_decide(
    *,
    payout_id: int,
    officer: Officer,
    approve: bool,
    note: str = "",
    now: datetime,
    version: int | None = None,
) -> Payout:
    """暂缓发放审批: the deferral roles in turn; once all agree (may_defer) the plan
    is deferred and not due while it waits; a refusal ends the request."""
    note = (note or "").strip()
    with transaction.atomic():
        payout = _locked(payout_id, officer, version)
        done = _approvals(payout, "deferral")
        role = next_deferral_approver(payout, done)
        _check_turn(payout, officer, role, done, "审批暂缓发放")
        _record(payout, "deferral", role, officer, approve, note, now)
        label = ROLE_LABELS.get(role, role)
        if not approve:
            _bump(payout, deferral_reason="", deferred_until=None)
            detail, step = f"{label}{officer.name}不同意暂缓发放", "refused"
        else:
            decision = may_defer(
                payout.deferral_reason,
                [a.role for a in done] + [role],
                funds_settings(payout.court).deferral_roles,
            )
            if decision:
                _bump(payout, status="deferred")
                detail, step = (
                    f"{label}{officer.name}同意暂缓发放，案款暂缓发放：{decision.explain()}",
                    "deferred",
                )
            else:
                _bump(payout)
                detail, step = (
                    f"{label}{officer.name}同意暂缓发放（{decision.explain()}）",
                    "approved",
                )
        CaseEvent.objects.create(
            court_id=payout.court_id,
            case=payout.case,
            at=now,
            kind="payout_deferred",
            actor=officer,
            detail=detail + (f"。意见：{note}" if note else ""),
            data={"payout": payout.id, "step": step, "role": role, "approved": approve},
        )
    return payout


def payouts_resume(
    *, payout_id: int, officer: Officer, note: str, now: datetime, version: int | None = None
) -> Payout:
    """恢复发放 a deferred plan (a deferral role decides): back to where it was
    (approved, or pending its approvals), its limit moved on by the days it
    waited, since a deferral does not count against the limit."""
    note = (note or "").strip()
    if not note:
        raise PayoutRefused("恢复发放说明：请填写")
    roles = tuple(funds_settings(officer.court).deferral_roles)
    if officer.role not in roles:
        names = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        raise PayoutRefused(f"恢复发放应由{names}决定")
    today = timezone.localtime(now).date()
    with transaction.atomic():
        payout = _locked(payout_id, officer, version)
        if payout.status != "deferred":
            raise PayoutRefused(f"该方案当前状态为“{payout.get_status_display()}”，不是暂缓发放")
        deferred = _approvals(payout, "deferral")
        since = timezone.localtime(deferred[-1].at).date() if deferred else today
        done = _approvals(payout, "payout")
        status = "approved" if len(done) >= len(payout.approvals_needed) else "pending"
        due_on = payout.due_on + timedelta(days=max(0, (today - since).days))
        # A refusal row closes this deferral: a later request needs both approvals again.
        _record(payout, "deferral", officer.role, officer, False, f"恢复发放：{note}", now)
        _bump(payout, status=status, due_on=due_on, deferral_reason="", deferred_until=None)
        CaseEvent.objects.create(
            court_id=payout.court_id,
            case=payout.case,
            at=now,
            kind="payout_deferred",
            actor=officer,
            detail=f"{ROLE_LABELS.get(officer.role, officer.role)}{officer.name}决定恢复发放"
            f"（{format_yuan(payout.total)}元），发放期限顺延至{due_on:%Y-%m-%d}。说明：{note}",
            data={
                "payout": payout.id,
                "step": "resumed",
                "status": status,
                "due_on": due_on.isoformat(),
            },
        )
    return payout


def payouts_cancel(
    *, payout_id: int, officer: Officer, reason: str, now: datetime, version: int | None = None
) -> Payout:
    """撤销 a plan not yet paid: its money is available to a new plan."""
    reason = (reason or "").strip()
    if not reason:
        raise PayoutRefused("撤销理由：请填写")
    if officer.role not in PLANNER_ROLES + ("director",):
        raise PayoutRefused(f"{ROLE_LABELS.get(officer.role, officer.role)}不能撤销发放方案")
    with transaction.atomic():
        payout = _locked(payout_id, officer, version)
        if payout.status not in ("pending", "approved", "deferred", "rejected"):
            raise PayoutRefused(f"该方案当前状态为“{payout.get_status_display()}”，不能撤销")
        _bump(payout, status="cancelled")
        CaseEvent.objects.create(
            court_id=payout.court_id,
            case=payout.case,
            at=now,
            kind="payout_decided",
            actor=officer,
            detail=f"撤销案款发放方案（{format_yuan(payout.total)}元），理由：{reason}",
            data={"payout": payout.id, "status": "cancelled"},
        )
    return payout


# ---------------------------------------------------------------- pay


def _purpose(line: PayoutLine, case_number: str) -> str:
    return {
        "creditor": f"{case_number}执行款发放",
        "fee": f"{case_number}申请执行费",
        "refund": f"{case_number}退还余款",
    }[line.kind]


def payments_file(
    *, court: Court, officer: Officer, payout_ids: Sequence[int], now: datetime
) -> PaymentFile:
    """生成付款文件: the approved plans' lines into one file for the bank, each
    booked out of its case account (reference pay:<line id>, so a line is paid
    once) in this transaction. Anything the ledger refuses refuses the whole
    file; nothing is written."""
    if officer.role not in PAYER_ROLES or officer.court_id != court.id:
        raise PayoutRefused(
            f"{ROLE_LABELS.get(officer.role, officer.role)}不能生成付款文件，应由财务办理"
        )
    ids = sorted({int(i) for i in payout_ids})
    if not ids:
        raise PayoutRefused("请选择要支付的发放方案")
    today = timezone.localtime(now).date()
    with transaction.atomic():
        payouts = list(
            Payout.objects.select_for_update()
            .filter(court=court, id__in=ids)
            .select_related("case")
            .order_by("id")
        )
        if len(payouts) != len(ids):
            raise PayoutRefused("所选发放方案不存在")
        bad = [
            f"{p.case.case_number}的方案（{format_yuan(p.total)}元）状态为“{p.get_status_display()}”"
            for p in payouts
            if p.status != "approved"
        ] + [
            f"{p.case.case_number}的方案已申请暂缓发放，待审批"
            for p in payouts
            if p.status == "approved" and p.deferral_reason
        ]
        if bad:
            raise PayoutRefused("不能支付：" + "；".join(bad))
        lines = list(
            PayoutLine.objects.filter(payout_id__in=ids).order_by("payout_id", "position", "id")
        )
        total = sum(line.amount for line in lines)
        pf = PaymentFile.objects.create(
            court=court,
            name=f"付款文件{timezone.localtime(now):%Y%m%d%H%M%S}.csv",
            created_at=now,
            created_by=officer,
            line_count=len(lines),
            total=total,
        )
        by_payout = {p.id: p for p in payouts}
        by_case: dict[int, list[PayoutLine]] = defaultdict(list)
        for line in lines:
            by_case[by_payout[line.payout_id].case_id].append(line)
        cases = {p.case_id: p.case for p in payouts}
        events = dict(
            zip(
                by_case,
                CaseEvent.objects.bulk_create(
                    CaseEvent(
                        court=court,
                        case_id=case_id,
                        at=now,
                        kind="funds_paid",
                        actor=officer,
                        detail="案款发放："
                        + "，".join(
                            f"{line.get_kind_display()}{line.payee_name}{format_yuan(line.amount)}元"
                            for line in ls
                        )
                        + f"（付款文件{pf.name}）",
                        data={
                            "payment_file": pf.id,
                            "lines": [line.id for line in ls],
                            "amount": sum(line.amount for line in ls),
                        },
                    )
                    for case_id, ls in by_case.items()
                ),
            )
        )
        try:
            booked = ledger_post(
                court_id=court.id,
                postings=[
                    Posting(
                        kind=LEDGER_KIND[line.kind],
                        amount=line.amount,
                        value_on=today,
                        case_id=by_payout[line.payout_id].case_id,
                        reference=f"pay:{line.id}",
                        event=events[by_payout[line.payout_id].case_id],
                        payout_line_id=line.id,
                    )
                    for line in lines
                ],
                now=now,
            )
        except LedgerRefused as refusal:
            raise PayoutRefused(f"付款文件未生成：{refusal}") from refusal
        if len(booked) != len(lines):  # a line already booked: never pay it twice
            raise PayoutRefused("付款文件未生成：部分明细已经支付过")
        PayoutLine.objects.filter(id__in=[line.id for line in lines]).update(payment_file=pf)
        # The rows are locked; the status check still guards a writer that did not lock.
        n = Payout.objects.filter(id__in=ids, status="approved").update(
            status="paid", version=F("version") + 1
        )
        if n != len(ids):
            raise PayoutRefused("付款文件未生成：所选方案已被他人处理，请刷新页面后重试")
        phones = _phones(
            line.party_id for line in lines if line.kind == "creditor" and line.party_id
        )
        notices_queue(
            court_id=court.id,
            items=[
                NoticeItem(
                    case_id=by_payout[line.payout_id].case_id,
                    reason="payment",
                    key=f"payment:{line.id}",
                    text=(
                        f"【{court.name}】{line.payee_name}：{cases[by_payout[line.payout_id].case_id].case_number}"
                        f"案件执行款{format_yuan(line.amount)}元已于{today:%Y年%m月%d日}发放至您尾号"
                        f"{line.payee_account[-4:]}的账户，请注意查收。"
                    ),
                    party_id=line.party_id,
                    phone=phones.get(line.party_id, ""),
                )
                for line in lines
                if line.kind == "creditor"
            ],
            now=now,
        )
    return pf


def _phones(party_ids) -> dict[int, str]:
    return dict(Party.objects.filter(id__in=list(party_ids)).values_list("id", "phone"))


def payment_file_csv(pf: PaymentFile) -> bytes:
    """The file for the bank: UTF-8 with a BOM (Excel opens it), one row per
    line, amounts in yuan, the reference ZX<line id>."""
    settings = funds_settings(pf.court)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in (
        PayoutLine.objects.filter(payment_file=pf).select_related("payout__case").order_by("id")
    ):
        writer.writerow(
            [
                settings.custody_account,
                settings.custody_name,
                line.payee_account,
                line.payee_name,
                line.payee_bank,
                yuan_str(line.amount),
                _purpose(line, line.payout.case.case_number),
                f"ZX{line.id}",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- warnings


def payout_warnings(*, court: Court, today: date, handler: Officer | None = None, team=None):
    """Plans not paid, not deferred, not withdrawn whose limit is within the
    court's payout_warn_days or past: tasks.selectors.DueWarnings of WarnRows
    (source 案款发放), one query whatever the number of plans."""
    from zhixing.tasks.selectors import DueWarnings, WarnRow

    warn_days = funds_settings(court).payout_warn_days
    plans = (
        Payout.objects.filter(
            court=court,
            status__in=("pending", "approved"),
            due_on__lte=today + timedelta(days=warn_days),
        )
        .select_related("case", "case__handler")
        .order_by("due_on", "id")
    )
    if handler is not None:
        plans = plans.filter(case__handler=handler)
    elif team is not None:
        plans = plans.filter(case__team=team)
    out = DueWarnings()
    for p in plans:
        alert = payout_alert(due_on=p.due_on, today=today, warn_days=warn_days)
        if not alert:
            continue
        row = WarnRow(
            case_id=p.case_id,
            case_number=p.case.case_number,
            what=f"案款发放{format_yuan(p.total)}元（{p.get_status_display()}）",
            source="案款发放",
            due_on=p.due_on,
            days=(p.due_on - today).days,
            who=p.case.handler.name if p.case.handler_id else "未指定",
            handler_id=p.case.handler_id,
            team_id=p.case.team_id,
            assignee_id=None,
            is_task=False,
        )
        (out.overdue if alert == "overdue" else out.due_soon).append(row)
    return out
