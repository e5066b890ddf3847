"""The port of the network inquiry (网络查控), asynchronous like the real one.

A provider takes a batch of requests (one per case, asset kind and round,
each with the case's debtors, case number and legal basis) and answers each
later: the robot submits, then polls for answers (or receives them by
callback). See docs/inquiry-protocol.md.

The simulated network draws each debtor's assets deterministically from its
identity code, so the same debtor always shows the same assets, in every case
and every run, in process (`SimulatedProvider`, unit tests) or over HTTP
(`zhixing inquiry-sim`, the demo and end-to-end tests).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from zhixing.rules.assets import ASSET_KINDS

ALL_KINDS = tuple(ASSET_KINDS)


# Immutable records, made by the hundred thousand (a request per case and
# kind, an answer each): named tuples, built several times faster than
# frozen dataclasses.


class DebtorRef(NamedTuple):
    id_code: str
    name: str
    kind: str  # person / company / organisation


class FoundAsset(NamedTuple):
    kind: str
    holder: str
    value: int  # fen
    detail: str = ""


class OutgoingRequest(NamedTuple):
    request_id: str
    kind: str
    debtors: tuple[DebtorRef, ...]
    case_number: str
    basis: str  # the legal basis, logged with the request

    def as_json(self) -> dict:
        return {
            "request_id": self.request_id, "kind": self.kind, "case_number": self.case_number,
            "basis": self.basis,
            "debtors": [{"id_code": d.id_code, "name": d.name, "kind": d.kind} for d in self.debtors],
        }


class Answer(NamedTuple):
    """One answer to one request. status: found / none / failed ("try again
    later"; only Zhixing decides that a request has failed for good)."""

    request_id: str
    status: str
    assets: tuple[tuple[str, FoundAsset], ...] = ()  # (debtor id_code, asset)
    institution: str = ""
    reason: str = ""


@dataclass
class Submitted:
    accepted: list[str]
    duplicates: list[str]


@dataclass
class Polled:
    answers: list[Answer]
    cursor: str
    restarted: bool = False  # the provider forgot what was pending (a new epoch)


class ProviderError(Exception):
    """The provider could not be reached or did not answer as agreed."""

    def __init__(self, message: str, *, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable  # no point sending more in this pass


class InquiryProvider(Protocol):
    name: str

    def submit(self, batch_id: str, requests: list[OutgoingRequest], callback_url: str | None = None,
               callback_token: str | None = None) -> Submitted:
        """Hand a batch over; raises ProviderError if it may not have arrived."""

    def poll(self, cursor: str, limit: int) -> Polled:
        """The answers after `cursor` (oldest first); raises ProviderError."""


# Limits of the columns an asset is stored in (inquiry.models.Asset): an answer
# that would not fit is refused here rather than failing the robot's insert.
HOLDER_MAX = 64
DETAIL_MAX = 128
VALUE_MAX = 2**63 - 1  # BigIntegerField
STATUSES = ("found", "none", "failed")


def parse_answer(raw) -> Answer | None:
    """An answer object of the protocol, checked. None if it names no request;
    an answer for a request but malformed becomes `failed` (asked again)."""
    rid = raw.get("request_id") if isinstance(raw, dict) else None
    if not isinstance(rid, str) or not rid or len(rid) > 64:
        return None
    status = raw.get("status")
    institution = raw.get("institution")
    if not isinstance(institution, str):
        institution = ""
    reason = raw.get("reason")
    if not isinstance(reason, str):
        reason = ""
    if status == "failed":
        return Answer(rid, "failed", (), institution[:64], reason[:150] or "查询失败")
    raw_assets = raw.get("assets")
    if status == "none" and raw_assets == []:  # most answers: nothing found, nothing to check
        return Answer(rid, "none", (), institution[:64], reason[:150])
    assets = _assets(raw_assets, raw.get("kind"))
    if status not in STATUSES or assets is None or (status == "none") != (not assets):
        return Answer(rid, "failed", (), institution[:64], "答复格式不正确")
    return Answer(rid, status, assets, institution[:64], reason[:150])


def _assets(raw, kind) -> tuple[tuple[str, FoundAsset], ...] | None:
    """Every asset valid (of the kind asked, a debtor, a holder, whole fen ≥ 0), or None."""
    if not isinstance(raw, list):
        return None
    found = []
    for a in raw:
        if not isinstance(a, dict):
            return None
        debtor, holder, value, detail = a.get("debtor"), a.get("holder"), a.get("value_fen"), a.get("detail", "")
        if (
            a.get("kind") not in ASSET_KINDS or (kind is not None and a.get("kind") != kind)
            or not isinstance(debtor, str) or not debtor
            or not isinstance(holder, str) or not 0 < len(holder) <= HOLDER_MAX
            or not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= VALUE_MAX
            or not isinstance(detail, str) or len(detail) > DETAIL_MAX
        ):
            return None
        found.append((debtor, FoundAsset(a["kind"], holder, value, detail)))
    return tuple(found)


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
    """The simulated network (总对总/点对点) in process: the same behaviour as
    `zhixing inquiry-sim` without the HTTP (unit tests). Its settings (a
    network.SimSettings) default to answering at once, never failing."""

    name = "simulated"

    def __init__(self, settings=None, clock=None):
        from zhixing.inquiry.network import SimulatedNetwork

        self.network = SimulatedNetwork(settings, **({"clock": clock} if clock else {}))
        self._cursor_epoch = None

    def submit(self, batch_id, requests, callback_url=None, callback_token=None) -> Submitted:
        reply, _ = self.network.submit({"batch_id": batch_id, "requests": [r.as_json() for r in requests]})
        return Submitted(reply["accepted"], reply["duplicates"])

    def poll(self, cursor: str, limit: int) -> Polled:
        reply = self.network.poll(cursor, limit)
        answers = [a for a in map(parse_answer, reply["answers"]) if a is not None]
        return Polled(answers, reply["cursor"], restarted=epoch_changed(cursor, reply["cursor"]))


class SyncAdapter:
    """An old-style provider, `inquire(debtors, kinds)` -> assets per debtor
    (None: no answer yet), behind the asynchronous port: it answers at
    submit, one call per kind, and hands the answers out at the next poll.
    A debtor left unanswered makes its request `failed` (asked again later).
    For test doubles; real networks speak the protocol."""

    def __init__(self, provider):
        self.provider = provider
        self.name = provider.name
        self._ready: list[Answer] = []

    def submit(self, batch_id, requests, callback_url=None, callback_token=None) -> Submitted:
        by_kind: dict[str, list[OutgoingRequest]] = {}
        for r in requests:
            by_kind.setdefault(r.kind, []).append(r)
        for kind, group in by_kind.items():
            debtors = list({d.id_code: d for r in group for d in r.debtors}.values())
            held = self.provider.inquire(debtors, (kind,))
            for r in group:
                if any(held.get(d.id_code) is None for d in r.debtors):
                    self._ready.append(Answer(r.request_id, "failed", reason="未答复"))
                    continue
                assets = tuple((d.id_code, a) for d in r.debtors for a in held[d.id_code] if a.kind == kind)
                self._ready.append(Answer(r.request_id, "found" if assets else "none", assets))
        return Submitted([r.request_id for r in requests], [])

    def poll(self, cursor: str, limit: int) -> Polled:
        taken, self._ready = self._ready[:limit], self._ready[limit:]
        return Polled(taken, "sync:0")


def as_async(provider) -> InquiryProvider:
    return provider if hasattr(provider, "submit") else SyncAdapter(provider)


def epoch_changed(before: str, after: str) -> bool:
    """Cursors are "<epoch>:<n>": a new epoch means the provider restarted."""
    return bool(before) and before.partition(":")[0] != after.partition(":")[0]


_shared: dict[str, SimulatedProvider] = {}


def default_provider() -> InquiryProvider:
    """The network over HTTP when settings.INQUIRY_URL names it, else the
    in-process simulation (tests, a court without a link yet). The in-process
    one is kept for the life of the process: it holds the pending answers."""
    from django.conf import settings

    url = getattr(settings, "INQUIRY_URL", None)
    if url:
        from zhixing.inquiry.http import HttpProvider

        return HttpProvider(url, timeout=settings.INQUIRY_TIMEOUT, batch_size=settings.INQUIRY_BATCH_SIZE)
    return _shared.setdefault("simulated", SimulatedProvider())
