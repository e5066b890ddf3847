"""The API contract of issue #2: POST /api/v1/cases, GET /api/v1/cases/{id},
GET /api/v1/stats. Other court systems integrate with these names."""

import json

import pytest

from tests.conftest import application_json, person_id
from zhixing.cases.models import CaseEvent, EnforcementCase, Party
from zhixing.centre.services import robot_pass
from zhixing.courts.models import Court, Officer


def post(client, token, body, raw=None):
    return client.post(
        "/api/v1/cases",
        data=raw if raw is not None else json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def get(client, token, url):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_filing_over_the_api_returns_the_new_case(client, api_token, court):
    response = post(client, api_token, application_json())
    assert response.status_code == 201
    body = response.json()
    assert body["case_number"] == "（2026）鄂0105执1号"
    assert body["state"] == "filed"
    assert body["amount_claimed"] == "123456.78"
    assert body["amount_recovered"] == "0.00"
    assert [e["kind"] for e in body["events"]] == ["filed"]
    assert body["events"][0]["actor"] == "王敏"


def test_end_to_end_filed_over_the_api_is_dispatched_after_one_robot_pass(client, api_token, court):
    from django.utils import timezone

    case_id = post(client, api_token, application_json()).json()["id"]
    robot_pass(now=timezone.now())
    body = get(client, api_token, f"/api/v1/cases/{case_id}").json()
    assert body["state"] == "dispatched"
    assert body["team"] in {"one_shot", "simple", "disposal", "implementation"}
    assert body["handler"]
    assert body["triage"]["rule"] in {"T2", "T3", "T4", "T5"}
    assert body["triage"]["reason"].startswith(body["triage"]["rule"])
    assert [e["kind"] for e in body["events"]] == [
        "filed", "inquiry_started", "inquiry_finished", "triaged", "dispatched"
    ]
    assert all(e["actor"] == "机器人法官助理" for e in body["events"][1:])
    assert {m["kind"] for m in body["milestones"]} >= {"handler_assigned", "first_inquiry", "time_limit"}
    assert all(set(a) >= {"kind", "holder", "value"} for a in body["assets"])


def test_a_bad_body_is_refused_field_by_field_in_chinese_and_nothing_is_written(client, api_token, court):
    body = application_json(amount="12.345")
    body["debtors"][0]["id_number"] = body["debtors"][0]["id_number"][:-1] + (
        "0" if body["debtors"][0]["id_number"][-1] != "0" else "1"
    )
    body["title"]["due_on"] = "2026-13-01"
    body["creditors"] = []
    response = post(client, api_token, body)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"amount_claimed", "debtors[0].id_number", "title.due_on", "creditors"}
    assert "最多两位小数" in errors["amount_claimed"]
    assert "校验位" in errors["debtors[0].id_number"]
    assert "日期" in errors["title.due_on"]
    assert errors["creditors"] == "至少填写一名"
    assert EnforcementCase.objects.count() == 0
    assert Party.objects.count() == 0


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_an_application_is_refused(client, api_token, court, raw):
    response = post(client, api_token, None, raw=raw)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"]
    assert EnforcementCase.objects.count() == 0


def test_no_token_or_a_wrong_token_is_unauthorised(client, court):
    assert post(client, "", application_json()).status_code == 401
    assert post(client, "zx_wrong", application_json()).status_code == 401
    assert EnforcementCase.objects.count() == 0


def test_a_case_of_another_court_is_not_found(client, api_token, court, django_user_model):
    other = Court.objects.create(code="鄂0102", name="武汉市江岸区人民法院")
    user = django_user_model.objects.create_user("jiangan", password="pw")
    Officer.objects.create(user=user, court=other, role="centre", name="江岸干警")
    from zhixing.courts.services import token_create

    other_token = token_create(username="jiangan")
    case_id = post(client, api_token, application_json()).json()["id"]
    assert get(client, other_token, f"/api/v1/cases/{case_id}").status_code == 404
    assert get(client, api_token, "/api/v1/cases/999999").status_code == 404


def test_stats_over_a_period(client, api_token, court):
    post(client, api_token, application_json())
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    body = get(client, api_token, f"/api/v1/stats?from={today}&to={today}").json()
    assert body["new_cases"] == 1
    assert body["closed_cases"] == 0
    assert body["mean_days"] is None and body["performed_rate"] is None
    assert set(body) >= {"new_cases", "closed_cases", "mean_days", "performed_rate", "recovery_rate", "fast_track_share"}


def test_stats_with_a_bad_period_is_refused_in_chinese(client, api_token, court):
    response = get(client, api_token, "/api/v1/stats?from=2026-02-30&to=2026-01-01")
    assert response.status_code == 422
    assert response.json()["errors"]
    response = get(client, api_token, "/api/v1/stats?from=2026-03-01&to=2026-01-01")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "不能早于统计期间起"


def test_the_docs_page_is_served_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"type", "title", "creditors", "debtors", "amount_claimed"}


def test_the_same_debtor_filed_twice_is_one_party(client, api_token, court):
    code = person_id(5)
    post(client, api_token, application_json(debtor_id=code))
    post(client, api_token, application_json(debtor_id=code))
    assert Party.objects.filter(id_code=code).count() == 1
    assert CaseEvent.objects.filter(kind="filed").count() == 2


def test_a_second_inquiry_does_not_double_the_assets_shown(client, api_token, court):
    from django.utils import timezone

    from tests.centre.test_pipeline import debtor_with
    from zhixing.inquiry.providers import SimulatedProvider
    from zhixing.inquiry.services import inquiries_rerun

    code, assets = debtor_with(lambda a: len(a) >= 2)
    case_id = post(client, api_token, application_json(debtor_id=code)).json()["id"]
    robot_pass(now=timezone.now())
    inquiries_rerun(cases=[EnforcementCase.objects.get(pk=case_id)], provider=SimulatedProvider(), now=timezone.now())
    body = get(client, api_token, f"/api/v1/cases/{case_id}").json()
    assert len(body["assets"]) == len(assets)
