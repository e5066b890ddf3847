"""案款设置: the director sets the approval threshold, the days and the
accounts on a page; others may only read; bad input is named by its field and
nothing is saved; new plans follow the new tiers."""

from zhixing.courts.models import Court
from zhixing.funds.settings import funds_settings

GOOD = {
    "custody_name": "武汉市汉阳区人民法院",
    "custody_account": "3202004509100123456",
    "custody_bank": "中国工商银行武汉汉阳支行",
    "fee_name": "武汉市汉阳区人民法院诉讼费专户",
    "fee_account": "3202004509100999999",
    "fee_bank": "中国工商银行武汉汉阳支行",
    "director_limit": "100,000",
    "payout_days": "5",
    "payout_warn_days": "2",
    "claim_days": "3",
    "fee_base": "recovered",
}


def test_the_director_saves_and_the_court_follows(court, director, client):
    client.force_login(director.user)
    page = client.get("/funds/settings/").content.decode()
    assert 'value="50000.00"' in page  # the default threshold, in yuan
    r = client.post("/funds/settings/", GOOD)
    assert r.status_code == 302
    s = funds_settings(Court.objects.get(id=court.id))
    assert s.approval_tiers == ((100_000_00, ("director",)), (None, ("director", "vice_president")))
    assert (s.payout_days, s.payout_warn_days, s.claim_days, s.fee_base) == (5, 2, 3, "recovered")
    assert s.fee_account == "3202004509100999999"
    page = client.get("/funds/settings/").content.decode()
    assert "最近由刘建国于" in page and 'value="100000.00"' in page


def test_bad_input_names_the_field_and_saves_nothing(court, director, client):
    client.force_login(director.user)
    before = Court.objects.get(id=court.id).funds_settings
    r = client.post("/funds/settings/", {**GOOD, "director_limit": "十万", "payout_days": "45", "payout_warn_days": "9"})
    body = r.content.decode()
    assert r.status_code == 422
    assert "执行局长审批上限（元）：金额格式不正确" in body
    assert "发放期限（日）：不能大于30" in body
    assert Court.objects.get(id=court.id).funds_settings == before


def test_others_read_but_may_not_change(court, handler, client):
    client.force_login(handler.user)
    page = client.get("/funds/settings/").content.decode()
    assert "仅执行局长可以修改" in page and "<button" not in page.split('id="funds-settings"')[1]
    before = Court.objects.get(id=court.id).funds_settings
    assert client.post("/funds/settings/", GOOD).status_code == 403
    assert Court.objects.get(id=court.id).funds_settings == before
