"""延长审限: the handler asks in the last five days of the limit, the director
decides; approval adds three months on top of the excluded periods, and a
period that ends later still moves the extended limit. Refusals say why and
write nothing. Cases are filed on Monday 5 January 2026 (limit 6 July)."""

from datetime import date

import pytest

from tests.cases.test_periods import limit, on_time
from tests.conftest import at
from zhixing.cases.models import CaseEvent, Extension
from zhixing.cases.periods import (
    TIME_LIMIT_PAUSED,
    ExtensionRefused,
    cases_period_end,
    cases_period_start,
    extension_decide,
    extension_request,
)
from zhixing.courts.models import Officer


@pytest.fixture
def case(court, centre):
    c = on_time(court, centre)
    assert limit(c).due_on == date(2026, 7, 6)
    return c


def handler_of(case):
    return Officer.objects.get(pk=case.handler_id)


def test_too_early_is_refused_with_the_day_it_opens(case):
    with pytest.raises(ExtensionRefused, match="自2026年7月1日起可以申请"):
        extension_request(case=case, reason="拍卖尚未成交", actor=handler_of(case), now=at(2026, 6, 30))
    assert not Extension.objects.exists()
    assert not CaseEvent.objects.filter(kind="extension_requested").exists()


def test_only_the_handler_asks_and_only_the_director_decides(case, centre, director):
    with pytest.raises(ExtensionRefused, match="只有本案承办人"):
        extension_request(case=case, reason="理由", actor=centre, now=at(2026, 7, 2))
    ext = extension_request(case=case, reason="理由", actor=handler_of(case), now=at(2026, 7, 2))
    with pytest.raises(ExtensionRefused, match="只有执行局长"):
        extension_decide(extension=ext, approve=True, reason="", actor=centre, now=at(2026, 7, 3))
    with pytest.raises(ExtensionRefused, match="不批准的，请填写理由"):
        extension_decide(extension=ext, approve=False, reason=" ", actor=director, now=at(2026, 7, 3))
    ext.refresh_from_db()
    assert ext.status == "pending" and limit(case).due_on == date(2026, 7, 6)
    assert not CaseEvent.objects.filter(kind="extension_decided").exists()


def test_approval_adds_three_months_after_an_excluded_period(case, director):
    handler = handler_of(case)
    cases_period_start(cases=[case], kind="appraisal", actor=handler, now=at(2026, 3, 2), start_on=date(2026, 3, 2))
    cases_period_end(cases=[case], kind="appraisal", actor=handler, now=at(2026, 3, 12))
    # 5 July + 10 days = Wednesday 15 July.
    assert limit(case).due_on == date(2026, 7, 15)
    ext = extension_request(case=case, reason="评估后拍卖程序尚需时间", actor=handler, now=at(2026, 7, 10))
    assert (ext.limit_due_on, ext.status, ext.months) == (date(2026, 7, 15), "pending", 3)
    assert CaseEvent.objects.get(kind="extension_requested").detail == (
        "申请延长审限3个月（审限于2026年7月15日届满）：评估后拍卖程序尚需时间"
    )
    with pytest.raises(ExtensionRefused, match="已有待审批"):
        extension_request(case=case, reason="再次申请", actor=handler, now=at(2026, 7, 11))
    extension_decide(extension=ext, approve=True, reason="同意延长", actor=director, now=at(2026, 7, 12))
    # 5 October + 10 days = Thursday 15 October.
    m = limit(case)
    assert (m.due_on, m.basis) == (date(2026, 10, 15), "审限规定第五条、第九条：扣除10天；经批准延长3个月")
    ext.refresh_from_db()
    assert (ext.status, ext.new_due_on, ext.decided_by) == ("approved", date(2026, 10, 15), director)
    assert CaseEvent.objects.get(kind="extension_decided").detail == (
        "批准延长审限3个月（同意延长）；法定结案期限延至2026年10月15日"
    )
    with pytest.raises(ExtensionRefused, match="最长不得超过3个月"):
        extension_request(case=case, reason="再延", actor=handler, now=at(2026, 10, 12))
    with pytest.raises(ExtensionRefused, match="已审批"):
        extension_decide(extension=ext, approve=True, reason="", actor=director, now=at(2026, 7, 13))
    # A later auction still moves the extended limit, and keeps the extension.
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 8, 3))
    assert limit(case).due_on == TIME_LIMIT_PAUSED
    cases_period_end(cases=[case], kind="auction", actor=handler, now=at(2026, 8, 13))
    assert limit(case).due_on == date(2026, 10, 26)  # 5 Oct + 20 days = Sunday 25 → Monday 26


def test_refusal_keeps_the_limit_and_allows_no_second_request_while_late(case, director):
    handler = handler_of(case)
    ext = extension_request(case=case, reason="理由", actor=handler, now=at(2026, 7, 6))
    extension_decide(extension=ext, approve=False, reason="无特殊情况", actor=director, now=at(2026, 7, 6, 16))
    assert limit(case).due_on == date(2026, 7, 6)
    assert CaseEvent.objects.get(kind="extension_decided").detail == "不批准延长审限：无特殊情况"
    with pytest.raises(ExtensionRefused, match="已于2026年7月6日届满"):
        extension_request(case=case, reason="再申请", actor=handler, now=at(2026, 7, 7))


def test_no_request_while_a_period_pauses_the_limit(case):
    handler = handler_of(case)
    cases_period_start(cases=[case], kind="auction", actor=handler, now=at(2026, 7, 2))
    with pytest.raises(ExtensionRefused, match="暂停计算"):
        extension_request(case=case, reason="理由", actor=handler, now=at(2026, 7, 3))
