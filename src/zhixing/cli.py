"""`zhixing …`: the commands a court's administrator and a newcomer use.

    zhixing up [--port N] [--no-demo]   migrate, load the demo once, serve and run the robot
    zhixing robot [--once]              the robot: huey consumer, or one pass in the foreground
    zhixing import FILE.xlsx            file every row of an Excel sheet, or none
    zhixing token create USERNAME       print a new API token for an officer
    zhixing demo [--seed N]             load the demo court and its year of history
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
        print("未加载演示数据。创建管理员：uv run zhixing manage createsuperuser")
    env = dict(os.environ, ROBOT_KICK="1")
    web = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", args.host, "--port", str(args.port),
         "--workers", "1", "--blocking-threads", "8", "--log-level", "warning", "zhixing.wsgi:application"],
        env=env,
    )
    robot = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "robot"], env=env)
    print(f"执行 Zhixing 已启动：http://{args.host}:{args.port}/ （Ctrl-C 停止）", flush=True)
    children = [web, robot]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("一个子进程已退出，正在停止……", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n正在停止……")
        return 0
    finally:
        stop()


def cmd_robot(args) -> int:
    _django()
    if args.once:
        from zhixing.robot import run_pass

        print(f"机器人：{run_pass()}")
        return 0
    from django.core.management import call_command

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

    demo_load(seed=args.seed, progress=True)
    print_logins()
    return 0


def cmd_manage(args) -> int:
    _prepare_home()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhixing manage", *args.rest])
    return 0


def main(argv: list[str] | None = None) -> int:
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
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("manage", help="Django 管理命令")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
