"""质效看板: the tiles are measures_for's numbers; each chart is an SVG with no
script whose bars link to exactly the cases they count."""

import re
from datetime import date
from urllib.parse import unquote

import pytest

from tests.web.conftest import Network, at, debtor_of, file, officer
from zhixing.cases.services import cases_close
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive
from zhixing.inquiry.providers import FoundAsset
from zhixing.stats.charts import Bar, Series, bar_chart
from zhixing.stats.measures import measures_for
from zhixing.web.dashboard import percent

OLD_TITLE = {
    "number": "（2025）鄂0105民初9号",
    "kind": "民事判决书",
    "effective_on": "2025-10-09",
    "due_on": "2025-10-20",
}


@pytest.fixture
def year(court, centre, today):
    """执1 (2025-12-01) performed 2026-01-20; in 2026: 执1–3 filed 01-05 (执1 to
    the disposal team, performed 02-10; 执2 withdrawn 02-20; 执3 open), 执保1
    filed and withdrawn (not counted), 执4 filed today."""
    (old,) = file(court, centre, at(2025, 12, 1, 9), title=OLD_TITLE)
    robot_pass(now=at(2025, 12, 1, 11), provider=Network())
    a, b, _c = file(court, centre, at(2026, 1, 5, 9), n=3)
    (kept,) = file(court, centre, at(2026, 1, 5, 9), type_="执保")
    car = {
        debtor_of(a): [
            FoundAsset("vehicle", "武汉市公安局交通管理局车辆管理所", 50_000_00, "小型轿车一辆")
        ]
    }
    robot_pass(now=at(2026, 1, 5, 11), provider=Network(car))
    for case in (old, a, b, kept):
        case.refresh_from_db()
    funds_receive(
        receipts=[Receipt(case=old, amount=old.amount_claimed)], actor=None, now=at(2026, 1, 20)
    )
    cases_close(cases=[old], mode="performed", actor=None, now=at(2026, 1, 20, 16))
    funds_receive(
        receipts=[Receipt(case=a, amount=a.amount_claimed)], actor=None, now=at(2026, 2, 10)
    )
    cases_close(cases=[a], mode="performed", actor=None, now=at(2026, 2, 10, 16))
    cases_close(cases=[b, kept], mode="withdrawn", actor=None, now=at(2026, 2, 20, 16))
    file(court, centre, at(2026, 3, 2, 9))
    robot_pass(now=at(2026, 3, 2, 11), provider=Network())
    return court


def tiles(body: str) -> dict[str, str]:
    return {
        label: value
        for value, label in re.findall(
            r'<div class="n">([^<]+)</div><div class="l">([^<]+)</div>', body
        )
    }


def test_the_tiles_are_the_measures_of_the_year_to_date(year, login):
    body = login("director").get("/dashboard/").content.decode()
    assert "2026年1月1日至2026年3月2日" in body
    x = measures_for(court=year, start=date(2026, 1, 1), end=date(2026, 3, 2))
    assert tiles(body) == {
        "新收案件数": str(x.new_cases),
        "结案数": str(x.closed_cases),
        "平均执行天数": f"{x.mean_days}天",
        "执行完毕率": percent(x.performed_rate),
        "执行到位率": percent(x.recovery_rate),
        "终本率": percent(x.terminated_round_rate),
        "法定期限内结案率": percent(x.on_time_rate),
        "快速通道占比": percent(x.fast_track_share),
    }
    # The same numbers, worked out by hand: 执保 left out; (50 + 36 + 46) / 3 days.
    assert tiles(body) == {
        "新收案件数": "4",
        "结案数": "3",
        "平均执行天数": "44.0天",
        "执行完毕率": "66.7%",
        "执行到位率": "66.7%",
        "终本率": "0.0%",
        "法定期限内结案率": "100.0%",
        "快速通道占比": "75.0%",
    }


def test_rates_stand_next_to_the_national_reference_and_the_goal(year, login):
    body = login("director").get("/dashboard/").content.decode()
    assert "全国参考值44.3%（2025年一季度）" in body
    assert "全国参考值56.7%（2025年一季度）" in body
    assert (
        '<div class="tile met"><div class="n">75.0%</div><div class="l">快速通道占比</div><div class="ref">目标＞60.0%：已达标</div>'
        in body
    )


