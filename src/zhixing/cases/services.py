"""The only place that changes cases. Every change is a batch: one case is a
batch of one. Each service runs in one transaction and writes its events.

    cases_file        立案: numbers, parties, titles, milestones, `filed` events
    transition        the one door for state: guard, version check, event
    cases_record_step a legal step done (notice sent, restriction ordered …)
    cases_close       结案, with the guard of its closing mode
"""

from __future__ import annotations

import logging
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q
from django.utils import timezone

from zhixing.cases.models import (
    CaseEvent,
    CaseNumberCounter,
    CaseParty,
    EnforceableTitle,
    EnforcementCase,
    Milestone,
    Party,
)
from zhixing.courts.models import Court, Officer
from zhixing.courts.services import court_calendar
from zhixing.rules import Decision
from zhixing.rules.case_number import ADJUDICATION_TYPES, format_case_number
from zhixing.rules.deadlines import check_application_period, milestones_due
from zhixing.rules.money import format_yuan
from zhixing.rules.states import ACTIONS, CLOSING_MODES, check_action

log = logging.getLogger(__name__)


class CaseRow(SimpleNamespace):
    """A case as a batch step reads and moves it: the columns it selected, as
    plain attributes. transition() needs id, case_number, state, version
    (and court_id for the event) and the attnames of its `fields` (team_id,
    handler_id …). At 5,000 cases a step, building model instances cost more
    than the step's SQL."""


def case_rows(queryset, *columns: str, **expressions) -> list[CaseRow]:
    """The rows of a case queryset as CaseRows with these columns."""
    return [CaseRow(**row) for row in queryset.values(*columns, **expressions)]


@dataclass(frozen=True)
class PartyInput:
    kind: str
    name: str
    id_code: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class TitleInput:
    number: str
    kind: str
    effective_on: date
    due_on: date


@dataclass(frozen=True)
class FilingApplication:
    """A validated application for enforcement (intake/parsing.py builds it)."""

    type_code: str
    title: TitleInput
    creditors: tuple[PartyInput, ...]
    debtors: tuple[PartyInput, ...]
    amount_claimed: int  # fen


@dataclass(frozen=True)
class EventSpec:
    kind: str
    detail: str
    data: dict = field(default_factory=dict)


class TransitionRefused(Exception):
    """A guard said no. `decisions` maps case id (or None) to the refusal."""

    def __init__(self, message: str, decisions: Mapping[int | None, Decision] | None = None):
        super().__init__(message)
        self.decisions = dict(decisions or {})


class StaleCase(TransitionRefused):
    """Someone else changed the case since it was read."""


# ---------------------------------------------------------------- filing


