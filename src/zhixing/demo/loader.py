"""`zhixing demo`: the demo court and a year of its history.

The history is not written into tables: it is lived. A simulated clock walks
through the past `days` days ending yesterday, and on each working day the
real services run as the bureau would run them: the command centre files the
day's applications in one batch (cases_file), the robot inquires, triages and
dispatches (robot_pass), and the teams record their legal steps, receive
money and close cases (cases_record_step, funds_receive, inquiries_rerun,
cases_close), and record the periods the time limit does not count
(cases_period_start, cases_period_end), each call a batch of every case that
has the same thing happen that day. So the events, milestones, ledger and measures are exactly
what the system would have produced, and every guard was passed.

The whole load is one transaction: interrupted, it leaves nothing behind,
and the next run starts cleanly. On a database that already holds the demo
court it does nothing. One `random.Random(seed)` drives every draw, so a seed
always gives the same cases, amounts and parties.
"""

from __future__ import annotations

import logging
import random
import time
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from zhixing.cases.models import EnforcementCase, Milestone
from zhixing.cases.periods import cases_period_end, cases_period_start
from zhixing.cases.services import TransitionRefused, cases_close, cases_file, cases_record_step
from zhixing.centre.services import robot_pass
from zhixing.courts.models import Court, Officer
from zhixing.courts.services import court_calendar
from zhixing.demo.court import DEMO_OFFICERS, DEMO_PASSWORD, demo_absences_create, demo_court_create
from zhixing.demo.funds import demo_funds_create, statement_csv
from zhixing.demo.filings import Filings
from zhixing.demo.history import Holdings, Task, plan_case
from zhixing.funds.services import Receipt, funds_receive
from zhixing.funds.statement_services import statements_import
from zhixing.inquiry.http import HttpProvider, serve_in_thread
from zhixing.inquiry.providers import DebtorRef, SimulatedProvider, simulated_assets
from zhixing.inquiry.services import inquiries_rerun
from zhixing.rules.money import yuan_str

log = logging.getLogger(__name__)

DEMO_COURT_CODE = "鄂0105"
# Order of the day's work after the robot's 10:00 pass.
STEP_ORDER = (
    "notice_sent",
    "leads_requested",
    "restriction_ordered",
    "investigation_finished",
    "creditor_interviewed",
)
# Steps the command centre does for every team at once (集约送达, 批量限制消费), by username;
# the handler records the others.
CENTRE_STEPS = {
    "notice_sent": "centre",
    "leads_requested": "centre",
    "restriction_ordered": "centre2",
}
CASE_FIELDS = ("id", "court_id", "case_number", "state", "version", "amount_claimed", "filed_on")


def demo_load(
    *, seed: int = 2026, progress: bool = False, days: int = 365, today: date | None = None
) -> Court:
    """Create the demo court and live through its last `days` days (ending yesterday)."""
    existing = Court.objects.filter(code=DEMO_COURT_CODE).first()
    if existing is not None:
        if progress:
            print("演示法院已存在，不再重复加载演示数据。", flush=True)
        return existing
    today = today or timezone.localdate()
    quiet = logging.getLogger("zhixing")  # a line per filing batch would drown the progress lines
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    # The simulated network over a real HTTP connection, in a thread, answering at once.
    network = serve_in_thread()
    try:
        with override_settings(ROBOT_KICK=False, INQUIRY_RATE_LIMIT=1e9), transaction.atomic():
            court = demo_court_create()
            demo_absences_create(court, today)
            history = History(
                court,
                seed=seed,
                start=today - timedelta(days=days),
                end=today - timedelta(days=1),
                progress=progress,
            )
            history.provider = HttpProvider(network.url, timeout=60, batch_size=2000)
            history.run()
            demo_funds_create(court, today, timezone.get_current_timezone())
    finally:
        quiet.setLevel(level)
        network.shutdown()
        network.server_close()
    return court


