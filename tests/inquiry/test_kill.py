"""Kill -9 the robot and the simulated network in the middle of a batch,
start them again: every case is inquired exactly once, with no duplicate
event and no duplicate asset. Real processes (`zhixing inquiry-sim`,
`zhixing robot`) on the test database (SQLite or PostgreSQL)."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date

import pytest
from django.db import connection

from tests.conftest import application_json, at, person_id
from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.cases.services import cases_file
from zhixing.inquiry.models import Asset, Inquiry, InquiryRequest
from zhixing.inquiry.providers import ALL_KINDS, DebtorRef, simulated_assets
from zhixing.intake.parsing import parse_application

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 200


def database_url() -> str:
    d = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{d['NAME']}"
    password = f":{d['PASSWORD']}" if d.get("PASSWORD") else ""
    port = f":{d['PORT']}" if d.get("PORT") else ""
    return f"postgresql://{d['USER']}{password}@{d['HOST'] or '127.0.0.1'}{port}/{d['NAME']}"


def start(args, env, log):
    return subprocess.Popen([sys.executable, "-m", "zhixing.cli", *args], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def test_kill_minus_nine_mid_batch_loses_nothing_and_asks_nothing_twice(court, centre, tmp_path, closed_port):
    debtors = [person_id(s, birth=date(1970 + s % 30, 1 + s % 12, 1 + s % 28)) for s in range(CASES)]
    applications = []
    for code in debtors:
        application, errors = parse_application(application_json(debtor_id=code), today=date(2026, 3, 2))
        assert errors == []
        applications.append(application)
    cases = cases_file(court=court, actor=centre, applications=applications, now=at(2026, 3, 2))

    port = closed_port
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        ZHIXING_HOME=str(tmp_path), DATABASE_URL=database_url(), INQUIRY_URL=f"http://127.0.0.1:{port}",
        INQUIRY_RATE_LIMIT="400", INQUIRY_BATCH_SIZE="100", INQUIRY_TIMEOUT="2", INQUIRY_RESEND_AFTER="3",
        INQUIRY_RETRY_BASE="0.3", INQUIRY_RETRY_MAX="1", INQUIRY_MAX_ATTEMPTS="100", INQUIRY_POLL_SECONDS="0.3",
    )
    sim_args = ["inquiry-sim", "--port", str(port), "--latency-min", "0.01", "--latency-max", "1.5",
                "--fail-rate", "0.1", "--duplicate-rate", "0.2", "--late-rate", "0.05", "--late-delay", "4",
                "--timeout-rate", "0.02", "--hang", "3", "--seed", "11"]
    requests = InquiryRequest.objects.all()
    log = open(tmp_path / "processes.log", "w")
    sim = robot = None
    try:
        sim = start(sim_args, env, log)
        robot = start(["robot"], env, log)
        # Mid-batch: some answers in, most requests still to go.
        wait_for(lambda: requests.filter(state="answered").count() >= 200, 30, "the first answers")
        kill(robot)
        kill(sim)
        states = Counter(requests.values_list("state", flat=True))
        assert states["answered"] < CASES * len(ALL_KINDS), states  # it was mid-batch

        sim = start(sim_args, env, log)
        robot = start(["robot"], env, log)
        wait_for(lambda: EnforcementCase.objects.filter(state="dispatched").count() == CASES, 60, "every case dispatched")
    finally:
        for process in (robot, sim):
            if process is not None:
                kill(process)
        log.close()

    ids = [c.id for c in cases]
    assert Counter(Inquiry.objects.filter(case_id__in=ids).values_list("case_id", flat=True)) == Counter(
        {i: 1 for i in ids})
    assert Inquiry.objects.filter(finished_at__isnull=True).count() == 0
    assert requests.count() == CASES * len(ALL_KINDS)
    assert set(requests.values_list("state", flat=True)) == {"answered"}
    events = Counter(CaseEvent.objects.filter(case_id__in=ids).values_list("case_id", "kind"))
    for i in ids:
        for kind in ("filed", "inquiry_started", "inquiry_finished", "triaged", "dispatched"):
            assert events[(i, kind)] == 1, (i, kind, events)
    assert not CaseEvent.objects.filter(kind="inquiry_failed").exists()
    # One set of assets per case: exactly what the network holds for its debtor.
    party = dict(CaseParty.objects.filter(case_id__in=ids, role="debtor").values_list("case_id", "party__id_code"))
    found = Counter(Asset.objects.filter(case_id__in=ids).values_list("case_id", "kind", "holder", "value"))
    expected = Counter(
        (i, a.kind, a.holder, a.value) for i in ids for a in simulated_assets(DebtorRef(party[i], "", "person"))
    )
    assert found == expected
    assert sum(expected.values()) > CASES / 2