def cases_file(
    *,
    court: Court,
    actor: Officer | None,
    applications: Sequence[FilingApplication],
    now: datetime,
) -> list[EnforcementCase]:
    """立案: file many applications at once, in one transaction.

    What needs no key and no case number (the model objects, the deadline
    checks, the milestones, the events' wording) is made before the
    transaction begins: on SQLite the transaction holds the database's one
    write lock, which the robot's steps wait for meanwhile."""
    if not applications:
        return []
    filed_on = timezone.localdate(now)
    calendar = court_calendar(court)
    titles = _instances(
        EnforceableTitle, ("court_id", "number", "kind", "effective_on", "due_on"),
        [(court.id, a.title.number, a.title.kind, a.title.effective_on, a.title.due_on) for a in applications],
        court=court,
    )
    # Key, number, sequence and title are given in the transaction.
    cases = _instances(
        EnforcementCase, ("court_id", "type_code", "year", "amount_claimed", "filed_on", "state"),
        [(court.id, a.type_code, filed_on.year, a.amount_claimed, filed_on, "filed") for a in applications],
        court=court,
    )
    # Each case's event, but for its case number (detail after it, data), and its milestones.
    events, milestones = [], []
    due = {}  # milestones depend only on the title's kind (and the shared filing day)
    for a in applications:
        late = check_application_period(due_on=a.title.due_on, filed_on=filed_on)
        detail = f"，申请执行标的额{format_yuan(a.amount_claimed)}元"
        data = {"type_code": a.type_code, "amount_claimed": a.amount_claimed}
        if not late:
            detail += f"。注意：{late.explain()}"
            data["late_application"] = late.explain()
        events.append((detail, data))
        if a.type_code in ADJUDICATION_TYPES:
            milestones.append(())  # objections and reviews run on their own limits, not enforcement's
            continue
        if a.title.kind not in due:
            due[a.title.kind] = [
                (m.kind, m.due_on, None, m.basis)
                for m in milestones_due(
                    anchor="filed", start=filed_on, title_kind=a.title.kind, calendar=calendar,
                    overrides=court.deadline_overrides,
                )
            ]
        milestones.append(due[a.title.kind])
    with transaction.atomic():
        parties = _parties_upsert(court, [p for a in applications for p in (*a.creditors, *a.debtors)])
        _rows_insert(EnforceableTitle, titles, with_ids=True)
        seqs = _numbers_take(court, filed_on.year, [a.type_code for a in applications])
        for case, title, seq in zip(cases, titles, seqs):
            case.title_id = title.id
            case._state.fields_cache["title"] = title
            case.seq = seq
            case.case_number = format_case_number(filed_on.year, court.code, case.type_code, seq)
        _rows_insert(EnforcementCase, cases, with_ids=True)
        _values_insert(
            CaseParty,
            ["court_id", "case_id", "party_id", "role", "position"],
            [
                (court.id, case.id, parties[p.id_code].id, role, i)
                for case, a in zip(cases, applications)
                for role, group in (("creditor", a.creditors), ("debtor", a.debtors))
                for i, p in enumerate(group)
            ],
        )
        actor_id = actor.id if actor else None
        _values_insert(CaseEvent, EVENT_COLUMNS, [
            (court.id, case.id, now, "filed", actor_id, f"立案，案号{case.case_number}{detail}", data)
            for case, (detail, data) in zip(cases, events)
        ])
        _values_insert(Milestone, ["court_id", "case_id", "kind", "due_on", "done_on", "basis"],
                       [(court.id, case.id, *m) for case, ms in zip(cases, milestones) for m in ms])
        if settings.ROBOT_KICK:
            transaction.on_commit(_kick_robot)
    log.info("filed %d cases for %s", len(cases), court.code)
    return cases


def _kick_robot():
    from zhixing.robot import robot_kick

    robot_kick()


def _parties_upsert(court: Court, inputs: Iterable[PartyInput]) -> dict[str, Party]:
    """One row per real party, keyed by id_code. An existing party keeps its
    name; a phone or address it lacked is filled in."""
    wanted: dict[str, PartyInput] = {}
    for p in inputs:
        wanted.setdefault(p.id_code, p)
    existing = {p.id_code: p for p in Party.objects.filter(court=court, id_code__in=wanted)}
    missing = _instances(
        Party, ("court_id", "kind", "name", "id_code", "phone", "address"),
        [(court.id, p.kind, p.name, p.id_code, p.phone, p.address) for code, p in wanted.items() if code not in existing],
        court=court,
    )
    if missing:
        inserted = _rows_insert(Party, missing, with_ids=True, ignore_conflicts=True)
        if inserted == len(missing):
            existing.update((p.id_code, p) for p in missing)
        else:  # a concurrent filing created some of them first: take its rows
            existing = {p.id_code: p for p in Party.objects.filter(court=court, id_code__in=wanted)}
    filled = []
    for code, p in wanted.items():
        row = existing[code]
        if (p.phone and not row.phone) or (p.address and not row.address):
            row.phone = row.phone or p.phone
            row.address = row.address or p.address
            filled.append(row)
    _rows_update(Party, filled, ["phone", "address"])
    return existing


def _numbers_take(court: Court, year: int, type_codes: Sequence[str]) -> list[int]:
    """Take the next sequence numbers, in order, for each type code.

    The counter row is locked for the rest of the filing transaction, so
    concurrent filings queue on it; a rollback returns the numbers."""
    wanted = defaultdict(int)
    for t in type_codes:
        wanted[t] += 1
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(court=court, year=year, type_code=t) for t in wanted],
        ignore_conflicts=True,
    )
    counters = {
        c.type_code: c
        for c in CaseNumberCounter.objects.select_for_update()
        .filter(court=court, year=year, type_code__in=list(wanted))
        .order_by("type_code")  # a fixed lock order
    }
    next_seq = {}
    for t, n in wanted.items():
        c = counters[t]
        next_seq[t] = c.last + 1
        c.last += n
    CaseNumberCounter.objects.bulk_update(list(counters.values()), ["last"])
    result = []
    for t in type_codes:
        result.append(next_seq[t])
        next_seq[t] += 1
    return result