def test_a_period_is_chosen_by_dates_or_a_quick_link(year, login):
    client = login("director")
    body = client.get("/dashboard/?from=2026-02-01&to=2026-02-28").content.decode()
    assert tiles(body)["结案数"] == "2"
    assert tiles(body)["新收案件数"] == "0"
    assert tiles(body)["快速通道占比"] == "—"
    assert "目标＞60.0%：暂无分流案件" in body
    assert '<a href="?from=2026-03-01&amp;to=2026-03-02">本月</a>' in body
    assert '<a href="?from=2026-01-01&amp;to=2026-03-31">' not in body
    assert '<a href="?from=2026-01-01&amp;to=2026-03-02">本季度</a>' in body
    assert '<a href="?from=2025-03-03&amp;to=2026-03-02">近12个月</a>' in body
    assert 'data="/dashboard/chart/monthly.svg?from=2026-02-01&amp;to=2026-02-28"' in body


def test_a_reversed_period_is_reported_and_the_year_shown(year, login):
    body = login("director").get("/dashboard/?from=2026-03-01&to=2026-01-01").content.decode()
    assert "开始日期不能晚于结束日期" in body
    assert tiles(body)["新收案件数"] == "4"


def bars(svg: str) -> list[tuple[str, int]]:
    return [
        (unquote(href.replace("&amp;", "&")), int(value))
        for href, value in re.findall(
            r'<a target="_top" xlink:href="([^"]+)">.*?<desc class="value">(\d+)</desc>', svg
        )
    ]


def test_the_monthly_chart_links_each_bar_to_its_cases(year, login):
    client = login("director")
    response = client.get("/dashboard/chart/monthly.svg")
    svg = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script" not in svg
    assert "2026年每月新收与结案" in svg and ">1月<" in svg
    assert bars(svg) == [
        ("/cases/?type_code=执&filed_from=2026-01-01&filed_to=2026-01-31", 3),
        ("/cases/?type_code=执&filed_from=2026-02-01&filed_to=2026-02-28", 0),
        ("/cases/?type_code=执&filed_from=2026-03-01&filed_to=2026-03-02", 1),
        ("/cases/?type_code=执&closed_from=2026-01-01&closed_to=2026-01-31", 1),
        ("/cases/?type_code=执&closed_from=2026-02-01&closed_to=2026-02-28", 2),
        ("/cases/?type_code=执&closed_from=2026-03-01&closed_to=2026-03-02", 0),
    ]
    for href, n in bars(svg):
        assert f"共{n}件" in client.get(href).content.decode()


def test_the_modes_and_teams_charts_count_what_the_measures_count(year, login):
    client = login("director")
    modes = bars(client.get("/dashboard/chart/modes.svg").content.decode())
    assert [n for _, n in modes] == [2, 0, 0, 1, 0, 0]
    assert (
        modes[0][0]
        == "/cases/?type_code=执&closed_from=2026-01-01&closed_to=2026-03-02&closing_mode=performed"
    )
    teams = bars(client.get("/dashboard/chart/teams.svg").content.decode())
    assert [n for _, n in teams] == [0, 3, 1, 0, 0, 0]
    assert (
        teams[1][0]
        == "/cases/?type_code=执&triaged_from=2026-01-01&triaged_to=2026-03-02&team=simple"
    )
    for href, n in modes + teams:
        assert f"共{n}件" in client.get(href).content.decode()


def test_an_unknown_chart_is_not_found(court, login):
    assert login("director").get("/dashboard/chart/nothing.svg").status_code == 404


def test_bar_chart_draws_linked_bars_without_script():
    svg = bar_chart(
        title="结案方式",
        x_labels=["执行完毕", "销案"],
        series=[
            Series(
                "结案数",
                [
                    Bar(2, "/cases/?closing_mode=performed"),
                    Bar(1, "/cases/?closing_mode=withdrawn"),
                ],
            )
        ],
    ).decode()
    assert svg.startswith("<?xml")
    assert "<script" not in svg
    assert "结案方式" in svg and "执行完毕" in svg
    assert bars(svg) == [
        ("/cases/?closing_mode=performed", 2),
        ("/cases/?closing_mode=withdrawn", 1),
    ]


def test_the_director_of_another_court_sees_none_of_this(year, other_court, client, today):
    client.force_login(officer("other_centre").user)
    assert tiles(client.get("/dashboard/").content.decode())["新收案件数"] == "0"
    assert [n for _, n in bars(client.get("/dashboard/chart/monthly.svg").content.decode())] == [
        0
    ] * 6
