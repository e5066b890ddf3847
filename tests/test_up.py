"""`zhixing up` for real: the web server and the robot as separate processes
on a fresh SQLite home. A case filed over HTTP is dispatched within seconds,
because the filing wakes the robot (ROBOT_KICK) instead of waiting for the
minute's sweep. Ctrl-C (SIGINT) stops both processes."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import application_json


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, env):
    return subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True, text=True, timeout=120)


def http(method, url, token=None, body=None):
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read() or b"null")


@pytest.fixture
def home(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ZHIXING_HOME"] = str(tmp_path)
    run(["-m", "zhixing.cli", "manage", "migrate", "-v0"], env)
    run(["-c", "import django; django.setup(); from zhixing.demo.court import demo_court_create; demo_court_create()"],
        {**env, "DJANGO_SETTINGS_MODULE": "zhixing.settings"})
    token = run(["-m", "zhixing.cli", "token", "create", "centre"], env).stdout.strip()
    return env, token


def test_a_case_filed_while_up_is_dispatched_within_ten_seconds(home):
    env, token = home
    port = free_port()
    up = subprocess.Popen(
        [sys.executable, "-m", "zhixing.cli", "up", "--no-demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        status, body = http("POST", base + "/api/v1/cases", token, application_json())
        assert status == 201 and body["state"] == "filed"
        filed = time.monotonic()
        while time.monotonic() - filed < 10:
            _, case = http("GET", f"{base}/api/v1/cases/{body['id']}", token)
            if case["state"] == "dispatched":
                break
            time.sleep(0.25)
        assert case["state"] == "dispatched", case["events"]
        assert case["triage"]["reason"]
        assert [e["kind"] for e in case["events"]][-1] == "dispatched"
    finally:
        os.killpg(up.pid, signal.SIGINT)
        output, _ = up.communicate(timeout=20)
    assert up.returncode == 0, output
    assert "正在停止" in output
