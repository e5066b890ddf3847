"""Benchmark: file N cases in one batch, then one robot pass over all of them.

Run on demand, not in CI:

    uv run python benchmarks/pipeline.py --cases 5000
    DATABASE_URL=postgresql://postgres@127.0.0.1/zhixing_bench uv run python benchmarks/pipeline.py

It uses a throwaway SQLite home (or the PostgreSQL database named, which it
migrates; use an empty one), prints each figure beside the limit it is
compared with, and exits 1 if a limit is broken. Limits are for this
project's 2-core machine."""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

LIMITS = {"file": 30.0, "robot": 60.0}  # seconds for 5,000 cases; scaled linearly


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("ZHIXING_HOME", tempfile.mkdtemp(prefix="zhixing-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from tests.conftest import application_json, person_id
    from zhixing.cases.services import cases_file
    from zhixing.centre.services import robot_pass
    from zhixing.courts.models import Officer
    from zhixing.demo.court import demo_court_create
    from zhixing.intake.parsing import parse_application

    call_command("migrate", verbosity=0)
    court = demo_court_create()
    centre = Officer.objects.get(user__username="centre")
    print(f"准备 {args.cases} 件申请……", flush=True)
    applications = []
    for i in range(args.cases):
        birth = date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        body = application_json(debtor_id=person_id(i, birth=birth), amount=f"{1000 + (i * 7919) % 900000}.00")
        applications.append(parse_application(body, today=timezone.localdate())[0])
    scale = args.cases / 5000
    failed = False
    t = time.perf_counter()
    cases_file(court=court, actor=centre, applications=applications, now=timezone.now())
    took = time.perf_counter() - t
    limit = LIMITS["file"] * scale
    print(f"立案 {args.cases} 件：{took:.1f} 秒（上限 {limit:.0f} 秒）", flush=True)
    failed |= took > limit
    t = time.perf_counter()
    report = robot_pass(now=timezone.now(), limit=args.cases)
    took = time.perf_counter() - t
    limit = LIMITS["robot"] * scale
    print(f"机器人一遍（{report}）：{took:.1f} 秒（上限 {limit:.0f} 秒）", flush=True)
    failed |= took > limit or report.dispatched != args.cases
    print("未达标" if failed else "达标")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
