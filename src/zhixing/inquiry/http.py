"""The network inquiry (网络查控) over HTTP: a simulator server and the provider
that talks to it.

The simulator answers with `simulated_assets`, so an answer over HTTP is the
same as the in-process `SimulatedProvider`'s; what HTTP adds is the ways a real
link fails. It can answer slowly (`delay`) and fail on purpose (`fail_rate`),
so timeouts, errors and retries are exercised over a real connection.

Wire format (JSON, UTF-8):

    POST /v1/inquiries  {"debtors": [{"id_code", "name", "kind"}], "kinds": [...]}
      200 {"results": [{"id_code": ..., "assets": [{"kind", "holder", "value_fen", "detail"}]}]}
    GET /health         200 {"status": "ok"}

A debtor missing from "results" has no answer yet. The provider maps every
failure to None ("ask again on the next pass"), never to "nothing found": an
inquiry only closes on an answer that was actually given and is well-formed.

No Django here: the simulator runs as its own process (`zhixing inquiry-sim`).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import threading
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from zhixing.inquiry.providers import ALL_KINDS, DebtorRef, FoundAsset, simulated_assets
from zhixing.rules.assets import ASSET_KINDS

log = logging.getLogger(__name__)

INQUIRIES_PATH = "/v1/inquiries"
MAX_BODY = 16 * 1024 * 1024  # bytes; a batch of thousands of debtors fits easily

# Limits of the columns an asset is stored in (inquiry.models.Asset): an answer
# that would not fit is refused here rather than failing the robot's insert.
HOLDER_MAX = 64
DETAIL_MAX = 128
VALUE_MAX = 2**63 - 1  # BigIntegerField

Answers = dict[str, list[FoundAsset] | None]  # per debtor id_code; None: not answered (yet)


# ---------------------------------------------------------------------------
# The simulator


def draw(seed: int, key: str) -> float:
    """A number in [0, 1) fixed by seed and key: the same failures every run."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class SimulatorServer(ThreadingHTTPServer):
    """The simulated network. Its settings are plain attributes, so a test can
    make a slow server fast (or a failing one sound) between two passes.

    fail_rate: each request is refused with 503 with this probability; in a
    request that is answered, each debtor is left out with this probability.
    Both are drawn from `seed` and a counter (the request's number; the
    debtor's number of attempts), so a debtor left out now is asked again and,
    sooner or later, answered."""

    daemon_threads = True  # a slow answer in progress never blocks shutdown
    allow_reuse_address = True

    def __init__(self, address, *, delay: float = 0.0, fail_rate: float = 0.0, seed: int = 0):
        super().__init__(address, SimulatorHandler)
        self.delay = delay
        self.fail_rate = fail_rate
        self.seed = seed
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests = 0
        self._attempts: dict[str, int] = {}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> int:
        """How many inquiry requests have arrived (for tests and the log)."""
        return self._requests

    def next_request(self) -> int:
        with self._lock:
            self._requests += 1
            return self._requests

    def next_attempts(self, id_codes: list[str]) -> list[int]:
        with self._lock:
            for code in id_codes:
                self._attempts[code] = self._attempts.get(code, 0) + 1
            return [self._attempts[code] for code in id_codes]

    def answer(self, debtors: list[DebtorRef], kinds: tuple[str, ...]) -> list[dict]:
        """The results for one request, leaving out the debtors that fail."""
        wanted = set(kinds)
        attempts = self.next_attempts([d.id_code for d in debtors])
        results = []
        for debtor, attempt in zip(debtors, attempts):
            if self.fail_rate and draw(self.seed, f"debtor:{debtor.id_code}:{attempt}") < self.fail_rate:
                continue
            assets = [a for a in simulated_assets(debtor) if a.kind in wanted]
            results.append({"id_code": debtor.id_code, "assets": [
                {"kind": a.kind, "holder": a.holder, "value_fen": a.value, "detail": a.detail} for a in assets
            ]})
        return results

    def shutdown(self):
        self.stopping.set()  # wake handlers sleeping out their delay
        super().shutdown()


