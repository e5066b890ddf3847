"""`zhixing bench pipeline --cases N`: how fast cases go from filing to a handler,
beside how fast the same database merely inserts the same rows.

It never touches real data: SQLite runs in a throwaway home; PostgreSQL (when
DATABASE_URL names one) in a throwaway database `<name>_bench_<pid>` on the same
server, dropped at the end. Steps:

1. migrate, create the demo court, copy the database as it now is (the limit's
   starting point), build N synthetic applications (untimed);
2. file them with `cases_file` in batches in one process (as the clerks'
   pages and the API would), while the robot's parts run in three more, as
   workers of their own (robot_ask_pass, robot_hear_pass, robot_assign_pass:
   the parts of `robot_pass`), until every case is dispatched; the inquiry
   simulator runs as its own process at zero latency (timed: the pipeline,
   from the first filing to the last dispatch);
3. read back every row the pipeline inserted, in every table, and insert the
   same rows into the copy with plain executemany INSERTs through a Django
   connection with the same settings, in one transaction (only the inserts
   are timed: the limit).

x = N / pipeline seconds; y = N / insert seconds, the insert rate counted in
cases' worth of rows (every row a case brings: title, parties, events,
milestones, inquiry, assets …). The last line reads
`pipeline <x> cases/s · limit <y> rows/s · ratio <x/y>`. The aim (issue 3):
ratio ≥ 1/3, and 100,000 cases in under two minutes on a 2-core machine.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

RATIO_AIM = 1 / 3
SECONDS_AIM = 120.0  # for 100,000 cases
SECONDS_AIM_FROM = 100_000


# ---------------------------------------------------------------- a throwaway database


def _admin_connect(url: str):
    """A connection to the PostgreSQL server (its maintenance database), autocommit."""
    import psycopg

    parts = urlsplit(url)
    kwargs = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": parts.username or None,
        "password": parts.password or None,
        "autocommit": True,
    }
    try:
        return psycopg.connect(dbname="postgres", **kwargs)
    except psycopg.OperationalError:
        return psycopg.connect(dbname=parts.path.lstrip("/"), **kwargs)


class Scratch:
    """Where the benchmark runs: a temporary home, and for PostgreSQL a
    database of its own (plus one for the limit), dropped on close."""

    def __init__(self):
        self.home = tempfile.mkdtemp(prefix="zhixing-bench-")
        self.url = os.environ.get("DATABASE_URL") or ""
        self.vendor = "postgresql" if self.url.startswith(("postgres://", "postgresql://")) else "sqlite"
        self.created: list[str] = []
        os.environ["ZHIXING_HOME"] = self.home
        if self.vendor == "sqlite":
            # Never the DATABASE_URL's file: the throwaway home's.
            os.environ.pop("DATABASE_URL", None)
            self.name = os.path.join(self.home, "zhixing.sqlite3")
            self.limit_name = os.path.join(self.home, "limit.sqlite3")
            return
        parts = urlsplit(self.url)
        base = parts.path.lstrip("/") or "zhixing"
        self.name = f"{base}_bench_{os.getpid()}"
        self.limit_name = f"{self.name}_limit"
        with _admin_connect(self.url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.created.append(self.name)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + self.name))

    def copy_for_limit(self) -> dict:
        """Copy the database as it is now; return the settings of the copy."""
        from django.db import connection, connections

        if self.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            target = sqlite3.connect(self.limit_name)
            connection.connection.backup(target)
            target.close()
        else:
            connections.close_all()  # a template database must have no sessions
            with _admin_connect(self.url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.limit_name}"')
                admin.execute(f'CREATE DATABASE "{self.limit_name}" TEMPLATE "{self.name}"')
            self.created.append(self.limit_name)
        return dict(connections.settings["default"], NAME=self.limit_name)

    def close(self) -> None:
        if self.created:
            from django.db import connections

            connections.close_all()
            with _admin_connect(self.url) as admin:
                for name in reversed(self.created):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.home, ignore_errors=True)


# ---------------------------------------------------------------- synthetic applications


def synthetic_bodies(n: int, seed: int) -> list[dict]:
    """N application bodies as another court system would send them. Debtors
    are drawn from a pool about 0.8 N large (so some debtors owe in several
    cases, as in life); one case in six has two or three debtors, one in four
    a company as debtor; creditors come from a small pool (banks, lenders)."""
    from zhixing.rules.identity import credit_code_check_char, id_number_check_char

    rng = random.Random(seed)

    def person(serial: int) -> str:
        birth = date(1950, 1, 1) + timedelta(days=serial % 18000)
        first17 = f"4201{serial // 18000 % 100:02d}{birth:%Y%m%d}{serial % 1000:03d}"
        return first17 + id_number_check_char(first17)

    def company(serial: int) -> str:
        first17 = f"91420105{serial:09d}"
        return first17 + credit_code_check_char(first17)

    creditors = [
        {"kind": "company", "name": f"武汉某某{k}有限公司", "credit_code": company(900_000 + k)}
        for k in range(60)
    ]
    pool = max(10, n * 4 // 5)
    kinds = ("民事判决书", "民事调解书", "仲裁裁决书", "民事判决书", "民事判决书")
    bodies = []
    for i in range(n):
        n_debtors = 1 if rng.random() > 1 / 6 else rng.choice((2, 3))
        debtors = []
        for serial in rng.sample(range(pool), n_debtors):
            if serial % 4 == 0:
                debtors.append({"kind": "company", "name": f"被执行企业{serial}", "credit_code": company(serial)})
            else:
                debtors.append({"kind": "person", "name": f"被执行人{serial}", "id_number": person(serial),
                                "phone": f"138{serial % 10**8:08d}", "address": "武汉市汉阳区"})
        effective = date(2025, 1, 6) + timedelta(days=rng.randrange(300))
        bodies.append({
            "type": "执",
            "title": {"number": f"（2025）鄂0105民初{i + 1}号", "kind": rng.choice(kinds),
                      "effective_on": effective.isoformat(), "due_on": (effective + timedelta(days=15)).isoformat()},
            "creditors": [rng.choice(creditors)],
            "debtors": debtors,
            "amount_claimed": f"{int(1000 * 10 ** (rng.random() * 4)) }.{rng.randrange(100):02d}",
        })
    return bodies


# ---------------------------------------------------------------- timing the robot's steps


class StepClock:
    """Seconds spent in each step of `robot_pass`, by wrapping the functions
    it calls (looked up by name in its module, so a renamed step only moves
    its time to "other")."""

    STEPS = {
        "inquiry": ("cases_inquire_new", "inquiries_work", "inquiries_collect", "inquiries_start",
                    "inquiries_ask", "inquiries_hear"),
        "triage": ("cases_triage",),
        "dispatch": ("cases_dispatch",),
    }

    def __init__(self):
        self.seconds = defaultdict(float)
        self._saved = []
        self._depth = 0

    @contextmanager
    def installed(self):
        from zhixing.centre import services

        for step, names in self.STEPS.items():
            for name in names:
                fn = getattr(services, name, None)
                if callable(fn):
                    self._saved.append((services, name, fn))
                    setattr(services, name, self._timed(step, fn))
        try:
            yield self
        finally:
            for module, name, fn in self._saved:
                setattr(module, name, fn)
            self._saved.clear()

    def _timed(self, step, fn):
        def timed(*args, **kwargs):
            if self._depth:  # a step calling another: count it once, in the outer one
                return fn(*args, **kwargs)
            self._depth += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[step] += time.perf_counter() - t
                self._depth -= 1

        return timed


class _SimProcess:
    """`zhixing inquiry-sim` at zero latency as a child process: the network
    is another machine, so its JSON and bookkeeping must not take the
    robot's interpreter lock (in a thread: inquiry 17.3 s instead of 14.5 s at 20,000)."""

    def __init__(self):
        import socket
        import subprocess
        import urllib.request

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zhixing.cli", "inquiry-sim", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 30
        while True:
            try:
                with opener.open(self.url + "/health", timeout=1) as response:
                    response.read()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.shutdown()
                    raise RuntimeError("网络查控模拟服务未能启动") from None
                time.sleep(0.05)

    def shutdown(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except Exception:
                self.process.kill()
                self.process.wait()

    def server_close(self):
        pass


def _start_simulator():
    """The inquiry simulator at zero latency, in its own process; the provider for it."""
    from django.conf import settings

    from zhixing.inquiry import http

    server = _SimProcess()
    return server, http.HttpProvider(server.url, timeout=settings.INQUIRY_TIMEOUT,
                                     batch_size=settings.INQUIRY_BATCH_SIZE)


# ---------------------------------------------------------------- the pipeline's processes

# No sign of progress from any process for this long: the benchmark stops, failed.
STALLED_AFTER = 120.0


def _stages_run(*, court, centre, applications, batch: int, provider) -> dict:
    """File, and run the robot's parts side by side: filing (as the clerks'
    pages and the API do) in one process, and each part of the robot's pass
    in a worker of its own (asking the network, hearing its answers,
    assigning: triage and dispatch), each on its own database connection,
    forked from this one. Returns the seconds: wall clock ("total"), each
    process's time in its steps, and the number of passes."""
    import multiprocessing

    from django.db import connections

    ctx = multiprocessing.get_context("fork")  # the applications and Django, set up, without pickling
    shared = _Shared(ctx, len(applications))
    connections.close_all()  # no connection may be shared with a child
    start = time.perf_counter()
    workers = [
        ctx.Process(target=_child, args=(shared, _filer, court, centre, applications, batch, start), name="立案"),
        *(ctx.Process(target=_child, args=(shared, _robot, part, provider, batch, start), name=f"机器人{PARTS[part][0]}")
          for part in PARTS),
    ]
    try:
        for w in workers:
            w.start()
        seen, quiet_since = -1, time.monotonic()
        while not shared.done.wait(0.1):
            failed = [w.name for w in workers if w.exitcode not in (None, 0)]
            if failed:
                raise RuntimeError(f"{'、'.join(failed)}进程异常退出")
            if shared.progress.value != seen:
                seen, quiet_since = shared.progress.value, time.monotonic()
            elif time.monotonic() - quiet_since > STALLED_AFTER:
                raise RuntimeError(f"{STALLED_AFTER:.0f} 秒没有进展")
        total = time.perf_counter() - start
        shared.stop.set()
        took = {"total": total}
        for _ in workers:
            took.update(shared.results.get())
        for w in workers:
            w.join()
        return took
    finally:
        shared.stop.set()
        for w in workers:
            if w.is_alive():
                w.terminate()
            if w.pid is not None:
                w.join()


class _Shared:
    """What the processes share: progress, the end, and each one's seconds."""

    def __init__(self, ctx, n: int):
        self.n = n
        self.progress = ctx.Value("q", 0)  # anything moved, in any process
        self.dispatched = ctx.Value("q", 0)
        self.done = ctx.Event()  # every case dispatched
        self.stop = ctx.Event()  # the robot processes may end
        self.results = ctx.SimpleQueue()  # written at once, nothing left in a buffer at exit
        # Work for a part of the robot: set by the step before it (as a filing
        # wakes the robot in a deployment, ROBOT_KICK), so that an idle part
        # does not query the database over and over meanwhile.
        self.kick = {part: ctx.Event() for part in PARTS}


def _child(shared: _Shared, work, *args) -> None:
    """A forked process: the parent stops it (SIGTERM) and cleans up after it;
    it never runs the parent's finally blocks, hence os._exit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops everyone
    code = 0
    try:
        shared.results.put(work(shared, *args))
    except BaseException:  # noqa: BLE001 (whatever happened, the child must end by os._exit)
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def _filer(shared: _Shared, court, actor, applications, batch: int, start: float) -> dict:
    from django.utils import timezone

    from zhixing.cases.services import cases_file

    n, seconds = len(applications), 0.0
    for i in range(0, n, batch):
        t = time.perf_counter()
        cases_file(court=court, actor=actor, applications=applications[i:i + batch], now=timezone.now())
        seconds += time.perf_counter() - t
        shared.kick["ask"].set()
        with shared.progress.get_lock():
            shared.progress.value += 1
        _say(f"立案 {min(i + batch, n)}/{n} 件：本批 {time.perf_counter() - t:.2f} 秒，累计 {time.perf_counter() - start:.1f} 秒")
    return {"filing": seconds}


# The robot's parts, each in a worker: (label, the pass, the part it wakes
# next, {step timed (StepClock): the name its seconds are reported under}).
PARTS = {
    "ask": ("查控发送", "robot_ask_pass", "hear", {"inquiry": "ask"}),
    "hear": ("查控答复", "robot_hear_pass", "assign", {"inquiry": "hear"}),
    "assign": ("分流分派", "robot_assign_pass", None, {"triage": "triage", "dispatch": "dispatch"}),
}


def _robot(shared: _Shared, part: str, provider, batch: int, start: float) -> dict:
    """Passes of one part of the robot until told to stop: again at once after
    one that moved something, else when kicked (or after a second)."""
    from django.utils import timezone

    from zhixing.centre import services

    label, name, wakes, steps = PARTS[part]
    run = getattr(services, name)
    kwargs = {} if part == "assign" else {"provider": provider}
    clock, passes, kick = StepClock(), 0, shared.kick[part]
    with clock.installed():
        while not shared.stop.is_set():
            kick.clear()
            t = time.perf_counter()
            report = run(now=timezone.now(), limit=batch, **kwargs)
            if not report.busy:
                kick.wait(1.0)
                continue
            if wakes:
                shared.kick[wakes].set()
            passes += 1
            with shared.progress.get_lock():
                shared.progress.value += 1
            if report.dispatched:
                with shared.dispatched.get_lock():
                    shared.dispatched.value += report.dispatched
                    if shared.dispatched.value >= shared.n:
                        shared.done.set()
            _say(f"机器人{label}第 {passes} 遍：{report}；本遍 {time.perf_counter() - t:.2f} 秒，"
                 f"累计 {time.perf_counter() - start:.1f} 秒")
    return {key: clock.seconds.get(step, 0.0) for step, key in steps.items()} | {f"{part}_passes": passes}


# ---------------------------------------------------------------- the limit


def _tables():
    """Every model with a table and an integer key."""
    from django.apps import apps
    from django.db import connection, models

    existing = set(connection.introspection.table_names())
    result = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or not isinstance(opts.pk, models.AutoField | models.BigAutoField):
            continue
        if opts.db_table not in existing:  # a model whose migration is not written yet
            continue
        result.append(model)
    return result


def marks_take() -> dict:
    """The highest key in every table now: rows above it are the pipeline's."""
    from django.db.models import Max

    return {m: m._default_manager.aggregate(top=Max("pk"))["top"] or 0 for m in _tables()}


def _dependency_order(models_: list) -> list:
    """Referenced tables before the tables that refer to them."""
    ordered, seen = [], set()

    def visit(m):
        if m in seen:
            return
        seen.add(m)
        for f in m._meta.concrete_fields:
            if f.is_relation and f.related_model in wanted and f.related_model is not m:
                visit(f.related_model)
        ordered.append(m)

    wanted = set(models_)
    for m in models_:
        visit(m)
    return ordered


def rows_written(marks: dict):
    """Every row the pipeline inserted, as stored: (table, columns, rows) per
    table, referenced tables first. One table at a time, to hold little."""
    from django.db import connection, models

    for model in _dependency_order(list(marks)):
        opts = model._meta
        fields = opts.concrete_fields
        cols = [f.column for f in fields]
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(map(q, cols))} FROM {q(opts.db_table)} WHERE {q(opts.pk.column)} > %s "
                f"ORDER BY {q(opts.pk.column)}",
                [marks[model]],
            )
            rows = cursor.fetchall()
        if not rows:
            continue
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            json_at = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
            if json_at:
                rows = [tuple(Jsonb(v) if i in json_at and v is not None else v for i, v in enumerate(r))
                        for r in rows]
        yield opts.db_table, cols, rows


