"""`zhixing inquiry-sim`: its arguments. (The server it runs is `serve`,
tested over HTTP in test_http_provider.)"""

import pytest

from zhixing.cli import build_parser, cmd_inquiry_sim


def test_inquiry_sim_has_working_defaults():
    args = build_parser().parse_args(["inquiry-sim"])
    assert (args.host, args.port, args.delay, args.fail_rate) == ("127.0.0.1", 8765, 0.0, 0.0)
    assert args.func is cmd_inquiry_sim


def test_inquiry_sim_takes_host_port_delay_and_fail_rate():
    args = build_parser().parse_args(
        ["inquiry-sim", "--host", "0.0.0.0", "--port", "9000", "--delay", "2.5", "--fail-rate", "0.2"])
    assert (args.host, args.port, args.delay, args.fail_rate) == ("0.0.0.0", 9000, 2.5, 0.2)


@pytest.mark.parametrize("argv, message", [
    (["--fail-rate", "1.5"], "应在 0 到 1 之间：1.5"),
    (["--fail-rate", "-0.1"], "不能为负数：-0.1"),
    (["--delay", "-1"], "不能为负数：-1"),
    (["--delay", "soon"], "不是数字：soon"),
    (["--delay", "nan"], "不能为负数：nan"),
])
def test_inquiry_sim_refuses_impossible_values(capsys, argv, message):
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["inquiry-sim", *argv])
    assert refused.value.code == 2
    assert message in capsys.readouterr().err
