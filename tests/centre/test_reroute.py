"""人工改分: a centre officer or the director moves a triaged or dispatched case
to another team, with a reason; one `rerouted` event; a dispatched case gets
the new team's least-loaded handler present today."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.centre.test_pipeline import debtors_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.cases.services import StaleCase
from zhixing.centre import services as pipeline
from zhixing.centre.services import robot_pass
from zhixing.centre.triage import RerouteRefused, cases_reroute
from zhixing.courts.models import Officer, Team

NOW = at(2026, 3, 2, 11)


@pytest.fixture
def simple_cases(court, centre):
    """Dispatched to the simple team (nothing found, small claims)."""
    def make(n):
        debtors = debtors_with(lambda a: not a, n)
        cases = [file(court, centre, at(2026, 3, 2), debtor_id=d, amount="5000.00") for d in debtors]
        robot_pass(now=at(2026, 3, 2, 10, 5))
        ids = [c.id for c in cases]
        return list(EnforcementCase.objects.filter(id__in=ids).select_related("team", "handler").order_by("id"))

    return make


def team(court, kind):
    return Team.objects.get(court=court, kind=kind)


def test_a_dispatched_case_moves_to_the_new_team_and_its_least_loaded_handler(court, centre, simple_cases):
    (case,) = simple_cases(1)
    assert (case.state, case.team.kind) == ("dispatched", "simple")
    before = case.handler
    (case,) = cases_reroute(
        cases=[case], team=team(court, "implementation"), reason="关联案件，统一由实施团队办理", actor=centre, now=NOW
    )
    case.refresh_from_db()
    assert case.team.kind == "implementation" and case.state == "dispatched"
    assert case.handler.team.kind == "implementation" and case.handler.role == "handler"
    assert (case.triage_rule, case.triage_ruleset.version) == ("T5", 1)  # the triage decision stays as made
    (event,) = CaseEvent.objects.filter(case=case, kind="rerouted")
    assert event.actor == centre and event.at == NOW
    assert event.data == {
        "from_team": "simple", "to_team": "implementation", "reason": "关联案件，统一由实施团队办理",
        "from_handler": before.id, "to_handler": case.handler.id,
    }
    assert event.detail.startswith(f"人工改分：由简易执行团队改分至执行实施团队，承办人由{before.name}变更为{case.handler.name}")
    assert event.detail.endswith("。理由：关联案件，统一由实施团队办理")


def test_a_triaged_case_changes_team_and_is_dispatched_there(court, centre, monkeypatch):
    monkeypatch.setattr(pipeline, "cases_dispatch", lambda **kw: [])
    (debtor,) = debtors_with(lambda a: not a, 1)
    case = file(court, centre, at(2026, 3, 2), debtor_id=debtor, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 10))
    case.refresh_from_db()
    assert (case.state, case.handler) == ("triaged", None)
    cases_reroute(cases=[case], team=team(court, "disposal"), reason="申请执行人提供了房产线索", actor=centre, now=NOW)
    case.refresh_from_db()
    assert (case.team.kind, case.handler) == ("disposal", None)
    monkeypatch.undo()
    robot_pass(now=at(2026, 3, 2, 12))
    case.refresh_from_db()
    assert case.state == "dispatched" and case.handler.team.kind == "disposal"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required_and_nothing_is_written_without_one(court, centre, simple_cases, reason):
    (case,) = simple_cases(1)
    with pytest.raises(RerouteRefused, match="请填写改分理由"):
        cases_reroute(cases=[case], team=team(court, "implementation"), reason=reason, actor=centre, now=NOW)
    case.refresh_from_db()
    assert case.team.kind == "simple"
    assert not CaseEvent.objects.filter(kind="rerouted").exists()


@pytest.mark.parametrize("username", ["simple1", "finance"])
def test_only_the_centre_and_the_director_may_reroute(court, simple_cases, username):
    (case,) = simple_cases(1)
    officer = Officer.objects.get(user__username=username)
    with pytest.raises(RerouteRefused, match="无权人工改分：只有指挥中心或执行局长可以改分"):
        cases_reroute(cases=[case], team=team(court, "implementation"), reason="x", actor=officer, now=NOW)
    director = Officer.objects.get(user__username="director")
    cases_reroute(cases=[case], team=team(court, "implementation"), reason="局长决定", actor=director, now=NOW)
    assert CaseEvent.objects.get(kind="rerouted").actor == director


def test_refusals_name_the_case(court, centre, simple_cases):
    a, b = simple_cases(2)
    with pytest.raises(RerouteRefused, match=f"案件{a.case_number}已由简易执行团队办理，无需改分"):
        cases_reroute(cases=[a, b], team=team(court, "simple"), reason="x", actor=centre, now=NOW)
    b.version -= 1
    with pytest.raises(StaleCase, match=f"案件{b.case_number}已被他人修改，请刷新后重试"):
        cases_reroute(cases=[a, b], team=team(court, "disposal"), reason="x", actor=centre, now=NOW)
    assert not CaseEvent.objects.filter(kind="rerouted").exists()  # the batch is all or nothing
    filed = file(court, centre, at(2026, 3, 3))
    with pytest.raises(RerouteRefused, match=f"案件{filed.case_number}当前状态为“已立案待查控”，不能人工改分"):
        cases_reroute(cases=[filed], team=team(court, "disposal"), reason="x", actor=centre, now=NOW)


def test_the_batch_takes_the_same_queries_for_two_or_six_cases(court, centre, simple_cases):
    cases = simple_cases(8)
    target = team(court, "implementation")
    with CaptureQueriesContext(connection) as two:
        cases_reroute(cases=cases[:2], team=target, reason="批量改分", actor=centre, now=NOW)
    with CaptureQueriesContext(connection) as six:
        cases_reroute(cases=cases[2:], team=target, reason="批量改分", actor=centre, now=NOW)
    assert len(two) == len(six)
    assert CaseEvent.objects.filter(kind="rerouted").count() == 8
    handlers = set(
        EnforcementCase.objects.filter(id__in=[c.id for c in cases]).values_list("handler__user__username", flat=True)
    )
    assert handlers <= {"implementation1", "implementation2", "implementation3"} and len(handlers) > 1
