"""Versions of the triage rule set: a draft is validated (in Chinese, naming
the rule and the field), previewed against the last triaged cases from their
stored facts, and activated by the director; the next pass routes by it."""

import copy

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.centre.test_pipeline import debtors_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.centre.forms import editor_rows, moved, rules_from_post
from zhixing.centre.models import TriageRuleSet
from zhixing.centre.rulesets import RulesetRefused, ruleset_activate, ruleset_draft_save, ruleset_preview
from zhixing.centre.services import robot_pass
from zhixing.centre.triage import active_ruleset
from zhixing.courts.models import Officer
from zhixing.rules.triage import DEFAULT_RULES

NOW = at(2026, 3, 2)


def lowered_t3(yuan_fen: int) -> list[dict]:
    """The defaults with T3's claim threshold (its first constant) at `yuan_fen`."""
    rules = copy.deepcopy(DEFAULT_RULES)
    rules[2]["when"]["any"][0]["value"] = yuan_fen
    return rules


@pytest.fixture
def plain_cases(court, centre):
    """Three small cases against debtors with nothing (T5, simple) and two
    large claims (T3, implementation), through the real robot pass."""
    debtors = debtors_with(lambda a: not a, 5)
    small = [file(court, centre, NOW, debtor_id=d, amount="5000.00") for d in debtors[:3]]
    large = [file(court, centre, NOW, debtor_id=d, amount="2000000.00") for d in debtors[3:]]
    robot_pass(now=at(2026, 3, 2, 10, 5))
    return small, large


# ---------------------------------------------------------------- validation


def test_a_draft_with_a_broken_rule_is_refused_in_chinese_and_nothing_is_saved(court, director):
    active_ruleset(court)
    rules = copy.deepcopy(DEFAULT_RULES)
    rules[2]["team"] = "nowhere"
    rules[3]["when"]["all"][0]["value"] = "两项"
    with pytest.raises(RulesetRefused) as refused:
        ruleset_draft_save(court=court, rules=rules, note="", actor=director, now=NOW)
    assert refused.value.errors == [
        "规则T3：未知的团队“nowhere”",
        "规则T4：条件“property_count”的“value”类型不符：'两项'",
    ]
    assert TriageRuleSet.objects.filter(court=court).count() == 1


def test_the_form_names_the_rule_and_the_field_of_a_bad_threshold(court):
    _, rows = editor_rows(DEFAULT_RULES)
    data = {"order": "0,1,2,3,4"}
    for row in rows:
        data[f"label-{row.index}"] = row.label
        data[f"team-{row.index}"] = row.team
        for line in row.lines:
            if line.name:
                data[line.name] = line.raw
    assert data["value-2-0"] == "1000000.00"  # T3's claim threshold, in yuan
    assert data["value-0-0"] == "执异、执复、执监"
    rules, errors = rules_from_post(DEFAULT_RULES, data)
    assert errors == [] and rules == DEFAULT_RULES

    bad = {**data, "value-2-0": "五万", "value-2-1": "3.5", "label-1": " ", "value-0-0": "执异、执X"}
    _, errors = rules_from_post(DEFAULT_RULES, bad)
    assert errors == [
        "规则T1：案件类型的取值“执X”不是案件类型代字（可用：执、执恢、执保、执异、执复、执监）",
        "规则T2：名称不能为空",
        "规则T3：申请执行标的额的阈值应为金额，如 50000.00（金额格式不正确：“五万”）",
        "规则T3：被执行人数的阈值应为非负整数，如 3",
    ]
    rules, errors = rules_from_post(DEFAULT_RULES, {**data, "value-2-0": "50,000.5"})
    assert errors == [] and rules[2]["when"]["any"][0]["value"] == 5_000_050


def test_moving_the_catch_all_up_is_refused_by_the_rules_own_check(court, director):
    data = {"order": "0,1,2,3,4"}
    data["order"] = moved(data, 5, "up-4")
    assert data["order"] == "0,1,2,4,3"
    assert moved(data, 5, "down-4") == "0,1,2,3,4"
    assert moved(data, 5, "drop-1") == "0,2,4,3"
    _, rows = editor_rows(DEFAULT_RULES, {**data, "label-0": "x"})
    assert [r.rule_id for r in rows] == ["T1", "T2", "T3", "T5", "T4"]
    rules = [DEFAULT_RULES[i] for i in (0, 1, 2, 4, 3)]
    with pytest.raises(RulesetRefused) as refused:
        ruleset_draft_save(court=court, rules=rules, note="", actor=director, now=NOW)
    assert "规则T5：兜底规则之后的规则永远不会适用" in refused.value.errors


# ---------------------------------------------------------------- preview


