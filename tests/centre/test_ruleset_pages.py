"""The director's page for the triage rules (分流规则) and the case page's 人工改分
form: edit thresholds and order, preview against the last cases, activate."""

import re

import pytest

from tests.centre.test_pipeline import debtors_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.centre.models import TriageRuleSet
from zhixing.centre.services import robot_pass
from zhixing.courts.models import Officer


def login(client, username):
    client.force_login(Officer.objects.get(user__username=username).user)
    return client


@pytest.fixture
def triaged(court, centre):
    """Three small cases (simple team) and one large claim (implementation)."""
    debtors = debtors_with(lambda a: not a, 4)
    cases = [file(court, centre, at(2026, 3, 2), debtor_id=d, amount="5000.00") for d in debtors[:3]]
    cases.append(file(court, centre, at(2026, 3, 2), debtor_id=debtors[3], amount="2000000.00"))
    robot_pass(now=at(2026, 3, 2, 10, 5))
    return cases


def form_data(html: str) -> dict:
    """The editor's fields as the browser would post them."""
    data = {}
    for name, value in re.findall(r'<input type="(?:text|hidden|number)" name="([^"]+)"[^>]*?value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        data[name] = re.search(r'<option value="([^"]+)" selected', body).group(1)
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_the_nav_shows_the_rules_to_the_director_and_the_centre_only(court, client):
    assert "分流规则</a>" in login(client, "director").get("/board/").content.decode()
    assert "分流规则</a>" in login(client, "centre").get("/board/").content.decode()
    assert "分流规则</a>" not in login(client, "simple1").get("/workbench/").content.decode()
    assert login(client, "simple1").get("/centre/rules/").status_code == 403


def test_the_list_marks_the_active_version(court, client, triaged):
    body = login(client, "director").get("/centre/rules/").content.decode()
    assert "第1版" in body and "生效中" in body
    assert re.search(r"<td class=\"num\">4</td>", body)  # four cases decided by version 1


def test_the_director_edits_a_threshold_previews_and_activates(court, client, centre, triaged):
    client = login(client, "director")
    response = client.post("/centre/rules/new/", {"base": "1"})
    assert response.status_code == 302 and response["Location"] == "/centre/rules/2/"
    page = client.get("/centre/rules/2/").content.decode()
    data = form_data(page)
    assert data["value-2-0"] == "1000000.00" and data["team-2"] == "implementation" and data["order"] == "0,1,2,3,4"

    # A bad amount: refused in Chinese, the typed value kept, nothing saved.
    bad = client.post("/centre/rules/2/", {**data, "value-2-0": "一百万", "action": "save"})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "规则T3：申请执行标的额的阈值应为金额，如 50000.00" in body and 'value="一百万"' in body
    assert TriageRuleSet.objects.get(court=court, version=2).rules[2]["when"]["any"][0]["value"] == 100_000_000

    # Preview without saving: three cases would move from simple to implementation.
    shown = client.post("/centre/rules/2/", {**data, "value-2-0": "4000", "action": "preview"})
    body = shown.content.decode()
    assert shown.status_code == 200
    assert "最近4件已分流案件中，<strong>3</strong>件将改变团队" in body
    for case in triaged[:3]:
        assert f'<a href="/cases/{case.id}/">{case.case_number}</a>' in body
    assert f"/cases/{triaged[3].id}/" not in body
    assert TriageRuleSet.objects.get(court=court, version=2).rules[2]["when"]["any"][0]["value"] == 100_000_000

    saved = client.post(
        "/centre/rules/2/", {**data, "value-2-0": "4,000.00", "note": "五千元案件归实施", "action": "save", "n": "200"}
    )
    assert saved.status_code == 302 and saved["Location"] == "/centre/rules/2/?n=200#preview"
    version2 = TriageRuleSet.objects.get(court=court, version=2)
    assert version2.rules[2]["when"]["any"][0]["value"] == 4_000_00
    assert (version2.note, version2.is_active) == ("五千元案件归实施", False)
    body = client.get(saved["Location"]).content.decode()
    assert "<strong>3</strong>件将改变团队" in body and "启用第2版" in body

    assert client.post("/centre/rules/2/activate/").status_code == 302
    version2.refresh_from_db()
    assert version2.is_active and version2.activated_by.user.username == "director"
    assert "已启用分流规则第2版" in client.get("/centre/rules/").content.decode()
    # Frozen now: no form, and a post is refused.
    assert 'name="value-2-0"' not in client.get("/centre/rules/2/").content.decode()
    assert client.post("/centre/rules/2/", {**data, "action": "save"}).status_code == 422

    (debtor,) = debtors_with(lambda a: not a, 5)[4:]
    new = file(court, centre, at(2026, 3, 2, 12), debtor_id=debtor, amount="5000.00")
    robot_pass(now=at(2026, 3, 2, 12, 5))
    new.refresh_from_db()
    assert (new.triage_rule, new.team.kind, new.triage_ruleset.version) == ("T3", "implementation", 2)


