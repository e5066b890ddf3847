"""登记给付内容: interest the title awards and instalments, recorded with an
event, refused field by field in Chinese, and used by the calculator."""

from datetime import date

import pytest

from tests.centre.test_dispatch import dispatched
from tests.conftest import at
from zhixing.cases.models import CaseEvent
from zhixing.funds.due import case_due
from zhixing.funds.models import Terms
from zhixing.funds.terms import TermsInput, TermsRefused, terms_record

NOW = at(2026, 3, 2, 15)


@pytest.fixture
def case(court, centre):
    (case,) = dispatched(court, centre, at(2026, 3, 2, 9))
    return case


def test_recorded_interest_is_owed_and_the_event_says_what(case, handler):
    before = case_due(case, date(2026, 12, 31))
    terms_record(
        officer=handler,
        case_id=case.id,
        raw=TermsInput(interest_awarded="1,000", interest_rate="3.65%", interest_from="2026-01-01"),
        now=NOW,
    )
    after = case_due(case, date(2026, 12, 31))
    # 1,000 awarded + 123,456.78 × 3.65% × 364/365 days (2026-01-01 to 2026-12-31, start day not counted)
    assert after.interest == 1_000_00 + round(123_456_78 * 365 * 364 / (10_000 * 365))
    assert after.principal == before.principal and after.doubled_interest == before.doubled_interest
    (event,) = CaseEvent.objects.filter(case=case, kind="terms_recorded")
    assert event.actor == handler
    assert event.detail == "登记给付内容：判决确定的利息1,000.00元；一般债务利息年利率3.65%，自2026年01月01日起算"


def test_instalments_must_add_up_to_the_claim(case, handler):
    with pytest.raises(TermsRefused, match="各期合计 100,000.00 元，与申请执行标的额 123,456.78 元不符"):
        terms_record(officer=handler, case_id=case.id, raw=TermsInput(instalments="2026-06-30 100000"), now=NOW)
    terms_record(
        officer=handler,
        case_id=case.id,
        raw=TermsInput(instalments="2026-01-15 23456.78\n2026-06-30 100000"),
        now=NOW,
    )
    assert Terms.objects.get(case=case).instalments == [
        {"amount": 23_456_78, "due_on": "2026-01-15"},
        {"amount": 100_000_00, "due_on": "2026-06-30"},
    ]
    assert case_due(case, date(2026, 3, 1)).not_yet_due == 100_000_00


@pytest.mark.parametrize(
    "raw, message",
    [
        (TermsInput(interest_awarded="一千"), "判决确定的利息：金额格式不正确"),
        (TermsInput(interest_rate="abc", interest_from="2026-01-01"), "年利率：格式不正确"),
        (TermsInput(interest_rate="120%", interest_from="2026-01-01"), "年利率：应大于0且小于100%"),
        (TermsInput(interest_rate="3.85%"), "利息起算日：填写年利率时必须填写起算日"),
        (TermsInput(interest_from="2026-01-01"), "年利率：填写利息起算日时必须填写年利率"),
        (TermsInput(interest_rate="3.85%", interest_from="2026/01/01"), "利息起算日：格式应为 YYYY-MM-DD"),
        (TermsInput(instalments="2026-06-30"), "分期履行第1行：应为“到期日 金额”"),
        (TermsInput(instalments="2026-06-31 100"), "分期履行第1行：到期日格式应为"),
        (TermsInput(instalments="2026-06-30 0"), "分期履行第1行：金额必须大于零"),
    ],
)
def test_bad_terms_are_refused_by_field_and_nothing_is_written(case, handler, raw, message):
    with pytest.raises(TermsRefused, match=message):
        terms_record(officer=handler, case_id=case.id, raw=raw, now=NOW)
    assert not Terms.objects.exists()
    assert not CaseEvent.objects.filter(kind="terms_recorded").exists()


def test_the_case_page_records_terms_and_shows_a_refusal(case, handler, client):
    client.force_login(handler.user)
    bad = client.post(f"/cases/{case.id}/terms/", {"interest_rate": "3.85%"}, follow=True)
    assert "给付内容未登记：利息起算日：填写年利率时必须填写起算日" in bad.content.decode()
    ok = client.post(
        f"/cases/{case.id}/terms/", {"interest_rate": "3.85%", "interest_from": "2026-01-16"}, follow=True
    )
    html = ok.content.decode()
    assert "给付内容已登记" in html and 'value="3.85%"' in html
    assert Terms.objects.get(case=case).interest_rate == "0.0385"


def test_a_clerk_may_not_record_terms(case, court):
    from zhixing.courts.models import Officer

    clerk = Officer.objects.get(court=court, user__username="simple5")
    with pytest.raises(TermsRefused, match="书记员不能登记给付内容"):
        terms_record(officer=clerk, case_id=case.id, raw=TermsInput(interest_awarded="1"), now=NOW)
