"""Two imports of overlapping statements at once, and two officers claiming
the same line at once (PostgreSQL, one connection per thread): each line is
stored and booked once, and a line is claimed once."""

import threading

import pytest
from django.db import connection

from tests.conftest import at
from tests.funds.statements_kit import csv_bytes, file_case, line
from zhixing.funds.ledger import custody_balance
from zhixing.funds.models import LedgerEntry, StatementLine
from zhixing.funds.statement_services import MoneyInRefused, statements_claim, statements_import

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so nothing can race",
)


def race(*jobs):
    start = threading.Barrier(len(jobs))
    done, refused, errors = [], [], []

    def run(job):
        try:
            start.wait()
            done.append(job())
        except MoneyInRefused as refusal:
            refused.append(str(refusal))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return done, refused


@pytest.mark.django_db(transaction=True)
def test_overlapping_imports_at_once_book_each_line_once_and_a_line_is_claimed_once():
    from zhixing.courts.models import Officer
    from zhixing.demo.court import demo_court_create

    court = demo_court_create(password="pw")
    centre = Officer.objects.get(user__username="centre")
    finance = Officer.objects.select_related("court").get(user__username="finance")
    director = Officer.objects.select_related("court").get(user__username="director")
    case = file_case(court, centre)
    shared = [line(serial="T1", amount_in="100"), line(serial="T2", amount_in="50")]
    files = [csv_bytes(shared + [line(serial="T3", amount_in="1")]), csv_bytes(shared + [line(serial="T4", amount_in="2")])]

    def importer(data):
        return lambda: statements_import(
            court=court, officer=finance, file_name="s.csv", data=data, mapping=None, now=at(2026, 3, 10)
        ).new_count

    done, _ = race(*(importer(d) for d in files))
    assert sorted(done) == [1, 3]
    assert StatementLine.objects.count() == 4 and LedgerEntry.objects.count() == 4
    assert custody_balance(court.id) == 153_00

    t1 = StatementLine.objects.get(serial="T1").id

    def claimer(who):
        return lambda: statements_claim(line_id=t1, case_number=case.case_number, officer=who, note="", now=at(2026, 3, 11))

    done, refused = race(claimer(finance), claimer(director))
    assert len(done) == 1 and len(refused) == 1 and "不能重复认领或退回" in refused[0]
    assert LedgerEntry.objects.filter(kind="claim").count() == 1
