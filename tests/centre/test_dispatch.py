"""分派: each triaged case to the least-loaded handler of its team present
today; load is open cases weighed by stage (rules/workload.py); members
under their share of the team's capacity first; ties to the lowest id."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import at
from tests.web.conftest import file
from zhixing.cases.models import CaseEvent, EnforcementCase, ExcludedPeriod, Milestone
from zhixing.cases.services import EventSpec, transition
from zhixing.centre.dispatch import cases_dispatch, handler_loads
from zhixing.courts.models import Absence, Officer, Team
from zhixing.rules.workload import STAGE_WEIGHTS

WORKING = STAGE_WEIGHTS["working"][1]
WAITING = STAGE_WEIGHTS["waiting"][1]


def triaged(court, centre, when, n=1, team="simple"):
    """File n cases and move them to `team` as triage would, without the network."""
    cases = file(court, centre, when, n=n)
    transition(
        cases=cases,
        action="inquire",
        actor=None,
        now=when,
        events={c.id: EventSpec("inquiry_started", "发起首次网络查控") for c in cases},
    )
    team = Team.objects.get(court=court, kind=team)
    for c in cases:
        c.team = team
    transition(
        cases=cases,
        action="triage",
        actor=None,
        now=when,
        events={
            c.id: EventSpec("triaged", f"分流至{team.name}", {"team": team.kind}) for c in cases
        },
        fields=["team"],
    )
    return cases


def dispatched(court, centre, when, n=1, team="simple"):
    cases = triaged(court, centre, when, n=n, team=team)
    cases_dispatch(court=court, now=when.replace(hour=11), limit=10_000)
    return list(
        EnforcementCase.objects.filter(id__in=[c.id for c in cases])
        .select_related("handler", "team")
        .order_by("id")
    )


def who(cases) -> list[str]:
    return [c.handler.user.username if c.handler else None for c in cases]


def officer(username) -> Officer:
    return Officer.objects.select_related("team", "user").get(user__username=username)


def away(username, start, end, reason="leave"):
    o = officer(username)
    return Absence.objects.create(
        court=o.court,
        officer=o,
        start_on=start,
        end_on=end,
        reason=reason,
        recorded_at=at(2026, 1, 1),
    )


def test_equal_loads_go_in_turn_lowest_id_first(court, centre):
    cases = dispatched(court, centre, at(2026, 3, 2, 9), n=5)
    assert who(cases) == ["simple1", "simple2", "simple3", "simple4", "simple1"]
    detail = CaseEvent.objects.get(case=cases[4], kind="dispatched").detail
    assert detail == f"分派至简易执行团队，承办人陈静（在办1件，加权负荷{WORKING}）"


def test_a_case_waiting_on_an_auction_weighs_less_than_one_in_hand(court, centre):
    first = dispatched(court, centre, at(2026, 3, 2, 9), n=4)  # one each
    waiting = first[2]  # 黄勇's
    ExcludedPeriod.objects.create(
        court=court, case=waiting, kind="auction", start_on=date(2026, 3, 2)
    )
    loads = handler_loads(court=court)
    assert loads[waiting.handler_id] == (1, WAITING)
    assert loads[first[0].handler_id] == (1, WORKING)
    # Same number of open cases; 黄勇's is only waiting, so he takes the next ones
    # until his load passes the others'.
    nxt = dispatched(court, centre, at(2026, 3, 3, 9), n=2)
    assert who(nxt) == ["simple3", "simple1"]


def test_an_ended_period_weighs_in_full_again(court, centre):
    first = dispatched(court, centre, at(2026, 3, 2, 9), n=4)
    ExcludedPeriod.objects.create(
        court=court,
        case=first[2],
        kind="auction",
        start_on=date(2026, 3, 2),
        end_on=date(2026, 3, 2),
    )
    assert handler_loads(court=court)[first[2].handler_id] == (1, WORKING)


def test_closed_cases_carry_no_load(court, centre):
    first = dispatched(court, centre, at(2026, 3, 2, 9), n=1)
    EnforcementCase.objects.filter(id=first[0].id).update(
        state="closed", closed_on=date(2026, 3, 2), closing_mode="withdrawn"
    )
    assert handler_loads(court=court) == {}


def test_an_absent_handler_is_skipped_only_while_away(court, centre):
    away("simple1", date(2026, 3, 1), date(2026, 3, 3), reason="training")
    cases = dispatched(court, centre, at(2026, 3, 3, 9), n=4)
    assert who(cases) == ["simple2", "simple3", "simple4", "simple2"]
    later = dispatched(court, centre, at(2026, 3, 4, 9), n=1)  # back at the desk, least loaded
    assert who(later) == ["simple1"]


def test_when_the_whole_team_is_away_the_case_waits_for_the_leader(court, centre):
    for u in ("simple1", "simple2", "simple3", "simple4"):
        away(u, date(2026, 3, 2), date(2026, 3, 6))
    (case,) = dispatched(court, centre, at(2026, 3, 2, 9))
    assert case.state == "dispatched" and case.handler is None and case.team.kind == "simple"
    event = CaseEvent.objects.get(case=case, kind="dispatched")
    assert event.detail == (
        "分派至简易执行团队，该团队承办人今日均不在岗（陈静休假、杨洋休假、黄勇休假、吴芳休假），"
        "待团队负责人陈静指定"
    )
    assert event.data["handler"] is None
    assert event.data["leader"] == officer("simple1").id
    assert len(event.data["away"]) == 4
    assert Milestone.objects.get(case=case, kind="handler_assigned").done_on is None


def test_members_under_their_share_of_the_capacity_come_first(court, centre):
    # Capacity 7 split by weight: the leader 陈静 (50) a share of 1, the others (100) 2 each.
    Team.objects.filter(court=court, kind="simple").update(capacity=7)
    first = dispatched(court, centre, at(2026, 3, 2, 9), n=4)
    assert who(first) == ["simple1", "simple2", "simple3", "simple4"]
    # All equal again, but 陈静 has reached her share: the next go to the others.
    nxt = dispatched(court, centre, at(2026, 3, 3, 9), n=4)
    assert who(nxt) == [
        "simple2",
        "simple3",
        "simple4",
        "simple1",
    ]  # everyone full: least load, lowest id


def test_a_team_without_handlers_says_so(court, centre):
    Officer.objects.filter(team__kind="library", role="handler").update(role="assistant")
    (case,) = dispatched(court, centre, at(2026, 3, 2, 9), team="library")
    assert case.handler is None
    detail = CaseEvent.objects.get(case=case, kind="dispatched").detail
    assert detail == "分派至终本管理团队，该团队暂无承办人，待团队负责人马超指定"


def _dispatch_queries(court, centre, when, n) -> int:
    triaged(court, centre, when, n=n)
    with CaptureQueriesContext(connection) as ctx:
        assert len(cases_dispatch(court=court, now=when.replace(hour=11), limit=10_000)) == n
    return len(ctx.captured_queries)


@pytest.mark.parametrize("big", [40])
def test_the_query_count_does_not_grow_with_the_batch(court, centre, big):
    away("simple4", date(2026, 3, 1), date(2026, 3, 31))
    few = _dispatch_queries(court, centre, at(2026, 3, 2, 9), 3)
    many = _dispatch_queries(court, centre, at(2026, 3, 3, 9), big)
    assert many == few


def test_the_court_s_own_weights_count(court, centre):
    court.workload_weights = {"working": 10, "waiting": 5}
    court.save(update_fields=["workload_weights"])
    first = dispatched(court, centre, at(2026, 3, 2, 9), n=4)
    ExcludedPeriod.objects.create(
        court=court, case=first[2], kind="auction", start_on=date(2026, 3, 2)
    )
    loads = handler_loads(court=court)
    assert loads[first[0].handler_id] == (1, 10) and loads[first[2].handler_id] == (1, 5)


@pytest.mark.django_db(transaction=True)  # outside any test transaction: the step's own is the only one
def test_dispatch_counts_the_loads_before_it_takes_the_write_lock_and_not_when_idle(court, centre, monkeypatch):
    """Counting every open case's handler takes a while; on SQLite the step's
    transaction holds the one write lock the other steps wait for."""
    from zhixing.centre import dispatch

    counted = []

    def loads(*, court):
        counted.append(connection.in_atomic_block)
        return handler_loads(court=court)

    monkeypatch.setattr(dispatch, "handler_loads", loads)
    cases = dispatched(court, centre, at(2026, 3, 2, 10), n=2)
    assert counted == [False]
    assert all(c.handler for c in cases)
    assert cases_dispatch(court=court, now=at(2026, 3, 2, 12), limit=100) == []
    assert counted == [False]  # nothing triaged: nothing counted