# ---------------------------------------------------------------- set-based rows
#
# Django's bulk_create and bulk_update compile their SQL object by object and
# field by field; at tens of thousands of rows that costs far more than the
# database's own work (bulk_update's CASE WHEN grows with the batch). These
# two send one prepared statement with every row's values (executemany: the
# loop runs in the driver; on PostgreSQL it was as fast as or faster than
# multi-row VALUES or UPDATE … FROM VALUES, measured with psycopg 3.3).

# Field types whose attribute value is already what the driver binds.
_PLAIN = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
    "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
})


def _converter(f: models.Field, conn):
    """A function from an attribute's value to what its column stores, or
    None where the driver binds the value as it is."""
    kind = f.get_internal_type()
    if kind in _PLAIN or (conn.vendor == "postgresql" and kind in ("DateField", "DateTimeField")):
        return None  # psycopg binds dates and aware datetimes as they are
    if kind in ("DateField", "DateTimeField"):
        memo = {}  # a batch shares a few dates (filed today, the same `now` in every event)

        def convert(value):
            if value not in memo:
                memo[value] = f.get_db_prep_save(value, conn)
            return memo[value]

        return convert
    if kind == "JSONField":
        # A batch often hands every row the same object (one event for all):
        # encoded once. Held while the batch is converted, so ids stay unique.
        seen = {}

        def encode(value):
            key = id(value)
            if key not in seen:
                seen[key] = (value, f.get_db_prep_save(value, conn))
            return seen[key][1]

        return encode
    return lambda value: f.get_db_prep_save(value, conn)


def _rows_convert(rows: list[tuple], converters: Sequence) -> list[tuple]:
    """Each row's values converted for their columns. Column by column (map
    runs the loop in C), not row by row: a generator per row cost more than
    the conversions themselves at a million values."""
    if not any(converters):
        return rows
    columns = [col if c is None else list(map(c, col)) for c, col in zip(converters, zip(*rows))]
    return list(zip(*columns))


def _in(values) -> tuple[str, list]:
    """The test `IN (values)` for raw SQL after a column, and its parameters.
    PostgreSQL gets one array parameter (`= ANY(%s)`): psycopg looks for a
    statement's placeholders in Python, and five thousand of them cost more
    than the query itself. SQLite gets a placeholder each."""
    values = list(values)
    if not values:
        return "IN (NULL)", []  # true of no row
    if connection.vendor == "postgresql":
        # Typed as the keys' columns (bigint, or text): for an array of another
        # type (psycopg sends small numbers as smallint[]) PostgreSQL compares
        # each row with every element instead of looking it up in a hash.
        return f"= ANY(%s::{'bigint' if isinstance(values[0], int) else 'text'}[])", [values]
    return f"IN ({', '.join(['%s'] * len(values))})", values


def _execute_in(sql: str, params: Sequence, ids, *, after: Sequence = (), chunk_size: int = 5000,
                fetch: bool = False) -> list[tuple]:
    """Run `sql`, whose `{}` follows a column and stands for `IN ids` (_in),
    a statement per chunk of ids (ascending), with `params` before the ids
    and `after` behind them; the rows it returns if `fetch`. Raw SQL: the
    ORM's IN lookup prepares each id in Python, thousands of times per step."""
    ids = sorted(ids)
    rows = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), chunk_size):
            test, values = _in(ids[start:start + chunk_size])
            cursor.execute(sql.format(test), (*params, *values, *after))
            if fetch:
                rows.extend(cursor.fetchall())
    return rows


def _select_in(sql: str, params: Sequence, ids, chunk_size: int = 5000) -> list[tuple]:
    """Rows of `sql` (see _execute_in), in id order within each chunk."""
    return _execute_in(sql, params, ids, chunk_size=chunk_size, fetch=True)


