"""The robot writes a new case's requests already marked sent and posts them
right after (one write less each). A crash in between must cost only time:
they go again after INQUIRY_RESEND_AFTER, under the same ids, asked once."""

from datetime import timedelta

from tests.centre.test_pipeline import file
from tests.conftest import at
from zhixing.centre.services import cases_inquire_new, robot_pass
from zhixing.inquiry.http import HttpProvider
from zhixing.inquiry.models import InquiryRequest
from zhixing.inquiry.providers import ALL_KINDS, SimulatedProvider


def test_requests_written_as_sent_but_never_posted_go_again_after_the_resend_time(court, centre, settings):
    settings.INQUIRY_RESEND_AFTER = 600
    case = file(court, centre, at(2026, 3, 2))
    provider = SimulatedProvider()
    start = at(2026, 3, 2, 10, 5)
    fresh = []
    cases_inquire_new(court=court, now=start, provider=provider, limit=10, sending=fresh)
    # The robot dies here: committed, never posted.
    rows = InquiryRequest.objects.filter(case=case)
    assert {(r.state, r.attempts, r.next_try_at) for r in rows} == {("sent", 1, start + timedelta(seconds=600))}
    assert sorted(f[1] for f in fresh) == sorted(rows.values_list("request_id", flat=True))
    ids = set(rows.values_list("request_id", flat=True))

    report = robot_pass(now=start + timedelta(seconds=300), provider=provider)
    assert (report.inquired, report.sent, report.dispatched) == (0, 0, 0)  # not due yet
    report = robot_pass(now=start + timedelta(seconds=601), provider=provider)
    assert (report.sent, report.answered, report.dispatched) == (len(ALL_KINDS), 1, 1)
    assert set(InquiryRequest.objects.filter(case=case).values_list("request_id", flat=True)) == ids
    assert set(InquiryRequest.objects.filter(case=case).values_list("attempts", flat=True)) == {2}
    assert provider.network.accepted == len(ALL_KINDS)


def test_a_link_down_before_their_turn_puts_fresh_requests_back_as_never_sent(court, centre, settings, simulator,
                                                                              closed_port):
    settings.INQUIRY_BATCH_SIZE = 4  # two batches for one case: the first fails, the second is never posted
    closed = HttpProvider(f"http://127.0.0.1:{closed_port}", timeout=0.3, batch_size=4)
    case = file(court, centre, at(2026, 3, 2))
    start = at(2026, 3, 2, 10, 5)
    report = robot_pass(now=start, provider=closed)
    assert (report.inquired, report.sent) == (1, 0)
    rows = sorted(InquiryRequest.objects.filter(case=case), key=lambda r: r.attempts)
    assert [(r.state, r.attempts) for r in rows] == [("queued", 0)] * 4 + [("queued", 1)] * 4
    assert all(r.sent_at is None and r.next_try_at == start for r in rows[:4])
    assert all("无法连接" in r.last_error for r in rows[4:])

    server = simulator()
    report = robot_pass(now=start, provider=HttpProvider(server.url, timeout=2))
    assert (report.sent, report.dispatched) == (4, 0)  # the four never sent; the others back off
    assert server.network.accepted == 4
