"""The network inquiry (网络查控) over HTTP: the simulator server
(`zhixing inquiry-sim`) and the provider that talks to a network over HTTP.

Protocol (JSON, UTF-8; the full text is docs/inquiry-protocol.md):

    POST /v1/batches
      {"batch_id": "...", "callback_url": "..."?, "callback_token": "..."?,
       "requests": [{"request_id", "kind", "case_number", "basis",
                     "debtors": [{"id_code", "name", "kind"}]}]}
      202 {"accepted": [request_id...], "duplicates": [request_id...]}
      Re-submitting a request_id is a no-op (a duplicate) while its answer is
      pending or after it was found/none (then that answer is delivered once
      more); after a `failed` answer it is a new attempt.
    GET /v1/answers?after=<cursor>&limit=<n>
      200 {"answers": [answer...], "cursor": "<epoch>:<n>"}
      answer = {"request_id", "batch_id", "kind", "status": "found"|"none"|"failed",
                "assets": [{"debtor", "kind", "holder", "value_fen", "detail"}],
                "institution", "answered_at", "reason"}
      The cursor's epoch changes when the network restarts: what was pending
      then is forgotten and must be submitted again.
    Callback (when a batch names callback_url): POST callback_url
      {"answers": [answer...]} with "Authorization: Bearer <callback_token>".
      Best effort: polling remains the record.
    GET /health  200 {"status": "ok", ...counters}

A `failed` answer means "try again later"; Zhixing alone decides that a
request has failed for good (after settings.INQUIRY_MAX_ATTEMPTS).

No Django here: the simulator runs as its own process.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from zhixing.inquiry.network import RequestError, SimSettings, SimulatedNetwork
from zhixing.inquiry.providers import (
    OutgoingRequest,
    Polled,
    ProviderError,
    Submitted,
    epoch_changed,
    parse_answer,
)

log = logging.getLogger(__name__)

BATCHES_PATH = "/v1/batches"
ANSWERS_PATH = "/v1/answers"
MAX_BODY = 64 * 1024 * 1024  # bytes; a batch of thousands of requests fits easily


# ---------------------------------------------------------------------------
# The simulator


class SimulatorServer(ThreadingHTTPServer):
    """The simulated network over HTTP. `network` holds the behaviour (its
    settings may be changed between two requests, e.g. by a test)."""

    daemon_threads = True  # a held-back reply in progress never blocks shutdown
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, settings: SimSettings):
        super().__init__(address, SimulatorHandler)
        self.network = SimulatedNetwork(settings)
        self.stopping = threading.Event()
        self.requests = 0  # HTTP requests to /v1/batches (tests and the log)
        self._callbacks = threading.Thread(target=self._deliver, daemon=True)
        self._callbacks.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def _deliver(self):
        """POST ready answers to the callback URLs their batches named."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while not self.stopping.wait(0.05):
            grouped = defaultdict(list)
            for url, token, answer in self.network.take_callbacks():
                grouped[(url, token)].append(answer)
            for (url, token), answers in grouped.items():
                body = json.dumps({"answers": answers}, ensure_ascii=False).encode("utf-8")
                headers = {"Content-Type": "application/json; charset=utf-8"}
                if token:
                    headers["Authorization"] = f"Bearer {token}"
                try:
                    with opener.open(urllib.request.Request(url, data=body, headers=headers, method="POST"),
                                     timeout=5) as response:
                        response.read()
                except (OSError, http.client.HTTPException) as e:
                    log.warning("callback %s failed (%s): %d answers wait for polling", url, e, len(answers))

    def shutdown(self):
        self.stopping.set()  # wake handlers holding back a reply
        super().shutdown()


