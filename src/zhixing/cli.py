"""`zhixing …`: the commands a court's administrator and a newcomer use.

    zhixing up [--port N] [--no-demo]   migrate, load the demo once, serve and run the robot
    zhixing robot [--once]              the robot: huey consumer, or one pass in the foreground
    zhixing import FILE.xlsx            file every row of an Excel sheet, or none
    zhixing token create USERNAME       print a new API token for an officer
    zhixing demo [--seed N]             load the demo court and its year of history
    zhixing inquiry-sim [--port 8765 …] the simulated inquiry network as an HTTP server (options: --help)
    zhixing bench pipeline [--cases N]  throughput from filing to dispatch, beside the raw insert rate
    zhixing digest [--date YYYY-MM-DD]  store and send every officer's daily digest (once a day)
    zhixing reconcile [--on YYYY-MM-DD] the day's bank statement against the ledger (exit 1: not balanced)
    zhixing calc fee AMOUNT             the enforcement fee of an amount in yuan (no database)
    zhixing calc due CASE_NUMBER [--on] what a case's debtor owes on a day
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
    children = []
    if not settings.INQUIRY_URL:  # no real link: the simulated network, over HTTP, as another child
        sim_port = _free_port(args.host)
        sim = subprocess.Popen(
            [sys.executable, "-m", "zhixing.cli", "inquiry-sim", "--host", args.host, "--port", str(sim_port),
             "--latency-min", "0.05", "--latency-max", "2"],
            env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        )
        children.append((sim, signal.SIGTERM))
        env["INQUIRY_URL"] = f"http://{args.host}:{sim_port}"
        # Answers are pushed back to the web server too (polling remains the record).
        if not settings.INQUIRY_CALLBACK_URL:
            env["INQUIRY_CALLBACK_URL"] = f"http://{args.host}:{args.port}/api/v1/inquiry/answers"
            env.setdefault("INQUIRY_CALLBACK_TOKEN", secrets.token_urlsafe(32))
        print(f"网络查控模拟服务：{env['INQUIRY_URL']}", flush=True)
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "zhixing.wsgi:application", "--bind", f"{args.host}:{args.port}",
         "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--log-level", "warning"],
        env=env, start_new_session=True,
    )
    robot = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "robot"], env=env, start_new_session=True)
    return _supervise([(web, signal.SIGTERM), (robot, signal.SIGINT), *children], f"http://{args.host}:{args.port}/")


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


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
    from zhixing.inquiry.network import SimSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = SimSettings(
        latency_min=args.latency_min, latency_max=max(args.latency_max, args.latency_min),
        fail_rate=args.fail_rate, timeout_rate=args.timeout_rate, duplicate_rate=args.duplicate_rate,
        late_rate=args.late_rate, late_delay=args.late_delay, hang=args.hang, down=dict(args.down), seed=args.seed,
    )
    server = serve(args.host, args.port, settings=settings)
    down = "，".join(f"{k}{'停机' if v is None else f'停机{v:g}秒'}" for k, v in settings.down.items())
    print(f"网络查控模拟服务已启动：{server.url}/v1/batches （延迟{settings.latency_min:g}～{settings.latency_max:g}秒，"
          f"失败率{args.fail_rate:g}，超时率{args.timeout_rate:g}，重复率{args.duplicate_rate:g}，"
          f"迟到率{args.late_rate:g}{'，' + down if down else ''}；Ctrl-C 停止）\n"
          f"在系统中使用：INQUIRY_URL={server.url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\n正在停止……")
    finally:
        server.stopping.set()
        server.server_close()
    return 0


def _down(text: str) -> tuple[str, float | None]:
    from zhixing.inquiry.network import parse_down

    try:
        return parse_down(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def cmd_bench(args) -> int:
    """Sets up its own throwaway home and database before Django starts."""
    from zhixing.bench import cmd_bench as bench

    return bench(args)


def cmd_digest(args) -> int:
    _django()
    from django.utils import timezone

    from zhixing.tasks.digest import digests_send

    day = args.date or timezone.localdate()
    sent = digests_send(today=day)
    print(f"每日提醒：{day.isoformat()}生成{len(sent)}份，发送邮件{sum(1 for d in sent if d.emailed_to)}封")
    return 0


def cmd_reconcile(args) -> int:
    _django()
    from django.utils import timezone

    from zhixing.courts.models import Court
    from zhixing.funds.reconcile import reconcile, summary_lines

    on = args.on or timezone.localdate()
    courts = Court.objects.order_by("id")
    if args.court:
        courts = courts.filter(code=args.court)
    if not courts.exists():
        print(f"没有代码为“{args.court}”的法院" if args.court else "尚无法院", file=sys.stderr)
        return 1
    balanced = True
    for court in courts:
        rec = reconcile(court=court, on=on)
        print("\n".join(summary_lines(rec)))
        balanced = balanced and rec.balanced
    return 0 if balanced else 1


def cmd_calc_fee(args) -> int:
    """The desk calculator: pure rules, no database."""
    from zhixing.rules import RuleError
    from zhixing.rules.fees import enforcement_fee
    from zhixing.rules.money import format_yuan, parse_yuan

    try:
        amount = parse_yuan(args.amount)
    except (RuleError, TypeError) as e:
        print(f"执行金额：{e}", file=sys.stderr)
        return 2
    print(f"申请执行费 {format_yuan(enforcement_fee(amount))} 元")
    return 0


def cmd_calc_due(args) -> int:
    _django()
    from django.utils import timezone

    from zhixing.cases.models import EnforcementCase
    from zhixing.funds.due import case_due
    from zhixing.rules import RuleError
    from zhixing.rules.money import format_yuan

    cases = list(EnforcementCase.objects.filter(case_number=args.case_number.strip())[:2])
    if len(cases) != 1:
        print(f"没有案号为“{args.case_number}”的案件" if not cases else f"案号“{args.case_number}”对应多件案件",
              file=sys.stderr)
        return 1
    on = args.on or timezone.localdate()
    try:
        s = case_due(cases[0], on)
    except RuleError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"{cases[0].case_number} 截至{on.isoformat()}应付金额")
    for label, fen in (("本金", s.principal), ("一般债务利息", s.interest), ("加倍部分债务利息", s.doubled_interest),
                       ("申请执行费", s.fee), ("已付", s.paid), ("合计尚欠", s.total)):
        print(f"{label} {format_yuan(fen)} 元")
    for r in s.reasons:
        print(f"· {r}")
    return 0


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


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
    p = sub.add_parser("digest", help="生成并发送每日提醒（每人每天一份）")
    p.add_argument("--date", type=_day, default=None, help="日期（默认今天）")
    p.set_defaults(func=cmd_digest)
    p = sub.add_parser("reconcile", help="银行对账：当日银行流水与案款账务逐笔核对")
    p.add_argument("--on", type=_day, default=None, help="对账日期（默认今天）")
    p.add_argument("--court", default="", help="法院代码（默认全部法院）")
    p.set_defaults(func=cmd_reconcile)
    p = sub.add_parser("calc", help="计算器：申请执行费、应付金额")
    csub = p.add_subparsers(dest="calc_command", required=True)
    c = csub.add_parser("fee", help="按诉讼费用交纳办法第十四条计算申请执行费（金额以元计，如 123456.78）")
    c.add_argument("amount")
    c.set_defaults(func=cmd_calc_fee)
    c = csub.add_parser("due", help="案件截至某日的应付金额（本金、利息、加倍部分债务利息、执行费）")
    c.add_argument("case_number")
    c.add_argument("--on", type=_day, default=None, help="计算日期（默认今天）")
    c.set_defaults(func=cmd_calc_due)
    p = sub.add_parser("manage", help="Django 管理命令")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    p = sub.add_parser("inquiry-sim", help="网络查控模拟服务（HTTP）")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--latency-min", type=_non_negative, default=0.0, metavar="SECONDS", help="答复延迟下限（秒）")
    p.add_argument("--latency-max", type=_non_negative, default=0.0, metavar="SECONDS",
                   help="答复延迟上限（秒）；延迟在上下限之间按对数均匀分布（毫秒到分钟）")
    p.add_argument("--fail-rate", type=_rate, default=0.0, help="答复“查询失败，稍后重试”的比例（0 到 1）")
    p.add_argument("--timeout-rate", type=_rate, default=0.0, help="受理后迟迟不回应（客户端超时）的批次比例")
    p.add_argument("--hang", type=_non_negative, default=30.0, metavar="SECONDS", help="超时批次拖延回应的秒数")
    p.add_argument("--duplicate-rate", type=_rate, default=0.0, help="同一答复送达两次的比例")
    p.add_argument("--late-rate", type=_rate, default=0.0, help="答复迟到（客户端已重发之后才到）的比例")
    p.add_argument("--late-delay", type=_non_negative, default=120.0, metavar="SECONDS", help="迟到答复的延迟秒数")
    p.add_argument("--down", type=_down, action="append", default=[], metavar="KIND[:SECONDS]",
                   help="某类协助单位停机（启动后若干秒；不写秒数为一直停机），可重复，如 --down deposit:60")
    p.add_argument("--seed", type=int, default=0, help="随机种子：同一种子同样的表现")
    p.set_defaults(func=cmd_inquiry_sim)
    p = sub.add_parser("bench", help="性能基准（临时数据库，不触及真实数据）")
    bsub = p.add_subparsers(dest="bench_command", required=True)
    b = bsub.add_parser("pipeline", help="立案→查控→分流→分派的吞吐量，与同库批量插入的极限相比")
    b.add_argument("--cases", type=int, default=5000, help="合成案件数")
    b.add_argument("--seed", type=int, default=2026)
    b.add_argument("--batch", type=int, default=5000, help="每批立案件数，也是机器人每步的上限")
    b.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
