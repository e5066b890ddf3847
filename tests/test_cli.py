"""The commands a court's administrator types: robot --once and token create."""

from django.utils import timezone

from tests.conftest import application_json
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import cases_file
from zhixing.cli import main
from zhixing.courts.models import ApiToken
from zhixing.intake.parsing import parse_application


def test_robot_once_runs_one_pass_in_the_foreground(court, centre, capsys):
    application, _ = parse_application(application_json(), today=timezone.localdate())
    cases_file(court=court, actor=centre, applications=[application], now=timezone.now())
    assert main(["robot", "--once"]) == 0
    assert capsys.readouterr().out.strip() == "机器人：发起查控1件，查控反馈1件，分流1件，分派1件"
    assert EnforcementCase.objects.get().state == "dispatched"


def test_token_create_prints_a_token_and_keeps_only_its_hash(court, capsys):
    assert main(["token", "create", "centre"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("zx_")
    row = ApiToken.objects.get()
    assert row.digest == ApiToken.hash(token) and token not in row.digest


def test_token_create_for_an_unknown_user_says_so(court, capsys):
    assert main(["token", "create", "nobody"]) == 1
    assert capsys.readouterr().err.strip() == "没有用户名为“nobody”的干警"
    assert not ApiToken.objects.exists()
