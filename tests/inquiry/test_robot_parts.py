"""The robot's pass in its parts: asking the network, hearing its answers,
assigning (triage and dispatch). One after another they do what one pass
does; side by side, each in a thread of its own with its own database
connection (as workers of their own, or the benchmark's processes), every
case still ends dispatched with one inquiry, each request asked once and
each event written once."""

import threading
import time
from collections import Counter

import pytest
from django.db import connections

from tests.centre.test_pipeline import file
from tests.conftest import at, person_id
from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.centre.services import robot_ask_pass, robot_assign_pass, robot_hear_pass
from zhixing.inquiry.http import HttpProvider
from zhixing.inquiry.models import Inquiry, InquiryRequest
from zhixing.inquiry.providers import ALL_KINDS

PIPELINE = ["filed", "inquiry_started", "inquiry_finished", "triaged", "dispatched"]


def kinds(case_id):
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("id").values_list("kind", flat=True))


def test_the_parts_one_after_another_do_what_one_pass_does(court, centre, simulator):
    server = simulator()
    provider = HttpProvider(server.url, timeout=5)
    case = file(court, centre, at(2026, 3, 2))
    when = at(2026, 3, 2, 10, 5)

    asked = robot_ask_pass(now=when, provider=provider)
    assert (asked.inquired, asked.sent, asked.heard, asked.answered) == (1, len(ALL_KINDS), 0, 0)
    assert set(InquiryRequest.objects.filter(case=case).values_list("state", flat=True)) == {"sent"}
    assert robot_assign_pass(now=when).busy is False  # nothing to triage before the answers are heard

    heard = robot_hear_pass(now=when, provider=provider)
    assert (heard.inquired, heard.sent, heard.heard, heard.answered) == (0, 0, len(ALL_KINDS), 1)
    case.refresh_from_db()
    assert case.state == "inquiring"  # heard, not yet triaged

    assigned = robot_assign_pass(now=when)
    assert (assigned.triaged, assigned.dispatched) == (1, 1)
    assert kinds(case.id) == PIPELINE
    assert server.network.accepted == len(ALL_KINDS)
    # Nothing left for any part.
    assert not any(p.busy for p in (robot_ask_pass(now=when, provider=provider),
                                     robot_hear_pass(now=when, provider=provider), robot_assign_pass(now=when)))


def test_asking_goes_by_chunks_each_posted_once_while_the_next_is_written(court, centre, simulator, monkeypatch):
    from zhixing.centre import services

    monkeypatch.setattr(services, "ASK_CHUNK", 2)
    server = simulator()
    provider = HttpProvider(server.url, timeout=5)
    cases = [file(court, centre, at(2026, 3, 2), debtor_id=person_id(400 + i)) for i in range(5)]
    report = robot_ask_pass(now=at(2026, 3, 2, 10, 5), provider=provider, limit=4)
    assert (report.inquired, report.sent) == (4, 4 * len(ALL_KINDS))  # the limit holds across chunks
    assert server.requests == 2  # a POST a chunk
    report = robot_ask_pass(now=at(2026, 3, 2, 10, 5), provider=provider, limit=4)
    assert (report.inquired, report.sent) == (1, len(ALL_KINDS))
    assert server.network.accepted == 5 * len(ALL_KINDS)
    assert set(InquiryRequest.objects.values_list("case_id", "state", "attempts")) == {
        (c.id, "sent", 1) for c in cases}
    assert robot_ask_pass(now=at(2026, 3, 2, 10, 5), provider=provider).busy is False


@pytest.mark.django_db(transaction=True)  # the chunks are posted from a thread with its own connection
def test_asking_by_chunks_looks_for_due_requests_once_a_pass_and_sends_them(court, centre, simulator, monkeypatch):
    from zhixing.centre import services as centre_services
    from zhixing.inquiry import services

    monkeypatch.setattr(centre_services, "ASK_CHUNK", 2)
    server = simulator()
    provider = HttpProvider(server.url, timeout=5)
    when = at(2026, 3, 2, 10, 5)
    first = file(court, centre, at(2026, 3, 2), debtor_id=person_id(450))
    robot_ask_pass(now=when, provider=provider)
    # One request back in the queue, due now (as after a failed send).
    retry = InquiryRequest.objects.filter(case=first).order_by("id").first()
    InquiryRequest.objects.filter(id=retry.id).update(state="queued", next_try_at=when)
    later = [file(court, centre, at(2026, 3, 2), debtor_id=person_id(451 + i)) for i in range(5)]
    looked, due = [], services.requests_due

    def counted(**kwargs):
        looked.append(kwargs)
        return due(**kwargs)

    monkeypatch.setattr(services, "requests_due", counted)
    report = robot_ask_pass(now=when, provider=provider)
    assert (report.inquired, report.sent) == (5, 5 * len(ALL_KINDS))  # three chunks
    assert len(looked) == 1  # once, not once a chunk
    assert server.network.duplicates == 1  # the one due, sent again under its id
    retry.refresh_from_db()
    assert (retry.state, retry.attempts) == ("sent", 2)
    assert set(InquiryRequest.objects.filter(case__in=later).values_list("state", "attempts")) == {("sent", 1)}


