"""不在岗登记: absences recorded in batches, all or none, with Chinese
errors; the team page shows members, loads, capacity and who is away, and
lets the team leader or the director record an absence."""

from datetime import date

import pytest

from tests.centre.test_dispatch import dispatched, officer
from tests.conftest import at
from zhixing.courts.models import Absence, Team
from zhixing.courts.services import AbsenceInput, AbsenceRefused, absences_record, officers_away

NOW = at(2026, 3, 2)


def record(court, actor, *entries):
    return absences_record(
        court=court, entries=[AbsenceInput(*e) for e in entries], actor=actor, now=NOW
    )


def test_a_leader_records_absences_for_the_team_in_one_batch(court):
    leader = officer("simple1")
    made = record(
        court,
        leader,
        (officer("simple2"), date(2026, 3, 2), date(2026, 3, 6), "leave", "年休假"),
        (officer("simple3"), date(2026, 3, 4), date(2026, 3, 4), "training"),
    )
    assert len(made) == 2 and made[0].recorded_by == leader
    assert set(officers_away(court=court, day=date(2026, 3, 4))) == {
        officer("simple2").id,
        officer("simple3").id,
    }
    assert set(officers_away(court=court, day=date(2026, 3, 6))) == {officer("simple2").id}
    assert officers_away(court=court, day=date(2026, 3, 7)) == {}


def _errors(court, actor, *entries) -> list[tuple[int, str, str]]:
    with pytest.raises(AbsenceRefused) as refusal:
        record(court, actor, *entries)
    return [(e["row"], e["field"], e["message"]) for e in refusal.value.errors]


def test_an_end_before_the_start_is_refused(court, director):
    assert _errors(
        court, director, (officer("simple2"), date(2026, 3, 6), date(2026, 3, 2), "leave")
    ) == [
        (0, "end_on", "杨洋的结束日期2026-03-02早于开始日期2026-03-06"),
    ]
    assert not Absence.objects.exists()


def test_overlaps_with_recorded_or_batch_absences_are_refused_and_nothing_is_written(
    court, director
):
    record(court, director, (officer("simple2"), date(2026, 3, 2), date(2026, 3, 6), "leave"))
    errors = _errors(
        court,
        director,
        (officer("simple3"), date(2026, 3, 9), date(2026, 3, 10), "trip"),  # fine on its own
        (officer("simple2"), date(2026, 3, 6), date(2026, 3, 8), "training"),
        (officer("simple3"), date(2026, 3, 10), date(2026, 3, 12), "training"),
    )
    assert errors == [
        (1, "start_on", "杨洋2026-03-06至2026-03-08与已登记的休假（2026-03-02至2026-03-06）重叠"),
        (2, "start_on", "黄勇2026-03-10至2026-03-12与已登记的出差（2026-03-09至2026-03-10）重叠"),
    ]
    assert Absence.objects.count() == 1


def test_only_the_team_leader_centre_or_director_may_record(court):
    errors = _errors(
        court, officer("simple2"), (officer("simple3"), date(2026, 3, 2), date(2026, 3, 2), "leave")
    )
    assert errors == [
        (0, "officer", "只有黄勇所在团队的负责人、指挥中心或执行局长可以登记其不在岗")
    ]
    errors = _errors(
        court,
        officer("disposal1"),
        (officer("simple3"), date(2026, 3, 2), date(2026, 3, 2), "leave"),
    )
    assert len(errors) == 1  # another team's leader
    assert _errors(
        court, None, (officer("simple3"), date(2026, 3, 2), date(2026, 3, 2), "holiday")
    )[0][2].startswith("事由“holiday”不在可选范围内")


# ---------------------------------------------------------------- the team page


def test_the_team_page_shows_members_loads_capacity_and_who_is_away(
    court, centre, client, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 3, 15))
    dispatched(court, centre, at(2026, 3, 2, 9), n=5)
    record(
        court,
        None,
        (officer("simple3"), date(2026, 3, 3), date(2026, 3, 5), "training", "业务培训"),
    )
    client.force_login(officer("simple1").user)
    body = client.get("/teams/simple/").content.decode()
    assert "简易执行团队" in body and "在办5件，承载能力900件，今日1人不在岗" in body
    assert "培训（至3月5日）" in body and "业务培训" in body
    assert 'action="/teams/simple/absences/"' in body  # 陈静 leads the team
    # The workbench shows the same block for the team.
    bench = client.get("/workbench/?team=1").content.decode()
    assert "团队成员" in bench and "培训（至3月5日）" in bench and 'href="/teams/simple/"' in bench


def test_a_member_sees_the_team_page_without_the_form(court, client):
    client.force_login(officer("simple2").user)
    body = client.get("/teams/simple/").content.decode()
    assert "团队成员" in body and "/absences/" not in body
    assert client.get("/teams/nosuch/").status_code == 404


def test_the_absence_form_records_and_refuses_in_chinese(court, client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 2, 15))
    client.force_login(officer("director").user)
    target = officer("disposal2")
    ok = client.post(
        "/teams/disposal/absences/",
        {
            "officer": target.id,
            "reason": "trip",
            "start_on": "2026-03-02",
            "end_on": "2026-03-04",
            "note": "外地查控",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == "/teams/disposal/"
    assert Absence.objects.get().officer == target
    bad = client.post(
        "/teams/disposal/absences/",
        {"officer": target.id, "reason": "leave", "start_on": "2026-03-04", "end_on": "2026-03-01"},
    )
    assert bad.status_code == 422
    assert "结束日期：朱琳的结束日期2026-03-01早于开始日期2026-03-04" in bad.content.decode()
    bad = client.post(
        "/teams/disposal/absences/",
        {
            "officer": officer("simple2").id,
            "reason": "leave",
            "start_on": "",
            "end_on": "2026-03-01",
        },
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "干警：请选择本团队的干警" in text and "开始日期：请填写日期" in text
    assert Absence.objects.count() == 1
    # 撤销
    absence = Absence.objects.get()
    assert client.post(f"/absences/{absence.id}/cancel/").status_code == 302
    assert not Absence.objects.exists()


def test_a_member_may_not_record_through_the_form(court, client):
    client.force_login(officer("simple2").user)
    response = client.post(
        "/teams/simple/absences/",
        {
            "officer": officer("simple3").id,
            "reason": "leave",
            "start_on": "2026-03-02",
            "end_on": "2026-03-02",
        },
    )
    assert response.status_code == 422 and "只有黄勇所在团队的负责人" in response.content.decode()
    assert not Absence.objects.exists()


def test_capacity_comes_from_the_team(court):
    assert Team.objects.get(court=court, kind="simple").capacity == 900


def test_the_team_page_counts_cases_waiting_for_a_handler(court, centre, client):
    for u in ("simple1", "simple2", "simple3", "simple4"):
        record(court, None, (officer(u), date(2026, 3, 2), date(2026, 3, 2), "training"))
    dispatched(court, centre, at(2026, 3, 2, 9), n=2)
    client.force_login(officer("simple1").user)
    body = client.get("/teams/simple/").content.decode()
    assert "有2件案件分派时本团队承办人均不在岗，尚未指定承办人" in body


def test_the_demo_records_a_few_absences_around_today_once(court):
    from zhixing.demo.court import DEMO_ABSENCES, demo_absences_create

    demo_absences_create(court, date(2026, 3, 2))
    demo_absences_create(court, date(2026, 3, 2))
    assert Absence.objects.count() == len(DEMO_ABSENCES)
    assert officer("simple3").id in officers_away(court=court, day=date(2026, 3, 2))
    assert officer("simple1").is_leader and officer("simple1").weight == 50