class SimulatorHandler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a kept-alive connection may sit idle
    server_version = "ZhixingInquirySim/1"

    def do_GET(self):
        if self.path == "/health":
            self._send(HTTPStatus.OK, {"status": "ok"})
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "无此接口"})

    def do_POST(self):
        if self.path != INQUIRIES_PATH:
            self._send(HTTPStatus.NOT_FOUND, {"error": "无此接口"})
            return
        request = self._read_request()
        if request is None:
            return
        debtors, kinds = request
        number = self.server.next_request()
        if self.server.delay and self.server.stopping.wait(self.server.delay):
            return  # shutting down
        if self.server.fail_rate and draw(self.server.seed, f"request:{number}") < self.server.fail_rate:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "查控系统繁忙，请稍后重试"})
            return
        self._send(HTTPStatus.OK, {"results": self.server.answer(debtors, kinds)})

    def _read_request(self) -> tuple[list[DebtorRef], tuple[str, ...]] | None:
        """The debtors and kinds asked for, or None after answering 400/413."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # the unread body must not be taken for a next request
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > 0 else HTTPStatus.BAD_REQUEST,
                       {"error": "请求长度不正确"})
            return None
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            debtors = [DebtorRef(str(d["id_code"]), str(d["name"]), str(d["kind"])) for d in body["debtors"]]
            kinds = tuple(body.get("kinds") or ALL_KINDS)
            unknown = [k for k in kinds if k not in ASSET_KINDS]
        except (ValueError, KeyError, TypeError, AttributeError):
            self._send(HTTPStatus.BAD_REQUEST, {"error": "请求格式错误"})
            return None
        if unknown:
            self._send(HTTPStatus.BAD_REQUEST, {"error": f"未知的查询项目：{'、'.join(map(str, unknown))}"})
            return None
        return debtors, kinds

    def _send(self, status: HTTPStatus, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (its timeout): nothing to tell it

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        log.info("%s %s", self.address_string(), format % args)


def serve(host: str = "127.0.0.1", port: int = 8765, delay: float = 0.0, fail_rate: float = 0.0,
          seed: int = 0) -> SimulatorServer:
    """A bound simulator, not yet running: call `serve_forever()` on it (in a
    thread, for tests), and `shutdown()` then `server_close()` to stop it.
    Port 0 picks a free port; `server.url` tells which."""
    if delay < 0:
        raise ValueError("delay must not be negative")
    if not 0.0 <= fail_rate <= 1.0:
        raise ValueError("fail_rate must be between 0 and 1")
    return SimulatorServer((host, port), delay=delay, fail_rate=fail_rate, seed=seed)


# ---------------------------------------------------------------------------
# The provider


class HttpProvider:
    """The inquiry port over HTTP. Debtors are asked in batches of
    `batch_size`; a batch that fails (timeout, refused connection, 5xx, a body
    that is not the agreed answer) leaves its debtors unanswered (None), so
    their inquiries stay open and the robot asks again on its next pass.

    After a timeout or a connection error the remaining batches of the same
    call are not sent (they stay None too): the link is down or overloaded, and waiting out one
    timeout per batch would stall the robot's pass for nothing.

    The link is a private line to the inquiry network, so environment proxies
    (meant for the internet) are not used."""

    name = "http"

    def __init__(self, base_url: str, timeout: float = 5.0, batch_size: int = 200):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.url = base_url.rstrip("/") + INQUIRIES_PATH
        self.timeout = timeout
        self.batch_size = batch_size
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def inquire(self, debtors: list[DebtorRef], kinds: tuple[str, ...] = ALL_KINDS) -> Answers:
        kinds = tuple(kinds) or ALL_KINDS
        answers: Answers = {d.id_code: None for d in debtors}
        for start in range(0, len(debtors), self.batch_size):
            batch = debtors[start:start + self.batch_size]
            try:
                body = self._post(batch, kinds)
            except _Refused as e:
                log.warning("inquiry %s refused a batch (%s): %d debtors left for the next pass",
                            self.url, e, len(batch))
                continue
            except OSError as e:  # timeout, refused or dropped connection (URLError is one)
                log.warning("inquiry %s unreachable (%s): %d debtors left for the next pass",
                            self.url, getattr(e, "reason", None) or e, len(debtors) - start)
                break
            answered = parse_results(body, asked={d.id_code for d in batch}, kinds=kinds)
            if answered is None:
                log.warning("inquiry %s gave a malformed answer: %d debtors left for the next pass",
                            self.url, len(batch))
                continue
            invalid = sum(1 for a in answered.values() if a is None)
            missing = len(batch) - len(answered)
            if invalid or missing:
                log.warning("inquiry %s: %d debtors answered invalidly, %d not answered: left for the next pass",
                            self.url, invalid, missing)
            answers.update(answered)
        return answers

    def _post(self, batch: list[DebtorRef], kinds: tuple[str, ...]) -> bytes:
        payload = {"debtors": [{"id_code": d.id_code, "name": d.name, "kind": d.kind} for d in batch],
                   "kinds": list(kinds)}
        request = urllib.request.Request(
            self.url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as e:  # before OSError: it is one
            e.close()
            raise _Refused(f"HTTP {e.code}") from None
        except http.client.HTTPException as e:  # a garbled status line or a cut-off body
            raise _Refused(type(e).__name__) from None


class _Refused(Exception):
    """The server answered, but with an error status."""


def parse_results(body: bytes, *, asked: set[str], kinds: tuple[str, ...]) -> Answers | None:
    """The answered debtors of one batch, or None if the body is not an answer.

    A debtor whose result is malformed (or given twice) is left unanswered,
    like one left out; results for debtors not asked about are ignored."""
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        return None
    answered: Answers = {}
    seen: set[str] = set()
    for result in results:
        code = result.get("id_code") if isinstance(result, dict) else None
        if not isinstance(code, str) or code not in asked:
            continue
        answered[code] = _assets(result.get("assets"), kinds) if code not in seen else None
        seen.add(code)
    return answered


def _assets(raw, kinds: tuple[str, ...]) -> list[FoundAsset] | None:
    """Every asset valid (a kind asked for, a holder, whole fen ≥ 0), or None."""
    if not isinstance(raw, list):
        return None
    found = []
    for a in raw:
        if not isinstance(a, dict):
            return None
        kind, holder, value, detail = a.get("kind"), a.get("holder"), a.get("value_fen"), a.get("detail", "")
        if (
            kind not in ASSET_KINDS or kind not in kinds
            or not isinstance(holder, str) or not 0 < len(holder) <= HOLDER_MAX
            or not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= VALUE_MAX
            or not isinstance(detail, str) or len(detail) > DETAIL_MAX
        ):
            return None
        found.append(FoundAsset(kind, holder, value, detail))
    return found