def test_the_preview_counts_and_lists_the_cases_that_would_change_team(court, director, plain_cases):
    small, large = plain_cases
    assert {c.triage_rule for c in EnforcementCase.objects.filter(id__in=[c.id for c in small])} == {"T5"}
    preview = ruleset_preview(court=court, rules=lowered_t3(4_000_00), last_n=200)
    assert (preview.considered, preview.changed, preview.filled) == (5, 3, 0)
    assert preview.pairs == [("简易执行团队", "执行实施团队", 3)]
    assert sorted(c.case_number for c in preview.changes) == sorted(c.case_number for c in small)
    change = preview.changes[0]
    assert (change.from_rule, change.to_rule) == ("T5", "T3")
    assert "申请执行标的额5,000.00元 ≥ 4,000.00元" in change.reason
    assert [(t.label, t.before, t.after) for t in preview.teams] == [
        ("简易执行团队", 3, 0), ("执行实施团队", 2, 5),
    ]
    # The same rules as in force: nothing changes. The last 2 only: two cases considered.
    assert ruleset_preview(court=court, rules=DEFAULT_RULES).changed == 0
    assert ruleset_preview(court=court, rules=lowered_t3(4_000_00), last_n=2).considered == 2


def test_the_preview_is_pure_it_writes_nothing(court, plain_cases):
    def state():
        cases = list(EnforcementCase.objects.order_by("id").values_list("team_id", "version"))
        return CaseEvent.objects.count(), TriageRuleSet.objects.count(), cases

    before = state()
    ruleset_preview(court=court, rules=lowered_t3(1), last_n=200)
    assert state() == before


def test_the_preview_refuses_a_bad_n_and_bad_rules(court, plain_cases):
    with pytest.raises(RulesetRefused, match="预览案件数：应为1至5000之间的整数"):
        ruleset_preview(court=court, rules=DEFAULT_RULES, last_n=0)
    with pytest.raises(RulesetRefused, match="缺少兜底规则"):
        ruleset_preview(court=court, rules=DEFAULT_RULES[:4], last_n=10)


def test_the_preview_reads_the_facts_stored_when_the_case_was_triaged(court, plain_cases):
    """A case's assets found later do not change what the preview says: it re-decides
    from the facts in the triaged event, not today's data."""
    small, _ = plain_cases
    event = CaseEvent.objects.get(case=small[0], kind="triaged")
    assert set(event.data["facts_all"]) == {
        "case_type", "amount_claimed", "amount_due", "cash_found", "property_found",
        "property_count", "debtor_count", "open_cases_max",
    }
    assert event.data["facts"] == {k: event.data["facts_all"][k] for k in event.data["facts"]}
    # Three more open cases against the first debtor today would make it T3 by open cases.
    debtor = small[0].case_parties.get(role="debtor").party.id_code
    for _ in range(3):
        file(court, None, at(2026, 3, 3), debtor_id=debtor, amount="5000.00")
    preview = ruleset_preview(court=court, rules=DEFAULT_RULES, last_n=5)
    assert preview.changed == 0


def test_cases_triaged_before_all_facts_were_stored_are_filled_from_todays_data(court, plain_cases):
    small, _ = plain_cases
    # An event as issue 2 wrote it: only the facts its rule read (here as few as T1 reads).
    legacy = CaseEvent.objects.get(case=small[0], kind="triaged")
    data = {k: v for k, v in legacy.data.items() if k != "facts_all"}
    data["facts"] = {"case_type": "执"}
    CaseEvent.objects.filter(id=legacy.id).delete()
    CaseEvent.objects.create(court=court, case=small[0], at=legacy.at, kind="triaged", detail=legacy.detail, data=data)
    preview = ruleset_preview(court=court, rules=lowered_t3(4_000_00), last_n=200)
    assert (preview.changed, preview.filled) == (3, 1)
    assert [c.filled for c in preview.changes if c.case_id == small[0].id] == [True]


def test_the_preview_takes_a_fixed_number_of_queries_whatever_n(court, centre):
    debtors = debtors_with(lambda a: not a, 12)
    for d in debtors[:2]:
        file(court, centre, NOW, debtor_id=d, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 10, 5))
    with CaptureQueriesContext(connection) as few:
        assert ruleset_preview(court=court, rules=lowered_t3(1), last_n=200).changed == 2
    for d in debtors[2:]:
        file(court, centre, NOW, debtor_id=d, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 10, 6))
    with CaptureQueriesContext(connection) as many:
        assert ruleset_preview(court=court, rules=lowered_t3(1), last_n=200).changed == 12
    assert len(few) == len(many) == 1


# ---------------------------------------------------------------- activation


