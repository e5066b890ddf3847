"""执行指挥中心看板: the pipeline's counts, today's triage per team, overdue
milestones and the latest filings; the tiles refresh as an htmx fragment."""

import re

import pytest

from tests.web.conftest import Network, at, debtor_of, file, table, table_links
from zhixing.centre.services import cases_inquire_new, cases_triage, robot_pass
from zhixing.inquiry.models import Inquiry
from zhixing.inquiry.providers import FoundAsset
from zhixing.inquiry.services import inquiries_collect


@pytest.fixture
def pipeline(court, centre, today):
    """Two cases dispatched a month ago; today three dispatched (one to the
    one-shot team), one triaged and waiting, one still inquiring, one filed."""
    file(court, centre, at(2026, 2, 2, 9), n=2)
    robot_pass(now=at(2026, 2, 2, 11), provider=Network())
    dispatched = file(court, centre, at(2026, 3, 2, 9), n=3)
    rich = {
        debtor_of(dispatched[0]): [
            FoundAsset("deposit", "汉口银行武汉汉阳支行", 200_000_00, "活期存款")
        ]
    }
    robot_pass(now=at(2026, 3, 2, 9, 30), provider=Network(rich))
    _waiting, inquiring = file(court, centre, at(2026, 3, 2, 10), n=2)
    network = Network(silent=[debtor_of(inquiring)])
    cases_inquire_new(court=court, now=at(2026, 3, 2, 10, 5), provider=network, limit=100)
    inquiries_collect(
        inquiries=list(Inquiry.objects.filter(finished_at=None)),
        provider=network,
        now=at(2026, 3, 2, 10, 6),
    )
    cases_triage(court=court, now=at(2026, 3, 2, 10, 7), limit=100)
    (filed,) = file(court, centre, at(2026, 3, 2, 11))
    return filed


def tiles(body: str) -> dict[str, str]:
    return {
        label: n
        for n, label in re.findall(r'<div class="n">(\d+)</div><div class="l">([^<]+)</div>', body)
    }


def test_the_board_counts_the_pipeline_and_todays_work(pipeline, login):
    body = login("centre").get("/board/").content.decode()
    assert tiles(body) == {
        "待查控": "1",
        "网络查控中": "1",
        "已分流待分派": "1",
        "今日分流": "4",
        "今日分派": "3",
        "节点逾期": "4",
        "查控失败待人工处理": "0",
    }


def test_todays_triage_is_counted_per_team_with_links_to_the_cases(pipeline, login):
    body = login("centre").get("/board/").content.decode()
    heads = re.findall(r'<th class="num">([^<]+)</th>', body[body.index("今日分流（按团队）") :])[
        :7
    ]
    assert heads == [
        "一次有效执行团队",
        "简易执行团队",
        "财产处置团队",
        "执行实施团队",
        "终本管理团队",
        "执行裁判团队",
        "合计",
    ]
    assert table(body, "今日分流（按团队）") == [["1", "3", "0", "0", "0", "0", "4"]]
    link = table_links(body, "今日分流（按团队）")[1]
    assert link == "/cases/?team=simple&triaged_from=2026-03-02&triaged_to=2026-03-02"
    listed = login("centre").get(link).content.decode()
    assert "共3件" in listed


def test_overdue_milestones_are_listed_most_overdue_first(pipeline, login):
    body = login("centre").get("/board/").content.decode()
    assert table(body, 'id="overdue"') == [
        ["（2026）鄂0105执1号", "通知申请执行人提供财产线索", "2026-02-05", "25", "陈静"],
        ["（2026）鄂0105执2号", "通知申请执行人提供财产线索", "2026-02-05", "25", "杨洋"],
        ["（2026）鄂0105执1号", "发送执行通知书、报告财产令", "2026-02-12", "18", "陈静"],
        ["（2026）鄂0105执2号", "发送执行通知书、报告财产令", "2026-02-12", "18", "杨洋"],
    ]


def test_the_latest_filings_come_first_with_their_state(pipeline, login):
    body = login("centre").get("/board/").content.decode()
    rows = table(body, "最近立案")
    assert [(r[0], r[4]) for r in rows[:4]] == [
        ("（2026）鄂0105执8号", "已立案待查控"),
        ("（2026）鄂0105执7号", "网络查控中"),
        ("（2026）鄂0105执6号", "已分流待分派 简易执行团队"),
        ("（2026）鄂0105执5号", "团队办理中 简易执行团队"),
    ]
    assert rows[0][1:4] == ["武汉某某建材有限公司 → 被执行人0", "123,456.78", "2026-03-02"]
    assert len(rows) == 8


def test_the_board_warns_that_next_years_holidays_are_not_entered(pipeline, login):
    body = login("centre").get("/board/").content.decode()
    assert "2027年节假日安排尚未录入，期限按周末计算" in body
    assert "2026年节假日安排尚未录入" not in body


def test_the_warning_goes_once_the_court_enters_next_year(court, login, today):
    from datetime import date

    from zhixing.courts.models import CalendarDay

    CalendarDay.objects.create(court=court, day=date(2027, 1, 1), is_working_day=False, note="元旦")
    body = login("centre").get("/board/").content.decode()
    assert "节假日安排尚未录入" not in body


def test_an_htmx_poll_gets_only_the_tiles(pipeline, login):
    client = login("centre")
    response = client.get("/board/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(
        '<section id="board-tiles" hx-get="/board/" hx-trigger="every 5s"'
    )
    assert "<html" not in body and "最近立案" not in body and "逾期节点" not in body
    assert tiles(body)["待查控"] == "1"
    assert tiles(body)["今日分派"] == "3"
