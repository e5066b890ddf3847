"""Two payment runs race for one case account: two approved plans whose sum is
more than the balance, each paid by its own thread and database connection.
The ledger locks the case row, so the second run sees the first's booking and
is refused whole: exactly one plan is paid, the balance never goes below zero."""

import threading

import pytest
from django.db import connection

from tests.conftest import at
from tests.funds.payouts_kit import funded_case, officer
from zhixing.funds.ledger import case_balances
from zhixing.funds.models import LedgerEntry, PaymentFile, Payout, PayoutLine
from zhixing.funds.payouts import PayoutRefused, payments_file

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so nothing can race "
    "(run with DATABASE_URL=postgresql://…)",
)


def approved_plan(case, creator, amount):
    """An approved plan written directly: both plans cannot be planned through
    payouts_plan, which refuses a plan over the available balance; this is the
    state after a change since approval (or a plan approved by another route)."""
    payout = Payout.objects.create(
        court=case.court,
        case=case,
        arrived_on=at(2026, 3, 2).date(),
        due_on=at(2026, 4, 1).date(),
        status="approved",
        total=amount,
        approvals_needed=["director"],
        created_at=at(2026, 3, 2),
        created_by=creator,
    )
    party = case.case_parties.get(role="creditor").party
    PayoutLine.objects.create(
        payout=payout,
        kind="creditor",
        party=party,
        payee_name=party.name,
        payee_account="6222000000000002",
        amount=amount,
    )
    return payout


@pytest.mark.django_db(transaction=True)
def test_two_payment_runs_racing_for_one_balance_pay_only_the_one_that_fits():
    from zhixing.courts.models import Officer
    from zhixing.demo.court import demo_court_create

    court = demo_court_create(password="pw")
    centre = Officer.objects.get(user__username="centre")
    finance = officer(court, "finance", "finance")
    case = funded_case(court, centre, 1_000_00)
    plans = [approved_plan(case, centre, 700_00), approved_plan(case, centre, 600_00)]
    start = threading.Barrier(2)
    paid, refused, errors = [], [], []

    def pay(payout):
        try:
            start.wait()
            payments_file(court=court, officer=finance, payout_ids=[payout.id], now=at(2026, 3, 3))
            paid.append(payout.id)
        except PayoutRefused as refusal:
            refused.append(str(refusal))
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(paid) == 1 and len(refused) == 1
    assert "余额不足" in refused[0]
    winner = next(p for p in plans if p.id == paid[0])
    assert case_balances([case.id])[case.id] == 1_000_00 - winner.total
    assert LedgerEntry.objects.filter(reference__startswith="pay:").count() == 1
    assert PaymentFile.objects.count() == 1
    statuses = dict(Payout.objects.values_list("id", "status"))
    assert sorted(statuses.values()) == ["approved", "paid"] and statuses[winner.id] == "paid"


@pytest.mark.django_db(transaction=True)
def test_two_runs_paying_the_same_plan_book_it_once():
    from zhixing.courts.models import Officer
    from zhixing.demo.court import demo_court_create

    court = demo_court_create(password="pw")
    centre = Officer.objects.get(user__username="centre")
    finance = officer(court, "finance", "finance")
    case = funded_case(court, centre, 1_000_00)
    payout = approved_plan(case, centre, 400_00)
    start = threading.Barrier(2)
    paid, refused, errors = [], [], []

    def pay():
        try:
            start.wait()
            payments_file(court=court, officer=finance, payout_ids=[payout.id], now=at(2026, 3, 3))
            paid.append(1)
        except PayoutRefused as refusal:
            refused.append(str(refusal))
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (len(paid), len(refused)) == (1, 1)
    assert "已支付" in refused[0]
    assert LedgerEntry.objects.filter(reference__startswith="pay:").count() == 1
    assert case_balances([case.id])[case.id] == 600_00
