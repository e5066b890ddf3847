"""The calculator over the API (issue 4 contract): GET /api/v1/calc/fee and
GET /api/v1/cases/{id}/due, token-authenticated like every other endpoint."""

from datetime import date

import pytest
from django.db import transaction

from tests.conftest import application_json, at
from zhixing.cases.services import cases_file
from zhixing.courts.models import Court, Officer
from zhixing.funds.ledger import Posting, ledger_post
from zhixing.intake.parsing import parse_application


def get(client, token, url):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def case(court, centre, now):
    (case,) = cases_file(
        court=court, actor=centre, now=now,
        applications=[parse_application(application_json(amount="100000"), today=date(2026, 3, 2))[0]],
    )
    return case


@pytest.mark.parametrize(
    ("amount", "fee"),
    [("10000", "50.00"), ("100000", "1400.00"), ("123456.78", "1751.85"), ("500,000.00", "7400.00"),
     ("1000000", "12400.00"), ("5000000", "52400.00"), ("20000000", "87400.00")],
)
def test_calc_fee_gives_the_fee_in_yuan(client, api_token, amount, fee):
    r = get(client, api_token, f"/api/v1/calc/fee?amount={amount}")
    assert r.status_code == 200
    assert r.json()["fee"] == fee


@pytest.mark.parametrize(("amount", "message"), [("", "金额不能为空"), ("-5", "金额不能为负数"), ("1.234", "最多两位小数"),
                                                 ("abc", "金额格式不正确")])
def test_a_bad_amount_is_422_naming_the_field_in_chinese(client, api_token, amount, message):
    r = get(client, api_token, f"/api/v1/calc/fee?amount={amount}")
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert (error["field"], error["label"]) == ("amount", "执行金额")
    assert message in error["message"]


def test_calc_fee_needs_a_token_like_the_other_endpoints(client):
    assert client.get("/api/v1/calc/fee?amount=100").status_code == 401


def test_case_due_on_a_day(client, api_token, case, court):
    with transaction.atomic():
        ledger_post(court_id=court.id, now=at(2026, 3, 2),
                    postings=[Posting("receipt", 50_000_00, date(2026, 2, 14), case_id=case.id, reference="B1")])
    body = get(client, api_token, f"/api/v1/cases/{case.id}/due?on=2026-03-16").json()
    # 30 days on 100,000 (525) + 30 days on 50,000 (262.50); fee on the claim 1,400.
    assert {k: body[k] for k in ("principal", "interest", "doubled_interest", "fee", "paid", "total")} == {
        "principal": "50000.00", "interest": "0.00", "doubled_interest": "787.50", "fee": "1400.00",
        "paid": "50000.00", "total": "52187.50",
    }
    assert body["on"] == "2026-03-16" and body["reasons"]


def test_case_due_defaults_to_today(client, api_token, case, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 1, 16))
    body = get(client, api_token, f"/api/v1/cases/{case.id}/due").json()
    assert (body["on"], body["doubled_interest"]) == ("2026-01-16", "17.50")


def test_case_due_with_a_bad_date_is_422(client, api_token, case):
    r = get(client, api_token, f"/api/v1/cases/{case.id}/due?on=2026-02-30")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "on"


def test_case_due_of_another_court_is_404(client, case, django_user_model):
    other = Court.objects.create(code="鄂0102", name="武汉市江岸区人民法院")
    user = django_user_model.objects.create_user("jiangan", password="pw")
    Officer.objects.create(user=user, court=other, role="centre", name="江岸干警")
    from zhixing.courts.services import token_create

    assert get(client, token_create(username="jiangan"), f"/api/v1/cases/{case.id}/due").status_code == 404


def test_both_are_in_the_openapi_docs(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/calc/fee" in paths and "/api/v1/cases/{case_id}/due" in paths
