"""The robot's pass with the network inquiry over HTTP: a network that has
not answered yet leaves the case inquiring, a later pass absorbs the answers;
a link that times out or refuses is retried under the same request ids."""

import time
from datetime import timedelta

from tests.centre.test_pipeline import debtor_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, CaseParty
from zhixing.centre.services import robot_pass
from zhixing.inquiry.http import HttpProvider
from zhixing.inquiry.models import Asset, Inquiry, InquiryRequest
from zhixing.inquiry.providers import ALL_KINDS


def events(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_a_network_answering_at_once_lets_one_pass_dispatch_the_case(court, centre, simulator, settings):
    server = simulator()
    settings.INQUIRY_URL = server.url
    code, expected = debtor_with(lambda a: len(a) >= 2)
    case = file(court, centre, at(2026, 3, 2), debtor_id=code)
    report = robot_pass(now=at(2026, 3, 2, 10, 5))
    assert (report.inquired, report.answered, report.triaged, report.dispatched) == (1, 1, 1, 1)
    assert report.sent == len(ALL_KINDS)
    assert Inquiry.objects.get(case=case).provider == "http"
    assert events(case) == ["filed", "inquiry_started", "inquiry_finished", "triaged", "dispatched"]
    found = Asset.objects.filter(case=case)
    assert sorted((a.kind, a.holder, a.value, a.detail) for a in found) == sorted(
        (a.kind, a.holder, a.value, a.detail) for a in expected)
    debtor = CaseParty.objects.get(case=case, role="debtor").party
    assert {(a.inquiry_id, a.debtor_id, a.source) for a in found} == {(Inquiry.objects.get(case=case).id, debtor.id, "network")}
    assert server.network.accepted == len(ALL_KINDS)


def test_answers_not_ready_yet_are_absorbed_by_a_later_pass(court, centre, simulator):
    server = simulator(latency_min=0.3, latency_max=0.3)
    case = file(court, centre, at(2026, 3, 2))
    provider = HttpProvider(server.url, timeout=2)
    report = robot_pass(now=at(2026, 3, 2, 10, 5), provider=provider)
    assert (report.inquired, report.answered, report.triaged) == (1, 0, 0)
    assert set(InquiryRequest.objects.filter(case=case).values_list("state", flat=True)) == {"sent"}
    case.refresh_from_db()
    assert case.state == "inquiring"
    time.sleep(0.35)
    report = robot_pass(now=at(2026, 3, 2, 10, 6), provider=provider)
    assert (report.inquired, report.answered, report.triaged, report.dispatched) == (0, 1, 1, 1)
    assert Inquiry.objects.get(case=case).finished_at == at(2026, 3, 2, 10, 6)
    assert server.network.accepted == len(ALL_KINDS)  # asked once


def test_a_link_that_times_out_is_retried_with_the_same_request_ids(court, centre, simulator, settings):
    settings.INQUIRY_RETRY_BASE = 60
    server = simulator(timeout_rate=1.0, hang=3)
    case = file(court, centre, at(2026, 3, 2))
    provider = HttpProvider(server.url, timeout=0.3)
    report = robot_pass(now=at(2026, 3, 2, 10, 5), provider=provider)
    assert (report.inquired, report.sent, report.answered) == (1, 0, 0)
    rows = InquiryRequest.objects.filter(case=case)
    assert {(r.state, r.attempts, r.next_try_at) for r in rows} == {("queued", 1, at(2026, 3, 2, 10, 6))}
    assert all("超时" in r.last_error for r in rows)
    ids = set(rows.values_list("request_id", flat=True))

    server.network.settings.timeout_rate = 0
    # The batch did arrive before the timeout: its answers are read at the
    # next pass, while the requests still back off, and nothing is asked twice.
    report = robot_pass(now=at(2026, 3, 2, 10, 5) + timedelta(seconds=30), provider=provider)
    assert (report.sent, report.answered, report.dispatched) == (0, 1, 1)
    assert set(InquiryRequest.objects.filter(case=case).values_list("request_id", flat=True)) == ids
    assert set(InquiryRequest.objects.filter(case=case).values_list("state", flat=True)) == {"answered"}
    assert (server.network.accepted, server.network.duplicates) == (len(ALL_KINDS), 0)
    assert robot_pass(now=at(2026, 3, 2, 10, 7), provider=provider).sent == 0
    assert events(case).count("inquiry_finished") == 1


def test_a_request_sent_but_never_answered_is_sent_again_under_its_id(court, centre, simulator, settings):
    settings.INQUIRY_RESEND_AFTER = 600
    server = simulator(latency_min=60, latency_max=60)  # answers long after the pass
    case = file(court, centre, at(2026, 3, 2))
    provider = HttpProvider(server.url, timeout=2)
    assert robot_pass(now=at(2026, 3, 2, 10, 0), provider=provider).sent == len(ALL_KINDS)
    assert robot_pass(now=at(2026, 3, 2, 10, 9), provider=provider).sent == 0  # not yet
    robot_pass(now=at(2026, 3, 2, 10, 10), provider=provider)  # resent: the network still has them pending
    assert (server.network.accepted, server.network.duplicates) == (len(ALL_KINDS), len(ALL_KINDS))
    assert {r.attempts for r in InquiryRequest.objects.filter(case=case)} == {2}
    assert events(case) == ["filed", "inquiry_started"]


def test_a_network_that_is_down_leaves_the_case_inquiring(court, centre, closed_port):
    case = file(court, centre, at(2026, 3, 2))
    provider = HttpProvider(f"http://127.0.0.1:{closed_port}", timeout=0.3)
    for minute in (5, 30):
        report = robot_pass(now=at(2026, 3, 2, 10, minute), provider=provider)
        assert report.answered == 0
    case.refresh_from_db()
    assert case.state == "inquiring"
    assert events(case) == ["filed", "inquiry_started"]
    assert {r.attempts for r in InquiryRequest.objects.filter(case=case)} == {2}


def test_while_batches_go_out_threads_take_turns_quickly_and_the_interval_is_put_back(
        court, centre, simulator, settings, monkeypatch):
    import sys

    from zhixing.inquiry import services

    server = simulator()
    settings.INQUIRY_URL, settings.INQUIRY_BATCH_SIZE = server.url, len(ALL_KINDS)  # a batch per case
    seen = []
    submit = HttpProvider.submit

    def recording(self, *args, **kwargs):
        seen.append(sys.getswitchinterval())
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(HttpProvider, "submit", recording)
    before = sys.getswitchinterval()
    for _ in range(3):
        file(court, centre, at(2026, 3, 2))
    report = robot_pass(now=at(2026, 3, 2, 10, 5))
    assert report.dispatched == 3
    assert seen == [services.SWITCH_WHILE_SENDING] * 3
    assert sys.getswitchinterval() == before


def test_overlapping_senders_put_the_interval_back_once_the_last_is_done():
    import sys

    from zhixing.inquiry.services import SWITCH_WHILE_SENDING, _quick_switching

    before = sys.getswitchinterval()
    first, second = _quick_switching(), _quick_switching()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start ends first: the second still sends
    assert sys.getswitchinterval() == SWITCH_WHILE_SENDING
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
