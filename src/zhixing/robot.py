"""The robot's schedule (机器人法官助理): which service runs when. One file.

`zhixing up` runs the huey consumer beside the web server. A filing wakes the
robot at once (ROBOT_KICK); the periodic task is the sweep that catches
anything a kick missed, around the clock. The consumer runs one worker, so
passes never overlap; the services claim cases by state under row locks, so
a second consumer would be safe too.

Network inquiries answer later than they are asked: while requests are in
flight the robot comes back by itself after INQUIRY_POLL_SECONDS (a follow-up
pass), and when the consumer starts (again, after a crash) it runs a pass at
once, so unfinished work resumes without waiting for the minute's sweep."""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

log = logging.getLogger(__name__)

_followup = {"at": None}  # when the follow-up pass already scheduled will run (this process)
_followup_lock = threading.Lock()


def run_pass():
    from zhixing.centre.services import robot_pass

    report = robot_pass(now=timezone.now())
    if report.busy:
        log.info("机器人：%s", report)
    return report


def follow_up() -> float | None:
    """Schedule one more pass if requests are in flight or soon due; returns the
    delay in seconds (None: nothing to wait for). At most one is scheduled."""
    from zhixing.inquiry.services import requests_pending

    pending = requests_pending()
    now = timezone.now()
    poll = settings.INQUIRY_POLL_SECONDS
    if pending["sent"]:
        delay = poll
    elif pending["next_due"] is not None and pending["next_due"] - now < timedelta(seconds=60):
        delay = max(poll, (pending["next_due"] - now).total_seconds())
    else:
        return None  # the minute's sweep will do
    with _followup_lock:
        at = now + timedelta(seconds=delay)
        if _followup["at"] is not None and _followup["at"] > now:
            return None
        _followup["at"] = at
    robot_task.schedule(delay=delay)
    return delay


@db_task()
def robot_task():
    try:
        return run_pass()
    finally:
        follow_up()


@db_periodic_task(crontab(minute="*"))
def robot_sweep():
    try:
        return run_pass()
    finally:
        follow_up()


@HUEY.on_startup()
def resume():
    """After a start or a crash: a pass now, not at the next minute."""
    robot_task()


def robot_kick():
    """Ask the consumer for a pass now (called on commit of a filing)."""
    robot_task()


__all__ = ["HUEY", "robot_kick", "robot_sweep", "robot_task", "run_pass"]


# 每日提醒 at 7:30 Asia/Shanghai. huey reads crontabs in UTC (its default
# utc=True), so 23:30 UTC the evening before; Shanghai keeps no summer time.
@db_periodic_task(crontab(hour="23", minute="30"))
def daily_digest():
    from zhixing.tasks.digest import digests_send

    today = timezone.localdate()
    sent = digests_send(today=today)
    log.info("每日提醒：%s生成%d份", today.isoformat(), len(sent))
    return sent


# 银行对账 for yesterday at 7:45 Asia/Shanghai (23:45 UTC), after the night's
# statements. Nothing is stored: the result is logged, and anyone can open
# /funds/reconcile/ or run `zhixing reconcile` for any day.
@db_periodic_task(crontab(hour="23", minute="45"))
def daily_reconcile():
    from zhixing.courts.models import Court
    from zhixing.funds.reconcile import reconcile, summary_lines

    day = timezone.localdate() - timedelta(days=1)
    results = []
    for court in Court.objects.order_by("id"):
        rec = reconcile(court=court, on=day)
        (log.info if rec.balanced else log.warning)("\n".join(summary_lines(rec)))
        results.append((court.code, rec.balanced))
    return results
