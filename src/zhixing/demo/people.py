"""Made-up but well-formed parties for the demo: names, identity numbers,
credit codes, phones and addresses around Wuhan.

Every draw comes from the caller's `random.Random`, so one seed always gives
the same people. Identity numbers carry real Hubei area codes, birth dates
from 1955 to 2003 and the GB 11643 check character; credit codes carry the
GB 11714 check of their organisation code and the GB 32100 check character.
Nothing here touches the database.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from zhixing.cases.services import PartyInput
from zhixing.rules.identity import credit_code_check_char, id_number_check_char


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Area codes of the holder's registration, weighted towards Hanyang (420105).
AREAS: dict[str, tuple[str, int]] = {
    "420105": ("武汉市汉阳区", 40),
    "420102": ("武汉市江岸区", 6),
    "420103": ("武汉市江汉区", 6),
    "420104": ("武汉市硚口区", 6),
    "420106": ("武汉市武昌区", 6),
    "420111": ("武汉市洪山区", 6),
    "420112": ("武汉市东西湖区", 4),
    "420114": ("武汉市蔡甸区", 8),
    "420115": ("武汉市江夏区", 4),
    "420116": ("武汉市黄陂区", 3),
    "420117": ("武汉市新洲区", 3),
    "420621": ("襄阳市襄州区", 2),
    "421002": ("荆州市沙市区", 2),
    "420984": ("孝感市汉川市", 2),
    "421102": ("黄冈市黄州区", 2),
}
_AREA_CODES = list(AREAS)
_AREA_WEIGHTS = [w for _, w in AREAS.values()]

ROADS = {
    "420105": _words(
        "汉阳大道 龙阳大道 鹦鹉大道 琴台大道 墨水湖北路 四新大道 江城大道 芳草路 马鹦路 汉阳大街"
    ),
    "420102": _words("解放大道 中山大道 黄浦大街 建设大道"),
    "420103": _words("建设大道 新华路 青年路 唐家墩路"),
    "420104": _words("解放大道 古田二路 长丰大道"),
    "420106": _words("中南路 中北路 武珞路 徐东大街"),
    "420111": _words("珞喻路 雄楚大道 关山大道"),
}
OTHER_ROADS = _words("建设路 人民路 解放路 中山路 新华路 长江路 光明路 胜利街 朝阳路")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
# Common surnames first, so a falling weight gives a realistic spread (熊, 胡, 万 are common in Hubei).
_SURNAME_WEIGHTS = [max(60 - i, 6) + (25 if s in "熊胡万余" else 0) for i, s in enumerate(SURNAMES)]
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋东峰建国志文海亮成春兵新荣德启振家"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀玲桂英慧巧美淑惠珠翠雅芝玉萍红娥琴云莲洁梅琳素雪婷燕丹蓉倩颖露瑶怡佳欣晴"
)

BRANDS = _words(
    "鑫源 恒达 华信 金盛 汉江 楚天 长江 鹏程 宏图 中联 天成 盛世 安泰 荣华 东方 龙腾 瑞丰 佳禾 博远 新纪元 "
    "汇通 聚力 德信 嘉业 信诚 万象 同心 琴台 晴川 鹦鹉洲 龟山 月湖 知音 江城 凯越 卓远 明辉 广源 百川 和美"
)
BRAND_CHARS = "鑫源恒达华信金盛汉楚天鹏程宏图联成安泰荣东方龙腾瑞丰佳禾博远汇通聚德嘉业诚万同晴川明辉广和美卓越凯富康顺兴隆祥中科创新海星光辰启航"
TRADES = _words(
    "商贸 建筑工程 装饰工程 物流 餐饮管理 科技 置业 建材 汽车销售 电子 劳务 机电设备 钢材贸易 广告传媒 教育咨询 "
    "园林绿化 酒店管理 医疗器械 食品 服饰"
)
BANKS = _words(
    "中国工商银行股份有限公司武汉汉阳支行 中国建设银行股份有限公司武汉钟家村支行 中国农业银行股份有限公司武汉汉阳支行 "
    "中国银行股份有限公司武汉王家湾支行 交通银行股份有限公司湖北省分行 招商银行股份有限公司武汉分行 "
    "汉口银行股份有限公司汉阳支行 湖北银行股份有限公司武汉汉阳支行 中国邮政储蓄银行股份有限公司武汉市分行 "
    "武汉农村商业银行股份有限公司汉阳支行 中信银行股份有限公司武汉分行 浦发银行股份有限公司武汉分行"
)
LENDERS = _words(
    "小额贷款有限公司 融资担保有限公司 物业服务有限公司 物业管理有限公司 融资租赁有限公司"
)


def gb11714_check(body8: str) -> str:
    """The check character of an organisation code (GB 11714-1997), the 9th
    character of its body inside a credit code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class PeopleFactory:
    """Draws new parties, never the same identity code twice.

    Codes are produced one candidate at a time (`person_code`, `company_code`)
    so the caller can reject a candidate whose simulated assets do not fit and
    draw another; `use` then reserves the accepted one."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_codes: set[str] = set()
        self.used_names: set[str] = set()

    # ------------------------------------------------------------ codes

    def person_code(self) -> str:
        rng = self.rng
        area = rng.choices(_AREA_CODES, _AREA_WEIGHTS)[0]
        born = date(1955, 1, 1) + timedelta(
            days=rng.randrange((date(2003, 12, 31) - date(1955, 1, 1)).days)
        )
        first17 = f"{area}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
        return first17 + id_number_check_char(first17)

    def company_code(self, kind: str = "company", area: str = "420105") -> str:
        rng = self.rng
        # Registration authority 9 (market regulation); type 1 enterprise, 2 individual business.
        prefix = "92" if kind == "organisation" and rng.random() < 0.5 else "91"
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        first17 = f"{prefix}{area}{body}{gb11714_check(body)}"
        return first17 + credit_code_check_char(first17)

    def use(self, code: str) -> bool:
        """Reserve a code; False when it was already given to someone."""
        if code in self.used_codes:
            return False
        self.used_codes.add(code)
        return True

    # ------------------------------------------------------------ names

    def person_name(self, id_number: str) -> str:
        rng = self.rng
        male = int(id_number[16]) % 2 == 1  # GB 11643: odd sequence digit for men
        chars = MALE_CHARS if male else FEMALE_CHARS
        surname = rng.choices(SURNAMES, _SURNAME_WEIGHTS)[0]
        given = rng.choice(chars) if rng.random() < 0.35 else rng.choice(chars) + rng.choice(chars)
        return surname + given

    def company_name(self, kind: str = "company", trade: str | None = None) -> str:
        rng = self.rng
        trade = trade or rng.choice(TRADES)
        if kind == "organisation":
            form = rng.choice(("经营部", "有限公司汉阳分公司", "合伙企业（有限合伙）"))
            return self.firm_name(trade + form, city="武汉市汉阳区" if form == "经营部" else "武汉")
        suffix = "股份有限公司" if rng.random() < 0.05 else "有限公司"
        return self.firm_name(trade + suffix, city="湖北" if rng.random() < 0.15 else "武汉")

    def firm_name(self, suffix: str, city: str = "武汉") -> str:
        """城市 + 字号 + suffix, never a name already given."""
        rng = self.rng
        for _ in range(500):
            brand = (
                rng.choice(BRANDS) if rng.random() < 0.3 else "".join(rng.sample(BRAND_CHARS, 2))
            )
            name = f"{city}{brand}{suffix}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("company names exhausted")

    # ------------------------------------------------------------ contact

    def phone(self) -> str:
        rng = self.rng
        return rng.choice(("13", "15", "18", "17", "19")) + "".join(
            rng.choice("0123456789") for _ in range(9)
        )

    def address(self, area: str) -> str:
        rng = self.rng
        place = AREAS.get(area, ("武汉市汉阳区", 0))[0]
        road = rng.choice(ROADS.get(area, OTHER_ROADS))
        if rng.random() < 0.6:
            flat = f"{rng.randint(1, 30)}栋{rng.randint(1, 3)}单元{rng.randint(1, 33)}{rng.randint(1, 8):02d}室"
            return f"{place}{road}{rng.randint(1, 400)}号{flat}"
        return f"{place}{road}{rng.randint(1, 400)}号"

    # ------------------------------------------------------------ whole parties

    def person(self, code: str) -> PartyInput:
        return PartyInput(
            kind="person",
            name=self.person_name(code),
            id_code=code,
            phone=self.phone(),
            address=self.address(code[:6]),
        )

    def company(
        self, code: str, kind: str = "company", trade: str | None = None, name: str | None = None
    ) -> PartyInput:
        return PartyInput(
            kind=kind,
            name=name or self.company_name(kind, trade),
            id_code=code,
            phone="027-" + self.phone()[3:11],
            address=self.address(code[2:8]),
        )

    def new_person(self) -> PartyInput:
        while not self.use(code := self.person_code()):
            pass
        return self.person(code)

    def new_company(
        self, kind: str = "company", trade: str | None = None, name: str | None = None
    ) -> PartyInput:
        while not self.use(code := self.company_code(kind)):
            pass
        return self.company(code, kind, trade, name)
