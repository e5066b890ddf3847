"""The case page's 线下查询 / 财产线索 / 延长审限 section: its forms call the
services and come back with a message; what a person found shows among the
case's assets beside the latest network inquiry's (never twice)."""

from datetime import date

from tests.centre.test_pipeline import cash, debtor_with
from tests.web.conftest import at, file, table
from zhixing.cases.models import Extension
from zhixing.centre.services import robot_pass
from zhixing.courts.models import Officer
from zhixing.inquiry.models import Asset, Inquiry
from zhixing.tasks.models import Lead, Task


def dispatched(court, centre, when, predicate=lambda a: not a, **kw):
    code, _ = debtor_with(predicate)
    (case,) = file(court, centre, when, debtor_ids=[code], **kw)
    robot_pass(now=when)
    case.refresh_from_db()
    assert case.state == "dispatched"
    return case


def as_handler(login, case):
    return login(Officer.objects.get(pk=case.handler_id).user.username)


def test_ordering_and_recording_a_field_inquiry_from_the_case_page(court, centre, login, today):
    case = dispatched(court, centre, at(2026, 3, 2, 9))
    client = login("centre")
    url = f"/cases/{case.id}/"
    response = client.post(
        f"{url}field-inquiries/",
        {"officer": case.handler_id, "place": "汉阳区不动产登记中心", "due_on": "2026-03-06"},
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#case-tasks"
    task = Task.objects.get(kind="field_inquiry")
    body = client.get(url).content.decode()
    assert "已安排线下查询" in body
    assert table(body, "<h2>线下查询</h2>")[0][:4] == ["汉阳区不动产登记中心", case.handler.name, "2026-03-06", "剩余4天"]

    client.post(
        f"/tasks/{task.id}/field-result/",
        {"result": "查见车辆", "kind": "vehicle", "holder": "武汉市车管所", "value": "12,000", "detail": "鄂A00001"},
    )
    body = client.get(url).content.decode()
    assert "已登记线下查询结果" in body
    assets = table(body, "<h2>查得财产")
    assert ["车辆", "武汉市车管所", "12,000.00", "鄂A00001"] in [r[:4] for r in assets]


def test_a_bad_amount_comes_back_as_a_message_and_records_nothing(court, centre, login, today):
    case = dispatched(court, centre, at(2026, 3, 2, 9))
    client = login("centre")
    client.post(f"/cases/{case.id}/field-inquiries/", {"officer": case.handler_id, "place": "某地", "due_on": "2026-03-06"})
    task = Task.objects.get()
    client.post(f"/tasks/{task.id}/field-result/", {"result": "查见", "kind": "deposit", "holder": "某银行", "value": "1.234"})
    body = client.get(f"/cases/{case.id}/").content.decode()
    assert "查得财产的价值：金额格式不正确" in body
    task.refresh_from_db()
    assert task.done_at is None and not Asset.objects.filter(source="field").exists()
    client.post(f"/cases/{case.id}/field-inquiries/", {"officer": case.handler_id, "place": "某地", "due_on": "2026-03-01"})
    assert "完成期限2026年3月1日早于今天" in client.get(f"/cases/{case.id}/").content.decode()
    assert Task.objects.count() == 1


def test_reporting_and_checking_a_lead_from_the_case_page(court, centre, login, today):
    case = dispatched(court, centre, at(2026, 3, 2, 9))
    creditor = case.case_parties.get(role="creditor").party
    client = login("centre")
    client.post(
        f"/cases/{case.id}/leads/",
        {"party": creditor.id, "kind": "real_estate", "description": "某小区1栋", "urgent": "on"},
    )
    lead = Lead.objects.get()
    assert (lead.urgent, lead.due_on) == (True, date(2026, 3, 5))
    body = client.get(f"/cases/{case.id}/").content.decode()
    row = table(body, "<h2>财产线索</h2>")[0]
    assert row[:6] == ["2026-03-02", creditor.name, "不动产 紧急", "某小区1栋", "2026-03-05", "剩余3天"]
    as_handler(login, case).post(
        f"/leads/{lead.id}/check/", {"result": "属实", "kind": "real_estate", "holder": "不动产登记中心", "value": "500000"}
    )
    lead.refresh_from_db()
    assert lead.checked_on == date(2026, 3, 2) and lead.asset.source == "lead"


def test_another_courts_officer_cannot_touch_a_lead(court, centre, login, today, other_court, client):
    case = dispatched(court, centre, at(2026, 3, 2, 9))
    client.force_login(Officer.objects.get(user__username="other_centre").user)
    assert client.post(f"/cases/{case.id}/leads/", {"kind": "deposit", "description": "x"}).status_code == 404
    assert not Lead.objects.exists()


def test_the_page_shows_person_found_assets_beside_only_the_latest_network_inquiry(court, centre, login, today):
    case = dispatched(court, centre, at(2026, 3, 2, 9), predicate=lambda a: cash(a) > 0)
    first = Inquiry.objects.get(case=case)
    network = list(Asset.objects.filter(inquiry=first))
    again = Inquiry.objects.create(
        court=court, case=case, provider=first.provider, kinds=first.kinds, round=2,
        started_at=at(2026, 3, 2, 12), finished_at=at(2026, 3, 2, 12),
    )
    for a in network:  # the network reports the same accounts again
        Asset.objects.create(court=court, case=case, inquiry=again, debtor_id=a.debtor_id, kind=a.kind, holder=a.holder, value=a.value)
    Asset.objects.create(court=court, case=case, source="lead", debtor_id=network[0].debtor_id, kind="vehicle", holder="车管所", value=1_00)
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    assert f"共{len(network) + 1}项" in body


def test_extension_from_the_case_page_and_the_directors_board(court, centre, login, today):
    # Filed 1 September 2025: six months end Sunday 1 March, so the limit is today.
    title = {"number": "（2025）鄂0105民初1号", "kind": "民事判决书", "effective_on": "2025-08-01", "due_on": "2025-08-11"}
    case = dispatched(court, centre, at(2025, 9, 1, 9), title=title)
    handler = as_handler(login, case)
    body = handler.get(f"/cases/{case.id}/").content.decode()
    assert "申请延长审限3个月" in body
    handler.post(f"/cases/{case.id}/extension/", {"reason": "拍卖尚未成交"})
    ext = Extension.objects.get()
    director = login("director")
    board = director.get("/board/").content.decode()
    assert table(board, 'id="extensions"')[0][:4] == [case.case_number, case.handler.name, "拍卖尚未成交", "2026-03-02"]
    response = director.post(f"/extensions/{ext.id}/decide/", {"decision": "approve", "reason": "同意", "next": "board"})
    assert response["Location"] == "/board/"
    ext.refresh_from_db()
    # 1 September 2025 + 9 months = Monday 1 June 2026.
    assert (ext.status, ext.new_due_on) == ("approved", date(2026, 6, 1))
    assert "没有待审批的延长审限申请" in director.get("/board/").content.decode()


def test_a_request_outside_the_window_says_when_it_opens(court, centre, login, today):
    case = dispatched(court, centre, at(2026, 3, 2, 9))
    handler = as_handler(login, case)
    body = handler.get(f"/cases/{case.id}/").content.decode()
    assert "申请延长审限3个月" not in body and "自2026年8月28日起可以申请" in body
    handler.post(f"/cases/{case.id}/extension/", {"reason": "理由"})
    assert "自2026年8月28日起可以申请" in handler.get(f"/cases/{case.id}/").content.decode()
    assert not Extension.objects.exists()