def test_an_activated_version_routes_the_next_pass_and_old_cases_keep_theirs(court, centre, director, plain_cases):
    small, _ = plain_cases
    first = active_ruleset(court)
    assert (first.version, first.is_active) == (1, True)
    draft = ruleset_draft_save(court=court, rules=lowered_t3(4_000_00), note="五千元以上归实施团队", actor=director, now=NOW)
    assert (draft.version, draft.is_active, draft.is_draft, draft.created_by) == (2, False, True, director)
    assert active_ruleset(court) == first  # a draft decides nothing

    ruleset_activate(ruleset=draft, actor=director, now=at(2026, 3, 2, 11))
    draft.refresh_from_db()
    first.refresh_from_db()
    assert (draft.is_active, draft.activated_by, draft.activated_at) == (True, director, at(2026, 3, 2, 11))
    assert not first.is_active and first.activated_at is not None  # once in force, kept as history
    assert active_ruleset(court) == draft

    (debtor,) = debtors_with(lambda a: not a, 6)[5:]
    new = file(court, centre, at(2026, 3, 2, 12), debtor_id=debtor, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 12, 5))
    new.refresh_from_db()
    assert (new.triage_rule, new.team.kind, new.triage_ruleset) == ("T3", "implementation", draft)
    assert CaseEvent.objects.get(case=new, kind="triaged").data["ruleset"] == 2
    for old in EnforcementCase.objects.filter(id__in=[c.id for c in small]).select_related("team"):
        assert (old.triage_rule, old.team.kind, old.triage_ruleset_id) == ("T5", "simple", first.id)


def test_an_activated_version_is_frozen_and_one_version_is_active(court, director):
    first = active_ruleset(court)
    with pytest.raises(RulesetRefused, match="第1版已启用过，不能修改；请以它为底新建草稿"):
        ruleset_draft_save(court=court, rules=lowered_t3(1), note="", actor=director, now=NOW, draft=first)
    with pytest.raises(RulesetRefused, match="第1版已在生效中"):
        ruleset_activate(ruleset=first, actor=director, now=NOW)
    draft = ruleset_draft_save(court=court, rules=lowered_t3(1), note="", actor=director, now=NOW)
    draft = ruleset_draft_save(court=court, rules=lowered_t3(2), note="改", actor=director, now=NOW, draft=draft)
    assert draft.version == 2 and draft.rules[2]["when"]["any"][0]["value"] == 2
    ruleset_activate(ruleset=draft, actor=director, now=NOW)
    ruleset_activate(ruleset=first, actor=director, now=at(2026, 3, 3))  # a roll-back
    assert list(TriageRuleSet.objects.filter(court=court, is_active=True)) == [first]
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageRuleSet.objects.filter(id=draft.id).update(is_active=True)


@pytest.mark.parametrize("username", ["centre", "simple1"])
def test_only_the_director_may_save_or_activate(court, username):
    officer = Officer.objects.get(user__username=username)
    with pytest.raises(RulesetRefused, match="无权修改分流规则：只有本院执行局长可以修改分流规则") as refused:
        ruleset_draft_save(court=court, rules=lowered_t3(1), note="", actor=officer, now=NOW)
    assert refused.value.forbidden
    director = Officer.objects.get(user__username="director")
    draft = ruleset_draft_save(court=court, rules=lowered_t3(1), note="", actor=director, now=NOW)
    with pytest.raises(RulesetRefused, match="无权启用分流规则"):
        ruleset_activate(ruleset=draft, actor=officer, now=NOW)
    draft.refresh_from_db()
    assert not draft.is_active and draft.activated_at is None


def test_the_director_of_another_court_may_not(court, director):
    from zhixing.courts.models import Court

    other = Court.objects.create(code="鄂0104", name="测试二院")
    with pytest.raises(RulesetRefused, match="无权修改分流规则"):
        ruleset_draft_save(court=other, rules=DEFAULT_RULES, note="", actor=director, now=NOW)


def test_activation_is_kept_in_the_audit_log(court, director):
    from auditlog.models import LogEntry

    draft = ruleset_draft_save(court=court, rules=lowered_t3(1), note="", actor=director, now=NOW)
    ruleset_activate(ruleset=draft, actor=director, now=NOW)
    entries = LogEntry.objects.get_for_object(draft)
    assert entries.count() >= 2  # created, then activated
    assert any("is_active" in (e.changes_dict or {}) for e in entries)


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_courts_latest_version_the_active_one():
    from django.db.migrations.executor import MigrationExecutor

    from zhixing.courts.models import Court

    executor = MigrationExecutor(connection)
    executor.migrate([("centre", "0001_initial")])
    try:
        old = executor.loader.project_state([("centre", "0001_initial")]).apps.get_model("centre", "TriageRuleSet")
        court = Court.objects.create(code="鄂0199", name="迁移测试院")
        for version in (1, 2):
            old.objects.create(court_id=court.id, version=version, rules=DEFAULT_RULES, created_at=at(2026, 1, version))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = list(
        TriageRuleSet.objects.filter(court=court).order_by("version")
        .values_list("version", "is_active", "activated_at")
    )
    assert rows == [(1, False, at(2026, 1, 1)), (2, True, at(2026, 1, 2))]
    assert active_ruleset(court).version == 2
