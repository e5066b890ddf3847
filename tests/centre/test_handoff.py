"""分段集约: a case handed to another team for a stage and back, a team
leader reassigning it, the segments the case page shows, and the forms."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.centre.test_dispatch import away, dispatched, officer
from tests.conftest import at
from zhixing.cases.models import CaseEvent, EnforcementCase, Milestone
from zhixing.cases.services import StaleCase, TransitionRefused, cases_close
from zhixing.centre.handoff import cases_hand_back, cases_hand_off, cases_reassign
from zhixing.centre.segments import case_segments
from zhixing.courts.models import Team
from zhixing.funds.services import Receipt, funds_receive

DAY1 = at(2026, 3, 2, 9)


def fresh(case):
    return EnforcementCase.objects.select_related(
        "team", "handler", "home_team", "home_handler"
    ).get(id=case.id)


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_hand_off_to_disposal_and_back(court, centre):
    (case,) = dispatched(court, centre, DAY1)  # 陈静 (simple1, the team leader)
    leader = officer("simple1")
    (moved,) = cases_hand_off(
        cases=[case],
        team=None,
        stage="disposal",
        reason="查封房产待评估拍卖",
        actor=leader,
        now=at(2026, 3, 10, 9),
    )
    case = fresh(case)
    assert (case.team.kind, case.handler.user.username) == ("disposal", "disposal1")
    assert (case.home_team.kind, case.home_handler.user.username, case.stage) == (
        "simple",
        "simple1",
        "disposal",
    )
    assert moved.version == case.version
    event = CaseEvent.objects.get(case=case, kind="handed_off")
    assert event.actor == leader
    assert event.data == {
        "from_team": "simple",
        "from_handler": leader.id,
        "to_team": "disposal",
        "to_handler": officer("disposal1").id,
        "stage": "disposal",
        "reason": "查封房产待评估拍卖",
    }
    assert event.detail.startswith(
        "由简易执行团队（陈静）移交财产处置团队办理财产处置（评估、拍卖、变卖、分配），承办人胡军"
    )
    assert event.detail.endswith("理由：查封房产待评估拍卖")

    cases_hand_back(
        cases=[case], actor=officer("disposal1"), now=at(2026, 4, 20, 16), note="拍卖成交"
    )
    case = fresh(case)
    assert (case.team.kind, case.handler.user.username) == ("simple", "simple1")
    assert (case.home_team, case.home_handler, case.stage) == (None, None, "")
    back = CaseEvent.objects.get(case=case, kind="handed_back")
    assert back.data == {
        "from_team": "disposal",
        "from_handler": officer("disposal1").id,
        "to_team": "simple",
        "to_handler": leader.id,
        "stage": "disposal",
        "note": "拍卖成交",
    }
    assert kinds(case)[-2:] == ["handed_off", "handed_back"]

    segments = case_segments(case=case, today=date(2026, 5, 1))
    assert [(s.team, s.handler, s.how, s.start, s.end, s.days, s.current) for s in segments] == [
        ("简易执行团队", "陈静", "分派", date(2026, 3, 2), date(2026, 3, 10), 8, False),
        ("财产处置团队", "胡军", "移交", date(2026, 3, 10), date(2026, 4, 20), 41, False),
        ("简易执行团队", "陈静", "退回", date(2026, 4, 20), None, 11, True),
    ]
    assert segments[1].stage == "财产处置（评估、拍卖、变卖、分配）"
    assert segments[0].stage == "本团队办理"


def test_the_home_handler_keeps_a_light_load_while_the_case_is_away(court, centre):
    from zhixing.centre.dispatch import handler_loads
    from zhixing.rules.workload import STAGE_WEIGHTS

    (case,) = dispatched(court, centre, DAY1)
    cases_hand_off(
        cases=[case], team=None, stage="disposal", reason="拍卖", actor=None, now=at(2026, 3, 3)
    )
    loads = handler_loads(court=court)
    assert loads[officer("simple1").id] == (1, STAGE_WEIGHTS["away"][1])
    assert loads[officer("disposal1").id] == (1, STAGE_WEIGHTS["working"][1])


def test_a_hand_off_skips_the_absent_and_names_a_chosen_team(court, centre):
    away("disposal1", date(2026, 3, 1), date(2026, 3, 5), reason="trip")
    (case,) = dispatched(court, centre, DAY1)
    disposal = Team.objects.get(court=court, kind="disposal")
    cases_hand_off(
        cases=[case], team=disposal, stage="disposal", reason="拍卖", actor=None, now=at(2026, 3, 3)
    )
    assert fresh(case).handler.user.username == "disposal2"


def test_a_leader_reassigns_within_the_team(court, centre):
    cases = dispatched(court, centre, DAY1, n=2)  # 陈静, 杨洋
    case = cases[1]
    cases_reassign(
        cases=[case],
        handler=officer("simple3"),
        reason="杨洋长期培训",
        actor=officer("simple1"),
        now=at(2026, 3, 5),
    )
    case = fresh(case)
    assert case.handler.user.username == "simple3"
    event = CaseEvent.objects.get(case=case, kind="handler_changed")
    assert event.detail == "承办人由杨洋变更为黄勇。理由：杨洋长期培训"
    assert event.data == {
        "team": "simple",
        "from_handler": officer("simple2").id,
        "to_handler": officer("simple3").id,
        "reason": "杨洋长期培训",
    }
    segments = case_segments(case=case, today=date(2026, 3, 6))
    assert [(s.handler, s.how, s.days) for s in segments] == [
        ("杨洋", "分派", 3),
        ("黄勇", "变更承办人", 1),
    ]


def test_reassigning_gives_a_case_that_waited_for_a_handler_its_first(court, centre):
    for u in ("simple1", "simple2", "simple3", "simple4"):
        away(u, date(2026, 3, 2), date(2026, 3, 2))
    (case,) = dispatched(court, centre, DAY1)
    assert case.handler is None
    cases_reassign(
        cases=[case],
        handler=officer("simple2"),
        reason="休假结束",
        actor=officer("simple1"),
        now=at(2026, 3, 3),
    )
    assert Milestone.objects.get(case=case, kind="handler_assigned").done_on == date(2026, 3, 3)
    assert fresh(case).handler.user.username == "simple2"


def _refused(call, **kw) -> str:
    with pytest.raises(TransitionRefused) as refusal:
        call(**kw)
    return str(refusal.value)


def test_refusals_are_in_chinese_and_write_nothing(court, centre):
    cases = dispatched(court, centre, DAY1, n=2)
    case, other = cases
    before = CaseEvent.objects.count()
    simple = Team.objects.get(court=court, kind="simple")
    leader = officer("simple1")
    now = at(2026, 3, 3)
    assert (
        _refused(
            cases_hand_off,
            cases=[case],
            team=None,
            stage="disposal",
            reason=" ",
            actor=leader,
            now=now,
        )
        == "请填写移交理由"
    )
    assert _refused(
        cases_hand_off,
        cases=[case],
        team=simple,
        stage="disposal",
        reason="x",
        actor=leader,
        now=now,
    ) == ("案件（2026）鄂0105执1号已由简易执行团队办理，无需移交")
    assert "不在可选范围内" in _refused(
        cases_hand_off, cases=[case], team=None, stage="moon", reason="x", actor=leader, now=now
    )
    assert (
        _refused(cases_hand_back, cases=[case], actor=leader, now=now)
        == "案件（2026）鄂0105执1号未移交他团队办理，无需退回"
    )
    assert _refused(
        cases_reassign, cases=[case], handler=officer("simple2"), reason="", actor=leader, now=now
    ) == ("请填写变更承办人的理由")
    assert _refused(
        cases_reassign,
        cases=[case],
        handler=officer("disposal1"),
        reason="x",
        actor=leader,
        now=now,
    ) == ("胡军不是案件（2026）鄂0105执1号所在团队的承办人")
    assert _refused(
        cases_reassign, cases=[case], handler=officer("simple1"), reason="x", actor=leader, now=now
    ) == ("案件（2026）鄂0105执1号已由陈静承办，无需变更")
    assert _refused(
        cases_reassign,
        cases=[other],
        handler=officer("simple3"),
        reason="x",
        actor=officer("simple2"),
        now=now,
    ).startswith("无权变更案件")
    assert _refused(
        cases_hand_off,
        cases=[case],
        team=None,
        stage="disposal",
        reason="x",
        actor=officer("simple2"),
        now=now,
    ).startswith("无权移交案件（2026）鄂0105执1号")
    # One refused case refuses the batch.
    cases_hand_off(cases=[other], team=None, stage="disposal", reason="拍卖", actor=None, now=now)
    before = CaseEvent.objects.count()
    other = fresh(other)
    assert "已移交他团队办理（财产处置（评估、拍卖、变卖、分配）），须先退回" in _refused(
        cases_hand_off,
        cases=[case, other],
        team=None,
        stage="disposal",
        reason="x",
        actor=None,
        now=now,
    )
    assert CaseEvent.objects.count() == before
    assert fresh(case).team.kind == "simple"


def test_a_closed_case_cannot_be_handed_off(court, centre):
    (case,) = dispatched(court, centre, DAY1)
    funds_receive(
        receipts=[Receipt(case, case.amount_claimed, direct=True, reference="D1")],
        actor=None,
        now=at(2026, 3, 3),
    )
    cases_close(cases=[fresh(case)], mode="performed", actor=None, now=at(2026, 3, 4))
    message = _refused(
        cases_hand_off,
        cases=[fresh(case)],
        team=None,
        stage="disposal",
        reason="x",
        actor=None,
        now=at(2026, 3, 5),
    )
    assert message == "案件（2026）鄂0105执1号当前状态为“已结案”，不能移交"
    segments = case_segments(case=case, today=date(2026, 3, 9))
    assert [(s.end, s.days, s.current) for s in segments] == [(date(2026, 3, 4), 2, False)]


def test_a_stale_case_is_refused(court, centre):
    (case,) = dispatched(court, centre, DAY1)
    stale = fresh(case)
    cases_hand_off(
        cases=[fresh(case)],
        team=None,
        stage="disposal",
        reason="拍卖",
        actor=None,
        now=at(2026, 3, 3),
    )
    with pytest.raises(StaleCase):
        cases_hand_back(cases=[stale], actor=None, now=at(2026, 3, 4))


def test_hand_off_queries_do_not_grow_with_the_batch(court, centre):
    def queries(n, day):
        cases = dispatched(court, centre, at(2026, 3, day, 9), n=n)
        with CaptureQueriesContext(connection) as ctx:
            cases_hand_off(
                cases=cases,
                team=None,
                stage="disposal",
                reason="拍卖",
                actor=None,
                now=at(2026, 3, day, 15),
            )
        return len(ctx.captured_queries)

    assert queries(2, 2) == queries(20, 3)


# ---------------------------------------------------------------- the case page


def test_the_case_page_shows_segments_and_the_forms(court, centre, client):
    (case,) = dispatched(court, centre, DAY1)
    client.force_login(officer("simple1").user)
    body = client.get(f"/cases/{case.id}/").content.decode()
    assert "办理阶段" in body and "共1段" in body
    assert f'action="/cases/{case.id}/hand-off/"' in body
    assert f'action="/cases/{case.id}/reassign/"' in body
    assert "hand-back" not in body

    response = client.post(
        f"/cases/{case.id}/hand-off/",
        {"version": fresh(case).version, "stage": "disposal", "team": "", "reason": "拍卖"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.id}/"
    body = client.get(f"/cases/{case.id}/").content.decode()
    assert "已移交财产处置团队，承办人胡军" in body
    assert "共2段" in body and "财产处置团队" in body
    assert (
        f'action="/cases/{case.id}/hand-back/"' in body
    )  # the home team's leader may take it back

    response = client.post(
        f"/cases/{case.id}/hand-back/", {"version": fresh(case).version, "note": "成交"}
    )
    assert response.status_code == 302
    assert fresh(case).team.kind == "simple"


def test_a_refused_form_shows_why_with_422(court, centre, client):
    (case,) = dispatched(court, centre, DAY1)
    client.force_login(officer("simple1").user)
    response = client.post(
        f"/cases/{case.id}/hand-off/",
        {"version": fresh(case).version, "stage": "disposal", "reason": ""},
    )
    assert response.status_code == 422
    assert "请填写移交理由" in response.content.decode()
    response = client.post(
        f"/cases/{case.id}/reassign/",
        {"version": fresh(case).version, "handler": "", "reason": "x"},
    )
    assert response.status_code == 422 and "请选择新的承办人" in response.content.decode()
    response = client.post(
        f"/cases/{case.id}/hand-off/", {"version": 0, "stage": "disposal", "reason": "拍卖"}
    )
    assert response.status_code == 422 and "已被他人修改" in response.content.decode()
    assert fresh(case).team.kind == "simple"


def test_a_handler_sees_no_reassign_form_and_is_refused(court, centre, client):
    cases = dispatched(court, centre, DAY1, n=2)
    case = cases[1]  # 杨洋's
    client.force_login(officer("simple2").user)
    body = client.get(f"/cases/{case.id}/").content.decode()
    assert "/reassign/" not in body and "/hand-off/" in body  # their own case: may hand it off
    response = client.post(
        f"/cases/{case.id}/reassign/",
        {"version": fresh(case).version, "handler": officer("simple3").id, "reason": "x"},
    )
    assert response.status_code == 422 and "无权变更" in response.content.decode()
    assert fresh(case).handler.user.username == "simple2"


def test_segments_follow_a_rerouting_after_dispatch_and_ignore_one_before():
    from zhixing.cases.models import CaseEvent
    from zhixing.centre.segments import segments_from

    def ev(kind, day, **data):
        return CaseEvent(kind=kind, at=at(2026, 3, day), data=data)

    events = [
        ev("triaged", 1, team="simple"),
        ev(
            "rerouted", 1, from_team="simple", to_team="implementation"
        ),  # before dispatch: no holder yet
        ev("dispatched", 2, team="implementation", handler=7),
        ev(
            "rerouted",
            5,
            from_team="implementation",
            to_team="simple",
            from_handler=7,
            to_handler=8,
        ),
        ev("closed", 9, mode="performed"),
    ]
    segments = segments_from(
        events,
        team_names={"simple": "简易执行团队", "implementation": "执行实施团队"},
        officer_names={7: "林涛", 8: "陈静"},
        today=date(2026, 3, 20),
    )
    assert [(s.team, s.handler, s.how, s.start.day, s.end.day, s.days) for s in segments] == [
        ("执行实施团队", "林涛", "分派", 2, 5, 3),
        ("简易执行团队", "陈静", "改分", 5, 9, 4),
    ]