def _ids_take(model: type[models.Model], n: int) -> list[int]:
    """N new primary keys for `model`, in ascending order, in one query.

    PostgreSQL draws them from the column's sequence, so concurrent writers
    never collide. SQLite has one writer at a time (the transaction holds the
    write lock from BEGIN IMMEDIATE): the next keys follow the largest ever
    given (sqlite_sequence, for AUTOINCREMENT) or present."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
                [table, pk, n],
            )
            return [row[0] for row in cursor.fetchall()]
        q = connection.ops.quote_name
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({q(pk)}) FROM {q(table)}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


# Rows from which PostgreSQL gets a staged UPDATE … FROM rather than a
# statement per row (as many as make a transition update by key; inserts are
# always COPY there).
STAGED_FROM = 21


def _values_insert(model, attnames: Sequence[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> int:
    """INSERT rows given as tuples of attribute values in `attnames` order,
    with no model objects built. A column not named gets its field's default.
    One executemany; returns how many rows went in."""
    if not rows:
        return 0
    conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: it would be asked once per value
    opts = model._meta
    fields = [opts.get_field(a) for a in attnames]
    named = {f.attname for f in fields}
    rest = [f for f in opts.concrete_fields if not f.primary_key and f.attname not in named]
    rows = _rows_convert(rows, [_converter(f, conn) for f in fields])
    if rest:
        defaults = tuple(f.get_db_prep_save(f.get_default(), conn) for f in rest)
        rows = [row + defaults for row in rows]
    q = conn.ops.quote_name
    columns = ', '.join(q(f.column) for f in (*fields, *rest))
    if conn.vendor == "postgresql":
        # COPY: executemany is a statement per row to PostgreSQL, several times slower.
        table = q(opts.db_table)
        if not ignore_conflicts:
            with conn.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        # Skipping conflicts: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.
        stage = q(f"_stage_{opts.db_table}")
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT DO NOTHING")
            inserted = cursor.rowcount
            cursor.execute(f"DROP TABLE {stage}")
        return inserted
    sql = (
        f"INSERT INTO {q(opts.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * (len(fields) + len(rest)))})"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
    )
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)
        return cursor.rowcount  # the sum over every row, in both drivers


def _instances(model, attnames: Sequence[str], rows: list[tuple], **shared) -> list:
    """New, unsaved instances of `model` from rows of values for `attnames`
    (other fields: their defaults), built with positional arguments, as
    Django builds the rows it reads: the keyword form runs each foreign
    key's descriptor, which at thousands of rows a filing cost more than the
    insert. `shared`: related objects every instance points to (court=…),
    remembered as already fetched."""
    at = {a: i for i, a in enumerate(attnames)}
    fields = model._meta.concrete_fields
    missing = [f for f in fields if f.attname not in at]
    if any(callable(f.default) for f in missing if f.has_default()):
        raise ValueError(f"{model.__name__}: give every field with a callable default")
    # Each row is followed by the defaults; itemgetter puts the values in the fields' order.
    tail = tuple(f.get_default() for f in missing)
    tail_at = {f.attname: len(attnames) + k for k, f in enumerate(missing)}
    take = operator.itemgetter(*(at[f.attname] if f.attname in at else tail_at[f.attname] for f in fields))
    objs = [model(*take(row + tail)) for row in rows]
    for name, value in shared.items():
        for obj in objs:
            obj._state.fields_cache[name] = value
    return objs


def _rows_insert(model, objs: list, *, with_ids: bool = False, ignore_conflicts: bool = False):
    """INSERT `objs` (new, unsaved) as they are. With `with_ids` their keys
    are taken first and set on them, so nothing is read back. Returns `objs`,
    or with `ignore_conflicts` how many rows went in."""
    if not objs:
        return 0 if ignore_conflicts else objs
    if with_ids:
        for obj, pk in zip(objs, _ids_take(model, len(objs))):
            obj.pk = pk
    attnames = [f.attname for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    get = operator.attrgetter(*attnames)
    inserted = _values_insert(model, attnames, [get(obj) for obj in objs], ignore_conflicts=ignore_conflicts)
    alias = connections[DEFAULT_DB_ALIAS].alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return inserted if ignore_conflicts else objs


def _rows_update(model, objs: Sequence, fields: Sequence[str]) -> None:
    """UPDATE each object's row to its own values of `fields`, by key, in one executemany."""
    if not objs:
        return
    opts = model._meta
    conn = connections[DEFAULT_DB_ALIAS]
    fs = [opts.get_field(f) for f in fields]
    get = operator.attrgetter(*(f.attname for f in fs), opts.pk.attname)
    rows = [get(obj) for obj in objs]
    rows = _rows_convert(rows, [_converter(f, conn) for f in fs] + [None])
    q = conn.ops.quote_name
    if conn.vendor == "postgresql" and len(rows) >= STAGED_FROM:
        # The new values COPYed into a temporary table, then one UPDATE … FROM
        # it: a statement per row costs PostgreSQL a round of parse, plan and
        # execute each.
        stage = q(f"_stage_{opts.db_table}")
        cols = [f.column for f in fs] + [opts.pk.column]
        with transaction.atomic(), conn.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                f"SELECT {', '.join(map(q, cols))} FROM {q(opts.db_table)} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {stage} ({', '.join(map(q, cols))}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in cols[:-1])
            cursor.execute(
                f"UPDATE {q(opts.db_table)} AS t SET {sets} FROM {stage} AS s "
                f"WHERE t.{q(opts.pk.column)} = s.{q(opts.pk.column)}"
            )
            cursor.execute(f"DROP TABLE {stage}")
        return
    sets = ", ".join(f"{q(f.column)} = %s" for f in fs)
    with conn.cursor() as cursor:
        cursor.executemany(f"UPDATE {q(opts.db_table)} SET {sets} WHERE {q(opts.pk.column)} = %s", rows)


