"""Filing: numbers without gap or duplicate, one party row per real party,
milestones from rules.md §3, and a `filed` event for each case."""

from datetime import date

import pytest

from tests.conftest import application_json, at, company_code, person_id
from zhixing.cases.models import (
    CaseEvent,
    CaseParty,
    EnforceableTitle,
    EnforcementCase,
    Milestone,
    Party,
)
from zhixing.cases.services import cases_file
from zhixing.intake.parsing import parse_application


def app(**kw):
    application, errors = parse_application(application_json(**kw), today=date(2026, 3, 2))
    assert errors == []
    return application


def test_numbers_run_from_one_per_court_year_and_type(court, centre, now):
    cases = cases_file(court=court, actor=centre, applications=[app(), app(type_="执保"), app()], now=now)
    assert [c.case_number for c in cases] == ["（2026）鄂0105执1号", "（2026）鄂0105执保1号", "（2026）鄂0105执2号"]
    more = cases_file(court=court, actor=centre, applications=[app()], now=now)
    assert more[0].case_number == "（2026）鄂0105执3号"


def test_a_new_year_starts_again_at_one(court, centre):
    cases_file(court=court, actor=centre, applications=[app()], now=at(2026, 12, 31, 16))
    (case,) = cases_file(court=court, actor=centre, applications=[app()], now=at(2027, 1, 4))
    assert case.case_number == "（2027）鄂0105执1号"


def test_a_failed_filing_gives_its_numbers_back(court, centre, now, monkeypatch):
    import zhixing.cases.services as services

    values_insert = services._values_insert

    def boom(model, *a, **k):  # the last insert of the filing fails
        if model is services.Milestone:
            raise RuntimeError("disk full")
        return values_insert(model, *a, **k)

    monkeypatch.setattr(services, "_values_insert", boom)
    with pytest.raises(RuntimeError):
        cases_file(court=court, actor=centre, applications=[app(), app()], now=now)
    assert EnforcementCase.objects.count() == 0
    assert Party.objects.count() == 0
    monkeypatch.undo()
    (case,) = cases_file(court=court, actor=centre, applications=[app()], now=now)
    assert case.case_number == "（2026）鄂0105执1号"


def test_one_party_row_per_real_party_across_cases(court, centre, now):
    debtor = person_id(7)
    cases_file(court=court, actor=centre, applications=[app(debtor_id=debtor), app(debtor_id=debtor)], now=now)
    assert Party.objects.filter(id_code=debtor).count() == 1
    assert CaseParty.objects.filter(party__id_code=debtor, role="debtor").count() == 2
    assert Party.objects.filter(id_code=company_code(1)).count() == 1


def test_filing_writes_the_filed_event_and_the_milestones(court, centre):
    (case,) = cases_file(court=court, actor=centre, applications=[app()], now=at(2026, 3, 2))
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "filed" and event.actor == centre
    assert event.detail == "立案，案号（2026）鄂0105执1号，申请执行标的额123,456.78元"
    due = dict(Milestone.objects.filter(case=case).values_list("kind", "due_on"))
    # 2026-03-02 is a Monday. +3 = Thu 5th; +7 = Mon 9th; +10 = Thu 12th;
    # one month = Thu 2 April; six months = Wed 2 September.
    assert due == {
        "first_inquiry": date(2026, 3, 5),
        "handler_assigned": date(2026, 3, 9),
        "notice_sent": date(2026, 3, 12),
        "investigation_finished": date(2026, 4, 2),
        "time_limit": date(2026, 9, 2),
    }


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day(court, centre):
    # Filed 2026-09-24 (Thu): +7 days = 1 October, National Day: moves to the
    # first working day after the holiday (民事诉讼法第八十五条).
    (case,) = cases_file(court=court, actor=centre, applications=[app()], now=at(2026, 9, 24))
    # The 2026 National Day holiday runs 1–7 October; the 8th is a working day.
    assert Milestone.objects.get(case=case, kind="handler_assigned").due_on == date(2026, 10, 8)


def test_a_late_application_is_filed_with_a_warning(court, centre, now):
    late = application_json()
    late["title"].update(effective_on="2023-01-05", due_on="2023-01-15")
    application, _ = parse_application(late, today=date(2026, 3, 2))
    (case,) = cases_file(court=court, actor=centre, applications=[application], now=now)
    event = CaseEvent.objects.get(case=case, kind="filed")
    assert "二年" in event.data["late_application"]
    assert "民事诉讼法第二百五十条" in event.detail


def test_events_cannot_be_updated(court, centre, now):
    from django.db import DatabaseError, transaction

    (case,) = cases_file(court=court, actor=centre, applications=[app()], now=now)
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(detail="改写历史")
    assert CaseEvent.objects.get(case=case).detail.startswith("立案")


def test_filed_cases_are_whole_instances_that_know_their_court_and_title(court, centre, now, django_assert_num_queries):
    application = app()
    (case,) = cases_file(court=court, actor=centre, applications=[application], now=now)
    with django_assert_num_queries(0):  # built positionally, their court and title remembered
        assert (case.court, case.title.number, case.state, case.version, case.stage) == (
            court, application.title.number, "filed", 1, "")
        assert case.title.court == court and case.title.id == case.title_id
    stored = EnforcementCase.objects.get(id=case.id)
    assert (stored.case_number, stored.title_id, stored.amount_claimed, stored.filed_on) == (
        case.case_number, case.title_id, case.amount_claimed, case.filed_on)
    assert not case._state.adding


def test_instances_refuse_to_share_a_callable_default(db):
    from zhixing.cases.services import _instances

    with pytest.raises(ValueError, match="callable default"):
        _instances(CaseEvent, ("court_id", "case_id", "kind"), [(1, 1, "filed")])  # data: default=dict
    (party,) = _instances(Party, ("court_id", "kind", "name", "id_code"), [(1, "person", "张三", "x")])
    assert (party.name, party.phone, party.address, party.id) == ("张三", "", "", None)


@pytest.mark.django_db(transaction=True)  # outside any test transaction: the filing's own is the only one
def test_a_filing_builds_its_cases_and_titles_before_it_takes_the_write_lock(court, centre, now):
    """On SQLite the filing's transaction holds the one write lock the robot's
    steps wait for: the objects are made before it begins, only keys and
    numbers given inside."""
    from django.db import connection
    from django.db.models.signals import post_init

    built = []

    def seen(sender, instance, **kwargs):
        built.append((sender.__name__, connection.in_atomic_block))

    for model in (EnforcementCase, EnforceableTitle):
        post_init.connect(seen, sender=model)
    try:
        cases = cases_file(court=court, actor=centre, applications=[app(), app(amount="10.00")], now=now)
    finally:
        for model in (EnforcementCase, EnforceableTitle):
            post_init.disconnect(seen, sender=model)
    assert sorted(built) == [("EnforceableTitle", False)] * 2 + [("EnforcementCase", False)] * 2
    assert [c.case_number for c in cases] == [f"（2026）鄂0105执{n}号" for n in (1, 2)]
    stored = EnforcementCase.objects.filter(id__in=[c.id for c in cases]).order_by("id")
    assert [(c.case_number, c.title_id, c.amount_claimed) for c in stored] == [
        (c.case_number, c.title.id, c.amount_claimed) for c in cases]
    assert cases[0].title_id != cases[1].title_id
