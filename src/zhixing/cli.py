"""`zhixing …`: the commands a court's administrator and a newcomer use.

    zhixing up [--port N] [--no-demo]   migrate, load the demo once, serve and run the robot
    zhixing robot [--once]              the robot: huey consumer, or one pass in the foreground
    zhixing import FILE.xlsx            file every row of an Excel sheet, or none
    zhixing token create USERNAME       print a new API token for an officer
    zhixing demo [--seed N]             load the demo court and its year of history
    zhixing inquiry-sim [--port 8765]   the simulated inquiry network as an HTTP server
    zhixing manage ARGS…                any Django management command
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path


def _prepare_home() -> None:
    """The embedded default keeps its database, queue and key under ./var."""
    home = Path(os.environ.get("ZHIXING_HOME", Path.cwd() / "var")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    key = home / "secret_key"
    if not os.environ.get("SECRET_KEY") and not key.exists():
        key.write_text(secrets.token_urlsafe(50))
        key.chmod(0o600)
    os.environ.setdefault("ZHIXING_HOME", str(home))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")


def _django() -> None:
    _prepare_home()
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_up(args) -> int:
    _django()
    from django.conf import settings

    from zhixing.courts.models import Court

    print(f"数据库：{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} {settings.DATABASES['default']['NAME']}")
    print("迁移数据库……", flush=True)
    _migrate()
    if not args.no_demo and not Court.objects.exists():
        from zhixing.demo.loader import demo_load

        demo_load(seed=args.seed, progress=True)
    if Court.objects.exists():
        from zhixing.demo.loader import print_logins

        print_logins()
    else:
        print("未加载演示数据。只建演示法院与干警（不含历史案件）：uv run zhixing demo --days 0")
    env = dict(os.environ, ROBOT_KICK="1")
    # Children run in their own process groups: only this supervisor hears
    # Ctrl-C, and it stops each child once, then kills what is left.
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "zhixing.wsgi:application", "--bind", f"{args.host}:{args.port}",
         "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--log-level", "warning"],
        env=env, start_new_session=True,
    )
    robot = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "robot"], env=env, start_new_session=True)
    return _supervise([(web, signal.SIGTERM), (robot, signal.SIGINT)], f"http://{args.host}:{args.port}/")


def _supervise(children: list[tuple[subprocess.Popen, int]], url: str) -> int:
    """Wait until Ctrl-C, SIGTERM or a child's exit; then stop every child."""
    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)

    # A shell starts background jobs with SIGINT ignored: listen to it anyway.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"执行 Zhixing 已启动：{url} （Ctrl-C 停止）", flush=True)
    code = 0
    while not stopping:
        if any(child.poll() is not None for child, _ in children):
            print("一个子进程意外退出，正在停止其余进程……", file=sys.stderr, flush=True)
            code = 1
            break
        time.sleep(0.2)
    else:
        print("\n正在停止……", flush=True)
    for child, how in children:
        if child.poll() is None:
            child.send_signal(how)
    deadline = time.monotonic() + 10
    for child, _ in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(child.pid, signal.SIGKILL)  # workers the child left behind
        except ProcessLookupError:
            pass
    print("已停止。", flush=True)
    return code


def cmd_robot(args) -> int:
    _django()
    if args.once:
        from zhixing.robot import run_pass

        print(f"机器人：{run_pass()}")
        return 0
    from django.core.management import call_command

    import zhixing.robot  # noqa: F401  registers the robot's tasks with the consumer

    call_command("run_huey", workers=1, worker_type="thread", flush_locks=True)
    return 0


def cmd_import(args) -> int:
    _django()
    from zhixing.intake.xlsx import import_cli

    return import_cli(Path(args.file), username=args.user)


def cmd_token(args) -> int:
    _django()
    from zhixing.courts.services import token_create

    try:
        print(token_create(username=args.username))
    except LookupError as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


def cmd_demo(args) -> int:
    _django()
    _migrate()
    from zhixing.demo.loader import demo_load, print_logins

    demo_load(seed=args.seed, days=args.days, progress=True)
    print_logins()
    return 0


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是数字：{text}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"不能为负数：{text}")
    return value


def _rate(text: str) -> float:
    value = _non_negative(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"应在 0 到 1 之间：{text}")
    return value


def cmd_inquiry_sim(args) -> int:
    """No Django: the simulator stands in for the outside network."""
    import logging

    from zhixing.inquiry.http import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = serve(args.host, args.port, delay=args.delay, fail_rate=args.fail_rate)
    print(f"网络查控模拟服务已启动：{server.url}/v1/inquiries （延迟{args.delay:g}秒，失败率{args.fail_rate:g}；"
          f"Ctrl-C 停止）\n在系统中使用：INQUIRY_URL={server.url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\n正在停止……")
    finally:
        server.server_close()
    return 0


def cmd_manage(args) -> int:
    _prepare_home()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhixing manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhixing", description="执行 Zhixing：基层法院执行局案件管理系统")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("up", help="启动（SQLite 默认库、演示法院与数据、机器人）")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--no-demo", action="store_true", help="不加载演示数据")
    p.add_argument("--seed", type=int, default=2026)
    p.set_defaults(func=cmd_up)
    p = sub.add_parser("robot", help="机器人法官助理")
    p.add_argument("--once", action="store_true", help="在前台运行一遍后退出")
    p.set_defaults(func=cmd_robot)
    p = sub.add_parser("import", help="从 Excel 批量立案")
    p.add_argument("file")
    p.add_argument("--user", default="centre", help="以哪位干警的名义立案（用户名）")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("token", help="接口令牌")
    tsub = p.add_subparsers(dest="token_command", required=True)
    t = tsub.add_parser("create", help="为干警创建接口令牌")
    t.add_argument("username")
    t.set_defaults(func=cmd_token)
    p = sub.add_parser("demo", help="加载演示法院与一年的历史数据")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--days", type=int, default=365, help="推演的天数（0：只建法院与干警）")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("manage", help="Django 管理命令")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    p = sub.add_parser("inquiry-sim", help="网络查控模拟服务（HTTP）")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--delay", type=_non_negative, default=0.0, metavar="SECONDS", help="每次答复前等待的秒数")
    p.add_argument("--fail-rate", type=_rate, default=0.0, help="失败率（0 到 1）：整批返回 503 或漏报个别被执行人")
    p.set_defaults(func=cmd_inquiry_sim)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