# ---------------------------------------------------------------- transitions


EVENT_COLUMNS = ["court_id", "case_id", "at", "kind", "actor_id", "detail", "data"]


def _event(case: EnforcementCase, spec: EventSpec, actor: Officer | None, now: datetime) -> CaseEvent:
    return CaseEvent(
        court_id=case.court_id, case=case, at=now, kind=spec.kind, actor=actor, detail=spec.detail, data=spec.data
    )


def transition(
    *,
    cases: Sequence[EnforcementCase],
    action: str,
    actor: Officer | None,
    now: datetime,
    events: Mapping[int, EventSpec],
    fields: Sequence[str] = (),
    skip_moved: bool = False,
) -> list[EnforcementCase]:
    """The one door for state. Moves every case by `action`, or none.

    Each case object carries the version its caller read and the new values
    of `fields`; the rows are locked, checked against the state table and the
    version, then updated together with one event each. Returns the cases
    moved. A case changed since it was read refuses the whole batch; with
    `skip_moved` (a robot step that read its batch before the lock) it is
    left out, as it is, for the step's next pass."""
    if not cases:
        return []
    target = ACTIONS[action][1]
    with transaction.atomic():
        current = _states_lock([c.id for c in cases])
        if skip_moved:
            cases = [c for c in cases if current[c.id][1] == c.version]
            if not cases:
                return []
        refused = {}
        decided = {}  # the decision depends on the state alone: once per state
        for c in cases:
            state, version = current[c.id]
            if version != c.version:
                raise StaleCase(f"案件{c.case_number}已被他人修改，请刷新后重试")
            decision = decided.get(state)
            if decision is None:
                decision = decided[state] = check_action(action, state)
            if not decision:
                refused[c.id] = decision
        if refused:
            first = next(iter(refused.values()))
            raise TransitionRefused(first.explain(), refused)
        for c in cases:
            c.state = target
            c.version += 1
        _update_moved(cases, fields)
        actor_id = actor.id if actor else None
        _values_insert(
            CaseEvent,
            EVENT_COLUMNS,
            [(c.court_id, c.id, now, events[c.id].kind, actor_id, events[c.id].detail, events[c.id].data)
             for c in cases],
        )
    return list(cases)


def _states_lock(ids: list[int]) -> dict[int, tuple[str, int]]:
    """Lock the cases' rows (in id order, so batches never deadlock) and read
    their state and version. Plain SQL: the ORM's IN lookup costs a few
    microseconds per id, thousands of times per robot step."""
    q = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the transaction's lock
    rows = _select_in(f"SELECT id, state, version FROM {q(EnforcementCase._meta.db_table)} WHERE id {{}} ORDER BY id{lock}",
                      [], ids, chunk_size=10_000)  # within SQLite's 32,766 parameters
    return {row[0]: (row[1], row[2]) for row in rows}


