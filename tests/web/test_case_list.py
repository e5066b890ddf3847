"""案件: the court's cases, filtered by what the board and the charts link to."""

import pytest

from tests.conftest import company_code
from tests.web.conftest import Network, at, file, officer, table
from zhixing.cases.services import cases_close
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive


def numbers(body: str) -> list[str]:
    return [row[0] for row in table(body, "</form>")] if "<tbody" in body else []


@pytest.fixture
def cases(court, centre, today):
    """执1–2 filed in February and dispatched (执1 to 陈静, 执2 to 杨洋), 执1
    closed as performed on 2026-02-20; 执3 and 执保1 filed today."""
    first = file(court, centre, at(2026, 2, 2, 9), n=2)
    robot_pass(now=at(2026, 2, 2, 11), provider=Network())
    case = first[0]
    case.refresh_from_db()
    funds_receive(
        receipts=[Receipt(case=case, amount=case.amount_claimed)], actor=None, now=at(2026, 2, 20)
    )
    cases_close(cases=[case], mode="performed", actor=officer("simple1"), now=at(2026, 2, 20, 16))
    file(
        court,
        centre,
        at(2026, 3, 2, 9),
        debtors=[
            {"kind": "company", "name": "汉阳某某置业有限公司", "credit_code": company_code(77)}
        ],
    )
    file(court, centre, at(2026, 3, 2, 9), type_="执保")


def test_the_list_shows_every_case_newest_first_with_its_columns(cases, login):
    body = login("centre").get("/cases/").content.decode()
    assert "共4件" in body
    assert numbers(body) == [
        "（2026）鄂0105执保1号",
        "（2026）鄂0105执3号",
        "（2026）鄂0105执2号",
        "（2026）鄂0105执1号",
    ]
    assert table(body, "</form>")[-1] == [
        "（2026）鄂0105执1号",
        "武汉某某建材有限公司 → 被执行人0",
        "123,456.78",
        "已结案 执行完毕",
        "简易执行团队",
        "陈静",
        "2026-02-02",
    ]


FILTERS = {
    "state=dispatched": ["（2026）鄂0105执2号"],
    "state=closed&closing_mode=performed": ["（2026）鄂0105执1号"],
    "type_code=执保": ["（2026）鄂0105执保1号"],
    "team=simple": ["（2026）鄂0105执2号", "（2026）鄂0105执1号"],
    "filed_from=2026-03-01": ["（2026）鄂0105执保1号", "（2026）鄂0105执3号"],
    "filed_to=2026-02-28": ["（2026）鄂0105执2号", "（2026）鄂0105执1号"],
    "closed_from=2026-02-20&closed_to=2026-02-20": ["（2026）鄂0105执1号"],
    "closed_from=2026-02-21": [],
    "triaged_from=2026-02-02&triaged_to=2026-02-02": ["（2026）鄂0105执2号", "（2026）鄂0105执1号"],
    "triaged_from=2026-03-01": [],
    "q=置业": ["（2026）鄂0105执3号"],
    "q=执保1": ["（2026）鄂0105执保1号"],
    "q=建材&type_code=执&state=filed": ["（2026）鄂0105执3号"],
}


def test_each_filter_narrows_the_list(cases, login):
    client = login("centre")
    got = {query: numbers(client.get(f"/cases/?{query}").content.decode()) for query in FILTERS}
    assert got == FILTERS


def test_the_handler_filter_offers_the_courts_handlers(cases, login):
    client = login("centre")
    body = client.get("/cases/").content.decode()
    yang = officer("simple2")
    assert f'<option value="{yang.id}">杨洋（简易执行团队）</option>' in body
    assert numbers(client.get(f"/cases/?handler={yang.id}").content.decode()) == [
        "（2026）鄂0105执2号"
    ]


def test_a_bad_filter_is_reported_and_left_out(cases, login):
    body = login("centre").get("/cases/?filed_from=2026-13-01&state=dispatched").content.decode()
    assert "field-error" in body
    assert numbers(body) == ["（2026）鄂0105执2号"]


def test_the_list_pages_at_fifty(court, centre, login, today):
    file(court, centre, at(2026, 3, 2, 9), n=51)
    client = login("centre")
    first = client.get("/cases/?type_code=执").content.decode()
    assert len(numbers(first)) == 50
    assert "第1页，共2页（51件）" in first
    assert 'href="?type_code=%E6%89%A7&amp;page=2"' in first
    assert numbers(client.get("/cases/?type_code=执&page=2").content.decode()) == [
        "（2026）鄂0105执1号"
    ]


def test_the_query_count_does_not_grow_with_the_cases(court, centre, login, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("centre")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/").status_code == 200
        return len(ctx.captured_queries)

    file(court, centre, at(2026, 3, 2, 9), n=3)
    few = queries()
    file(court, centre, at(2026, 3, 2, 10), n=60)
    assert queries() == few
