"""The robot's inquiry step on the in-process network: backoff, permanent
failure as a task for a person, duplicate and late answers absorbed, a
network restart, the rate limit, the callback, and set-based queries."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.centre.test_pipeline import debtors_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent
from zhixing.centre.services import cases_inquire_new, robot_pass
from zhixing.inquiry.models import Asset, Inquiry, InquiryRequest
from zhixing.inquiry.network import SimSettings
from zhixing.inquiry.providers import ALL_KINDS, Answer, FoundAsset, SimulatedProvider
from zhixing.inquiry.services import (
    RateLimiter,
    backoff,
    inquiries_absorb,
    inquiries_give_up,
    inquiries_poll,
    inquiries_send,
    inquiries_work,
)
from zhixing.tasks.models import Task


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def kinds_of(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_backoff_doubles_up_to_its_cap(settings):
    settings.INQUIRY_RETRY_BASE, settings.INQUIRY_RETRY_MAX = 30, 200
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 200, 200]


def test_failed_answers_are_retried_with_backoff_then_become_a_task_and_the_case_goes_on(court, centre, settings):
    settings.INQUIRY_RETRY_BASE, settings.INQUIRY_MAX_ATTEMPTS = 60, 3
    provider = SimulatedProvider(SimSettings(down={"deposit": None}))  # the banks never answer
    case = file(court, centre, at(2026, 3, 2))
    now = at(2026, 3, 2, 10, 0)
    robot_pass(now=now, provider=provider)
    deposit = InquiryRequest.objects.get(case=case, kind="deposit")
    assert (deposit.state, deposit.attempts, deposit.next_try_at) == ("queued", 1, now + timedelta(seconds=60))
    assert "系统维护" in deposit.last_error and "银行业金融机构" in deposit.last_error
    assert set(InquiryRequest.objects.filter(case=case).exclude(kind="deposit").values_list("state", flat=True)) == {"answered"}
    case.refresh_from_db()
    assert case.state == "inquiring"  # waits for the deposit answer

    robot_pass(now=now + timedelta(seconds=59), provider=provider)
    assert InquiryRequest.objects.get(id=deposit.id).attempts == 1  # not due yet
    robot_pass(now=now + timedelta(seconds=60), provider=provider)
    deposit.refresh_from_db()
    assert (deposit.attempts, deposit.next_try_at) == (2, now + timedelta(seconds=180))
    report = robot_pass(now=now + timedelta(seconds=180), provider=provider)
    assert (report.failed, report.answered, report.triaged, report.dispatched) == (1, 1, 1, 1)
    deposit.refresh_from_db()
    assert (deposit.state, deposit.attempts) == ("failed", 3)

    task = Task.objects.get(case=case)
    assert (task.kind, task.key, task.assignee, task.done_at) == (
        "inquiry_failed", f"inquiry_failed:{case.id}:deposit:1", None, None)
    assert task.due_on == at(2026, 3, 5).date()  # three working days
    assert "存款" in task.title and case.case_number in task.title
    inquiry = Inquiry.objects.get(case=case)
    assert inquiry.failed_kinds == ["deposit"] and inquiry.finished_at is not None
    assert kinds_of(case) == ["filed", "inquiry_started", "inquiry_failed", "inquiry_finished", "triaged", "dispatched"]
    finished = CaseEvent.objects.get(case=case, kind="inquiry_finished")
    assert finished.data["failed_kinds"] == ["deposit"] and "存款未查得结果，已转人工" in finished.detail
    assert not Asset.objects.filter(case=case, kind="deposit").exists()

    # Nothing more happens: no second task, no second event.
    robot_pass(now=now + timedelta(days=1), provider=provider)
    assert Task.objects.filter(case=case).count() == 1
    assert kinds_of(case).count("inquiry_failed") == 1


def test_duplicate_and_late_answers_change_nothing(court, centre, settings):
    settings.INQUIRY_RESEND_AFTER = 60
    clock = Clock()
    provider = SimulatedProvider(SimSettings(duplicate_rate=1.0, late_rate=0.5, late_delay=120, seed=3), clock=clock)
    codes = debtors_with(lambda a: len(a) >= 2, 4)
    cases = [file(court, centre, at(2026, 3, 2), debtor_id=code) for code in codes]
    now = at(2026, 3, 2, 10, 0)
    robot_pass(now=now, provider=provider)
    late = InquiryRequest.objects.filter(state="sent").count()
    assert late > 0
    clock.t = 70
    report = robot_pass(now=now + timedelta(seconds=70), provider=provider)  # late ones are sent again: duplicates
    assert report.sent == 0
    clock.t = 200
    report = robot_pass(now=now + timedelta(seconds=200), provider=provider)
    assert report.repeated > 0  # the second copies, and the late answers to requests sent again
    for case in cases:
        assert kinds_of(case).count("inquiry_finished") == 1
        assert Inquiry.objects.filter(case=case).count() == 1
    assert set(InquiryRequest.objects.values_list("state", flat=True)) == {"answered"}
    per_case = {c.id: Asset.objects.filter(case=c).count() for c in cases}
    # Every answer again, by hand: still no new asset, no new event.
    again = [Answer(rid, "none") for rid in InquiryRequest.objects.values_list("request_id", flat=True)]
    absorbed = inquiries_absorb(answers=again, now=now + timedelta(seconds=300))
    assert (absorbed.answered, absorbed.repeated) == (0, len(ALL_KINDS) * 4)
    assert {c.id: Asset.objects.filter(case=c).count() for c in cases} == per_case
    assert CaseEvent.objects.filter(kind="inquiry_finished").count() == 4
    assert set(InquiryRequest.objects.values_list("status", flat=True)) <= {"found", "none"}


def test_a_network_that_restarted_is_sent_again_what_it_forgot(court, centre):
    case = file(court, centre, at(2026, 3, 2))
    forgetful = SimulatedProvider(SimSettings(latency_min=999, latency_max=999))
    now = at(2026, 3, 2, 10, 0)
    robot_pass(now=now, provider=forgetful)
    robot_pass(now=now, provider=forgetful)  # a cursor of this epoch is saved
    assert set(InquiryRequest.objects.filter(case=case).values_list("state", flat=True)) == {"sent"}
    restarted = SimulatedProvider()  # the same name, a new epoch, nothing pending
    report = robot_pass(now=now + timedelta(seconds=5), provider=restarted)
    assert (report.sent, report.answered, report.dispatched) == (len(ALL_KINDS), 1, 1)
    assert kinds_of(case).count("inquiry_finished") == 1


def test_the_rate_limit_spaces_out_the_batches():
    clock, slept = Clock(), []

    def sleep(seconds):
        slept.append(seconds)
        clock.t += seconds

    limiter = RateLimiter(100, clock=clock, sleep=sleep)
    for _ in range(5):
        limiter.acquire(50)
    assert clock.t == pytest.approx(1.5)  # 250 requests at 100/s, the first 100 at once
    clock.t += 10  # idle: the bucket refills, but only to one second's worth
    assert limiter.acquire(100) == 0
    assert limiter.acquire(50) == pytest.approx(0.5)


def test_the_robot_sends_at_the_providers_rate(court, centre, settings, monkeypatch):
    from zhixing.inquiry import services

    clock, slept = Clock(), []

    def sleep(seconds):
        slept.append(seconds)
        clock.t += seconds

    settings.INQUIRY_RATE_LIMIT = {"simulated": 8}
    settings.INQUIRY_BATCH_SIZE = 8
    monkeypatch.setattr(services, "_limiters", {("simulated", 8.0): RateLimiter(8, clock=clock, sleep=sleep)})
    for _ in range(3):
        file(court, centre, at(2026, 3, 2))
    report = robot_pass(now=at(2026, 3, 2, 10), provider=SimulatedProvider())
    assert report.sent == 24 and report.dispatched == 3
    assert slept == [pytest.approx(1), pytest.approx(1)]  # 24 requests at 8 a second, in batches of 8


def real_queries(captured):
    return [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_queries_do_not_grow_with_the_batch(court, centre):
    provider = SimulatedProvider(SimSettings(duplicate_rate=1.0))

    def work(n, minute):
        for _ in range(n):
            file(court, centre, at(2026, 3, 2))
        now = at(2026, 3, 2, 10, minute)
        with CaptureQueriesContext(connection) as inquire:
            cases_inquire_new(court=court, now=now, provider=provider, limit=100)
        with CaptureQueriesContext(connection) as work:
            inquiries_work(provider=provider, now=now, limit=100)
        return len(real_queries(inquire)), len(real_queries(work))

    work(1, 1)  # the first pass also creates the cursor
    (inquire_few, work_few), (inquire_many, work_many) = work(2, 2), work(12, 3)
    assert work_few == work_many
    assert inquire_many - inquire_few <= 1  # SQLite inserts at most ~80 rows a statement
    assert Inquiry.objects.filter(finished_at__isnull=True).count() == 0


def test_the_callback_absorbs_answers_with_the_shared_token(court, centre, client, settings):
    settings.INQUIRY_CALLBACK_TOKEN = "s3cret"
    slow = SimulatedProvider(SimSettings(latency_min=999, latency_max=999))
    case = file(court, centre, at(2026, 3, 2))
    robot_pass(now=at(2026, 3, 2, 10), provider=slow)
    pushed = [dict(request_id=r.request_id, kind=r.kind, status="none", assets=[], institution="某单位")
              for r in InquiryRequest.objects.filter(case=case)]

    def post(token, body):
        return client.post("/api/v1/inquiry/answers", data=json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")

    assert post("wrong", {"answers": pushed}).status_code == 401
    response = post("s3cret", {"answers": pushed})
    assert response.status_code == 200 and response.json()["answered"] == len(ALL_KINDS)
    assert post("s3cret", {"answers": pushed}).json() == {"answered": 0, "retried": 0, "repeated": len(ALL_KINDS), "unknown": 0}
    assert post("s3cret", {"nothing": []}).status_code == 422
    report = robot_pass(now=at(2026, 3, 2, 10, 1), provider=slow)
    assert (report.answered, report.dispatched) == (1, 1)
    assert kinds_of(case).count("inquiry_finished") == 1


def test_without_a_callback_token_the_callback_is_closed(client, settings, db):
    settings.INQUIRY_CALLBACK_TOKEN = None
    response = client.post("/api/v1/inquiry/answers", data="{}", content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 401


def test_inquiries_work_on_nothing_is_cheap(db):
    provider = SimulatedProvider()
    inquiries_work(provider=provider, now=at(2026, 3, 2), limit=100)
    with CaptureQueriesContext(connection) as queries:
        inquiries_work(provider=provider, now=at(2026, 3, 2), limit=100)
    assert len(real_queries(queries)) <= 6  # cursor; due queued, due resend; spent queued, spent sent; open inquiries


def test_what_failed_for_good_is_on_the_centres_board(court, centre, client, settings):
    settings.INQUIRY_MAX_ATTEMPTS = 1
    case = file(court, centre, at(2026, 3, 2))
    robot_pass(now=at(2026, 3, 2, 10), provider=SimulatedProvider(SimSettings(down={"vehicle": None})))
    client.force_login(centre.user)
    body = client.get("/board/").content.decode()
    section = body[body.index('id="inquiry-failed"'):]
    assert "查控失败待人工处理" in body
    assert case.case_number in section and "车辆查询失败，请人工查询" in section
    assert '<div class="n">1</div><div class="l">查控失败待人工处理</div>' in body


def test_giving_up_on_many_cases_takes_the_same_queries_as_on_one(court, centre, settings):
    settings.INQUIRY_MAX_ATTEMPTS = 1
    provider = SimulatedProvider(SimSettings(down={"insurance": None}))  # the insurers never answer

    def give_up(n, minute):
        """n cases whose insurance request has failed its only attempt: give up on them."""
        now = at(2026, 3, 2, 10, minute)
        for _ in range(n):
            file(court, centre, at(2026, 3, 2))
        cases_inquire_new(court=court, now=now, provider=provider, limit=100)
        inquiries_send(provider=provider, now=now, limit=1000)
        inquiries_poll(provider=provider, now=now)
        with CaptureQueriesContext(connection) as queries:
            assert inquiries_give_up(now=now, limit=1000) == n
        return len(real_queries(queries))

    give_up(1, 1)  # the first also creates the cursor
    assert give_up(3, 2) == give_up(12, 3)
    assert Task.objects.filter(kind="inquiry_failed", done_at__isnull=True).count() == 16
    assert CaseEvent.objects.filter(kind="inquiry_failed").count() == 16


def test_within_one_page_the_first_answer_to_a_request_wins(court, centre):
    slow = SimulatedProvider(SimSettings(latency_min=999, latency_max=999))
    case = file(court, centre, at(2026, 3, 2))
    robot_pass(now=at(2026, 3, 2, 10), provider=slow)
    requests = {r.kind: r for r in InquiryRequest.objects.filter(case=case)}
    code = case.case_parties.get(role="debtor").party.id_code
    found = Answer(requests["deposit"].request_id, "found", ((code, FoundAsset("deposit", "某银行", 12_300)),))
    page = [
        found, Answer(found.request_id, "none"),  # found first: the asset stays
        Answer(requests["vehicle"].request_id, "none"), Answer(requests["vehicle"].request_id, "found",
                                                               ((code, FoundAsset("vehicle", "车管所", 5_000_000)),)),
        Answer(requests["equity"].request_id, "none"),
        Answer("no-such-request", "none"),
    ]
    report = inquiries_absorb(answers=page, now=at(2026, 3, 2, 10, 1))
    assert (report.answered, report.repeated, report.unknown) == (3, 2, 1)
    states = {r.kind: (r.state, r.status) for r in InquiryRequest.objects.filter(case=case)}
    assert states["deposit"] == ("answered", "found") and states["vehicle"] == ("answered", "none")
    assert states["equity"] == ("answered", "none") and states["securities"] == ("sent", "")
    assert list(Asset.objects.filter(case=case).values_list("kind", "value")) == [("deposit", 12_300)]


def test_requests_have_four_indexes_none_on_a_column_that_answering_or_sending_changes(db):
    changing = {"state", "status", "answered_at", "last_error", "attempts", "next_try_at", "sent_at", "provider"}
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, InquiryRequest._meta.db_table)
    indexes = sorted(tuple(c["columns"]) for c in constraints.values()
                     if (c["index"] or c["unique"]) and not c["primary_key"])
    assert not {column for columns in indexes for column in columns} & changing
    # Three besides the key, on PostgreSQL too: not the LIKE index Django adds for a unique CharField (0008).
    assert indexes == [("case_id", "kind", "round"), ("inquiry_id",), ("request_id",)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's sequential scans are PostgreSQL's")
def test_absorbing_reads_requests_by_key_even_before_the_table_is_analyzed(court, centre):
    from zhixing.inquiry.services import inquiries_absorb

    table = InquiryRequest._meta.db_table

    def scans():  # sequential scans of the requests in the test's transaction so far
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_get_xact_numscans(%s::regclass)", [table])
            return cursor.fetchone()[0]

    now = at(2026, 3, 2, 10)
    cases = [file(court, centre, at(2026, 3, 2)) for _ in range(3)]
    cases_inquire_new(court=court, now=now, provider=SimulatedProvider(), limit=10)
    rids = list(InquiryRequest.objects.filter(case__in=cases).values_list("request_id", flat=True))
    before = scans()
    report = inquiries_absorb(answers=[Answer(rid, "none") for rid in rids], now=now)
    assert report.answered == 3 * len(ALL_KINDS)
    assert scans() == before  # a tiny, unanalyzed table: the planner's first choice would be to scan it
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"  # for absorbing's transaction only


@pytest.mark.skipif(connection.vendor != "postgresql", reason="HOT updates and fillfactor are PostgreSQL's")
def test_answers_rewrite_requests_in_place_on_postgresql(court, centre):
    table = InquiryRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [table])
        assert "fillfactor=50" in cursor.fetchone()[0]

    def counts():  # updates not yet reported to the statistics: the test's transaction is one
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_get_xact_tuples_updated(%s::regclass), "
                           "pg_stat_get_xact_tuples_hot_updated(%s::regclass)", [table, table])
            return cursor.fetchone()

    for _ in range(3):
        file(court, centre, at(2026, 3, 2))
    before = counts()
    robot_pass(now=at(2026, 3, 2, 10), provider=SimulatedProvider())
    updated, hot = (after - earlier for after, earlier in zip(counts(), before))
    assert (updated, hot) == (3 * len(ALL_KINDS),) * 2


@pytest.mark.django_db(transaction=True)  # outside any test transaction: the step's own is the only one
def test_finishing_words_its_events_before_the_write_lock_and_leaves_an_inquiry_finished_meanwhile(
    court, centre, monkeypatch
):
    from tests.conftest import person_id
    from zhixing.centre.services import robot_inquiry_pass
    from zhixing.inquiry import services

    first = file(court, centre, at(2026, 3, 2))
    second = file(court, centre, at(2026, 3, 2), debtor_id=person_id(201))
    word, worded_in_transaction = services.summarise, []

    def meanwhile(assets):
        worded_in_transaction.append(connection.in_atomic_block)
        # Another worker finishes the second case's inquiry between the read and the lock.
        Inquiry.objects.filter(case=second).update(finished_at=at(2026, 3, 2, 10, 4))
        return word(assets)

    monkeypatch.setattr(services, "summarise", meanwhile)
    robot_inquiry_pass(now=at(2026, 3, 2, 10, 5))
    assert worded_in_transaction == [False, False]
    finished = CaseEvent.objects.filter(kind="inquiry_finished")
    assert list(finished.values_list("case_id", flat=True)) == [first.id]
    assert Inquiry.objects.get(case=second).finished_at == at(2026, 3, 2, 10, 4)  # the other worker's, untouched
    assert Inquiry.objects.get(case=first).finished_at == at(2026, 3, 2, 10, 5)
