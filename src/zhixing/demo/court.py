"""The demo court: 武汉市汉阳区人民法院 (鄂0105), its command centre, six teams and officers."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhixing.courts.models import Absence, Court, Officer, Team
from zhixing.courts.services import AbsenceInput, absences_record
from zhixing.rules.triage import TEAM_LABELS

DEMO_PASSWORD = "zhixing2026"

# (username, name, role, team kind or None). The simple team is the largest:
# the reform sends more than 60% of cases down the fast tracks.
DEMO_OFFICERS = [
    ("centre", "王敏", "centre", None),
    ("centre2", "周婷", "centre", None),
    ("director", "刘建国", "director", None),
    ("finance", "孙丽", "finance", None),
    ("vice", "马卫东", "vice_president", None),
    ("one_shot1", "张伟", "handler", "one_shot"),
    ("one_shot2", "李娜", "handler", "one_shot"),
    ("one_shot3", "赵磊", "assistant", "one_shot"),
    ("simple1", "陈静", "handler", "simple"),
    ("simple2", "杨洋", "handler", "simple"),
    ("simple3", "黄勇", "handler", "simple"),
    ("simple4", "吴芳", "handler", "simple"),
    ("simple5", "徐强", "clerk", "simple"),
    ("disposal1", "胡军", "handler", "disposal"),
    ("disposal2", "朱琳", "handler", "disposal"),
    ("disposal3", "高峰", "assistant", "disposal"),
    ("implementation1", "林涛", "handler", "implementation"),
    ("implementation2", "何敏", "handler", "implementation"),
    ("implementation3", "郭亮", "handler", "implementation"),
    ("library1", "马超", "handler", "library"),
    ("library2", "罗欣", "handler", "library"),
    ("adjudication1", "梁栋", "handler", "adjudication"),
    ("adjudication2", "宋佳", "handler", "adjudication"),
]


# Team leaders (团队负责人): they carry half a share of cases.
DEMO_LEADERS = {"one_shot1", "simple1", "disposal1", "implementation1", "library1", "adjudication1"}
# What each team says it can carry (open cases): a soft limit dispatch respects.
# Near the demo year's open caseload, so the team pages show who is full.
DEMO_CAPACITY = {
    "one_shot": 60,
    "simple": 900,
    "disposal": 800,
    "implementation": 500,
    "library": 50,
    "adjudication": 30,
}
# (username, days from today to start, days it lasts, reason, note): the demo's absences.
DEMO_ABSENCES = [
    ("simple3", -2, 7, "leave", "年休假"),
    ("disposal2", 0, 3, "training", "全省执行业务培训"),
    ("implementation2", 3, 2, "trip", "赴外地查控财产"),
]


def demo_court_create(*, password: str = DEMO_PASSWORD) -> Court:
    """Create the demo court with its teams and officers (idempotent)."""
    User = get_user_model()
    with transaction.atomic():
        court, _ = Court.objects.get_or_create(
            code="鄂0105", defaults={
                "name": "武汉市汉阳区人民法院",
                "account_prefix": "4201050",
                "funds_settings": {
                    "custody_account": "3202004509100123456",
                    "custody_bank": "中国工商银行武汉汉阳支行",
                },
            }
        )
        teams = {}
        for kind, label in TEAM_LABELS.items():
            teams[kind], _ = Team.objects.get_or_create(
                court=court,
                kind=kind,
                defaults={"name": label, "capacity": DEMO_CAPACITY.get(kind)},
            )
        hashed = None
        for username, name, role, team in DEMO_OFFICERS:
            if Officer.objects.filter(user__username=username).exists():
                continue
            user = User(username=username, first_name=name, is_staff=role == "director")
            if hashed is None:
                user.set_password(password)
                hashed = user.password  # hash once: argon2 is slow on purpose
            user.password = hashed
            user.save()
            leader = username in DEMO_LEADERS
            Officer.objects.create(
                user=user,
                court=court,
                team=teams.get(team),
                role=role,
                name=name,
                is_leader=leader,
                weight=50 if leader else 100,
            )
    return court


def demo_absences_create(court: Court, today: date) -> None:
    """A few absences around `today`, so the team pages show who is away (idempotent)."""
    if Absence.objects.filter(court=court).exists():
        return
    officers = {
        o.user.username: o for o in Officer.objects.filter(court=court).select_related("user")
    }
    absences_record(
        court=court,
        entries=[
            AbsenceInput(
                officers[u],
                today + timedelta(days=start),
                today + timedelta(days=start + days - 1),
                reason,
                note,
            )
            for u, start, days, reason, note in DEMO_ABSENCES
            if u in officers
        ],
        actor=None,
        now=timezone.now(),
    )