def limit_measure(copy_settings: dict, tables) -> tuple[float, int, int]:
    """Insert `tables` into the copy in one transaction: one prepared INSERT
    per table through executemany, the fastest plain method through a Django
    connection on both databases (on PostgreSQL, with Django's client-side
    binding, multi-row INSERT … VALUES as bulk_create sends them took 2.5 s
    against executemany's 1.8 s for 50,000 events). Only the inserts and the
    commit are timed. Returns (seconds, rows, tables)."""
    from django.db import connections, transaction

    connections.settings["limit"] = copy_settings
    conn = connections["limit"]
    conn.ensure_connection()
    q = conn.ops.quote_name
    took, n_rows, n_tables = 0.0, 0, 0
    with transaction.atomic(using="limit"):
        with conn.cursor() as cursor:
            for table, cols, rows in tables:  # read (untimed) as they are needed
                sql = f"INSERT INTO {q(table)} ({', '.join(map(q, cols))}) VALUES ({', '.join(['%s'] * len(cols))})"
                t = time.perf_counter()
                cursor.executemany(sql, rows)
                took += time.perf_counter() - t
                n_rows += len(rows)
                n_tables += 1
        t = time.perf_counter()
    took += time.perf_counter() - t  # the commit
    conn.close()
    return took, n_rows, n_tables