def test_a_crash_while_the_next_page_is_read_ahead_loses_no_answer(court, centre, simulator, settings, monkeypatch):
    from zhixing.inquiry import services

    settings.INQUIRY_POLL_PAGE = len(ALL_KINDS)  # a page a case
    server = simulator()
    provider = HttpProvider(server.url, timeout=5)
    cases = [file(court, centre, at(2026, 3, 2), debtor_id=person_id(500 + i)) for i in range(3)]
    robot_ask_pass(now=at(2026, 3, 2, 10, 5), provider=provider)
    absorb, calls = services.inquiries_absorb, []

    def crashing(**kwargs):  # the second page's transaction never commits
        calls.append(kwargs["cursor"])
        if len(calls) == 2:
            raise RuntimeError("崩溃")
        return absorb(**kwargs)

    read, asked = provider.poll, []

    def reading(cursor, limit):
        asked.append(cursor)
        return read(cursor, limit)

    monkeypatch.setattr(services, "inquiries_absorb", crashing)
    monkeypatch.setattr(provider, "poll", reading)
    with pytest.raises(RuntimeError):
        robot_hear_pass(now=at(2026, 3, 2, 10, 5), provider=provider)
    assert asked == ["", calls[0][1], calls[1][1]]  # the third page was asked for before the second was saved
    monkeypatch.setattr(services, "inquiries_absorb", absorb)
    report = robot_hear_pass(now=at(2026, 3, 2, 10, 5), provider=provider)
    assert (report.heard, report.answered) == (2 * len(ALL_KINDS), 3)  # the second page read again, and the third
    assert set(InquiryRequest.objects.values_list("state", flat=True)) == {"answered"}
    assert (server.network.accepted, server.network.duplicates) == (3 * len(ALL_KINDS), 0)  # nothing asked again
    for c in cases:
        assert kinds(c.id) == ["filed", "inquiry_started", "inquiry_finished"]


@pytest.mark.django_db(transaction=True)
def test_the_parts_side_by_side_dispatch_every_case_once(simulator):
    from zhixing.courts.models import Officer
    from zhixing.demo.court import demo_court_create

    court = demo_court_create(password="pw")
    centre = Officer.objects.get(user__username="centre")
    # Answers within 0.2 s, a third of them delivered twice: the hearing part
    # reads pages while the asking part is still posting the next batches.
    server = simulator(latency_min=0.001, latency_max=0.2, duplicate_rate=0.3, seed=7)
    provider = HttpProvider(server.url, timeout=10, batch_size=16)
    n = 24
    stop, errors, passes = threading.Event(), [], Counter()

    def worker(name, run):
        try:
            while not stop.is_set():
                if run(now=at(2026, 3, 2, 10, 5)).busy:
                    passes[name] += 1
                else:
                    time.sleep(0.01)
        except Exception as e:  # noqa: BLE001 (reported by the test, below)
            errors.append(f"{name}: {e!r}")
        finally:
            connections.close_all()  # this thread's connection

    parts = {
        "ask": lambda now: robot_ask_pass(now=now, provider=provider, limit=5),
        "hear": lambda now: robot_hear_pass(now=now, provider=provider, limit=5),
        "assign": lambda now: robot_assign_pass(now=now, limit=5),
    }
    threads = [threading.Thread(target=worker, args=item) for item in parts.items()]
    for t in threads:
        t.start()
    try:
        for i in range(n):  # filed while the robot works, one by one as clerks do
            file(court, centre, at(2026, 3, 2), debtor_id=person_id(300 + i))
        deadline = time.monotonic() + 60
        while EnforcementCase.objects.filter(state="dispatched").count() < n and not errors:
            assert time.monotonic() < deadline, f"not all dispatched: {passes}"
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert errors == []
    assert min(passes.values()) >= 1 and len(passes) == 3  # every part did its share
    cases = list(EnforcementCase.objects.values_list("id", flat=True))
    assert len(cases) == n
    for case_id in cases:
        assert kinds(case_id) == PIPELINE
    assert Inquiry.objects.count() == n and not Inquiry.objects.filter(finished_at__isnull=True).exists()
    assert InquiryRequest.objects.count() == n * len(ALL_KINDS)
    assert set(InquiryRequest.objects.values_list("state", "attempts")) == {("answered", 1)}
    assert server.network.accepted == n * len(ALL_KINDS)  # none asked twice
