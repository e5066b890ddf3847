"""The simulated inquiry network's behaviour, without HTTP and without Django.

`zhixing inquiry-sim` (inquiry/http.py) serves it over HTTP; the in-process
`SimulatedProvider` (unit tests) calls it directly. Either way the same
protocol (docs/inquiry-protocol.md) and the same ways of going wrong:

- latency: each answer is ready after a delay drawn on a log scale between
  `latency_min` and `latency_max` seconds (milliseconds to minutes);
- fail_rate: an answer is `failed` ("try again later");
- duplicate_rate: an answer is delivered twice;
- late_rate: an answer comes only after `late_delay` seconds, when the
  client has long since re-sent its request;
- down: an institution (asset kind) answers `failed` for its first N seconds
  (None: for good);
- timeout_rate (HTTP only): a batch is accepted but the reply is held back
  past the client's timeout.

Every draw is fixed by `seed` and the request's id and attempt, so a run can
be repeated. The assets are always `simulated_assets`: the same debtor shows
the same assets whatever the network did on the way.

A request id is idempotent: submitted again while its answer is pending, it
is a duplicate and nothing happens; submitted again after a found/none answer,
it is a duplicate and that answer is delivered once more; submitted again
after a `failed` answer, it is a new attempt.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import math
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from zhixing.inquiry.providers import DebtorRef, simulated_assets
from zhixing.rules.assets import ASSET_KINDS

# Who answers for each asset kind (协助执行单位), as the answer names it.
INSTITUTIONS = {
    "deposit": "银行业金融机构",
    "real_estate": "不动产登记机构",
    "vehicle": "公安机关交通管理部门",
    "securities": "中国证券登记结算有限责任公司",
    "online_funds": "网络支付机构",
    "housing_fund": "住房公积金管理中心",
    "equity": "市场监督管理部门",
    "insurance": "保险机构",
}


@functools.lru_cache(maxsize=100_000)
def holdings(debtor: DebtorRef) -> dict[str, tuple[dict, ...]]:
    """simulated_assets as answer entries by kind, remembered: eight requests
    (one per kind) ask about the same debtor."""
    by_kind = defaultdict(list)
    for a in simulated_assets(debtor):
        by_kind[a.kind].append({"debtor": debtor.id_code, "kind": a.kind, "holder": a.holder,
                                "value_fen": a.value, "detail": a.detail})
    return {kind: tuple(entries) for kind, entries in by_kind.items()}


def draw(seed: int, key: str) -> float:
    """A number in [0, 1) fixed by seed and key: the same behaviour every run."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class SimSettings:
    latency_min: float = 0.0  # seconds
    latency_max: float = 0.0
    fail_rate: float = 0.0
    timeout_rate: float = 0.0
    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    late_delay: float = 120.0  # seconds
    hang: float = 30.0  # seconds a "timed out" batch's reply is held back
    down: dict[str, float | None] = field(default_factory=dict)  # kind -> seconds from start; None: for good
    seed: int = 0

    def check(self) -> None:
        if not 0 <= self.latency_min <= self.latency_max:
            raise ValueError("latency must satisfy 0 <= min <= max")
        for name in ("fail_rate", "timeout_rate", "duplicate_rate", "late_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.late_delay < 0 or self.hang < 0:
            raise ValueError("late_delay and hang must not be negative")
        unknown = [k for k in self.down if k not in ASSET_KINDS]
        if unknown:
            raise ValueError(f"unknown kinds: {unknown}")


class RequestError(ValueError):
    """A batch the network cannot read; the message is Chinese."""


def parse_down(text: str) -> tuple[str, float | None]:
    """`KIND[:SECONDS]` → (kind, seconds or None for good)."""
    kind, _, seconds = text.partition(":")
    if kind not in ASSET_KINDS:
        raise ValueError(f"未知的财产类型：{kind}（可选：{'、'.join(ASSET_KINDS)}）")
    if not seconds:
        return kind, None
    value = float(seconds)
    if not value >= 0:
        raise ValueError(f"秒数不能为负数：{seconds}")
    return kind, value


class SimulatedNetwork:
    """The network's memory: requests seen, answers pending, answers ready.

    Thread-safe (the HTTP server calls it from many threads). `clock` is
    seconds, monotonic; tests may pass their own."""

    def __init__(self, settings: SimSettings | None = None, clock=time.monotonic):
        self.settings = settings or SimSettings()
        self.settings.check()
        self.clock = clock
        self.started = clock()
        # A new epoch on every start: a client whose cursor names another
        # epoch knows the network forgot its pending requests.
        self.epoch = f"{int(time.time()):x}{os.urandom(3).hex()}"
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._requests: dict[str, dict] = {}  # request_id -> {"attempt", "ready_at", "answer"}
        self._pending: list[tuple[float, int, dict, str | None, str | None]] = []  # heap
        self._log: list[dict] = []  # ready answers, in order; cursor n = the first n read
        self._offset = 0  # answers before it were dropped (a client read past them)
        self._previous = 0  # where the poll before the last one started
        self._callbacks: list[tuple[str, str | None, dict]] = []
        self.batches = 0
        self.accepted = 0
        self.duplicates = 0

    # -- submitting ---------------------------------------------------------

    def submit(self, payload) -> tuple[dict, bool]:
        """Register a batch: ({"accepted", "duplicates"}, hang). `hang` asks the
        HTTP layer to hold the reply back (a simulated timeout); the batch is
        registered all the same, as a real network would."""
        batch_id, callback_url, callback_token, requests = self._read(payload)
        s = self.settings
        with self._lock:
            self.batches += 1
            hang = bool(s.timeout_rate) and draw(s.seed, f"timeout:{self.batches}") < s.timeout_rate
            now = self.clock()
            accepted, duplicates = [], []
            for r in requests:
                rid = r["request_id"]
                known = self._requests.get(rid)
                if known is not None and (now < known["ready_at"] or known["answer"]["status"] != "failed"):
                    duplicates.append(rid)
                    self.duplicates += 1
                    if now >= known["ready_at"]:
                        self._push(now, known["answer"], callback_url, callback_token)  # delivered again
                    continue
                attempt = known["attempt"] + 1 if known else 1
                answer, ready_at = self._answer(r, batch_id, attempt, now)
                self._requests[rid] = {"attempt": attempt, "ready_at": ready_at, "answer": answer}
                self._push(ready_at, answer, callback_url, callback_token)
                if s.duplicate_rate and draw(s.seed, f"duplicate:{rid}:{attempt}") < s.duplicate_rate:
                    again = ready_at + self._latency(f"again:{rid}:{attempt}")
                    self._push(again, answer, callback_url, callback_token)
                accepted.append(rid)
                self.accepted += 1
        return {"accepted": accepted, "duplicates": duplicates}, hang

    def _read(self, payload):
        if not isinstance(payload, dict) or not isinstance(payload.get("requests"), list):
            raise RequestError("请求格式错误：缺少 requests")
        batch_id = payload.get("batch_id")
        callback_url = payload.get("callback_url") or None
        callback_token = payload.get("callback_token") or None
        if not isinstance(batch_id, str) or not batch_id:
            raise RequestError("请求格式错误：缺少 batch_id")
        if callback_url is not None and not (isinstance(callback_url, str) and callback_url.startswith("http")):
            raise RequestError("请求格式错误：callback_url 不是网址")
        requests = []
        for i, r in enumerate(payload["requests"]):
            try:
                rid, kind = r["request_id"], r["kind"]
                debtors = [DebtorRef(str(d["id_code"]), str(d["name"]), str(d["kind"])) for d in r["debtors"]]
                case_number, basis = r["case_number"], r["basis"]
            except (KeyError, TypeError):
                raise RequestError(f"请求格式错误：第{i + 1}项缺少字段") from None
            if not isinstance(rid, str) or not rid:
                raise RequestError(f"请求格式错误：第{i + 1}项 request_id 不正确")
            if kind not in ASSET_KINDS:
                raise RequestError(f"未知的查询项目：{kind}")
            if not (isinstance(case_number, str) and case_number and isinstance(basis, str) and basis):
                # Courts must be able to show why they asked.
                raise RequestError(f"第{i + 1}项缺少案号或查询依据")
            requests.append({"request_id": rid, "kind": kind, "debtors": debtors})
        return batch_id, callback_url, callback_token, requests

    def _latency(self, key: str) -> float:
        s = self.settings
        if s.latency_max <= 0:
            return 0.0
        low = max(s.latency_min, 0.001)
        if s.latency_max <= low:
            return s.latency_max
        u = draw(s.seed, key)
        return math.exp(math.log(low) + u * (math.log(s.latency_max) - math.log(low)))

    def _answer(self, r: dict, batch_id: str, attempt: int, now: float) -> tuple[dict, float]:
        s = self.settings
        rid, kind = r["request_id"], r["kind"]
        key = f"{rid}:{attempt}"
        ready_at = now + self._latency(f"latency:{key}")
        answer = {"request_id": rid, "batch_id": batch_id, "kind": kind, "institution": INSTITUTIONS[kind],
                  "status": "none", "assets": [], "reason": "", "answered_at": ""}
        if kind in s.down and (s.down[kind] is None or now - self.started < s.down[kind]):
            answer.update(status="failed", reason=f"{INSTITUTIONS[kind]}系统维护，暂停查询")
            return answer, ready_at
        if s.fail_rate and draw(s.seed, f"fail:{key}") < s.fail_rate:
            answer.update(status="failed", reason=f"{INSTITUTIONS[kind]}系统繁忙，请稍后重试")
            return answer, ready_at
        if s.late_rate and draw(s.seed, f"late:{key}") < s.late_rate:
            ready_at = now + s.late_delay
        assets = [entry for d in r["debtors"] for entry in holdings(d).get(kind, ())]  # shared, never changed
        answer.update(status="found" if assets else "none", assets=assets)
        return answer, ready_at

    def _push(self, ready_at, answer, callback_url, callback_token):
        heapq.heappush(self._pending, (ready_at, next(self._seq), answer, callback_url, callback_token))

    # -- answering ----------------------------------------------------------

    def _release(self) -> None:
        """Move the answers whose time has come to the log (and the callbacks)."""
        now = self.clock()
        stamp = None
        while self._pending and self._pending[0][0] <= now:
            _, _, answer, url, token = heapq.heappop(self._pending)
            stamp = stamp or datetime.now(UTC).isoformat(timespec="milliseconds")
            ready = dict(answer, answered_at=stamp)
            self._log.append(ready)
            if url:
                self._callbacks.append((url, token, ready))

    def poll(self, after: str | None, limit: int = 1000) -> dict:
        """The answers after a cursor, oldest first, and the cursor after them.
        A cursor of another epoch (or none) reads from the start."""
        limit = max(1, min(int(limit), 10_000))
        with self._lock:
            self._release()
            start = 0
            if after:
                epoch, _, n = after.partition(":")
                if epoch == self.epoch and n.isdigit():
                    start = int(n)
            start = max(start, self._offset)
            # What the client has read past twice is dropped: the log stays
            # small, and a client that reads the next page while saving the
            # one before (then crashes) can still read that one again.
            keep_from, self._previous = min(start, self._previous), start
            drop = keep_from - self._offset
            if drop > 0:
                del self._log[:drop]
                self._offset = keep_from
            answers = self._log[start - self._offset:start - self._offset + limit]
            return {"answers": answers, "cursor": f"{self.epoch}:{start + len(answers)}"}

    def take_callbacks(self) -> list[tuple[str, str | None, dict]]:
        with self._lock:
            self._release()
            taken, self._callbacks = self._callbacks, []
            return taken

    def next_ready_in(self) -> float | None:
        """Seconds until the next pending answer is ready (None: nothing pending)."""
        with self._lock:
            if not self._pending:
                return None
            return max(0.0, self._pending[0][0] - self.clock())

    def stats(self) -> dict:
        with self._lock:
            return {"batches": self.batches, "accepted": self.accepted, "duplicates": self.duplicates,
                    "pending": len(self._pending), "epoch": self.epoch}
