"""Ports for the network inquiry (网络查控).

A provider answers, for a batch of debtors, what each one holds. The simulated
provider draws each debtor's assets deterministically from its identity code,
so the same debtor always shows the same assets, in every case and every run.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Protocol

from zhixing.rules.assets import ASSET_KINDS

ALL_KINDS = tuple(ASSET_KINDS)


@dataclass(frozen=True)
class DebtorRef:
    id_code: str
    name: str
    kind: str  # person / company / organisation


@dataclass(frozen=True)
class FoundAsset:
    kind: str
    holder: str
    value: int  # fen
    detail: str = ""


class InquiryProvider(Protocol):
    name: str

    def inquire(self, debtors: list[DebtorRef], kinds: tuple[str, ...]) -> dict[str, list[FoundAsset] | None]:
        """Assets per debtor id_code; None where no answer came (asked again later)."""


BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "汉口银行", "湖北银行")
BRANCHES = ("武汉汉阳支行", "武汉钟家村支行", "武汉王家湾支行", "武汉四新支行", "武汉江汉支行")
ONLINE = ("支付宝（中国）网络技术有限公司", "财付通支付科技有限公司", "京东科技控股股份有限公司")
INSURERS = ("中国人寿保险股份有限公司", "中国平安人寿保险股份有限公司", "泰康人寿保险有限责任公司")


def _loguniform(rng: random.Random, low_yuan: float, high_yuan: float) -> int:
    """A value in fen, spread evenly on a log scale between two amounts in yuan."""
    import math

    return int(round(math.exp(rng.uniform(math.log(low_yuan), math.log(high_yuan))) * 100))


def simulated_assets(debtor: DebtorRef) -> list[FoundAsset]:
    """What the simulated network finds for one debtor, in every kind.

    About three in ten debtors hold real money, one in five holds property
    with little cash, and the rest hold little or nothing."""
    seed = int.from_bytes(hashlib.sha256(debtor.id_code.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    person = debtor.kind == "person"
    found: list[FoundAsset] = []

    def bank() -> str:
        return rng.choice(BANKS) + rng.choice(BRANCHES)

    profile = rng.random()
    if profile < 0.30:  # holds money
        for _ in range(rng.randint(1, 3)):
            found.append(FoundAsset("deposit", bank(), _loguniform(rng, 2_000, 3_000_000 if person else 20_000_000), "活期存款"))
        if rng.random() < 0.5:
            found.append(FoundAsset("online_funds", rng.choice(ONLINE), _loguniform(rng, 100, 200_000), "账户余额"))
        if rng.random() < 0.2:
            found.append(FoundAsset("securities", "中国证券登记结算有限责任公司", _loguniform(rng, 10_000, 2_000_000), "A股持仓"))
    elif profile < 0.50:  # holds property, little cash
        if person:
            if rng.random() < 0.6:
                found.append(FoundAsset("real_estate", "武汉市不动产登记中心", _loguniform(rng, 300_000, 3_000_000), "住宅一套"))
            if rng.random() < 0.6 or not found:
                found.append(FoundAsset("vehicle", "武汉市公安局交通管理局车辆管理所", _loguniform(rng, 20_000, 300_000), "小型轿车一辆"))
        else:
            if rng.random() < 0.5:
                found.append(FoundAsset("real_estate", "武汉市不动产登记中心", _loguniform(rng, 1_000_000, 30_000_000), "厂房、办公用房"))
            if rng.random() < 0.5 or not found:
                found.append(FoundAsset("equity", "武汉市市场监督管理局", _loguniform(rng, 100_000, 10_000_000), "对外投资股权"))
            if rng.random() < 0.4:
                found.append(FoundAsset("vehicle", "武汉市公安局交通管理局车辆管理所", _loguniform(rng, 50_000, 500_000), "货车一辆"))
        if rng.random() < 0.7:
            found.append(FoundAsset("deposit", bank(), _loguniform(rng, 10, 5_000), "活期存款"))
    else:  # little or nothing
        if rng.random() < 0.5:
            found.append(FoundAsset("deposit", bank(), _loguniform(rng, 1, 2_000), "活期存款"))
        if rng.random() < 0.3:
            found.append(FoundAsset("online_funds", rng.choice(ONLINE), _loguniform(rng, 1, 500), "账户余额"))
    if person and rng.random() < 0.25:
        found.append(FoundAsset("housing_fund", "武汉住房公积金管理中心", _loguniform(rng, 1_000, 80_000), "公积金账户（封存）"))
    if rng.random() < 0.1:
        found.append(FoundAsset("insurance", rng.choice(INSURERS), _loguniform(rng, 1_000, 100_000), "人身保险现金价值"))
    return found


class SimulatedProvider:
    """The simulated national and local network (总对总/点对点), in process."""

    name = "simulated"

    def inquire(self, debtors: list[DebtorRef], kinds: tuple[str, ...] = ALL_KINDS) -> dict[str, list[FoundAsset] | None]:
        wanted = set(kinds)
        return {d.id_code: [a for a in simulated_assets(d) if a.kind in wanted] for d in debtors}


def default_provider() -> InquiryProvider:
    """The network over HTTP when settings.INQUIRY_URL names it, else the
    in-process simulation (demos, tests, a court without a link yet)."""
    from django.conf import settings

    url = getattr(settings, "INQUIRY_URL", None)
    if url:
        from zhixing.inquiry.http import HttpProvider

        return HttpProvider(url)
    return SimulatedProvider()
