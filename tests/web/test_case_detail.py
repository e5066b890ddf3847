"""案件详情: parties, title, money, assets, triage, milestones and timeline."""

import re

import pytest

from tests.conftest import company_code
from tests.web.conftest import Network, at, debtor_of, file, table
from zhixing.centre.services import robot_pass
from zhixing.funds.services import Receipt, funds_receive
from zhixing.inquiry.providers import FoundAsset


@pytest.fixture
def case(court, centre, today):
    """Filed 2026-02-02 against a debtor with a house, a car and a little cash:
    the disposal team (T4), handler 胡军; 5,000 yuan recovered since."""
    (case,) = file(court, centre, at(2026, 2, 2, 9))
    assets = {
        debtor_of(case): [
            FoundAsset("deposit", "汉口银行武汉汉阳支行", 1_234_56, "活期存款"),
            FoundAsset("deposit", "中国银行武汉四新支行", 100_00, "活期存款"),
            FoundAsset("vehicle", "武汉市公安局交通管理局车辆管理所", 80_000_00, "小型轿车一辆"),
            FoundAsset("real_estate", "武汉市不动产登记中心", 900_000_00, "住宅一套"),
        ]
    }
    robot_pass(now=at(2026, 2, 2, 11), provider=Network(assets))
    funds_receive(
        receipts=[Receipt(case=case, amount=5_000_00, reference="B001")],
        actor=None,
        now=at(2026, 2, 20),
    )
    return case


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(body: str, heading: str) -> str:
    start = body.index(f"<h2>{heading}")
    return text(body[start : body.index("</section>", start)])


def test_the_header_names_the_case_its_team_and_handler(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    assert "<title>（2026）鄂0105执1号 · 执行</title>" in body
    head = text(body[body.index("<h1>") : body.index("</dl>")])
    assert head == (
        "（2026）鄂0105执1号 团队办理中 案件类型 首次执行（执） 团队 财产处置团队 承办人 胡军 立案日期 2026-02-02"
    )


def test_parties_and_title_are_shown_in_full(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    assert section(body, "当事人") == (
        f"当事人 诉讼地位 名称 类型 证件号码 电话 地址 申请执行人 武汉某某建材有限公司 法人 {company_code(1)} "
        f"被执行人 被执行人0 自然人 {debtor_of(case)} 13800000000 武汉市汉阳区"
    )
    assert section(body, "执行依据") == (
        "执行依据 文书编号 （2026）鄂0105民初123号 文书种类 民事判决书 生效日期 2026-01-05 履行期限届满日 2026-01-15"
    )


def test_money_shows_the_claim_in_words_the_fee_and_what_is_left(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    # Fee: 50 + 1.5% of (123,456.78 − 10,000) = 1,751.85 yuan.
    assert section(body, "执行标的") == (
        "执行标的 执行标的额 123,456.78元 大写：壹拾贰万叁仟肆佰伍拾陆元柒角捌分 申请执行费 1,751.85元 "
        "执行到位金额 5,000.00元 未执行金额 118,456.78元"
    )


def test_assets_are_listed_with_totals_per_kind(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    assert section(body, "查得财产") == (
        "查得财产 共4项，合计981,334.56元 存款 2项 1,334.56元 不动产 1项 900,000.00元 车辆 1项 80,000.00元 "
        "财产类型 协助单位 价值（元） 说明 被执行人 "
        "存款 汉口银行武汉汉阳支行 1,234.56 活期存款 被执行人0 "
        "存款 中国银行武汉四新支行 100.00 活期存款 被执行人0 "
        "不动产 武汉市不动产登记中心 900,000.00 住宅一套 被执行人0 "
        "车辆 武汉市公安局交通管理局车辆管理所 80,000.00 小型轿车一辆 被执行人0"
    )


def test_triage_shows_the_rule_its_reason_and_the_facts_it_read_in_yuan(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    case.refresh_from_db()
    triage = section(body, "繁简分流")
    assert triage.startswith(
        f"繁简分流 适用规则 T4（分流规则第1版） 分流理由 {case.triage_reason} "
    )
    assert triage.endswith(
        "分流依据的事实 值 案件类型 执 申请执行标的额 123,456.78元 应执行金额（标的额＋执行费） 125,208.63元 "
        "查得现金（存款＋网络资金） 1,334.56元 查得财产项数（不动产、车辆、股权、证券） 2 被执行人数 1 同一被执行人未结案件数（最多者） 1"
    )


def test_milestones_show_their_status(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    assert [row[:4] for row in table(body, "<h2>案件节点")] == [
        ["首次网络查控", "2026-02-05", "2026-02-02", "已完成"],
        ["通知申请执行人提供财产线索", "2026-02-05", "—", "逾期25天"],
        ["确定承办人", "2026-02-09", "2026-02-02", "已完成"],
        ["发送执行通知书、报告财产令", "2026-02-12", "—", "逾期18天"],
        ["财产调查完毕", "2026-03-02", "—", "今日到期"],
        ["法定结案期限", "2026-08-03", "—", "剩余154天"],
    ]
    assert '<span class="badge overdue">逾期25天</span>' in body
    assert '<span class="badge warn">今日到期</span>' in body
    assert '<span class="badge done">已完成</span>' in body


def test_a_running_auction_pauses_the_time_limit_on_the_page_and_in_the_api(
    case, login, api_token
):
    from zhixing.cases.periods import cases_period_start

    cases_period_start(cases=[case], kind="auction", actor=None, now=at(2026, 3, 2, 10))
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    assert table(body, "<h2>案件节点")[-1][:4] == ["法定结案期限", "—", "—", "审限暂停计算"]
    got = login("centre").get(
        f"/api/v1/cases/{case.id}", HTTP_AUTHORIZATION=f"Bearer {api_token}"
    ).json()
    assert {"kind": "time_limit", "due_on": None} in [
        {"kind": m["kind"], "due_on": m["due_on"]} for m in got["milestones"]
    ]


def test_the_timeline_tells_the_story_with_who_did_what(case, login):
    body = login("centre").get(f"/cases/{case.id}/").content.decode()
    items = re.findall(
        r"<li><time[^>]*>([^<]+)</time><strong>([^<]+)</strong> · ([^<]+)<div>", body
    )
    assert items == [
        ("2026-02-02 09:00", "立案", "王敏"),
        ("2026-02-02 11:00", "发起网络查控", "机器人法官助理"),
        ("2026-02-02 11:00", "网络查控反馈", "机器人法官助理"),
        ("2026-02-02 11:00", "繁简分流", "机器人法官助理"),
        ("2026-02-02 11:00", "分派", "机器人法官助理"),
        ("2026-02-20 10:00", "执行款到账", "机器人法官助理"),
    ]
    assert "执行款到账5,000.00元" in body


def test_a_new_case_says_what_has_not_happened_yet(court, centre, login, today):
    (case,) = file(court, centre, at(2026, 3, 2, 9))
    body = login("simple1").get(f"/cases/{case.id}/").content.decode()
    assert "尚未分流" in body and "尚未指定" in body and "网络查控尚未反馈。" in body
