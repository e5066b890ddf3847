"""Network inquiries: start them, send their requests, absorb the answers,
give up on what keeps failing (a task for a person), finish them.

    inquiries_start     one Inquiry per case and round, one request per asset kind
    inquiries_send      due requests to the provider, in batches, rate-limited
    inquiries_poll      read the provider's answers after our cursor; absorb them
    inquiries_absorb    record answers, idempotently (callback and polling alike)
    inquiries_give_up   requests out of attempts → failed, a task and an event
    inquiries_finish    inquiries whose requests are all answered or failed → one event
    inquiries_work      the robot's inquiry step: poll, send, poll, give up, finish
    inquiries_ask/hear  the same step in two halves, for two workers: send; poll, give up, finish
    inquiries_rerun     a further round on cases already at a team

All progress is in the database and every step is its own short transaction,
so a crash anywhere loses nothing: a request marked sent but never answered
is sent again (same request_id, which the network deduplicates), an answer
read twice changes nothing the second time, and an inquiry finishes once.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase, Party
from zhixing.cases.services import CaseRow, _execute_in, _ids_take, _in, _select_in, _values_insert
from zhixing.courts.models import Officer
from zhixing.courts.services import court_calendar
from zhixing.inquiry.models import Asset, Inquiry, InquiryCursor, InquiryRequest
from zhixing.inquiry.providers import (
    ALL_KINDS,
    Answer,
    DebtorRef,
    InquiryProvider,
    OutgoingRequest,
    ProviderError,
    as_async,
)
from zhixing.rules.assets import ASSET_KINDS
from zhixing.rules.money import format_yuan
from zhixing.tasks.services import TaskSpec, tasks_open

log = logging.getLogger(__name__)

# Sent with every request, so the institution (and a later review) can see
# why the court asked: the court's power to inquire into a debtor's assets.
BASIS = "《中华人民共和国民事诉讼法》第二百五十三条；《最高人民法院关于民事执行中财产调查若干问题的规定》第十二条"

# 待办 for a request that failed for good: due in three working days.
FAILED_TASK_DAYS = 3

S = InquiryRequest.State
OPEN = (S.QUEUED, S.SENT)


def new_request_id(case_id: int, kind: str, round_: int) -> str:
    """Readable, and unique even against a network that outlived our database."""
    return f"{case_id}-{kind}-{round_}-{uuid.uuid4().hex[:12]}"


def inquiries_start(
    *, cases: Sequence[EnforcementCase | CaseRow], provider: InquiryProvider, now: datetime, kinds=ALL_KINDS,
    sending: list | None = None,
) -> list[int]:
    """The next round of inquiry for each case (models or CaseRows: id,
    court_id, case_number are read), its requests queued for the robot.
    Returns the new inquiries' ids, in the order of `cases`.

    With `sending` (a list), the requests are written already marked sent
    (one write less for each of the eight) and added to the list, which the
    caller must hand to `inquiries_send(fresh=…)` right after this
    transaction commits. Marked before the POST, as every send is: if the
    POST never happens (a crash), they are sent again after
    INQUIRY_RESEND_AFTER under the same ids."""
    if not cases:
        return []
    q = connection.ops.quote_name
    with transaction.atomic():
        last = dict(_select_in(
            f"SELECT case_id, MAX({q('round')}) FROM {q(Inquiry._meta.db_table)} WHERE case_id {{}} GROUP BY case_id",
            [], [c.id for c in cases],
        ))
        # Keys taken first, plain rows, nothing read back: model objects cost
        # as much as the eight requests. One `kinds` list for all: encoded once.
        ids = _ids_take(Inquiry, len(cases))
        kinds = list(kinds)
        started = [(i, c.court_id, c.id, last.get(c.id, 0) + 1) for i, c in zip(ids, cases)]
        _values_insert(Inquiry, ("id", "court_id", "case_id", "round", "provider", "kinds", "started_at"),
                       [(*row, provider.name, kinds, now) for row in started])
        # new_request_id's form, its random part drawn for the whole batch at once.
        noise = os.urandom(6 * len(started) * len(kinds)).hex()
        rows = [(court_id, inquiry_id, case_id, kind, round_, f"{case_id}-{kind}-{round_}-{noise[12 * n:12 * n + 12]}")
                for n, ((inquiry_id, court_id, case_id, round_), kind)
                in enumerate((row, kind) for row in started for kind in kinds)]
        _requests_insert(rows, now=now, sent_by=provider.name if sending is not None else None)
        if sending is not None:
            numbers = {c.id: c.case_number for c in cases}
            sending.extend((None, rid, case_id, kind, 0, numbers[case_id]) for _, _, case_id, kind, _, rid in rows)
    return ids


def requests_open():
    """Requests of open inquiries: every request not yet answered or given up
    is one of them (an inquiry finishes when none of its requests is open).
    Found through the inquiries' partial index, not one on the requests' own
    state, so that an answer changes no indexed column (see InquiryRequest).
    The ORDER BY makes SQLite read that partial index (only the open ones);
    without it, it scans the per-court index of every inquiry ever made. The
    ORM drops the ordering of an IN subquery, hence raw SQL."""
    table = connection.ops.quote_name(Inquiry._meta.db_table)
    return InquiryRequest.objects.filter(
        inquiry_id__in=RawSQL(f"SELECT id FROM {table} WHERE finished_at IS NULL ORDER BY id", ()))


def _requests_insert(rows, *, now: datetime, sent_by: str | None = None) -> None:
    """Queued, due now; or (sent_by: the provider's name) sent now, the first attempt."""
    columns = ("court_id", "inquiry_id", "case_id", "kind", "round", "request_id",
               "state", "provider", "attempts", "next_try_at", "sent_at", "status", "last_error")
    if sent_by is None:
        rest = (S.QUEUED.value, "", 0, _db_time(now), None, "", "")
    else:
        resend = _db_time(now + timedelta(seconds=settings.INQUIRY_RESEND_AFTER))
        rest = (S.SENT.value, sent_by, 1, resend, _db_time(now), "", "")
    _insert(InquiryRequest, columns, [(*row, *rest) for row in rows])


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows inserted with one executemany. Requests are eight rows a case and
    assets a few; the ORM's per-field preparation costs six times as much,
    which at 100,000 cases would be most of the pipeline's budget. Values
    must be ready for the column (validated before: parse_answer, models)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(map(quote, columns))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: executemany is a statement per row to PostgreSQL, five times slower.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


# Seconds a thread may keep the interpreter while another waits for it, while
# a batch is sent in one thread and answers absorbed in this one.
SWITCH_WHILE_SENDING = 0.0005

# Ids per statement in the raw UPDATE/SELECT … IN (…) below: far under
# SQLite's and PostgreSQL's limits on parameters.
CHUNK = 5000


def _requests_update(ids: Sequence, sets: str, params: Sequence = (), *, unsettled: bool = False,
                     key: str = "id") -> None:
    """UPDATE requests by id (or request_id) with raw SQL, a statement per CHUNK ids. The
    ORM's `id__in` prepares each id in Python, which at eight requests a
    case, written twice each, cost more than the database's work.
    `unsettled`: only rows not yet answered or given up (a callback may
    have settled one meanwhile)."""
    table = connection.ops.quote_name(InquiryRequest._meta.db_table)
    guard = " AND answered_at IS NULL" if unsettled else ""
    _execute_in(f"UPDATE {table} SET {sets} WHERE {key} {{}}{guard}", params, ids, chunk_size=CHUNK)


def _db_time(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


# ---------------------------------------------------------------------------
# Sending


class RateLimiter:
    """A token bucket: `rate` requests per second, bursts up to one second's
    worth. Taking more than there is sleeps the difference off."""

    def __init__(self, rate: float, clock=None, sleep=None):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.clock = clock or time.monotonic
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.tokens = rate
        self.last = self.clock()

    def acquire(self, n: int) -> float:
        """Take n tokens; returns the seconds slept."""
        now = self.clock()
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate) - n
        self.last = now
        if self.tokens >= 0:
            return 0.0
        wait = -self.tokens / self.rate
        self.sleep(wait)
        return wait


_limiters: dict[tuple[str, float], RateLimiter] = {}


def limiter_for(provider_name: str) -> RateLimiter:
    """The provider's bucket, kept for the life of the process.
    settings.INQUIRY_RATE_LIMIT: requests per second, or {provider name: rate}."""
    limit = settings.INQUIRY_RATE_LIMIT
    rate = float(limit.get(provider_name, limit.get("*", 1000)) if isinstance(limit, dict) else limit)
    key = (provider_name, rate)
    if key not in _limiters:
        _limiters[key] = RateLimiter(rate)
    return _limiters[key]


def backoff(attempts: int) -> timedelta:
    """Seconds before the next try after `attempts` tries: doubling, capped."""
    base, cap = settings.INQUIRY_RETRY_BASE, settings.INQUIRY_RETRY_MAX
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass
class SendReport:
    sent: int = 0  # accepted by the provider as new
    duplicates: int = 0  # the provider already had them (a resend)
    errors: int = 0  # requests whose batch failed: retried later


def inquiries_send(*, provider: InquiryProvider, now: datetime, limit: int, fresh: Sequence[tuple] = (),
                   meanwhile: Callable[[], bool] | None = None, due: bool = True) -> SendReport:
    """Send the due requests (queued and due, or sent long ago with no answer)
    in batches. Each batch is marked sent before it goes out: if we crash in
    between, it is simply sent again later under the same request ids.
    `fresh`: requests written already marked sent (inquiries_start(sending=…)),
    sent first; if the link goes down before their turn, they are put back
    to queued, due now, as if never marked.
    `meanwhile`: work for this thread while a batch is in flight (absorbing
    answers to the batches before), called until it returns False; only for
    a provider that says it may be called from two threads (`concurrent`).
    All database work stays on this thread.
    `due=False`: only `fresh`. Finding what is due reads every open request
    (nothing indexes the due ones: see requests_open), so a caller sending
    many chunks of fresh requests looks for it once, not with each chunk."""
    report = SendReport()
    due = requests_due(now=now, limit=limit) if due else []
    if not due and not fresh:
        return report
    debtors = defaultdict(list)
    q = connection.ops.quote_name
    for case_id, code, name, kind in _select_in(
        f"SELECT cp.case_id, p.id_code, p.name, p.kind FROM {q(CaseParty._meta.db_table)} cp "
        f"JOIN {q(Party._meta.db_table)} p ON p.id = cp.party_id WHERE cp.role = %s AND cp.case_id {{}} "
        "ORDER BY cp.id",
        ["debtor"], {row[2] for row in due} | {row[2] for row in fresh},
    ):
        debtors[case_id].append(DebtorRef(code, name, kind))
    debtors = {case_id: tuple(refs) for case_id, refs in debtors.items()}  # built once, shared by its 8 requests
    callback_url, token = settings.INQUIRY_CALLBACK_URL, settings.INQUIRY_CALLBACK_TOKEN
    size = getattr(provider, "batch_size", None) or settings.INQUIRY_BATCH_SIZE
    pool = ThreadPoolExecutor(max_workers=1) if meanwhile and getattr(provider, "concurrent", False) else None
    try:
        with _quick_switching() if pool is not None else nullcontext():
            _send_batches(provider, now, fresh, due, size, debtors, callback_url, token, report, pool, meanwhile)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return report


def requests_due(*, now: datetime, limit: int) -> list[tuple]:
    """Requests to send now, queued ones first, then those sent with no
    answer by their resend time; each oldest due first. One read of the
    open requests for both."""
    fields = ("id", "request_id", "case_id", "kind", "attempts", "case__case_number")
    queued_first = Case(When(state=S.QUEUED, then=Value(0)), default=Value(1))
    return list(
        requests_open().filter(attempts__lt=settings.INQUIRY_MAX_ATTEMPTS, next_try_at__lte=now, state__in=OPEN)
        .order_by(queued_first, "next_try_at", "id").values_list(*fields)[:limit]
    )


_switching = {"users": 0, "saved": None}
_switching_lock = threading.Lock()


@contextmanager
def _quick_switching():
    """While a batch is sent in one thread and answers absorbed in this one:
    this thread waits on the database many times a batch, and each time its
    answer is in, the sending thread (encoding JSON) would keep the
    interpreter for up to the whole switch interval (5 ms by default). The
    interval is process-wide: the first of several senders shortens it, the
    last puts it back."""
    with _switching_lock:
        if _switching["users"] == 0:
            _switching["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_WHILE_SENDING)
        _switching["users"] += 1
    try:
        yield
    finally:
        with _switching_lock:
            _switching["users"] -= 1
            if _switching["users"] == 0:
                sys.setswitchinterval(_switching["saved"])


def _send_batches(provider, now, fresh, due, size, debtors, callback_url, token, report, pool, meanwhile) -> None:
    limiter = limiter_for(provider.name)
    # (rows, marked already?, key): fresh rows have no id at hand, only their request_id.
    batches = [(fresh[i:i + size], True, "request_id") for i in range(0, len(fresh), size)]
    batches += [(due[i:i + size], False, "id") for i in range(0, len(due), size)]
    for n, (chunk, marked, key) in enumerate(batches):
        at = 1 if key == "request_id" else 0
        limiter.acquire(len(chunk))
        # Not yet settled (a callback may have answered meanwhile). answered_at,
        # not state: a condition on state would lead the planner to the state index.
        if not marked:
            _requests_update(
                [row[0] for row in chunk],
                "state = %s, sent_at = %s, attempts = attempts + 1, provider = %s, next_try_at = %s",
                (S.SENT.value, _db_time(now), provider.name,
                 _db_time(now + timedelta(seconds=settings.INQUIRY_RESEND_AFTER))),
                unsettled=True,
            )
        outgoing = [
            OutgoingRequest(rid, kind, debtors.get(case_id, ()), number, BASIS)
            for _, rid, case_id, kind, _, number in chunk
        ]
        args = (f"b-{uuid.uuid4().hex}", outgoing, callback_url, token if callback_url else None)
        try:
            if pool is None or n == 0:  # during the first, there is nothing before it to absorb
                submitted = provider.submit(*args)
            else:
                future = pool.submit(provider.submit, *args)
                while not future.done() and meanwhile():
                    pass
                submitted = future.result()
        except ProviderError as e:
            log.warning("inquiry %s: a batch of %d failed (%s): retried later", provider.name, len(chunk), e)
            report.errors += len(chunk)
            by_attempts = defaultdict(list)
            for row in chunk:
                by_attempts[row[4] + 1].append(row[at])
            for attempts, group in by_attempts.items():
                _requests_update(group, "state = %s, next_try_at = %s, last_error = %s",
                                 (S.QUEUED.value, _db_time(now + backoff(attempts)), f"发送失败：{e}"[:200]),
                                 unsettled=True, key=key)
            if e.unreachable:
                # The link is down: waiting out one timeout per batch would stall
                # the pass. Fresh rows not yet posted were never sent: queued again.
                unsent = [row[1] for rows, marked_, _ in batches[n + 1:] if marked_ for row in rows]
                _requests_update(unsent, "state = %s, attempts = attempts - 1, sent_at = NULL, next_try_at = %s",
                                 (S.QUEUED.value, _db_time(now)), unsettled=True, key="request_id")
                break
            continue
        report.sent += len(submitted.accepted)
        report.duplicates += len(submitted.duplicates)


# ---------------------------------------------------------------------------
# Answers


@dataclass
class AbsorbReport:
    answered: int = 0  # requests answered now (found or none)
    retried: int = 0  # `failed` answers: asked again after a backoff
    repeated: int = 0  # duplicate or late answers to requests already settled: no change
    unknown: int = 0  # answers to requests we never made (ignored)

    def __iadd__(self, other):
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def inquiries_absorb(*, answers: Sequence[Answer], now: datetime, cursor: tuple[str, str] | None = None) -> AbsorbReport:
    """Record answers. Idempotent: an answer to a request already answered (or
    given up) changes nothing, so polling and callbacks may overlap, and a
    page read twice after a crash is harmless. `cursor` (provider, position)
    is saved in the same transaction."""
    report = AbsorbReport()
    with transaction.atomic(), _keys_only():
        # Most answers say "nothing found" and need no check against the request:
        # one UPDATE settles those still open, with no read first. A request
        # answered twice in the page goes the long way (the first answer wins).
        times = Counter(a.request_id for a in answers)
        plain = [a.request_id for a in answers if a.status == "none" and not a.assets and times[a.request_id] == 1]
        settled = _requests_answer_plain(plain, now)
        report.answered += len(settled)
        rest = [a for a in answers if a.request_id not in settled] if settled else answers
        if rest:
            report += _absorb_checked(rest, now)
        if cursor is not None:
            InquiryCursor.objects.update_or_create(provider=cursor[0], defaults={"cursor": cursor[1], "updated_at": now})
    if report.repeated or report.unknown:
        log.info("inquiry answers: %d duplicate or late (no change), %d for unknown requests", report.repeated, report.unknown)
    return report


@contextmanager
def _keys_only():
    """Within it, no sequential scan where an index serves (PostgreSQL; inside
    a transaction): absorbing reads and writes requests by their keys only.
    Requests grow by eight rows a case filed; until autovacuum has analyzed
    the table, the planner chose to read all of it for a page of answers
    (67 ms for 1,000 cases at 30,000; at 100,000 the write-back took 10.4 s
    in all, 4.2 s this way). The setting is the transaction's (SET LOCAL), put
    back on leaving; after an error the rollback puts it back."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
        previous = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


def _requests_answer_plain(request_ids: list[str], now: datetime) -> set[str]:
    """Requests still open among these, answered "none" now; their request ids.
    The WHERE is checked again under each row's lock, so a concurrent
    absorber (a callback during a poll) cannot answer one twice. It locks in
    another order than _requests_locked: should two absorbers of the same
    answers deadlock, PostgreSQL rolls one back whole (its cursor too), and
    those answers are read again by the next poll."""
    table = connection.ops.quote_name(InquiryRequest._meta.db_table)
    return {row[0] for row in _execute_in(
        f"UPDATE {table} SET state = %s, status = %s, answered_at = %s, last_error = %s "
        "WHERE request_id {} AND answered_at IS NULL RETURNING request_id",
        [S.ANSWERED.value, "none", _db_time(now), ""], request_ids, chunk_size=CHUNK, fetch=True,
    )}


def _absorb_checked(answers: Sequence[Answer], now: datetime) -> AbsorbReport:
    """Answers read against their requests (locked): found assets checked and
    recorded, failures retried, duplicates and strangers counted."""
    report = AbsorbReport()
    # request_id -> (id, request_id, state, attempts, court_id, case_id, inquiry_id, kind)
    rows = {row[1]: row for row in _requests_locked(list({a.request_id for a in answers}))}
    parties = _debtors_of({rows[a.request_id][5] for a in answers if a.assets and a.request_id in rows})
    settled = {S.ANSWERED.value, S.FAILED.value}
    answered, retry, assets = defaultdict(list), defaultdict(list), []
    done = set()  # answered by an earlier answer of this page
    for a in answers:
        r = rows.get(a.request_id)
        if r is None:
            report.unknown += 1
            continue
        pk, rid, state, attempts, court_id, case_id, inquiry_id, kind = r
        if state in settled or rid in done:
            report.repeated += 1
            continue
        reason = a.reason or "查询失败"
        if a.assets and a.status != "failed" and any((case_id, code) not in parties for code, _ in a.assets):
            a = Answer(rid, "failed", reason="答复中的被执行人不属于本案")
            reason = a.reason
        if a.status == "failed" or any(found.kind != kind for _, found in a.assets):
            retry[(attempts, (a.institution + "：" if a.institution else "") + reason)].append(pk)
            report.retried += 1
            continue
        if a.assets:
            assets.extend(
                (court_id, case_id, inquiry_id, "network", parties[(case_id, code)],
                 found.kind, found.holder, found.value, found.detail)
                for code, found in a.assets
            )
        done.add(rid)
        answered[a.status].append(pk)
        report.answered += 1
    _insert(Asset, ("court_id", "case_id", "inquiry_id", "source", "debtor_id", "kind", "holder", "value", "detail"),
            assets)
    for status, ids in answered.items():
        _requests_update(ids, "state = %s, status = %s, answered_at = %s, last_error = %s",
                         (S.ANSWERED.value, status, _db_time(now), ""))
    for (attempts, reason), ids in retry.items():
        _requests_update(ids, "state = %s, next_try_at = %s, last_error = %s",
                         (S.QUEUED.value, _db_time(now + backoff(attempts)), reason[:200]), unsettled=True)
    return report


def _debtors_of(case_ids) -> dict[tuple[int, str], int]:
    """(case id, debtor's id code) -> party id, for the debtors of these cases."""
    q = connection.ops.quote_name
    return {
        (case_id, code): party_id
        for case_id, code, party_id in _select_in(
            f"SELECT cp.case_id, p.id_code, cp.party_id FROM {q(CaseParty._meta.db_table)} cp "
            f"JOIN {q(Party._meta.db_table)} p ON p.id = cp.party_id WHERE cp.role = %s AND cp.case_id {{}}",
            ["debtor"], case_ids,
        )
    }


def _requests_locked(request_ids: list[str]) -> list[tuple]:
    """The requests named, locked (PostgreSQL) in one order, as the robot's
    updates take them: one statement (so one order), raw SQL (the ORM
    prepares each value in Python). A page of answers is at most 10,000."""
    if not request_ids:
        return []
    table = connection.ops.quote_name(InquiryRequest._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    test, values = _in(request_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, request_id, state, attempts, court_id, case_id, inquiry_id, kind "
            f"FROM {table} WHERE request_id {test} ORDER BY id{lock}",
            values,
        )
        return cursor.fetchall()


def inquiries_poll(*, provider: InquiryProvider, now: datetime, page: int | None = None,
                   pages: int = 10_000) -> AbsorbReport:
    """Read every answer after our cursor (at most `pages` pages), page by
    page, absorbing each page with the cursor that follows it. A provider
    that restarted (a new epoch) forgot what was pending: what we had sent
    it is queued to go again.

    With a provider that may be called from another thread, the next page is
    read (and parsed) there while this one is absorbed: the network keeps the
    page before the last one asked for (docs/inquiry-protocol.md), so a crash
    before this page's cursor is saved still reads it again."""
    page = page or settings.INQUIRY_POLL_PAGE
    report = AbsorbReport()
    cursor = InquiryCursor.objects.filter(provider=provider.name).values_list("cursor", flat=True).first() or ""
    ahead = ThreadPoolExecutor(max_workers=1) if pages > 1 and getattr(provider, "concurrent", False) else None
    try:
        reading = _read_page(provider, cursor, page, ahead)
        for n in range(pages):
            polled = reading.result()
            if polled is None:
                break  # polling failed (logged): next pass
            if not polled.answers and polled.cursor == cursor:
                break  # nothing new
            more = polled.answers and polled.cursor != cursor and n + 1 < pages
            if more:
                reading = _read_page(provider, polled.cursor, page, ahead)
            if polled.restarted:
                queued = requests_open().filter(state=S.SENT, provider=provider.name).update(
                    state=S.QUEUED, next_try_at=now)
                log.warning("inquiry %s restarted: %d requests sent before are queued again", provider.name, queued)
            report += inquiries_absorb(answers=polled.answers, now=now, cursor=(provider.name, polled.cursor))
            if not more:
                break
            cursor = polled.cursor
    finally:
        if ahead is not None:
            ahead.shutdown(wait=True)
    return report


def _read_page(provider: InquiryProvider, cursor: str, page: int, ahead: ThreadPoolExecutor | None) -> Future:
    """provider.poll, in the `ahead` thread (or now): a future of Polled, or of None if it failed."""
    def read():
        try:
            return provider.poll(cursor, page)
        except ProviderError as e:
            log.warning("inquiry %s: polling failed (%s): next pass", provider.name, e)
            return None

    if ahead is not None:
        return ahead.submit(read)
    done = Future()
    done.set_result(read())
    return done


def inquiry_answers_receive(*, payload, now: datetime) -> AbsorbReport:
    """Answers pushed by the network (callback): the same absorbing as polling."""
    from zhixing.inquiry.providers import parse_answer

    raw = payload.get("answers") if isinstance(payload, dict) else None
    if not isinstance(raw, list):
        raise ValueError("请求格式错误：缺少 answers")
    return inquiries_absorb(answers=[a for a in map(parse_answer, raw) if a is not None], now=now)


# ---------------------------------------------------------------------------
# Giving up, finishing


def inquiries_give_up(*, now: datetime, limit: int) -> int:
    """Requests out of attempts (the last one failed, or went unanswered past
    the resend time) fail for good: each becomes a task on the command
    centre's queue (待办, idempotent by key) and the case gets one
    `inquiry_failed` event per round. Nothing is dropped silently."""
    with transaction.atomic():
        # Queued (the last try failed), or sent for the last time and no answer
        # by its resend time. One read of the open requests for both.
        rows = list(
            requests_open().select_for_update(of=("self",))
            .filter(Q(state=S.QUEUED) | Q(state=S.SENT, next_try_at__lte=now),
                    attempts__gte=settings.INQUIRY_MAX_ATTEMPTS)
            .select_related("case", "court")
            .order_by("id")[:limit]
        )
        if not rows:
            return 0
        for r in rows:
            if r.state == S.SENT:
                r.last_error = "多次发送均未获答复"
        InquiryRequest.objects.filter(id__in=[r.id for r in rows if r.state == S.QUEUED]).update(
            state=S.FAILED, answered_at=now)
        InquiryRequest.objects.filter(id__in=[r.id for r in rows if r.state == S.SENT]).update(
            state=S.FAILED, answered_at=now, last_error="多次发送均未获答复")
        courts = {r.court_id: r.court for r in rows}
        calendars = {court_id: court_calendar(court) for court_id, court in courts.items()}
        today = timezone.localdate(now)
        specs = [
            TaskSpec(
                court_id=r.court_id, case_id=r.case_id, kind="inquiry_failed",
                key=f"inquiry_failed:{r.case_id}:{r.kind}:{r.round}",
                title=f"{r.case.case_number} 网络查控{ASSET_KINDS[r.kind]}查询失败，请人工查询",
                detail=f"第{r.round}轮网络查控，{ASSET_KINDS[r.kind]}项发送{r.attempts}次仍未查得结果。最近错误：{r.last_error or '无'}",
                due_on=calendars[r.court_id].add_working_days(today, FAILED_TASK_DAYS),
                data={"request_id": r.request_id, "kind": r.kind, "round": r.round, "attempts": r.attempts},
            )
            for r in rows
        ]
        tasks = tasks_open(specs=specs, actor=None, now=now)
        per_case = defaultdict(list)
        for r, task in zip(rows, tasks):
            per_case[(r.court_id, r.case_id, r.round)].append((r, task))
        CaseEvent.objects.bulk_create(
            CaseEvent(
                court_id=court_id, case_id=case_id, at=now, kind="inquiry_failed", actor=None,
                detail=f"网络查控（第{round_}轮）{'、'.join(ASSET_KINDS[r.kind] for r, _ in items)}查询多次失败，已转指挥中心人工处理",
                data={"round": round_, "kinds": [r.kind for r, _ in items],
                      "requests": [r.request_id for r, _ in items], "tasks": [t.id for _, t in items]},
            )
            for (court_id, case_id, round_), items in per_case.items()
        )
    log.warning("inquiry: %d requests failed for good, tasks opened", len(rows))
    return len(rows)


class Finished(NamedTuple):
    """An inquiry that inquiries_finish finished."""

    id: int
    court_id: int
    case_id: int
    round: int
    failed_kinds: list[str]


def inquiries_finish(*, now: datetime, limit: int, actor: Officer | None = None) -> list[Finished]:
    """Finish every open inquiry whose requests are all answered or failed:
    finished_at, the kinds that failed, and one `inquiry_finished` event.

    A settled inquiry stays as it is (a late or repeated answer changes
    nothing, a failed request is failed for good), so what it found and
    what failed are read, and its event written out, before the
    transaction: on SQLite the transaction holds the one write lock the
    other steps wait for. Inside, the inquiries still open are locked and
    finished; one another worker finished meanwhile is left out."""
    ids = _inquiries_settled(limit)
    if not ids:
        return []
    q = connection.ops.quote_name
    rows = _select_in(
        f"SELECT id, court_id, case_id, {q('round')} FROM {q(Inquiry._meta.db_table)} WHERE id {{}} ORDER BY id", [], ids,
    )
    failed = defaultdict(list)
    for inquiry_id, kind in _select_in(
        f"SELECT inquiry_id, kind FROM {q(InquiryRequest._meta.db_table)} WHERE state = %s AND inquiry_id {{}} "
        "ORDER BY id", [S.FAILED.value], ids,
    ):
        failed[inquiry_id].append(kind)
    found = defaultdict(list)
    for inquiry_id, kind, value in _select_in(
        f"SELECT inquiry_id, kind, value FROM {q(Asset._meta.db_table)} WHERE inquiry_id {{}} ORDER BY id", [], ids,
    ):
        found[inquiry_id].append((kind, value))
    order = list(ASSET_KINDS)
    settled = {row[0]: Finished(*row, sorted(failed[row[0]], key=order.index)) for row in rows}
    actor_id = actor.id if actor else None
    events = {
        i.id: (
            i.court_id, i.case_id, now, "inquiry_finished", actor_id,
            summarise(found[i.id]) + (
                f"（{'、'.join(ASSET_KINDS[k] for k in i.failed_kinds)}未查得结果，已转人工）" if i.failed_kinds else ""
            ),
            {"inquiry": i.id, "round": i.round, "assets": len(found[i.id]), "failed_kinds": i.failed_kinds},
        )
        for i in settled.values()
    }
    with transaction.atomic():
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Locked in id order (_select_in's chunks ascend); finished meanwhile: left out.
        ids = [row[0] for row in _select_in(
            f"SELECT id FROM {q(Inquiry._meta.db_table)} WHERE id {{}} AND finished_at IS NULL ORDER BY id{lock}",
            [], list(settled),
        )]
        _execute_in(f"UPDATE {q(Inquiry._meta.db_table)} SET finished_at = %s WHERE id {{}}", [_db_time(now)], ids)
        done = [settled[i] for i in ids]
        partial = defaultdict(list)  # the kinds that failed -> inquiries: few, and few combinations
        for i in done:
            if i.failed_kinds:
                partial[tuple(i.failed_kinds)].append(i.id)
        for kinds, group in partial.items():
            Inquiry.objects.filter(id__in=group).update(failed_kinds=list(kinds))
        # One executemany, no model objects: an event per case finished.
        _values_insert(CaseEvent, ("court_id", "case_id", "at", "kind", "actor_id", "detail", "data"),
                       [events[i] for i in ids])
    return done


def _inquiries_settled(limit: int) -> list[int]:
    """Open inquiries (oldest first, up to `limit`) that have requests and
    none still queued or sent. Open ones are read by their partial index,
    then their requests counted by inquiry, a chunk at a time: a plan that
    stays cheap whatever the planner knows (EXISTS / NOT EXISTS over every
    open inquiry took seconds on a fresh PostgreSQL table)."""
    open_ids = list(Inquiry.objects.filter(finished_at__isnull=True).order_by("id").values_list("id", flat=True))
    table = connection.ops.quote_name(InquiryRequest._meta.db_table)
    settled = []
    with connection.cursor() as cursor:
        for start in range(0, len(open_ids), CHUNK):
            test, values = _in(open_ids[start:start + CHUNK])
            cursor.execute(
                f"SELECT inquiry_id FROM {table} WHERE inquiry_id {test} "
                "GROUP BY inquiry_id HAVING SUM(CASE WHEN state IN (%s, %s) THEN 1 ELSE 0 END) = 0",
                (*values, *(state.value for state in OPEN)),
            )
            settled.extend(sorted(row[0] for row in cursor.fetchall()))
            if len(settled) >= limit:
                break
    return settled[:limit]


def summarise(assets: Sequence[Asset | tuple[str, int]]) -> str:
    """网络查控反馈, in one line: counts and totals per kind (assets, or (kind, value) pairs)."""
    if not assets:
        return "网络查控反馈：未查得财产"
    count, total = defaultdict(int), defaultdict(int)
    for a in assets:
        kind, value = a if isinstance(a, tuple) else (a.kind, a.value)
        count[kind] += 1
        total[kind] += value
    parts = [f"{ASSET_KINDS[k]}{count[k]}项共{format_yuan(total[k])}元" for k in ASSET_KINDS if count[k]]
    return "网络查控反馈：查得" + "，".join(parts)


@dataclass
class WorkReport:
    sent: int = 0
    duplicates: int = 0
    answered: int = 0  # requests
    retried: int = 0
    repeated: int = 0
    failed: int = 0  # requests failed for good
    finished: list[Finished] = field(default_factory=list)


def inquiries_work(*, provider: InquiryProvider, now: datetime, limit: int, actor: Officer | None = None,
                   fresh: Sequence[tuple] = ()) -> WorkReport:
    """The robot's inquiry step. Poll first (answers that came in meanwhile,
    and whether the network restarted), send what is due (and `fresh`, see
    inquiries_send), poll again (a network that answers at once has answered
    by now), then give up and finish. Each call is its own short transaction."""
    provider = as_async(provider)
    absorbed = inquiries_poll(provider=provider, now=now)

    def meanwhile() -> bool:
        """While a batch is on its way: absorb a page of answers to those before (if any came)."""
        nonlocal absorbed
        page = inquiries_poll(provider=provider, now=now, pages=1)
        absorbed += page
        return bool(page.answered or page.retried or page.repeated or page.unknown)

    sent = inquiries_send(provider=provider, now=now, limit=limit * len(ALL_KINDS), fresh=fresh, meanwhile=meanwhile)
    if sent.sent or sent.duplicates:
        absorbed += inquiries_poll(provider=provider, now=now)
    return _wrapped_up(sent, absorbed, now=now, limit=limit, actor=actor)


# The step in two halves, for a robot that runs them in two workers side by
# side (the benchmark does): one sends, the other reads the answers, gives up
# and finishes. Safe together: the sender writes only requests not yet
# answered, every absorbing is idempotent, and a restarted network sends what
# was pending back to the queue, whoever notices.


def inquiries_ask(*, provider: InquiryProvider, now: datetime, limit: int, fresh: Sequence[tuple] = (),
                  due: bool = True) -> WorkReport:
    """The sending half: what is due (unless `due=False`), and `fresh` (see inquiries_send)."""
    sent = inquiries_send(provider=as_async(provider), now=now, limit=limit * len(ALL_KINDS), fresh=fresh, due=due)
    report = WorkReport()
    report.sent, report.duplicates = sent.sent, sent.duplicates
    return report


def inquiries_hear(*, provider: InquiryProvider, now: datetime, limit: int, actor: Officer | None = None) -> WorkReport:
    """The receiving half: every answer waiting, then give up and finish."""
    absorbed = inquiries_poll(provider=as_async(provider), now=now)
    return _wrapped_up(SendReport(), absorbed, now=now, limit=limit, actor=actor)


def _wrapped_up(sent: SendReport, absorbed: AbsorbReport, *, now: datetime, limit: int,
                actor: Officer | None) -> WorkReport:
    report = WorkReport()
    report.sent, report.duplicates = sent.sent, sent.duplicates
    report.answered, report.retried, report.repeated = absorbed.answered, absorbed.retried, absorbed.repeated
    report.failed = inquiries_give_up(now=now, limit=limit * len(ALL_KINDS))
    report.finished = inquiries_finish(now=now, limit=limit, actor=actor)
    return report


def inquiries_collect(
    *, inquiries: Sequence[Inquiry], provider: InquiryProvider, now: datetime, actor: Officer | None = None
) -> list[Finished]:
    """The robot's inquiry step, returning those of `inquiries` that finished
    (kept for callers of the synchronous days)."""
    ids = {i.id for i in inquiries}
    done = inquiries_work(provider=provider, now=now, limit=max(len(ids), 2000), actor=actor).finished
    return [i for i in done if i.id in ids]


def inquiries_rerun(
    *, cases: Sequence[EnforcementCase], provider: InquiryProvider, now: datetime, actor: Officer | None = None
) -> list[Finished]:
    """A further network inquiry on cases already at a team (no change of
    state). Returns those of its inquiries that finished at once."""
    with transaction.atomic():
        CaseEvent.objects.bulk_create(
            CaseEvent(court_id=c.court_id, case=c, at=now, kind="inquiry_started", actor=actor,
                      detail="再次发起网络查控", data={"kinds": list(ALL_KINDS)})
            for c in cases
        )
        ids = set(inquiries_start(cases=cases, provider=provider, now=now))
    done = inquiries_work(provider=provider, now=now, limit=max(len(cases), 2000), actor=actor).finished
    return [i for i in done if i.id in ids]


def requests_pending() -> dict:
    """What the robot still waits for: requests in flight, and the next time one is due."""
    sent = requests_open().filter(state=S.SENT).exists()
    next_due = requests_open().filter(state=S.QUEUED).order_by("next_try_at").values_list(
        "next_try_at", flat=True).first()
    return {"sent": sent, "next_due": next_due}
