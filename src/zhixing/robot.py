"""The robot's schedule (机器人法官助理): which service runs when. One file.

`zhixing up` runs the huey consumer beside the web server. A filing wakes the
robot at once (ROBOT_KICK); the periodic task is the sweep that catches
anything a kick missed, around the clock. The consumer runs one worker, so
passes never overlap; the services claim cases by state under row locks, so
a second consumer would be safe too."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

log = logging.getLogger(__name__)


def run_pass():
    from zhixing.centre.services import robot_pass

    report = robot_pass(now=timezone.now())
    if report.inquired or report.answered or report.triaged or report.dispatched:
        log.info("机器人：%s", report)
    return report


@db_task()
def robot_task():
    return run_pass()


@db_periodic_task(crontab(minute="*"))
def robot_sweep():
    return run_pass()


def robot_kick():
    """Ask the consumer for a pass now (called on commit of a filing)."""
    robot_task()


__all__ = ["HUEY", "robot_kick", "robot_sweep", "robot_task", "run_pass"]
