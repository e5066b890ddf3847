"""案款收支 on the dashboard, and the recovery figures of the quality measures,
both from the ledger."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import at
from tests.funds.test_reports_reconcile import DAY, Books, file_cases
from zhixing.funds.ledger import Posting
from zhixing.funds.selectors import recovered_by_case
from zhixing.web.dashboard import funds_flow


@pytest.fixture
def cases(court, centre):
    return file_cases(court, centre, n=2)


@pytest.fixture
def march(court, centre, cases):
    """In March: 10,000.00 arrives for case a, 300.00 is claimed to b, 200.00
    stays unclaimed; 8,000.00 paid, 150.00 fee, 50.00 refunded. In February:
    1,000.00 for a (outside the period)."""
    a, b = cases
    bk = Books(court, centre)
    bk.post(
        Posting("receipt", 1_000_00, date(2026, 2, 27), case_id=a.id, reference="F1"),
        Posting("receipt", 10_000_00, DAY, case_id=a.id, reference="B1"),
        Posting("unmatched", 300_00, DAY, reference="B2"),
        Posting("unmatched", 200_00, DAY, reference="B3"),
    )
    bk.post(Posting("claim", 300_00, date(2026, 3, 3), case_id=b.id, reference="settle:B2"))
    bk.post(
        Posting("disbursement", 8_000_00, date(2026, 3, 5), case_id=a.id, reference="pay:1"),
        Posting("fee", 150_00, date(2026, 3, 5), case_id=a.id, reference="pay:2"),
        Posting("refund", 50_00, date(2026, 3, 5), case_id=a.id, reference="pay:3"),
        Posting(
            "direct", 999_00, date(2026, 3, 6), case_id=b.id
        ),  # outside the court: no custody money
    )
    return bk


def test_the_funds_flow_of_a_period_comes_from_the_ledger(court, march):
    flow = funds_flow(court, date(2026, 3, 1), date(2026, 3, 31))
    assert (flow.received, flow.paid, flow.fee, flow.refunded, flow.unclaimed_end) == (
        10_300_00,
        8_000_00,
        150_00,
        50_00,
        200_00,
    )
    # at the end of the 2nd the 300.00 was not yet claimed
    flow = funds_flow(court, date(2026, 3, 1), date(2026, 3, 2))
    assert (flow.received, flow.paid, flow.unclaimed_end) == (10_000_00, 0, 500_00)


def test_the_dashboard_shows_the_periods_funds(court, march, client, director, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 31, 15))
    client.force_login(director.user)
    body = client.get("/dashboard/?from=2026-03-01&to=2026-03-31").content.decode()
    section = body[body.index('id="funds-flow"') :]
    section = section[: section.index("</section>")]
    assert "案款收支" in section
    heads = re.findall(r'<th class="num">([^<]+)（元）</th>', section)
    values = re.findall(r'<td class="num">([^<]+)</td>', section)
    assert dict(zip(heads, values)) == {
        "到账及认领到案": "10,300.00",
        "发放申请执行人": "8,000.00",
        "收取申请执行费": "150.00",
        "退还被执行人": "50.00",
        "期末待认领款": "200.00",
    }


def test_a_claimed_deposit_counts_as_recovered_for_its_case_and_an_unmatched_one_for_none(
    court, centre, cases
):
    a, b = cases
    bk = Books(court, centre)
    bk.post(Posting("unmatched", 700_00, DAY, reference="B9"))
    assert recovered_by_case([a.id, b.id]) == {}
    bk.post(Posting("claim", 700_00, DAY, case_id=b.id, reference="settle:B9"))
    bk.post(Posting("receipt", 100_00, DAY, case_id=a.id, reference="B10"))
    bk.post(Posting("refund", 30_00, DAY, case_id=a.id, reference="pay:9"))
    bk.post(
        Posting("disbursement", 70_00, DAY, case_id=a.id, reference="pay:10")
    )  # paid on: still recovered
    assert recovered_by_case([a.id, b.id]) == {a.id: 70_00, b.id: 700_00}


def test_the_recovery_rate_counts_the_claimed_deposit(court, centre, cases):
    from zhixing.cases.models import CaseEvent, EnforcementCase
    from zhixing.stats.measures import measures_for

    a, b = cases
    bk = Books(court, centre)
    bk.post(
        Posting("unmatched", 700_00, DAY, reference="B9"),
        Posting("unmatched", 500_00, DAY, reference="B8"),
    )
    bk.post(Posting("claim", 700_00, DAY, case_id=b.id, reference="settle:B9"))
    # both cases closed in March; only b got money (the 500.00 waits unclaimed)
    for c in (a, b):
        EnforcementCase.objects.filter(pk=c.pk).update(
            state="closed", closed_on=date(2026, 3, 10), closing_mode="performed"
        )
        CaseEvent.objects.create(
            court=court, case=c, at=at(2026, 3, 10), kind="closed", data={"mode": "performed"}
        )
    x = measures_for(court=court, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert x.amount_recovered == 700_00
    assert x.amount_claimed == a.amount_claimed + b.amount_claimed