class History:
    """The simulated clock and the bureau's day, driving the services."""

    def __init__(self, court: Court, *, seed: int, start: date, end: date, progress: bool):
        self.court, self.start, self.end, self.progress = court, start, end, progress
        self.rng = random.Random(seed)
        self.filings = Filings(self.rng)
        self.provider = SimulatedProvider()
        self.calendar = court_calendar(court)
        self.tz = timezone.get_current_timezone()
        officers = list(Officer.objects.filter(court=court).select_related("user").order_by("id"))
        self.officers = {o.id: o for o in officers}
        self.by_username = {o.user.username: o for o in officers}
        self.centre = self.by_username["centre"]  # files every application
        self.finance = self.by_username["finance"]  # books the money that reaches the case account
        self.agenda: dict[date, list[tuple[int, Task]]] = defaultdict(list)
        self.cursor = start  # the first agenda day not yet worked
        self.handler_of: dict[int, int | None] = {}
        self.filed = self.closed = self.refused = self.receipts = 0
        self.began = time.monotonic()

    def at(self, d: date, hour: int, minute: int | None = None) -> datetime:
        minute = self.rng.randint(0, 59) if minute is None else minute
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=self.tz)

    def run(self) -> None:
        d = self.start
        while d <= self.end:
            if self.calendar.is_working_day(d):
                self.day(d)
            if self.progress and (d == self.end or (d + timedelta(days=1)).month != d.month):
                print(
                    f"演示数据：{d.year}年{d.month}月 已立案 {self.filed} 件，结案 {self.closed} 件，"
                    f"在办 {self.filed - self.closed} 件（用时 {time.monotonic() - self.began:.0f} 秒）",
                    flush=True,
                )
            d += timedelta(days=1)
        if self.progress:
            self.summary()

    def day(self, d: date) -> None:
        applications = self.filings.day(d)
        cases = cases_file(
            court=self.court,
            actor=self.centre,
            applications=applications,
            now=self.at(d, 9, self.rng.randint(0, 40)),
        )
        self.filed += len(cases)
        robot_pass(now=self.at(d, 10, 0), provider=self.provider)
        self.plan(d, cases, applications)
        tasks: list[tuple[int, Task]] = []
        while self.cursor <= d:
            tasks.extend(self.agenda.pop(self.cursor, ()))
            self.cursor += timedelta(days=1)
        if tasks:
            self.work(d, tasks)

    def plan(self, d: date, cases, applications) -> None:
        """Give each case the robot dispatched today its plan (history.plan_case)."""
        rows = {
            row[0]: row[1:]
            for row in EnforcementCase.objects.filter(id__in=[c.id for c in cases]).values_list(
                "id", "state", "team__kind", "handler_id"
            )
        }
        for case, app in zip(cases, applications):
            state, team, handler = rows[case.id]
            if state != "dispatched":
                log.warning("demo: %s not dispatched (%s)", case.case_number, state)
                continue
            self.handler_of[case.id] = handler
            assets = [
                a
                for p in app.debtors
                for a in simulated_assets(DebtorRef(p.id_code, p.name, p.kind))
            ]
            holdings = Holdings.of(assets)
            for task in plan_case(
                self.rng,
                team=team,
                type_code=app.type_code,
                claim=app.amount_claimed,
                holdings=holdings,
            ):
                self.agenda[d + timedelta(days=task.offset)].append((case.id, task))

    def work(self, d: date, tasks: list[tuple[int, Task]]) -> None:
        """Today's work, in batches: re-inquiries, steps, periods, money, closings."""
        ids = list(dict.fromkeys(cid for cid, _ in tasks))
        cases = EnforcementCase.objects.only(*CASE_FIELDS).in_bulk(ids)
        tasks = [(cid, t) for cid, t in tasks if cases[cid].state == "dispatched"]
        reruns = [cases[cid] for cid, t in tasks if t.kind == "rerun"]
        if reruns:
            inquiries_rerun(cases=reruns, provider=self.provider, now=self.at(d, 10, 30))
        self.record_steps(d, [(cases[cid], t) for cid, t in tasks if t.kind == "step"])
        self.periods(d, [(cases[cid], t) for cid, t in tasks if t.kind.startswith("period_")])
        self.receive(d, [(cases[cid], t) for cid, t in tasks if t.kind == "receive"])
        closes = defaultdict(list)
        for cid, t in tasks:
            if t.kind == "close":
                closes[(t.mode, t.note, self.handler_of[cid])].append(cases[cid])
        for (mode, note, actor), group in closes.items():
            self.close(
                group, mode=mode, note=note, actor=self.officers.get(actor), now=self.at(d, 16)
            )

    def record_steps(self, d: date, tasks) -> None:
        """One cases_record_step per step and officer: the centre's in one batch each."""
        steps = defaultdict(list)
        for case, t in tasks:
            centre = self.by_username.get(CENTRE_STEPS.get(t.step, ""))
            actor = centre.id if centre else self.handler_of[case.id]
            steps[(STEP_ORDER.index(t.step), actor or 0)].append(case)
        for (i, actor), group in sorted(steps.items()):
            step = STEP_ORDER[i]
            cases_record_step(
                cases=group, step=step, actor=self.officers.get(actor), now=self.at(d, 11 + i)
            )

    def periods(self, d: date, tasks) -> None:
        """Periods begun, then periods ended: one call per kind and handler."""
        groups = defaultdict(list)
        for case, t in tasks:
            groups[(t.kind != "period_start", t.period, self.handler_of[case.id] or 0)].append(case)
        for (ending, kind, actor), group in sorted(groups.items()):
            service = cases_period_end if ending else cases_period_start
            outcome = service(
                cases=group, kind=kind, actor=self.officers.get(actor), now=self.at(d, 15)
            )
            for case_id, why in outcome.skipped.items():  # a plan out of order
                log.warning("demo: case %s %s %s skipped: %s", case_id, kind, service.__name__, why)

    def receive(self, d: date, tasks) -> None:
        """Money to the court arrives on the custody account and is booked from
        the day's bank statement, which finance imports (matched by the case
        number in the remark); direct payments are recorded by the handler."""
        direct = defaultdict(list)
        rows = []
        for case, t in tasks:
            self.receipts += 1
            if t.direct:
                reference = f"ZJ{d:%Y%m%d}{self.receipts:06d}"
                direct[self.handler_of[case.id]].append(Receipt(case, t.amount, direct=True, reference=reference))
                continue
            rows.append(
                [
                    f"{d:%Y-%m-%d} {9 + len(rows) % 4:02d}:{len(rows) % 60:02d}:00",
                    f"KH{d:%Y%m%d}{self.receipts:06d}",
                    yuan_str(t.amount),
                    "",
                    "",
                    "被执行人",
                    "",
                    "",
                    f"执行款 {case.case_number}",
                ]
            )
        if rows:
            statements_import(
                court=self.court,
                officer=self.finance,
                file_name=f"案款专户对账单{d:%Y%m%d}.csv",
                data=statement_csv(rows),
                mapping=None,
                now=self.at(d, 14),
            )
        for actor, group in direct.items():
            funds_receive(receipts=group, actor=self.officers.get(actor), now=self.at(d, 14))

    def close(self, cases, *, mode: str, note: str, actor: Officer | None, now: datetime) -> None:
        """cases_close; a case its guard refuses stays open and is counted."""
        try:
            done = cases_close(cases=cases, mode=mode, actor=actor, now=now, note=note)
        except TransitionRefused as refusal:
            refused = set(refusal.decisions)
            self.refused += len(refused)
            for case in cases:
                if case.id in refused:
                    log.warning(
                        "demo: %s %s refused: %s",
                        case.case_number,
                        mode,
                        refusal.decisions[case.id].explain(),
                    )
            rest = [c for c in cases if c.id not in refused]
            done = (
                cases_close(cases=rest, mode=mode, actor=actor, now=now, note=note) if rest else []
            )
        self.closed += len(done)

    def summary(self) -> None:
        from zhixing.stats.measures import measures_for

        m = measures_for(court=self.court, start=self.start, end=self.end)
        overdue = (
            Milestone.objects.filter(
                court=self.court, done_on__isnull=True, due_on__lt=self.end + timedelta(days=1)
            )
            .exclude(case__state="closed")
            .count()
        )
        library = EnforcementCase.objects.filter(
            court=self.court, closing_mode="terminated_round"
        ).count()

        def pct(x):
            return "—" if x is None else f"{x * 100:.1f}%"

        print(
            f"演示数据加载完成：立案 {self.filed} 件，结案 {self.closed} 件（执行完毕 {m.performed} 件，"
            f"终本 {m.terminated_round} 件），终本案件库 {library} 件；执行完毕率 {pct(m.performed_rate)}，"
            f"执行到位率 {pct(m.recovery_rate)}，平均执行天数 {m.mean_days} 天，"
            f"繁简分流快速通道占比 {pct(m.fast_track_share)}；逾期未完成节点 {overdue} 个"
            + (f"；结案被拒 {self.refused} 件" if self.refused else "")
            + f"。用时 {time.monotonic() - self.began:.0f} 秒。",
            flush=True,
        )


