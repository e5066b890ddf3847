"""团队工作台: a handler's open cases, soonest deadline first; the team's for
team members; a team picker for the centre and the director."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import Network, at, file, table
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive


def dispatch(court, centre, when, n):
    """File n cases and run the robot: with nothing found they all go to the
    simple team, whose four handlers take them in turn (陈静 first)."""
    cases = file(court, centre, when, n=n)
    robot_pass(now=when.replace(hour=11), provider=Network())
    return cases


def rows(body: str) -> list[list[str]]:
    return table(body, "团队工作台")


def test_a_handler_sees_their_open_cases_with_the_next_deadline(court, centre, login, today):
    dispatch(court, centre, at(2026, 2, 2, 9), n=4)  # 陈静 gets 执1
    new = dispatch(court, centre, at(2026, 3, 2, 9), n=4)  # 陈静 gets 执5
    funds_receive(
        receipts=[Receipt(case=new[0], amount=1_000_00)], actor=None, now=at(2026, 3, 2, 12)
    )
    body = login("simple1").get("/workbench/").content.decode()
    assert "陈静的在办案件 · 共2件" in body
    assert rows(body) == [
        [
            "（2026）鄂0105执1号",
            "武汉某某建材有限公司 → 被执行人0",
            "通知申请执行人提供财产线索",
            "2026-02-05",
            "逾期25天",
            "123,456.78",
            "0.00",
            "2026-02-02",
            "28",
        ],
        [
            "（2026）鄂0105执5号",
            "武汉某某建材有限公司 → 被执行人0",
            "通知申请执行人提供财产线索",
            "2026-03-05",
            "剩余3天",
            "123,456.78",
            "1,000.00",
            "2026-03-02",
            "0",
        ],
    ]
    assert '<span class="badge overdue">逾期25天</span>' in body
    assert "承办人</th>" not in body


def test_with_team_1_a_handler_sees_the_whole_team_with_handlers(court, centre, login, today):
    dispatch(court, centre, at(2026, 3, 2, 9), n=4)
    body = login("simple1").get("/workbench/?team=1").content.decode()
    assert "简易执行团队在办案件 · 共4件" in body
    assert [(r[0], r[2]) for r in rows(body)] == [
        ("（2026）鄂0105执1号", "陈静"),
        ("（2026）鄂0105执2号", "杨洋"),
        ("（2026）鄂0105执3号", "黄勇"),
        ("（2026）鄂0105执4号", "吴芳"),
    ]


def test_a_team_member_who_handles_no_cases_sees_the_team(court, centre, login, today):
    dispatch(court, centre, at(2026, 3, 2, 9), n=2)
    body = login("simple5").get("/workbench/").content.decode()
    assert "简易执行团队在办案件 · 共2件" in body
    assert "承办人</th>" in body


def test_the_centre_picks_a_team(court, centre, login, today):
    dispatch(court, centre, at(2026, 3, 2, 9), n=2)
    client = login("director")
    body = client.get("/workbench/").content.decode()
    assert '<select name="team_kind" id="team_kind">' in body
    assert "全院团队在办案件 · 共2件" in body
    body = client.get("/workbench/?team_kind=simple").content.decode()
    assert '<option value="simple" selected>简易执行团队</option>' in body
    assert "简易执行团队在办案件 · 共2件" in body
    body = client.get("/workbench/?team_kind=disposal").content.decode()
    assert "财产处置团队在办案件 · 共0件" in body
    assert "没有在办案件。" in body


def test_the_workbench_pages_at_fifty(court, centre, login, today):
    dispatch(court, centre, at(2026, 3, 2, 9), n=51)
    client = login("simple5")
    first = client.get("/workbench/").content.decode()
    assert len(rows(first)) == 50
    assert "第1页，共2页（51件）" in first
    second = client.get("/workbench/?page=2").content.decode()
    assert len(rows(second)) == 1


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/workbench/").status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_cases(court, centre, login, today):
    client = login("simple1")
    dispatch(court, centre, at(2026, 3, 2, 9), n=12)  # 3 for 陈静
    few = _queries(client)
    dispatch(court, centre, at(2026, 3, 2, 10), n=108)  # 30 for 陈静
    assert "共30件" in client.get("/workbench/").content.decode()
    assert _queries(client) == few