# ---------------------------------------------------------------- the benchmark


def _say(text: str) -> None:
    print(text, flush=True)


def bench_pipeline(*, cases: int, seed: int, batch: int) -> int:
    scratch = Scratch()
    # A `kill` stops it as Ctrl-C does: the simulator stopped, the throwaway
    # databases and home removed (by default SIGTERM ends the process at once).
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _run(scratch, cases=cases, seed=seed, batch=batch)
    finally:
        signal.signal(signal.SIGTERM, previous)
        scratch.close()


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


def _run(scratch: Scratch, *, cases: int, seed: int, batch: int) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    # The robot keeps to a request rate toward the real network (2,000 a
    # second by default: 250 cases a second, eight asset kinds each). The
    # simulator has no such quota, so the benchmark measures the pipeline
    # itself unless INQUIRY_RATE_LIMIT is set.
    os.environ.setdefault("INQUIRY_RATE_LIMIT", "1e9")
    django.setup()
    import logging

    logging.getLogger("zhixing").setLevel(logging.WARNING)  # a line per batch is ours to print
    from django.core.management import call_command
    from django.utils import timezone

    from zhixing.cases.models import EnforcementCase
    from zhixing.courts.models import Court, Officer
    from zhixing.demo.court import demo_court_create
    from zhixing.intake.parsing import parse_application

    n = cases
    _say(f"数据库：{scratch.vendor} {scratch.name}（临时，结束后删除）")
    rate = float(os.environ["INQUIRY_RATE_LIMIT"])
    _say("查控限速：" + (f"每秒 {rate:g} 项（INQUIRY_RATE_LIMIT）" if rate < 1e9 else "不限（模拟服务零延迟；设 INQUIRY_RATE_LIMIT 可限速）"))
    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    demo_court_create()
    copy_settings = scratch.copy_for_limit()
    court = Court.objects.get(code="鄂0105")
    centre = Officer.objects.select_related("court").get(user__username="centre")
    today = timezone.localdate()
    applications = []
    for body in synthetic_bodies(n, seed):
        application, errors = parse_application(body, today=today)
        if errors:
            raise RuntimeError(f"合成的申请无效：{errors}")
        applications.append(application)
    marks = marks_take()
    _say(f"准备：迁移、演示法院、{n} 件合成申请，{time.perf_counter() - t:.1f} 秒（不计时）")

    server, provider = _start_simulator()
    try:
        took = _stages_run(court=court, centre=centre, applications=applications, batch=batch, provider=provider)
    finally:
        server.shutdown()
        server.server_close()
    total = took["total"]

    in_db = EnforcementCase.objects.filter(state="dispatched").count()
    insert_seconds, row_count, table_count = limit_measure(copy_settings, rows_written(marks))

    x = n / total
    y = n / insert_seconds
    ratio = x / y
    _say(f"各步用时（秒）：立案 {took['filing']:.1f} · 查控发送 {took['ask']:.1f} · 查控答复 {took['hear']:.1f} · "
         f"分流 {took['triage']:.1f} · 分派 {took['dispatch']:.1f}，各在自己的进程中并行；全程 {total:.1f}"
         f"（机器人 {took['ask_passes']}/{took['hear_passes']}/{took['assign_passes']} 遍；"
         f"本机 {os.cpu_count()} 核，1 分钟平均负载 {os.getloadavg()[0]:.1f}）")
    _say(f"极限：同一数据库以 executemany 批量插入流水线写入的同样 {row_count} 行（{table_count} 张表，"
         f"每件约 {row_count / n:.1f} 行），用时 {insert_seconds:.1f} 秒；limit 以每秒插入的案件数（整件的行）计")
    _say(f"已分派 {in_db}/{n} 件（数据库中的状态）")
    failed = []
    if in_db != n:
        failed.append(f"只有 {in_db}/{n} 件已分派")
    if ratio < RATIO_AIM:
        failed.append(f"比值 {ratio:.2f} 低于 1/3")
    if n >= SECONDS_AIM_FROM and total > SECONDS_AIM:
        failed.append(f"{n} 件用时 {total:.0f} 秒，超过 {SECONDS_AIM:.0f} 秒")
    _say("未达标：" + "；".join(failed) if failed else "达标")
    _say(f"pipeline {x:.0f} cases/s · limit {y:.0f} rows/s · ratio {ratio:.2f}")
    return 1 if failed else 0


def cmd_bench(args) -> int:
    if args.cases < 1 or args.batch < 1:
        print("--cases 与 --batch 须为正整数", file=sys.stderr)
        return 2
    return bench_pipeline(cases=args.cases, seed=args.seed, batch=args.batch)