# ---------------------------------------------------------------- logins


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def print_logins() -> None:
    """The demo accounts, in Chinese: the two to start with, then the table."""
    officers = {
        o.user.username: o
        for o in Officer.objects.filter(
            user__username__in=[u for u, *_ in DEMO_OFFICERS]
        ).select_related("user", "team")
    }
    if not officers:
        print("未找到演示账号：请使用管理员创建的账号登录。")
        return
    order = ["centre", "director"] + [
        u for u, *_ in DEMO_OFFICERS if u not in ("centre", "director")
    ]
    rows = [("用户名", "姓名", "岗位", "团队")]
    for username in order:
        o = officers.get(username)
        if o is not None:
            rows.append((username, o.name, o.get_role_display(), o.team.name if o.team else "—"))
    widths = [max(_width(r[i]) for r in rows) + 2 for i in range(3)]
    print(f"\n演示账号（密码均为 {DEMO_PASSWORD}）")
    for hint, username in (
        ("指挥中心干警，从这里开始：分流、查控、看板", "centre"),
        ("执行局长：质效指标与全局", "director"),
    ):
        if username in officers:
            print(f"  ★ {_pad(username, 10)}{officers[username].name}　{hint}")
    print()
    for row in rows:
        print("  " + "".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + row[3])
    print(flush=True)


__all__ = ["DEMO_COURT_CODE", "demo_load", "print_logins"]
