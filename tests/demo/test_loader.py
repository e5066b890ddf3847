"""The demo history is made by the services on a simulated clock: every case
was filed, inquired, triaged and dispatched by them, and every closing passed
its guard. A short load (20 days) keeps these tests quick."""

import logging
from collections import Counter
from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, F
from django.test.utils import override_settings

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase, Milestone, Party
from zhixing.demo.court import DEMO_OFFICERS, DEMO_PASSWORD
from zhixing.demo.loader import demo_load, print_logins
from zhixing.funds.models import LedgerEntry, Payout
from zhixing.funds.selectors import recovered_by_case
from zhixing.rules.identity import check_credit_code, check_id_number

TODAY = date(2026, 3, 20)
DAYS = 15  # 2026-03-05 to 2026-03-19: 11 working days

pytestmark = pytest.mark.django_db


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One load for the module, rolled back at its end."""
    records = _Records()
    logging.getLogger("zhixing.demo").addHandler(records)
    with django_db_blocker.unblock(), override_settings(ROBOT_KICK=False), transaction.atomic():
        court = demo_load(seed=7, days=DAYS, today=TODAY)
        court.warnings = records.messages
        yield court
        transaction.set_rollback(True)
    logging.getLogger("zhixing.demo").removeHandler(records)


def test_every_case_was_filed_and_moved_by_the_services(loaded):
    cases = EnforcementCase.objects.filter(court=loaded)
    n = cases.count()
    assert 11 * 15 <= n <= 11 * 35  # about 24 a working day
    working = (5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19)
    assert set(cases.values_list("filed_on", flat=True)) == {date(2026, 3, d) for d in working}
    assert CaseEvent.objects.filter(kind="filed").values("case").distinct().count() == n
    assert CaseEvent.objects.filter(kind="filed").count() == n
    assert not cases.annotate(m=Count("milestones")).filter(m=0).exists()
    # The robot reached every case: none is left waiting before a team.
    assert not cases.filter(state__in=["filed", "inquiring", "triaged"]).exists()
    assert not cases.filter(handler__isnull=True).exists()
    closed = cases.filter(state="closed")
    assert closed.count() > 0
    assert CaseEvent.objects.filter(kind="closed").count() == closed.count()
    assert (
        CaseEvent.objects.filter(kind="closed").values("case").distinct().count() == closed.count()
    )
    # Performed means the money is there; every ledger row has its event.
    recovered = recovered_by_case(closed.values_list("id", flat=True))
    for case_id, claim in closed.filter(closing_mode="performed").values_list(
        "id", "amount_claimed"
    ):
        assert recovered.get(case_id, 0) >= claim
    arrivals = LedgerEntry.objects.filter(kind__in=["receipt", "claim", "direct"])
    assert not arrivals.filter(event__isnull=True).exists()
    assert arrivals.count() == CaseEvent.objects.filter(kind="funds_received").count()
    # This morning's desk: yesterday's statement with a deposit to claim, plans to approve and pay.
    assert LedgerEntry.objects.filter(kind="unmatched").count() == 1
    assert set(Payout.objects.values_list("status", flat=True)) == {"pending", "approved"}
    # No guard refused a planned closing.
    assert loaded.warnings == []


def test_steps_are_mostly_on_time(loaded):
    done = Milestone.objects.filter(kind="notice_sent", done_on__isnull=False)
    assert done.count() > 0
    late = done.filter(done_on__gt=F("due_on")).count()
    assert late <= done.count() * 0.05


def test_identity_codes_are_valid_and_two_thirds_of_debtors_are_persons(loaded):
    for kind, code in Party.objects.values_list("kind", "id_code"):
        check = check_id_number if kind == "person" else check_credit_code
        assert check(code), (kind, code, check(code).explain())
    kinds = Counter(CaseParty.objects.filter(role="debtor").values_list("party__kind", flat=True))
    share = kinds["person"] / sum(kinds.values())
    assert 0.55 <= share <= 0.8, kinds
    assert kinds["company"] > 0


def test_a_second_load_does_nothing(loaded):
    before = (EnforcementCase.objects.count(), CaseEvent.objects.count(), Party.objects.count())
    assert demo_load(seed=99, days=DAYS, today=TODAY) == loaded
    assert (
        EnforcementCase.objects.count(),
        CaseEvent.objects.count(),
        Party.objects.count(),
    ) == before


def test_logins_show_centre_and_director_first_and_the_password_once(loaded, capsys):
    print_logins()
    out = capsys.readouterr().out
    assert out.count(DEMO_PASSWORD) == 1
    assert "用户名" in out and "岗位" in out and "团队" in out
    assert out.index("centre") < out.index("director") < out.index("one_shot1")
    for username, name, *_ in DEMO_OFFICERS:
        assert username in out and name in out
    assert "指挥中心干警" in out and "执行局长" in out and "简易执行团队" in out
