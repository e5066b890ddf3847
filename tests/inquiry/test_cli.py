"""`zhixing inquiry-sim`: its arguments, and the server it runs as a process.
(The behaviour is tested in test_network, the protocol in test_http_provider.)"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from zhixing.cli import build_parser, cmd_inquiry_sim


def test_inquiry_sim_has_working_defaults():
    args = build_parser().parse_args(["inquiry-sim"])
    assert (args.host, args.port, args.latency_min, args.latency_max, args.fail_rate) == ("127.0.0.1", 8765, 0, 0, 0)
    assert (args.timeout_rate, args.duplicate_rate, args.late_rate, args.down, args.seed) == (0, 0, 0, [], 0)
    assert args.func is cmd_inquiry_sim


def test_inquiry_sim_takes_every_behaviour():
    args = build_parser().parse_args([
        "inquiry-sim", "--host", "0.0.0.0", "--port", "9000", "--latency-min", "0.01", "--latency-max", "120",
        "--fail-rate", "0.2", "--timeout-rate", "0.05", "--duplicate-rate", "0.1", "--late-rate", "0.1",
        "--late-delay", "300", "--down", "deposit:60", "--down", "vehicle", "--seed", "7"])
    assert (args.host, args.port, args.latency_min, args.latency_max) == ("0.0.0.0", 9000, 0.01, 120)
    assert (args.fail_rate, args.timeout_rate, args.duplicate_rate, args.late_rate) == (0.2, 0.05, 0.1, 0.1)
    assert (args.late_delay, args.down, args.seed) == (300, [("deposit", 60.0), ("vehicle", None)], 7)


@pytest.mark.parametrize("argv, message", [
    (["--fail-rate", "1.5"], "应在 0 到 1 之间：1.5"),
    (["--duplicate-rate", "-0.1"], "不能为负数：-0.1"),
    (["--latency-max", "-1"], "不能为负数：-1"),
    (["--latency-min", "soon"], "不是数字：soon"),
    (["--late-delay", "nan"], "不能为负数：nan"),
    (["--down", "gold:5"], "未知的财产类型：gold"),
])
def test_inquiry_sim_refuses_impossible_values(capsys, argv, message):
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["inquiry-sim", *argv])
    assert refused.value.code == 2
    assert message in capsys.readouterr().err


def test_inquiry_sim_serves_until_stopped(closed_port):
    sim = subprocess.Popen(
        [sys.executable, "-m", "zhixing.cli", "inquiry-sim", "--port", str(closed_port), "--down", "deposit"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{closed_port}/health", timeout=1) as response:
                    assert json.loads(response.read())["status"] == "ok"
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the simulator did not start")
    finally:
        sim.send_signal(signal.SIGTERM)
        output, _ = sim.communicate(timeout=10)
    assert "网络查控模拟服务已启动" in output and "deposit停机" in output
