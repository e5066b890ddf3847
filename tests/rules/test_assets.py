from zhixing.rules.assets import ASSET_KINDS, CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.termination import REQUIRED_INQUIRY_KINDS


def test_asset_kinds_carry_the_glossarys_chinese_names():
    assert ASSET_KINDS == {
        "deposit": "存款",
        "real_estate": "不动产",
        "vehicle": "车辆",
        "securities": "证券",
        "online_funds": "网络资金",
        "housing_fund": "公积金",
        "equity": "股权",
        "insurance": "保险",
    }


def test_cash_and_property_are_disjoint_known_kinds():
    assert CASH_KINDS == ("deposit", "online_funds")
    assert PROPERTY_KINDS == ("real_estate", "vehicle", "equity", "securities")
    assert not set(CASH_KINDS) & set(PROPERTY_KINDS)
    assert set(CASH_KINDS) | set(PROPERTY_KINDS) <= set(ASSET_KINDS)


def test_the_inquiry_kinds_required_for_termination_are_known_kinds():
    assert REQUIRED_INQUIRY_KINDS <= set(ASSET_KINDS)