def test_move_buttons_reorder_the_form_without_saving(court, client, triaged):
    client = login(client, "director")
    client.post("/centre/rules/new/", {"base": "1"})
    data = form_data(client.get("/centre/rules/2/").content.decode())
    body = client.post("/centre/rules/2/", {**data, "move": "up-3"}).content.decode()
    assert form_data(body)["order"] == "0,1,3,2,4"
    ids = re.findall(r'<td class="num">\d+</td>\s*<td>(T\d)</td>', body)
    assert ids == ["T1", "T2", "T4", "T3", "T5"]
    assert TriageRuleSet.objects.get(court=court, version=2).rules[2]["id"] == "T3"
    saved = client.post("/centre/rules/2/", {**form_data(body), "action": "save"})
    assert saved.status_code == 302
    assert [r["id"] for r in TriageRuleSet.objects.get(court=court, version=2).rules] == ["T1", "T2", "T4", "T3", "T5"]
    # The catch-all moved up is refused by the rules' own check.
    data = form_data(client.get("/centre/rules/2/").content.decode())
    body = client.post("/centre/rules/2/", {**data, "order": "0,1,3,4,2", "action": "save"}).content.decode()
    assert "规则T5：兜底规则之后的规则永远不会适用" in body


def test_the_centre_may_look_and_preview_but_not_change(court, client, triaged):
    login(client, "director").post("/centre/rules/new/", {"base": "1"})
    client = login(client, "centre")
    page = client.get("/centre/rules/2/?n=2")
    body = page.content.decode()
    assert page.status_code == 200 and 'name="value-2-0"' not in body and "最近2件已分流案件中" in body
    assert "启用第2版" not in body
    refused = client.post("/centre/rules/2/activate/")
    assert refused.status_code == 403 and "只有本院执行局长可以启用分流规则" in refused.content.decode()
    assert client.post("/centre/rules/2/", {"action": "save"}).status_code == 403
    assert client.post("/centre/rules/new/", {"base": "1"}).status_code == 403
    assert not TriageRuleSet.objects.get(court=court, version=2).is_active


def test_a_bad_n_is_reported(court, client, triaged):
    body = login(client, "centre").get("/centre/rules/1/?n=abc")
    assert body.status_code == 422 and "预览案件数：应为1至5000之间的整数" in body.content.decode()


def test_the_case_page_reroutes_with_a_reason(court, client, triaged):
    case = triaged[0]
    client = login(client, "centre")
    body = client.get(f"/cases/{case.id}/").content.decode()
    assert "<h2>人工改分</h2>" in body
    refused = client.post(f"/cases/{case.id}/reroute/", {"team": "implementation", "reason": " ", "version": "3"})
    assert refused.status_code == 422 and "请填写改分理由" in refused.content.decode()
    case.refresh_from_db()
    done = client.post(
        f"/cases/{case.id}/reroute/", {"team": "implementation", "reason": "同一集团关联案件", "version": str(case.version)}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.team.kind == "implementation"
    assert CaseEvent.objects.get(case=case, kind="rerouted").data["reason"] == "同一集团关联案件"
    assert "人工改分" in client.get(f"/cases/{case.id}/").content.decode()


def test_a_handler_sees_no_reroute_form_and_may_not_post(court, client, triaged):
    case = triaged[0]
    client = login(client, "simple1")
    assert "<h2>人工改分</h2>" not in client.get(f"/cases/{case.id}/").content.decode()
    refused = client.post(f"/cases/{case.id}/reroute/", {"team": "implementation", "reason": "x", "version": "3"})
    assert refused.status_code == 403
    assert EnforcementCase.objects.get(id=case.id).team.kind == "simple"
