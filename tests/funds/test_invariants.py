"""Proof (issue 4 §6): random sequences of arrivals, statement imports (with
re-imports and overlaps), claims, returns and payouts keep every invariant of
the case accounts. The machine drives the real services on the real database
and keeps its own model of where every fen should be:

- custody = Σ case accounts + unclaimed, always (double entry);
- no case account and no unclaimed money below zero;
- every incoming bank line is booked exactly once, whatever was re-imported;
- each case account holds exactly what arrived for it less what was paid out;
- nothing is paid twice, and the fee is never withheld beyond what is owed.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from tests.centre.test_dispatch import dispatched
from tests.conftest import at
from tests.funds.payouts_kit import default_lines, officer
from zhixing.funds.case_panel import account_number
from zhixing.funds.ledger import all_case_balances_total, case_balances, custody_balance, unclaimed_balance
from zhixing.funds.models import LedgerEntry, Payout, StatementLine
from zhixing.funds.payouts import PayoutRefused, available_balance, payments_file, payouts_decide, payouts_plan
from zhixing.funds.statement_services import MoneyInRefused, statements_claim, statements_import, statements_return
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.money import yuan_str

HEADER = ["交易时间", "流水号", "收入金额", "支出金额", "余额", "对方户名", "对方账号", "子账号", "摘要"]


@dataclass
class Line:
    n: int
    amount: int
    case: int | None  # index of the case it is meant for, None: nobody can tell
    how: str  # "sub_account", "remark" or "unknown"
    with_serial: bool

    def row(self, cases) -> list[str]:
        case = cases[self.case] if self.case is not None else None
        moment = at(2026, 3, 2, 8) + timedelta(minutes=self.n)
        return [
            moment.strftime("%Y-%m-%d %H:%M:%S"),
            f"S{self.n:06d}" if self.with_serial else "",
            yuan_str(self.amount),
            "",
            "",
            "某某贸易有限公司",  # not a debtor of any case: no match by payer
            f"62220000{self.n:08d}",
            account_number(case) if self.how == "sub_account" else "",
            f"还款 {case.case_number}" if self.how == "remark" else f"往来款{self.n}",
        ]


def statement(lines, cases) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    for line in lines:
        w.writerow(line.row(cases))
    return out.getvalue().encode("utf-8-sig")


class CaseAccounts(RuleBasedStateMachine):
    ctx: dict = {}

    def __init__(self):
        super().__init__()
        self.court = self.ctx["court"]
        self.cases = self.ctx["cases"]
        self.people = self.ctx["people"]
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each run is rolled back at teardown
        self.now = at(2026, 3, 2, 12)
        self.lines: list[Line] = []
        self.imported: set[int] = set()  # line numbers in the database
        self.unmatched: set[int] = set()  # imported, unmatched, not yet settled
        self.settled: set[int] = set()  # claimed or returned
        self.expected = defaultdict(int)  # case index -> fen held
        self.unclaimed = 0
        self.received_in = 0  # fen of every distinct incoming line imported
        self.paid_payouts: list[int] = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def tick(self):
        self.now += timedelta(minutes=7)
        return self.now

    # -- money in --------------------------------------------------------

    @rule(
        case=st.one_of(st.none(), st.integers(0, 2)),
        amount=st.integers(1, 80_000_00),
        how=st.sampled_from(["sub_account", "remark", "unknown"]),
        with_serial=st.booleans(),
    )
    def money_arrives_at_the_bank(self, case, amount, how, with_serial):
        if case is None:
            how = "unknown"
        self.lines.append(Line(len(self.lines), amount, case, how, with_serial))

    @precondition(lambda self: self.lines)
    @rule(data=st.data())
    def import_a_statement(self, data):
        # any subset of the lines seen so far: a new statement, a re-import, an overlap
        chosen = data.draw(st.lists(st.sampled_from(self.lines), min_size=1, max_size=6, unique_by=lambda l: l.n))
        chosen.sort(key=lambda l: l.n)
        result = statements_import(
            court=self.court,
            officer=self.people["finance"],
            file_name="对账单.csv",
            data=statement(chosen, self.cases),
            mapping=None,
            now=self.tick(),
        )
        new = [l for l in chosen if l.n not in self.imported]
        assert result.new_count == len(new)
        for line in new:
            self.imported.add(line.n)
            self.received_in += line.amount
            if line.how == "unknown":
                self.unmatched.add(line.n)
                self.unclaimed += line.amount
            else:
                self.expected[line.case] += line.amount

    def _line_id(self, n: int) -> int:
        line = self.lines[n]
        serial = f"S{n:06d}" if line.with_serial else None
        rows = StatementLine.objects.filter(court=self.court, direction="in")
        if serial:
            return rows.get(serial=serial).id
        return rows.get(counterparty_account=f"62220000{n:08d}").id

    @precondition(lambda self: self.unmatched)
    @rule(data=st.data(), case=st.integers(0, 2))
    def claim_unmatched_money(self, data, case):
        n = data.draw(st.sampled_from(sorted(self.unmatched)))
        statements_claim(
            line_id=self._line_id(n),
            case_number=self.cases[case].case_number,
            officer=self.people["finance"],
            note="付款人来电确认",
            now=self.tick(),
        )
        self.unmatched.discard(n)
        self.settled.add(n)
        self.unclaimed -= self.lines[n].amount
        self.expected[case] += self.lines[n].amount

    @precondition(lambda self: self.unmatched)
    @rule(data=st.data())
    def return_unmatched_money(self, data):
        n = data.draw(st.sampled_from(sorted(self.unmatched)))
        statements_return(line_id=self._line_id(n), officer=self.people["finance"], note="无法确认案件，退回", now=self.tick())
        self.unmatched.discard(n)
        self.settled.add(n)
        self.unclaimed -= self.lines[n].amount

    @precondition(lambda self: self.settled)
    @rule(data=st.data(), case=st.integers(0, 2))
    def settling_a_line_twice_is_refused(self, data, case):
        n = data.draw(st.sampled_from(sorted(self.settled)))
        with pytest.raises(MoneyInRefused):
            statements_claim(
                line_id=self._line_id(n),
                case_number=self.cases[case].case_number,
                officer=self.people["finance"],
                note="重复认领",
                now=self.tick(),
            )

    # -- money out -------------------------------------------------------

    @rule(case=st.integers(0, 2))
    def pay_out_what_the_case_holds(self, case):
        c = self.cases[case]
        if available_balance(c) <= 0:
            with pytest.raises(PayoutRefused):
                payouts_plan(case=c, officer=self.people["finance"], now=self.tick(), lines=None)
            return
        payout = payouts_plan(case=c, officer=self.people["finance"], now=self.tick(), lines=default_lines(c))
        for role in payout.approvals_needed:
            payout = payouts_decide(payout_id=payout.id, officer=self.people[role], approve=True, now=self.tick())
        payments_file(court=self.court, officer=self.people["finance"], payout_ids=[payout.id], now=self.tick())
        self.expected[case] -= payout.total
        self.paid_payouts.append(payout.id)

    @precondition(lambda self: self.paid_payouts)
    @rule(data=st.data())
    def paying_a_plan_twice_is_refused(self, data):
        pid = data.draw(st.sampled_from(self.paid_payouts))
        with pytest.raises(PayoutRefused):
            payments_file(court=self.court, officer=self.people["finance"], payout_ids=[pid], now=self.tick())

    # -- invariants ------------------------------------------------------

    @invariant()
    def the_books_balance(self):
        ids = [c.id for c in self.cases]
        balances = case_balances(ids)
        for i, c in enumerate(self.cases):
            assert balances.get(c.id, 0) == self.expected[i] >= 0
        assert unclaimed_balance(self.court.id) == self.unclaimed >= 0
        assert custody_balance(self.court.id) == all_case_balances_total(self.court.id) + unclaimed_balance(
            self.court.id
        )

    @invariant()
    def every_incoming_line_is_booked_once(self):
        arrivals = LedgerEntry.objects.filter(court=self.court, kind__in=["receipt", "unmatched"])
        assert arrivals.count() == len(self.imported)
        assert sum(arrivals.values_list("amount", flat=True)) == self.received_in
        assert StatementLine.objects.filter(court=self.court, direction="in").count() == len(self.imported)
        refs = [r for r in LedgerEntry.objects.filter(court=self.court).values_list("reference", flat=True) if r]
        assert len(refs) == len(set(refs))

    @invariant()
    def the_fee_is_withheld_once(self):
        for c in self.cases:
            fees = sum(LedgerEntry.objects.filter(case=c, kind="fee").values_list("amount", flat=True))
            assert fees <= enforcement_fee(c.amount_claimed)
        assert Payout.objects.filter(court=self.court, status="paid").count() == len(self.paid_payouts)


@pytest.mark.django_db
def test_random_money_keeps_every_invariant(court, centre):
    cases = dispatched(court, centre, at(2026, 3, 2, 9), n=3)
    people = {role: officer(court, role) for role in ("finance", "director", "vice_president")}
    court.funds_settings = {
        **court.funds_settings,
        "fee_account": "3202004509100999999",
        "fee_name": "武汉市汉阳区人民法院诉讼费专户",
        "fee_bank": "中国工商银行武汉汉阳支行",
    }
    court.save(update_fields=["funds_settings"])
    CaseAccounts.ctx = {"court": court, "cases": cases, "people": people}
    run_state_machine_as_test(
        CaseAccounts,
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
