"""Case numbers stay gapless and unique when filings race (案号规定 §9–10).

Several threads, each with its own database connection and transaction, file
at once. On PostgreSQL the counter row lock serialises them; on SQLite the
IMMEDIATE transaction does."""

import threading
from datetime import date

import pytest
from django.db import connection

from tests.conftest import application_json, at
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import cases_file
from zhixing.intake.parsing import parse_application

THREADS = 6
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_racing_filings_get_gapless_unique_numbers():
    from zhixing.courts.models import Officer
    from zhixing.demo.court import demo_court_create

    court = demo_court_create(password="pw")
    centre = Officer.objects.get(user__username="centre")
    application, _ = parse_application(application_json(), today=date(2026, 3, 2))
    start = threading.Barrier(THREADS)
    errors = []

    def file_some():
        try:
            start.wait()
            for _ in range(PER_THREAD):
                cases_file(court=court, actor=centre, applications=[application, application], now=at(2026, 3, 2))
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_some) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = sorted(EnforcementCase.objects.filter(court=court, year=2026, type_code="执").values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD * 2 + 1))