class SimulatorHandler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a kept-alive connection may sit idle
    server_version = "ZhixingInquirySim/2"

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/health":
            self._send(HTTPStatus.OK, {"status": "ok", **self.server.network.stats()})
        elif url.path == ANSWERS_PATH:
            query = urllib.parse.parse_qs(url.query)
            try:
                limit = int(query.get("limit", ["1000"])[0])
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, {"error": "limit 应为整数"})
                return
            self._send(HTTPStatus.OK, self.server.network.poll(query.get("after", [""])[0], limit))
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "无此接口"})

    def do_POST(self):
        if self.path != BATCHES_PATH:
            self._send(HTTPStatus.NOT_FOUND, {"error": "无此接口"})
            return
        payload = self._read_json()
        if payload is None:
            return
        self.server.requests += 1
        try:
            reply, hang = self.server.network.submit(payload)
        except RequestError as e:
            self._send(HTTPStatus.BAD_REQUEST, {"error": str(e)})
            return
        if hang and self.server.stopping.wait(self.server.network.settings.hang):
            return  # shutting down
        self._send(HTTPStatus.ACCEPTED, reply)

    def _read_json(self):
        """The request body as JSON, or None after answering 400/413."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length <= 0 or length > MAX_BODY:
            self.close_connection = True  # the unread body must not be taken for a next request
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > 0 else HTTPStatus.BAD_REQUEST,
                       {"error": "请求长度不正确"})
            return None
        try:
            return json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._send(HTTPStatus.BAD_REQUEST, {"error": "请求不是有效的 JSON"})
            return None

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
        log.debug("%s %s", self.address_string(), format % args)


def serve(host: str = "127.0.0.1", port: int = 8765, settings: SimSettings | None = None,
          **options) -> SimulatorServer:
    """A bound simulator, not yet running: call `serve_forever()` on it (in a
    thread, for tests), and `shutdown()` then `server_close()` to stop it.
    Port 0 picks a free port; `server.url` tells which. Options are
    SimSettings fields (latency_min=…, fail_rate=…, down={"deposit": 60}, …)."""
    settings = settings or SimSettings(**options)
    settings.check()
    return SimulatorServer((host, port), settings)


def serve_in_thread(**options) -> SimulatorServer:
    """A running simulator on a free local port (the demo, tests); stop with
    `server.shutdown(); server.server_close()`."""
    server = serve("127.0.0.1", 0, **options)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


# ---------------------------------------------------------------------------
# The provider


def _batch_json(head: dict, requests: list[OutgoingRequest]) -> bytes:
    """`head` with the requests (as OutgoingRequest.as_json gives them), as
    UTF-8 JSON. A case's eight requests share its debtors, case number and
    the basis: each is encoded once, not once per request."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    memo: dict = {}

    def once(value):  # value: a str, or the debtors' tuple (by identity: one object per case)
        key = id(value)
        if key not in memo:
            memo[key] = (value, dumps(value if isinstance(value, str) else
                                      [{"id_code": d.id_code, "name": d.name, "kind": d.kind} for d in value]))
        return memo[key][1]

    items = ",".join(
        f'{{"request_id": {dumps(r.request_id)}, "kind": {dumps(r.kind)}, "case_number": {once(r.case_number)}, '
        f'"basis": {once(r.basis)}, "debtors": {once(r.debtors)}}}'
        for r in requests
    )
    return (dumps(head)[:-1] + (", " if head else "") + f'"requests": [{items}]}}').encode("utf-8")


class HttpProvider:
    """The inquiry port over HTTP (a private line to the network, so
    environment proxies, meant for the internet, are not used).

    Every failure is a ProviderError: a timeout, a refused connection, a
    non-2xx status, a body that is not the agreed reply. The robot then
    retries with the same request ids, so a batch that did arrive before the
    timeout is not asked twice."""

    name = "http"
    concurrent = True  # submit and poll may run in two threads (no state kept between calls)

    def __init__(self, base_url: str, timeout: float = 10.0, batch_size: int = 500):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.batch_size = batch_size
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def submit(self, batch_id: str, requests: list[OutgoingRequest], callback_url: str | None = None,
               callback_token: str | None = None) -> Submitted:
        payload = {"batch_id": batch_id}
        if callback_url:
            payload["callback_url"] = callback_url
            if callback_token:
                payload["callback_token"] = callback_token
        data = self._call("POST", BATCHES_PATH, body=_batch_json(payload, requests))
        accepted, duplicates = data.get("accepted"), data.get("duplicates")
        if not (isinstance(accepted, list) and isinstance(duplicates, list)):
            raise ProviderError("答复格式不正确")
        asked = {r.request_id for r in requests}
        return Submitted([r for r in accepted if r in asked], [r for r in duplicates if r in asked])

    def poll(self, cursor: str, limit: int = 1000) -> Polled:
        query = urllib.parse.urlencode({"after": cursor or "", "limit": limit})
        data = self._call("GET", f"{ANSWERS_PATH}?{query}")
        raw, new_cursor = data.get("answers"), data.get("cursor")
        if not isinstance(raw, list) or not isinstance(new_cursor, str) or len(new_cursor) > 64:
            raise ProviderError("答复格式不正确")
        answers = [a for a in map(parse_answer, raw) if a is not None]
        if len(answers) < len(raw):
            log.warning("inquiry %s: %d answers name no request, ignored", self.base_url, len(raw) - len(answers))
        return Polled(answers, new_cursor, restarted=epoch_changed(cursor, new_cursor))

    def _call(self, method: str, path: str, payload: dict | None = None, body: bytes | None = None) -> dict:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else body
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method,
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
        )
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as e:  # before OSError: it is one
            e.close()
            raise ProviderError(f"HTTP {e.code}") from None
        except http.client.HTTPException as e:  # a garbled status line or a cut-off body
            raise ProviderError(type(e).__name__) from None
        except TimeoutError:
            raise ProviderError(f"超时（{time.monotonic() - started:.1f}秒）", unreachable=True) from None
        except OSError as e:  # refused or dropped connection (URLError is one)
            raise ProviderError(f"无法连接：{getattr(e, 'reason', None) or e}", unreachable=True) from None
        try:
            data = json.loads(body.decode("utf-8")) if len(body) <= MAX_BODY else None
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise ProviderError("答复不是约定的格式")
        return data
