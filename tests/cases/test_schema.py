"""The schema as migrated: no index that another one already covers or that
no query reads, and the append-only trigger on events still there
(migrations that drop indexes must not rebuild the table)."""

import pytest
from django.db import DatabaseError, connection, transaction

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase, Milestone
from zhixing.inquiry.models import Inquiry

pytestmark = pytest.mark.django_db


def single_column_indexes(model) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        c["columns"][0] for c in constraints.values()
        if c["index"] and not c["unique"] and not c["primary_key"] and len(c["columns"]) == 1
    }


@pytest.mark.parametrize(("model", "covered"), [
    (EnforcementCase, {"court_id", "handler_id"}),
    (CaseEvent, {"court_id", "case_id"}),
    (CaseParty, {"court_id", "case_id", "party_id"}),
    (Milestone, {"court_id", "case_id"}),
    (Inquiry, {"court_id", "case_id"}),
])
def test_no_foreign_key_index_repeats_the_first_column_of_another(model, covered):
    assert not covered & single_column_indexes(model)


def test_indexes_no_other_covers_stay():
    assert "at" in single_column_indexes(CaseEvent)  # the day's events of a court
    assert "team_id" in single_column_indexes(EnforcementCase)  # each team's workbench


def test_a_case_has_no_index_no_query_reads():
    unread = {"title_id", "home_team_id", "home_handler_id", "triage_ruleset_id"}
    assert not unread & single_column_indexes(EnforcementCase)
    assert "actor_id" not in single_column_indexes(CaseEvent)


def test_what_a_case_points_to_is_still_protected_without_the_index(court, centre, now):
    from django.db.models import ProtectedError

    from tests.centre.test_pipeline import file

    case = file(court, centre, now)
    with pytest.raises(ProtectedError), transaction.atomic():
        case.title.delete()


def test_events_stay_append_only_after_the_index_migrations(court, centre, now):
    from tests.centre.test_pipeline import file

    case = file(court, centre, now)
    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(id=event.id).update(detail="改写")


def test_only_open_milestones_are_indexed_by_court_and_the_boards_list_reads_that_index(court, centre, now):
    from datetime import timedelta

    from tests.centre.test_pipeline import file
    from zhixing.web.selectors import _overdue_milestones

    file(court, centre, now)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Milestone._meta.db_table)
    assert constraints["milestone_open_due"]["columns"] == ["court_id", "due_on"]
    assert not any(c["columns"][:2] == ["court_id", "done_on"] for c in constraints.values())
    assert "milestone_open_due" in plan_of(_overdue_milestones(court, now.date() + timedelta(days=400)))


def plan_of(queryset, analyze=None) -> str:
    """The database's plan for the queryset, as one string. The test's tables
    are tiny: on PostgreSQL sequential scans are ruled out, so the plan shows
    the index the planner would use (after ANALYZE of `analyze`, a model)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if analyze is not None:
                cursor.execute(f"ANALYZE {analyze._meta.db_table}")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.parametrize("state", ["filed", "inquiring", "triaged"])
def test_each_step_takes_its_oldest_cases_by_a_range_of_the_state_index(court, centre, now, state):
    """cases_inquire_new, cases_triage and cases_dispatch read `state = … ORDER
    BY id LIMIT n`. With (court, state) alone, PostgreSQL with fresh statistics
    walked the primary key past every older case in other states."""
    from tests.centre.test_pipeline import file

    cases = [file(court, centre, now) for _ in range(3)]
    EnforcementCase.objects.filter(id__in=[c.id for c in cases[:2]]).update(state="dispatched")
    EnforcementCase.objects.filter(id=cases[2].id).update(state=state)
    plan = plan_of(EnforcementCase.objects.filter(court=court, state=state).order_by("id").values_list("id")[:1000],
                   analyze=EnforcementCase)
    assert "case_court_state_id" in plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan  # read in id order, not sorted after