def _update_moved(cases: Sequence[EnforcementCase], fields: Sequence[str]) -> None:
    """Write the new state, version and fields. Cases that share their field
    values (a batch sent to one handler, closed the same day …) are one UPDATE
    per group; when nearly every case differs (triage reasons) one set-based
    update by key (_rows_update)."""
    attnames = [EnforcementCase._meta.get_field(f).attname for f in fields]
    groups = defaultdict(list)
    for c in cases:
        groups[repr([getattr(c, a) for a in attnames])].append(c)
    if len(groups) > 20:
        _rows_update(EnforcementCase, cases, ["state", "version", *fields])
        return
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    fs = [EnforcementCase._meta.get_field(f) for f in fields]
    # Raw SQL by key, a statement per 10,000 ids: the ORM's IN lookup
    # prepares each id in Python.
    sets = ", ".join([f"{q('state')} = %s", f"{q('version')} = {q('version')} + 1",
                      *(f"{q(f.column)} = %s" for f in fs)])
    for members in groups.values():
        shared = [f.get_db_prep_save(getattr(members[0], f.attname), conn) for f in fs]
        # Each version was checked under the row lock: +1 is the new version.
        _execute_in(f"UPDATE {q(EnforcementCase._meta.db_table)} SET {sets} WHERE id {{}}",
                    [members[0].state, *shared], [c.id for c in members], chunk_size=10_000)


def milestones_done(case_ids: Sequence[int], kind: str, day: date) -> None:
    """The milestone `kind` of these cases, where still open, done on `day`:
    by key (_execute_in), the robot marks thousands at a time."""
    _execute_in(
        f"UPDATE {connection.ops.quote_name(Milestone._meta.db_table)} SET done_on = %s "
        "WHERE case_id {} AND kind = %s AND done_on IS NULL",
        [connection.ops.adapt_datefield_value(day)], case_ids, after=[kind],
    )


# ---------------------------------------------------------------- steps and closing

# Legal steps an officer records. Milestone kinds are timed; the rest are not.
STEPS = {
    "notice_sent": "发送执行通知书、报告财产令",
    "leads_requested": "通知申请执行人提供财产线索",
    "investigation_finished": "财产调查完毕",
    "restriction_ordered": "发出限制消费令",
    "creditor_interviewed": "约谈申请执行人",
}


def cases_record_step(
    *, cases: Sequence[EnforcementCase], step: str, actor: Officer | None, now: datetime
) -> int:
    """Record that a legal step was done: its milestone (if any) is done and
    the timeline says so. Doing a step twice records nothing more."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    today = timezone.localdate(now)
    ids = [c.id for c in cases]
    with transaction.atomic():
        already = set(
            CaseEvent.objects.filter(case_id__in=ids, kind="step_done", data__step=step).values_list(
                "case_id", flat=True
            )
        )
        todo = [c for c in cases if c.id not in already]
        milestones_done([c.id for c in todo], step, today)
        CaseEvent.objects.bulk_create(
            [_event(c, EventSpec("step_done", STEPS[step], {"step": step}), actor, now) for c in todo]
        )
    return len(todo)


def cases_close(
    *,
    cases: Sequence[EnforcementCase],
    mode: str,
    actor: Officer | None,
    now: datetime,
    note: str = "",
) -> list[EnforcementCase]:
    """结案 in the given mode. The guard of the mode (rules/) must allow each case."""
    from zhixing.cases.guards import closing_decisions

    if mode not in CLOSING_MODES:
        raise ValueError(f"unknown closing mode {mode!r}")
    with transaction.atomic():
        decisions = closing_decisions(cases=cases, mode=mode, today=timezone.localdate(now))
        refused = {cid: d for cid, d in decisions.items() if not d}
        if refused:
            first = next(iter(refused.values()))
            raise TransitionRefused(f"{CLOSING_MODES[mode]}不可：{first.explain()}", refused)
        events = {}
        for c in cases:
            c.closed_on = timezone.localdate(now)
            c.closing_mode = mode
            detail = f"以“{CLOSING_MODES[mode]}”方式结案"
            if note:
                detail += f"：{note}"
            events[c.id] = EventSpec(
                "closed", detail, {"mode": mode, "reasons": decisions[c.id].explain()}
            )
        milestones_done([c.id for c in cases], "time_limit", timezone.localdate(now))
        return transition(
            cases=cases, action="close", actor=actor, now=now, events=events, fields=["closed_on", "closing_mode"]
        )


def open_cases_q() -> Q:
    return ~Q(state="closed")
